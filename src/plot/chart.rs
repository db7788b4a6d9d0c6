//! What the chart builders (`bar`, `line`, `hist`) share: their title and
//! axis labels, and reading a row of values.

use crate::error::{Error, Result};
use ndarray::ArrayD;

/// A chart's title and axis labels (empty: none).
#[derive(Debug, Clone, Default)]
pub(crate) struct Labels {
    pub(crate) title: String,
    pub(crate) xlabel: String,
    pub(crate) ylabel: String,
}

/// `title`, `xlabel` and `ylabel` builder methods for a chart builder
/// with a `labels: Labels` field.
macro_rules! label_methods {
    ($t:ty) => {
        impl $t {
            crate::builder::setters! {
                /// The title above the chart (matplotlib's `plt.title`).
                title(&str) => labels.title = title.to_string();
                /// The label under the x axis (matplotlib's `plt.xlabel`).
                xlabel(&str) => labels.xlabel = xlabel.to_string();
                /// The label beside the y axis (matplotlib's `plt.ylabel`).
                ylabel(&str) => labels.ylabel = ylabel.to_string();
            }
        }
    };
}
pub(crate) use label_methods;

/// One row of values: shape `(n,)`, `(1, n)` or `(n, 1)`, at least one.
pub(crate) fn values_1d(x: ArrayD<f32>, call: &str, hint: &str) -> Result<Vec<f32>> {
    match x.shape() {
        [_] | [1, _] | [_, 1] => {}
        other => {
            return Err(Error::shape(format!(
                "{call} expects one row of values (n,) but got shape {}{hint}",
                crate::shape::array_shape(other)
            )))
        }
    }
    if x.is_empty() {
        return Err(Error::value(format!("{call} got no values")));
    }
    Ok(x.iter().copied().collect())
}

/// The y range that shows `lo..hi` with a little room, from 0 when all
/// values are of one sign (bars and counts start at 0).
pub(crate) fn y_range(lo: f32, hi: f32, from_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::from(lo), f64::from(hi));
    if from_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    if hi - lo < 1e-12 {
        let d = (hi.abs() * 0.1).max(0.5);
        return (lo - d, hi + d);
    }
    let pad = (hi - lo) * 0.06;
    let lo = if from_zero && lo >= 0.0 { lo } else { lo - pad };
    let hi = if from_zero && hi <= 0.0 { hi } else { hi + pad };
    (lo, hi)
}
