//! What every layer has, written once: [`Base`] (name, declared input
//! shape, built shapes) and [`Param`] (a weight and its gradient).

use super::cfg;
use crate::error::{Error, Result};
use crate::regularizers::Regularizer;
use ndarray::{ArrayD, ArrayViewD, IxDyn};

/// A layer's name, the input shape it was given (if any) and the shapes it
/// was built for (empty before `build`).
///
/// ```
/// use kerust::prelude::*;
/// let dense = Dense::new(4).named("hidden").input_shape([3]);
/// assert_eq!(dense.name(), "hidden");
/// assert_eq!(dense.declared_input_shape(), Some(&[3][..]));
/// ```
#[derive(Debug, Clone)]
pub struct Base {
    pub(crate) name: String,
    pub(crate) declared: Option<Vec<usize>>,
    pub(crate) input_shape: Vec<usize>,
    pub(crate) output_shape: Vec<usize>,
    /// `layer.trainable` in Keras: false freezes every weight of the layer.
    pub(crate) trainable: bool,
}

impl Default for Base {
    fn default() -> Self {
        Base {
            name: String::new(),
            declared: None,
            input_shape: Vec::new(),
            output_shape: Vec::new(),
            trainable: true,
        }
    }
}

impl Base {
    /// A base named `prefix_N`, the next number of the session.
    pub(crate) fn new(prefix: &str) -> Base {
        Base::named(crate::naming::unique_name(prefix))
    }
    /// A base with the given name (no session count is used).
    pub(crate) fn named(name: String) -> Base {
        Base {
            name,
            ..Base::default()
        }
    }
    /// The base of a layer read from a file: its saved name.
    pub(crate) fn from_config(config: &serde_json::Value) -> Result<Base> {
        let mut base = Base::named(cfg(config, "name")?);
        if config.get("trainable").is_some() {
            base.trainable = cfg(config, "trainable")?;
        }
        Ok(base)
    }
    /// Records the shapes a successful `build` found; returns the output shape.
    pub(crate) fn built(&mut self, input: &[usize], output: Vec<usize>) -> Vec<usize> {
        self.input_shape = input.to_vec();
        self.output_shape = output.clone();
        output
    }
    /// `(n, output_shape...)`.
    pub(crate) fn batch_output(&self, n: usize) -> Vec<usize> {
        let mut s = vec![n];
        s.extend_from_slice(&self.output_shape);
        s
    }
    /// The error for a batch whose samples are not the built input shape
    /// (the model checks shapes first, so reaching it is a kerust bug).
    pub(crate) fn wrong_input(&self, got: &[usize]) -> Error {
        Error::internal(format!(
            "layer {} was built for inputs {} but got an array of shape {}",
            self.name,
            crate::shape::keras_shape(&self.input_shape),
            crate::shape::array_shape(got)
        ))
    }
    /// The error for a backward pass without the forward pass it needs.
    pub(crate) fn no_cache(&self) -> Error {
        Error::internal(format!(
            "layer {}: backward pass without a training forward pass before it",
            self.name
        ))
    }
}

/// A weight and the gradient of the last backward pass, both row-major
/// and of one shape.
#[derive(Clone)]
pub struct Param {
    name: &'static str,
    value: ArrayD<f32>,
    grad: ArrayD<f32>,
    /// False for statistics a layer keeps (a batch normalization's moving
    /// mean): never given to the optimizer.
    trainable: bool,
    regularizer: Option<Regularizer>,
}

impl Param {
    /// A weight named `name` (`"kernel"`) with a zero gradient.
    pub(crate) fn new(name: &'static str, value: ArrayD<f32>) -> Param {
        let value = super::standard(value);
        let grad = ArrayD::zeros(value.raw_dim());
        Param {
            name,
            value,
            grad,
            trainable: true,
            regularizer: None,
        }
    }
    /// A weight the optimizer never changes (Keras' `trainable=False`
    /// variables: moving statistics, a normalization's mean).
    pub(crate) fn non_trainable(name: &'static str, value: ArrayD<f32>) -> Param {
        Param {
            trainable: false,
            ..Param::new(name, value)
        }
    }
    /// Whether the optimizer trains it (when its layer is trainable).
    pub fn is_trainable(&self) -> bool {
        self.trainable
    }
    /// Gives the weight its first value (at `build`), keeping its regularizer.
    pub(crate) fn init(&mut self, value: ArrayD<f32>) {
        let regularizer = self.regularizer;
        *self = Param::new(self.name, value);
        self.regularizer = regularizer;
    }
    /// The weight's regularizer (`kernel_regularizer`, ...), if any.
    pub fn regularizer(&self) -> Option<Regularizer> {
        self.regularizer
    }
    pub(crate) fn set_regularizer(&mut self, regularizer: Option<Regularizer>) {
        self.regularizer = regularizer;
    }
    /// The regularization penalty of the weight (0 without a regularizer).
    pub(crate) fn penalty(&self) -> f32 {
        self.regularizer
            .map_or(0.0, |r| r.penalty(self.value.view()))
    }
    /// Adds the regularizer's gradient to the stored gradient.
    pub(crate) fn add_penalty_grad(&mut self) -> Result<()> {
        let Some(r) = self.regularizer else {
            return Ok(());
        };
        let (v, g) = self.slices_grad()?;
        r.add_grad(v, g);
        Ok(())
    }
    /// An empty weight (before `build`).
    pub(crate) fn empty(name: &'static str) -> Param {
        Param::new(name, ArrayD::zeros(IxDyn(&[0])))
    }
    /// The weight's name in its layer, as Keras names it: `"kernel"`, `"bias"`.
    pub fn name(&self) -> &'static str {
        self.name
    }
    /// The weight.
    pub fn value(&self) -> ArrayViewD<'_, f32> {
        self.value.view()
    }
    /// The gradient of the last backward pass.
    pub fn grad(&self) -> ArrayViewD<'_, f32> {
        self.grad.view()
    }
    /// The weight and its gradient as flat slices, for the optimizer.
    pub(crate) fn slices(&mut self) -> Result<(&mut [f32], &[f32])> {
        match (self.value.as_slice_mut(), self.grad.as_slice()) {
            (Some(v), Some(g)) => Ok((v, g)),
            _ => Err(Error::internal("a weight is not stored row-major")),
        }
    }
    /// The weight and its gradient (to add to) as flat slices.
    fn slices_grad(&mut self) -> Result<(&[f32], &mut [f32])> {
        match (self.value.as_slice(), self.grad.as_slice_mut()) {
            (Some(v), Some(g)) => Ok((v, g)),
            _ => Err(Error::internal("a weight is not stored row-major")),
        }
    }
    /// The weight (row-major) and the gradient to write, for a backward pass.
    pub(crate) fn value_and_grad_mut(&mut self) -> (&ArrayD<f32>, &mut ArrayD<f32>) {
        (&self.value, &mut self.grad)
    }
    /// The weight itself, for a layer that updates its statistics.
    pub(crate) fn value_mut(&mut self) -> &mut ArrayD<f32> {
        &mut self.value
    }
    /// Replaces the weight; `value` has its shape (the model checks).
    pub(crate) fn set(&mut self, value: &ArrayD<f32>) {
        self.value = value.as_standard_layout().into_owned();
    }
}

/// Checks the regularizers of a layer's weights (at `build`).
pub(crate) fn check_regularizers(layer: &str, params: &[&Param]) -> Result<()> {
    for p in params {
        if let Some(r) = p.regularizer {
            r.check(&format!("layer {layer}: {}_regularizer", p.name))?;
        }
    }
    Ok(())
}

/// A layer config's `kernel_regularizer` and `bias_regularizer` entries
/// (only those set, so a layer's `Debug` stays short).
pub(crate) fn regularizers_config(
    config: &mut serde_json::Value,
    kernel: &Param,
    bias: Option<&Param>,
) {
    for (key, p) in [
        ("kernel_regularizer", Some(kernel)),
        ("bias_regularizer", bias),
    ] {
        if let Some(r) = p.and_then(Param::regularizer) {
            config[key] = r.to_json();
        }
    }
}
