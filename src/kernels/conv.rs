//! A 2-D convolution's passes over a batch, parallel over images: each
//! thread takes whole groups of images and, chunk by chunk while the chunk
//! is in cache, builds its im2col columns (`im2col`) and runs one
//! single-threaded product on them. The kernel's gradient is summed per
//! group of [`GROUP_IMAGES`] images, then over the groups in order: the
//! groups do not depend on the number of threads, so neither do the sums.

use super::gemm::gemm;
use super::im2col::Geom;
use crate::error::{Error, Result};
use crate::parallel::Team;
use ndarray::{ArrayView2, ArrayViewMut2};
use std::cell::RefCell;

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
    // One chunk: the product itself is split instead.
    let inner = if n <= step { team } else { Team::one() };
    let leaf = |x: &[f32], y: &mut [f32], mask: &mut [u8]| -> Result<()> {
        SCRATCH.with_borrow_mut(|[cols, _]| {
            let images = x.len() / (g.h * g.w * g.c).max(1);
            for (n0, n1) in g.chunks(images) {
                let a = g.cols(x, n0, n1, cols).ok_or_else(|| internal("columns"))?;
                let yc = &mut y[n0 * out..n1 * out];
                let mut c =
                    ArrayViewMut2::from_shape((a.nrows(), g.f), &mut *yc).map_err(internal)?;
                gemm(inner, 1.0, &a, &w.kernel, 0.0, &mut c);
                bias_relu(yc, g.f, bias, relu, mask.get_mut(n0 * out..n1 * out));
            }
            Ok(())
        })
    };
    split(team, g, n, step, x, y, mask, out, &leaf)
}

/// Adds the bias to each row of `f` logits and applies relu, recording
/// where the logits were positive when `mask` is given and not empty.
fn bias_relu(y: &mut [f32], f: usize, bias: Option<&[f32]>, relu: bool, mask: Option<&mut [u8]>) {
    if let Some(b) = bias {
        for row in y.chunks_exact_mut(f) {
            super::add(row, b);
        }
    }
    if let Some(m) = mask.filter(|m| !m.is_empty()) {
        for (m, &v) in m.iter_mut().zip(y.iter()) {
            *m = u8::from(v > 0.0);
        }
    }
    if relu {
        for v in y.iter_mut() {
            *v = if *v > 0.0 { *v } else { 0.0 };
        }
    }
}

/// Runs `leaf(x, y, mask)` on parts of whole multiples of `unit` images,
/// in parallel on the team's threads when there are several.
#[allow(clippy::too_many_arguments)]
fn split(
    team: Team,
    g: &Geom,
    n: usize,
    unit: usize,
    x: &[f32],
    y: &mut [f32],
    mask: &mut [u8],
    out: usize,
    leaf: &(impl Fn(&[f32], &mut [f32], &mut [u8]) -> Result<()> + Sync),
) -> Result<()> {
    if team.threads() < 2 || n <= unit {
        return leaf(x, y, mask);
    }
    let mid = (n / unit / 2).max(1) * unit;
    let img = g.h * g.w * g.c;
    let (x1, x2) = x.split_at(mid * img);
    let (y1, y2) = y.split_at_mut(mid * out);
    let (m1, m2) = if mask.is_empty() {
        (&mut [][..], &mut [][..])
    } else {
        mask.split_at_mut(mid * out)
    };
    let (mut r1, mut r2) = (Ok(()), Ok(()));
    team.join(
        || r1 = split(team, g, mid, unit, x1, y1, m1, out, leaf),
        || r2 = split(team, g, n - mid, unit, x2, y2, m2, out, leaf),
    );
    r1.and(r2)
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
    let leaf = |first: usize, x: &[f32], gr: &mut [f32], sums: &mut [f32], dx: &mut [f32]| {
        SCRATCH.with_borrow_mut(|[cols, dcols]| {
            let images = x.len() / img.max(1);
            for ((n0, n1), sum) in (0..images)
                .step_by(unit)
                .map(|a| (a, (a + unit).min(images)))
                .zip(sums.chunks_exact_mut(part))
            {
                let (ksum, bsum) = sum.split_at_mut(k * f);
                let mut kv = ArrayViewMut2::from_shape((k, f), ksum).map_err(internal)?;
                for (i, (c0, c1)) in g.chunks(n1 - n0).enumerate() {
                    let (c0, c1) = (n0 + c0, n0 + c1);
                    let gc = &mut gr[c0 * per..c1 * per];
                    if let Some(m) = mask.get((first + c0) * per..(first + c1) * per) {
                        for (gv, &m) in gc.iter_mut().zip(m) {
                            *gv = if m != 0 { *gv } else { 0.0 };
                        }
                    }
                    let gc = &*gc;
                    for row in gc.chunks_exact(f) {
                        super::add(bsum, row);
                    }
                    let gv = ArrayView2::from_shape((gc.len() / f, f), gc).map_err(internal)?;
                    let a = g.cols(x, c0, c1, cols).ok_or_else(|| internal("columns"))?;
                    let beta = if i == 0 { 0.0 } else { 1.0 };
                    gemm(inner, 1.0, &a.t(), &gv, beta, &mut kv);
                    if need_dx {
                        input_grad(inner, w, &gv, c1 - c0, dcols, &mut dx[c0 * img..c1 * img])?;
                    }
                }
            }
            Ok(())
        })
    };
    let sizes = (unit, img, per, part);
    split_groups(team, sizes, 0, x, grad, &mut partial, out.dx, &leaf)?;
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

/// Runs `leaf` on parts of whole groups of `unit` images (the index of the
/// part's first image, its inputs of `img` values each, output gradients
/// of `per`, each group's partial sums of `part` values and dL/d input,
/// empty when not needed), in parallel when the team has threads.
#[allow(clippy::too_many_arguments)]
fn split_groups(
    team: Team,
    sizes: (usize, usize, usize, usize),
    first: usize,
    x: &[f32],
    grad: &mut [f32],
    sums: &mut [f32],
    dx: &mut [f32],
    leaf: &(impl Fn(usize, &[f32], &mut [f32], &mut [f32], &mut [f32]) -> Result<()> + Sync),
) -> Result<()> {
    let (unit, img, per, part) = sizes;
    let groups = sums.len() / part.max(1);
    if team.threads() < 2 || groups < 2 {
        return leaf(first, x, grad, sums, dx);
    }
    let mid = groups / 2;
    let images = mid * unit;
    let (x1, x2) = x.split_at(images * img);
    let (g1, g2) = grad.split_at_mut(images * per);
    let (s1, s2) = sums.split_at_mut(mid * part);
    let (d1, d2) = if dx.is_empty() {
        (&mut [][..], &mut [][..])
    } else {
        dx.split_at_mut(images * img)
    };
    let (mut r1, mut r2) = (Ok(()), Ok(()));
    team.join(
        || r1 = split_groups(team, sizes, first, x1, g1, s1, d1, leaf),
        || r2 = split_groups(team, sizes, first + images, x2, g2, s2, d2, leaf),
    );
    r1.and(r2)
}
