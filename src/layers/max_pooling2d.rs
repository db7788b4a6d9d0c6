//! `MaxPooling2D`: the maximum over each pooling window.

use super::{cfg, Ctx, Layer, Team};
use crate::error::{Error, Result};
use crate::naming::unique_name;
use crate::random::Rng;
use ndarray::ArrayD;
use serde_json::json;
use std::ops::Range;

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
    name: String,
    pool_size: (usize, usize),
    strides: Option<(usize, usize)>,
    padding: String,
    declared: Option<Vec<usize>>,
    input_shape: Vec<usize>,
    output_shape: Vec<usize>,
    /// For each output of the last training pass, the spatial index
    /// `iy * width + ix` of the input that won; and the batch size.
    cache_argmax: Option<(Vec<u32>, usize)>,
}

impl MaxPooling2D {
    /// Pooling windows of `pool_size` (height, width).
    pub fn new(pool_size: (usize, usize)) -> Self {
        MaxPooling2D {
            name: unique_name("max_pooling2d"),
            pool_size,
            strides: None,
            padding: "valid".into(),
            declared: None,
            input_shape: Vec::new(),
            output_shape: Vec::new(),
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
    /// Declares the input shape `[height, width, channels]`.
    pub fn input_shape<const N: usize>(mut self, shape: [usize; N]) -> Self {
        self.declared = Some(shape.to_vec());
        self
    }
    pub(crate) fn from_config(c: &serde_json::Value) -> Result<Self> {
        let mut l = MaxPooling2D::new(cfg(c, "pool_size")?);
        l.name = cfg(c, "name")?;
        l.strides = Some(cfg(c, "strides")?);
        l.padding = cfg(c, "padding")?;
        Ok(l)
    }
}

/// The sizes of a built pooling layer: input `(h, w, c)`, pool, strides,
/// padding before each axis, output `(oh, ow)`.
#[derive(Debug, Clone, Copy)]
struct PoolGeom {
    h: usize,
    w: usize,
    c: usize,
    ph: usize,
    pw: usize,
    sh: usize,
    sw: usize,
    pad_h: usize,
    pad_w: usize,
    oh: usize,
    ow: usize,
}

impl PoolGeom {
    /// The rows and columns of output `(oy, ox)`'s window that lie inside
    /// the input (padding never wins).
    fn window(&self, oy: usize, ox: usize) -> (Range<usize>, Range<usize>) {
        let clip = |o: usize, s: usize, pad: usize, k: usize, len: usize| {
            let start = (o * s).saturating_sub(pad);
            let end = (o * s + k).saturating_sub(pad).min(len);
            start..end.max(start)
        };
        (
            clip(oy, self.sh, self.pad_h, self.ph, self.h),
            clip(ox, self.sw, self.pad_w, self.pw, self.w),
        )
    }
}

impl MaxPooling2D {
    fn geometry(&self) -> Option<PoolGeom> {
        let (&[h, w, c], &[oh, ow, _]) = (&self.input_shape[..], &self.output_shape[..]) else {
            return None;
        };
        let (ph, pw) = self.pool_size;
        let (sh, sw) = self.strides.unwrap_or(self.pool_size);
        let same = self.padding == "same";
        let conv_out = super::conv2d::conv_out;
        let (_, pad_h) = conv_out(h, ph, sh, same)?;
        let (_, pad_w) = conv_out(w, pw, sw, same)?;
        Some(PoolGeom {
            h,
            w,
            c,
            ph,
            pw,
            sh,
            sw,
            pad_h,
            pad_w,
            oh,
            ow,
        })
    }
}

impl Layer for MaxPooling2D {
    fn class_name(&self) -> &'static str {
        "MaxPooling2D"
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn declared_input_shape(&self) -> Option<&[usize]> {
        self.declared.as_deref()
    }
    fn build(&mut self, input_shape: &[usize], _rng: &mut Rng) -> Result<Vec<usize>> {
        let &[h, w, c] = input_shape else {
            return Err(Error::shape(format!(
                "layer {} expects input of shape (None, height, width, channels) but got {}",
                self.name,
                crate::shape::keras_shape(input_shape)
            )));
        };
        let (ph, pw) = self.pool_size;
        let (sh, sw) = self.strides.unwrap_or(self.pool_size);
        if ph == 0 || pw == 0 || sh == 0 || sw == 0 {
            return Err(Error::value(format!(
                "layer {}: pool_size and strides must be positive, got pool_size=({ph}, {pw}), strides=({sh}, {sw})",
                self.name
            )));
        }
        let same = match self.padding.as_str() {
            "same" => true,
            "valid" => false,
            other => {
                return Err(Error::value(format!(
                    "layer {}: padding must be 'valid' or 'same', got '{other}'",
                    self.name
                )))
            }
        };
        let conv_out = super::conv2d::conv_out;
        let (Some((oh, _)), Some((ow, _))) = (conv_out(h, ph, sh, same), conv_out(w, pw, sw, same))
        else {
            return Err(Error::shape(format!(
                "layer {}: pool ({ph}, {pw}) is larger than the input {}",
                self.name,
                crate::shape::keras_shape(input_shape)
            )));
        };
        if h.saturating_mul(w) > u32::MAX as usize {
            return Err(Error::value(format!(
                "layer {}: images of more than 2^32 pixels are not supported, got input {}",
                self.name,
                crate::shape::keras_shape(input_shape)
            )));
        }
        self.strides = Some((sh, sw));
        self.input_shape = input_shape.to_vec();
        self.output_shape = vec![oh, ow, c];
        Ok(self.output_shape.clone())
    }
    fn input_shape(&self) -> &[usize] {
        &self.input_shape
    }
    fn output_shape(&self) -> &[usize] {
        &self.output_shape
    }
    fn forward(&mut self, x: &ArrayD<f32>, ctx: &mut Ctx) -> ArrayD<f32> {
        let (out_shape, xs) = super::batch_rows(x, &self.input_shape, &self.output_shape);
        let n = out_shape[0];
        self.cache_argmax = None;
        let (Some(g), Some(xs)) = (self.geometry(), xs) else {
            return ArrayD::zeros(out_shape);
        };
        let Some(xsl) = xs.as_slice() else {
            return ArrayD::zeros(out_shape);
        };
        let c = g.c;
        let mut out = vec![0.0f32; n * g.oh * g.ow * c];
        let mut arg = vec![0u32; if ctx.training { out.len() } else { 0 }];
        let mut out_rows = out.chunks_exact_mut(c.max(1));
        let mut arg_rows = arg.chunks_exact_mut(c.max(1));
        for b in 0..n {
            for oy in 0..g.oh {
                for ox in 0..g.ow {
                    let Some(o) = out_rows.next() else {
                        break;
                    };
                    let mut a = arg_rows.next();
                    let (win_y, win_x) = g.window(oy, ox);
                    let mut first = true;
                    for iy in win_y {
                        for ix in win_x.clone() {
                            let start = ((b * g.h + iy) * g.w + ix) * c;
                            let src = &xsl[start..start + c];
                            // The spatial index in the image; fits in u32 (checked at build).
                            let pos = (iy * g.w + ix) as u32;
                            match a.as_deref_mut() {
                                Some(a) if first => a.fill(pos),
                                Some(a) => {
                                    // Branch-free selects, so that it vectorizes.
                                    for ((oi, ai), &v) in o.iter_mut().zip(a.iter_mut()).zip(src) {
                                        let m = 0u32.wrapping_sub(u32::from(v > *oi));
                                        *oi =
                                            f32::from_bits((oi.to_bits() & !m) | (v.to_bits() & m));
                                        *ai = (*ai & !m) | (pos & m);
                                    }
                                }
                                None if !first => {
                                    for (oi, &v) in o.iter_mut().zip(src) {
                                        let m = 0u32.wrapping_sub(u32::from(v > *oi));
                                        *oi =
                                            f32::from_bits((oi.to_bits() & !m) | (v.to_bits() & m));
                                    }
                                }
                                None => {}
                            }
                            if first {
                                o.copy_from_slice(src);
                                first = false;
                            }
                        }
                    }
                }
            }
        }
        if ctx.training {
            self.cache_argmax = Some((arg, n));
        }
        ArrayD::from_shape_vec(out_shape.clone(), out).unwrap_or_else(|_| ArrayD::zeros(out_shape))
    }
    fn backward(
        &mut self,
        grad: ArrayD<f32>,
        need_input_grad: bool,
        _team: Team,
    ) -> Option<ArrayD<f32>> {
        if !need_input_grad {
            return None;
        }
        let g = self.geometry()?;
        let (arg, n) = self.cache_argmax.as_ref()?;
        let n = *n;
        if grad.shape() != [n, g.oh, g.ow, g.c] {
            return None;
        }
        let gs = grad.as_standard_layout();
        let gsl = gs.as_slice()?;
        let c = g.c.max(1);
        let img = g.h * g.w * g.c;
        let per = g.oh * g.ow * g.c;
        // Image by image, so that zeroing and scattering stay in cache.
        let mut dx = Vec::with_capacity(n * img);
        for (gi, ai) in gsl.chunks(per.max(1)).zip(arg.chunks(per.max(1))) {
            let start = dx.len();
            dx.resize(start + img, 0.0);
            let dxi = &mut dx[start..];
            for (grow, arow) in gi.chunks_exact(c).zip(ai.chunks_exact(c)) {
                for (ch, (&gv, &p)) in grow.iter().zip(arow).enumerate() {
                    if let Some(d) = dxi.get_mut(p as usize * g.c + ch) {
                        *d += gv;
                    }
                }
            }
        }
        dx.resize(n * img, 0.0);
        let mut in_shape = vec![n];
        in_shape.extend_from_slice(&self.input_shape);
        ArrayD::from_shape_vec(in_shape, dx).ok()
    }
    fn clear_cache(&mut self) {
        self.cache_argmax = None;
    }
    fn config(&self) -> serde_json::Value {
        json!({"name": self.name, "pool_size": self.pool_size,
               "strides": self.strides.unwrap_or(self.pool_size), "padding": self.padding})
    }
    fn box_clone(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }
}
