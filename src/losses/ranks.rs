//! Targets and predictions whose ranks differ by a trailing 1, as Keras 3
//! brings them to one rank (`squeeze_or_expand_to_same_rank` in
//! `keras/src/losses/loss.py`) before a loss or a metric compares them.

use super::Loss;
use ndarray::{ArrayD, ArrayViewD, Axis};

/// The shapes Keras 3's `squeeze_or_expand_to_same_rank` gives targets
/// and predictions whose ranks differ by one: the one with the extra
/// trailing 1 is squeezed, except that a rank-1 partner is expanded
/// instead (`(N,)` and `(N, 1)` both become `(N, 1)`).
///
/// ```
/// use kerust::losses::same_rank;
/// assert_eq!(same_rank(&[8], &[8, 1]), (vec![8, 1], vec![8, 1]));
/// assert_eq!(same_rank(&[8, 1], &[8]), (vec![8, 1], vec![8, 1]));
/// assert_eq!(same_rank(&[8, 4], &[8, 4, 1]), (vec![8, 4], vec![8, 4]));
/// assert_eq!(same_rank(&[8, 4, 1], &[8, 4]), (vec![8, 4], vec![8, 4]));
/// assert_eq!(same_rank(&[8], &[8, 10]), (vec![8], vec![8, 10]));
/// ```
pub fn same_rank(y_true: &[usize], y_pred: &[usize]) -> (Vec<usize>, Vec<usize>) {
    // The longer shape ends in 1: expand a rank-1 partner, else squeeze it.
    let fit = |long: &[usize], short: &[usize]| match short.len() {
        1 => (long.to_vec(), [short, &[1]].concat()),
        _ => (long[..short.len()].to_vec(), short.to_vec()),
    };
    if y_true.len() == y_pred.len() + 1 && y_true.last() == Some(&1) {
        fit(y_true, y_pred)
    } else if y_pred.len() == y_true.len() + 1 && y_pred.last() == Some(&1) {
        let (p, t) = fit(y_pred, y_true);
        (t, p)
    } else {
        (y_true.to_vec(), y_pred.to_vec())
    }
}

/// Gives targets the shape Keras' losses see against predictions of shape
/// `y_pred_shape` ([`same_rank`]): `(N,)` to `(N, 1)`, `(N, k, 1)` to
/// `(N, k)`. Where Keras squeezes the predictions instead (`(N, k, 1)`
/// against `(N, k)` targets), the targets stay and the losses squeeze the
/// predictions. Class indices keep their shape.
pub(crate) fn align_targets(
    loss: Loss,
    y_true: &ArrayD<f32>,
    y_pred_shape: &[usize],
) -> ArrayD<f32> {
    let n = y_true.ndim();
    let (t, _) = same_rank(y_true.shape(), y_pred_shape);
    match loss {
        Loss::SparseCategoricalCrossentropy => y_true.clone(),
        _ if t.len() == n + 1 => y_true.clone().insert_axis(Axis(n)),
        _ if t.len() + 1 == n => y_true.clone().remove_axis(Axis(n - 1)),
        _ => y_true.clone(),
    }
}

/// Predictions `(.., k, 1)` as Keras' losses see them against targets
/// `(.., k)` of rank 2 or more: squeezed to `(.., k)` ([`same_rank`]) by
/// dropping the trailing axis of length 1, which works on any view.
pub(crate) fn squeezed<'a>(
    y_true: &[usize],
    y_pred: &ArrayViewD<'a, f32>,
) -> Option<ArrayViewD<'a, f32>> {
    let (t, p) = same_rank(y_true, y_pred.shape());
    if p.len() + 1 != y_pred.ndim() || t != p {
        return None;
    }
    // `same_rank` squeezes the predictions only when their last axis is 1.
    Some(y_pred.clone().remove_axis(Axis(p.len())))
}

/// `value_and_grad` on the predictions squeezed to the targets' rank
/// ([`squeezed`]), its gradient given back in the predictions' shape;
/// `None` when they need no squeezing.
pub(super) fn on_squeezed(
    y_true: ArrayViewD<f32>,
    y_pred: &ArrayViewD<f32>,
    value_and_grad: impl FnOnce(ArrayViewD<f32>, ArrayViewD<f32>) -> (f32, ArrayD<f32>),
) -> Option<(f32, ArrayD<f32>)> {
    let p = squeezed(y_true.shape(), y_pred)?;
    let (v, g) = value_and_grad(y_true, p);
    // Squeezing dropped the trailing axis of length 1: put it back.
    Some((v, g.insert_axis(Axis(y_pred.ndim() - 1))))
}

#[cfg(test)]
mod tests {
    use super::super::Loss;
    use ndarray::{Array, IxDyn};

    #[test]
    fn predictions_that_are_not_row_major_are_squeezed_too() {
        // (1, 3, 4) viewed as (4, 3, 1): a view no reshape can take as is.
        let raw = Array::from_shape_fn(IxDyn(&[1, 3, 4]), |i| (i[1] * 4 + i[2]) as f32 / 12.0);
        let view = raw.view().permuted_axes(IxDyn(&[2, 1, 0]));
        assert!(!view.is_standard_layout());
        let copy = view.as_standard_layout().into_owned();
        let t = Array::from_shape_fn(IxDyn(&[4, 3]), |i| (i[0] + i[1]) as f32 / 6.0);
        let loss = Loss::MeanSquaredError;
        let (v, g) = loss.value_and_grad(t.view(), view.clone()).unwrap();
        let (v_copy, g_copy) = loss.value_and_grad(t.view(), copy.view()).unwrap();
        assert_eq!((v, &g), (v_copy, &g_copy));
        assert_eq!(g.shape(), &[4, 3, 1]);
        // Against (4, 3) targets, (4, 3, 1) predictions compare elementwise.
        let squeezed = copy.into_shape_with_order(IxDyn(&[4, 3])).unwrap();
        assert_eq!(v, loss.value(t.view(), squeezed.view()).unwrap());
    }
}
