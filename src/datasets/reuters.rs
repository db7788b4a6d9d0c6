//! `keras.datasets.reuters`: 11,228 Reuters newswires in 46 topics, each a
//! list of word ids ranked by frequency.

use super::imdb::{labels, lists};
use super::keras_file::{cached, ORIGIN};
use super::random_state::RandomState;
use super::text::{self, SequenceData, TextOptions};
use super::{npz, word_index};
use crate::error::{Error, Result};
use ndarray::Array1;
use std::collections::HashMap;
use std::path::Path;

/// Keras' file name in the dataset cache.
pub const FILE: &str = "reuters.npz";
/// SHA-256 of Keras' `reuters.npz` (from `keras/src/datasets/reuters.py`).
pub const SHA256: &str = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916";
/// The word index file in the cache.
pub const WORD_INDEX_FILE: &str = "reuters_word_index.json";
/// MD5 of Keras' `reuters_word_index.json`.
pub const WORD_INDEX_MD5: &str = "4d44cc38712099c9e383dc6e5f11a921";

/// The 46 topic names, by label (`keras.datasets.reuters.get_label_names()`).
pub const LABEL_NAMES: [&str; 46] = [
    "cocoa",
    "grain",
    "veg-oil",
    "earn",
    "acq",
    "wheat",
    "copper",
    "housing",
    "money-supply",
    "coffee",
    "sugar",
    "trade",
    "reserves",
    "ship",
    "cotton",
    "carcass",
    "crude",
    "nat-gas",
    "cpi",
    "money-fx",
    "interest",
    "gnp",
    "meal-feed",
    "alum",
    "oilseed",
    "gold",
    "tin",
    "strategic-metal",
    "livestock",
    "retail",
    "ipi",
    "iron-steel",
    "rubber",
    "heat",
    "jobs",
    "lei",
    "bop",
    "zinc",
    "orange",
    "pet-chem",
    "dlr",
    "gas",
    "silver",
    "wpi",
    "hog",
    "lead",
];

text::text_loaders! {
    "Reuters";
    /// Loads Reuters as `keras.datasets.reuters.load_data(num_words=num_words)`:
    /// 8,982 training and 2,246 test newswires (`test_split` 0.2 after a seed
    /// 113 shuffle, exactly as Keras), ids as in [`imdb::load_data`](super::imdb::load_data),
    /// labels 0 to 45 ([`LABEL_NAMES`]). `num_words` 0 keeps all words.
    ///
    /// Reads `reuters.npz` from the dataset cache, downloading it (SHA-256
    /// checked) when missing. Other Keras arguments: [`load_data_with`].
    ///
    /// ```no_run
    /// use kerust::prelude::*;
    /// let ((x_train, y_train), (x_test, _)) = datasets::reuters::load_data(10000)?;
    /// assert_eq!((x_train.len(), x_test.len()), (8982, 2246));
    /// # Ok::<(), kerust::Error>(())
    /// ```
    fn load_data;
    /// [`load_data`] with all of Keras' arguments, `test_split` included.
    ///
    /// ```no_run
    /// use kerust::prelude::*;
    /// let opts = datasets::TextOptions::new().num_words(10000).test_split(0.1);
    /// let ((x_train, _), _) = datasets::reuters::load_data_with(&opts)?;
    /// # Ok::<(), kerust::Error>(())
    /// ```
    fn load_data_with;
    /// Loads a `reuters.npz` (arrays `x` and `y`, any number of newswires)
    /// from `path` with Keras' processing; no download.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let e = datasets::reuters::load_data_from("no/such/reuters.npz", &datasets::TextOptions::new());
    /// assert!(e.is_err());
    /// ```
    fn load_data_from;
}

fn load(path: &Path, opts: &TextOptions) -> Result<SequenceData> {
    if !(0.0..1.0).contains(&opts.test_split) {
        return Err(Error::value(format!(
            "reuters.load_data: test_split must be in [0, 1), got {}",
            opts.test_split
        )));
    }
    let file = path.display().to_string();
    let mut arrays = npz::read_any(path)?;
    let (xs, ys) = (
        lists(&mut arrays, "x", &file)?,
        labels(&mut arrays, "y", &file)?,
    );
    text::check_pair(&xs, &ys, &file, "x", "y")?;
    let mut rng = RandomState::new(opts.seed);
    let (xs, ys) = text::shuffle(&mut rng, xs, ys);
    let xs = text::mark(opts, xs);
    let (xs, mut ys) = text::remove_long(opts.maxlen, xs, ys);
    let mut xs = text::cut(opts, xs, "reuters.load_data")?;
    let idx = (xs.len() as f64 * (1.0 - opts.test_split)) as usize;
    let (xte, yte) = (xs.split_off(idx), ys.split_off(idx));
    Ok(((xs, Array1::from(ys)), (xte, Array1::from(yte))))
}

/// `keras.datasets.reuters.get_word_index()`: word to rank; a newswire's
/// id `i` is the word of rank `i - 3`.
///
/// ```no_run
/// let word_index = kerust::datasets::reuters::get_word_index()?;
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn get_word_index() -> Result<HashMap<String, i64>> {
    let url = format!("{ORIGIN}{WORD_INDEX_FILE}");
    let path = cached(
        WORD_INDEX_FILE,
        &url,
        WORD_INDEX_MD5,
        "The Reuters word index",
    )?;
    word_index::read(&path)
}

/// The topic names, as `keras.datasets.reuters.get_label_names()`.
///
/// ```
/// assert_eq!(kerust::datasets::reuters::get_label_names()[3], "earn");
/// ```
pub fn get_label_names() -> [&'static str; 46] {
    LABEL_NAMES
}
