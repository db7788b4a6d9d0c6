//! Direct convolution products for kernels of few rows `k = kh * kw * c`
//! (a first layer on grayscale or RGB images, where a general matrix
//! product of inner size 9 spends its time packing): the logits from the
//! transposed im2col columns, with bias, relu and its mask applied as each
//! block is written, and the kernel's gradient.
//!
//! Each value is summed in one fixed order (over the kernel rows `q`, or
//! over the positions), whatever the block sizes: the AVX2 build of the
//! same code (chosen at run time) gives the same bits as the portable one.

/// Kernel rows up to which the direct products are used.
pub(crate) const MAX_K: usize = 32;

/// The forward product of one chunk: `cols` are the transposed columns
/// `(k, rows)`, `kernel` is `(k, f)`, `y` is `(rows, f)`.
pub(crate) struct Forward<'a> {
    pub cols: &'a [f32],
    pub kernel: &'a [f32],
    pub f: usize,
    pub bias: Option<&'a [f32]>,
    pub relu: bool,
}

/// Whether the direct products apply: `k` rows of `f` filters, `rows`
/// positions, `cols` holding `(k, rows)`.
fn fits(k: usize, f: usize, rows: usize, cols: usize, kernel: usize) -> bool {
    (1..=MAX_K).contains(&k) && f > 0 && rows > 0 && kernel == k * f && cols == k * rows
}

/// `y = colsᵀ · kernel + bias`, then relu when asked, with `mask` (empty,
/// or one byte per logit) set to whether each logit was positive. Returns
/// false, touching nothing, when the sizes do not agree.
pub(crate) fn forward(a: &Forward, y: &mut [f32], mask: &mut [u8]) -> bool {
    let (f, rows) = (a.f, y.len() / a.f.max(1));
    let k = a.kernel.len() / f.max(1);
    if !fits(k, f, rows, a.cols.len(), a.kernel.len())
        || y.len() != rows * f
        || !(mask.is_empty() || mask.len() == y.len())
        || a.bias.is_some_and(|b| b.len() != f)
    {
        return false;
    }
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, checked just above.
        unsafe { forward_avx2(a, y, mask) };
        return true;
    }
    forward_any::<4, 8>(a, y, mask);
    true
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn forward_avx2(a: &Forward, y: &mut [f32], mask: &mut [u8]) {
    forward_any::<4, 16>(a, y, mask);
}

/// [`forward_blocks`] for this activation and mask.
#[inline(always)]
fn forward_any<const MR: usize, const NB: usize>(a: &Forward, y: &mut [f32], mask: &mut [u8]) {
    match (a.relu, !mask.is_empty()) {
        (true, true) => forward_blocks::<MR, NB, true, true>(a, y, mask),
        (true, false) => forward_blocks::<MR, NB, true, false>(a, y, mask),
        (false, true) => forward_blocks::<MR, NB, false, true>(a, y, mask),
        (false, false) => forward_blocks::<MR, NB, false, false>(a, y, mask),
    }
}

/// [`forward`] in blocks of `MR` positions by `NB` filters, summed in
/// registers over the kernel rows, then the bias added (`-0.0`, which
/// changes nothing, without one).
#[inline(always)]
fn forward_blocks<const MR: usize, const NB: usize, const RELU: bool, const MASK: bool>(
    a: &Forward,
    y: &mut [f32],
    mask: &mut [u8],
) {
    let f = a.f;
    let rows = y.len() / f;
    let k = a.kernel.len() / f;
    let bias = |j: usize| a.bias.map_or(-0.0, |b| b[j]);
    let mut kb = [[0.0f32; NB]; MAX_K];
    let mut fb = 0;
    while fb + NB <= f {
        // This block of filters' kernel columns and biases, as arrays.
        for (dst, src) in kb.iter_mut().zip(a.kernel.chunks_exact(f)) {
            dst.copy_from_slice(&src[fb..fb + NB]);
        }
        let mut bb = [0.0f32; NB];
        for (j, b) in bb.iter_mut().enumerate() {
            *b = bias(fb + j);
        }
        let mut p0 = 0;
        while p0 + MR <= rows {
            let mut acc = [[0.0f32; NB]; MR];
            for (crow, kq) in a.cols.chunks_exact(rows).zip(&kb[..k]) {
                let c = &crow[p0..p0 + MR];
                for r in 0..MR {
                    for j in 0..NB {
                        acc[r][j] += c[r] * kq[j];
                    }
                }
            }
            for (r, acc) in acc.iter().enumerate() {
                let at = (p0 + r) * f + fb;
                store::<NB, RELU, MASK>(acc, &bb, &mut y[at..at + NB], mask, at);
            }
            p0 += MR;
        }
        for p in p0..rows {
            let mut acc = [0.0f32; NB];
            for (crow, kq) in a.cols.chunks_exact(rows).zip(&kb[..k]) {
                for j in 0..NB {
                    acc[j] += crow[p] * kq[j];
                }
            }
            let at = p * f + fb;
            store::<NB, RELU, MASK>(&acc, &bb, &mut y[at..at + NB], mask, at);
        }
        fb += NB;
    }
    // The filters left over, one at a time in the same order.
    for j in fb..f {
        for p in 0..rows {
            let mut s = 0.0f32;
            for (crow, kq) in a.cols.chunks_exact(rows).zip(a.kernel.chunks_exact(f)) {
                s += crow[p] * kq[j];
            }
            let at = p * f + j;
            store::<1, RELU, MASK>(&[s], &[bias(j)], &mut y[at..at + 1], mask, at);
        }
    }
}

/// Writes `NB` logits `acc + bias` at `at` after the activation, and
/// whether each was positive into `mask` when `MASK`.
#[inline(always)]
fn store<const NB: usize, const RELU: bool, const MASK: bool>(
    acc: &[f32; NB],
    bias: &[f32; NB],
    y: &mut [f32],
    mask: &mut [u8],
    at: usize,
) {
    let mut v = *acc;
    for (v, &b) in v.iter_mut().zip(bias) {
        *v += b;
    }
    for (y, &v) in y.iter_mut().zip(&v) {
        *y = if !RELU || v > 0.0 { v } else { 0.0 };
    }
    if MASK {
        for (m, &v) in mask[at..at + NB].iter_mut().zip(&v) {
            *m = u8::from(v > 0.0);
        }
    }
}

/// The backward product of one chunk: the transposed columns `(k, rows)`,
/// the logits' gradient `g` `(rows, f)` and, when not empty, relu's mask
/// (one byte per logit: the gradient counts where it is not 0).
pub(crate) struct Backward<'a> {
    pub cols: &'a [f32],
    pub g: &'a [f32],
    pub mask: &'a [u8],
    pub f: usize,
}

/// `kgrad += cols · g` (through the mask): the kernel's gradient `(k, f)`,
/// each entry summed over the positions in order, then added; and when
/// `bgrad` is given, the bias's, each row of `g` added onto it in order.
/// Returns false, touching nothing, when the sizes do not agree.
pub(crate) fn kernel_grad(b: &Backward, kgrad: &mut [f32], bgrad: Option<&mut [f32]>) -> bool {
    let f = b.f;
    let rows = b.g.len() / f.max(1);
    let k = kgrad.len() / f.max(1);
    if !fits(k, f, rows, b.cols.len(), kgrad.len())
        || b.g.len() != rows * f
        || !(b.mask.is_empty() || b.mask.len() == b.g.len())
        || bgrad.as_ref().is_some_and(|bg| bg.len() != f)
    {
        return false;
    }
    let bgrad = bgrad.unwrap_or_default();
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, checked just above.
        unsafe { kernel_grad_avx2(b, kgrad, bgrad) };
        return true;
    }
    kernel_grad_any::<3, 8>(b, kgrad, bgrad);
    true
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn kernel_grad_avx2(b: &Backward, kgrad: &mut [f32], bgrad: &mut [f32]) {
    kernel_grad_any::<3, 16>(b, kgrad, bgrad);
}

/// [`kernel_grad`] in blocks of `QB` kernel rows by `NB` filters; the
/// bias's gradient (when `bgrad` is not empty) with the first block.
#[inline(always)]
fn kernel_grad_any<const QB: usize, const NB: usize>(
    b: &Backward,
    kgrad: &mut [f32],
    bgrad: &mut [f32],
) {
    let k = kgrad.len() / b.f;
    let mut q0 = 0;
    while q0 < k {
        let step = if q0 + QB <= k { QB } else { 1 };
        match (step == QB, !b.mask.is_empty(), q0 == 0 && !bgrad.is_empty()) {
            (true, true, true) => kgrad_rows::<QB, NB, true, true>(b, q0, kgrad, bgrad),
            (true, true, false) => kgrad_rows::<QB, NB, true, false>(b, q0, kgrad, bgrad),
            (true, false, true) => kgrad_rows::<QB, NB, false, true>(b, q0, kgrad, bgrad),
            (true, false, false) => kgrad_rows::<QB, NB, false, false>(b, q0, kgrad, bgrad),
            (false, true, true) => kgrad_rows::<1, NB, true, true>(b, q0, kgrad, bgrad),
            (false, true, false) => kgrad_rows::<1, NB, true, false>(b, q0, kgrad, bgrad),
            (false, false, true) => kgrad_rows::<1, NB, false, true>(b, q0, kgrad, bgrad),
            (false, false, false) => kgrad_rows::<1, NB, false, false>(b, q0, kgrad, bgrad),
        }
        q0 += step;
    }
}

/// `NB` values of row `p` of the gradient from filter `fb` on, zeroed
/// where the mask (when `MASK`) is 0.
#[inline(always)]
fn grad_block<const NB: usize, const MASK: bool>(b: &Backward, p: usize, fb: usize) -> [f32; NB] {
    let at = p * b.f + fb;
    let mut out = [0.0f32; NB];
    out.copy_from_slice(&b.g[at..at + NB]);
    if MASK {
        for (o, &m) in out.iter_mut().zip(&b.mask[at..at + NB]) {
            *o = if m != 0 { *o } else { 0.0 };
        }
    }
    out
}

/// The gradient of kernel rows `q0..q0 + R`, all filters, and with
/// `BIAS` the bias's.
// The position `p` indexes the gradient's rows and `R` rows of columns at once.
#[allow(clippy::needless_range_loop)]
#[inline(always)]
fn kgrad_rows<const R: usize, const NB: usize, const MASK: bool, const BIAS: bool>(
    b: &Backward,
    q0: usize,
    kgrad: &mut [f32],
    bgrad: &mut [f32],
) {
    let f = b.f;
    let rows = b.g.len() / f;
    let crows: [&[f32]; R] = std::array::from_fn(|r| &b.cols[(q0 + r) * rows..(q0 + r + 1) * rows]);
    let mut fb = 0;
    while fb + NB <= f {
        let mut acc = [[0.0f32; NB]; R];
        let mut bacc = [0.0f32; NB];
        if BIAS {
            bacc.copy_from_slice(&bgrad[fb..fb + NB]);
        }
        for p in 0..rows {
            let gb = grad_block::<NB, MASK>(b, p, fb);
            if BIAS {
                for j in 0..NB {
                    bacc[j] += gb[j];
                }
            }
            for r in 0..R {
                let c = crows[r][p];
                for j in 0..NB {
                    acc[r][j] += c * gb[j];
                }
            }
        }
        for (r, acc) in acc.iter().enumerate() {
            super::add(&mut kgrad[(q0 + r) * f + fb..(q0 + r) * f + fb + NB], acc);
        }
        if BIAS {
            bgrad[fb..fb + NB].copy_from_slice(&bacc);
        }
        fb += NB;
    }
    for j in fb..f {
        let mut sums = [0.0f32; R];
        let mut bsum = if BIAS { bgrad[j] } else { 0.0 };
        for p in 0..rows {
            let [gv] = grad_block::<1, MASK>(b, p, j);
            if BIAS {
                bsum += gv;
            }
            for r in 0..R {
                sums[r] += crows[r][p] * gv;
            }
        }
        for (r, s) in sums.iter().enumerate() {
            kgrad[(q0 + r) * f + j] += s;
        }
        if BIAS {
            bgrad[j] = bsum;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng as _, SeedableRng};

    /// Both products against plain sums in the same order, over sizes
    /// with and without leftover positions, filters and kernel rows, and
    /// the portable blocks against the run-time choice (AVX2 here): the
    /// same bits.
    #[test]
    fn products_equal_plain_sums_on_every_path() {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(5);
        for &(k, f, rows) in &[
            (9, 32, 676),
            (1, 3, 5),
            (27, 20, 33),
            (4, 16, 7),
            (32, 40, 9),
        ] {
            let mut v =
                |n: usize| -> Vec<f32> { (0..n).map(|_| rng.random_range(-1.0..1.0)).collect() };
            let (cols, kernel, bias, g) = (v(k * rows), v(k * f), v(f), v(rows * f));
            for (b, relu) in [
                (Some(&bias[..]), true),
                (None, false),
                (Some(&bias[..]), false),
            ] {
                let a = Forward {
                    cols: &cols,
                    kernel: &kernel,
                    f,
                    bias: b,
                    relu,
                };
                let mut y = vec![f32::NAN; rows * f];
                let mut mask = vec![7u8; rows * f];
                assert!(forward(&a, &mut y, &mut mask));
                let mut y4 = vec![f32::NAN; rows * f];
                let mut m4 = vec![7u8; rows * f];
                forward_any::<4, 8>(&a, &mut y4, &mut m4);
                assert_eq!((&y4, &m4), (&y, &mask), "paths {k} {f} {rows}");
                for p in 0..rows {
                    for j in 0..f {
                        let mut s = 0.0f32;
                        for q in 0..k {
                            s += cols[q * rows + p] * kernel[q * f + j];
                        }
                        let s = b.map_or(s, |b| s + b[j]);
                        let want = if relu && s <= 0.0 { 0.0 } else { s };
                        assert_eq!(y[p * f + j], want, "y {k} {f} {rows} {p} {j}");
                        assert_eq!(mask[p * f + j], u8::from(s > 0.0));
                    }
                }
            }
            let mask: Vec<u8> = (0..rows * f).map(|i| u8::from(i % 3 != 0)).collect();
            for m in [&mask[..], &[]] {
                let b = Backward {
                    cols: &cols,
                    g: &g,
                    mask: m,
                    f,
                };
                let (start, bstart) = (v(k * f), v(f));
                let (mut kg, mut bg) = (start.clone(), bstart.clone());
                assert!(kernel_grad(&b, &mut kg, Some(&mut bg)));
                let (mut kg3, mut bg3) = (start.clone(), bstart.clone());
                kernel_grad_any::<3, 8>(&b, &mut kg3, &mut bg3);
                assert_eq!((&kg3, &bg3), (&kg, &bg), "paths {k} {f} {rows}");
                let mut kg_alone = start.clone();
                assert!(kernel_grad(&b, &mut kg_alone, None));
                assert_eq!(kg_alone, kg);
                let gm = |p: usize, j: usize| {
                    if m.is_empty() || m[p * f + j] != 0 {
                        g[p * f + j]
                    } else {
                        0.0
                    }
                };
                for j in 0..f {
                    let mut bs = bstart[j];
                    for p in 0..rows {
                        bs += gm(p, j);
                    }
                    assert_eq!(bg[j], bs, "db {k} {f} {rows}");
                    for q in 0..k {
                        let mut s = 0.0f32;
                        for p in 0..rows {
                            s += cols[q * rows + p] * gm(p, j);
                        }
                        assert_eq!(kg[q * f + j], start[q * f + j] + s, "dk {k} {f} {rows}");
                    }
                }
            }
        }
        // Sizes that disagree are refused, untouched.
        let a = Forward {
            cols: &[1.0; 5],
            kernel: &[1.0; 4],
            f: 2,
            bias: None,
            relu: false,
        };
        let mut y = [5.0f32; 6];
        assert!(!forward(&a, &mut y, &mut []));
        assert_eq!(y, [5.0; 6]);
        let b = Backward {
            cols: &[1.0; 5],
            g: &[1.0; 6],
            mask: &[],
            f: 2,
        };
        assert!(!kernel_grad(&b, &mut y[..4], None));
    }
}
