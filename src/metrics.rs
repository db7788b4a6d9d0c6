//! Metrics, resolved from the names Keras accepts. `"accuracy"` / `"acc"`
//! become binary, categorical or sparse categorical accuracy exactly as
//! Keras 3 chooses from the targets' and outputs' shapes.

use crate::error::Result;
use crate::losses::Loss;
use crate::registry::{alias, listed, lookup, Entry};
use crate::utils::first_argmax;
use ndarray::ArrayViewD;

/// A metric computed per sample and averaged over an epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    /// Output > 0.5 equals the 0/1 target.
    BinaryAccuracy,
    /// argmax of output equals argmax of the one-hot target.
    CategoricalAccuracy,
    /// argmax of output equals the integer target.
    SparseCategoricalAccuracy,
    /// Mean squared error.
    MeanSquaredError,
    /// Mean absolute error.
    MeanAbsoluteError,
}

/// A compiled metric: what the user called it and what it computes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metric {
    /// The name shown in logs and History (`"accuracy"`, `"acc"`, ...).
    pub name: String,
    /// What is computed; `None` until resolved against data (`"accuracy"`).
    pub kind: Option<MetricKind>,
}

/// Every metric name (see `crate::registry`); `None`: accuracy, resolved
/// from the targets and the loss.
const NAMES: [Entry<Option<MetricKind>>; 12] = [
    listed("accuracy", None),
    listed("acc", None),
    listed("binary_accuracy", Some(MetricKind::BinaryAccuracy)),
    listed(
        "categorical_accuracy",
        Some(MetricKind::CategoricalAccuracy),
    ),
    listed(
        "sparse_categorical_accuracy",
        Some(MetricKind::SparseCategoricalAccuracy),
    ),
    listed("mse", Some(MetricKind::MeanSquaredError)),
    listed("mean_squared_error", Some(MetricKind::MeanSquaredError)),
    listed("mae", Some(MetricKind::MeanAbsoluteError)),
    listed("mean_absolute_error", Some(MetricKind::MeanAbsoluteError)),
    alias("MeanSquaredError", Some(MetricKind::MeanSquaredError)),
    alias("MeanAbsoluteError", Some(MetricKind::MeanAbsoluteError)),
    alias("Accuracy", None),
];

impl Metric {
    /// Checks a metric name; `"accuracy"` is resolved later, from data.
    ///
    /// ```
    /// use kerust::metrics::Metric;
    /// assert!(Metric::from_name("acc").is_ok());
    /// assert!(Metric::from_name("acurracy").unwrap_err().to_string().contains("did you mean 'accuracy'"));
    /// ```
    pub fn from_name(name: &str) -> Result<Self> {
        let kind = *lookup(&NAMES, "metric", name)?;
        Ok(Metric {
            name: name.to_string(),
            kind,
        })
    }

    /// What the metric computes for targets and outputs of these shapes
    /// (with batch axis), following Keras 3's `get_metric`
    /// (`trainers/compile_utils.py`, `is_binary_or_sparse_categorical`):
    /// `"accuracy"` is binary accuracy when the output's last axis is 1,
    /// else sparse categorical accuracy when the targets have a lower rank
    /// or a last axis of 1, else categorical accuracy. The shapes alone
    /// decide; the loss does not (so binary cross-entropy on 3 sigmoid
    /// outputs reports categorical accuracy, as in Keras 3).
    ///
    /// ```
    /// use kerust::losses::Loss;
    /// use kerust::metrics::{Metric, MetricKind};
    /// let acc = Metric::from_name("accuracy").unwrap();
    /// let bce = Loss::BinaryCrossentropy;
    /// assert_eq!(acc.resolve(&[8, 1], &[8, 1], bce), MetricKind::BinaryAccuracy);
    /// assert_eq!(acc.resolve(&[8], &[8, 10], bce), MetricKind::SparseCategoricalAccuracy);
    /// assert_eq!(acc.resolve(&[8, 3], &[8, 3], bce), MetricKind::CategoricalAccuracy);
    /// ```
    pub fn resolve(&self, y_true: &[usize], y_pred: &[usize], _loss: Loss) -> MetricKind {
        if let Some(k) = self.kind {
            return k;
        }
        let is_binary = y_pred.last() == Some(&1);
        let is_sparse = y_true.len() < y_pred.len()
            || (y_true.last() == Some(&1) && y_pred.last().is_some_and(|&p| p > 1));
        if is_binary {
            MetricKind::BinaryAccuracy
        } else if is_sparse {
            MetricKind::SparseCategoricalAccuracy
        } else {
            MetricKind::CategoricalAccuracy
        }
    }
}

impl MetricKind {
    /// The sum of the per-sample values over a batch (divide by the sample
    /// count for the mean).
    pub fn batch_sum(self, y_true: ArrayViewD<f32>, y_pred: ArrayViewD<f32>) -> f64 {
        let classes = y_pred.shape().last().copied().unwrap_or(1).max(1);
        let p: Vec<f32> = y_pred.iter().copied().collect();
        let t: Vec<f32> = y_true.iter().copied().collect();
        let rows = p.len() / classes;
        let mut sum = 0.0f64;
        for r in 0..rows {
            let pr = &p[r * classes..(r + 1) * classes];
            let v = match self {
                MetricKind::SparseCategoricalAccuracy => f64::from(u8::from(
                    t.get(r).map(|&l| l as usize) == Some(first_argmax(pr)),
                )),
                _ => {
                    let tr = t.get(r * classes..(r + 1) * classes).unwrap_or(&[]);
                    let n = classes as f64;
                    match self {
                        MetricKind::CategoricalAccuracy => {
                            f64::from(u8::from(first_argmax(tr) == first_argmax(pr)))
                        }
                        MetricKind::BinaryAccuracy => {
                            tr.iter()
                                .zip(pr)
                                .map(|(&y, &q)| {
                                    f64::from(u8::from(f32::from(u8::from(q > 0.5)) == y))
                                })
                                .sum::<f64>()
                                / n
                        }
                        MetricKind::MeanSquaredError => {
                            tr.iter()
                                .zip(pr)
                                .map(|(&y, &q)| f64::from((y - q) * (y - q)))
                                .sum::<f64>()
                                / n
                        }
                        _ => {
                            tr.iter()
                                .zip(pr)
                                .map(|(&y, &q)| f64::from((y - q).abs()))
                                .sum::<f64>()
                                / n
                        }
                    }
                }
            };
            sum += v;
        }
        sum
    }
}
