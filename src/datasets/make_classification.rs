//! `sklearn.datasets.make_classification` with its defaults: a small
//! two-class problem for the perceptron lesson (seed 004).

use crate::error::{Error, Result};
use ndarray::{Array1, Array2};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_distr::StandardNormal;
use rand_xoshiro::Xoshiro256PlusPlus;

/// At most this many values (`n_samples * n_features`) are generated.
pub const MAX_VALUES: usize = 1 << 28;

/// A random two-class problem, as scikit-learn's `make_classification` with
/// its defaults: returns `(x, y)` with `x` of shape `(n_samples, n_features)`
/// and labels `y` in {0, 1}, the same for the same `seed`.
///
/// Each class is two Gaussian clusters (one when `n_features` is 1) centred
/// on vertices of the hypercube with sides `2 * class_sep` (`class_sep` is
/// 1.0), each with a random covariance, in the first two features (the
/// informative ones); up to two more features are random linear
/// combinations of those (redundant), the rest are noise; rows and
/// features are shuffled. Unlike scikit-learn no labels are flipped, so the
/// classes are balanced: `n_samples / 2` each (class 0 has one more when
/// `n_samples` is odd).
///
/// Sizes beyond [`MAX_VALUES`] values or `n_features == 0` print the error
/// of [`try_make_classification`] and give empty arrays.
///
/// ```
/// use kerust::prelude::*;
/// let (x, y) = datasets::make_classification(200, 2, 42);
/// assert_eq!(x.shape(), &[200, 2]);
/// assert_eq!(y.iter().filter(|&&l| l == 1.0).count(), 100);
/// assert_eq!(datasets::make_classification(200, 2, 42).0, x); // same seed, same data
/// ```
pub fn make_classification(
    n_samples: usize,
    n_features: usize,
    seed: u64,
) -> (Array2<f32>, Array1<f32>) {
    match try_make_classification(n_samples, n_features, seed) {
        Ok(data) => data,
        Err(e) => {
            eprintln!("{e}");
            (
                Array2::zeros((0, n_features.min(MAX_VALUES))),
                Array1::zeros(0),
            )
        }
    }
}

/// [`make_classification`] returning an error for `n_features == 0` or more
/// than [`MAX_VALUES`] values.
///
/// ```
/// use kerust::prelude::*;
/// assert!(datasets::try_make_classification(1 << 40, 2, 0).is_err());
/// assert!(datasets::try_make_classification(10, 0, 0).is_err());
/// let (x, y) = datasets::try_make_classification(10, 3, 0)?;
/// assert_eq!((x.nrows(), x.ncols(), y.len()), (10, 3, 10));
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn try_make_classification(
    n_samples: usize,
    n_features: usize,
    seed: u64,
) -> Result<(Array2<f32>, Array1<f32>)> {
    if n_features == 0 {
        return Err(Error::value(
            "make_classification: n_features must be at least 1, got 0",
        ));
    }
    match n_samples.checked_mul(n_features) {
        Some(n) if n <= MAX_VALUES => {}
        _ => {
            return Err(Error::value(format!(
                "make_classification: n_samples x n_features = {n_samples} x {n_features} \
                 values; at most {MAX_VALUES} are generated"
            )))
        }
    }
    const CLASS_SEP: f64 = 1.0;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let n_inf = n_features.min(2);
    let n_red = (n_features - n_inf).min(2);
    let clusters_per_class = if n_inf >= 2 { 2 } else { 1 };
    let n_clusters = 2 * clusters_per_class;

    // distinct random vertices of the hypercube {-sep, +sep}^n_inf
    let mut vertices: Vec<usize> = (0..1usize << n_inf).collect();
    vertices.shuffle(&mut rng);
    let centroids: Vec<Vec<f64>> = vertices[..n_clusters]
        .iter()
        .map(|&v| {
            (0..n_inf)
                .map(|bit| {
                    if v >> bit & 1 == 1 {
                        CLASS_SEP
                    } else {
                        -CLASS_SEP
                    }
                })
                .collect()
        })
        .collect();

    // cluster sizes: n / n_clusters each, the remainder to the first ones
    let sizes: Vec<usize> = (0..n_clusters)
        .map(|k| n_samples / n_clusters + usize::from(k < n_samples % n_clusters))
        .collect();

    let mut x = Array2::<f64>::zeros((n_samples, n_features));
    let mut y = Array1::<f32>::zeros(n_samples);
    let mut row = 0;
    for (k, &size) in sizes.iter().enumerate() {
        // a random covariance: X_k @ A with A uniform in [-1, 1)
        let a: Vec<f64> = (0..n_inf * n_inf)
            .map(|_| 2.0 * rng.random::<f64>() - 1.0)
            .collect();
        for _ in 0..size {
            let z: Vec<f64> = (0..n_inf).map(|_| rng.sample(StandardNormal)).collect();
            for j in 0..n_inf {
                let v: f64 = (0..n_inf).map(|i| z[i] * a[i * n_inf + j]).sum();
                x[[row, j]] = v + centroids[k][j];
            }
            y[row] = (k % 2) as f32;
            row += 1;
        }
    }
    // redundant features: random linear combinations of the informative ones
    let b: Vec<f64> = (0..n_inf * n_red)
        .map(|_| 2.0 * rng.random::<f64>() - 1.0)
        .collect();
    for r in 0..n_samples {
        for j in 0..n_red {
            x[[r, n_inf + j]] = (0..n_inf).map(|i| x[[r, i]] * b[i * n_red + j]).sum();
        }
        for j in n_inf + n_red..n_features {
            x[[r, j]] = rng.sample(StandardNormal);
        }
    }
    // shuffle samples and features
    let mut rows: Vec<usize> = (0..n_samples).collect();
    rows.shuffle(&mut rng);
    let mut cols: Vec<usize> = (0..n_features).collect();
    cols.shuffle(&mut rng);
    let xs = Array2::from_shape_fn((n_samples, n_features), |(r, c)| {
        x[[rows[r], cols[c]]] as f32
    });
    let ys = Array1::from_shape_fn(n_samples, |r| y[rows[r]]);
    Ok((xs, ys))
}
