//! `Dropout`: zeroes a random fraction of inputs while training.

use super::{cfg, Base, Ctx, Layer, Team};
use crate::error::{Error, Result};
use crate::random::Rng;
use ndarray::ArrayD;
use rand::Rng as _;
use serde_json::json;

/// Sets a fraction `rate` of inputs to 0 during training and scales the
/// rest by `1 / (1 - rate)`, as `keras.layers.Dropout`; does nothing at
/// inference.
///
/// ```
/// use kerust::prelude::*;
/// let mut model = Sequential::new();
/// model.add(Dense::new(4).input_shape([3]))?;
/// model.add(Dropout::new(0.2))?;
/// assert_eq!(model.layer(1).output_shape(), &[4]);
/// # Ok::<(), kerust::Error>(())
/// ```
#[derive(Clone)]
pub struct Dropout {
    pub(super) base: Base,
    rate: f32,
    mask: Option<ArrayD<f32>>,
}

impl Dropout {
    /// A dropout layer dropping a fraction `rate` (0 <= rate < 1).
    pub fn new(rate: f32) -> Self {
        Self::with_base(Base::new("dropout"), rate)
    }
    fn with_base(base: Base, rate: f32) -> Self {
        Dropout {
            base,
            rate,
            mask: None,
        }
    }
    /// The dropped fraction.
    pub fn rate(&self) -> f32 {
        self.rate
    }
    pub(crate) fn from_config(c: &serde_json::Value) -> Result<Self> {
        Ok(Self::with_base(Base::from_config(c)?, cfg(c, "rate")?))
    }
}

impl Layer for Dropout {
    fn build(&mut self, input_shape: &[usize], _rng: &mut Rng) -> Result<Vec<usize>> {
        if !(0.0..1.0).contains(&self.rate) {
            return Err(Error::value(format!(
                "layer {}: rate must be in [0, 1), got {}",
                self.base.name, self.rate
            )));
        }
        Ok(self.base.built(input_shape, input_shape.to_vec()))
    }
    fn try_forward(&mut self, x: ArrayD<f32>, ctx: &mut Ctx) -> Result<ArrayD<f32>> {
        if x.shape().get(1..) != Some(&self.base.input_shape[..]) {
            return Err(self.base.wrong_input(x.shape()));
        }
        if !ctx.training || self.rate == 0.0 {
            self.mask = None;
            return Ok(x);
        }
        let keep = 1.0 - self.rate;
        let scale = 1.0 / keep;
        let mask = ArrayD::from_shape_simple_fn(x.raw_dim(), || {
            if ctx.rng.random::<f32>() < keep {
                scale
            } else {
                0.0
            }
        });
        let y = x * &mask;
        self.mask = Some(mask);
        Ok(y)
    }
    fn try_backward(
        &mut self,
        grad: ArrayD<f32>,
        need_input_grad: bool,
        _team: Team,
    ) -> Result<Option<ArrayD<f32>>> {
        if !need_input_grad {
            return Ok(None);
        }
        match &self.mask {
            Some(m) if m.shape() == grad.shape() => Ok(Some(grad * m)),
            Some(_) => Err(self.base.wrong_input(grad.shape())),
            None => Ok(Some(grad)),
        }
    }
    fn config(&self) -> serde_json::Value {
        json!({"name": self.base.name, "rate": self.rate})
    }
    fn clear_cache(&mut self) {
        self.mask = None;
    }
}
