//! `Softmax`: the softmax activation as a layer, over the last axis.

use super::{Base, Fused, Layer};
use crate::activations::{ActivationFn, ActivationSpec};
use crate::error::{Error, Result};
use crate::random::Rng;
use serde_json::json;

/// Softmax over the last axis, as `keras.layers.Softmax()`: turns a
/// model's logits into probabilities (TensorFlow's quickstart puts one
/// after a trained model). Cross-entropy on its output is computed from
/// its input, as Keras does.
///
/// ```
/// use kerust::prelude::*;
/// let mut model = Sequential::new();
/// model.add(Dense::new(3).input_shape([2]))?;
/// model.add(Softmax::new())?;
/// let p = model.predict(&array![[1.0f32, 2.0]])?;
/// assert!((p.sum() - 1.0).abs() < 1e-6);
/// # Ok::<(), kerust::Error>(())
/// ```
#[derive(Clone)]
pub struct Softmax {
    pub(super) base: Base,
    fused: Fused,
}

super::util::new_without_arguments!(Softmax, "softmax", "A softmax layer over the last axis.");

impl Softmax {
    fn with_base(base: Base) -> Self {
        Softmax {
            base,
            fused: Fused::new(ActivationSpec::Fn(ActivationFn::Softmax)),
        }
    }
    pub(crate) fn from_config(c: &serde_json::Value) -> Result<Self> {
        match c.get("axis") {
            None => {}
            Some(a) if a == -1 => {}
            Some(a) => {
                return Err(Error::io(format!(
                    "layer config field 'axis' is {a}: kerust's Softmax works on the last axis (-1) only"
                )))
            }
        }
        Ok(Self::with_base(Base::from_config(c)?))
    }
}

impl Layer for Softmax {
    fn build(&mut self, input_shape: &[usize], _rng: &mut Rng) -> Result<Vec<usize>> {
        if input_shape.is_empty() {
            return Err(Error::shape(format!(
                "layer {} expects inputs with at least one axis besides the batch, got {}",
                self.base.name,
                crate::shape::keras_shape(input_shape)
            )));
        }
        self.fused.set(ActivationFn::Softmax);
        Ok(self.base.built(input_shape, input_shape.to_vec()))
    }
    super::fused::fused_only_passes!();
    fn config(&self) -> serde_json::Value {
        json!({"name": self.base.name, "axis": -1})
    }
}
