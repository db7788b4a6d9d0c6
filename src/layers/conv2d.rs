//! `Conv2D`: a 2-D convolution over `(height, width, channels)` images.
//!
//! im2col and one matrix product per chunk of a few images, parallel over
//! images (`kernels::conv`), sized so that bias, relu and the gradients
//! are applied while the chunk is in cache. Padding follows TensorFlow: 'same' puts
//! `total / 2` before and the rest after.

use super::{batch_rows, cfg, check_alloc, Base, Ctx, Fused, Layer, Param, Size2, Spare, Team};
use crate::activations::{ActivationFn, ActivationSpec};
use crate::error::{Error, Result};
use crate::initializers::glorot_uniform;
use crate::kernels::im2col::Geom;
use crate::kernels::conv::{self, Grads, Weights};
use crate::kernels::{conv_out, is_same_padding, Window2D};
use crate::random::Rng;
use ndarray::{ArrayD, ArrayView2};
use serde_json::json;

/// A 2-D convolution, as `keras.layers.Conv2D` (channels last): the kernel
/// has shape `(kh, kw, in, filters)`, the bias `(filters,)`.
///
/// ```
/// use kerust::prelude::*;
/// let mut model = Sequential::new();
/// model.add(Conv2D::new(8, (3, 3)).activation("relu").input_shape([28, 28, 1]))?;
/// model.add(Conv2D::new(4, 3).strides(2).padding("same"))?;
/// assert_eq!(model.layer(0).output_shape(), &[26, 26, 8]);
/// assert_eq!(model.layer(1).output_shape(), &[13, 13, 4]);
/// assert_eq!(model.count_params(), 80 + 292);
/// # Ok::<(), kerust::Error>(())
/// ```
#[derive(Clone)]
pub struct Conv2D {
    pub(super) base: Base,
    filters: usize,
    kernel_size: (usize, usize),
    strides: (usize, usize),
    padding: String,
    fused: Fused,
    kernel: Param,
    bias: Option<Param>,
    /// The sizes, once built.
    geom: Option<Geom>,
    /// The input of the last training pass.
    cache_x: Option<ArrayD<f32>>,
    /// For relu: whether each logit was positive (all relu's backward
    /// needs, at a quarter of the logits' size).
    cache_mask: Option<Vec<u8>>,
    /// The last mask's buffer, and the last gradient's (the size of the
    /// output), reused by the next batch's forward pass.
    spare_mask: Spare<u8>,
    spare_y: Spare<f32>,
}

impl Conv2D {
    /// `filters` filters of `kernel_size` (height, width), stride 1, valid padding, linear.
    /// `kernel_size` is one integer (`3` for 3x3) or a pair `(height, width)`.
    pub fn new(filters: usize, kernel_size: impl Into<Size2>) -> Self {
        Self::with_base(Base::new("conv2d"), filters, kernel_size.into().pair())
    }
    fn with_base(base: Base, filters: usize, kernel_size: (usize, usize)) -> Self {
        Conv2D {
            base,
            filters,
            kernel_size,
            strides: (1, 1),
            padding: "valid".into(),
            fused: Fused::new(ActivationSpec::Fn(ActivationFn::Linear)),
            kernel: Param::empty("kernel"),
            bias: Some(Param::empty("bias")),
            geom: None,
            cache_x: None,
            cache_mask: None,
            spare_mask: Spare::default(),
            spare_y: Spare::default(),
        }
    }
    /// Sets the activation, by name or value.
    pub fn activation(mut self, activation: impl Into<ActivationSpec>) -> Self {
        self.fused = Fused::new(activation.into());
        self
    }
    /// Sets the strides (default `(1, 1)`): one integer or a pair.
    pub fn strides(self, strides: impl Into<Size2>) -> Self {
        self.with_strides(strides.into().pair())
    }
    fn with_strides(mut self, strides: (usize, usize)) -> Self {
        self.strides = strides;
        self
    }
    /// Sets the padding, `"valid"` (default) or `"same"`.
    pub fn padding(mut self, padding: &str) -> Self {
        self.padding = padding.to_string();
        self
    }
    super::regularizer_builders!();
    pub(crate) fn from_config(c: &serde_json::Value) -> Result<Self> {
        let base = Base::from_config(c)?;
        Self::with_base(base, cfg(c, "filters")?, cfg(c, "kernel_size")?)
            .with_strides(cfg(c, "strides")?)
            .padding(&cfg::<String>(c, "padding")?)
            .activation(ActivationSpec::Name(cfg(c, "activation")?))
            .use_bias(cfg(c, "use_bias")?)
            .regularizers_from_config(c)
    }
    fn geom(&self) -> Result<Geom> {
        self.geom
            .ok_or_else(|| Error::internal(format!("layer {} is not built", self.base.name)))
    }
    fn internal(&self, what: impl std::fmt::Display) -> Error {
        Error::internal(format!("layer {}: {what}", self.base.name))
    }
}

impl Layer for Conv2D {
    fn build(&mut self, input_shape: &[usize], rng: &mut Rng) -> Result<Vec<usize>> {
        let name = &self.base.name;
        let activation = self.fused.resolve(name)?;
        super::check_regularizers(name, &self.params())?;
        let &[h, w, c] = input_shape else {
            return Err(Error::shape(format!(
                "layer {name} expects input of shape (None, height, width, channels) but got {}",
                crate::shape::keras_shape(input_shape)
            )));
        };
        let ((kh, kw), (sh, sw), f) = (self.kernel_size, self.strides, self.filters);
        if f == 0 || kh == 0 || kw == 0 || sh == 0 || sw == 0 || c == 0 {
            return Err(Error::value(format!(
                "layer {name}: filters, kernel_size, strides and channels must be positive, got filters={f}, kernel_size=({kh}, {kw}), strides=({sh}, {sw}), channels={c}"
            )));
        }
        let same = is_same_padding(name, &self.padding)?;
        let (Some((oh, _)), Some((ow, _))) = (conv_out(h, kh, sh, same), conv_out(w, kw, sw, same))
        else {
            return Err(Error::shape(format!(
                "layer {name}: kernel ({kh}, {kw}) is larger than the input {} with 'valid' padding",
                crate::shape::keras_shape(input_shape)
            )));
        };
        let kshape = [kh, kw, c, f];
        check_alloc(name, "kernel", &kshape)?;
        check_alloc(name, "output", &[oh, ow, f])?;
        self.fused.set(activation);
        self.kernel.init(glorot_uniform(&kshape, kh * kw * c, kh * kw * f, rng));
        if let Some(b) = &mut self.bias {
            b.init(ArrayD::zeros(vec![f]));
        }
        self.geom = Window2D::new(input_shape, self.kernel_size, self.strides, same).map(|win| win.filters(f));
        Ok(self.base.built(input_shape, vec![oh, ow, f]))
    }
    super::kernel_bias_activation!();
    fn try_forward(&mut self, x: ArrayD<f32>, ctx: &mut Ctx) -> Result<ArrayD<f32>> {
        self.clear_cache();
        let g = self.geom()?;
        let (xs, out_shape) = batch_rows(&x, &self.base)?;
        let xsl = xs.as_slice().ok_or_else(|| self.internal("input layout"))?;
        let layout = || Error::internal("conv2d: weight layout");
        let ksl = self.kernel.value().to_slice().ok_or_else(layout)?;
        let kernel = ArrayView2::from_shape((g.k(), g.f), ksl).map_err(|e| self.internal(e))?;
        let bias = match &self.bias {
            Some(b) => Some(b.value().to_slice().ok_or_else(layout)?),
            None => None,
        };
        let act = self.fused.act();
        // Linear and relu are applied chunk by chunk while the logits are
        // in cache, and need no logits to go backward (relu keeps a mask);
        // other activations are applied afterwards on the whole output.
        let relu = act == ActivationFn::Relu;
        let keep_mask = ctx.training && relu;
        let total = out_shape.iter().product();
        // Both are written whole.
        let mut y = self.spare_y.take(total);
        let mut mask = self.spare_mask.take(if keep_mask { total } else { 0 });
        let w = Weights { g, kernel };
        conv::forward(ctx.team, &w, bias, relu, xsl, &mut y, &mut mask)?;
        let y = ArrayD::from_shape_vec(out_shape, y).map_err(|e| self.internal(e))?;
        let y = if relu { y } else { self.fused.forward(y, ctx.training) };
        self.cache_mask = keep_mask.then_some(mask);
        self.cache_x = ctx.training.then(|| xs.into_owned());
        Ok(y)
    }
    fn try_backward(
        &mut self,
        mut grad: ArrayD<f32>,
        need_input_grad: bool,
        team: Team,
    ) -> Result<Option<ArrayD<f32>>> {
        match self.fused.act() {
            ActivationFn::Relu => self.backward_chunks(grad, need_input_grad, true, team),
            _ => {
                self.fused.backward(&mut grad, &self.base.name)?;
                self.backward_chunks(grad, need_input_grad, false, team)
            }
        }
    }
    fn try_backward_from_logits(
        &mut self,
        grad: ArrayD<f32>,
        need_input_grad: bool,
        team: Team,
    ) -> Result<Option<ArrayD<f32>>> {
        self.backward_chunks(grad, need_input_grad, false, team)
    }
    fn config(&self) -> serde_json::Value {
        let mut c = json!({"name": self.base.name, "filters": self.filters, "kernel_size": self.kernel_size,
               "strides": self.strides, "padding": self.padding,
               "activation": self.fused.spec_name(), "use_bias": self.bias.is_some()});
        super::regularizers_config(&mut c, &self.kernel, self.bias.as_ref());
        c
    }
    fn clear_cache(&mut self) {
        self.cache_x = None;
        if let Some(m) = self.cache_mask.take() {
            self.spare_mask.put(m);
        }
        self.fused.clear();
    }
}

impl Conv2D {
    /// The backward pass from dL/d output (`relu`: through relu, using the
    /// cached mask) or dL/d logits, chunk by chunk while each is in cache.
    fn backward_chunks(
        &mut self,
        grad: ArrayD<f32>,
        need_input_grad: bool,
        relu: bool,
        team: Team,
    ) -> Result<Option<ArrayD<f32>>> {
        let g = self.geom()?;
        let x = self.cache_x.as_ref().ok_or_else(|| self.base.no_cache())?;
        let n = x.shape()[0];
        if grad.shape() != self.base.batch_output(n) {
            return Err(self.base.wrong_input(grad.shape()));
        }
        let mut grad = super::standard(grad);
        let mask: &[u8] = match (relu, &self.cache_mask) {
            (true, Some(m)) if m.len() == grad.len() => m,
            (true, _) => return Err(self.base.no_cache()),
            (false, _) => &[],
        };
        let (Some(xsl), Some(gsl)) = (x.as_slice(), grad.as_slice_mut()) else {
            return Err(Error::internal("conv2d: layout"));
        };
        let (kernel, kgrad) = self.kernel.value_and_grad_mut();
        let (Some(ksl), Some(kgsl)) = (kernel.as_slice(), kgrad.as_slice_mut()) else {
            return Err(Error::internal("conv2d: kernel layout"));
        };
        let kernel = ArrayView2::from_shape((g.k(), g.f), ksl)
            .map_err(|e| Error::internal(format!("conv2d: {e}")))?;
        let bias = match &mut self.bias {
            Some(b) => b.value_and_grad_mut().1.as_slice_mut(),
            None => None,
        };
        let mut dx = vec![0.0f32; if need_input_grad { x.len() } else { 0 }];
        let grads = Grads {
            kernel: kgsl,
            bias,
            dx: &mut dx,
        };
        conv::backward(team, &Weights { g, kernel }, xsl, gsl, mask, grads)?;
        // The gradient has the output's size: the next batch's output.
        self.spare_y.put(grad.into_raw_vec_and_offset().0);
        if !need_input_grad {
            return Ok(None);
        }
        ArrayD::from_shape_vec(x.raw_dim(), dx)
            .map(Some)
            .map_err(|e| Error::internal(format!("conv2d: {e}")))
    }
}
