//! The "limit" cases of `make bench`: a model's matrix products alone,
//! through the same GEMM code and thread pool as `fit`, to say how close an
//! epoch is to pure arithmetic.

use super::gemm::gemm;
use crate::parallel::run;
use ndarray::Array2;
use std::time::Instant;

/// One product `a · b` of an epoch: `a` is `(m, k)` (stored transposed,
/// `(k, m)`, when `a_t`, as for a weight gradient `xᵀ · dy`), `b` is
/// `(k, n)`, and it runs `count` times per epoch.
#[derive(Debug, Clone, Copy)]
pub struct Product {
    pub m: usize,
    pub k: usize,
    pub n: usize,
    pub a_t: bool,
    pub count: usize,
}

/// Seconds to run every product `count` times (in the order given, one
/// pool for the whole run, the products split across its threads as
/// `fit`'s are), and the floating-point operations done.
///
/// ```
/// use kerust::bench_limit::{time_products, Product};
/// let p = Product { m: 32, k: 784, n: 128, a_t: false, count: 3 };
/// let (secs, flops) = time_products(&[p]);
/// assert!(secs >= 0.0 && flops == 3.0 * 2.0 * 32.0 * 784.0 * 128.0);
/// ```
pub fn time_products(products: &[Product]) -> (f64, f64) {
    let flops: f64 = products
        .iter()
        .map(|p| 2.0 * (p.m * p.k * p.n * p.count) as f64)
        .sum();
    let mats: Vec<_> = products
        .iter()
        .map(|p| {
            let fill = |r: usize, c: usize| {
                Array2::from_shape_fn((r, c), |(i, j)| ((i * 7 + j * 3) % 11) as f32 * 0.01)
            };
            let a = if p.a_t {
                fill(p.k, p.m)
            } else {
                fill(p.m, p.k)
            };
            (a, fill(p.k, p.n), Array2::<f32>::zeros((p.m, p.n)))
        })
        .collect();
    let mut mats = mats;
    let t = Instant::now();
    run(flops, |team| {
        let rounds = products.iter().map(|p| p.count).max().unwrap_or(0);
        for r in 0..rounds {
            for (p, (a, b, c)) in products.iter().zip(mats.iter_mut()) {
                if r < p.count {
                    let a = if p.a_t { a.t() } else { a.view() };
                    gemm(team, 1.0, &a, &b.view(), 0.0, &mut c.view_mut());
                }
            }
        }
    });
    (t.elapsed().as_secs_f64(), flops)
}
