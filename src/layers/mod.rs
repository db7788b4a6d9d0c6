//! Layers: each is its config plus its parameters. What every layer has
//! is written once ([`Base`], [`Param`], the activation helper in `fused`,
//! the builders and `Debug` in the `layers!` table); the [`Layer`] trait asks a
//! layer only for what differs: `build`, the forward and backward passes,
//! and its config.
//!
//! Adding a layer: one file here with the type, its `Layer` impl and
//! `from_config`, and one line in the table at the `layers!` call below.

mod base;
mod fused;
mod global_pooling;
mod input;
mod pooling;
mod size2;
mod spare;
mod util;

pub use crate::parallel::Team;
pub(crate) use base::{check_regularizers, regularizers_config};
pub use base::{Base, Param};
pub use fused::Fused;
pub(crate) use input::Node;
pub use input::{Call, Input, KerasTensor};
pub use size2::Size2;
use spare::Spare;
use util::debug_layer;
pub(crate) use util::{batch_rows, cfg, check_alloc, from_config, layer_class, standard};
pub use util::{count_params, count_trainable_params};

use crate::activations::ActivationFn;
use crate::error::Result;
use crate::random::Rng;
use ndarray::{ArrayD, ArrayViewD};

/// Declares the layers: `module::Type` per line. For each it adds the
/// module, re-exports the type, implements `Debug` and the builders
/// `named` and `input_shape`, and lists it in [`REGISTRY`] by its class
/// name (which is the type's name). A layer type has a `base: Base` field
/// and a `from_config(&Value) -> Result<Self>`.
macro_rules! layers {
    ($($module:ident :: $layer:ident),* $(,)?) => {
        $(
            mod $module;
            pub use $module::$layer;

            layer_class!($layer, stringify!($layer));

            impl std::fmt::Debug for $layer {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    debug_layer(self, f)
                }
            }

            impl $layer {
                /// Renames the layer (names must be unique within a model).
                pub fn named(mut self, name: &str) -> Self {
                    self.base.name = name.to_string();
                    self
                }
                /// Freezes (`false`) or unfreezes the layer's weights, as
                /// Keras' `layer.trainable = False`: a frozen layer's weights
                /// are counted as non-trainable and the optimizer skips them.
                pub fn trainable(mut self, trainable: bool) -> Self {
                    self.base.trainable = trainable;
                    self
                }
                /// Declares the input shape (without the batch axis), for a model's first layer.
                pub fn input_shape<const N: usize>(mut self, shape: [usize; N]) -> Self {
                    self.base.declared = Some(shape.to_vec());
                    self
                }
            }
        )*

        /// Every layer class a model file may name, with what rebuilds it.
        pub(crate) const REGISTRY: &[(&str, FromConfig)] = &[
            $((stringify!($layer), |c| Ok(Box::new($layer::from_config(c)?)))),*
        ];
    };
}

layers! {
    activation::Activation,
    average_pooling2d::AveragePooling2D,
    batch_normalization::BatchNormalization,
    conv2d::Conv2D,
    dense::Dense,
    dropout::Dropout,
    embedding::Embedding,
    flatten::Flatten,
    global_average_pooling1d::GlobalAveragePooling1D,
    global_average_pooling2d::GlobalAveragePooling2D,
    global_max_pooling2d::GlobalMaxPooling2D,
    max_pooling2d::MaxPooling2D,
    normalization::Normalization,
    reshape::Reshape,
    softmax::Softmax,
}

/// The [`Layer`] methods of a layer with a `kernel: Param`, a `bias:
/// Option<Param>` and a `fused: Fused` activation (used inside its
/// `impl Layer`).
macro_rules! kernel_bias_activation {
    () => {
        fn params(&self) -> Vec<&Param> {
            std::iter::once(&self.kernel).chain(&self.bias).collect()
        }
        fn params_mut(&mut self) -> Vec<&mut Param> {
            std::iter::once(&mut self.kernel)
                .chain(&mut self.bias)
                .collect()
        }
        fn fused(&self) -> Option<&Fused> {
            Some(&self.fused)
        }
    };
}
use kernel_bias_activation;

/// The builders `kernel_regularizer` and `bias_regularizer`, and
/// `use_bias`, of a layer with `kernel: Param` and `bias: Option<Param>`
/// (used inside its inherent `impl`).
macro_rules! regularizer_builders {
    () => {
        /// Whether the layer has a bias (default true).
        pub fn use_bias(mut self, use_bias: bool) -> Self {
            let bias = self.bias.take().unwrap_or_else(|| Param::empty("bias"));
            self.bias = use_bias.then_some(bias);
            self
        }
        /// A penalty on the kernel, as Keras' `kernel_regularizer`:
        /// `regularizers::l2(0.001)`.
        pub fn kernel_regularizer(mut self, regularizer: crate::regularizers::Regularizer) -> Self {
            self.kernel.set_regularizer(Some(regularizer));
            self
        }
        /// A penalty on the bias, as Keras' `bias_regularizer` (ignored
        /// without a bias).
        pub fn bias_regularizer(mut self, regularizer: crate::regularizers::Regularizer) -> Self {
            if let Some(b) = &mut self.bias {
                b.set_regularizer(Some(regularizer));
            }
            self
        }
        /// The regularizers saved in the config `c`.
        fn regularizers_from_config(mut self, c: &serde_json::Value) -> Result<Self> {
            let name = &self.base.name;
            let read = |key: &str| {
                crate::regularizers::Regularizer::from_json(
                    c.get(key),
                    &format!("layer {name}: {key}"),
                )
            };
            let (k, b) = (read("kernel_regularizer")?, read("bias_regularizer")?);
            self.kernel.set_regularizer(k);
            if let Some(bias) = &mut self.bias {
                bias.set_regularizer(b);
            }
            Ok(self)
        }
    };
}
use regularizer_builders;

/// What `Sequential::add` takes: a layer, or a model used as a layer
/// (`model.clone()`).
pub trait IntoLayer {
    /// The layer, boxed.
    fn into_layer(self) -> Box<dyn Layer>;
}

impl<L: Layer + 'static> IntoLayer for L {
    fn into_layer(self) -> Box<dyn Layer> {
        Box::new(self)
    }
}

/// Rebuilds a layer from its saved config.
pub(crate) type FromConfig = fn(&serde_json::Value) -> Result<Box<dyn Layer>>;

/// What a layer's forward pass needs besides its input.
pub struct Ctx<'a> {
    /// Training (dropout active) or inference.
    pub training: bool,
    /// The generator for dropout masks.
    pub rng: &'a mut Rng,
    /// The threads to split large products on.
    pub team: Team<'a>,
}

/// A layer's class name, base and copy: what the `layers!` table writes
/// for every layer in it (a layer outside the table, such as `Input`,
/// implements it by hand). [`Layer::class_name`], [`Layer::base`] and
/// [`Layer::box_clone`] come from here.
pub trait LayerClass {
    /// Keras' class name: `"Dense"`.
    fn class(&self) -> &'static str;
    /// The name and shapes.
    fn layer_base(&self) -> &Base;
    /// The name and shapes, mutable (for [`Layer::set_trainable`]); a
    /// layer without it cannot be frozen by its model.
    fn layer_base_mut(&mut self) -> Option<&mut Base> {
        None
    }
    /// A copy behind a new box.
    fn boxed(&self) -> Box<dyn Layer>;
}

/// A layer of a model. Shapes exclude the batch axis.
///
/// A layer provides what differs between layers: [`Layer::build`],
/// [`Layer::try_forward`], [`Layer::try_backward`], [`Layer::config`], and
/// its parameters ([`Layer::params`]) when it has any; its class name and
/// copy come from [`LayerClass`]. Names, shapes,
/// weights and the optimizer's view are written once, from [`Base`] and
/// [`Param`].
pub trait Layer: LayerClass + std::fmt::Debug + Send + Sync {
    /// Keras' class name: `"Dense"`.
    fn class_name(&self) -> &'static str {
        self.class()
    }
    /// The name and shapes.
    fn base(&self) -> &Base {
        self.layer_base()
    }
    /// Checks the arguments against `input_shape`, creates the weights and
    /// returns the output shape. A layer that fails to build is unchanged.
    fn build(&mut self, input_shape: &[usize], rng: &mut Rng) -> Result<Vec<usize>>;
    /// Forward pass on a batch `x` of shape `(batch, input_shape...)`;
    /// keeps what the backward pass needs when `ctx.training`. An input of
    /// another shape is an error.
    fn try_forward(&mut self, x: ArrayD<f32>, ctx: &mut Ctx) -> Result<ArrayD<f32>>;
    /// Backward pass after a training forward pass: takes dL/d output,
    /// stores the weight gradients and returns dL/d input, or `Ok(None)`
    /// when `need_input_grad` is false; large products are split on
    /// `team`'s threads. A missing cache or a gradient of the wrong shape
    /// is an error (and nothing was stored).
    fn try_backward(
        &mut self,
        grad: ArrayD<f32>,
        need_input_grad: bool,
        team: Team,
    ) -> Result<Option<ArrayD<f32>>>;
    /// Keras-style config (what `save` writes, besides weights).
    fn config(&self) -> serde_json::Value;
    /// A copy behind a new box.
    fn box_clone(&self) -> Box<dyn Layer> {
        self.boxed()
    }

    /// The parameters in Keras order (kernel, then bias).
    fn params(&self) -> Vec<&Param> {
        Vec::new()
    }
    /// [`Layer::params`], mutable.
    fn params_mut(&mut self) -> Vec<&mut Param> {
        Vec::new()
    }
    /// The activation applied last, with its caches, for a layer that
    /// lets cross-entropy start from its logits as Keras does.
    #[doc(hidden)]
    fn fused(&self) -> Option<&Fused> {
        None
    }
    /// [`Layer::try_backward`] from dL/d logits (the pre-activation),
    /// skipping the activation's own derivative.
    fn try_backward_from_logits(
        &mut self,
        grad: ArrayD<f32>,
        need_input_grad: bool,
        team: Team,
    ) -> Result<Option<ArrayD<f32>>> {
        self.try_backward(grad, need_input_grad, team)
    }
    /// Releases what the last training forward pass kept.
    fn clear_cache(&mut self) {}
    /// Applies what the last training forward pass computed besides its
    /// output (a batch normalization's moving statistics); called after a
    /// successful optimizer step, so that a failed step changes nothing.
    fn apply_updates(&mut self) {}

    /// Whether the layer is trainable (Keras' `layer.trainable`).
    fn is_trainable(&self) -> bool {
        self.base().trainable
    }
    /// Freezes (`false`) or unfreezes the layer, as Keras'
    /// `layer.trainable = ...` (a model used as a layer sets all of its
    /// layers, as Keras does).
    fn set_trainable(&mut self, trainable: bool) {
        if let Some(base) = self.layer_base_mut() {
            base.trainable = trainable;
        }
    }
    /// Each trainable weight's key in the optimizer's state,
    /// `dense_1/kernel`, with its number of values.
    fn weight_keys(&self) -> Vec<(String, usize)> {
        self.trainable_params()
            .into_iter()
            .map(|p| (format!("{}/{}", self.name(), p.name()), p.value().len()))
            .collect()
    }
    /// The model inside, for a model used as a layer.
    #[doc(hidden)]
    fn as_model(&self) -> Option<&crate::model::Graph> {
        None
    }
    /// The weights the optimizer trains: none for a frozen layer, else
    /// those not marked non-trainable.
    fn trainable_params_mut(&mut self) -> Vec<&mut Param> {
        if !self.is_trainable() {
            return Vec::new();
        }
        self.params_mut()
            .into_iter()
            .filter(|p| p.is_trainable())
            .collect()
    }
    /// [`Layer::trainable_params_mut`], read-only.
    fn trainable_params(&self) -> Vec<&Param> {
        if !self.is_trainable() {
            return Vec::new();
        }
        self.params()
            .into_iter()
            .filter(|p| p.is_trainable())
            .collect()
    }

    /// The layer's name: `"dense_1"`.
    fn name(&self) -> &str {
        &self.base().name
    }
    /// The `input_shape` given when the layer was made, if any.
    fn declared_input_shape(&self) -> Option<&[usize]> {
        self.base().declared.as_deref()
    }
    /// The input shape it was built for.
    fn input_shape(&self) -> &[usize] {
        &self.base().input_shape
    }
    /// The output shape it was built for.
    fn output_shape(&self) -> &[usize] {
        &self.base().output_shape
    }
    /// Its weights in Keras order (kernel, then bias).
    fn weights(&self) -> Vec<ArrayViewD<'_, f32>> {
        self.params().into_iter().map(Param::value).collect()
    }
    /// Replaces its weights; `weights` has the shapes of [`Layer::weights`]
    /// (the model checks; extra arrays are ignored).
    fn set_weights(&mut self, weights: &[ArrayD<f32>]) {
        for (p, w) in self.params_mut().into_iter().zip(weights) {
            p.set(w);
        }
    }
    /// Each weight as a flat slice next to its gradient from the last
    /// backward pass, for the optimizer (weights are always stored
    /// row-major; see [`Param`]): a weight that is not is an internal
    /// error.
    fn weights_and_grads(&mut self) -> Result<Vec<(&mut [f32], &[f32])>> {
        self.params_mut().into_iter().map(Param::slices).collect()
    }
    /// The activation applied last, if the layer caches its logits
    /// (pre-activation) so that cross-entropy can use them as Keras does.
    fn output_activation(&self) -> Option<ActivationFn> {
        self.fused().map(Fused::act)
    }
    /// The logits (pre-activation) of the last forward pass.
    fn logits(&self) -> Option<&ArrayD<f32>> {
        self.fused().and_then(Fused::logits)
    }
    /// [`Layer::try_forward`] on a borrowed input (a copy is made), for
    /// gradient checks and direct calls.
    fn forward(&mut self, x: &ArrayD<f32>, ctx: &mut Ctx) -> Result<ArrayD<f32>> {
        self.try_forward(x.clone(), ctx)
    }
}

impl Clone for Box<dyn Layer> {
    fn clone(&self) -> Self {
        self.box_clone()
    }
}
