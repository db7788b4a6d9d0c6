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
//!
//! For the same reason layers and optimizers are handed the pool as a
//! [`Team`] instead of asking rayon whether they run in one: a model built
//! in one cell and trained in a later one runs its layers' code from the
//! earlier cell's copy of kerust, whose copy of rayon knows nothing of the
//! pool that the later cell's `fit` started. A `Team` calls back into the
//! copy that made the pool.

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

/// The threads of one `fit`, `evaluate` or `predict` call, for layers and
/// optimizers to split large work on: [`Team::one`] outside a pool.
#[derive(Clone, Copy)]
pub struct Team<'a> {
    pool: Option<&'a (dyn Join + Sync)>,
}

/// How a [`Team`] runs two pieces of work at once.
pub(crate) trait Join {
    /// The number of threads.
    fn threads(&self) -> usize;
    /// Runs `a` and `b`, in parallel when a thread is free.
    fn join(&self, a: &mut (dyn FnMut() + Send), b: &mut (dyn FnMut() + Send));
}

/// The pool [`run`] started, seen from its own threads.
struct Rayon;

impl Join for Rayon {
    fn threads(&self) -> usize {
        rayon::current_num_threads()
    }
    fn join(&self, a: &mut (dyn FnMut() + Send), b: &mut (dyn FnMut() + Send)) {
        rayon::join(a, b);
    }
}

impl Team<'_> {
    /// The calling thread alone: nothing is split.
    pub fn one() -> Team<'static> {
        Team { pool: None }
    }
    /// The number of threads (1 outside a pool).
    pub fn threads(&self) -> usize {
        self.pool.map_or(1, |p| p.threads().max(1))
    }
    fn join(&self, a: impl FnOnce() + Send, b: impl FnOnce() + Send) {
        match self.pool {
            Some(pool) => {
                // `Join` takes `FnMut` (a `dyn FnOnce` cannot be called
                // through a reference); each runs once.
                let (mut a, mut b) = (Some(a), Some(b));
                pool.join(&mut || a.take().into_iter().for_each(|a| a()), &mut || {
                    b.take().into_iter().for_each(|b| b())
                });
            }
            None => {
                a();
                b();
            }
        }
    }
}

impl std::fmt::Debug for Team<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Team({} threads)", self.threads())
    }
}

/// Runs `f` inside a thread pool sized to the machine's cores when `flops`
/// (the call's estimated floating-point work) is large enough, else on this
/// thread. Denormal floats are flushed to zero on every thread that computes.
pub(crate) fn run<R: Send>(flops: f64, f: impl FnOnce(Team) -> R + Send) -> R {
    let threads = threads();
    if threads < 2 || flops < MIN_POOL_WORK || rayon::current_thread_index().is_some() {
        let _ftz = FlushDenormals::new();
        return f(Team::one());
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("kerust-{i}"))
        // Pool threads end with the pool, so the flag need not be restored.
        .start_handler(|_| std::mem::forget(FlushDenormals::new()))
        .build();
    match pool {
        Ok(pool) => pool.install(|| f(Team { pool: Some(&Rayon) })),
        // No threads to be had: the work still gets done, on this thread.
        Err(_) => {
            let _ftz = FlushDenormals::new();
            f(Team::one())
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

/// `c = alpha * a · b + beta * c`, split across the team's threads when it
/// is large (by rows of `c` when it is tall, else by columns).
pub(crate) fn gemm(
    team: Team,
    alpha: f32,
    a: &ArrayView2<f32>,
    b: &ArrayView2<f32>,
    beta: f32,
    c: &mut ArrayViewMut2<f32>,
) {
    gemm_parts(team, alpha, a, b, beta, c, team.threads());
}

/// [`gemm`] in at most `parts` pieces: one per thread, as each piece packs
/// the operand it shares with the others again.
fn gemm_parts(
    team: Team,
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
        team.join(
            || gemm_parts(team, alpha, &a1, b, beta, &mut c1, p1),
            || gemm_parts(team, alpha, &a2, b, beta, &mut c2, p2),
        );
    } else if n >= 16 {
        let mid = (n * p1 / parts).next_multiple_of(8).min(n);
        let (b1, b2) = b.view().split_at(Axis(1), mid);
        let (mut c1, mut c2) = c.view_mut().split_at(Axis(1), mid);
        team.join(
            || gemm_parts(team, alpha, a, &b1, beta, &mut c1, p1),
            || gemm_parts(team, alpha, a, &b2, beta, &mut c2, p2),
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
/// on the team's threads when the data is long, else once on the whole.
pub(crate) fn for_each_part<T: Split>(team: Team, data: T, f: &(impl Fn(T) + Sync)) {
    let len = data.len();
    if len < 2 * MIN_SPLIT_LEN || team.threads() < 2 {
        f(data);
        return;
    }
    let mid = (len / 2).next_multiple_of(16).min(len);
    let (d1, d2) = data.split_at(mid);
    team.join(|| for_each_part(team, d1, f), || for_each_part(team, d2, f));
}

/// Whether every value is finite (no NaN, no infinity); long slices are
/// scanned in parallel parts.
pub(crate) fn all_finite(team: Team, x: &[f32]) -> bool {
    if x.len() < 2 * MIN_SPLIT_LEN || team.threads() < 2 {
        // A branch-free fold: it vectorizes.
        return !x.iter().fold(false, |bad, v| bad | !v.is_finite());
    }
    let (a, b) = x.split_at(x.len() / 2);
    let (mut fa, mut fb) = (true, true);
    team.join(|| fa = all_finite(team, a), || fb = all_finite(team, b));
    fa && fb
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Integer-valued inputs: every partial sum of a product is exact.
    fn operands(m: usize, k: usize, n: usize) -> (Array2<f32>, Array2<f32>) {
        let a = Array2::from_shape_fn((m, k), |(i, j)| ((i * 7 + j * 3) % 11) as f32 - 5.0);
        let b = Array2::from_shape_fn((k, n), |(i, j)| ((i * 5 + j) % 13) as f32 - 6.0);
        (a, b)
    }

    #[test]
    fn split_products_equal_one_product() {
        for &(m, k, n) in &[(32, 784, 128), (784, 32, 128), (40, 100, 300), (3, 5, 7)] {
            let (a, b) = operands(m, k, n);
            let mut want = Array2::from_elem((m, n), 1.0f32);
            general_mat_mul(0.5, &a, &b, 2.0, &mut want);
            let got = run(1e9, |team| {
                // Inside the pool, so the product is split.
                assert_eq!(team.threads() > 1, threads() > 1);
                let mut c = Array2::from_elem((m, n), 1.0f32);
                gemm(team, 0.5, &a.view(), &b.view(), 2.0, &mut c.view_mut());
                c
            });
            assert_eq!(got, want, "shape {m}x{k}x{n}");
        }
    }

    /// A team that runs both halves on the calling thread and counts them.
    struct Counting(AtomicUsize);

    impl Join for Counting {
        fn threads(&self) -> usize {
            2
        }
        fn join(&self, a: &mut (dyn FnMut() + Send), b: &mut (dyn FnMut() + Send)) {
            self.0.fetch_add(1, Ordering::Relaxed);
            a();
            b();
        }
    }

    /// The split goes through the team it is handed, from any thread: in a
    /// notebook the layer's code (an earlier cell's copy of kerust) runs on
    /// a thread its own copy of rayon does not know.
    #[test]
    fn products_split_through_the_team_on_any_thread() {
        let (a, b) = operands(64, 784, 128);
        let mut want = Array2::zeros((64, 128));
        general_mat_mul(1.0, &a, &b, 0.0, &mut want);
        let counting = Counting(AtomicUsize::new(0));
        let team = Team {
            pool: Some(&counting),
        };
        let got = std::thread::scope(|s| {
            s.spawn(|| {
                assert!(rayon::current_thread_index().is_none());
                let mut c = Array2::zeros((64, 128));
                gemm(team, 1.0, &a.view(), &b.view(), 0.0, &mut c.view_mut());
                c
            })
            .join()
        });
        assert_eq!(got.ok(), Some(want));
        assert_eq!(counting.0.load(Ordering::Relaxed), 1);
        // Alone, nothing is split.
        let mut c = Array2::zeros((64, 128));
        gemm(
            Team::one(),
            1.0,
            &a.view(),
            &b.view(),
            0.0,
            &mut c.view_mut(),
        );
        assert_eq!(counting.0.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn parts_cover_the_data_once() {
        let n = 100_003;
        let mut w = vec![0.0f32; n];
        let g: Vec<f32> = (0..n).map(|i| i as f32).collect();
        run(1e9, |team| {
            for_each_part(team, (w.as_mut_slice(), g.as_slice()), &|(w, g): (
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
        assert!(run(1e9, |team| all_finite(team, &x)));
        for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            x[77_777] = bad;
            assert!(!run(1e9, |team| all_finite(team, &x)));
            assert!(!all_finite(Team::one(), &x));
        }
    }
}
