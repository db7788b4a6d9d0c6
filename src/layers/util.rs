//! Helpers every layer uses: reading a config field, checking a size,
//! and getting a batch in row-major order; a layer's `Debug`, its
//! parameter counts, and rebuilding it from a model file.

use super::{Base, Layer, REGISTRY};
use crate::error::{Error, Result};
use ndarray::{ArrayD, CowArray, IxDyn};

/// `new()` and `Default` of a layer that takes no positional argument:
/// its `with_base(Base)` with a fresh name from `$prefix` (`new`'s doc
/// is `$doc`).
macro_rules! new_without_arguments {
    ($layer:ident, $prefix:expr, $doc:expr) => {
        impl Default for $layer {
            fn default() -> Self {
                Self::new()
            }
        }
        impl $layer {
            #[doc = $doc]
            pub fn new() -> Self {
                Self::with_base($crate::layers::Base::new($prefix))
            }
        }
    };
}
pub(crate) use new_without_arguments;

/// The [`LayerClass`](super::LayerClass) impl of a layer type with a
/// `base: Base` field and Keras' class name `$class`.
macro_rules! layer_class {
    ($layer:ty, $class:expr) => {
        impl $crate::layers::LayerClass for $layer {
            fn class(&self) -> &'static str {
                $class
            }
            fn layer_base(&self) -> &$crate::layers::Base {
                &self.base
            }
            fn layer_base_mut(&mut self) -> Option<&mut $crate::layers::Base> {
                Some(&mut self.base)
            }
            fn boxed(&self) -> Box<dyn $crate::layers::Layer> {
                Box::new(self.clone())
            }
        }
    };
}
pub(crate) use layer_class;

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

/// `x` in row-major order (borrowed when it already is) and the output
/// shape `(batch, output_shape...)`, when `x`'s samples have the built
/// input shape; an internal error otherwise (the model checks shapes).
pub(crate) fn batch_rows<'a>(
    x: &'a ArrayD<f32>,
    base: &Base,
) -> Result<(CowArray<'a, f32, IxDyn>, Vec<usize>)> {
    match x.shape().split_first() {
        Some((&n, rest)) if rest == base.input_shape.as_slice() => {
            Ok((x.as_standard_layout(), base.batch_output(n)))
        }
        _ => Err(base.wrong_input(x.shape())),
    }
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

/// The [`Layer`](super::Layer) passes of a layer that only gives each
/// sample a new shape, `base.output_shape` (`Flatten`, `Reshape`; used
/// inside its `impl Layer`).
macro_rules! reshape_passes {
    () => {
        fn try_forward(
            &mut self,
            x: ndarray::ArrayD<f32>,
            _ctx: &mut $crate::layers::Ctx,
        ) -> $crate::error::Result<ndarray::ArrayD<f32>> {
            let shape = match x.shape().split_first() {
                Some((&n, rest)) if rest == self.base.input_shape.as_slice() => {
                    self.base.batch_output(n)
                }
                _ => return Err(self.base.wrong_input(x.shape())),
            };
            // A row-major input is reshaped in place, without a copy.
            let got = x.shape().to_vec();
            $crate::layers::standard(x)
                .into_shape_with_order(shape)
                .map_err(|_| self.base.wrong_input(&got))
        }
        fn try_backward(
            &mut self,
            grad: ndarray::ArrayD<f32>,
            need_input_grad: bool,
            _team: $crate::layers::Team,
        ) -> $crate::error::Result<Option<ndarray::ArrayD<f32>>> {
            if !need_input_grad {
                return Ok(None);
            }
            let n = grad.shape().first().copied().unwrap_or(0);
            let mut shape = vec![n];
            shape.extend_from_slice(&self.base.input_shape);
            let got = grad.shape().to_vec();
            $crate::layers::standard(grad)
                .into_shape_with_order(shape)
                .map(Some)
                .map_err(|_| self.base.wrong_input(&got))
        }
    };
}
pub(crate) use reshape_passes;

/// `{:?}` of a layer: its class and config, never its weights (an MNIST
/// `Dense(128)` holds 100,480 numbers), and whether it is built:
/// `Dense { name: "dense_1", activation: "relu", units: 128, use_bias: true, built: false }`.
///
/// Written by hand rather than derived: a derived `fmt` is `#[inline]`, so
/// every notebook cell that adds a layer compiled it again, with ndarray's
/// array printing behind it (about a third of such a cell's code).
pub(super) fn debug_layer(layer: &dyn Layer, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    let mut s = f.debug_struct(layer.class_name());
    s.field("name", &layer.name());
    if let serde_json::Value::Object(config) = layer.config() {
        for (key, value) in config.iter().filter(|(key, _)| *key != "name") {
            s.field(key, &format_args!("{value}"));
        }
    }
    s.field("built", &!layer.input_shape().is_empty()).finish()
}

/// The number of scalars in a layer's weights.
pub fn count_params(layer: &dyn Layer) -> usize {
    layer.weights().iter().map(|w| w.len()).sum()
}

/// The number of scalars the optimizer trains in a layer.
pub fn count_trainable_params(layer: &dyn Layer) -> usize {
    layer
        .trainable_params()
        .iter()
        .map(|p| p.value().len())
        .sum()
}

/// Rebuilds a layer from its saved `class_name` and `config`.
pub(crate) fn from_config(class_name: &str, config: &serde_json::Value) -> Result<Box<dyn Layer>> {
    match REGISTRY.iter().find(|(name, _)| *name == class_name) {
        Some((_, make)) => make(config),
        None => {
            let known: Vec<&str> = REGISTRY.iter().map(|(name, _)| *name).collect();
            Err(Error::io(format!(
                "unknown layer class '{class_name}' in the model file: kerust knows {}",
                known.join(", ")
            )))
        }
    }
}
