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
    fn forward(&mut self, x: &ArrayD<f32>, _ctx: &mut Ctx) -> ArrayD<f32> {
        // TODO(pool): forward with argmax cache.
        let mut shape = vec![x.shape()[0]];
        shape.extend_from_slice(&self.output_shape);
        ArrayD::zeros(shape)
    }
    fn backward(&mut self, _grad: ArrayD<f32>, _need_input_grad: bool) -> Option<ArrayD<f32>> {
        None
    }
    fn config(&self) -> serde_json::Value {
        json!({"name": self.name, "pool_size": self.pool_size,
               "strides": self.strides.unwrap_or(self.pool_size), "padding": self.padding})
    }
    fn box_clone(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }
}
