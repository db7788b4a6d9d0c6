//! `keras.utils`: normalize, to_categorical, set_random_seed.

use crate::error::{Error, Result};
use crate::tensor::AsTensor;
use ndarray::{ArrayD, ArrayViewD, Axis, CowArray, IxDyn};

pub use crate::random::set_random_seed;
pub use crate::sequences::{
    pad_sequences, pad_sequences_with, vectorize_sequences, PadSequences, WordId,
};

/// Divides `x` by its L2 norm along `axis` (negative counts from the end),
/// as `keras.utils.normalize(x, axis)`; zero norms are left as 1. Integer
/// input (MNIST's `u8`) comes back as `f32`. An axis outside the array's
/// rank is clamped as an error would be unhelpful mid-notebook: see
/// [`try_normalize`] for the checked form.
///
/// ```
/// use kerust::prelude::*;
/// let x = array![[3u8, 4], [0, 0]];
/// let n = utils::normalize(&x, 1);
/// assert_eq!(n, array![[0.6f32, 0.8], [0.0, 0.0]].into_dyn());
/// ```
pub fn normalize<X: AsTensor + ?Sized>(x: &X, axis: isize) -> ArrayD<f32> {
    normalize_tensor(x.to_tensor(), axis)
}

fn normalize_tensor(x: CowArray<'_, f32, IxDyn>, axis: isize) -> ArrayD<f32> {
    let rank = x.ndim() as isize;
    let axis = if rank == 0 {
        0
    } else {
        axis.rem_euclid(rank.max(1))
    };
    try_normalize_tensor(x.view(), axis).unwrap_or_else(|_| x.into_owned())
}

/// [`normalize`] with an error for an axis outside the array's rank.
///
/// ```
/// use kerust::prelude::*;
/// let x = array![[3.0f32, 4.0]];
/// assert!(utils::try_normalize(&x, 2).is_err());
/// assert!(utils::try_normalize(&x, -1).is_ok());
/// ```
pub fn try_normalize<X: AsTensor + ?Sized>(x: &X, axis: isize) -> Result<ArrayD<f32>> {
    try_normalize_tensor(x.to_tensor().view(), axis)
}

fn try_normalize_tensor(x: ArrayViewD<'_, f32>, axis: isize) -> Result<ArrayD<f32>> {
    let rank = x.ndim() as isize;
    let ax = if axis < 0 { axis + rank } else { axis };
    if rank == 0 || ax < 0 || ax >= rank {
        return Err(Error::value(format!(
            "normalize: axis {axis} is out of range for an array of rank {rank}"
        )));
    }
    let ax = Axis(ax as usize);
    let norm = x.map_axis(ax, |lane| {
        let s: f64 = lane.iter().map(|&v| f64::from(v) * f64::from(v)).sum();
        let n = s.sqrt();
        if n == 0.0 {
            1.0
        } else {
            n
        }
    });
    let norm = norm.insert_axis(ax);
    let mut out = x.to_owned();
    ndarray::Zip::from(&mut out)
        .and_broadcast(&norm)
        .for_each(|v, &n| *v = (f64::from(*v) / n) as f32);
    Ok(out)
}

/// Uniform random numbers in [0, 1) of the given shape, as NumPy's
/// `np.random.rand` (drawn from the session's generator, so
/// [`set_random_seed`] makes them repeatable).
///
/// ```
/// use kerust::prelude::*;
/// let x = utils::rand((2, 10));
/// assert_eq!(x.shape(), &[2, 10]);
/// assert!(x.iter().all(|v| (0.0..1.0).contains(v)));
/// ```
pub fn rand<Sh: ndarray::ShapeBuilder<Dim = D>, D: ndarray::Dimension>(
    shape: Sh,
) -> ndarray::Array<f32, D> {
    use rand::Rng as _;
    let mut rng = crate::random::fork();
    ndarray::Array::from_shape_simple_fn(shape, || rng.random::<f32>())
}

/// One-hot encodes integer class labels, as `keras.utils.to_categorical`:
/// `(n,)` labels become `(n, num_classes)`; `None` uses max label + 1.
///
/// ```
/// use kerust::prelude::*;
/// let y = array![0u8, 2];
/// let one_hot = utils::to_categorical(&y, None)?;
/// assert_eq!(one_hot, array![[1.0f32, 0.0, 0.0], [0.0, 0.0, 1.0]].into_dyn());
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn to_categorical<Y: AsTensor + ?Sized>(
    y: &Y,
    num_classes: impl Into<Option<usize>>,
) -> Result<ArrayD<f32>> {
    to_categorical_tensor(y.to_tensor().view(), num_classes.into())
}

fn to_categorical_tensor(
    y: ArrayViewD<'_, f32>,
    num_classes: Option<usize>,
) -> Result<ArrayD<f32>> {
    let mut shape = y.shape().to_vec();
    if shape.last() == Some(&1) && shape.len() > 1 {
        shape.pop();
    }
    let mut labels = Vec::with_capacity(y.len());
    for (i, &v) in y.iter().enumerate() {
        if !(v >= 0.0 && v.fract() == 0.0) {
            return Err(Error::value(format!(
                "to_categorical: y[{i}] is {v}, but labels must be integers >= 0"
            )));
        }
        // Labels beyond 2^31 could not be one-hot encoded anyway (the output
        // would exceed the size limit below); rejecting them here also keeps
        // `max + 1` from overflowing.
        if v > (1u64 << 31) as f32 {
            return Err(Error::value(format!(
                "to_categorical: y[{i}] is {v}, which is too large for a class label (at most 2^31)"
            )));
        }
        labels.push(v as usize);
    }
    let max = labels.iter().copied().max().map(|m| m + 1).unwrap_or(0);
    let classes = num_classes.unwrap_or(max);
    if classes == 0
        || crate::shape::checked_size(&[labels.len(), classes]).is_none_or(|n| n > 1 << 31)
    {
        return Err(Error::value(format!(
            "to_categorical: num_classes must be between 1 and 2^31 / samples, got {classes}"
        )));
    }
    if max > classes {
        return Err(Error::value(format!(
            "to_categorical: label {} is out of range for num_classes={classes}",
            max - 1
        )));
    }
    // labels.len() * classes <= 2^31 was checked above, and every label < classes.
    let mut out = vec![0.0f32; labels.len() * classes];
    for (i, l) in labels.iter().enumerate() {
        out[i * classes + l] = 1.0;
    }
    shape.push(classes);
    ArrayD::from_shape_vec(shape, out).map_err(|e| Error::value(format!("to_categorical: {e}")))
}

/// The flat index of the largest value (the first one on ties), as
/// `np.argmax(x)`; `None` for an empty array or one holding NaN.
///
/// ```
/// use kerust::prelude::*;
/// let probabilities = array![0.1f32, 0.7, 0.2];
/// assert_eq!(utils::argmax(&probabilities), Some(1));
/// ```
pub fn argmax<X: AsTensor + ?Sized>(x: &X) -> Option<usize> {
    argmax_tensor(x.to_tensor().view())
}

fn argmax_tensor(x: ArrayViewD<'_, f32>) -> Option<usize> {
    if x.iter().any(|v| v.is_nan()) {
        return None;
    }
    (!x.is_empty()).then(|| first_argmax(x.iter()))
}

/// The index of the first largest value (0 for none): each value replaces
/// the best so far only when strictly greater.
pub(crate) fn first_argmax<'a>(values: impl IntoIterator<Item = &'a f32>) -> usize {
    let mut it = values.into_iter().enumerate();
    let Some((_, &first)) = it.next() else {
        return 0;
    };
    let (mut best, mut best_v) = (0, first);
    for (i, &v) in it {
        if v > best_v {
            (best, best_v) = (i, v);
        }
    }
    best
}

/// The index of the largest value along `axis` for every other position,
/// as `np.argmax(x, axis)`: for `predict`'s `(samples, classes)` output and
/// axis 1, the predicted class of each sample.
///
/// ```
/// use kerust::prelude::*;
/// let predictions = array![[0.1f32, 0.9], [0.8, 0.2]];
/// assert_eq!(utils::argmax_axis(&predictions, 1)?, array![1usize, 0].into_dyn());
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn argmax_axis<X: AsTensor + ?Sized>(x: &X, axis: isize) -> Result<ArrayD<usize>> {
    argmax_axis_tensor(x.to_tensor().view(), axis)
}

fn argmax_axis_tensor(x: ArrayViewD<'_, f32>, axis: isize) -> Result<ArrayD<usize>> {
    let rank = x.ndim() as isize;
    let ax = if axis < 0 { axis + rank } else { axis };
    if ax < 0 || ax >= rank {
        return Err(Error::value(format!(
            "argmax_axis: axis {axis} is out of range for an array of rank {rank}"
        )));
    }
    let ax = Axis(ax as usize);
    if x.len_of(ax) == 0 {
        return Err(Error::value("argmax_axis: the axis has length 0"));
    }
    Ok(x.map_axis(ax, |lane| first_argmax(lane.iter())))
}
