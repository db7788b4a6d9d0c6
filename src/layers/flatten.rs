//! `Flatten`: turns each sample into a vector.

use super::{cfg, check_alloc, Ctx, Layer, Team};
use crate::error::Result;
use crate::naming::unique_name;
use crate::random::Rng;
use ndarray::ArrayD;
use serde_json::json;

/// Flattens every sample, as `keras.layers.Flatten`: `(None, 28, 28)`
/// becomes `(None, 784)`.
///
/// ```
/// use kerust::prelude::*;
/// let mut model = Sequential::new();
/// model.add(Flatten::new().input_shape([28, 28]))?;
/// assert_eq!(model.layer(0).output_shape(), &[784]);
/// # Ok::<(), kerust::Error>(())
/// ```
#[derive(Clone)]
pub struct Flatten {
    name: String,
    declared: Option<Vec<usize>>,
    input_shape: Vec<usize>,
    output_shape: Vec<usize>,
}

impl Default for Flatten {
    fn default() -> Self {
        Self::new()
    }
}

impl Flatten {
    /// A new Flatten layer.
    pub fn new() -> Self {
        Flatten {
            name: unique_name("flatten"),
            declared: None,
            input_shape: Vec::new(),
            output_shape: Vec::new(),
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
    pub(crate) fn from_config(c: &serde_json::Value) -> Result<Self> {
        let mut f = Flatten::new();
        f.name = cfg(c, "name")?;
        Ok(f)
    }
}

impl Layer for Flatten {
    fn class_name(&self) -> &'static str {
        "Flatten"
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn declared_input_shape(&self) -> Option<&[usize]> {
        self.declared.as_deref()
    }
    fn build(&mut self, input_shape: &[usize], _rng: &mut Rng) -> Result<Vec<usize>> {
        let size = check_alloc(&self.name, "input", input_shape)?;
        self.input_shape = input_shape.to_vec();
        self.output_shape = vec![size];
        Ok(self.output_shape.clone())
    }
    fn input_shape(&self) -> &[usize] {
        &self.input_shape
    }
    fn output_shape(&self) -> &[usize] {
        &self.output_shape
    }
    fn forward(&mut self, x: &ArrayD<f32>, ctx: &mut Ctx) -> ArrayD<f32> {
        self.forward_owned(x.clone(), ctx)
    }
    fn forward_owned(&mut self, x: ArrayD<f32>, _ctx: &mut Ctx) -> ArrayD<f32> {
        let n = x.shape().first().copied().unwrap_or(0);
        let shape = vec![n, self.output_shape.first().copied().unwrap_or(0)];
        // A row-major input is reshaped in place, without a copy.
        super::standard(x)
            .into_shape_with_order(shape.clone())
            .unwrap_or_else(|_| ArrayD::zeros(shape))
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
        let mut shape = vec![grad.shape().first().copied().unwrap_or(0)];
        shape.extend_from_slice(&self.input_shape);
        grad.into_shape_with_order(shape).ok()
    }
    fn config(&self) -> serde_json::Value {
        json!({"name": self.name})
    }
    fn box_clone(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }
}
