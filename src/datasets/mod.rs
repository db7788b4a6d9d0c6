//! `keras.datasets` and the small data helpers the lessons use: MNIST,
//! Fashion-MNIST, CIFAR-10, IMDB, Reuters, Boston housing,
//! `make_classification`, `train_test_split` and a `MinMaxScaler`.
//!
//! ```
//! use kerust::prelude::*;
//! let (x, y) = datasets::make_classification(100, 2, 0);
//! let ((x_train, y_train), (x_test, _y_test)) = datasets::train_test_split(&x, &y, 0.3, 0)?;
//! let scaler = datasets::MinMaxScaler::fit(&x_train)?;
//! let (train_norm, test_norm) = (scaler.transform(&x_train)?, scaler.transform(&x_test)?);
//! assert_eq!(train_norm.fold(f32::INFINITY, |a, &b| a.min(b)), 0.0);
//! assert_eq!((train_norm.nrows(), test_norm.nrows(), y_train.len()), (70, 30, 70));
//! # Ok::<(), kerust::Error>(())
//! ```

pub mod boston_housing;
mod cache;
pub mod cifar10;
pub mod download;
pub mod fashion_mnist;
pub mod idx;
mod image_set;
pub mod imdb;
mod keras_file;
mod make_classification;
pub mod mnist;
pub mod npy;
pub mod npy_array;
pub mod npz;
mod pickle;
mod pickle_value;
mod random_state;
pub mod reuters;
mod scaler;
mod split;
mod tar;
mod text;
mod word_index;

pub use cache::cache_dir;
pub use make_classification::{make_classification, try_make_classification, MAX_VALUES};
pub use scaler::MinMaxScaler;
pub use split::{train_test_split, SplitData};
pub use text::{SequenceData, SequenceSplit, TextOptions};

use ndarray::{Array1, Array3};

/// Images and labels of one part of an image dataset: `(x, y)` with `x` of
/// shape `(n, 28, 28)` and `y` of shape `(n,)`.
pub type Split = (Array3<u8>, Array1<u8>);

/// What `load_data` returns: `((x_train, y_train), (x_test, y_test))`.
pub type ImageData = (Split, Split);

/// Checks that `len` bytes of `u8` data fill the shape `dims` that a file's
/// header declares: says "truncated" or "too long" otherwise, and refuses
/// sizes too large to be real before anything is allocated.
pub(crate) fn check_data_len(
    name: &str,
    format: &str,
    dims: &[usize],
    len: usize,
    where_: &str,
) -> crate::Result<()> {
    let shape = crate::shape::array_shape(dims);
    match dims
        .iter()
        .try_fold(1u128, |acc, &d| acc.checked_mul(d as u128))
    {
        Some(n) if n == len as u128 => Ok(()),
        Some(n) => {
            let what = if n > len as u128 {
                "truncated"
            } else {
                "too long"
            };
            Err(crate::Error::io(format!(
                "{name}: {what}: the {format} header declares shape {shape}, that is {n} bytes of \
                 data, but {len} bytes follow {where_}"
            )))
        }
        None => Err(crate::Error::io(format!(
            "{name}: the {format} header declares shape {shape}, too large to be real data"
        ))),
    }
}
