//! The activation a layer applies last, with the caches its backward pass
//! needs, written once for `Dense`, `Conv2D` and `Activation`.
//!
//! Which caches are kept: none for linear; for relu the logits and outputs
//! while training; for other activations the outputs while training, and
//! the logits while training or when the activation is softmax or sigmoid
//! (cross-entropy then computes from the logits, as Keras does).

use crate::activations::{ActivationFn, ActivationSpec};
use crate::error::{Error, Result};
use ndarray::ArrayD;

/// The activation a layer applies last: as given (a name or a function), resolved at `build`,
/// and the logits and outputs of the last forward pass.
#[derive(Clone)]
pub struct Fused {
    spec: ActivationSpec,
    act: ActivationFn,
    z: Option<ArrayD<f32>>,
    y: Option<ArrayD<f32>>,
}

impl Fused {
    /// Unresolved until `set`.
    pub(crate) fn new(spec: ActivationSpec) -> Fused {
        Fused {
            spec,
            act: ActivationFn::Linear,
            z: None,
            y: None,
        }
    }
    /// The activation as the user named it (what `config` saves).
    pub(crate) fn spec_name(&self) -> String {
        self.spec.name()
    }
    /// Checks the name for layer `layer`; the resolved function, to be
    /// kept with [`Fused::set`] once the whole build succeeded.
    pub(crate) fn resolve(&self, layer: &str) -> Result<ActivationFn> {
        self.spec.resolve_for(layer)
    }
    /// Keeps the resolved activation.
    pub(crate) fn set(&mut self, act: ActivationFn) {
        self.act = act;
    }
    /// The resolved activation (linear before `build`).
    pub fn act(&self) -> ActivationFn {
        self.act
    }
    /// The logits of the last forward pass, when kept.
    pub fn logits(&self) -> Option<&ArrayD<f32>> {
        self.z.as_ref()
    }
    /// Applies the activation to logits `z`, keeping the caches (see the
    /// module's documentation).
    pub(crate) fn forward(&mut self, z: ArrayD<f32>, training: bool) -> ArrayD<f32> {
        match self.act {
            ActivationFn::Linear => {
                self.clear();
                z
            }
            // relu's derivative needs only y > 0, which is z > 0.
            ActivationFn::Relu => {
                self.z = training.then(|| z.clone());
                let mut y = z;
                self.act.apply(&mut y);
                self.y = training.then(|| y.clone());
                y
            }
            act => {
                let mut y = z.clone();
                act.apply(&mut y);
                let keep_z =
                    training || matches!(act, ActivationFn::Softmax | ActivationFn::Sigmoid);
                self.z = keep_z.then_some(z);
                self.y = training.then(|| y.clone());
                y
            }
        }
    }
    /// Turns dL/d output into dL/d logits in place; `layer` names the
    /// layer in the error when the training caches are missing.
    pub(crate) fn backward(&self, grad: &mut ArrayD<f32>, layer: &str) -> Result<()> {
        let (z, y) = match (self.act, &self.z, &self.y) {
            (ActivationFn::Linear, _, _) => return Ok(()),
            (ActivationFn::Relu, _, Some(y)) => (y, y),
            (_, Some(z), Some(y)) => (z, y),
            _ => {
                return Err(Error::internal(format!(
                    "layer {layer}: backward pass without a training forward pass before it"
                )))
            }
        };
        if z.shape() != grad.shape() || y.shape() != grad.shape() {
            return Err(Error::internal(format!(
                "layer {layer}: the gradient has shape {:?} but the last outputs {:?}",
                grad.shape(),
                y.shape()
            )));
        }
        self.act.backward(z.view(), y.view(), grad);
        Ok(())
    }
    /// Drops the caches.
    pub(crate) fn clear(&mut self) {
        self.z = None;
        self.y = None;
    }
}

/// The [`Layer`](super::Layer) methods of a layer that is only its `fused:
/// Fused` activation (`Activation`, `Softmax`; used inside its `impl Layer`).
macro_rules! fused_only_passes {
    () => {
        fn fused(&self) -> Option<&$crate::layers::Fused> {
            Some(&self.fused)
        }
        fn try_forward(
            &mut self,
            x: ndarray::ArrayD<f32>,
            ctx: &mut $crate::layers::Ctx,
        ) -> $crate::error::Result<ndarray::ArrayD<f32>> {
            if x.shape().get(1..) != Some(&self.base.input_shape[..]) {
                return Err(self.base.wrong_input(x.shape()));
            }
            Ok(self.fused.forward(x, ctx.training))
        }
        fn try_backward(
            &mut self,
            mut grad: ndarray::ArrayD<f32>,
            need_input_grad: bool,
            _team: $crate::layers::Team,
        ) -> $crate::error::Result<Option<ndarray::ArrayD<f32>>> {
            if !need_input_grad {
                return Ok(None);
            }
            self.fused.backward(&mut grad, &self.base.name)?;
            Ok(Some(grad))
        }
        fn try_backward_from_logits(
            &mut self,
            grad: ndarray::ArrayD<f32>,
            need_input_grad: bool,
            _team: $crate::layers::Team,
        ) -> $crate::error::Result<Option<ndarray::ArrayD<f32>>> {
            Ok(need_input_grad.then_some(grad))
        }
        fn clear_cache(&mut self) {
            self.fused.clear();
        }
    };
}
pub(crate) use fused_only_passes;
