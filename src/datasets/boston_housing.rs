//! `keras.datasets.boston_housing`: 506 Boston suburbs in the 1970s, 13
//! features each, and the median home price in k$.

use super::keras_file::{cached, ORIGIN};
use super::npy_array::{with_rank, NpyArray};
use super::npz;
use super::random_state::RandomState;
use crate::error::{Error, Result};
use ndarray::{Array1, Array2, Axis, Ix1, Ix2};
use std::path::Path;

/// Keras' file name in the dataset cache.
pub const FILE: &str = "boston_housing.npz";
/// SHA-256 of Keras' `boston_housing.npz` (from `keras/src/datasets/boston_housing.py`).
pub const SHA256: &str = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5";

/// One part: features `(n, 13)` and prices `(n,)`, both `f64` as in Keras.
pub type HousingSplit = (Array2<f64>, Array1<f64>);

/// Loads Boston housing as `keras.datasets.boston_housing.load_data()`:
/// `((x_train, y_train), (x_test, y_test))` of shapes (404, 13), (404,),
/// (102, 13), (102,): shuffled with seed 113 and split at `test_split` 0.2
/// exactly as Keras.
///
/// Reads `boston_housing.npz` from the dataset cache, downloading it
/// (SHA-256 checked) when missing.
///
/// ```no_run
/// use kerust::prelude::*;
/// let ((x_train, y_train), (x_test, y_test)) = datasets::boston_housing::load_data()?;
/// assert_eq!((x_train.dim(), y_test.len()), ((404, 13), 102));
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn load_data() -> Result<(HousingSplit, HousingSplit)> {
    load_data_with(0.2, 113)
}

/// [`load_data`] with Keras' `test_split` and `seed`.
///
/// ```no_run
/// let (train, test) = kerust::datasets::boston_housing::load_data_with(0.1, 113)?;
/// assert_eq!(test.0.nrows(), 51);
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn load_data_with(test_split: f64, seed: u32) -> Result<(HousingSplit, HousingSplit)> {
    check_split(test_split)?;
    let path = cached(FILE, &format!("{ORIGIN}{FILE}"), SHA256, "Boston housing")?;
    load_data_from(path, test_split, seed)
}

/// Loads a `boston_housing.npz` (arrays `x` and `y`, any number of rows)
/// from `path`, shuffles and splits it as Keras; no download.
///
/// ```
/// let e = kerust::datasets::boston_housing::load_data_from("no/such.npz", 0.2, 113);
/// assert!(e.is_err());
/// ```
pub fn load_data_from(
    path: impl AsRef<Path>,
    test_split: f64,
    seed: u32,
) -> Result<(HousingSplit, HousingSplit)> {
    load(path.as_ref(), test_split, seed)
}

fn check_split(test_split: f64) -> Result<()> {
    if (0.0..1.0).contains(&test_split) {
        return Ok(());
    }
    Err(Error::value(format!(
        "Invalid `test_split` argument: {test_split}. It must be between 0 and 1 (exclusive of 1)."
    )))
}

fn load(path: &Path, test_split: f64, seed: u32) -> Result<(HousingSplit, HousingSplit)> {
    check_split(test_split)?;
    let file = path.display().to_string();
    let mut arrays = npz::read_any(path)?;
    let mut take = |key: &str| match arrays.remove(key) {
        Some(NpyArray::F64(a)) => Ok(a),
        Some(NpyArray::I64(a)) => Ok(a.mapv(|v| v as f64)),
        Some(other) => Err(Error::io(format!(
            "{file}: '{key}' is an {} array; expected float64",
            other.dtype()
        ))),
        None => Err(Error::io(format!(
            "{file}: no array '{key}'; expected 'x' and 'y'"
        ))),
    };
    let (x, y) = (take("x")?, take("y")?);
    let x = with_rank::<_, Ix2>(x, &format!("{file}: 'x'"), "(n, features)")?;
    let y = with_rank::<_, Ix1>(y, &format!("{file}: 'y'"), "(n,)")?;
    if x.nrows() != y.len() {
        return Err(Error::io(format!(
            "{file}: 'x' has {} rows but 'y' has {} values; the counts must agree",
            x.nrows(),
            y.len()
        )));
    }
    let idx = RandomState::new(seed).permutation(x.nrows());
    let (x, y) = (x.select(Axis(0), &idx), y.select(Axis(0), &idx));
    let n = (x.nrows() as f64 * (1.0 - test_split)) as usize;
    let (xtr, xte) = x.view().split_at(Axis(0), n);
    let (ytr, yte) = y.view().split_at(Axis(0), n);
    Ok((
        (xtr.to_owned(), ytr.to_owned()),
        (xte.to_owned(), yte.to_owned()),
    ))
}
