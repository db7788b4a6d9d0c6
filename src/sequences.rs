//! `keras.utils.pad_sequences` and the multi-hot `vectorize_sequences` of
//! Chollet's IMDB chapter: from lists of word ids to a matrix.

use crate::error::{Error, Result};
use ndarray::Array2;

/// An integer word id: what [`pad_sequences`] and [`vectorize_sequences`]
/// accept in the sequences (IMDB's `i64`, or any other integer type).
pub trait WordId: Copy {
    /// The id as an `i64` (`None` when it does not fit).
    fn id(self) -> Option<i64>;
}

macro_rules! word_id {
    ($($t:ty),*) => {$(
        impl WordId for $t {
            fn id(self) -> Option<i64> { i64::try_from(self).ok() }
        }
    )*};
}
word_id!(i64, i32, i16, i8, u64, u32, u16, u8, usize, isize);

/// Keras' keyword arguments of `pad_sequences`: `maxlen` (0 = the longest
/// sequence, Keras' `None`), `padding` and `truncating` (`"pre"`, the
/// default, or `"post"`) and the padding `value` (0).
///
/// ```
/// use kerust::prelude::*;
/// let x = utils::pad_sequences_with(&[vec![1i64, 2, 3], vec![4]],
///     utils::PadSequences::maxlen(2).padding("post").truncating("post"))?;
/// assert_eq!(x, array![[1, 2], [4, 0]]);
/// # Ok::<(), kerust::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct PadSequences {
    maxlen: usize,
    padding: String,
    truncating: String,
    value: i32,
}

impl PadSequences {
    /// Pads or cuts every sequence to `maxlen` (0: to the longest one).
    pub fn maxlen(maxlen: usize) -> Self {
        PadSequences {
            maxlen,
            padding: "pre".into(),
            truncating: "pre".into(),
            value: 0,
        }
    }
    crate::builder::setters! {
        /// `"pre"` (Keras' default) puts the padding before the sequence, `"post"` after.
        padding(&str) => padding = padding.into();
        /// `"pre"` (Keras' default) cuts long sequences at the start, `"post"` at the end.
        truncating(&str) => truncating = truncating.into();
        /// The padding value (Keras: 0).
        value(i32);
    }
}

/// `keras.utils.pad_sequences(sequences, maxlen=maxlen)`: an `i32` matrix
/// `(len(sequences), maxlen)`, each row a sequence padded with 0 at the
/// start (or cut at the start when longer), as Keras' defaults.
/// `maxlen` 0 means the longest sequence's length (Keras' `None`).
///
/// ```
/// use kerust::prelude::*;
/// let x = utils::pad_sequences(&[vec![1i64, 2, 3], vec![4]], 2)?;
/// assert_eq!(x, array![[2, 3], [0, 4]]);
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn pad_sequences<S: AsRef<[T]>, T: WordId>(
    sequences: &[S],
    maxlen: usize,
) -> Result<Array2<i32>> {
    pad(&to_ids(sequences)?, &PadSequences::maxlen(maxlen))
}

/// [`pad_sequences`] with Keras' other arguments ([`PadSequences`]).
///
/// ```
/// use kerust::prelude::*;
/// let x = utils::pad_sequences_with(&[vec![5u8]], utils::PadSequences::maxlen(3).value(-1))?;
/// assert_eq!(x, array![[-1, -1, 5]]);
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn pad_sequences_with<S: AsRef<[T]>, T: WordId>(
    sequences: &[S],
    options: PadSequences,
) -> Result<Array2<i32>> {
    pad(&to_ids(sequences)?, &options)
}

/// Multi-hot encoding, as Chollet's `vectorize_sequences`: row `i` of the
/// `f32` matrix `(len(sequences), dimension)` is 1 at each id of sequence
/// `i` and 0 elsewhere. An id outside `0..dimension` is an error (load the
/// data with `num_words` equal to `dimension`).
///
/// ```
/// use kerust::prelude::*;
/// let x = utils::vectorize_sequences(&[vec![1i64, 3, 3], vec![0]], 4)?;
/// assert_eq!(x, array![[0.0f32, 1.0, 0.0, 1.0], [1.0, 0.0, 0.0, 0.0]]);
/// assert!(utils::vectorize_sequences(&[vec![4i64]], 4).is_err());
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn vectorize_sequences<S: AsRef<[T]>, T: WordId>(
    sequences: &[S],
    dimension: usize,
) -> Result<Array2<f32>> {
    multi_hot(&to_ids(sequences)?, dimension)
}

fn to_ids<S: AsRef<[T]>, T: WordId>(sequences: &[S]) -> Result<Vec<Vec<i64>>> {
    sequences
        .iter()
        .enumerate()
        .map(|(i, s)| {
            s.as_ref()
                .iter()
                .map(|w| {
                    w.id().ok_or_else(|| {
                        Error::value(format!("sequence {i}: a word id too large for an int64"))
                    })
                })
                .collect()
        })
        .collect()
}

fn pad(seqs: &[Vec<i64>], o: &PadSequences) -> Result<Array2<i32>> {
    for (what, v) in [("padding", &o.padding), ("truncating", &o.truncating)] {
        if v != "pre" && v != "post" {
            return Err(Error::value(format!(
                "pad_sequences: {what} type \"{v}\" not understood; expected \"pre\" or \"post\""
            )));
        }
    }
    let maxlen = if o.maxlen == 0 {
        seqs.iter().map(Vec::len).max().unwrap_or(0)
    } else {
        o.maxlen
    };
    let mut out = Array2::from_elem((seqs.len(), maxlen), o.value);
    for (i, s) in seqs.iter().enumerate() {
        let kept = if s.len() <= maxlen {
            &s[..]
        } else if o.truncating == "pre" {
            &s[s.len() - maxlen..]
        } else {
            &s[..maxlen]
        };
        let start = if o.padding == "pre" {
            maxlen - kept.len()
        } else {
            0
        };
        for (j, &w) in kept.iter().enumerate() {
            out[[i, start + j]] = i32::try_from(w).map_err(|_| {
                Error::value(format!(
                    "pad_sequences: sequence {i} holds {w}, which does not fit the int32 output"
                ))
            })?;
        }
    }
    Ok(out)
}

fn multi_hot(seqs: &[Vec<i64>], dimension: usize) -> Result<Array2<f32>> {
    let mut out = Array2::zeros((seqs.len(), dimension));
    for (i, s) in seqs.iter().enumerate() {
        for &w in s {
            match usize::try_from(w).ok().filter(|&w| w < dimension) {
                Some(j) => out[[i, j]] = 1.0,
                None => {
                    return Err(Error::value(format!(
                    "vectorize_sequences: sequence {i} holds word id {w}, outside 0..{dimension}; \
                         load the data with num_words={dimension} or raise the dimension"
                )))
                }
            }
        }
    }
    Ok(out)
}
