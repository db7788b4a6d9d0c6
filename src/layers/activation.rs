//! `Activation`: applies an activation function as a layer of its own.

use super::{cfg, Ctx, Layer, Team};
use crate::activations::{ActivationFn, ActivationSpec};
use crate::error::Result;
use crate::naming::unique_name;
use crate::random::Rng;
use ndarray::ArrayD;
use serde_json::json;

/// Applies an activation, as `keras.layers.Activation`.
///
/// ```
/// use kerust::prelude::*;
/// let mut model = Sequential::new();
/// model.add(Input::new([2]))?;
/// model.add(Dense::new(1))?;
/// model.add(Activation::new(sigmoid))?;
/// assert_eq!(model.count_params(), 3);
/// # Ok::<(), kerust::Error>(())
/// ```
#[derive(Clone)]
pub struct Activation {
    name: String,
    spec: ActivationSpec,
    activation: ActivationFn,
    declared: Option<Vec<usize>>,
    shape: Vec<usize>,
    cache_z: Option<ArrayD<f32>>,
    cache_y: Option<ArrayD<f32>>,
}

impl Activation {
    /// An activation layer, by name (`"sigmoid"`) or value (`sigmoid`).
    pub fn new(activation: impl Into<ActivationSpec>) -> Self {
        Activation {
            name: unique_name("activation"),
            spec: activation.into(),
            activation: ActivationFn::Linear,
            declared: None,
            shape: Vec::new(),
            cache_z: None,
            cache_y: None,
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
        let mut a = Activation::new(ActivationSpec::Name(cfg(c, "activation")?));
        a.name = cfg(c, "name")?;
        Ok(a)
    }
}

impl Layer for Activation {
    fn class_name(&self) -> &'static str {
        "Activation"
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn declared_input_shape(&self) -> Option<&[usize]> {
        self.declared.as_deref()
    }
    fn build(&mut self, input_shape: &[usize], _rng: &mut Rng) -> Result<Vec<usize>> {
        self.activation = self.spec.resolve_for(&self.name)?;
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
        let mut y = x.clone();
        self.activation.apply(&mut y);
        let keep_z = ctx.training
            || matches!(
                self.activation,
                ActivationFn::Softmax | ActivationFn::Sigmoid
            );
        self.cache_z = keep_z.then(|| x.clone());
        self.cache_y = ctx.training.then(|| y.clone());
        y
    }
    fn backward(
        &mut self,
        mut grad: ArrayD<f32>,
        need_input_grad: bool,
        _team: Team,
    ) -> Option<ArrayD<f32>> {
        if !need_input_grad {
            return None;
        }
        if let (Some(z), Some(y)) = (&self.cache_z, &self.cache_y) {
            self.activation.backward(z.view(), y.view(), &mut grad);
        }
        Some(grad)
    }
    fn output_activation(&self) -> Option<ActivationFn> {
        Some(self.activation)
    }
    fn logits(&self) -> Option<&ArrayD<f32>> {
        self.cache_z.as_ref()
    }
    fn backward_from_logits(
        &mut self,
        grad: ArrayD<f32>,
        need_input_grad: bool,
        _team: Team,
    ) -> Option<ArrayD<f32>> {
        need_input_grad.then_some(grad)
    }
    fn config(&self) -> serde_json::Value {
        json!({"name": self.name, "activation": self.spec.name()})
    }
    fn box_clone(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }
    fn clear_cache(&mut self) {
        self.cache_z = None;
        self.cache_y = None;
    }
}
