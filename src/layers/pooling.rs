//! What the pooling layers share: for `MaxPooling2D` and
//! `AveragePooling2D` their Keras arguments (`pool_size`, `strides`,
//! `padding`) and the checks of `build`; for every pooling layer, the
//! [`Layer`](super::Layer) methods that hand the work to its `pool`.

use super::cfg;
use crate::error::{Error, Result};
use crate::kernels::pool::PoolGeom;
use crate::kernels::{conv_out, is_same_padding};
use serde_json::json;

/// The arguments of a 2-D pooling layer (strides default to the pool size).
#[derive(Debug, Clone)]
pub(super) struct Pool2D {
    pub pool_size: (usize, usize),
    pub strides: Option<(usize, usize)>,
    pub padding: String,
}

impl Pool2D {
    pub fn new(pool_size: (usize, usize)) -> Pool2D {
        Pool2D {
            pool_size,
            strides: None,
            padding: "valid".into(),
        }
    }
    pub fn from_config(c: &serde_json::Value) -> Result<Pool2D> {
        Ok(Pool2D {
            pool_size: cfg(c, "pool_size")?,
            strides: Some(cfg(c, "strides")?),
            padding: cfg(c, "padding")?,
        })
    }
    /// The geometry for `input_shape` `(h, w, c)` of layer `name`, or the
    /// error that says which argument does not fit.
    pub fn geom(&self, name: &str, input_shape: &[usize]) -> Result<PoolGeom> {
        let &[h, w, _] = input_shape else {
            return Err(Error::shape(format!(
                "layer {name} expects input of shape (None, height, width, channels) but got {}",
                crate::shape::keras_shape(input_shape)
            )));
        };
        let (ph, pw) = self.pool_size;
        let (sh, sw) = self.strides.unwrap_or(self.pool_size);
        if ph == 0 || pw == 0 || sh == 0 || sw == 0 {
            return Err(Error::value(format!(
                "layer {name}: pool_size and strides must be positive, got pool_size=({ph}, {pw}), strides=({sh}, {sw})"
            )));
        }
        let same = is_same_padding(name, &self.padding)?;
        if conv_out(h, ph, sh, same).is_none() || conv_out(w, pw, sw, same).is_none() {
            return Err(Error::shape(format!(
                "layer {name}: pool ({ph}, {pw}) is larger than the input {}",
                crate::shape::keras_shape(input_shape)
            )));
        }
        if h.saturating_mul(w) > u32::MAX as usize {
            return Err(Error::value(format!(
                "layer {name}: images of more than 2^32 pixels are not supported, got input {}",
                crate::shape::keras_shape(input_shape)
            )));
        }
        PoolGeom::new(input_shape, self.pool_size, (sh, sw), same)
            .ok_or_else(|| Error::internal(format!("layer {name}: pooling geometry")))
    }
    /// The config entries (strides resolved).
    pub fn config(&self, name: &str) -> serde_json::Value {
        json!({"name": name, "pool_size": self.pool_size,
               "strides": self.strides.unwrap_or(self.pool_size), "padding": self.padding})
    }
}

/// The [`Layer`](super::Layer) methods of a pooling layer with a `base:
/// Base` and a `pool` that has `build`, `forward`, `backward`, `clear`
/// and `config` (used inside its `impl Layer`).
macro_rules! pool_layer_methods {
    () => {
        fn build(
            &mut self,
            input_shape: &[usize],
            _rng: &mut $crate::random::Rng,
        ) -> $crate::error::Result<Vec<usize>> {
            self.pool.build(&mut self.base, input_shape)
        }
        fn try_forward(
            &mut self,
            x: ndarray::ArrayD<f32>,
            ctx: &mut $crate::layers::Ctx,
        ) -> $crate::error::Result<ndarray::ArrayD<f32>> {
            self.pool.forward(&self.base, &x, ctx.training)
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
            self.pool.backward(&self.base, &grad).map(Some)
        }
        fn clear_cache(&mut self) {
            self.pool.clear();
        }
        fn config(&self) -> serde_json::Value {
            self.pool.config(&self.base.name)
        }
    };
}
pub(super) use pool_layer_methods;
