//! `keras.datasets.cifar10`: 60,000 32x32 colour images in 10 classes.

use super::pickle::{self, ArrayData, Value};
use super::{cache_dir, download, tar};
use crate::error::{Error, Result};
use crate::shape::array_shape;
use ndarray::{Array2, Array4, Axis};
use std::path::{Path, PathBuf};

/// Where Keras downloads CIFAR-10 from.
pub const URL: &str = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz";
/// SHA-256 of the archive (from `keras/src/datasets/cifar10.py`).
pub const SHA256: &str = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce";
/// The directory Keras 3 extracts to, in the dataset cache; the batches
/// are in its `cifar-10-batches-py/`.
pub const DIR: &str = "cifar-10-batches-py-target";
/// The name Keras 3 gives the downloaded archive in the dataset cache.
pub const ARCHIVE: &str = "cifar-10-batches-py-target_archive";
/// The batch directory inside the archive (and where Keras 2 put it).
pub const BATCHES: &str = "cifar-10-batches-py";
/// The batch files: five training batches, then the test batch.
pub const BATCH_FILES: [&str; 6] = [
    "data_batch_1",
    "data_batch_2",
    "data_batch_3",
    "data_batch_4",
    "data_batch_5",
    "test_batch",
];

/// The class names, by label.
pub const CLASS_NAMES: [&str; 10] = [
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
];

/// One part: images `(n, 32, 32, 3)` and labels `(n, 1)`, `u8` as Keras.
pub type CifarSplit = (Array4<u8>, Array2<u8>);

/// Loads CIFAR-10 as `keras.datasets.cifar10.load_data()`:
/// `((x_train, y_train), (x_test, y_test))`, `u8` arrays of shapes
/// (50000, 32, 32, 3), (50000, 1), (10000, 32, 32, 3), (10000, 1)
/// (channels last); labels 0 to 9 name the [`CLASS_NAMES`].
///
/// Reads the Python batches where Keras 3 extracts them
/// (`<cache>/cifar-10-batches-py-target/cifar-10-batches-py/`) or where
/// Keras 2 did (`<cache>/cifar-10-batches-py/`). When neither has them, it
/// extracts Keras' downloaded archive, downloading it first (163 MB,
/// SHA-256 checked) when it is missing too. The batches are pickles: they
/// are read by a restricted reader that runs no code.
///
/// ```no_run
/// use kerust::prelude::*;
/// let ((x_train, y_train), (x_test, y_test)) = datasets::cifar10::load_data()?;
/// assert_eq!(x_train.shape(), &[50000, 32, 32, 3]);
/// assert_eq!(y_train.shape(), &[50000, 1]);
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn load_data() -> Result<(CifarSplit, CifarSplit)> {
    let cache = cache_dir();
    let keras3 = cache.join(DIR).join(BATCHES);
    for dir in [&keras3, &cache.join(BATCHES)] {
        if BATCH_FILES.iter().all(|f| dir.join(f).is_file()) {
            return load(dir, true);
        }
    }
    let archive = cache.join(ARCHIVE);
    if !archive.is_file() {
        if let Err(e) = download::download(URL, SHA256, &archive) {
            return Err(Error::io(format!(
                "CIFAR-10 is not in the dataset cache (looked for {} in {} and {}), and \
                 downloading it failed: {e}. Put Keras' archive {URL} (SHA-256 {SHA256}) at {}, \
                 or its extracted batches into {}",
                BATCH_FILES.join(", "),
                keras3.display(),
                cache.join(BATCHES).display(),
                archive.display(),
                keras3.display()
            )));
        }
    }
    let wanted: Vec<String> = BATCH_FILES
        .iter()
        .map(|f| format!("{BATCHES}/{f}"))
        .collect();
    tar::extract(&archive, &wanted, &keras3)?;
    load(&keras3, true)
}

/// Loads the six batch files (`data_batch_1` .. `data_batch_5`,
/// `test_batch`) from `dir`, without downloading; any number of images per
/// batch is accepted.
///
/// ```
/// let e = kerust::datasets::cifar10::load_data_from("no/such/dir");
/// assert!(e.unwrap_err().to_string().contains("data_batch_1"));
/// ```
pub fn load_data_from(dir: impl AsRef<Path>) -> Result<(CifarSplit, CifarSplit)> {
    load(dir.as_ref(), false)
}

fn load(dir: &Path, full: bool) -> Result<(CifarSplit, CifarSplit)> {
    let paths: Vec<PathBuf> = BATCH_FILES.iter().map(|f| dir.join(f)).collect();
    if let Some(p) = paths.iter().find(|p| !p.is_file()) {
        return Err(Error::io(format!(
            "CIFAR-10 is not complete in {}: {} is missing (expected {})",
            dir.display(),
            p.display(),
            BATCH_FILES.join(", ")
        )));
    }
    let mut train = Vec::new();
    for p in &paths[..5] {
        train.push(read_batch(p)?);
    }
    let test = read_batch(&paths[5])?;
    let x_parts: Vec<_> = train.iter().map(|b| b.0.view()).collect();
    let y_parts: Vec<_> = train.iter().map(|b| b.1.view()).collect();
    let x_train = ndarray::concatenate(Axis(0), &x_parts)
        .map_err(|e| Error::io(format!("{}: {e}", dir.display())))?;
    let y_train = ndarray::concatenate(Axis(0), &y_parts)
        .map_err(|e| Error::io(format!("{}: {e}", dir.display())))?;
    if full && (x_train.shape()[0] != 50000 || test.0.shape()[0] != 10000) {
        return Err(Error::io(format!(
            "{}: holds {} training and {} test images, the full set has 50000 and 10000; \
             delete the directory and fill it again",
            dir.display(),
            x_train.shape()[0],
            test.0.shape()[0]
        )));
    }
    Ok(((x_train, y_train), test))
}

/// Reads one batch: a pickled dict with `data` (`uint8`, `(n, 3072)`, red
/// then green then blue planes) and `labels` (`n` ints).
pub(crate) fn read_batch(path: &Path) -> Result<CifarSplit> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| Error::io(format!("cannot read {name}: {e}")))?;
    let Value::Dict(items) = pickle::load(&bytes, &name)? else {
        return Err(Error::io(format!(
            "{name}: expected a pickled dict with 'data' and 'labels'"
        )));
    };
    let (mut data, mut labels) = (None, None);
    for (k, v) in items {
        match k {
            Value::Bytes(k) if k == b"data" => data = Some(v),
            Value::Str(k) if k == "data" => data = Some(v),
            Value::Bytes(k) if k == b"labels" => labels = Some(v),
            Value::Str(k) if k == "labels" => labels = Some(v),
            _ => {}
        }
    }
    let (Some(data), Some(labels)) = (data, labels) else {
        return Err(Error::io(format!(
            "{name}: the batch dict has no 'data' or no 'labels'"
        )));
    };
    let Value::Array(array) = data else {
        return Err(Error::io(format!(
            "{name}: 'data' is {}, expected a uint8 array",
            data.kind()
        )));
    };
    let (ArrayData::Raw(raw), "u1") = (array.data, array.dtype.name.as_str()) else {
        return Err(Error::io(format!(
            "{name}: 'data' has dtype '{}'; expected uint8",
            array.dtype.name
        )));
    };
    let n = match array.shape.as_slice() {
        [n, 3072] if !array.fortran && raw.len() == n * 3072 => *n,
        _ => {
            return Err(Error::io(format!(
                "{name}: 'data' has shape {} ({} bytes); expected (n, 3072) in C order",
                array_shape(&array.shape),
                raw.len()
            )))
        }
    };
    let labels = labels
        .into_items()
        .ok_or_else(|| Error::io(format!("{name}: 'labels' is not a list of ints")))?;
    let labels = labels
        .iter()
        .map(|l| match l {
            Value::Int(v @ 0..=9) => Ok(*v as u8),
            other => Err(Error::io(format!(
                "{name}: a label is {}; expected ints 0 to 9",
                match other {
                    Value::Int(v) => v.to_string(),
                    o => o.kind().to_string(),
                }
            ))),
        })
        .collect::<Result<Vec<u8>>>()?;
    if labels.len() != n {
        return Err(Error::io(format!(
            "{name}: {n} images but {} labels; the counts must agree",
            labels.len()
        )));
    }
    let planes = ndarray::Array4::from_shape_vec((n, 3, 32, 32), raw)
        .map_err(|e| Error::io(format!("{name}: {e}")))?;
    let x = planes
        .permuted_axes([0, 2, 3, 1])
        .as_standard_layout()
        .into_owned();
    let y =
        Array2::from_shape_vec((n, 1), labels).map_err(|e| Error::io(format!("{name}: {e}")))?;
    Ok((x, y))
}
