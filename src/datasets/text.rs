//! What IMDB and Reuters share: Keras' options for word-id sequences
//! (`num_words`, `skip_top`, `maxlen`, `seed`, `start_char`, `oov_char`,
//! `index_from`) and the filtering Keras applies after shuffling.

use super::random_state::RandomState;
use crate::error::{Error, Result};
use ndarray::Array1;

/// The public loaders of a text dataset's module, over its `FILE`,
/// `SHA256` and `load(path, opts)`, each with the doc given: `load_data`
/// (Keras' `load_data(num_words)`), `load_data_with` (all of Keras'
/// arguments) and `load_data_from` (a file, no download). `$title` names
/// the dataset in download messages.
macro_rules! text_loaders {
    (
        $title:literal;
        $(#[$load_data:meta])* fn load_data;
        $(#[$with:meta])* fn load_data_with;
        $(#[$from:meta])* fn load_data_from;
    ) => {
        $(#[$load_data])*
        pub fn load_data(num_words: usize) -> Result<SequenceData> {
            load_data_with(&TextOptions::new().num_words(num_words))
        }
        $(#[$with])*
        pub fn load_data_with(opts: &TextOptions) -> Result<SequenceData> {
            let url = format!("{}{FILE}", super::keras_file::ORIGIN);
            let path = super::keras_file::cached(FILE, &url, SHA256, $title)?;
            load_data_from(path, opts)
        }
        $(#[$from])*
        pub fn load_data_from(
            path: impl AsRef<std::path::Path>,
            opts: &TextOptions,
        ) -> Result<SequenceData> {
            load(path.as_ref(), opts)
        }
    };
}
pub(crate) use text_loaders;

/// One part of a text dataset: the word-id sequences and their labels.
pub type SequenceSplit = (Vec<Vec<i64>>, Array1<i64>);

/// What `imdb::load_data` and `reuters::load_data` return:
/// `((x_train, y_train), (x_test, y_test))`.
pub type SequenceData = (SequenceSplit, SequenceSplit);

/// The keyword arguments of `keras.datasets.imdb.load_data` and
/// `keras.datasets.reuters.load_data`, with Keras' defaults: all words,
/// `skip_top` 0, no `maxlen`, seed 113, `start_char` 1, `oov_char` 2,
/// `index_from` 3, and (Reuters only) `test_split` 0.2.
///
/// ```
/// use kerust::prelude::*;
/// let opts = datasets::TextOptions::new().num_words(10000).skip_top(20).maxlen(200);
/// assert_eq!(opts.get_num_words(), 10000);
/// let no_start = datasets::TextOptions::new().start_char(None).oov_char(None);
/// # let _ = no_start;
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct TextOptions {
    pub(crate) num_words: usize,
    pub(crate) skip_top: i64,
    pub(crate) maxlen: usize,
    pub(crate) seed: u32,
    pub(crate) start_char: Option<i64>,
    pub(crate) oov_char: Option<i64>,
    pub(crate) index_from: i64,
    pub(crate) test_split: f64,
}

impl Default for TextOptions {
    fn default() -> Self {
        TextOptions {
            num_words: 0,
            skip_top: 0,
            maxlen: 0,
            seed: 113,
            start_char: Some(1),
            oov_char: Some(2),
            index_from: 3,
            test_split: 0.2,
        }
    }
}

impl TextOptions {
    /// Keras' defaults.
    pub fn new() -> Self {
        Self::default()
    }
    /// Keep the `num_words` most frequent words (ids below `num_words`);
    /// the others become `oov_char`. 0 (Keras' `None`) keeps all.
    pub fn num_words(mut self, num_words: usize) -> Self {
        self.num_words = num_words;
        self
    }
    /// The value of `num_words`.
    pub fn get_num_words(&self) -> usize {
        self.num_words
    }
    crate::builder::setters! {
        /// Ids below `skip_top` (the most frequent words) become `oov_char`.
        skip_top(usize) => skip_top = skip_top as i64;
        /// Drop sequences of `maxlen` ids or more (start mark included), as
        /// Keras does; 0 (Keras' `None`) keeps all.
        maxlen(usize);
        /// The seed of the shuffle (Keras: 113).
        seed(u32);
        /// The id put first in each sequence, or `None` for no start mark.
        start_char(impl Into<Option<i64>>) => start_char = start_char.into();
        /// The id replacing cut words, or `None` to drop them.
        oov_char(impl Into<Option<i64>>) => oov_char = oov_char.into();
        /// Added to every word id of the file (Keras: 3, after 0 padding,
        /// 1 start and 2 out-of-vocabulary).
        index_from(i64);
        /// Reuters only: the fraction of the data used as test set (0.2).
        test_split(f64);
    }
}

/// Shuffles `x` and `y` together with `rng`, as Keras' `x[indices]`.
pub(crate) fn shuffle(
    rng: &mut RandomState,
    mut x: Vec<Vec<i64>>,
    y: Vec<i64>,
) -> (Vec<Vec<i64>>, Vec<i64>) {
    let idx = rng.permutation(x.len());
    // `idx` is a permutation: each sequence is moved out exactly once.
    let xs = idx.iter().map(|&i| std::mem::take(&mut x[i])).collect();
    let ys = idx.iter().map(|&i| y[i]).collect();
    (xs, ys)
}

/// `[start_char] + [w + index_from for w in x]`, as Keras.
pub(crate) fn mark(opts: &TextOptions, xs: Vec<Vec<i64>>) -> Vec<Vec<i64>> {
    xs.into_iter()
        .map(|x| {
            let shifted = x.into_iter().map(|w| w + opts.index_from);
            match opts.start_char {
                Some(s) => std::iter::once(s).chain(shifted).collect(),
                None => shifted.collect(),
            }
        })
        .collect()
}

/// Keras' `remove_long_seq`: keeps the sequences shorter than `maxlen`.
pub(crate) fn remove_long(
    maxlen: usize,
    xs: Vec<Vec<i64>>,
    ys: Vec<i64>,
) -> (Vec<Vec<i64>>, Vec<i64>) {
    if maxlen == 0 {
        return (xs, ys);
    }
    xs.into_iter()
        .zip(ys)
        .filter(|(x, _)| x.len() < maxlen)
        .unzip()
}

/// Replaces (or drops) ids outside `skip_top..num_words`, where `num_words`
/// 0 means the largest id of all sequences (which itself is then cut, as
/// in Keras).
pub(crate) fn cut(opts: &TextOptions, xs: Vec<Vec<i64>>, what: &str) -> Result<Vec<Vec<i64>>> {
    let num_words = if opts.num_words == 0 {
        let longest = xs
            .iter()
            .map(|x| x.iter().max())
            .collect::<Option<Vec<_>>>();
        match longest.and_then(|m| m.into_iter().max()) {
            Some(&m) => m,
            None => {
                return Err(Error::value(format!(
                    "{what}: a sequence is empty, so the largest word id (num_words=None) is \
                     undefined; give num_words"
                )))
            }
        }
    } else {
        opts.num_words as i64
    };
    let keep = |w: i64| opts.skip_top <= w && w < num_words;
    Ok(xs
        .into_iter()
        .map(|x| match opts.oov_char {
            Some(oov) => x
                .into_iter()
                .map(|w| if keep(w) { w } else { oov })
                .collect(),
            None => x.into_iter().filter(|&w| keep(w)).collect(),
        })
        .collect())
}

/// Checks that `x` and `y` agree in length; both come from one file.
pub(crate) fn check_pair(x: &[Vec<i64>], y: &[i64], file: &str, xk: &str, yk: &str) -> Result<()> {
    if x.len() != y.len() {
        return Err(Error::io(format!(
            "{file}: '{xk}' holds {} sequences but '{yk}' holds {} labels; the counts must agree",
            x.len(),
            y.len()
        )));
    }
    Ok(())
}
