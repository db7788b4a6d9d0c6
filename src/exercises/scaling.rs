//! Checking a test set scaled by hand with the training set's minimum and
//! range (lesson 5): the right arithmetic is `(x - min) / range`, per
//! feature, with the *training* set's numbers.

use super::Check;
use ndarray::{Array1, Array2, ArrayView2, ArrayViewD, Axis, Ix2};

const EXERCISE: &str = "Scaling the test set";

fn column_min_max(x: ArrayView2<'_, f32>) -> (Array1<f32>, Array1<f32>) {
    let min = x.fold_axis(Axis(0), f32::INFINITY, |a, &b| a.min(b));
    let max = x.fold_axis(Axis(0), f32::NEG_INFINITY, |a, &b| a.max(b));
    (min, max)
}

fn close(a: ArrayView2<'_, f32>, b: &Array2<f32>) -> bool {
    a.shape() == b.shape()
        && a.iter()
            .zip(b.iter())
            .all(|(x, y)| (x - y).abs() <= 1e-4 * (1.0 + y.abs()))
}

/// The checks' body: `train` and `test` are (samples, features).
pub(crate) fn check(
    train: ArrayView2<'_, f32>,
    test: ArrayView2<'_, f32>,
    answer: ArrayViewD<'_, f32>,
) -> Check {
    let fail = |p: String| Check::new(EXERCISE, vec![p], String::new());
    let ndim = answer.ndim();
    let Ok(answer) = answer.into_dimensionality::<Ix2>() else {
        return fail(format!(
            "your array has {ndim} axes; the scaled test set has 2, like test_x: one row per point, one column per feature"
        ));
    };
    if answer.shape() != test.shape() {
        let hint = if answer.shape() == train.shape() {
            " (yours has the training set's shape: scale test_x)"
        } else {
            ""
        };
        return fail(format!(
            "your array has shape {:?}; test_x has shape {:?}: scale every value of test_x, one result per value{hint}",
            answer.shape(),
            test.shape()
        ));
    }
    let (min, max) = column_min_max(train);
    let range = &max - &min;
    let right = (&test - &min) / &range;
    if close(answer, &right) {
        return Check::new(
            EXERCISE,
            Vec::new(),
            "(x - min) / range with the training set's minimum and range, feature by feature: the same numbers as scaler.transform(&test_x).".to_string(),
        );
    }
    let (tmin, tmax) = column_min_max(test);
    let gmin = train.iter().copied().fold(f32::INFINITY, f32::min);
    let gmax = train.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let candidates: Vec<(Array2<f32>, &str)> = vec![
        (
            (&test - &tmin) / &(&tmax - &tmin),
            "you used the test set's own minimum and range; use the training set's (min and range above): \
             new data is scaled with the numbers learned from the training data, which is all we know in advance",
        ),
        (
            &test / &range,
            "you divided by the range but did not subtract the minimum first",
        ),
        (
            (&test - &min) / &max,
            "you divided by the maximum; divide by the range, max - min",
        ),
        (
            &test / &max,
            "you divided by the maximum and did not subtract the minimum: compute (x - min) / range",
        ),
        (
            &test - &min,
            "you subtracted the minimum but did not divide by the range",
        ),
        (
            test.mapv(|v| (v - gmin) / (gmax - gmin)),
            "you used one minimum and one range for the whole array; each feature (column) has its own: min and range hold one number per feature",
        ),
    ];
    let reasons: Vec<&str> = candidates
        .iter()
        .filter(|(c, _)| close(answer, c))
        .map(|(_, why)| *why)
        .collect();
    if let Some(why) = reasons.first() {
        return fail(why.to_string());
    }
    // Where it first differs, with both numbers.
    let (i, j) = answer
        .indexed_iter()
        .find(|((i, j), v)| (**v - right[[*i, *j]]).abs() > 1e-4 * (1.0 + right[[*i, *j]].abs()))
        .map(|(ix, _)| ix)
        .unwrap_or((0, 0));
    fail(format!(
        "test point {i}, feature {j}: yours is {:.4}, but (x - min) / range = ({:.4} - {:.4}) / {:.4} = {:.4}",
        answer[[i, j]],
        test[[i, j]],
        min[j],
        range[j],
        right[[i, j]]
    ))
}
