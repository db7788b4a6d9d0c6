//! `Dropout`: zeroes a random fraction of inputs while training.

use super::{cfg, Ctx, Layer, Team};
use crate::error::{Error, Result};
use crate::naming::unique_name;
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
    name: String,
    rate: f32,
    declared: Option<Vec<usize>>,
    shape: Vec<usize>,
    mask: Option<ArrayD<f32>>,
}

impl Dropout {
    /// A dropout layer dropping a fraction `rate` (0 <= rate < 1).
    pub fn new(rate: f32) -> Self {
        Dropout {
            name: unique_name("dropout"),
            rate,
            declared: None,
            shape: Vec::new(),
            mask: None,
        }
    }
    /// Declares the input shape (without the batch axis).
    pub fn input_shape<const N: usize>(mut self, shape: [usize; N]) -> Self {
        self.declared = Some(shape.to_vec());
        self
    }
    /// Renames the layer (names must be unique within a model).
    pub fn named(mut self, name: &str) -> Self {
        self.name = name.to_string();
        self
    }
    /// The dropped fraction.
    pub fn rate(&self) -> f32 {
        self.rate
    }
    pub(crate) fn from_config(c: &serde_json::Value) -> Result<Self> {
        let mut d = Dropout::new(cfg(c, "rate")?);
        d.name = cfg(c, "name")?;
        Ok(d)
    }
}

impl Layer for Dropout {
    fn class_name(&self) -> &'static str {
        "Dropout"
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn declared_input_shape(&self) -> Option<&[usize]> {
        self.declared.as_deref()
    }
    fn build(&mut self, input_shape: &[usize], _rng: &mut Rng) -> Result<Vec<usize>> {
        if !(0.0..1.0).contains(&self.rate) {
            return Err(Error::value(format!(
                "layer {}: rate must be in [0, 1), got {}",
                self.name, self.rate
            )));
        }
        self.shape = input_shape.to_vec();
        Ok(self.shape.clone())
    }
    fn input_shape(&self) -> &[usize] {
        &self.shape
    }
    fn output_shape(&self) -> &[usize] {
        &self.shape
    }
    fn forward(&mut self, x: &ArrayD<f32>, ctx: &mut Ctx) -> ArrayD<f32> {
        if !ctx.training || self.rate == 0.0 {
            self.mask = None;
            return x.clone();
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
        y
    }
    fn backward(
        &mut self,
        grad: ArrayD<f32>,
        need_input_grad: bool,
        _team: Team,
    ) -> Option<ArrayD<f32>> {
        if !need_input_grad {
            return None;
        }
        Some(match &self.mask {
            Some(m) => grad * m,
            None => grad,
        })
    }
    fn config(&self) -> serde_json::Value {
        json!({"name": self.name, "rate": self.rate})
    }
    fn box_clone(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }
    fn clear_cache(&mut self) {
        self.mask = None;
    }
}
