//! `keras.datasets` and the small data helpers the lessons use: MNIST,
//! Fashion-MNIST, `make_classification`, `train_test_split` and a
//! `MinMaxScaler`.
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

mod cache;
pub mod download;
pub mod fashion_mnist;
pub mod idx;
mod image_set;
mod make_classification;
pub mod mnist;
pub mod npy;
pub mod npz;
mod scaler;
mod split;

pub use cache::cache_dir;
pub use make_classification::{make_classification, try_make_classification, MAX_VALUES};
pub use scaler::MinMaxScaler;
pub use split::{train_test_split, SplitData};

use ndarray::{Array1, Array3};

/// Images and labels of one part of an image dataset: `(x, y)` with `x` of
/// shape `(n, 28, 28)` and `y` of shape `(n,)`.
pub type Split = (Array3<u8>, Array1<u8>);

/// What `load_data` returns: `((x_train, y_train), (x_test, y_test))`.
pub type ImageData = (Split, Split);
