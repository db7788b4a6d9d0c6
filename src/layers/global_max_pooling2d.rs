//! `GlobalMaxPooling2D`: the maximum over height and width of each sample.

use super::pooling::Global;
use super::{Base, Ctx, Layer, Team};
use crate::error::Result;
use crate::random::Rng;
use ndarray::ArrayD;
use serde_json::json;

/// The maximum over height and width, as `keras.layers.GlobalMaxPooling2D`: `(None, h, w, 8)` becomes `(None, 8)`.
///
/// ```
/// use kerust::prelude::*;
/// let mut model = Sequential::new();
/// model.add(GlobalMaxPooling2D::new().input_shape([5, 5, 8]))?;
/// assert_eq!(model.layer(0).output_shape(), &[8]);
/// assert_eq!(model.predict(&Array4::<f32>::zeros((2, 5, 5, 8)))?.shape(), &[2, 8]);
/// # Ok::<(), kerust::Error>(())
/// ```
#[derive(Clone)]
pub struct GlobalMaxPooling2D {
    pub(super) base: Base,
    pool: Global,
}

impl Default for GlobalMaxPooling2D {
    fn default() -> Self {
        Self::new()
    }
}

impl GlobalMaxPooling2D {
    /// A new GlobalMaxPooling2D layer.
    pub fn new() -> Self {
        Self::with_base(Base::new("global_max_pooling2d"))
    }
    fn with_base(base: Base) -> Self {
        GlobalMaxPooling2D {
            base,
            pool: Global::new(true, 3),
        }
    }
    pub(crate) fn from_config(c: &serde_json::Value) -> Result<Self> {
        Ok(Self::with_base(Base::from_config(c)?))
    }
}

impl Layer for GlobalMaxPooling2D {
    fn build(&mut self, input_shape: &[usize], _rng: &mut Rng) -> Result<Vec<usize>> {
        self.pool.build(&mut self.base, input_shape)
    }
    fn try_forward(&mut self, x: ArrayD<f32>, ctx: &mut Ctx) -> Result<ArrayD<f32>> {
        self.pool.forward(&self.base, &x, ctx.training)
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
        self.pool.backward(&self.base, &grad).map(Some)
    }
    fn clear_cache(&mut self) {
        self.pool.clear();
    }
    fn config(&self) -> serde_json::Value {
        json!({"name": self.base.name, "data_format": "channels_last", "keepdims": false})
    }
}
