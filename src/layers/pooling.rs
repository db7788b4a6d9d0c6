//! What the pooling layers share: for `MaxPooling2D` and
//! `AveragePooling2D` their Keras arguments (`pool_size`, `strides`,
//! `padding`) and the checks of `build`; for the global poolings, the
//! reduction over every axis but the channels.

use super::{batch_rows, cfg, check_alloc, Base};
use crate::error::{Error, Result};
use crate::kernels::pool::{global_backward, global_forward, PoolGeom};
use crate::kernels::{conv_out, is_same_padding};
use ndarray::ArrayD;
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

/// What the global pooling layers share: the mean or maximum over every
/// axis but the batch and the channels (the last), with its caches.
#[derive(Debug, Clone)]
pub(super) struct Global {
    /// Maximum (true) or mean.
    max: bool,
    /// The input's rank without the batch axis: 2 for 1-D, 3 for 2-D.
    rank: usize,
    /// `(steps, channels)` once built.
    dims: (usize, usize),
    /// The batch size and (for the maximum) the winners of the last training pass.
    cache: Option<(usize, Vec<usize>)>,
}

impl Global {
    pub fn new(max: bool, rank: usize) -> Global {
        Global {
            max,
            rank,
            dims: (0, 0),
            cache: None,
        }
    }
    pub fn build(&mut self, base: &mut Base, input_shape: &[usize]) -> Result<Vec<usize>> {
        let Some((&c, spatial)) = input_shape
            .split_last()
            .filter(|_| input_shape.len() == self.rank)
        else {
            let want = if self.rank == 2 {
                "(None, steps, features)"
            } else {
                "(None, height, width, channels)"
            };
            return Err(Error::shape(format!(
                "layer {} expects input of shape {want} but got {}",
                base.name,
                crate::shape::keras_shape(input_shape)
            )));
        };
        let steps = check_alloc(&base.name, "input", input_shape)? / c.max(1);
        if spatial.contains(&0) {
            return Err(Error::shape(format!(
                "layer {}: cannot pool over an empty input {}",
                base.name,
                crate::shape::keras_shape(input_shape)
            )));
        }
        self.dims = (steps, c);
        Ok(base.built(input_shape, vec![c]))
    }
    pub fn forward(&mut self, base: &Base, x: &ArrayD<f32>, training: bool) -> Result<ArrayD<f32>> {
        self.cache = None;
        let (xs, out_shape) = batch_rows(x, base)?;
        let n = out_shape[0];
        let xsl = xs.as_slice().ok_or_else(|| base.wrong_input(x.shape()))?;
        let (steps, c) = self.dims;
        let (out, arg) = global_forward(xsl, n, steps, c, self.max);
        if training {
            self.cache = Some((n, arg));
        }
        ArrayD::from_shape_vec(out_shape, out)
            .map_err(|e| Error::internal(format!("layer {}: {e}", base.name)))
    }
    pub fn backward(&self, base: &Base, grad: &ArrayD<f32>) -> Result<ArrayD<f32>> {
        let (n, arg) = self.cache.as_ref().ok_or_else(|| base.no_cache())?;
        if grad.shape() != base.batch_output(*n) {
            return Err(base.wrong_input(grad.shape()));
        }
        let gs = grad.as_standard_layout();
        let gsl = gs
            .as_slice()
            .ok_or_else(|| base.wrong_input(grad.shape()))?;
        let (steps, c) = self.dims;
        let dx = global_backward(gsl, *n, steps, c, self.max.then_some(&arg[..]));
        let mut in_shape = vec![*n];
        in_shape.extend_from_slice(&base.input_shape);
        ArrayD::from_shape_vec(in_shape, dx)
            .map_err(|e| Error::internal(format!("layer {}: {e}", base.name)))
    }
    pub fn clear(&mut self) {
        self.cache = None;
    }
}
