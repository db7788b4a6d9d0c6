//! `MaxPooling2D`: the maximum over each pooling window.

use super::{cfg, Ctx, Layer};
use crate::error::{Error, Result};
use crate::naming::unique_name;
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
#[derive(Debug, Clone)]
pub struct MaxPooling2D {
    name: String,
    pool_size: (usize, usize),
    strides: Option<(usize, usize)>,
    padding: String,
    declared: Option<Vec<usize>>,
    input_shape: Vec<usize>,
    output_shape: Vec<usize>,
    /// For each output of the last training pass, the flat index of the
    /// input that won, and the input's shape.
    cache_argmax: Option<(Vec<usize>, Vec<usize>)>,
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
        let n = x.shape().first().copied().unwrap_or(0);
        let mut out_shape = vec![n];
        out_shape.extend_from_slice(&self.output_shape);
        self.cache_argmax = None;
        let (&[h, w, c], &[oh, ow, _]) = (&self.input_shape[..], &self.output_shape[..]) else {
            return ArrayD::zeros(out_shape);
        };
        let xs = x.as_standard_layout();
        let (Some(xsl), true) = (
            xs.as_slice(),
            x.shape().get(1..) == Some(&self.input_shape[..]),
        ) else {
            return ArrayD::zeros(out_shape);
        };
        let (ph, pw) = self.pool_size;
        let (sh, sw) = self.strides.unwrap_or(self.pool_size);
        let same = self.padding == "same";
        let conv_out = super::conv2d::conv_out;
        let (Some((_, pad_h)), Some((_, pad_w))) =
            (conv_out(h, ph, sh, same), conv_out(w, pw, sw, same))
        else {
            return ArrayD::zeros(out_shape);
        };
        let mut out = vec![0.0f32; n * oh * ow * c];
        let mut arg = vec![0usize; if ctx.training { out.len() } else { 0 }];
        let mut out_rows = out.chunks_exact_mut(c.max(1));
        let mut arg_rows = arg.chunks_exact_mut(c.max(1));
        for b in 0..n {
            for oy in 0..oh {
                // Rows of the window inside the input: padding never wins.
                let y0 = (oy * sh) as isize - pad_h as isize;
                let win_y = y0.max(0) as usize..((y0 + ph as isize).max(0) as usize).min(h);
                for ox in 0..ow {
                    let x0 = (ox * sw) as isize - pad_w as isize;
                    let win_x = x0.max(0) as usize..((x0 + pw as isize).max(0) as usize).min(w);
                    let Some(o) = out_rows.next() else {
                        break;
                    };
                    let mut a = arg_rows.next();
                    let mut first = true;
                    for iy in win_y.clone() {
                        for ix in win_x.clone() {
                            let start = ((b * h + iy) * w + ix) * c;
                            let src = &xsl[start..start + c];
                            if first {
                                o.copy_from_slice(src);
                                if let Some(a) = a.as_deref_mut() {
                                    for (k, ai) in a.iter_mut().enumerate() {
                                        *ai = start + k;
                                    }
                                }
                                first = false;
                                continue;
                            }
                            match a.as_deref_mut() {
                                Some(a) => {
                                    for (k, ((oi, ai), &v)) in
                                        o.iter_mut().zip(a.iter_mut()).zip(src).enumerate()
                                    {
                                        if v > *oi {
                                            *oi = v;
                                            *ai = start + k;
                                        }
                                    }
                                }
                                None => {
                                    for (oi, &v) in o.iter_mut().zip(src) {
                                        if v > *oi {
                                            *oi = v;
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if ctx.training {
            self.cache_argmax = Some((arg, x.shape().to_vec()));
        }
        ArrayD::from_shape_vec(out_shape.clone(), out).unwrap_or_else(|_| ArrayD::zeros(out_shape))
    }
    fn backward(&mut self, grad: ArrayD<f32>, need_input_grad: bool) -> Option<ArrayD<f32>> {
        if !need_input_grad {
            return None;
        }
        let (arg, in_shape) = self.cache_argmax.as_ref()?;
        if grad.len() != arg.len() {
            return None;
        }
        let gs = grad.as_standard_layout();
        let mut dx = vec![0.0f32; in_shape.iter().product()];
        for (&g, &i) in gs.as_slice()?.iter().zip(arg) {
            if let Some(d) = dx.get_mut(i) {
                *d += g;
            }
        }
        ArrayD::from_shape_vec(in_shape.clone(), dx).ok()
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
