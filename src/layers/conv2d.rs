//! `Conv2D`: a 2-D convolution over `(height, width, channels)` images.
//!
//! im2col and one matrix product (matrixmultiply, through ndarray) per
//! chunk of a few images, sized so that bias, relu and the gradients are
//! applied while the chunk is in cache. With few channels the columns are
//! built transposed so that copies run along image rows. Padding follows
//! TensorFlow: 'same' puts `total / 2` before and the rest after.

use super::{cfg, check_alloc, Ctx, Layer, Team};
use crate::activations::{ActivationFn, ActivationSpec};
use crate::error::{Error, Result};
use crate::initializers::glorot_uniform;
use crate::naming::unique_name;
use crate::random::Rng;
use ndarray::{ArrayD, ArrayView2, ArrayViewD, ArrayViewMut2};
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
#[derive(Clone)]
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
    cache_x: Option<ArrayD<f32>>,
    cache_z: Option<ArrayD<f32>>,
    cache_y: Option<ArrayD<f32>>,
    /// For relu: whether each logit was positive (all relu's backward
    /// needs, at a quarter of the logits' size).
    cache_mask: Option<Vec<u8>>,
    /// Reused buffer for one chunk of logits.
    zbuf: Vec<f32>,
    /// Reused im2col buffer.
    scratch: Vec<f32>,
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
            cache_x: None,
            cache_z: None,
            cache_y: None,
            cache_mask: None,
            zbuf: Vec::new(),
            scratch: Vec::new(),
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
    /// The sizes of the convolution, once built.
    fn geometry(&self) -> Option<Geom> {
        let &[h, w, c] = self.input_shape.as_slice() else {
            return None;
        };
        let (kh, kw) = self.kernel_size;
        let (sh, sw) = self.strides;
        let same = self.padding == "same";
        let (oh, ph) = conv_out(h, kh, sh, same)?;
        let (ow, pw) = conv_out(w, kw, sw, same)?;
        let f = self.filters;
        (self.kernel.len() == kh * kw * c * f).then_some(Geom {
            h,
            w,
            c,
            kh,
            kw,
            sh,
            sw,
            ph,
            pw,
            oh,
            ow,
            f,
        })
    }
}

impl Conv2D {
    /// The backward pass from dL/d output (`relu`: through relu, using the
    /// cached logits) or dL/d logits, chunk by chunk while each is in cache.
    fn backward_chunks(
        &mut self,
        grad: ArrayD<f32>,
        need_input_grad: bool,
        relu: bool,
        team: Team,
    ) -> Option<ArrayD<f32>> {
        let g = self.geometry()?;
        let x = self.cache_x.as_ref()?;
        let xsl = x.as_slice()?;
        let n = x.shape().first().copied()?;
        if grad.shape() != [n, g.oh, g.ow, g.f] {
            return None;
        }
        let mut grad = super::standard(grad);
        let gsl = grad.as_slice_mut()?;
        let mask: &[u8] = match (relu, &self.cache_mask) {
            (true, Some(m)) if m.len() == gsl.len() => m,
            (true, _) => return None,
            (false, _) => &[],
        };
        let kernel = ArrayView2::from_shape((g.k(), g.f), self.kernel.as_slice()?).ok()?;
        let mut kgrad =
            ArrayViewMut2::from_shape((g.k(), g.f), self.kernel_grad.as_slice_mut()?).ok()?;
        let bg = self.bias_grad.as_slice_mut()?;
        bg.fill(0.0);
        let use_bias = self.use_bias && bg.len() == g.f;
        let per = g.oh * g.ow;
        let img = g.h * g.w * g.c;
        let mut dx = if need_input_grad {
            vec![0.0f32; x.len()]
        } else {
            Vec::new()
        };
        for (i, (n0, n1)) in g.chunks(n).enumerate() {
            let rows = (n1 - n0) * per;
            let range = n0 * per * g.f..n1 * per * g.f;
            let gc = &mut gsl[range.clone()];
            if relu {
                for (gv, &m) in gc.iter_mut().zip(&mask[range]) {
                    *gv = if m != 0 { *gv } else { 0.0 };
                }
            }
            if use_bias {
                for row in gc.chunks_exact(g.f) {
                    add(bg, row);
                }
            }
            let gv = ArrayView2::from_shape((rows, g.f), &*gc).ok()?;
            {
                let a = g.cols(xsl, n0, n1, &mut self.scratch)?;
                let beta = if i == 0 { 0.0 } else { 1.0 };
                crate::parallel::gemm(team, 1.0, &a.t(), &gv, beta, &mut kgrad.view_mut());
            }
            if !need_input_grad {
                continue;
            }
            let dxc = &mut dx[n0 * img..n1 * img];
            let k = g.k();
            if g.is_pointwise() {
                // The columns are the input itself: write dL/dx directly.
                let mut d = ArrayViewMut2::from_shape((rows, k), dxc).ok()?;
                crate::parallel::gemm(team, 1.0, &gv, &kernel.t(), 0.0, &mut d);
                continue;
            }
            self.scratch.resize(rows * k, 0.0);
            let d = &mut self.scratch[..rows * k];
            if g.transposed() {
                let mut dv = ArrayViewMut2::from_shape((k, rows), &mut *d).ok()?;
                crate::parallel::gemm(team, 1.0, &kernel.view(), &gv.t(), 0.0, &mut dv);
                g.col2im_t(d, n1 - n0, dxc);
            } else {
                let mut dv = ArrayViewMut2::from_shape((rows, k), &mut *d).ok()?;
                crate::parallel::gemm(team, 1.0, &gv, &kernel.t(), 0.0, &mut dv);
                g.col2im(d, n1 - n0, dxc);
            }
        }
        if !need_input_grad {
            return None;
        }
        ArrayD::from_shape_vec(x.raw_dim(), dx).ok()
    }
}

/// Scalars of im2col columns plus outputs processed per matrix product
/// (128 KB, so that bias, activation and gradients are applied while the
/// chunk is in cache); batches are split into chunks of whole images.
const CHUNK_LIMIT: usize = 1 << 15;

/// The sizes of a built convolution: input `(h, w, c)`, kernel `(kh, kw)`,
/// strides, padding before each axis, output `(oh, ow, f)`.
#[derive(Debug, Clone, Copy)]
struct Geom {
    h: usize,
    w: usize,
    c: usize,
    kh: usize,
    kw: usize,
    sh: usize,
    sw: usize,
    ph: usize,
    pw: usize,
    oh: usize,
    ow: usize,
    f: usize,
}

impl Geom {
    /// Length of one im2col row: `kh * kw * c`, the kernel's rows.
    fn k(&self) -> usize {
        self.kh * self.kw * self.c
    }
    /// A 1x1 kernel with stride 1: the columns are the input itself.
    fn is_pointwise(&self) -> bool {
        self.kh == 1 && self.kw == 1 && self.sh == 1 && self.sw == 1
    }
    /// Ranges of images `[n0, n1)` whose columns and outputs fit in
    /// [`CHUNK_LIMIT`] (at least one image).
    fn chunks(&self, n: usize) -> impl Iterator<Item = (usize, usize)> {
        let per_image = (self.oh * self.ow * (self.k() + self.f)).max(1);
        let step = (CHUNK_LIMIT / per_image).max(1);
        (0..n).step_by(step).map(move |n0| (n0, (n0 + step).min(n)))
    }
    /// Few channels: the columns are built transposed, `(kh * kw * c,
    /// images * oh * ow)`, so that the copies run along image rows instead
    /// of being a few scalars each.
    fn transposed(&self) -> bool {
        !self.is_pointwise() && self.kw * self.c < 16
    }
    /// The im2col matrix `(images * oh * ow, kh * kw * c)` of images
    /// `[n0, n1)` of `x`, built in `scratch` (or `x` itself for a 1x1 kernel).
    fn cols<'a>(
        &self,
        x: &'a [f32],
        n0: usize,
        n1: usize,
        scratch: &'a mut Vec<f32>,
    ) -> Option<ArrayView2<'a, f32>> {
        let img = self.h * self.w * self.c;
        let k = self.k();
        let rows = (n1 - n0) * self.oh * self.ow;
        let x = x.get(n0 * img..n1 * img)?;
        if self.is_pointwise() {
            return ArrayView2::from_shape((rows, k), x).ok();
        }
        scratch.resize(rows * k, 0.0);
        let cols = &mut scratch[..rows * k];
        if self.transposed() {
            self.gather_t(x, cols);
            return ArrayView2::from_shape((k, rows), &*cols)
                .ok()
                .map(|v| v.reversed_axes());
        }
        let mut dst_rows = cols.chunks_exact_mut(k);
        for xi in x.chunks_exact(img) {
            for oy in 0..self.oh {
                for ox in 0..self.ow {
                    if let Some(row) = dst_rows.next() {
                        self.gather(xi, oy, ox, row);
                    }
                }
            }
        }
        ArrayView2::from_shape((rows, k), &*cols).ok()
    }
    /// The outputs `ox` whose input column `ox * sw + j - pw` is inside the image.
    fn valid_ox(&self, j: usize) -> std::ops::Range<usize> {
        let lo = self.pw.saturating_sub(j).div_ceil(self.sw).min(self.ow);
        let hi = (self.w + self.pw)
            .saturating_sub(j)
            .div_ceil(self.sw)
            .clamp(lo, self.ow);
        lo..hi
    }
    /// Calls `f(segment, source, valid)` for each kernel position and
    /// channel `q`, image and output row: `segment` is where that image
    /// row starts in the transposed columns' row `q`, `valid` its outputs
    /// `ox` inside the image, `source` the input's first
    /// index for its valid outputs `ox` (then every `sw * c`), or `None`
    /// when the row falls in the padding.
    fn for_each_segment(
        &self,
        images: usize,
        mut f: impl FnMut(usize, Option<usize>, &std::ops::Range<usize>),
    ) {
        let rows = images * self.oh * self.ow;
        for i in 0..self.kh {
            for j in 0..self.kw {
                let valid = self.valid_ox(j);
                for ci in 0..self.c {
                    let q = (i * self.kw + j) * self.c + ci;
                    for b in 0..images {
                        for oy in 0..self.oh {
                            let seg = q * rows + (b * self.oh + oy) * self.ow;
                            let iy = (oy * self.sh + i) as isize - self.ph as isize;
                            let src = (iy >= 0 && (iy as usize) < self.h && !valid.is_empty())
                                .then(|| {
                                    let ix = valid.start * self.sw + j - self.pw;
                                    ((b * self.h + iy as usize) * self.w + ix) * self.c + ci
                                });
                            f(seg, src, &valid);
                        }
                    }
                }
            }
        }
    }
    /// Fills the transposed columns `(kh * kw * c, images * oh * ow)`.
    fn gather_t(&self, x: &[f32], cols: &mut [f32]) {
        let step = self.sw * self.c;
        let images = x.len() / (self.h * self.w * self.c).max(1);
        self.for_each_segment(images, |seg, src, valid| {
            let Some(dst) = cols.get_mut(seg..seg + self.ow) else {
                return;
            };
            let Some(src) = src else {
                dst.fill(0.0);
                return;
            };
            dst[..valid.start].fill(0.0);
            dst[valid.end..].fill(0.0);
            let d = &mut dst[valid.clone()];
            if step == 1 {
                d.copy_from_slice(&x[src..src + d.len()]);
            } else {
                for (v, s) in d.iter_mut().zip(x[src..].iter().step_by(step)) {
                    *v = *s;
                }
            }
        });
    }
    /// Adds transposed column gradients back onto the input (the
    /// transpose of [`Geom::gather_t`]).
    fn col2im_t(&self, dcols: &[f32], images: usize, dx: &mut [f32]) {
        let step = self.sw * self.c;
        self.for_each_segment(images, |seg, src, valid| {
            let (Some(src), Some(d)) = (src, dcols.get(seg + valid.start..seg + valid.end)) else {
                return;
            };
            if step == 1 {
                add(&mut dx[src..src + d.len()], d);
            } else {
                for (v, s) in dx[src..].iter_mut().step_by(step).zip(d) {
                    *v += *s;
                }
            }
        });
    }
    /// Copies the receptive field of output `(oy, ox)` of image `xi` into `row`.
    fn gather(&self, xi: &[f32], oy: usize, ox: usize, row: &mut [f32]) {
        let (c, span) = (self.c, self.kw * self.c);
        let x0 = (ox * self.sw) as isize - self.pw as isize;
        let inside = x0 >= 0 && x0 as usize + self.kw <= self.w;
        for (i, dst) in row.chunks_exact_mut(span).enumerate() {
            let iy = (oy * self.sh + i) as isize - self.ph as isize;
            if iy < 0 || iy as usize >= self.h {
                dst.fill(0.0);
                continue;
            }
            let line = iy as usize * self.w;
            if inside {
                let start = (line + x0 as usize) * c;
                dst.copy_from_slice(&xi[start..start + span]);
                continue;
            }
            for (j, d) in dst.chunks_exact_mut(c).enumerate() {
                let ix = x0 + j as isize;
                if ix < 0 || ix as usize >= self.w {
                    d.fill(0.0);
                } else {
                    let start = (line + ix as usize) * c;
                    d.copy_from_slice(&xi[start..start + c]);
                }
            }
        }
    }
    /// Adds the columns' gradients `dcols` of `images` images back onto
    /// their input positions in `dx` (the transpose of [`Geom::cols`]).
    fn col2im(&self, dcols: &[f32], images: usize, dx: &mut [f32]) {
        let img = self.h * self.w * self.c;
        let per = self.oh * self.ow * self.k();
        let (c, span) = (self.c, self.kw * self.c);
        for (dxi, di) in dx
            .chunks_exact_mut(img)
            .zip(dcols.chunks_exact(per))
            .take(images)
        {
            let mut rows = di.chunks_exact(self.k());
            for oy in 0..self.oh {
                for ox in 0..self.ow {
                    let Some(row) = rows.next() else {
                        return;
                    };
                    let x0 = (ox * self.sw) as isize - self.pw as isize;
                    let inside = x0 >= 0 && x0 as usize + self.kw <= self.w;
                    for (i, src) in row.chunks_exact(span).enumerate() {
                        let iy = (oy * self.sh + i) as isize - self.ph as isize;
                        if iy < 0 || iy as usize >= self.h {
                            continue;
                        }
                        let line = iy as usize * self.w;
                        if inside {
                            let start = (line + x0 as usize) * c;
                            add(&mut dxi[start..start + span], src);
                            continue;
                        }
                        for (j, s) in src.chunks_exact(c).enumerate() {
                            let ix = x0 + j as isize;
                            if ix >= 0 && (ix as usize) < self.w {
                                let start = (line + ix as usize) * c;
                                add(&mut dxi[start..start + c], s);
                            }
                        }
                    }
                }
            }
        }
    }
}

fn add(dst: &mut [f32], src: &[f32]) {
    for (d, &s) in dst.iter_mut().zip(src) {
        *d += s;
    }
}

/// Output length and padding before, for one spatial axis (TensorFlow's rules).
pub(crate) fn conv_out(len: usize, k: usize, s: usize, same: bool) -> Option<(usize, usize)> {
    if len == 0 || s == 0 {
        None
    } else if same {
        let out = len.div_ceil(s);
        // Checked: kernel sizes come from the user and may be absurd.
        let total = (out - 1)
            .checked_mul(s)?
            .checked_add(k)?
            .saturating_sub(len);
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
        let activation = self.spec.resolve_for(&self.name)?;
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
            self.bias = b.as_standard_layout().into_owned();
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
    fn forward(&mut self, x: &ArrayD<f32>, ctx: &mut Ctx) -> ArrayD<f32> {
        let (out_shape, xs) = super::batch_rows(x, &self.input_shape, &self.output_shape);
        let n = out_shape[0];
        self.clear_cache();
        let (Some(g), Some(xs)) = (self.geometry(), xs) else {
            return ArrayD::zeros(out_shape);
        };
        let Some(xsl) = xs.as_slice() else {
            return ArrayD::zeros(out_shape);
        };
        let (Some(ksl), Some(bias)) = (self.kernel.as_slice(), self.bias.as_slice()) else {
            return ArrayD::zeros(out_shape);
        };
        let Ok(kernel) = ArrayView2::from_shape((g.k(), g.f), ksl) else {
            return ArrayD::zeros(out_shape);
        };
        let act = self.activation;
        // Linear and relu are applied chunk by chunk while the logits are
        // in cache, and need no logits to go backward (relu keeps a mask);
        // other activations are applied afterwards on the whole output.
        let inline = matches!(act, ActivationFn::Linear | ActivationFn::Relu);
        let keep_z =
            matches!(act, ActivationFn::Softmax | ActivationFn::Sigmoid) || ctx.training && !inline;
        let keep_mask = ctx.training && act == ActivationFn::Relu;
        let has_bias = self.use_bias && bias.len() == g.f;
        let per = g.oh * g.ow;
        let total = n * per * g.f;
        let mut y = Vec::with_capacity(total);
        let mut z = Vec::with_capacity(if keep_z { total } else { 0 });
        let mut mask = Vec::with_capacity(if keep_mask { total } else { 0 });
        let mut zc = std::mem::take(&mut self.zbuf);
        for (n0, n1) in g.chunks(n) {
            let rows = (n1 - n0) * per;
            zc.clear();
            zc.resize(rows * g.f, 0.0);
            let (Some(a), Ok(mut c)) = (
                g.cols(xsl, n0, n1, &mut self.scratch),
                ArrayViewMut2::from_shape((rows, g.f), &mut zc[..]),
            ) else {
                return ArrayD::zeros(out_shape);
            };
            crate::parallel::gemm(ctx.team, 1.0, &a.view(), &kernel.view(), 0.0, &mut c);
            if has_bias {
                for row in zc.chunks_exact_mut(g.f) {
                    add(row, bias);
                }
            }
            if keep_z {
                z.extend_from_slice(&zc);
            }
            if keep_mask {
                mask.extend(zc.iter().map(|&v| u8::from(v > 0.0)));
            }
            if act == ActivationFn::Relu {
                y.extend(zc.iter().map(|&v| if v > 0.0 { v } else { 0.0 }));
            } else {
                y.extend_from_slice(&zc);
            }
        }
        self.zbuf = zc;
        let Ok(mut y) = ArrayD::from_shape_vec(out_shape.clone(), y) else {
            return ArrayD::zeros(out_shape);
        };
        if !inline {
            act.apply(&mut y);
        }
        self.cache_y = (ctx.training && !inline).then(|| y.clone());
        self.cache_z = keep_z
            .then(|| ArrayD::from_shape_vec(out_shape, z).ok())
            .flatten();
        self.cache_mask = keep_mask.then_some(mask);
        self.cache_x = ctx.training.then(|| xs.into_owned());
        y
    }
    fn backward(
        &mut self,
        mut grad: ArrayD<f32>,
        need_input_grad: bool,
        team: Team,
    ) -> Option<ArrayD<f32>> {
        match self.activation {
            ActivationFn::Linear => self.backward_chunks(grad, need_input_grad, false, team),
            ActivationFn::Relu => self.backward_chunks(grad, need_input_grad, true, team),
            act => {
                let (z, y) = (self.cache_z.as_ref()?, self.cache_y.as_ref()?);
                if z.shape() != grad.shape() || y.shape() != grad.shape() {
                    return None;
                }
                act.backward(z.view(), y.view(), &mut grad);
                self.backward_chunks(grad, need_input_grad, false, team)
            }
        }
    }
    /// Kept for softmax and sigmoid (the losses use them), and while
    /// training for activations other than linear and relu.
    fn logits(&self) -> Option<&ArrayD<f32>> {
        self.cache_z.as_ref()
    }
    fn backward_from_logits(
        &mut self,
        grad: ArrayD<f32>,
        need_input_grad: bool,
        team: Team,
    ) -> Option<ArrayD<f32>> {
        self.backward_chunks(grad, need_input_grad, false, team)
    }
    fn output_activation(&self) -> Option<ActivationFn> {
        Some(self.activation)
    }
    fn config(&self) -> serde_json::Value {
        json!({"name": self.name, "filters": self.filters, "kernel_size": self.kernel_size,
               "strides": self.strides, "padding": self.padding,
               "activation": self.spec.name(), "use_bias": self.use_bias})
    }
    fn box_clone(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }
    fn clear_cache(&mut self) {
        self.cache_x = None;
        self.cache_y = None;
        self.cache_z = None;
        self.cache_mask = None;
    }
}
