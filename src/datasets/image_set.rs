//! What MNIST and Fashion-MNIST share: four IDX files (training images and
//! labels, test images and labels) of 28x28 images with labels 0 to 9.

use super::npy_array::with_rank;
use super::{idx, ImageData, Split};
use crate::error::{Error, Result};
use crate::shape::array_shape;
use ndarray::{ArrayD, Ix1, Ix3};
use std::path::{Path, PathBuf};

/// The four IDX file names, in the order training images, training labels,
/// test images, test labels (without `.gz`).
pub(crate) const IDX_FILES: [&str; 4] = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
];

/// Sizes of the full training and test sets.
pub(crate) const FULL_COUNTS: (usize, usize) = (60000, 10000);

/// `dir/name`, or `dir/name.gz`, whichever exists (the plain file first).
pub(crate) fn find(dir: &Path, name: &str) -> Option<PathBuf> {
    let plain = dir.join(name);
    if plain.is_file() {
        return Some(plain);
    }
    let gz = dir.join(format!("{name}.gz"));
    gz.is_file().then_some(gz)
}

/// The four IDX files in `dir`, or the names of those missing.
pub(crate) fn find_all(dir: &Path) -> std::result::Result<[PathBuf; 4], Vec<&'static str>> {
    let found: Vec<Option<PathBuf>> = IDX_FILES.iter().map(|n| find(dir, n)).collect();
    let missing: Vec<&'static str> = IDX_FILES
        .iter()
        .zip(&found)
        .filter(|(_, f)| f.is_none())
        .map(|(n, _)| *n)
        .collect();
    match found.as_slice() {
        [Some(a), Some(b), Some(c), Some(d)] => Ok([a.clone(), b.clone(), c.clone(), d.clone()]),
        _ => Err(missing),
    }
}

/// Loads the four IDX files; `full` asks for the full set sizes.
pub(crate) fn load_idx(paths: &[PathBuf; 4], full: bool) -> Result<ImageData> {
    let [xtr, ytr, xte, yte] = paths;
    let show = |p: &PathBuf| p.display().to_string();
    let pair = |x, y, count| {
        let (xs, ys) = (idx::read(x)?, idx::read(y)?);
        check_pair(xs, ys, &show(x), &show(y), full.then_some(count))
    };
    Ok((
        pair(xtr, ytr, FULL_COUNTS.0)?,
        pair(xte, yte, FULL_COUNTS.1)?,
    ))
}

/// Checks that `x` holds 28x28 images, `y` as many labels in 0..=9 (and
/// `expected` of each when given), and gives them their fixed ranks.
pub(crate) fn check_pair(
    x: ArrayD<u8>,
    y: ArrayD<u8>,
    xname: &str,
    yname: &str,
    expected: Option<usize>,
) -> Result<Split> {
    if x.ndim() != 3 || x.shape()[1..] != [28, 28] {
        return Err(Error::io(format!(
            "{xname}: expected images of shape (n, 28, 28), got an array of shape {}",
            array_shape(x.shape())
        )));
    }
    if y.ndim() != 1 {
        return Err(Error::io(format!(
            "{yname}: expected labels of shape (n,), got an array of shape {}",
            array_shape(y.shape())
        )));
    }
    let (n, m) = (x.shape()[0], y.len());
    if n != m {
        return Err(Error::io(format!(
            "{xname} holds {n} images but {yname} holds {m} labels; the counts must agree"
        )));
    }
    if let Some((i, &label)) = y.iter().enumerate().find(|(_, &l)| l > 9) {
        return Err(Error::io(format!(
            "{yname}: label {label} at index {i}; expected labels 0 to 9"
        )));
    }
    if let Some(full) = expected {
        if n != full {
            return Err(Error::io(format!(
                "{xname}: holds {n} images, the full set has {full}; the file is incomplete \
                 or another dataset: delete it and fill the cache again (`make data`)"
            )));
        }
    }
    let x = with_rank::<_, Ix3>(x, xname, "(n, 28, 28)")?;
    let y = with_rank::<_, Ix1>(y, yname, "(n,)")?;
    Ok((x, y))
}
