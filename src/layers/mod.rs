//! Layers: each knows its output shape, its parameters, its forward pass
//! and its backward pass (no autodiff tape: every layer writes its own
//! gradient).

mod activation;
mod conv2d;
mod dense;
mod dropout;
mod flatten;
mod input;
mod max_pooling2d;

pub use crate::parallel::Team;
pub use activation::Activation;
pub use conv2d::Conv2D;
pub use dense::Dense;
pub use dropout::Dropout;
pub use flatten::Flatten;
pub(crate) use input::Node;
pub use input::{Call, Input, KerasTensor};
pub use max_pooling2d::MaxPooling2D;

use crate::activations::ActivationFn;
use crate::error::{Error, Result};
use crate::random::Rng;
use ndarray::{ArrayD, ArrayViewD, CowArray, IxDyn};

/// What a layer's forward pass needs besides its input.
pub struct Ctx<'a> {
    /// Training (dropout active) or inference.
    pub training: bool,
    /// The generator for dropout masks.
    pub rng: &'a mut Rng,
    /// The threads to split large products on.
    pub team: Team<'a>,
}

/// A layer of a model. Shapes exclude the batch axis.
pub trait Layer: std::fmt::Debug + Send + Sync {
    /// Keras' class name: `"Dense"`.
    fn class_name(&self) -> &'static str;
    /// The layer's name: `"dense_1"`.
    fn name(&self) -> &str;
    /// The `input_shape` given when the layer was made, if any.
    fn declared_input_shape(&self) -> Option<&[usize]> {
        None
    }
    /// Checks the arguments against `input_shape`, creates the weights and
    /// returns the output shape. A layer that fails to build is unchanged.
    fn build(&mut self, input_shape: &[usize], rng: &mut Rng) -> Result<Vec<usize>>;
    /// The input shape it was built for.
    fn input_shape(&self) -> &[usize];
    /// The output shape it was built for.
    fn output_shape(&self) -> &[usize];
    /// Its weights in Keras order (kernel, then bias).
    fn weights(&self) -> Vec<ArrayViewD<'_, f32>> {
        Vec::new()
    }
    /// Replaces its weights; `weights` has the shapes of [`Layer::weights`]
    /// (checked by the caller).
    fn set_weights(&mut self, _weights: &[ArrayD<f32>]) {}
    /// Each weight as a flat slice next to its gradient from the last
    /// backward pass, for the optimizer.
    fn weights_and_grads(&mut self) -> Vec<(&mut [f32], &[f32])> {
        Vec::new()
    }
    /// Forward pass on a batch `x` of shape `(batch, input_shape...)`;
    /// keeps what the backward pass needs when `ctx.training`.
    fn forward(&mut self, x: &ArrayD<f32>, ctx: &mut Ctx) -> ArrayD<f32>;
    /// [`Layer::forward`] on an input the caller gives away: a layer that
    /// keeps its input for the backward pass (or only reshapes it) can do
    /// so without a copy. The model calls this one.
    fn forward_owned(&mut self, x: ArrayD<f32>, ctx: &mut Ctx) -> ArrayD<f32> {
        self.forward(&x, ctx)
    }
    /// Backward pass: takes dL/d output, stores the weight gradients and
    /// returns dL/d input (skipped when `need_input_grad` is false); large
    /// products are split on `team`'s threads.
    fn backward(
        &mut self,
        grad: ArrayD<f32>,
        need_input_grad: bool,
        team: Team,
    ) -> Option<ArrayD<f32>>;
    /// The activation applied last, if the layer caches its logits
    /// (pre-activation) so that cross-entropy can use them as Keras does.
    fn output_activation(&self) -> Option<ActivationFn> {
        None
    }
    /// The logits (pre-activation) of the last forward pass.
    fn logits(&self) -> Option<&ArrayD<f32>> {
        None
    }
    /// Backward pass from dL/d logits (the pre-activation), skipping the
    /// activation's own derivative.
    fn backward_from_logits(
        &mut self,
        grad: ArrayD<f32>,
        need_input_grad: bool,
        team: Team,
    ) -> Option<ArrayD<f32>> {
        self.backward(grad, need_input_grad, team)
    }
    /// Keras-style config (what `save` writes, besides weights).
    fn config(&self) -> serde_json::Value;
    /// A copy behind a new box.
    fn box_clone(&self) -> Box<dyn Layer>;
    /// Releases what the last training forward pass kept.
    fn clear_cache(&mut self) {}
}

impl Clone for Box<dyn Layer> {
    fn clone(&self) -> Self {
        self.box_clone()
    }
}

/// `{:?}` of a layer: its class and config, never its weights (an MNIST
/// `Dense(128)` holds 100,480 numbers), and whether it is built:
/// `Dense { name: "dense_1", activation: "relu", units: 128, use_bias: true, built: false }`.
///
/// Written by hand rather than derived: a derived `fmt` is `#[inline]`, so
/// every notebook cell that adds a layer compiled it again, with ndarray's
/// array printing behind it (about a third of such a cell's code).
fn debug_layer(layer: &dyn Layer, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    let mut s = f.debug_struct(layer.class_name());
    s.field("name", &layer.name());
    if let serde_json::Value::Object(config) = layer.config() {
        for (key, value) in config.iter().filter(|(key, _)| *key != "name") {
            s.field(key, &format_args!("{value}"));
        }
    }
    s.field("built", &!layer.input_shape().is_empty()).finish()
}

macro_rules! layer_debug {
    ($($layer:ty),*) => {$(
        impl std::fmt::Debug for $layer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                debug_layer(self, f)
            }
        }
    )*};
}
layer_debug!(Activation, Conv2D, Dense, Dropout, Flatten, MaxPooling2D);

/// The number of scalars in a layer's weights.
pub fn count_params(layer: &dyn Layer) -> usize {
    layer.weights().iter().map(|w| w.len()).sum()
}

/// Rebuilds a layer from its saved `class_name` and `config`.
pub(crate) fn from_config(class_name: &str, config: &serde_json::Value) -> Result<Box<dyn Layer>> {
    match class_name {
        "Dense" => Ok(Box::new(Dense::from_config(config)?)),
        "Flatten" => Ok(Box::new(Flatten::from_config(config)?)),
        "Activation" => Ok(Box::new(Activation::from_config(config)?)),
        "Dropout" => Ok(Box::new(Dropout::from_config(config)?)),
        "Conv2D" => Ok(Box::new(Conv2D::from_config(config)?)),
        "MaxPooling2D" => Ok(Box::new(MaxPooling2D::from_config(config)?)),
        other => Err(Error::io(format!(
            "unknown layer class '{other}' in the model file: kerust knows Dense, Flatten, Activation, Dropout, Conv2D, MaxPooling2D"
        ))),
    }
}

/// Reads a config field, with an error naming the layer and field.
pub(crate) fn cfg<T: serde_core::de::DeserializeOwned>(
    config: &serde_json::Value,
    key: &str,
) -> Result<T> {
    let v = config
        .get(key)
        .ok_or_else(|| Error::io(format!("layer config has no '{key}': {config}")))?;
    serde_json::from_value(v.clone())
        .map_err(|e| Error::io(format!("layer config field '{key}' is invalid ({e}): {v}")))
}

/// Checks that a requested size fits in memory limits kerust accepts: one
/// weight array of at most 2^31 scalars.
pub(crate) fn check_alloc(layer: &str, what: &str, dims: &[usize]) -> Result<usize> {
    const LIMIT: usize = 1 << 31;
    match crate::shape::checked_size(dims) {
        Some(n) if n <= LIMIT => Ok(n),
        _ => Err(Error::value(format!(
            "layer {layer}: {what} of shape {} is too large (more than 2^31 values)",
            if what == "input" || what == "output" {
                crate::shape::keras_shape(dims)
            } else {
                crate::shape::array_shape(dims)
            }
        ))),
    }
}

/// The output shape `(batch, output_shape...)` of a batch `x`, and `x` in
/// row-major order when its samples have shape `input_shape` (`None`
/// otherwise: the model checks shapes before, so a layer then just returns
/// zeros of the output shape).
pub(crate) fn batch_rows<'a>(
    x: &'a ArrayD<f32>,
    input_shape: &[usize],
    output_shape: &[usize],
) -> (Vec<usize>, Option<CowArray<'a, f32, IxDyn>>) {
    let mut out_shape = vec![x.shape().first().copied().unwrap_or(0)];
    out_shape.extend_from_slice(output_shape);
    let rows = (x.shape().get(1..) == Some(input_shape)).then(|| x.as_standard_layout());
    (out_shape, rows)
}

/// The array itself when it is row-major, else a row-major copy: a
/// row-major reshape or slice of a column-major array fails (a caller's
/// transposed input, or a column-major gradient).
pub(crate) fn standard<D: ndarray::Dimension>(a: ndarray::Array<f32, D>) -> ndarray::Array<f32, D> {
    if a.is_standard_layout() {
        a
    } else {
        a.as_standard_layout().into_owned()
    }
}
