//! InverseTimeDecay.

use super::{check_decay_steps, Config, LearningRateSchedule};
use crate::error::Result;
use serde_json::{json, Value};

/// `initial_learning_rate / (1 + decay_rate * step / decay_steps)`, as
/// `keras.optimizers.schedules.InverseTimeDecay`; with `staircase(true)`
/// `step / decay_steps` is rounded down to a whole number.
///
/// ```
/// use kerust::prelude::*;
/// // The TensorFlow tutorial "Overfit and underfit":
/// let schedule = schedules::InverseTimeDecay::new(0.001, 20 * 1000, 1.0);
/// assert_eq!(schedule.at(0), 0.001);
/// assert!((schedule.at(20_000) - 0.0005).abs() < 1e-9);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct InverseTimeDecay {
    initial_learning_rate: f32,
    decay_steps: usize,
    decay_rate: f32,
    staircase: bool,
    name: String,
}

impl InverseTimeDecay {
    /// The schedule with Keras' three positional arguments; `staircase`
    /// false. `decay_steps` must be positive ([`LearningRateSchedule::check`]).
    pub fn new(initial_learning_rate: f32, decay_steps: usize, decay_rate: f32) -> Self {
        InverseTimeDecay {
            initial_learning_rate,
            decay_steps,
            decay_rate,
            staircase: false,
            name: "InverseTimeDecay".to_string(),
        }
    }
    /// Decays in whole steps of `decay_steps` (default false).
    pub fn staircase(mut self, staircase: bool) -> Self {
        self.staircase = staircase;
        self
    }
    /// The name saved in the config (default `"InverseTimeDecay"`).
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
        .name(&c.name("InverseTimeDecay")))
    }
}

impl LearningRateSchedule for InverseTimeDecay {
    fn at(&self, step: usize) -> f32 {
        let mut p = step as f32 / self.decay_steps as f32;
        if self.staircase {
            p = p.floor();
        }
        self.initial_learning_rate / (1.0 + self.decay_rate * p)
    }
    fn class_name(&self) -> &'static str {
        "InverseTimeDecay"
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
        check_decay_steps("InverseTimeDecay", "decay_steps", self.decay_steps)
    }
    fn box_clone(&self) -> Box<dyn LearningRateSchedule> {
        Box::new(self.clone())
    }
}
