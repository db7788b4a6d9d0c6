//! Loss functions, by the names Keras uses, with Keras 3's formulas
//! (clipping epsilon 1e-7; logits used for softmax and sigmoid outputs).

use crate::activations::ActivationFn;
use crate::error::{Error, Result};
use crate::registry::{alias, listed, lookup, name_of, Entry};
use ndarray::ArrayViewD;

mod gradients;
mod objects;
mod ranks;
pub use objects::{
    BinaryCrossentropy, CategoricalCrossentropy, IntoLoss, LossFn, MeanAbsoluteError,
    MeanSquaredError, SparseCategoricalCrossentropy,
};
use ranks::on_squeezed;
pub use ranks::same_rank;
pub(crate) use ranks::{align_targets, squeezed};

/// Keras' fuzz factor `keras.backend.epsilon()`.
pub const EPSILON: f32 = 1e-7;

/// A loss function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loss {
    /// `mse`: mean of squared differences over the last axis.
    MeanSquaredError,
    /// `mae`: mean of absolute differences over the last axis.
    MeanAbsoluteError,
    /// `binary_crossentropy`, on probabilities.
    BinaryCrossentropy,
    /// `categorical_crossentropy`, on one-hot targets.
    CategoricalCrossentropy,
    /// `sparse_categorical_crossentropy`, on integer class targets.
    SparseCategoricalCrossentropy,
}

/// Every loss name, canonical names first (see `crate::registry`).
const NAMES: [Entry<Loss>; 12] = [
    listed("mse", Loss::MeanSquaredError),
    listed("mean_squared_error", Loss::MeanSquaredError),
    listed("mae", Loss::MeanAbsoluteError),
    listed("mean_absolute_error", Loss::MeanAbsoluteError),
    listed("binary_crossentropy", Loss::BinaryCrossentropy),
    listed("categorical_crossentropy", Loss::CategoricalCrossentropy),
    listed(
        "sparse_categorical_crossentropy",
        Loss::SparseCategoricalCrossentropy,
    ),
    alias("MeanSquaredError", Loss::MeanSquaredError),
    alias("MeanAbsoluteError", Loss::MeanAbsoluteError),
    alias("BinaryCrossentropy", Loss::BinaryCrossentropy),
    alias("CategoricalCrossentropy", Loss::CategoricalCrossentropy),
    alias(
        "SparseCategoricalCrossentropy",
        Loss::SparseCategoricalCrossentropy,
    ),
];

impl Loss {
    /// Looks up a Keras loss name.
    ///
    /// ```
    /// use kerust::losses::Loss;
    /// assert_eq!(Loss::from_name("mse").unwrap(), Loss::MeanSquaredError);
    /// assert!(Loss::from_name("mse2").unwrap_err().to_string().contains("did you mean 'mse'"));
    /// ```
    pub fn from_name(name: &str) -> Result<Self> {
        lookup(&NAMES, "loss", name).copied()
    }

    /// The Keras name.
    pub fn name(self) -> &'static str {
        // Every variant has a name in the table.
        name_of(&NAMES, &self).unwrap_or("mse")
    }

    /// Keras' class name: `"MeanSquaredError"`.
    pub fn class_name(self) -> &'static str {
        match self {
            Loss::MeanSquaredError => "MeanSquaredError",
            Loss::MeanAbsoluteError => "MeanAbsoluteError",
            Loss::BinaryCrossentropy => "BinaryCrossentropy",
            Loss::CategoricalCrossentropy => "CategoricalCrossentropy",
            Loss::SparseCategoricalCrossentropy => "SparseCategoricalCrossentropy",
        }
    }

    /// The name a Keras loss object has in its config: `"mean_squared_error"`.
    pub(crate) fn long_name(self) -> &'static str {
        match self {
            Loss::MeanSquaredError => "mean_squared_error",
            Loss::MeanAbsoluteError => "mean_absolute_error",
            _ => self.name(),
        }
    }

    /// Whether Keras' class takes `from_logits` (the cross-entropies).
    pub(crate) fn has_logits(self) -> bool {
        !matches!(self, Loss::MeanSquaredError | Loss::MeanAbsoluteError)
    }

    /// Whether Keras' class takes `label_smoothing`.
    pub(crate) fn has_label_smoothing(self) -> bool {
        matches!(
            self,
            Loss::BinaryCrossentropy | Loss::CategoricalCrossentropy
        )
    }

    /// Checks that targets of shape `y_true` fit predictions of shape `y_pred`.
    pub fn check_shapes(self, y_true: &[usize], y_pred: &[usize]) -> Result<()> {
        let ok = match self {
            Loss::SparseCategoricalCrossentropy => {
                y_true.len() + 1 == y_pred.len() && y_true == &y_pred[..y_true.len()]
                    || y_true.len() == y_pred.len()
                        && y_true.last() == Some(&1)
                        && y_true[..y_true.len() - 1] == y_pred[..y_pred.len() - 1]
            }
            _ => {
                let (t, p) = same_rank(y_true, y_pred);
                t == p
            }
        };
        if ok {
            Ok(())
        } else {
            let expected = match self {
                Loss::SparseCategoricalCrossentropy => format!(
                    "class indices of shape {}",
                    crate::shape::array_shape(&y_pred[..y_pred.len().saturating_sub(1)])
                ),
                _ => format!("targets of shape {}", crate::shape::array_shape(y_pred)),
            };
            Err(Error::shape(format!(
                "loss {} expects {expected} to match the model's output, but got targets of shape {}",
                self.name(),
                crate::shape::array_shape(y_true)
            )))
        }
    }

    /// Checks targets `y_true` (named `what` in errors) against
    /// predictions of shape `y_pred`: the shapes, and for
    /// sparse_categorical_crossentropy the class indices.
    pub(crate) fn check(
        self,
        what: &str,
        y_true: &ArrayViewD<f32>,
        y_pred: &[usize],
    ) -> Result<()> {
        self.check_shapes(y_true.shape(), y_pred)?;
        self.check_classes(what, y_true, y_pred)
    }

    /// For sparse_categorical_crossentropy, checks that `y_true` holds
    /// class indices of predictions of shape `y_pred` (shapes checked).
    pub(crate) fn check_classes(
        self,
        what: &str,
        y_true: &ArrayViewD<f32>,
        y_pred: &[usize],
    ) -> Result<()> {
        if self == Loss::SparseCategoricalCrossentropy {
            check_labels(what, y_true, y_pred.last().copied().unwrap_or(1))?;
        }
        Ok(())
    }

    /// The per-sample losses (mean over the last axis; sum for cross-entropy),
    /// on probabilities, as `keras.losses.<name>(y_true, y_pred)`; an error
    /// when the targets do not fit the predictions.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// use kerust::losses::Loss;
    /// let p = array![[0.5f32, 0.5], [0.9, 0.1]].into_dyn();
    /// let v = Loss::SparseCategoricalCrossentropy.per_sample(array![0.0f32, 0.0].into_dyn().view(), p.view())?;
    /// assert!((v[0] - 0.5f32.ln().abs()).abs() < 1e-6);
    /// // One label for two samples, or a class the model does not have: errors.
    /// assert!(Loss::SparseCategoricalCrossentropy.per_sample(array![0.0f32].into_dyn().view(), p.view()).is_err());
    /// assert!(Loss::SparseCategoricalCrossentropy.per_sample(array![0.0f32, 2.0].into_dyn().view(), p.view()).is_err());
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn per_sample(self, y_true: ArrayViewD<f32>, y_pred: ArrayViewD<f32>) -> Result<Vec<f32>> {
        self.check("y_true", &y_true, y_pred.shape())?;
        Ok(self.per_sample_unchecked(y_true, y_pred))
    }

    /// [`Loss::per_sample`] on targets already checked ([`Loss::check`]).
    pub(crate) fn per_sample_unchecked(
        self,
        y_true: ArrayViewD<f32>,
        y_pred: ArrayViewD<f32>,
    ) -> Vec<f32> {
        if let Some(p) = squeezed(y_true.shape(), &y_pred) {
            return self.per_sample_unchecked(y_true, p);
        }
        let classes = y_pred.shape().last().copied().unwrap_or(1).max(1);
        let p = flat(&y_pred);
        let t = flat(&y_true);
        let rows = p.len() / classes;
        (0..rows)
            .map(|r| {
                let pr = &p[r * classes..(r + 1) * classes];
                match self {
                    Loss::SparseCategoricalCrossentropy => {
                        // Keras: log(clip(p)) fed as logits to a softmax cross-entropy.
                        let label = t.get(r).copied().unwrap_or(0.0) as usize;
                        let clip = |v: f32| v.clamp(EPSILON, 1.0 - EPSILON);
                        let sum: f32 = pr.iter().map(|&v| clip(v)).sum();
                        -clip(pr.get(label).copied().unwrap_or(0.0)).ln() + sum.ln()
                    }
                    _ => {
                        let tr = &t[r * classes..(r + 1) * classes];
                        self.row_loss(tr, pr)
                    }
                }
            })
            .collect()
    }

    fn row_loss(self, t: &[f32], p: &[f32]) -> f32 {
        let n = p.len() as f32;
        match self {
            Loss::MeanSquaredError => {
                t.iter().zip(p).map(|(a, b)| (a - b) * (a - b)).sum::<f32>() / n
            }
            Loss::MeanAbsoluteError => t.iter().zip(p).map(|(a, b)| (a - b).abs()).sum::<f32>() / n,
            Loss::BinaryCrossentropy => {
                t.iter()
                    .zip(p)
                    .map(|(&y, &q)| {
                        let q = q.clamp(EPSILON, 1.0 - EPSILON);
                        -(y * q.ln() + (1.0 - y) * (1.0 - q).ln())
                    })
                    .sum::<f32>()
                    / n
            }
            Loss::CategoricalCrossentropy => {
                let sum: f32 = p.iter().sum();
                -t.iter()
                    .zip(p)
                    .map(|(&y, &q)| y * (q / sum).clamp(EPSILON, 1.0 - EPSILON).ln())
                    .sum::<f32>()
            }
            Loss::SparseCategoricalCrossentropy => 0.0,
        }
    }

    /// The mean loss over the batch, as Keras reports it.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// use kerust::losses::Loss;
    /// let t = array![[1.0f32, 0.0]].into_dyn();
    /// let p = array![[0.5f32, 0.5]].into_dyn();
    /// assert!((Loss::MeanSquaredError.value(t.view(), p.view())? - 0.25).abs() < 1e-7);
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn value(self, y_true: ArrayViewD<f32>, y_pred: ArrayViewD<f32>) -> Result<f32> {
        self.check("y_true", &y_true, y_pred.shape())?;
        Ok(self.value_unchecked(y_true, y_pred))
    }

    /// [`Loss::value`] on targets already checked ([`Loss::check`]).
    pub(crate) fn value_unchecked(self, y_true: ArrayViewD<f32>, y_pred: ArrayViewD<f32>) -> f32 {
        let v = self.per_sample_unchecked(y_true, y_pred);
        v.iter().sum::<f32>() / v.len().max(1) as f32
    }

    /// Whether this loss uses the logits of an output activation, as Keras'
    /// TensorFlow backend does (`_keras_logits`): every cross-entropy on
    /// a sigmoid or softmax output computes from the logits, with its own
    /// formula (so binary cross-entropy on softmax outputs applies a
    /// sigmoid to the pre-softmax values, as in Keras), also when the
    /// loss was given `from_logits=True`.
    pub fn uses_logits(self, activation: ActivationFn) -> bool {
        self.has_logits() && matches!(activation, ActivationFn::Sigmoid | ActivationFn::Softmax)
    }
}

fn flat(a: &ArrayViewD<f32>) -> Vec<f32> {
    a.iter().copied().collect()
}

/// Checks class-index targets against `classes` outputs: whole numbers
/// from 0 to `classes - 1`.
pub(crate) fn check_labels(what: &str, y: &ArrayViewD<f32>, classes: usize) -> Result<()> {
    match y
        .iter()
        .enumerate()
        .find(|(_, &v)| v < 0.0 || v.fract() != 0.0 || v as usize >= classes)
    {
        None => Ok(()),
        Some((i, bad)) => {
            let expected = match classes {
                0 => "class indices, but the model has 0 outputs".to_string(),
                c => format!("class indices 0 to {} for the model's {c} outputs", c - 1),
            };
            Err(Error::value(format!(
                "{what}[{i}] is {bad}: sparse_categorical_crossentropy expects {expected}"
            )))
        }
    }
}
