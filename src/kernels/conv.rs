//! A 2-D convolution's passes over a batch, parallel over images: each
//! thread takes whole groups of images and, chunk by chunk while the chunk
//! is in cache, builds its im2col columns (`im2col`) and runs one
//! single-threaded product on them. The kernel's gradient is summed per
//! group of [`GROUP_IMAGES`] images, then over the groups in order: the
//! groups do not depend on the number of threads, so neither do the sums.

use super::direct;
use super::gemm::gemm;
use super::im2col::Geom;
use crate::error::{Error, Result};
use crate::parallel::{for_each_units, Team, Units};
use ndarray::{ArrayView2, ArrayViewMut2};
use std::cell::RefCell;
use std::sync::Mutex;

/// Images whose kernel gradients are summed into one partial sum.
const GROUP_IMAGES: usize = 8;

thread_local! {
    /// Each thread's im2col columns and their gradients, reused across
    /// chunks and batches (a few hundred KB).
    static SCRATCH: RefCell<[Vec<f32>; 2]> = const { RefCell::new([Vec::new(), Vec::new()]) };
}

/// The weights of a convolution's pass: the kernel as a `(k, f)` matrix.
pub(crate) struct Weights<'a> {
    pub g: Geom,
    pub kernel: ArrayView2<'a, f32>,
}

fn internal(e: impl std::fmt::Display) -> Error {
    Error::internal(format!("conv2d: {e}"))
}

/// Images per group: a multiple of the chunk size.
fn group_images(g: &Geom) -> usize {
    let step = g.chunk_images();
    GROUP_IMAGES.div_ceil(step) * step
}

/// The forward pass of `n` images `x`: `y = cols(x) · kernel + bias`,
/// then relu when `relu`, with `mask` (empty, or one byte per output) set
/// to whether each logit was positive.
pub(crate) fn forward(
    team: Team,
    w: &Weights,
    bias: Option<&[f32]>,
    relu: bool,
    x: &[f32],
    y: &mut [f32],
    mask: &mut [u8],
) -> Result<()> {
    let g = &w.g;
    let n = x.len() / (g.h * g.w * g.c).max(1);
    let out = g.oh * g.ow * g.f;
    if y.len() != n * out || !(mask.is_empty() || mask.len() == y.len()) {
        return Err(internal("output size"));
    }
    let step = g.chunk_images();
    let chunks = n.div_ceil(step);
    // One chunk: the product itself is split instead.
    let inner = if chunks < 2 { team } else { Team::one() };
    let img = g.h * g.w * g.c;
    let data = (
        Units(x, step * img),
        Units(y, step * out),
        Units(mask, step * out),
    );
    let result = Mutex::new(Ok(()));
    type Parts<'a> = (Units<&'a [f32]>, Units<&'a mut [f32]>, Units<&'a mut [u8]>);
    let leaf = |_, (Units(x, _), Units(y, _), Units(mask, _)): Parts| {
        let r = SCRATCH.with_borrow_mut(|[cols, _]| {
            for (n0, n1) in g.chunks(x.len() / img.max(1)) {
                let a = g.cols(x, n0, n1, cols).ok_or_else(|| internal("columns"))?;
                let yc = &mut y[n0 * out..n1 * out];
                // The mask is empty when none is kept.
                let mc = if mask.is_empty() {
                    &mut [][..]
                } else {
                    (mask.get_mut(n0 * out..n1 * out)).ok_or_else(|| internal("relu mask size"))?
                };
                if let Some(fwd) = direct_forward(w, &a, bias, relu) {
                    if direct::forward(&fwd, yc, mc) {
                        continue;
                    }
                    return Err(internal("direct product sizes"));
                }
                let mut c =
                    ArrayViewMut2::from_shape((a.nrows(), g.f), &mut *yc).map_err(internal)?;
                gemm(inner, 1.0, &a, &w.kernel, 0.0, &mut c);
                bias_relu(yc, g.f, bias, relu, mc);
            }
            Ok(())
        });
        keep_error(&result, r);
    };
    for_each_units(team, chunks, 1, data, &leaf);
    result.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// The direct product's operands, when the kernel has few rows and the
/// columns are transposed (`a` is then `(k, rows)` transposed).
fn direct_forward<'a>(
    w: &'a Weights,
    a: &'a ArrayView2<f32>,
    bias: Option<&'a [f32]>,
    relu: bool,
) -> Option<direct::Forward<'a>> {
    let cols = direct_cols(&w.g, a)?;
    Some(direct::Forward {
        cols,
        kernel: w.kernel.to_slice()?,
        f: w.g.f,
        bias,
        relu,
    })
}

/// The transposed columns `(k, rows)` behind `a`, when the direct
/// products apply to this convolution.
fn direct_cols<'a>(g: &Geom, a: &ArrayView2<'a, f32>) -> Option<&'a [f32]> {
    if !g.transposed() || g.k() > direct::MAX_K {
        return None;
    }
    (*a).reversed_axes().to_slice()
}

/// Keeps the first error of the parts of a pass.
fn keep_error(result: &Mutex<Result<()>>, r: Result<()>) {
    if let (Err(e), Ok(mut kept)) = (r, result.lock()) {
        if kept.is_ok() {
            *kept = Err(e);
        }
    }
}

/// Adds the bias to each row of `f` logits and applies relu, recording
/// where the logits were positive when `mask` is not empty.
fn bias_relu(y: &mut [f32], f: usize, bias: Option<&[f32]>, relu: bool, mask: &mut [u8]) {
    if let Some(b) = bias {
        for row in y.chunks_exact_mut(f) {
            super::add(row, b);
        }
    }
    for (m, &v) in mask.iter_mut().zip(y.iter()) {
        *m = u8::from(v > 0.0);
    }
    if relu {
        for v in y.iter_mut() {
            *v = if *v > 0.0 { *v } else { 0.0 };
        }
    }
}

/// What the backward pass computes: the kernel's gradient `(k, f)`, the
/// bias's (when the layer has one) and dL/d input (empty when not needed).
pub(crate) struct Grads<'a> {
    pub kernel: &'a mut [f32],
    pub bias: Option<&'a mut [f32]>,
    pub dx: &'a mut [f32],
}

/// The backward pass of the `n` images `x` from dL/d output `grad`
/// (through relu when `mask` is not empty: zeroed where it is 0).
pub(crate) fn backward(
    team: Team,
    w: &Weights,
    x: &[f32],
    grad: &mut [f32],
    mask: &[u8],
    out: Grads,
) -> Result<()> {
    let g = &w.g;
    let (k, f) = (g.k(), g.f);
    let img = g.h * g.w * g.c;
    let n = x.len() / img.max(1);
    let per = g.oh * g.ow * f;
    let need_dx = !out.dx.is_empty();
    if grad.len() != n * per || (need_dx && out.dx.len() != x.len()) {
        return Err(internal("gradient size"));
    }
    if !(mask.is_empty() || mask.len() == grad.len()) {
        return Err(internal("relu mask size"));
    }
    let unit = group_images(g);
    let groups = n.div_ceil(unit);
    // Per group: the kernel's gradient, then the bias's.
    let part = k * f + f;
    let mut partial = vec![0.0f32; groups * part];
    let inner = if groups < 2 { team } else { Team::one() };
    let data = (
        (Units(x, unit * img), Units(&mut *grad, unit * per)),
        (Units(mask, unit * per), Units(&mut partial[..], part)),
        Units(&mut *out.dx, unit * img),
    );
    let result = Mutex::new(Ok(()));
    type Data<'a> = (
        (Units<&'a [f32]>, Units<&'a mut [f32]>),
        (Units<&'a [u8]>, Units<&'a mut [f32]>),
        Units<&'a mut [f32]>,
    );
    let leaf =
        |_, ((Units(x, _), Units(gr, _)), (Units(mask, _), Units(sums, _)), Units(dx, _)): Data| {
            let r = SCRATCH.with_borrow_mut(|[cols, dcols]| {
                let images = x.len() / img.max(1);
                for ((n0, n1), sum) in (0..images)
                    .step_by(unit)
                    .map(|a| (a, (a + unit).min(images)))
                    .zip(sums.chunks_exact_mut(part))
                {
                    let (ksum, bsum) = sum.split_at_mut(k * f);
                    for (i, (c0, c1)) in g.chunks(n1 - n0).enumerate() {
                        let (c0, c1) = (n0 + c0, n0 + c1);
                        let gc = &mut gr[c0 * per..c1 * per];
                        let a = g.cols(x, c0, c1, cols).ok_or_else(|| internal("columns"))?;
                        let direct = direct_cols(g, &a);
                        // Without dL/d input, the direct product reads the
                        // gradient through the mask and sums the bias's
                        // gradient itself: nothing is written back.
                        let fused = direct.is_some() && !need_dx;
                        // The mask is empty without relu.
                        let m = if mask.is_empty() {
                            &[][..]
                        } else {
                            (mask.get(c0 * per..c1 * per))
                                .ok_or_else(|| internal("relu mask size"))?
                        };
                        if !fused {
                            for (gv, &keep) in gc.iter_mut().zip(m) {
                                *gv = if keep != 0 { *gv } else { 0.0 };
                            }
                            for row in gc.chunks_exact(f) {
                                super::add(bsum, row);
                            }
                        }
                        let gc = &*gc;
                        let gv = ArrayView2::from_shape((gc.len() / f, f), gc).map_err(internal)?;
                        if let Some(cols) = direct {
                            if i == 0 {
                                ksum.fill(0.0);
                            }
                            let (mask, bias) = if fused {
                                (m, Some(&mut *bsum))
                            } else {
                                (&[][..], None)
                            };
                            let b = direct::Backward {
                                cols,
                                g: gc,
                                mask,
                                f,
                            };
                            if !direct::kernel_grad(&b, ksum, bias) {
                                return Err(internal("direct product sizes"));
                            }
                        } else {
                            let beta = if i == 0 { 0.0 } else { 1.0 };
                            let mut kv =
                                ArrayViewMut2::from_shape((k, f), &mut *ksum).map_err(internal)?;
                            gemm(inner, 1.0, &a.t(), &gv, beta, &mut kv);
                        }
                        if need_dx {
                            input_grad(inner, w, &gv, c1 - c0, dcols, &mut dx[c0 * img..c1 * img])?;
                        }
                    }
                }
                Ok(())
            });
            keep_error(&result, r);
        };
    for_each_units(team, groups, 1, data, &leaf);
    result.into_inner().unwrap_or_else(|e| e.into_inner())?;
    // The groups' sums, in order.
    let (kg, bg) = (out.kernel, out.bias);
    kg.fill(0.0);
    let mut bg = bg;
    if let Some(b) = bg.as_deref_mut() {
        b.fill(0.0);
    }
    for sum in partial.chunks_exact(part) {
        super::add(kg, &sum[..k * f]);
        if let Some(b) = bg.as_deref_mut() {
            super::add(b, &sum[k * f..]);
        }
    }
    Ok(())
}

/// Adds dL/d input of `images` images onto `dx` (zeros), from the gradient `gv`
/// of their logits: `gv · kernelᵀ`, then col2im.
fn input_grad(
    team: Team,
    w: &Weights,
    gv: &ArrayView2<f32>,
    images: usize,
    dcols: &mut Vec<f32>,
    dx: &mut [f32],
) -> Result<()> {
    let (g, kernel) = (&w.g, &w.kernel);
    let (rows, k) = (gv.nrows(), g.k());
    if g.is_pointwise() {
        // The columns are the input itself: write dL/dx directly.
        let mut d = ArrayViewMut2::from_shape((rows, k), dx).map_err(internal)?;
        gemm(team, 1.0, gv, &kernel.t(), 0.0, &mut d);
        return Ok(());
    }
    dcols.resize(rows * k, 0.0);
    let d = &mut dcols[..rows * k];
    if g.transposed() {
        let mut dv = ArrayViewMut2::from_shape((k, rows), &mut *d).map_err(internal)?;
        gemm(team, 1.0, kernel, &gv.t(), 0.0, &mut dv);
    } else {
        let mut dv = ArrayViewMut2::from_shape((rows, k), &mut *d).map_err(internal)?;
        gemm(team, 1.0, gv, &kernel.t(), 0.0, &mut dv);
    }
    g.col2im_any(d, images, dx);
    Ok(())
}
