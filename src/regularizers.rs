//! Weight regularizers, as `keras.regularizers`: `l1`, `l2` and `l1_l2`
//! on a layer's `kernel_regularizer` or `bias_regularizer`. Their penalty
//! is added to the loss in training and in evaluation (Keras 3's
//! `compute_loss`), and its gradient to the weight's.
//!
//! ```
//! use kerust::prelude::*;
//! let mut model = Sequential::new();
//! model.add(Dense::new(4).input_shape([3]).kernel_regularizer(regularizers::l2(0.001)))?;
//! # Ok::<(), kerust::Error>(())
//! ```

use crate::error::{Error, Result};
use serde_json::{json, Value};

/// A penalty on a weight: `l1 * sum(|w|) + l2 * sum(w²)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Regularizer {
    l1: f32,
    l2: f32,
    class: &'static str,
}

/// `keras.regularizers.l1(l1)`: `l1 * sum(|w|)` (Keras' default factor is 0.01).
///
/// ```
/// use kerust::prelude::*;
/// let r = regularizers::l1(0.01);
/// assert_eq!(r.penalty(array![1.0f32, -2.0].into_dyn().view()), 0.03);
/// ```
pub fn l1(l1: f32) -> Regularizer {
    Regularizer {
        l1,
        l2: 0.0,
        class: "L1",
    }
}

/// `keras.regularizers.l2(l2)`: `l2 * sum(w²)` (Keras' default factor is 0.01).
///
/// ```
/// use kerust::prelude::*;
/// let r = regularizers::l2(0.5);
/// assert_eq!(r.penalty(array![1.0f32, -2.0].into_dyn().view()), 2.5);
/// ```
pub fn l2(l2: f32) -> Regularizer {
    Regularizer {
        l1: 0.0,
        l2,
        class: "L2",
    }
}

/// `keras.regularizers.l1_l2(l1, l2)`: both penalties (Keras' defaults are 0
/// and 0 for this one).
///
/// ```
/// use kerust::prelude::*;
/// let r = regularizers::l1_l2(0.5, 0.5);
/// assert_eq!(r.penalty(array![2.0f32].into_dyn().view()), 3.0);
/// ```
pub fn l1_l2(l1: f32, l2: f32) -> Regularizer {
    Regularizer {
        l1,
        l2,
        class: "L1L2",
    }
}

impl Regularizer {
    /// The penalty for weight `w`.
    pub fn penalty(&self, w: ndarray::ArrayViewD<f32>) -> f32 {
        let (mut a, mut b) = (0.0f64, 0.0f64);
        for &v in w.iter() {
            a += f64::from(v.abs());
            b += f64::from(v * v);
        }
        (f64::from(self.l1) * a + f64::from(self.l2) * b) as f32
    }

    /// Adds the penalty's gradient, `l1 * sign(w) + 2 * l2 * w`, to `grad`.
    pub(crate) fn add_grad(&self, w: &[f32], grad: &mut [f32]) {
        for (g, &v) in grad.iter_mut().zip(w) {
            let sign = if v > 0.0 {
                1.0
            } else if v < 0.0 {
                -1.0
            } else {
                0.0
            };
            *g += self.l1 * sign + 2.0 * self.l2 * v;
        }
    }

    /// Checks the factors (finite, not negative); `what` names the argument
    /// in errors (`layer dense_1: kernel_regularizer`).
    pub(crate) fn check(&self, what: &str) -> Result<()> {
        for (name, v) in [("l1", self.l1), ("l2", self.l2)] {
            if !v.is_finite() || v < 0.0 {
                return Err(Error::value(format!(
                    "{what}: the {} factor {name} must be a finite number >= 0, got {v}",
                    self.class
                )));
            }
        }
        Ok(())
    }

    /// Keras' serialization: `{"class_name": "L2", "config": {"l2": 0.001}}`.
    pub(crate) fn to_json(self) -> Value {
        let config = match self.class {
            "L1" => json!({"l1": self.l1}),
            "L2" => json!({"l2": self.l2}),
            _ => json!({"l1": self.l1, "l2": self.l2}),
        };
        json!({"class_name": self.class, "config": config})
    }

    /// Reads what [`Regularizer::to_json`] wrote (`null`: none).
    pub(crate) fn from_json(v: Option<&Value>, what: &str) -> Result<Option<Regularizer>> {
        let Some(v) = v.filter(|v| !v.is_null()) else {
            return Ok(None);
        };
        let factor = |k: &str| {
            v.get("config")
                .and_then(|c| c.get(k))
                .map_or(Some(0.0), Value::as_f64)
                .map(|f| f as f32)
                .ok_or_else(|| Error::value(format!("{what}: '{k}' is not a number")))
        };
        let r = match v.get("class_name").and_then(Value::as_str) {
            Some("L1") => l1(factor("l1")?),
            Some("L2") => l2(factor("l2")?),
            Some("L1L2") => l1_l2(factor("l1")?, factor("l2")?),
            other => {
                return Err(Error::value(format!(
                    "{what}: unknown regularizer {other:?}; kerust knows L1, L2 and L1L2"
                )))
            }
        };
        r.check(what)?;
        Ok(Some(r))
    }
}
