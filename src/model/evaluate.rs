//! `evaluate`, with its options and scores (`predict` is in `predict.rs`).

use super::data_adapter::{batches, Data, Rows};
use super::graph::Graph;
use super::logs::{progress_line, Logs, Totals};
use crate::error::{Error, Result};
use crate::layers::Team;
use crate::metrics::MetricKind;
use crate::tensor::AsTensor;
use std::time::Instant;

/// Options of `evaluate_with`, with Keras' defaults: batch size 32, one
/// line printed.
///
/// ```
/// use kerust::prelude::*;
/// let opts = Evaluate::verbose(0).batch_size(128);
/// # let _ = opts;
/// ```
#[derive(Debug, Clone)]
pub struct Evaluate {
    verbose: u8,
    batch_size: usize,
}

impl Default for Evaluate {
    fn default() -> Self {
        Evaluate {
            verbose: 1,
            batch_size: 32,
        }
    }
}

impl Evaluate {
    /// 0: silent; 1 or 2: one line (default 1).
    pub fn verbose(verbose: u8) -> Self {
        Evaluate {
            verbose,
            ..Evaluate::default()
        }
    }
    /// Samples per batch (default 32; the results do not depend on it
    /// beyond rounding).
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }
}

/// What `evaluate_with` returns: the loss, then each compiled metric, by
/// position (`scores[0]` is the loss) or by name (`scores["accuracy"]`).
///
/// ```
/// use kerust::prelude::*;
/// let mut model = Sequential::new();
/// model.add(Dense::new(1).input_shape([1]))?;
/// model.compile("sgd", "mse", ["mae"])?;
/// let x = array![[0.0f32], [1.0]];
/// let scores = model.evaluate_with(&x, &x, Evaluate::verbose(0))?;
/// assert_eq!(scores[0], scores["loss"]);
/// assert!(scores["mae"] >= 0.0);
/// # Ok::<(), kerust::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Scores(pub Logs);

impl Scores {
    /// The value named `name`, if it was compiled.
    pub fn get(&self, name: &str) -> Option<f32> {
        self.0.get(name)
    }
    /// The number of values (1 + the number of metrics).
    pub fn len(&self) -> usize {
        self.0 .0.len()
    }
    /// Whether there are no values (never: the loss is always there).
    pub fn is_empty(&self) -> bool {
        self.0 .0.is_empty()
    }
    /// The values in order, as Keras' `evaluate` list: loss, then metrics.
    pub fn to_vec(&self) -> Vec<f32> {
        self.0.iter().map(|(_, v)| v).collect()
    }
}

impl std::ops::Index<usize> for Scores {
    type Output = f32;
    /// The value at `i` (the loss is 0); panics past the end, as a slice.
    fn index(&self, i: usize) -> &f32 {
        &self.0 .0[i].1
    }
}

impl std::ops::Index<&str> for Scores {
    type Output = f32;
    /// The value named `name`; NaN when it was not compiled.
    fn index(&self, name: &str) -> &f32 {
        self.0
             .0
            .iter()
            .find(|(n, _)| n == name)
            .map_or(&f32::NAN, |(_, v)| v)
    }
}

impl Graph {
    /// Loss and metrics on data already checked.
    pub(crate) fn evaluate_unchecked(
        &mut self,
        data: &Data,
        kinds: &[MetricKind],
        batch: usize,
        team: Team,
    ) -> Result<Logs> {
        let compiled = self.compiled("evaluate")?;
        let (loss, metrics) = (compiled.loss, compiled.metrics.clone());
        let (xv, yv) = (data.x.view(), data.y.view());
        let (x_rows, y_rows) = (Rows::of(&xv)?, Rows::of(&yv)?);
        let mut totals = Totals::new(kinds);
        let mut done = 0;
        let result = batches(data.len(), batch, None).try_for_each(|b| {
            if crate::interrupt::requested() {
                return Err(interrupted("evaluate", done, data.len()));
            }
            done += b.len();
            let yb = y_rows.take(&b)?;
            let out = self.forward(x_rows.take(&b)?, false, team)?;
            totals.add(self.loss_value(loss, &yb, &out)?, &yb, &out);
            Ok(())
        });
        self.clear_caches();
        result.map(|()| totals.logs(&metrics))
    }

    /// The loss and every compiled metric on `x` and `y`, as Keras'
    /// `evaluate(..., return_dict=True)`, with options.
    pub fn evaluate_with<X: AsTensor, Y: AsTensor>(
        &mut self,
        x: &X,
        y: &Y,
        opts: Evaluate,
    ) -> Result<Scores> {
        self.evaluate_any(x, y, &opts).map(Scores)
    }

    fn evaluate_any(
        &mut self,
        x: &dyn AsTensor,
        y: &dyn AsTensor,
        opts: &Evaluate,
    ) -> Result<Logs> {
        let compiled = self.compiled("evaluate")?.clone();
        if opts.verbose > 2 {
            return Err(Error::value(format!(
                "evaluate: verbose must be 0, 1 or 2, got {}",
                opts.verbose
            )));
        }
        if opts.batch_size == 0 {
            return Err(Error::value(
                "evaluate: batch_size must be a positive integer, got 0",
            ));
        }
        self.build_for(x.to_tensor().shape())?;
        let data = self.adapt("x", x.to_tensor(), y, compiled.loss)?;
        let kinds = self.metric_kinds(&compiled, data.y.shape());
        let start = Instant::now();
        let work = self.flops(data.len(), false);
        let _stop = crate::interrupt::guard();
        let logs = crate::parallel::run(work, |team| {
            self.evaluate_unchecked(&data, &kinds, opts.batch_size, team)
        })?;
        if opts.verbose > 0 {
            let steps = data.len().div_ceil(opts.batch_size);
            let line = progress_line(steps, start.elapsed().as_secs_f64(), &logs);
            println!("{line}");
        }
        Ok(logs)
    }

    /// Every compiled value on `x` and `y`: `[("loss", ..), ("accuracy", ..)]`;
    /// prints one line like Keras.
    pub fn evaluate_all<X: AsTensor, Y: AsTensor>(
        &mut self,
        x: &X,
        y: &Y,
    ) -> Result<Vec<(String, f32)>> {
        self.evaluate_any(x, y, &Evaluate::default()).map(|l| l.0)
    }

    /// The loss and the first compiled metric on `x` and `y`, as Keras'
    /// `evaluate`; prints one line like Keras.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let mut model = Sequential::new();
    /// model.add(Dense::new(2).input_shape([2]).activation("softmax"))?;
    /// model.compile("adam", "sparse_categorical_crossentropy", ["accuracy"])?;
    /// let x = array![[0.0f32, 1.0], [1.0, 0.0]];
    /// let y = array![1u8, 0];
    /// let (loss, acc) = model.evaluate(&x, &y)?;
    /// assert!(loss > 0.0 && (0.0..=1.0).contains(&acc));
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn evaluate<X: AsTensor, Y: AsTensor>(&mut self, x: &X, y: &Y) -> Result<(f32, f32)> {
        self.evaluate_first(x, y)
    }

    fn evaluate_first(&mut self, x: &dyn AsTensor, y: &dyn AsTensor) -> Result<(f32, f32)> {
        if self.compiled.as_ref().is_some_and(|c| c.metrics.is_empty()) {
            return Err(Error::state(
                "evaluate returns (loss, metric) but the model was compiled without metrics: compile with [\"accuracy\"], or call evaluate_with(&x, &y, Evaluate::verbose(1)) for the loss alone",
            ));
        }
        let logs = self.evaluate_any(x, y, &Evaluate::default())?;
        let value = |i: usize| logs.0.get(i).map_or(f32::NAN, |(_, v)| *v);
        Ok((value(0), value(1)))
    }
}

/// `predict` or `evaluate` stopped by the stop button after `done` of `n`
/// samples.
pub(super) fn interrupted(call: &str, done: usize, n: usize) -> Error {
    crate::interrupt::stopped(
        call,
        &format!("after {done} of {n} samples"),
        "Nothing was changed.",
    )
}
