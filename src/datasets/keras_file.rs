//! Keras' `get_file` for kerust's loaders: a file in the dataset cache,
//! downloaded (and checked against its checksum) when missing.

use super::{cache_dir, download};
use crate::error::{Error, Result};
use std::path::PathBuf;

/// Where Keras downloads its dataset files from.
pub const ORIGIN: &str = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/";

/// The path of `file` in the dataset cache; when it is not there, downloads
/// `url` to it (written only if its SHA-256 or MD5 `hash` matches, as Keras'
/// `get_file`). Offline, the error names the file, where to put it and
/// where to get it.
pub(crate) fn cached(file: &str, url: &str, hash: &str, what: &str) -> Result<PathBuf> {
    let dest = cache_dir().join(file);
    if dest.is_file() {
        return Ok(dest);
    }
    match download::download(url, hash, &dest) {
        Ok(_) => Ok(dest),
        Err(e) => Err(offline(what, &dest, url, hash, &e.to_string())),
    }
}

/// The error for a dataset file that is missing and could not be downloaded.
pub(crate) fn offline(
    what: &str,
    dest: &std::path::Path,
    url: &str,
    hash: &str,
    why: &str,
) -> Error {
    let algo = if hash.len() == 32 { "MD5" } else { "SHA-256" };
    Error::io(format!(
        "{what} is not in the dataset cache: {} does not exist, and downloading it failed: \
         {why}. Copy the file Keras downloads from {url} ({algo} {hash}) to {} (the Keras \
         cache: $KERAS_HOME/datasets or ~/.keras/datasets), or run once with network access",
        dest.display(),
        dest.display()
    ))
}
