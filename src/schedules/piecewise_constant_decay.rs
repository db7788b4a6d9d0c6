//! PiecewiseConstantDecay.

use super::{Config, LearningRateSchedule};
use crate::error::{Error, Result};
use serde_json::{json, Value};

/// A learning rate constant between step boundaries, as
/// `keras.optimizers.schedules.PiecewiseConstantDecay`: `values[0]` while
/// `step <= boundaries[0]`, `values[1]` while `step <= boundaries[1]`, ...,
/// `values[n]` after the last boundary. There is one more value than
/// boundaries ([`LearningRateSchedule::check`] says so when not).
///
/// ```
/// use kerust::prelude::*;
/// let schedule = schedules::PiecewiseConstantDecay::new(&[100_000, 110_000], &[1.0, 0.5, 0.1]);
/// assert_eq!(schedule.at(100_000), 1.0);
/// assert_eq!(schedule.at(100_001), 0.5);
/// assert_eq!(schedule.at(200_000), 0.1);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PiecewiseConstantDecay {
    boundaries: Vec<usize>,
    values: Vec<f32>,
    name: String,
}

impl PiecewiseConstantDecay {
    /// The schedule for `boundaries` (increasing steps) and `values` (one more).
    pub fn new(boundaries: &[usize], values: &[f32]) -> Self {
        PiecewiseConstantDecay {
            boundaries: boundaries.to_vec(),
            values: values.to_vec(),
            name: "PiecewiseConstant".to_string(),
        }
    }
    /// The name saved in the config (default `"PiecewiseConstant"`, as Keras).
    pub fn name(mut self, name: &str) -> Self {
        self.name = name.to_string();
        self
    }
    pub(crate) fn from_config(c: &Config) -> Result<Self> {
        let boundaries = c
            .list("boundaries")?
            .iter()
            .map(|v| {
                v.as_u64()
                    .map(|b| b as usize)
                    .ok_or_else(|| Error::value(format!(
                        "PiecewiseConstantDecay config: boundaries must be whole step numbers; got {v}"
                    )))
            })
            .collect::<Result<Vec<_>>>()?;
        let values = c
            .list("values")?
            .iter()
            .map(|v| {
                v.as_f64().map(|x| x as f32).ok_or_else(|| {
                    Error::value(format!(
                        "PiecewiseConstantDecay config: values must be numbers; got {v}"
                    ))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self::new(&boundaries, &values).name(&c.name("PiecewiseConstant")))
    }
}

impl LearningRateSchedule for PiecewiseConstantDecay {
    /// The value for `step`; NaN when the lists do not fit together
    /// (`check` says why; `compile` refuses such a schedule).
    fn at(&self, step: usize) -> f32 {
        let (Some(&first), Some(&last), Some(&v_first), Some(&v_last)) = (
            self.boundaries.first(),
            self.boundaries.last(),
            self.values.first(),
            self.values.last(),
        ) else {
            return f32::NAN;
        };
        if self.values.len() != self.boundaries.len() + 1 {
            return f32::NAN;
        }
        // Keras adds one indicator per interval; exactly one is 1.
        let ind = |b: bool| if b { 1.0f32 } else { 0.0 };
        let mut result = ind(step <= first) * v_first + ind(step > last) * v_last;
        let inner = self.boundaries.windows(2).zip(&self.values[1..]);
        for (w, &value) in inner {
            result += ind(step > w[0] && step <= w[1]) * value;
        }
        result
    }
    fn class_name(&self) -> &'static str {
        "PiecewiseConstantDecay"
    }
    fn get_config(&self) -> Value {
        json!({"boundaries": self.boundaries, "values": self.values, "name": self.name})
    }
    fn check(&self) -> Result<()> {
        if self.values.len() != self.boundaries.len() + 1 {
            return Err(Error::value(format!(
                "PiecewiseConstantDecay: the length of boundaries should be 1 less than the \
                 length of values. Received: boundaries={:?} of length {}, and values={:?} of length {}.",
                self.boundaries,
                self.boundaries.len(),
                self.values,
                self.values.len()
            )));
        }
        if self.boundaries.is_empty() {
            return Err(Error::value(
                "PiecewiseConstantDecay needs at least one boundary; received boundaries=[]",
            ));
        }
        if let Some(w) = self.boundaries.windows(2).find(|w| w[0] >= w[1]) {
            return Err(Error::value(format!(
                "PiecewiseConstantDecay: boundaries must be strictly increasing; \
                 received boundaries={:?} ({} then {})",
                self.boundaries, w[0], w[1]
            )));
        }
        Ok(())
    }
    fn box_clone(&self) -> Box<dyn LearningRateSchedule> {
        Box::new(self.clone())
    }
}
