//! `keras.datasets.mnist`: 70,000 28x28 grayscale handwritten digits.

use super::image_set::{check_pair, find_all, load_idx, FULL_COUNTS, IDX_FILES};
use super::{cache_dir, download, npz, ImageData};
use crate::error::{Error, Result};
use std::path::Path;

/// Where Keras downloads MNIST from.
pub const URL: &str = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz";

/// SHA-256 of Keras' `mnist.npz` (from `keras/src/datasets/mnist.py`).
pub const SHA256: &str = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1";

/// The file name of Keras' archive in the cache.
pub const NPZ_FILE: &str = "mnist.npz";

/// Loads MNIST as `((x_train, y_train), (x_test, y_test))`, as
/// `keras.datasets.mnist.load_data()`: `u8` arrays of shapes
/// (60000, 28, 28), (60000,), (10000, 28, 28) and (10000,), pixels 0 to 255,
/// labels 0 to 9.
///
/// Reads the dataset cache ([`cache_dir`](super::cache_dir):
/// `$KERAS_HOME/datasets` or `~/.keras/datasets`): Keras' `mnist.npz` if it
/// is there, else the four IDX files `train-images-idx3-ubyte`,
/// `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`,
/// `t10k-labels-idx1-ubyte` (plain or `.gz`). When neither is there, it
/// downloads Keras' `mnist.npz`, checks its SHA-256 and only then writes it
/// to the cache. Without network, the error names the cache and the command
/// that fills it: `make data`.
///
/// ```no_run
/// use kerust::prelude::*;
/// let ((x_train, y_train), (x_test, y_test)) = datasets::mnist::load_data()?;
/// assert_eq!(x_train.shape(), &[60000, 28, 28]);
/// assert_eq!(y_train[0], 5);
/// assert_eq!(x_test.shape(), &[10000, 28, 28]);
/// assert_eq!(y_test.len(), 10000);
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn load_data() -> Result<ImageData> {
    let dir = cache_dir();
    if !dir.join(NPZ_FILE).is_file() && find_all(&dir).is_err() {
        let dest = dir.join(NPZ_FILE);
        if let Err(e) = download::download(URL, SHA256, &dest) {
            return Err(Error::io(format!(
                "MNIST is not in the dataset cache {} ({}), and downloading it failed: {e}. \
                 Fill the cache with `make data` (it runs scripts/install_mnist.sh), or copy \
                 Keras' mnist.npz (SHA-256 {SHA256}) to {}",
                dir.display(),
                looked_for(),
                dest.display()
            )));
        }
    }
    load(&dir, true)
}

/// Loads MNIST from the directory `dir` instead of the cache, without
/// downloading: `dir/mnist.npz` (Keras' archive) if present, else the four
/// IDX files (plain or `.gz`). Any number of images is accepted, as long
/// as images are 28x28, labels 0 to 9, and images and labels agree in number.
///
/// ```
/// use kerust::prelude::*;
/// let dir = std::env::temp_dir().join(format!("kerust-doc-mnist-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let mut images = vec![0u8, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 28, 0, 0, 0, 28];
/// images.extend([255u8; 784]);
/// let labels = [0u8, 0, 8, 1, 0, 0, 0, 1, 5];
/// for split in ["train", "t10k"] {
///     std::fs::write(dir.join(format!("{split}-images-idx3-ubyte")), &images)?;
///     std::fs::write(dir.join(format!("{split}-labels-idx1-ubyte")), labels)?;
/// }
/// let ((x_train, y_train), _) = datasets::mnist::load_data_from(&dir)?;
/// assert_eq!(x_train.shape(), &[1, 28, 28]);
/// assert_eq!(y_train[0], 5);
/// std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn load_data_from(dir: impl AsRef<Path>) -> Result<ImageData> {
    load(dir.as_ref(), false)
}

fn looked_for() -> String {
    format!(
        "looked for {NPZ_FILE}, or {} (plain or .gz)",
        IDX_FILES.join(", ")
    )
}

fn load(dir: &Path, full: bool) -> Result<ImageData> {
    let npz_path = dir.join(NPZ_FILE);
    if npz_path.is_file() {
        return load_npz(&npz_path, full);
    }
    match find_all(dir) {
        Ok(paths) => load_idx(&paths, full),
        Err(missing) => Err(Error::io(format!(
            "MNIST is not in {} ({}; missing {}). `make data` (scripts/install_mnist.sh) \
             puts the IDX files into the dataset cache {}",
            dir.display(),
            looked_for(),
            missing.join(", "),
            cache_dir().display()
        ))),
    }
}

fn load_npz(path: &Path, full: bool) -> Result<ImageData> {
    let name = path.display().to_string();
    let mut arrays = npz::read(path)?;
    let mut take = |key: &str| {
        arrays.remove(key).ok_or_else(|| {
            Error::io(format!(
                "{name}: no array '{key}'; expected Keras' mnist.npz with x_train, y_train, \
                 x_test and y_test"
            ))
        })
    };
    let (xtr, ytr, xte, yte) = (
        take("x_train")?,
        take("y_train")?,
        take("x_test")?,
        take("y_test")?,
    );
    let pair = |x, y, split: &str, count| {
        let member = |key: &str| format!("{name}: {key}_{split}.npy");
        check_pair(x, y, &member("x"), &member("y"), full.then_some(count))
    };
    Ok((
        pair(xtr, ytr, "train", FULL_COUNTS.0)?,
        pair(xte, yte, "test", FULL_COUNTS.1)?,
    ))
}
