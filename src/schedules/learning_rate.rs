//! LearningRate: a number or a schedule.

use super::{serialize, LearningRateSchedule};
use crate::error::{Error, Result};
use serde_json::Value;

/// What an optimizer's `learning_rate` argument takes, as in Keras: a
/// number or a [`LearningRateSchedule`]. `f32`, `f64` and every schedule
/// convert into it, so one constructor takes either.
///
/// ```
/// use kerust::prelude::*;
/// use kerust::schedules::LearningRate;
/// let constant: LearningRate = 0.001.into();
/// let decaying: LearningRate = schedules::ExponentialDecay::new(0.1, 100, 0.5).into();
/// assert_eq!(constant.at(1_000_000), 0.001);
/// assert_eq!(decaying.at(100), 0.05);
/// assert!(decaying.is_schedule());
/// ```
#[derive(Debug, Clone)]
pub enum LearningRate {
    /// The same rate at every step.
    Constant(f32),
    /// A rate that depends on the optimizer's step.
    Schedule(Box<dyn LearningRateSchedule>),
}

impl LearningRate {
    /// The rate for optimizer step `step` (0 for the first update).
    pub fn at(&self, step: usize) -> f32 {
        match self {
            LearningRate::Constant(lr) => *lr,
            LearningRate::Schedule(s) => s.at(step),
        }
    }
    /// Whether it is a schedule (Keras then refuses to set the rate by
    /// hand: `LearningRateScheduler` and `ReduceLROnPlateau` say so).
    pub fn is_schedule(&self) -> bool {
        matches!(self, LearningRate::Schedule(_))
    }
    /// Checks the value: a finite, non-negative number, or a schedule
    /// whose arguments are valid. An optimizer calls this when compiled.
    ///
    /// ```
    /// use kerust::schedules::{ExponentialDecay, LearningRate};
    /// assert!(LearningRate::from(ExponentialDecay::new(0.1, 0, 0.5)).check().is_err());
    /// assert!(LearningRate::from(f32::NAN).check().is_err());
    /// ```
    pub fn check(&self) -> Result<()> {
        match self {
            LearningRate::Constant(lr) if !lr.is_finite() || *lr < 0.0 => Err(Error::value(
                format!("learning_rate must be a finite number >= 0; received learning_rate={lr}"),
            )),
            LearningRate::Constant(_) => Ok(()),
            LearningRate::Schedule(s) => s.check(),
        }
    }
    /// The value as Keras saves an optimizer's `learning_rate`: a number,
    /// or the serialized schedule (see [`super::serialize`]).
    pub fn to_json(&self) -> Value {
        match self {
            LearningRate::Constant(lr) => serde_json::json!(lr),
            LearningRate::Schedule(s) => serialize(s.as_ref()),
        }
    }
    /// Reads what [`LearningRate::to_json`] wrote.
    ///
    /// ```
    /// use kerust::schedules::{InverseTimeDecay, LearningRate};
    /// let lr = LearningRate::from(InverseTimeDecay::new(0.001, 1000, 1.0));
    /// let back = LearningRate::from_json(&lr.to_json())?;
    /// assert_eq!(back.at(2000), lr.at(2000));
    /// assert_eq!(LearningRate::from_json(&serde_json::json!(0.01))?.at(7), 0.01);
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn from_json(v: &Value) -> Result<LearningRate> {
        if let Some(x) = v.as_f64() {
            let lr = LearningRate::Constant(x as f32);
            lr.check()?;
            return Ok(lr);
        }
        if v.is_object() {
            return super::from_config(v).map(LearningRate::Schedule);
        }
        Err(Error::value(format!(
            "learning_rate must be a number or a schedule {{\"class_name\": .., \"config\": ..}}; got {v}"
        )))
    }
}

impl From<f32> for LearningRate {
    fn from(lr: f32) -> Self {
        LearningRate::Constant(lr)
    }
}

impl From<f64> for LearningRate {
    fn from(lr: f64) -> Self {
        LearningRate::Constant(lr as f32)
    }
}

impl From<Box<dyn LearningRateSchedule>> for LearningRate {
    fn from(s: Box<dyn LearningRateSchedule>) -> Self {
        LearningRate::Schedule(s)
    }
}

impl<S: LearningRateSchedule + 'static> From<S> for LearningRate {
    fn from(s: S) -> Self {
        LearningRate::Schedule(Box::new(s))
    }
}
