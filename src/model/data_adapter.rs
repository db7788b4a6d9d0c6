//! The data adapter: checks a call's `x` and `y` against the model and the
//! loss (one place for fit, evaluate, train_on_batch and predict), splits
//! off validation data, and cuts the samples into batches.

use super::graph::Graph;
use crate::error::{Error, Result};
use crate::layers::Team;
use crate::losses::{Loss, LossFn};
use crate::shape::keras_shape;
use crate::tensor::AsTensor;
use ndarray::{ArrayD, ArrayViewD, Axis, CowArray, IxDyn};
use std::ops::Range;

/// Checked inputs of a call: `x` row-major (borrowed when it already is)
/// and, with targets, `y` as `f32` in the outputs' rank.
pub(crate) struct Data<'a> {
    pub x: CowArray<'a, f32, IxDyn>,
    pub y: ArrayD<f32>,
}

impl Data<'_> {
    /// The number of samples.
    pub fn len(&self) -> usize {
        self.x.shape()[0]
    }
}

impl Graph {
    /// Checks `x` (shape, finite values) and `y` (count, shape, values for
    /// `loss`); `what` names them in errors (`"x"`, `"validation x"`).
    pub(crate) fn adapt<'a>(
        &self,
        what: &str,
        x: CowArray<'a, f32, IxDyn>,
        y: &dyn AsTensor,
        loss: LossFn,
    ) -> Result<Data<'a>> {
        let x = self.adjust_input_rank(x);
        self.check_input(what, x.shape())?;
        check_finite(Team::one(), what, x.view())?;
        let y_what = what.replacen('x', "y", 1);
        let y = y.to_tensor().into_owned();
        // check_input guarantees rank >= 1 and at least one sample.
        let aligned = self.check_targets(&y_what, x.shape()[0], &y, loss.kind())?;
        self.check_metric_targets(y.shape(), aligned.shape())?;
        let y = aligned;
        // Borrowed when the caller's array already is row-major f32.
        let x = if x.is_standard_layout() {
            x
        } else {
            CowArray::from(x.as_standard_layout().into_owned())
        };
        Ok(Data { x, y })
    }

    /// `(n,)` data for a model whose input shape is `(1,)` as `(n, 1)`,
    /// as Keras 3's `_adjust_input_rank`; any other array as it is.
    pub(crate) fn adjust_input_rank<'a>(
        &self,
        x: CowArray<'a, f32, IxDyn>,
    ) -> CowArray<'a, f32, IxDyn> {
        if x.ndim() != 1 || self.input_shape.as_deref() != Some(&[1][..]) {
            return x;
        }
        x.insert_axis(ndarray::Axis(1))
    }

    /// Checks `x`'s shape against the model's input.
    pub(crate) fn check_input(&self, what: &str, x: &[usize]) -> Result<()> {
        let Some(input) = self.input_shape.as_deref() else {
            return Err(Error::state(format!("{} has no layers yet", self.name)));
        };
        let first = self.layers.first().map(|l| l.name()).unwrap_or("input");
        if x.len() != input.len() + 1 || &x[1..] != input {
            let got = if x.is_empty() {
                "a scalar".to_string()
            } else {
                keras_shape(&x[1..])
            };
            return Err(Error::shape(format!(
                "layer {first} expects {what} of shape {} but got {got} (the array's shape is {})",
                keras_shape(input),
                crate::shape::array_shape(x)
            )));
        }
        // `x` has rank input.len() + 1 >= 1 here.
        if x[0] == 0 {
            return Err(Error::value(format!("{what} is empty: it has 0 samples")));
        }
        Ok(())
    }

    /// Checks targets (as given, `raw`, and aligned, `y`) against what
    /// each compiled metric accepts.
    fn check_metric_targets(&self, raw: &[usize], y: &[usize]) -> Result<()> {
        let Some(compiled) = &self.compiled else {
            return Ok(());
        };
        let mut out_shape = vec![y.first().copied().unwrap_or(0)];
        out_shape.extend_from_slice(self.output_shape().unwrap_or(&[]));
        let kinds = self.metric_kinds(compiled, y);
        for (m, k) in compiled.metrics.iter().zip(kinds) {
            k.check_rank(&m.name, raw, &out_shape)?;
            k.check_shapes(&m.name, y, &out_shape)?;
        }
        Ok(())
    }

    /// Checks targets against the outputs and the loss; returns them as
    /// `f32` in the outputs' rank where Keras broadcasts.
    pub(crate) fn check_targets(
        &self,
        what: &str,
        n: usize,
        y: &ArrayD<f32>,
        loss: Loss,
    ) -> Result<ArrayD<f32>> {
        match y.shape().first() {
            None => {
                return Err(Error::shape(format!(
                    "{what} is a scalar, but x has {n} samples: give one target per sample"
                )))
            }
            Some(&m) if m != n => {
                return Err(Error::shape(format!(
                    "x and {what} have different numbers of samples: {n} and {m}"
                )))
            }
            Some(_) => {}
        }
        let mut out_shape = vec![n];
        out_shape.extend_from_slice(self.output_shape().unwrap_or(&[]));
        loss.check_shapes(y.shape(), &out_shape)?;
        if let Some(bad) = y.iter().find(|v| !v.is_finite()) {
            return Err(Error::value(format!(
                "{what} contains {bad}: targets must be finite numbers"
            )));
        }
        loss.check_classes(what, &y.view(), &out_shape)?;
        Ok(crate::losses::align_targets(loss, y, &out_shape))
    }
}

/// Splits off the last `fraction` of the samples (before shuffling) for
/// validation, as Keras' `validation_split`.
pub(crate) fn split_validation(data: Data<'_>, fraction: f32) -> Result<(Data<'_>, Data<'_>)> {
    let n_all = data.len();
    let n_train = split_at(n_all, fraction);
    if n_train == 0 || n_train == n_all {
        return Err(Error::value(format!(
            "fit: validation_split={fraction} of {n_all} samples leaves {n_train} for training and {} for validation; both need at least one: provide more data or a different validation_split",
            n_all - n_train
        )));
    }
    let part = |r: std::ops::Range<usize>| Data {
        x: CowArray::from(data.x.slice_axis(Axis(0), r.clone().into()).to_owned()),
        y: data.y.slice_axis(Axis(0), r.into()).to_owned(),
    };
    Ok((part(0..n_train), part(n_train..n_all)))
}

/// Keras 3's training size for `validation_split`:
/// `floor(n * (1.0 - fraction))`, with the fraction as typed (a Python float).
pub(crate) fn split_at(n: usize, fraction: f32) -> usize {
    let f = crate::callbacks::typed(fraction);
    ((n as f64) * (1.0 - f)).floor() as usize
}

/// Rejects NaN and infinity in input data.
pub(crate) fn check_finite(team: Team, what: &str, x: ArrayViewD<f32>) -> Result<()> {
    // Fast path: a contiguous array is scanned as one slice, split over
    // the team's threads.
    if let Some(s) = x.as_slice_memory_order() {
        if crate::parallel::all_finite(team, s) {
            return Ok(());
        }
    }
    first_not_finite(what, x.iter(), 0)
}

/// The error for the first value of `values` that is not finite, if any;
/// `offset` is the flat index of the first value.
fn first_not_finite<'a>(
    what: &str,
    values: impl Iterator<Item = &'a f32>,
    offset: usize,
) -> Result<()> {
    match values.enumerate().find(|(_, v)| !v.is_finite()) {
        Some((i, v)) => Err(Error::value(format!(
            "{what} contains {v} (at flat index {}): inputs must be finite numbers",
            offset + i
        ))),
        None => Ok(()),
    }
}

/// The rows of a row-major array, to copy batches from.
#[derive(Clone, Copy)]
pub(crate) struct Rows<'a> {
    data: &'a [f32],
    rest: &'a [usize],
}

impl<'a> Rows<'a> {
    /// The rows of `a` (an internal error when it is not row-major).
    pub fn of(a: &'a ArrayViewD<'a, f32>) -> Result<Rows<'a>> {
        let data = a
            .to_slice()
            .ok_or_else(|| Error::internal("batch rows of an array that is not row-major"))?;
        Ok(Rows {
            data,
            rest: &a.shape()[1..],
        })
    }
    /// The rows `range`, copied on the team's threads and checked finite
    /// in the same pass (one pass over the data instead of two); `what`
    /// names the data in the error.
    pub fn take_finite(&self, team: Team, range: Range<usize>, what: &str) -> Result<ArrayD<f32>> {
        let row: usize = self.rest.iter().product();
        let src = self
            .data
            .get(range.start * row..range.end * row)
            .ok_or_else(|| {
                Error::internal(format!(
                    "rows {range:?} of {}",
                    self.data.len() / row.max(1)
                ))
            })?;
        let (out, finite) = crate::parallel::copy_finite(team, src);
        if !finite {
            first_not_finite(what, src.iter(), range.start * row)?;
        }
        self.batch(range.len(), out)
    }
    /// The rows of a batch: the samples `idx`, or `range` in order.
    pub fn take(&self, batch: &Batch) -> Result<ArrayD<f32>> {
        let row: usize = self.rest.iter().product();
        let out = match batch {
            Batch::Range(r) => self.data[r.start * row..r.end * row].to_vec(),
            Batch::Indices(idx) => {
                let mut out = Vec::with_capacity(idx.len() * row);
                for &i in *idx {
                    out.extend_from_slice(&self.data[i * row..(i + 1) * row]);
                }
                out
            }
        };
        self.batch(batch.len(), out)
    }
    /// `n` rows' values as a batch array.
    fn batch(&self, n: usize, values: Vec<f32>) -> Result<ArrayD<f32>> {
        let mut shape = vec![n];
        shape.extend_from_slice(self.rest);
        ArrayD::from_shape_vec(shape, values)
            .map_err(|e| Error::internal(format!("a batch of shape {:?}: {e}", self.rest)))
    }
}

/// One batch's samples: a contiguous range, or indices in shuffled order.
pub(crate) enum Batch<'a> {
    Range(std::ops::Range<usize>),
    Indices(&'a [usize]),
}

impl Batch<'_> {
    pub fn len(&self) -> usize {
        match self {
            Batch::Range(r) => r.len(),
            Batch::Indices(i) => i.len(),
        }
    }
}

/// The batches of `n` samples of at most `size` each, in `order` when
/// given (shuffled training) or in sample order.
pub(crate) fn batches(
    n: usize,
    size: usize,
    order: Option<&[usize]>,
) -> impl Iterator<Item = Batch<'_>> {
    let size = size.max(1);
    let ranges = (0..n).step_by(size).map(move |s| s..(s + size).min(n));
    ranges.map(move |r| match order {
        Some(o) => Batch::Indices(&o[r]),
        None => Batch::Range(r),
    })
}
