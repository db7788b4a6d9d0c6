//! Metrics, resolved from the names Keras accepts. `"accuracy"` / `"acc"`
//! become binary, categorical or sparse categorical accuracy exactly as
//! Keras 3 chooses from the targets' and outputs' shapes.

use crate::error::{Error, Result};
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
    /// Binary cross-entropy of the outputs (probabilities).
    BinaryCrossentropy,
    /// Categorical cross-entropy of the outputs (probabilities).
    CategoricalCrossentropy,
    /// Sparse categorical cross-entropy of the outputs (probabilities).
    SparseCategoricalCrossentropy,
    /// The one-hot target's class is among the 5 largest outputs.
    TopKCategoricalAccuracy,
    /// The integer target is among the 5 largest outputs.
    SparseTopKCategoricalAccuracy,
}

/// The `k` of Keras' `top_k_categorical_accuracy` metric strings.
pub const TOP_K: usize = 5;

/// A compiled metric: what the user called it and what it computes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metric {
    /// The name shown in logs and History (`"accuracy"`, `"acc"`, ...).
    pub name: String,
    /// What is computed; `None` until resolved against data (`"accuracy"`).
    pub kind: Option<MetricKind>,
}

use MetricKind as K;

/// Every metric name (see `crate::registry`); `None`: accuracy, resolved
/// from the targets and the loss (any spelling of `accuracy` and `acc`
/// is, as in Keras 3).
const NAMES: [Entry<Option<MetricKind>>; 29] = [
    listed("accuracy", None),
    listed("acc", None),
    listed("binary_accuracy", Some(K::BinaryAccuracy)),
    listed("categorical_accuracy", Some(K::CategoricalAccuracy)),
    listed(
        "sparse_categorical_accuracy",
        Some(K::SparseCategoricalAccuracy),
    ),
    listed("mse", Some(K::MeanSquaredError)),
    listed("mean_squared_error", Some(K::MeanSquaredError)),
    listed("mae", Some(K::MeanAbsoluteError)),
    listed("mean_absolute_error", Some(K::MeanAbsoluteError)),
    listed("binary_crossentropy", Some(K::BinaryCrossentropy)),
    listed("categorical_crossentropy", Some(K::CategoricalCrossentropy)),
    listed(
        "sparse_categorical_crossentropy",
        Some(K::SparseCategoricalCrossentropy),
    ),
    listed(
        "top_k_categorical_accuracy",
        Some(K::TopKCategoricalAccuracy),
    ),
    listed(
        "sparse_top_k_categorical_accuracy",
        Some(K::SparseTopKCategoricalAccuracy),
    ),
    alias("MeanSquaredError", Some(K::MeanSquaredError)),
    alias("MeanAbsoluteError", Some(K::MeanAbsoluteError)),
    alias("BinaryAccuracy", Some(K::BinaryAccuracy)),
    alias("CategoricalAccuracy", Some(K::CategoricalAccuracy)),
    alias(
        "SparseCategoricalAccuracy",
        Some(K::SparseCategoricalAccuracy),
    ),
    alias("BinaryCrossentropy", Some(K::BinaryCrossentropy)),
    alias("CategoricalCrossentropy", Some(K::CategoricalCrossentropy)),
    alias(
        "SparseCategoricalCrossentropy",
        Some(K::SparseCategoricalCrossentropy),
    ),
    alias("TopKCategoricalAccuracy", Some(K::TopKCategoricalAccuracy)),
    alias(
        "SparseTopKCategoricalAccuracy",
        Some(K::SparseTopKCategoricalAccuracy),
    ),
    alias("MSE", Some(K::MeanSquaredError)),
    alias("MAE", Some(K::MeanAbsoluteError)),
    alias("bce", Some(K::BinaryCrossentropy)),
    alias("BCE", Some(K::BinaryCrossentropy)),
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
        // Keras 3 (`get_metric`) resolves any spelling of accuracy/acc
        // from the data ("Accuracy" too) and logs it as written.
        let auto = matches!(name.to_lowercase().as_str(), "accuracy" | "acc");
        let kind = if auto {
            None
        } else {
            *lookup(&NAMES, "metric", name)?
        };
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
    /// Checks targets (shape `y`, already in the outputs' rank where the
    /// loss aligns them) against outputs of shape `out`, as Keras' metric
    /// functions would accept them; `name` is the metric as compiled.
    pub(crate) fn check_shapes(self, name: &str, y: &[usize], out: &[usize]) -> Result<()> {
        let (lead, classes) = out.split_at(out.len().saturating_sub(1));
        let sparse_ok = y == lead || y.len() == out.len() && y.split_last() == Some((&1, lead));
        let ok = match self {
            K::MeanSquaredError | K::MeanAbsoluteError => {
                // Keras brings both to one rank; TF broadcasts (N, 1)
                // targets over (N, C) outputs.
                let (t, p) = crate::losses::same_rank(y, out);
                t == p || y.len() == out.len() && y.split_last() == Some((&1, lead))
            }
            K::BinaryCrossentropy | K::CategoricalCrossentropy | K::TopKCategoricalAccuracy => {
                y == out
            }
            K::SparseCategoricalCrossentropy | K::SparseTopKCategoricalAccuracy => {
                sparse_ok && classes.first().is_some_and(|&c| c > 1)
            }
            _ => true,
        };
        if ok {
            return Ok(());
        }
        let expected = match self {
            K::SparseCategoricalCrossentropy | K::SparseTopKCategoricalAccuracy => format!(
                "class indices of shape {} (for outputs {})",
                crate::shape::array_shape(lead),
                crate::shape::array_shape(out)
            ),
            _ => format!(
                "targets of the outputs' shape {}",
                crate::shape::array_shape(out)
            ),
        };
        Err(Error::shape(format!(
            "metric {name} expects {expected}, but got targets of shape {}",
            crate::shape::array_shape(y)
        )))
    }

    /// Checks the rank of the targets as given (`y`) where Keras' metric
    /// function neither squeezes nor expands them: the cross-entropies
    /// need targets of the outputs' rank (`(N, 1)` for one sigmoid, not
    /// `(N,)`), as `keras.ops.binary_crossentropy` does.
    pub(crate) fn check_rank(self, name: &str, y: &[usize], out: &[usize]) -> Result<()> {
        let same_rank_needed = matches!(self, K::BinaryCrossentropy | K::CategoricalCrossentropy);
        if !same_rank_needed || y.len() == out.len() {
            return Ok(());
        }
        Err(Error::shape(format!(
            "metric {name} expects targets of the outputs' rank (shape {}), but got targets of shape {}: Keras' {name} metric does not expand or squeeze them (reshape y to {})",
            crate::shape::array_shape(out),
            crate::shape::array_shape(y),
            crate::shape::array_shape(out)
        )))
    }

    /// The sum of the per-sample values over a batch (divide by the sample
    /// count for the mean). Targets with one value per sample are
    /// broadcast over the outputs' last axis (mse/mae on `(N, 1)` labels,
    /// as TensorFlow does). The targets are already checked against the
    /// outputs (`check_targets` in `model/data_adapter.rs`).
    pub(crate) fn batch_sum(self, y_true: ArrayViewD<f32>, y_pred: ArrayViewD<f32>) -> f64 {
        let squeezes = matches!(
            self,
            K::BinaryAccuracy | K::MeanSquaredError | K::MeanAbsoluteError
        );
        if let Some(p) = crate::losses::squeezed(y_true.shape(), &y_pred).filter(|_| squeezes) {
            return self.batch_sum(y_true, p);
        }
        let classes = y_pred.shape().last().copied().unwrap_or(1).max(1);
        let p: Vec<f32> = y_pred.iter().copied().collect();
        let t: Vec<f32> = y_true.iter().copied().collect();
        let rows = p.len() / classes;
        let per_row = if t.len() == rows { 1 } else { classes };
        if matches!(
            self,
            K::BinaryCrossentropy | K::CategoricalCrossentropy | K::SparseCategoricalCrossentropy
        ) {
            let loss = match self {
                K::BinaryCrossentropy => Loss::BinaryCrossentropy,
                K::CategoricalCrossentropy => Loss::CategoricalCrossentropy,
                _ => Loss::SparseCategoricalCrossentropy,
            };
            return loss
                .per_sample_unchecked(y_true, y_pred)
                .iter()
                .map(|&v| f64::from(v))
                .sum();
        }
        let mut sum = 0.0f64;
        for r in 0..rows {
            let pr = &p[r * classes..(r + 1) * classes];
            let tr = t.get(r * per_row..(r + 1) * per_row).unwrap_or(&[]);
            let label = tr.first().map(|&l| l as usize);
            let target = |j: usize| tr.get(if per_row == 1 { 0 } else { j }).copied();
            let mean = |f: &dyn Fn(f32, f32) -> f64| {
                pr.iter()
                    .enumerate()
                    .map(|(j, &q)| target(j).map_or(f64::NAN, |y| f(y, q)))
                    .sum::<f64>()
                    / classes as f64
            };
            // In the top k (ties at the boundary count, as tf.math.in_top_k).
            let in_top_k = |c: Option<usize>| {
                c.and_then(|c| pr.get(c)).is_some_and(|&v| {
                    v.is_finite() && pr.iter().filter(|&&q| q > v).count() < TOP_K
                })
            };
            sum += match self {
                K::SparseCategoricalAccuracy => {
                    f64::from(u8::from(label == Some(first_argmax(pr))))
                }
                K::CategoricalAccuracy => f64::from(u8::from(first_argmax(tr) == first_argmax(pr))),
                K::TopKCategoricalAccuracy => f64::from(u8::from(in_top_k(Some(first_argmax(tr))))),
                K::SparseTopKCategoricalAccuracy => f64::from(u8::from(in_top_k(label))),
                K::BinaryAccuracy => {
                    mean(&|y, q| f64::from(u8::from(f32::from(u8::from(q > 0.5)) == y)))
                }
                K::MeanSquaredError => mean(&|y, q| f64::from((y - q) * (y - q))),
                _ => mean(&|y, q| f64::from((y - q).abs())),
            };
        }
        sum
    }
}
