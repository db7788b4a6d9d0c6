//! `keras.datasets.imdb`: 50,000 movie reviews labelled positive (1) or
//! negative (0), each a list of word ids ranked by frequency.

use super::keras_file::{cached, ORIGIN};
use super::npy_array::NpyArray;
use super::random_state::RandomState;
use super::text::{self, SequenceData, TextOptions};
use super::{npz, word_index};
use crate::error::{Error, Result};
use ndarray::Array1;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Keras' file name in the dataset cache.
pub const FILE: &str = "imdb.npz";
/// SHA-256 of Keras' `imdb.npz` (from `keras/src/datasets/imdb.py`).
pub const SHA256: &str = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f";
/// The word index file in the cache.
pub const WORD_INDEX_FILE: &str = "imdb_word_index.json";
/// MD5 of Keras' `imdb_word_index.json`.
pub const WORD_INDEX_MD5: &str = "bfafd718b763782e994055a2d397834f";

text::text_loaders! {
    "IMDB";
    /// Loads IMDB as `keras.datasets.imdb.load_data(num_words=num_words)`:
    /// `((x_train, y_train), (x_test, y_test))`, 25,000 reviews each, every
    /// review a `Vec<i64>` of word ids starting with 1 (`start_char`), words
    /// from id 3 on (`index_from`), words not among the `num_words` most
    /// frequent replaced by 2 (`oov_char`); labels 0 or 1. `num_words` 0
    /// keeps all words (Keras' `None`). Shuffled with seed 113 exactly as Keras.
    ///
    /// Reads `imdb.npz` from the dataset cache, downloading it (SHA-256
    /// checked) when missing. Other Keras arguments: [`load_data_with`].
    ///
    /// ```no_run
    /// use kerust::prelude::*;
    /// let ((x_train, y_train), (x_test, y_test)) = datasets::imdb::load_data(10000)?;
    /// assert_eq!((x_train.len(), y_train.len(), x_test.len()), (25000, 25000, 25000));
    /// assert_eq!(x_train[0][0], 1);
    /// let x = utils::vectorize_sequences(&x_train, 10000)?;
    /// # Ok::<(), kerust::Error>(())
    /// ```
    fn load_data;
    /// [`load_data`] with all of Keras' arguments.
    ///
    /// ```no_run
    /// use kerust::prelude::*;
    /// let opts = datasets::TextOptions::new().num_words(10000).maxlen(500);
    /// let ((x_train, _), _) = datasets::imdb::load_data_with(&opts)?;
    /// assert!(x_train.iter().all(|x| x.len() < 500));
    /// # Ok::<(), kerust::Error>(())
    /// ```
    fn load_data_with;
    /// Loads an `imdb.npz` from `path` (any number of reviews) with Keras'
    /// processing; no download.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let e = datasets::imdb::load_data_from("no/such/imdb.npz", &datasets::TextOptions::new());
    /// assert!(e.unwrap_err().to_string().contains("no/such/imdb.npz"));
    /// ```
    fn load_data_from;
}

fn load(path: &Path, opts: &TextOptions) -> Result<SequenceData> {
    let file = path.display().to_string();
    let mut arrays = npz::read_any(path)?;
    let (xtr, ytr) = (
        lists(&mut arrays, "x_train", &file)?,
        labels(&mut arrays, "y_train", &file)?,
    );
    let (xte, yte) = (
        lists(&mut arrays, "x_test", &file)?,
        labels(&mut arrays, "y_test", &file)?,
    );
    text::check_pair(&xtr, &ytr, &file, "x_train", "y_train")?;
    text::check_pair(&xte, &yte, &file, "x_test", "y_test")?;
    let mut rng = RandomState::new(opts.seed);
    let (xtr, ytr) = text::shuffle(&mut rng, xtr, ytr);
    let (xte, yte) = text::shuffle(&mut rng, xte, yte);
    let (xtr, xte) = (text::mark(opts, xtr), text::mark(opts, xte));
    let maxlen = opts.maxlen;
    let (xtr, ytr) = text::remove_long(maxlen, xtr, ytr);
    let (xte, yte) = text::remove_long(maxlen, xte, yte);
    if xtr.is_empty() || xte.is_empty() {
        return Err(Error::value(format!(
            "After filtering for sequences shorter than maxlen={maxlen}, no sequence was kept. \
             Increase maxlen."
        )));
    }
    let n = xtr.len();
    let mut xs = xtr;
    xs.extend(xte);
    let mut xs = text::cut(opts, xs, "imdb.load_data")?;
    let xte = xs.split_off(n);
    Ok(((xs, Array1::from(ytr)), (xte, Array1::from(yte))))
}

pub(crate) fn lists(
    arrays: &mut BTreeMap<String, NpyArray>,
    key: &str,
    file: &str,
) -> Result<Vec<Vec<i64>>> {
    match arrays.remove(key) {
        Some(NpyArray::Lists(l)) => Ok(l),
        Some(other) => Err(Error::io(format!(
            "{file}: '{key}' is a {} array of shape {:?}; expected an object array of word-id lists",
            other.dtype(),
            other.shape()
        ))),
        None => Err(missing(key, file, arrays)),
    }
}

pub(crate) fn labels(
    arrays: &mut BTreeMap<String, NpyArray>,
    key: &str,
    file: &str,
) -> Result<Vec<i64>> {
    match arrays.remove(key) {
        Some(NpyArray::I64(a)) if a.ndim() == 1 => Ok(a.into_iter().collect()),
        Some(NpyArray::U8(a)) if a.ndim() == 1 => Ok(a.into_iter().map(i64::from).collect()),
        Some(other) => Err(Error::io(format!(
            "{file}: '{key}' is a {} array of shape {:?}; expected integer labels of shape (n,)",
            other.dtype(),
            other.shape()
        ))),
        None => Err(missing(key, file, arrays)),
    }
}

fn missing(key: &str, file: &str, arrays: &BTreeMap<String, NpyArray>) -> Error {
    let keys: Vec<&str> = arrays.keys().map(String::as_str).collect();
    Error::io(format!(
        "{file}: no array '{key}' (it holds {})",
        keys.join(", ")
    ))
}

/// `keras.datasets.imdb.get_word_index()`: word to rank (1 = most
/// frequent); a review's id `i` is the word of rank `i - 3` (`index_from`).
///
/// Reads `imdb_word_index.json` from the dataset cache, downloading it
/// (MD5 checked) when missing.
///
/// ```no_run
/// use kerust::prelude::*;
/// let word_index = datasets::imdb::get_word_index()?;
/// assert_eq!(word_index["the"], 1);
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn get_word_index() -> Result<HashMap<String, i64>> {
    let url = format!("{ORIGIN}{WORD_INDEX_FILE}");
    let path = cached(WORD_INDEX_FILE, &url, WORD_INDEX_MD5, "The IMDB word index")?;
    word_index::read(&path)
}
