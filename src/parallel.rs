//! Using the CPU's cores: a thread pool that lives for one `fit`,
//! `evaluate` or `predict` call, and helpers that split a matrix product or
//! an element-wise loop in two only when each half is still large work.
//!
//! At batch 32 the products are small (tens of microseconds), so the pool's
//! threads must already be running when a split happens: the whole call
//! runs inside the pool ([`run`]) and the splits are `rayon::join`s, which
//! cost about a microsecond there. Outside a pool (a layer called on its
//! own) nothing is split and no thread is started.
//!
//! The pool is made per call, not once per process: evcxr links a fresh
//! copy of kerust into every notebook cell, and a process-wide pool would
//! leave idle threads behind in every cell that trains.

use crate::fpu::FlushDenormals;
use ndarray::linalg::general_mat_mul;
use ndarray::{ArrayView2, ArrayViewMut2, Axis};

/// Floating-point operations below which a call runs on the calling thread
/// alone (starting a pool costs about 100 microseconds).
const MIN_POOL_WORK: f64 = 2e7;
/// Multiply-adds below which a product is not split (about 10 microseconds).
const MIN_SPLIT_GEMM: usize = 1 << 19;
/// Elements below which an element-wise loop is not split.
pub(crate) const MIN_SPLIT_LEN: usize = 1 << 14;
/// At most this many threads by default: the products at the lessons'
/// sizes stop gaining beyond a few cores.
const MAX_THREADS: usize = 4;

/// Runs `f` inside a thread pool sized to the machine's cores when `flops`
/// (the call's estimated floating-point work) is large enough, else on this
/// thread. Denormal floats are flushed to zero on every thread that computes.
pub(crate) fn run<R: Send>(flops: f64, f: impl FnOnce() -> R + Send) -> R {
    let threads = threads();
    if threads < 2 || flops < MIN_POOL_WORK || rayon::current_thread_index().is_some() {
        let _ftz = FlushDenormals::new();
        return f();
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("kerust-{i}"))
        // Pool threads end with the pool, so the flag need not be restored.
        .start_handler(|_| std::mem::forget(FlushDenormals::new()))
        .build();
    match pool {
        Ok(pool) => pool.install(f),
        // No threads to be had: the work still gets done, on this thread.
        Err(_) => {
            let _ftz = FlushDenormals::new();
            f()
        }
    }
}

/// The number of threads for large work: `KERUST_NUM_THREADS` when set to
/// a positive number, else the machine's cores, at most 4.
pub(crate) fn threads() -> usize {
    let set = std::env::var("KERUST_NUM_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0);
    set.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(MAX_THREADS)
    })
}

/// `c = alpha * a · b + beta * c`, split across the pool's threads when it
/// is large (by rows of `c` when it is tall, else by columns).
pub(crate) fn gemm(
    alpha: f32,
    a: &ArrayView2<f32>,
    b: &ArrayView2<f32>,
    beta: f32,
    c: &mut ArrayViewMut2<f32>,
) {
    if rayon::current_thread_index().is_none() {
        general_mat_mul(alpha, a, b, beta, c);
        return;
    }
    gemm_parts(alpha, a, b, beta, c, rayon::current_num_threads());
}

/// [`gemm`] in at most `parts` pieces: one per thread, as each piece packs
/// the operand it shares with the others again.
fn gemm_parts(
    alpha: f32,
    a: &ArrayView2<f32>,
    b: &ArrayView2<f32>,
    beta: f32,
    c: &mut ArrayViewMut2<f32>,
    parts: usize,
) {
    let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
    if parts < 2 || m * k * n < MIN_SPLIT_GEMM {
        general_mat_mul(alpha, a, b, beta, c);
        return;
    }
    let (p1, p2) = (parts / 2, parts - parts / 2);
    // Halves on a multiple of 8 keep the kernel's register blocks whole.
    if m >= n && m >= 16 {
        let mid = (m * p1 / parts).next_multiple_of(8).min(m);
        let (a1, a2) = a.view().split_at(Axis(0), mid);
        let (mut c1, mut c2) = c.view_mut().split_at(Axis(0), mid);
        rayon::join(
            || gemm_parts(alpha, &a1, b, beta, &mut c1, p1),
            || gemm_parts(alpha, &a2, b, beta, &mut c2, p2),
        );
    } else if n >= 16 {
        let mid = (n * p1 / parts).next_multiple_of(8).min(n);
        let (b1, b2) = b.view().split_at(Axis(1), mid);
        let (mut c1, mut c2) = c.view_mut().split_at(Axis(1), mid);
        rayon::join(
            || gemm_parts(alpha, a, &b1, beta, &mut c1, p1),
            || gemm_parts(alpha, a, &b2, beta, &mut c2, p2),
        );
    } else {
        general_mat_mul(alpha, a, b, beta, c);
    }
}

/// Slices (or tuples of slices) of one length that can be cut in two at
/// the same index, for [`for_each_part`].
pub(crate) trait Split: Sized + Send {
    fn len(&self) -> usize;
    fn split_at(self, mid: usize) -> (Self, Self);
}

impl Split for &mut [f32] {
    fn len(&self) -> usize {
        <[f32]>::len(self)
    }
    fn split_at(self, mid: usize) -> (Self, Self) {
        self.split_at_mut(mid)
    }
}

impl Split for &[f32] {
    fn len(&self) -> usize {
        <[f32]>::len(self)
    }
    fn split_at(self, mid: usize) -> (Self, Self) {
        <[f32]>::split_at(self, mid)
    }
}

impl<A: Split, B: Split> Split for (A, B) {
    fn len(&self) -> usize {
        self.0.len().min(self.1.len())
    }
    fn split_at(self, mid: usize) -> (Self, Self) {
        let (a1, a2) = self.0.split_at(mid);
        let (b1, b2) = self.1.split_at(mid);
        ((a1, b1), (a2, b2))
    }
}

/// Calls `f` on parts of `data` that together cover it once, in parallel
/// inside a pool when the data is long, else once on the whole.
pub(crate) fn for_each_part<T: Split>(data: T, f: &(impl Fn(T) + Sync)) {
    let len = data.len();
    if len < 2 * MIN_SPLIT_LEN || rayon::current_thread_index().is_none() {
        f(data);
        return;
    }
    let mid = (len / 2).next_multiple_of(16).min(len);
    let (d1, d2) = data.split_at(mid);
    rayon::join(|| for_each_part(d1, f), || for_each_part(d2, f));
}

/// Whether every value is finite (no NaN, no infinity); long slices are
/// scanned in parallel parts.
pub(crate) fn all_finite(x: &[f32]) -> bool {
    if x.len() < 2 * MIN_SPLIT_LEN || rayon::current_thread_index().is_none() {
        // A branch-free fold: it vectorizes.
        return !x.iter().fold(false, |bad, v| bad | !v.is_finite());
    }
    let (a, b) = x.split_at(x.len() / 2);
    let (a, b) = rayon::join(|| all_finite(a), || all_finite(b));
    a && b
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn split_products_equal_one_product() {
        for &(m, k, n) in &[(32, 784, 128), (784, 32, 128), (40, 100, 300), (3, 5, 7)] {
            let a = Array2::from_shape_fn((m, k), |(i, j)| ((i * 7 + j * 3) % 11) as f32 - 5.0);
            let b = Array2::from_shape_fn((k, n), |(i, j)| ((i * 5 + j) % 13) as f32 - 6.0);
            let mut want = Array2::from_elem((m, n), 1.0f32);
            general_mat_mul(0.5, &a, &b, 2.0, &mut want);
            let got = run(1e9, || {
                // Inside the pool, so the product is split.
                assert_eq!(rayon::current_thread_index().is_some(), threads() > 1);
                let mut c = Array2::from_elem((m, n), 1.0f32);
                gemm(0.5, &a.view(), &b.view(), 2.0, &mut c.view_mut());
                c
            });
            // Integer-valued inputs: every partial sum is exact.
            assert_eq!(got, want, "shape {m}x{k}x{n}");
        }
    }

    #[test]
    fn parts_cover_the_data_once() {
        let n = 100_003;
        let mut w = vec![0.0f32; n];
        let g: Vec<f32> = (0..n).map(|i| i as f32).collect();
        run(1e9, || {
            for_each_part((w.as_mut_slice(), g.as_slice()), &|(w, g): (
                &mut [f32],
                &[f32],
            )| {
                for (w, g) in w.iter_mut().zip(g) {
                    *w += g + 1.0;
                }
            })
        });
        assert!(w.iter().enumerate().all(|(i, &v)| v == i as f32 + 1.0));
    }

    #[test]
    fn all_finite_finds_one_bad_value() {
        let mut x = vec![1.0f32; 100_000];
        assert!(run(1e9, || all_finite(&x)));
        for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            x[77_777] = bad;
            assert!(!run(1e9, || all_finite(&x)));
            assert!(!all_finite(&x));
        }
    }
}
