//! Learning-rate schedules, as `keras.optimizers.schedules`: a learning rate
//! that changes with the optimizer's step (the number of batches trained).
//!
//! ```
//! use kerust::prelude::*;
//! let schedule = schedules::InverseTimeDecay::new(0.001, 1000, 1.0);
//! assert_eq!(schedule.at(0), 0.001);
//! assert!((schedule.at(1000) - 0.0005).abs() < 1e-9);
//! // Plot it as the TensorFlow tutorials do:
//! let lrs: Vec<f32> = (0..10_000).step_by(100).map(|step| schedule.at(step)).collect();
//! # assert_eq!(lrs.len(), 100);
//! ```
//!
//! # How an optimizer takes a schedule
//!
//! Every place that takes a learning rate takes a [`LearningRate`]: a plain
//! number or a schedule, both through `Into<LearningRate>`. An optimizer
//! keeps the `LearningRate`, asks [`LearningRate::check`] when it is
//! compiled, and asks [`LearningRate::at`] with its `iterations` (updates
//! made so far, 0 for the first batch) before each update, as Keras does:
//!
//! ```
//! use kerust::schedules::{self, LearningRate};
//! struct MySgd { learning_rate: LearningRate, iterations: usize }
//! impl MySgd {
//!     fn new(learning_rate: impl Into<LearningRate>) -> Self {
//!         MySgd { learning_rate: learning_rate.into(), iterations: 0 }
//!     }
//!     fn step(&mut self, w: &mut [f32], g: &[f32]) {
//!         let lr = self.learning_rate.at(self.iterations);
//!         for (w, g) in w.iter_mut().zip(g) { *w -= lr * g; }
//!         self.iterations += 1;
//!     }
//! }
//! let mut a = MySgd::new(0.01);
//! let mut b = MySgd::new(schedules::ExponentialDecay::new(0.01, 10, 0.5));
//! let mut w = [1.0f32];
//! a.step(&mut w, &[1.0]);
//! b.step(&mut w, &[1.0]);
//! assert!((w[0] - 0.98).abs() < 1e-6);
//! ```

mod cosine_decay;
mod learning_rate;
mod piecewise_constant_decay;
mod step_decay;

pub use cosine_decay::CosineDecay;
pub use learning_rate::LearningRate;
pub use piecewise_constant_decay::PiecewiseConstantDecay;
pub use step_decay::{ExponentialDecay, InverseTimeDecay, StepDecay, EXPONENTIAL, INVERSE_TIME};

use crate::error::{unknown_name, Error, Result};
use serde_json::Value;

/// A learning rate that depends on the optimizer's step, as Keras'
/// `LearningRateSchedule`. Implement it for a schedule of your own.
///
/// ```
/// use kerust::prelude::*;
/// use kerust::schedules::LearningRateSchedule;
/// #[derive(Debug, Clone)]
/// struct OneOverT(f32);
/// impl LearningRateSchedule for OneOverT {
///     fn at(&self, step: usize) -> f32 { self.0 / (step as f32 + 1.0) }
///     fn class_name(&self) -> &'static str { "OneOverT" }
///     fn get_config(&self) -> serde_json::Value { serde_json::json!({"initial": self.0}) }
///     fn box_clone(&self) -> Box<dyn LearningRateSchedule> { Box::new(self.clone()) }
/// }
/// assert_eq!(OneOverT(0.1).at(1), 0.05);
/// ```
pub trait LearningRateSchedule: std::fmt::Debug + Send + Sync {
    /// The learning rate at optimizer step `step` (0 for the first batch),
    /// computed in `f32` as Keras computes it.
    fn at(&self, step: usize) -> f32;
    /// Keras' class name: `"ExponentialDecay"`.
    fn class_name(&self) -> &'static str;
    /// The arguments, under Keras' names, as `get_config()` returns them.
    fn get_config(&self) -> Value;
    /// Whether the arguments are valid (Keras checks them when the schedule
    /// is made; kerust when it is compiled, so that `new` needs no `?`).
    fn check(&self) -> Result<()> {
        Ok(())
    }
    /// A copy behind a new box.
    fn box_clone(&self) -> Box<dyn LearningRateSchedule>;
}

impl Clone for Box<dyn LearningRateSchedule> {
    fn clone(&self) -> Self {
        self.box_clone()
    }
}

/// The class names [`from_config`] knows.
pub const NAMES: [&str; 4] = [
    "ExponentialDecay",
    "InverseTimeDecay",
    "PiecewiseConstantDecay",
    "CosineDecay",
];

/// A schedule as saved in a model file, as `keras.optimizers.schedules.serialize`:
/// `{"class_name": "ExponentialDecay", "config": {...}}`.
///
/// ```
/// use kerust::schedules::{self, ExponentialDecay, LearningRateSchedule};
/// let json = schedules::serialize(&ExponentialDecay::new(0.1, 1000, 0.96));
/// assert_eq!(json["class_name"], "ExponentialDecay");
/// assert_eq!(json["config"]["decay_steps"], 1000);
/// let back = schedules::from_config(&json)?;
/// assert_eq!(back.at(500), ExponentialDecay::new(0.1, 1000, 0.96).at(500));
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn serialize(schedule: &dyn LearningRateSchedule) -> Value {
    serde_json::json!({
        "module": "keras.optimizers.schedules",
        "class_name": schedule.class_name(),
        "config": schedule.get_config(),
        "registered_name": Value::Null,
    })
}

/// Rebuilds a built-in schedule from what [`serialize`] wrote; the
/// arguments are checked as Keras checks them.
///
/// ```
/// let json = serde_json::json!({"class_name": "CosineDecay",
///     "config": {"initial_learning_rate": 0.1, "decay_steps": 100}});
/// let schedule = kerust::schedules::from_config(&json)?;
/// assert_eq!(schedule.at(0), 0.1);
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn from_config(doc: &Value) -> Result<Box<dyn LearningRateSchedule>> {
    let class = doc
        .get("class_name")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            Error::value(format!(
                "a learning-rate schedule needs a string 'class_name'; got {doc}"
            ))
        })?;
    let empty = Value::Object(Default::default());
    let c = Config {
        class,
        doc: doc.get("config").unwrap_or(&empty),
    };
    let schedule: Box<dyn LearningRateSchedule> = match class {
        "ExponentialDecay" => Box::new(ExponentialDecay::from_config(&c)?),
        "InverseTimeDecay" => Box::new(InverseTimeDecay::from_config(&c)?),
        "PiecewiseConstantDecay" => Box::new(PiecewiseConstantDecay::from_config(&c)?),
        "CosineDecay" => Box::new(CosineDecay::from_config(&c)?),
        _ => return Err(unknown_name("learning-rate schedule", class, &NAMES)),
    };
    schedule.check()?;
    Ok(schedule)
}

/// A schedule's config being read, for error messages that name the class
/// and the argument.
pub(crate) struct Config<'a> {
    class: &'a str,
    doc: &'a Value,
}

impl Config<'_> {
    fn missing(&self, key: &str, what: &str) -> Error {
        Error::value(format!(
            "{} config needs {what} '{key}'; got {}",
            self.class, self.doc
        ))
    }
    /// The value under `key` read by `parse`, `None` when the key is absent
    /// or null; an error naming `what` was expected otherwise.
    fn opt<T>(&self, key: &str, what: &str, parse: fn(&Value) -> Option<T>) -> Result<Option<T>> {
        match self.doc.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => parse(v).map(Some).ok_or_else(|| self.missing(key, what)),
        }
    }
    fn required<T>(&self, key: &str, what: &str, parse: fn(&Value) -> Option<T>) -> Result<T> {
        self.opt(key, what, parse)?
            .ok_or_else(|| self.missing(key, what))
    }
    pub(crate) fn f32(&self, key: &str) -> Result<f32> {
        self.required(key, NUMBER, as_f32)
    }
    /// `None` when the key is absent or null.
    pub(crate) fn opt_f32(&self, key: &str) -> Result<Option<f32>> {
        self.opt(key, NUMBER, as_f32)
    }
    pub(crate) fn steps(&self, key: &str) -> Result<usize> {
        self.required(key, STEPS, as_steps)
    }
    pub(crate) fn opt_steps(&self, key: &str) -> Result<Option<usize>> {
        self.opt(key, STEPS, as_steps)
    }
    pub(crate) fn bool(&self, key: &str, default: bool) -> Result<bool> {
        Ok(self
            .opt(key, "true or false", Value::as_bool)?
            .unwrap_or(default))
    }
    pub(crate) fn name(&self, default: &str) -> String {
        self.doc
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(default)
            .to_string()
    }
    pub(crate) fn list(&self, key: &str) -> Result<&[Value]> {
        self.doc
            .get(key)
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .ok_or_else(|| self.missing(key, "a list"))
    }
}

const NUMBER: &str = "a number";
const STEPS: &str = "a whole number of steps";

fn as_f32(v: &Value) -> Option<f32> {
    v.as_f64().map(|v| v as f32)
}

/// A whole number of steps; Keras writes `decay_steps=1.0` as a float.
fn as_steps(v: &Value) -> Option<usize> {
    match (v.as_u64(), v.as_f64()) {
        (Some(n), _) => Some(n as usize),
        (None, Some(f)) if f >= 0.0 && f.fract() == 0.0 => Some(f as usize),
        _ => None,
    }
}

/// Keras' check on `decay_steps`.
pub(crate) fn check_decay_steps(class: &str, key: &str, steps: usize) -> Result<()> {
    if steps == 0 {
        return Err(Error::value(format!(
            "{class}: argument `{key}` must be > 0. Received: {key}=0"
        )));
    }
    Ok(())
}
