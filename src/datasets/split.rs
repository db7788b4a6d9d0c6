//! `sklearn.model_selection.train_test_split`: a shuffled split of samples.

use crate::error::{Error, Result};
use crate::shape::array_shape;
use ndarray::{Array, ArrayBase, Axis, Data, RemoveAxis};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// The two halves of a split: `((x_train, y_train), (x_test, y_test))`.
pub type SplitData<A, DA, B, DB> = ((Array<A, DA>, Array<B, DB>), (Array<A, DA>, Array<B, DB>));

/// Splits samples (rows, axis 0) of `x` and `y` into a shuffled training
/// and test part, as scikit-learn's `train_test_split(x, y,
/// test_size=test_size, random_state=seed)`: the test part has
/// `ceil(test_size * n)` samples, the training part the rest; the same seed
/// gives the same split. `x` and `y` may have any element type and rank.
///
/// Errors: `test_size` outside (0, 1), `x` and `y` with different numbers
/// of samples, or a split leaving one part empty.
///
/// ```
/// use kerust::prelude::*;
/// let (x, y) = datasets::make_classification(100, 2, 0);
/// let ((x_train, y_train), (x_test, y_test)) = datasets::train_test_split(&x, &y, 0.3, 0)?;
/// assert_eq!((x_train.nrows(), y_train.len()), (70, 70));
/// assert_eq!((x_test.nrows(), y_test.len()), (30, 30));
/// assert!(datasets::train_test_split(&x, &y, 1.5, 0).is_err());
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn train_test_split<SA, DA, SB, DB>(
    x: &ArrayBase<SA, DA>,
    y: &ArrayBase<SB, DB>,
    test_size: f32,
    seed: u64,
) -> Result<SplitData<SA::Elem, DA, SB::Elem, DB>>
where
    SA: Data,
    SA::Elem: Clone,
    DA: RemoveAxis,
    SB: Data,
    SB::Elem: Clone,
    DB: RemoveAxis,
{
    let (test, train) = split_indices(x.shape(), y.shape(), test_size, seed)?;
    Ok((
        (x.select(Axis(0), &train), y.select(Axis(0), &train)),
        (x.select(Axis(0), &test), y.select(Axis(0), &test)),
    ))
}

/// The test and training rows of a split of `x` and `y` of these shapes.
fn split_indices(
    x_shape: &[usize],
    y_shape: &[usize],
    test_size: f32,
    seed: u64,
) -> Result<(Vec<usize>, Vec<usize>)> {
    if !(test_size > 0.0 && test_size < 1.0) {
        return Err(Error::value(format!(
            "train_test_split: test_size must be between 0 and 1 (exclusive), got {test_size}"
        )));
    }
    if x_shape.is_empty() || y_shape.is_empty() {
        return Err(Error::shape(format!(
            "train_test_split: x and y need a samples axis; got x of shape {} and y of shape {}",
            array_shape(x_shape),
            array_shape(y_shape)
        )));
    }
    let n = x_shape[0];
    if y_shape[0] != n {
        return Err(Error::shape(format!(
            "train_test_split: x has {n} samples (shape {}) but y has {} (shape {}); \
             they must agree",
            array_shape(x_shape),
            y_shape[0],
            array_shape(y_shape)
        )));
    }
    // The f32 as the decimal the user typed (0.2, not 0.200000003), so that
    // ceil(0.2 * 5) is 1 as in scikit-learn's float64 arithmetic.
    let fraction: f64 = test_size
        .to_string()
        .parse()
        .unwrap_or_else(|_| f64::from(test_size));
    let n_test = (fraction * n as f64).ceil() as usize;
    let n_train = n.saturating_sub(n_test);
    if n_test == 0 || n_train == 0 {
        return Err(Error::value(format!(
            "train_test_split: with {n} samples and test_size {test_size} the {} part would \
             be empty",
            if n_train == 0 { "training" } else { "test" }
        )));
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut Xoshiro256PlusPlus::seed_from_u64(seed));
    let train = order.split_off(n_test);
    Ok((order, train))
}
