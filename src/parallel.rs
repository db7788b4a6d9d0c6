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

/// Floating-point operations below which a call runs on the calling thread
/// alone (starting a pool costs about 100 microseconds).
const MIN_POOL_WORK: f64 = 2e7;
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

impl<'a> Team<'a> {
    /// A team that splits work through `pool` (tests use counting pools).
    #[cfg(test)]
    pub(crate) fn with(pool: &'a (dyn Join + Sync)) -> Team<'a> {
        Team { pool: Some(pool) }
    }
    /// The calling thread alone: nothing is split.
    pub fn one() -> Team<'static> {
        Team { pool: None }
    }
    /// The number of threads (1 outside a pool).
    pub fn threads(&self) -> usize {
        self.pool.map_or(1, |p| p.threads().max(1))
    }
    /// Runs `a` and `b`, on two threads when the team has them.
    pub(crate) fn join(&self, a: impl FnOnce() + Send, b: impl FnOnce() + Send) {
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

/// A slice seen as units of `.1` values each (an image, a group of
/// images), for [`for_each_units`]; the last unit may be shorter, and an
/// empty slice (a pass that keeps nothing) stays empty.
pub(crate) struct Units<S>(pub S, pub usize);

/// Data that can be cut after a number of whole units.
pub(crate) trait SplitUnits: Sized + Send {
    fn split_units(self, mid: usize) -> (Self, Self);
}

impl<T: Send> SplitUnits for Units<&mut [T]> {
    fn split_units(self, mid: usize) -> (Self, Self) {
        let Units(s, u) = self;
        let (a, b) = s.split_at_mut((mid * u).min(s.len()));
        (Units(a, u), Units(b, u))
    }
}

impl<T: Sync> SplitUnits for Units<&[T]> {
    fn split_units(self, mid: usize) -> (Self, Self) {
        let Units(s, u) = self;
        let (a, b) = s.split_at((mid * u).min(s.len()));
        (Units(a, u), Units(b, u))
    }
}

impl<A: SplitUnits, B: SplitUnits> SplitUnits for (A, B) {
    fn split_units(self, mid: usize) -> (Self, Self) {
        let (a1, a2) = self.0.split_units(mid);
        let (b1, b2) = self.1.split_units(mid);
        ((a1, b1), (a2, b2))
    }
}

impl<A: SplitUnits, B: SplitUnits, C: SplitUnits> SplitUnits for (A, B, C) {
    fn split_units(self, mid: usize) -> (Self, Self) {
        let ((a1, b1), (a2, b2)) = (self.0, self.1).split_units(mid);
        let (c1, c2) = self.2.split_units(mid);
        ((a1, b1, c1), (a2, b2, c2))
    }
}

/// Calls `f(units, part)` on parts of `data` (`units` whole units in all)
/// that cover it once, in parallel on the team's threads while each part
/// keeps at least `min` units (at least 1), else once on the whole.
pub(crate) fn for_each_units<T: SplitUnits>(
    team: Team,
    units: usize,
    min: usize,
    data: T,
    f: &(impl Fn(usize, T) + Sync),
) {
    if team.threads() < 2 || units < 2 * min.max(1) {
        return f(units, data);
    }
    let mid = units / 2;
    let (d1, d2) = data.split_units(mid);
    team.join(
        || for_each_units(team, mid, min, d1, f),
        || for_each_units(team, units - mid, min, d2, f),
    );
}

/// Whether every value of `x` is finite, on this thread.
fn finite(x: &[f32]) -> bool {
    // A branch-free fold: it vectorizes.
    !x.iter().fold(false, |bad, v| bad | !v.is_finite())
}

/// Whether every value is finite (no NaN, no infinity); long slices are
/// scanned in parallel parts.
pub(crate) fn all_finite(team: Team, x: &[f32]) -> bool {
    if x.len() < 2 * MIN_SPLIT_LEN || team.threads() < 2 {
        return finite(x);
    }
    let (a, b) = x.split_at(x.len() / 2);
    let (mut fa, mut fb) = (true, true);
    team.join(|| fa = all_finite(team, a), || fb = all_finite(team, b));
    fa && fb
}

/// A copy of `src`, made in parallel parts when the team has threads, and
/// whether every value is finite, checked in the same pass.
pub(crate) fn copy_finite(team: Team, src: &[f32]) -> (Vec<f32>, bool) {
    // Chunks that stay in L1 between the copy and the check.
    const CHUNK: usize = 4096;
    if team.threads() < 2 || src.len() < 2 * MIN_SPLIT_LEN {
        // Alone, the copy grows the vector: no pass to zero it first.
        let mut out = Vec::with_capacity(src.len());
        let ok = src.chunks(CHUNK).fold(true, |ok, c| {
            out.extend_from_slice(c);
            ok & finite(c)
        });
        return (out, ok);
    }
    let mut out = vec![0.0; src.len()];
    let bad = std::sync::atomic::AtomicBool::new(false);
    for_each_part(team, (&mut out[..], src), &|(d, s): (
        &mut [f32],
        &[f32],
    )| {
        let ok = d
            .chunks_mut(CHUNK)
            .zip(s.chunks(CHUNK))
            .fold(true, |ok, (d, s)| {
                d.copy_from_slice(s);
                ok & finite(d)
            });
        if !ok {
            bad.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    });
    (out, !bad.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

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
