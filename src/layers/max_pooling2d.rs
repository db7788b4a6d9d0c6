//! `MaxPooling2D`: the maximum over each pooling window.

use super::{batch_rows, cfg, Base, Ctx, Layer, Team};
use crate::error::{Error, Result};
use crate::kernels::pool::PoolGeom;
use crate::kernels::{conv_out, is_same_padding};
use crate::random::Rng;
use ndarray::ArrayD;
use serde_json::json;

/// Max pooling over `(height, width)`, as `keras.layers.MaxPooling2D`
/// (strides default to the pool size, valid padding).
///
/// ```
/// use kerust::prelude::*;
/// let mut model = Sequential::new();
/// model.add(Conv2D::new(8, (3, 3)).input_shape([28, 28, 1]))?;
/// model.add(MaxPooling2D::new((2, 2)))?;
/// assert_eq!(model.layer(1).output_shape(), &[13, 13, 8]);
/// # Ok::<(), kerust::Error>(())
/// ```
#[derive(Clone)]
pub struct MaxPooling2D {
    pub(super) base: Base,
    pool_size: (usize, usize),
    strides: Option<(usize, usize)>,
    padding: String,
    /// The sizes, once built.
    geom: Option<PoolGeom>,
    /// For each output of the last training pass, the spatial index
    /// `iy * width + ix` of the input that won; and the batch size.
    cache_argmax: Option<(Vec<u32>, usize)>,
}

impl MaxPooling2D {
    /// Pooling windows of `pool_size` (height, width).
    pub fn new(pool_size: (usize, usize)) -> Self {
        Self::with_base(Base::new("max_pooling2d"), pool_size)
    }
    fn with_base(base: Base, pool_size: (usize, usize)) -> Self {
        MaxPooling2D {
            base,
            pool_size,
            strides: None,
            padding: "valid".into(),
            geom: None,
            cache_argmax: None,
        }
    }
    /// Sets the strides (default: the pool size).
    pub fn strides(mut self, strides: (usize, usize)) -> Self {
        self.strides = Some(strides);
        self
    }
    /// Sets the padding, `"valid"` (default) or `"same"`.
    pub fn padding(mut self, padding: &str) -> Self {
        self.padding = padding.to_string();
        self
    }
    pub(crate) fn from_config(c: &serde_json::Value) -> Result<Self> {
        Ok(Self::with_base(Base::from_config(c)?, cfg(c, "pool_size")?)
            .strides(cfg(c, "strides")?)
            .padding(&cfg::<String>(c, "padding")?))
    }
    fn geom(&self) -> Result<PoolGeom> {
        self.geom
            .ok_or_else(|| Error::internal(format!("layer {} is not built", self.base.name)))
    }
}

impl Layer for MaxPooling2D {
    fn build(&mut self, input_shape: &[usize], _rng: &mut Rng) -> Result<Vec<usize>> {
        let name = &self.base.name;
        let &[h, w, c] = input_shape else {
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
        let (Some((oh, _)), Some((ow, _))) = (conv_out(h, ph, sh, same), conv_out(w, pw, sw, same))
        else {
            return Err(Error::shape(format!(
                "layer {name}: pool ({ph}, {pw}) is larger than the input {}",
                crate::shape::keras_shape(input_shape)
            )));
        };
        if h.saturating_mul(w) > u32::MAX as usize {
            return Err(Error::value(format!(
                "layer {name}: images of more than 2^32 pixels are not supported, got input {}",
                crate::shape::keras_shape(input_shape)
            )));
        }
        self.geom = PoolGeom::new(input_shape, self.pool_size, (sh, sw), same);
        self.strides = Some((sh, sw));
        Ok(self.base.built(input_shape, vec![oh, ow, c]))
    }
    fn try_forward(&mut self, x: ArrayD<f32>, ctx: &mut Ctx) -> Result<ArrayD<f32>> {
        self.cache_argmax = None;
        let g = self.geom()?;
        let (xs, out_shape) = batch_rows(&x, &self.base)?;
        let n = out_shape[0];
        let xsl = xs
            .as_slice()
            .ok_or_else(|| self.base.wrong_input(x.shape()))?;
        let (out, arg) = g.max_forward(xsl, n, ctx.training);
        if ctx.training {
            self.cache_argmax = Some((arg, n));
        }
        ArrayD::from_shape_vec(out_shape, out)
            .map_err(|e| Error::internal(format!("layer {}: {e}", self.base.name)))
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
        let g = self.geom()?;
        let (arg, n) = self
            .cache_argmax
            .as_ref()
            .ok_or_else(|| self.base.no_cache())?;
        if grad.shape() != self.base.batch_output(*n) {
            return Err(self.base.wrong_input(grad.shape()));
        }
        let gs = grad.as_standard_layout();
        let gsl = gs
            .as_slice()
            .ok_or_else(|| self.base.wrong_input(grad.shape()))?;
        let dx = g.max_backward(gsl, arg, *n);
        let mut in_shape = vec![*n];
        in_shape.extend_from_slice(&self.base.input_shape);
        ArrayD::from_shape_vec(in_shape, dx)
            .map(Some)
            .map_err(|e| Error::internal(format!("layer {}: {e}", self.base.name)))
    }
    fn clear_cache(&mut self) {
        self.cache_argmax = None;
    }
    fn config(&self) -> serde_json::Value {
        json!({"name": self.base.name, "pool_size": self.pool_size,
               "strides": self.strides.unwrap_or(self.pool_size), "padding": self.padding})
    }
}
