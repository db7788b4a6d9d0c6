//! `Softmax`: the softmax activation as a layer, over the last axis.

use super::{Base, Ctx, Fused, Layer, Team};
use crate::activations::{ActivationFn, ActivationSpec};
use crate::error::{Error, Result};
use crate::random::Rng;
use ndarray::ArrayD;
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

impl Default for Softmax {
    fn default() -> Self {
        Self::new()
    }
}

impl Softmax {
    /// A softmax layer over the last axis.
    pub fn new() -> Self {
        Self::with_base(Base::new("softmax"))
    }
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
    fn fused(&self) -> Option<&Fused> {
        Some(&self.fused)
    }
    fn try_forward(&mut self, x: ArrayD<f32>, ctx: &mut Ctx) -> Result<ArrayD<f32>> {
        if x.shape().get(1..) != Some(&self.base.input_shape[..]) {
            return Err(self.base.wrong_input(x.shape()));
        }
        Ok(self.fused.forward(x, ctx.training))
    }
    fn try_backward(
        &mut self,
        mut grad: ArrayD<f32>,
        need_input_grad: bool,
        _team: Team,
    ) -> Result<Option<ArrayD<f32>>> {
        if !need_input_grad {
            return Ok(None);
        }
        self.fused.backward(&mut grad, &self.base.name)?;
        Ok(Some(grad))
    }
    fn try_backward_from_logits(
        &mut self,
        grad: ArrayD<f32>,
        need_input_grad: bool,
        _team: Team,
    ) -> Result<Option<ArrayD<f32>>> {
        Ok(need_input_grad.then_some(grad))
    }
    fn config(&self) -> serde_json::Value {
        json!({"name": self.base.name, "axis": -1})
    }
    fn clear_cache(&mut self) {
        self.fused.clear();
    }
}
