//! ExponentialDecay.

use super::{check_decay_steps, Config, LearningRateSchedule};
use crate::error::Result;
use serde_json::{json, Value};

/// `initial_learning_rate * decay_rate ^ (step / decay_steps)`, as
/// `keras.optimizers.schedules.ExponentialDecay`; with `staircase(true)`
/// the exponent is rounded down to a whole number.
///
/// ```
/// use kerust::prelude::*;
/// let schedule = schedules::ExponentialDecay::new(0.1, 100, 0.5).staircase(true);
/// assert_eq!(schedule.at(99), 0.1);
/// assert_eq!(schedule.at(100), 0.05);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ExponentialDecay {
    initial_learning_rate: f32,
    decay_steps: usize,
    decay_rate: f32,
    staircase: bool,
    name: String,
}

impl ExponentialDecay {
    /// The schedule with Keras' three positional arguments; `staircase`
    /// false. `decay_steps` must be positive ([`LearningRateSchedule::check`]).
    pub fn new(initial_learning_rate: f32, decay_steps: usize, decay_rate: f32) -> Self {
        ExponentialDecay {
            initial_learning_rate,
            decay_steps,
            decay_rate,
            staircase: false,
            name: "ExponentialDecay".to_string(),
        }
    }
    /// Decays in whole steps of `decay_steps` (default false).
    pub fn staircase(mut self, staircase: bool) -> Self {
        self.staircase = staircase;
        self
    }
    /// The name saved in the config (default `"ExponentialDecay"`).
    pub fn name(mut self, name: &str) -> Self {
        self.name = name.to_string();
        self
    }
    pub(crate) fn from_config(c: &Config) -> Result<Self> {
        Ok(Self::new(
            c.f32("initial_learning_rate")?,
            c.steps("decay_steps")?,
            c.f32("decay_rate")?,
        )
        .staircase(c.bool("staircase", false)?)
        .name(&c.name("ExponentialDecay")))
    }
}

impl LearningRateSchedule for ExponentialDecay {
    fn at(&self, step: usize) -> f32 {
        let mut p = step as f32 / self.decay_steps as f32;
        if self.staircase {
            p = p.floor();
        }
        self.initial_learning_rate * self.decay_rate.powf(p)
    }
    fn class_name(&self) -> &'static str {
        "ExponentialDecay"
    }
    fn get_config(&self) -> Value {
        json!({
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        })
    }
    fn check(&self) -> Result<()> {
        check_decay_steps("ExponentialDecay", "decay_steps", self.decay_steps)
    }
    fn box_clone(&self) -> Box<dyn LearningRateSchedule> {
        Box::new(self.clone())
    }
}
