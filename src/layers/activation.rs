//! `Activation`: applies an activation function as a layer of its own.

use super::{cfg, Base, Fused, Layer};
use crate::activations::ActivationSpec;
use crate::error::Result;
use crate::random::Rng;
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
    pub(super) base: Base,
    fused: Fused,
}

impl Activation {
    /// An activation layer, by name (`"sigmoid"`) or value (`sigmoid`).
    pub fn new(activation: impl Into<ActivationSpec>) -> Self {
        Self::with_base(Base::new("activation"), activation.into())
    }
    fn with_base(base: Base, spec: ActivationSpec) -> Self {
        Activation {
            base,
            fused: Fused::new(spec),
        }
    }
    pub(crate) fn from_config(c: &serde_json::Value) -> Result<Self> {
        Ok(Self::with_base(
            Base::from_config(c)?,
            ActivationSpec::Name(cfg(c, "activation")?),
        ))
    }
}

impl Layer for Activation {
    fn build(&mut self, input_shape: &[usize], _rng: &mut Rng) -> Result<Vec<usize>> {
        let act = self.fused.resolve(&self.base.name)?;
        self.fused.set(act);
        Ok(self.base.built(input_shape, input_shape.to_vec()))
    }
    super::fused::fused_only_passes!();
    fn config(&self) -> serde_json::Value {
        json!({"name": self.base.name, "activation": self.fused.spec_name()})
    }
}
