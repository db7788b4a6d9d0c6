//! The matrix product `c = alpha * a · b + beta * c` (matrixmultiply,
//! through ndarray), split in two on a [`Team`]'s threads while each half
//! is still large work.

use crate::parallel::Team;
use ndarray::linalg::general_mat_mul;
use ndarray::{ArrayView2, ArrayViewMut2, Axis};

/// Multiply-adds below which a product is not split (about 10 microseconds).
const MIN_SPLIT_GEMM: usize = 1 << 19;

/// An operand of a product.
type Mat<'a> = ArrayView2<'a, f32>;

/// `c = alpha * a · b + beta * c`, split across the team's threads when it
/// is large (by rows of `c` when it is tall, else by columns).
pub(crate) fn gemm(
    team: Team,
    alpha: f32,
    a: &Mat,
    b: &Mat,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parallel::{run, threads, Join};
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
        let team = Team::with(&counting);
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
}
