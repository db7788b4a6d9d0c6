//! ExponentialDecay and InverseTimeDecay: one schedule of
//! `p = step / decay_steps` (rounded down with `staircase`), told apart by
//! its formula.

use super::{check_decay_steps, Config, LearningRateSchedule};
use crate::error::Result;
use serde_json::{json, Value};

/// The formula of [`ExponentialDecay`]: `decay_rate ^ p`.
pub const EXPONENTIAL: u8 = 0;
/// The formula of [`InverseTimeDecay`]: `1 / (1 + decay_rate * p)`.
pub const INVERSE_TIME: u8 = 1;

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
pub type ExponentialDecay = StepDecay<EXPONENTIAL>;

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
pub type InverseTimeDecay = StepDecay<INVERSE_TIME>;

/// A schedule of `p = step / decay_steps` with the formula `FORMULA`
/// ([`EXPONENTIAL`] or [`INVERSE_TIME`]); use it by its Keras names,
/// [`ExponentialDecay`] and [`InverseTimeDecay`].
///
/// ```
/// use kerust::schedules::{ExponentialDecay, InverseTimeDecay, LearningRateSchedule};
/// assert_eq!(ExponentialDecay::new(0.1, 10, 0.5).at(10), 0.05);
/// assert_eq!(InverseTimeDecay::new(0.1, 10, 1.0).at(10), 0.05);
/// assert_eq!(InverseTimeDecay::new(0.1, 10, 1.0).class_name(), "InverseTimeDecay");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct StepDecay<const FORMULA: u8> {
    initial_learning_rate: f32,
    decay_steps: usize,
    decay_rate: f32,
    staircase: bool,
    name: String,
}

impl<const FORMULA: u8> StepDecay<FORMULA> {
    /// Keras' class name of the formula.
    const CLASS_NAME: &'static str = if FORMULA == EXPONENTIAL {
        "ExponentialDecay"
    } else {
        "InverseTimeDecay"
    };
    /// The schedule with Keras' three positional arguments; `staircase`
    /// false. `decay_steps` must be positive ([`LearningRateSchedule::check`]).
    pub fn new(initial_learning_rate: f32, decay_steps: usize, decay_rate: f32) -> Self {
        StepDecay {
            initial_learning_rate,
            decay_steps,
            decay_rate,
            staircase: false,
            name: Self::CLASS_NAME.to_string(),
        }
    }
    crate::builder::setters! {
        /// Decays in whole steps of `decay_steps` (default false).
        staircase(bool);
        /// The name saved in the config (default: the class name,
        /// `"ExponentialDecay"` or `"InverseTimeDecay"`).
        name(&str) => name = name.to_string();
    }
    pub(crate) fn from_config(c: &Config) -> Result<Self> {
        Ok(Self::new(
            c.f32("initial_learning_rate")?,
            c.steps("decay_steps")?,
            c.f32("decay_rate")?,
        )
        .staircase(c.bool("staircase", false)?)
        .name(&c.name(Self::CLASS_NAME)))
    }
}

impl<const FORMULA: u8> LearningRateSchedule for StepDecay<FORMULA> {
    fn at(&self, step: usize) -> f32 {
        let mut p = step as f32 / self.decay_steps as f32;
        if self.staircase {
            p = p.floor();
        }
        if FORMULA == EXPONENTIAL {
            self.initial_learning_rate * self.decay_rate.powf(p)
        } else {
            self.initial_learning_rate / (1.0 + self.decay_rate * p)
        }
    }
    fn class_name(&self) -> &'static str {
        Self::CLASS_NAME
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
        check_decay_steps(Self::CLASS_NAME, "decay_steps", self.decay_steps)
    }
    fn box_clone(&self) -> Box<dyn LearningRateSchedule> {
        Box::new(self.clone())
    }
}
