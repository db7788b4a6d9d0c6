//! `Conv2D`: a 2-D convolution over `(height, width, channels)` images.

use super::{cfg, check_alloc, Ctx, Layer};
use crate::activations::{ActivationFn, ActivationSpec};
use crate::error::{Error, Result};
use crate::initializers::glorot_uniform;
use crate::naming::unique_name;
use crate::random::Rng;
use ndarray::{ArrayD, ArrayViewD};
use serde_json::json;

/// A 2-D convolution, as `keras.layers.Conv2D` (channels last): the kernel
/// has shape `(kh, kw, in, filters)`, the bias `(filters,)`.
///
/// ```
/// use kerust::prelude::*;
/// let mut model = Sequential::new();
/// model.add(Conv2D::new(8, (3, 3)).activation("relu").input_shape([28, 28, 1]))?;
/// assert_eq!(model.layer(0).output_shape(), &[26, 26, 8]);
/// assert_eq!(model.count_params(), 80);
/// # Ok::<(), kerust::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Conv2D {
    name: String,
    filters: usize,
    kernel_size: (usize, usize),
    strides: (usize, usize),
    padding: String,
    spec: ActivationSpec,
    activation: ActivationFn,
    use_bias: bool,
    declared: Option<Vec<usize>>,
    input_shape: Vec<usize>,
    output_shape: Vec<usize>,
    kernel: ArrayD<f32>,
    bias: ArrayD<f32>,
    kernel_grad: ArrayD<f32>,
    bias_grad: ArrayD<f32>,
}

impl Conv2D {
    /// `filters` filters of `kernel_size` (height, width), stride 1, valid padding, linear.
    pub fn new(filters: usize, kernel_size: (usize, usize)) -> Self {
        Conv2D {
            name: unique_name("conv2d"),
            filters,
            kernel_size,
            strides: (1, 1),
            padding: "valid".into(),
            spec: ActivationSpec::Fn(ActivationFn::Linear),
            activation: ActivationFn::Linear,
            use_bias: true,
            declared: None,
            input_shape: Vec::new(),
            output_shape: Vec::new(),
            kernel: ArrayD::zeros(vec![0]),
            bias: ArrayD::zeros(vec![0]),
            kernel_grad: ArrayD::zeros(vec![0]),
            bias_grad: ArrayD::zeros(vec![0]),
        }
    }
    /// Sets the activation, by name or value.
    pub fn activation(mut self, activation: impl Into<ActivationSpec>) -> Self {
        self.spec = activation.into();
        self
    }
    /// Declares the input shape `[height, width, channels]`.
    pub fn input_shape<const N: usize>(mut self, shape: [usize; N]) -> Self {
        self.declared = Some(shape.to_vec());
        self
    }
    /// Sets the strides (default `(1, 1)`).
    pub fn strides(mut self, strides: (usize, usize)) -> Self {
        self.strides = strides;
        self
    }
    /// Sets the padding, `"valid"` (default) or `"same"`.
    pub fn padding(mut self, padding: &str) -> Self {
        self.padding = padding.to_string();
        self
    }
    pub(crate) fn from_config(c: &serde_json::Value) -> Result<Self> {
        let mut l = Conv2D::new(cfg(c, "filters")?, cfg(c, "kernel_size")?);
        l.name = cfg(c, "name")?;
        l.strides = cfg(c, "strides")?;
        l.padding = cfg(c, "padding")?;
        l.spec = ActivationSpec::Name(cfg(c, "activation")?);
        l.use_bias = cfg(c, "use_bias")?;
        Ok(l)
    }
}

/// Output length and padding before, for one spatial axis (TensorFlow's rules).
pub(crate) fn conv_out(len: usize, k: usize, s: usize, same: bool) -> Option<(usize, usize)> {
    if same {
        let out = len.div_ceil(s);
        let total = ((out - 1) * s + k).saturating_sub(len);
        Some((out, total / 2))
    } else if len >= k {
        Some(((len - k) / s + 1, 0))
    } else {
        None
    }
}

impl Layer for Conv2D {
    fn class_name(&self) -> &'static str {
        "Conv2D"
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn declared_input_shape(&self) -> Option<&[usize]> {
        self.declared.as_deref()
    }
    fn build(&mut self, input_shape: &[usize], rng: &mut Rng) -> Result<Vec<usize>> {
        let activation = self
            .spec
            .resolve()
            .map_err(|e| Error::new(e.kind(), format!("layer {}: {}", self.name, e.message())))?;
        let &[h, w, c] = input_shape else {
            return Err(Error::shape(format!(
                "layer {} expects input of shape (None, height, width, channels) but got {}",
                self.name,
                crate::shape::keras_shape(input_shape)
            )));
        };
        let (kh, kw) = self.kernel_size;
        let (sh, sw) = self.strides;
        if self.filters == 0 || kh == 0 || kw == 0 || sh == 0 || sw == 0 || c == 0 {
            return Err(Error::value(format!(
                "layer {}: filters, kernel_size, strides and channels must be positive, got filters={}, kernel_size=({kh}, {kw}), strides=({sh}, {sw}), channels={c}",
                self.name, self.filters
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
        let (Some((oh, _)), Some((ow, _))) = (conv_out(h, kh, sh, same), conv_out(w, kw, sw, same))
        else {
            return Err(Error::shape(format!(
                "layer {}: kernel ({kh}, {kw}) is larger than the input {} with 'valid' padding",
                self.name,
                crate::shape::keras_shape(input_shape)
            )));
        };
        let kshape = [kh, kw, c, self.filters];
        check_alloc(&self.name, "kernel", &kshape)?;
        check_alloc(&self.name, "output", &[oh, ow, self.filters])?;
        self.activation = activation;
        self.kernel = glorot_uniform(&kshape, kh * kw * c, kh * kw * self.filters, rng);
        self.bias = ArrayD::zeros(vec![if self.use_bias { self.filters } else { 0 }]);
        self.kernel_grad = ArrayD::zeros(self.kernel.raw_dim());
        self.bias_grad = ArrayD::zeros(self.bias.raw_dim());
        self.input_shape = input_shape.to_vec();
        self.output_shape = vec![oh, ow, self.filters];
        Ok(self.output_shape.clone())
    }
    fn input_shape(&self) -> &[usize] {
        &self.input_shape
    }
    fn output_shape(&self) -> &[usize] {
        &self.output_shape
    }
    fn weights(&self) -> Vec<ArrayViewD<'_, f32>> {
        let mut w = vec![self.kernel.view()];
        if self.use_bias {
            w.push(self.bias.view());
        }
        w
    }
    fn set_weights(&mut self, weights: &[ArrayD<f32>]) {
        if let Some(k) = weights.first() {
            self.kernel = k.as_standard_layout().into_owned();
        }
        if let Some(b) = weights.get(1) {
            self.bias = b.clone();
        }
    }
    fn weights_and_grads(&mut self) -> Vec<(&mut [f32], &[f32])> {
        let mut out = Vec::new();
        if let (Some(k), Some(g)) = (self.kernel.as_slice_mut(), self.kernel_grad.as_slice()) {
            out.push((k, g));
        }
        if self.use_bias {
            if let (Some(b), Some(g)) = (self.bias.as_slice_mut(), self.bias_grad.as_slice()) {
                out.push((b, g));
            }
        }
        out
    }
    fn forward(&mut self, x: &ArrayD<f32>, _ctx: &mut Ctx) -> ArrayD<f32> {
        // TODO(conv): im2col forward.
        let mut shape = vec![x.shape()[0]];
        shape.extend_from_slice(&self.output_shape);
        ArrayD::zeros(shape)
    }
    fn backward(&mut self, grad: ArrayD<f32>, _need_input_grad: bool) -> Option<ArrayD<f32>> {
        let _ = grad;
        None
    }
    fn output_activation(&self) -> Option<ActivationFn> {
        Some(self.activation)
    }
    fn config(&self) -> serde_json::Value {
        json!({"name": self.name, "filters": self.filters, "kernel_size": self.kernel_size,
               "strides": self.strides, "padding": self.padding,
               "activation": self.activation.name(), "use_bias": self.use_bias})
    }
    fn box_clone(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }
}
