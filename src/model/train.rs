//! Training: one step on a batch (`train_step`), `train_on_batch`, and
//! `fit`'s epoch and batch loop with its callback hooks.

use super::autosave::Autosave;
use super::callbacks::{each, ProgressLine, Recorder};
use super::data_adapter::{batches, split_validation, Data, Rows};
use super::fit::Fit;
use super::graph::Graph;
use super::logs::{Logs, Totals};
use super::History;
use crate::callbacks::Callback;
use crate::error::{Error, ErrorKind, Result};
use crate::layers::{Layer, Team};
use crate::metrics::MetricKind;
use crate::tensor::AsTensor;
use ndarray::ArrayD;
use rand::seq::SliceRandom;

/// The backward pass through `layers[first..]`, last to first, from dL/d
/// output `grad` (dL/d logits of the last layer when `from_logits`):
/// every weight gradient stored, and dL/d input of `layers[first]`
/// returned when `need_input_grad`.
pub(super) fn backward_through(
    layers: &mut [Box<dyn Layer>],
    first: usize,
    grad: ArrayD<f32>,
    need_input_grad: bool,
    from_logits: bool,
    team: Team,
) -> Result<Option<ArrayD<f32>>> {
    let n = layers.len();
    let mut g = grad;
    for (i, layer) in layers.iter_mut().enumerate().skip(first).rev() {
        let need = i > first || need_input_grad;
        let dx = if i == n - 1 && from_logits {
            layer.try_backward_from_logits(g, need, team)?
        } else {
            layer.try_backward(g, need, team)?
        };
        match dx {
            Some(dx) => g = dx,
            None if !need => return Ok(None),
            None => {
                return Err(Error::internal(format!(
                    "layer {} gave no input gradient",
                    layer.name()
                )))
            }
        }
    }
    Ok(need_input_grad.then_some(g))
}

impl Graph {
    /// Forward, backward and one optimizer step on a batch; returns the
    /// loss and the model's outputs before the step. Any error (a
    /// non-finite loss or gradient, a broken invariant) comes before the
    /// step: weights and optimizer state are as they were.
    pub(crate) fn train_step(
        &mut self,
        x: ArrayD<f32>,
        y: &ArrayD<f32>,
        team: Team,
    ) -> Result<(f32, ArrayD<f32>)> {
        let result = self
            .gradients(x, y, team)
            .and_then(|value_out| self.optimizer_step(team).map(|()| value_out));
        if result.is_ok() {
            for l in &mut self.layers {
                l.apply_updates();
            }
        }
        for l in &mut self.layers {
            l.clear_cache();
        }
        result
    }

    /// The optimizer's step from the stored gradients, after checking that
    /// its state belongs to these weights (by name and size).
    fn optimizer_step(&mut self, team: Team) -> Result<()> {
        let (keys, lens) = self.weight_keys();
        let compiled = self
            .compiled
            .as_mut()
            .ok_or_else(|| Error::internal("train_step on a model that is not compiled"))?;
        let opt = &mut compiled.optimizer;
        if opt.state().check(opt.name(), &keys, &lens)? {
            let mut state = opt.state().clone();
            state.keys = keys;
            opt.set_state(state);
        }
        let pairs = self
            .layers
            .iter_mut()
            .flat_map(|l| l.trainable_params_mut())
            .map(|p| p.slices())
            .collect::<Result<Vec<_>>>()?;
        opt.step(pairs, team);
        Ok(())
    }

    /// Each weight's key, `layer/weight`, and its number of values, in the
    /// optimizer's order.
    pub(crate) fn weight_keys(&self) -> (Vec<String>, Vec<usize>) {
        self.layers.iter().flat_map(|l| l.weight_keys()).unzip()
    }

    /// The forward and backward passes of [`Graph::train_step`]: the loss,
    /// the outputs, and every parameter's gradient stored (all finite).
    fn gradients(
        &mut self,
        x: ArrayD<f32>,
        y: &ArrayD<f32>,
        team: Team,
    ) -> Result<(f32, ArrayD<f32>)> {
        let loss = self.compiled("train_on_batch")?.loss;
        let out = self.forward(x, true, team)?;
        let (value, grad, from_logits) = self.loss_and_grad(loss, y, &out)?;
        if !value.is_finite() {
            return Err(Error::new(
                ErrorKind::Numeric,
                format!("the loss became {value}"),
            ));
        }
        // Layers below the first one with weights need no backward pass.
        if let Some(first) = self
            .layers
            .iter()
            .position(|l| !l.trainable_params().is_empty())
        {
            backward_through(&mut self.layers, first, grad, false, from_logits, team)?;
        }
        self.add_regularization_grads()?;
        // A finite loss can still overflow in the backward pass: non-finite
        // gradients stop the step too, before any weight changes.
        for l in &self.layers {
            for p in l.trainable_params() {
                let g = p.grad();
                let g = g
                    .as_slice()
                    .ok_or_else(|| Error::internal("a gradient is not row-major"))?;
                if !crate::parallel::all_finite(team, g) {
                    return Err(Error::new(
                        ErrorKind::Numeric,
                        format!(
                            "the gradient of layer {} became NaN or infinite (the loss was {value})",
                            l.name()
                        ),
                    ));
                }
            }
        }
        Ok((value, out))
    }

    /// One optimizer step on one batch, as Keras' `train_on_batch`;
    /// returns the loss and the compiled metrics, before the step.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let mut model = Sequential::new();
    /// model.add(Dense::new(1).input_shape([2]))?;
    /// model.compile(SGD::new(0.1), "mse", NO_METRICS)?;
    /// let x = array![[1.0f32, 2.0], [3.0, 4.0]];
    /// let y = array![[1.0f32], [0.0]];
    /// let (loss, _metrics) = model.train_on_batch(&x, &y)?;
    /// assert!(loss.is_finite());
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn train_on_batch<X: AsTensor, Y: AsTensor>(
        &mut self,
        x: &X,
        y: &Y,
    ) -> Result<(f32, Vec<f32>)> {
        self.train_on_batch_any(x, y)
    }

    fn train_on_batch_any(
        &mut self,
        x: &dyn AsTensor,
        y: &dyn AsTensor,
    ) -> Result<(f32, Vec<f32>)> {
        let compiled = self.compiled("train_on_batch")?.clone();
        self.build_for(x.to_tensor().shape())?;
        let data = self.adapt("x", x.to_tensor(), y, compiled.loss)?;
        let kinds = self.metric_kinds(&compiled, data.y.shape());
        let n = data.len();
        let (x, y) = (data.x.into_owned(), data.y);
        let work = self.flops(n, true);
        let (loss, out) = crate::parallel::run(work, |team| self.train_step(x, &y, team))
            .map_err(|e| match e.kind() {
                ErrorKind::Numeric => Error::new(
                    e.kind(),
                    format!(
                        "train_on_batch stopped: {}; the weights were not updated. Try a smaller learning rate or normalized inputs.",
                        e.message()
                    ),
                ),
                _ => e,
            })?;
        let mut totals = Totals::new(&kinds);
        totals.add(loss, &y, &out);
        let logs = totals.logs(&compiled.metrics);
        Ok((loss, logs.iter().skip(1).map(|(_, v)| v).collect()))
    }

    /// Trains the model on `x` and `y`, as Keras' `fit`; returns the
    /// per-epoch History. With verbose 1 it prints one line per epoch.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let mut model = Sequential::new();
    /// model.add(Dense::new(1).input_shape([1]))?;
    /// model.compile(SGD::new(0.1), "mse", NO_METRICS)?;
    /// let x = array![[0.0f32], [1.0], [2.0]];
    /// let y = array![[1.0f32], [3.0], [5.0]];
    /// let history = model.fit(&x, &y, Fit::epochs(50).verbose(0))?;
    /// assert!(history["loss"][49] < history["loss"][0]);
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn fit<X: AsTensor, Y: AsTensor>(&mut self, x: &X, y: &Y, opts: Fit) -> Result<History> {
        self.fit_any(x, y, opts)
    }

    fn fit_any(&mut self, x: &dyn AsTensor, y: &dyn AsTensor, opts: Fit) -> Result<History> {
        let compiled = self.compiled("fit")?.clone();
        opts.check()?;
        self.build_for(x.to_tensor().shape())?;
        let data = self.adapt("x", x.to_tensor(), y, compiled.loss)?;
        let (train, val) = match (&opts.validation_data, opts.validation_split) {
            (Some((vx, vy)), _) => {
                let val = self.adapt("validation x", vx.view().into(), vy, compiled.loss)?;
                (data, Some(val))
            }
            (None, Some(f)) => {
                let (train, val) = split_validation(data, f)?;
                (train, Some(val))
            }
            (None, None) => (data, None),
        };
        let kinds = self.metric_kinds(&compiled, train.y.shape());
        let steps = train.len().div_ceil(opts.batch_size);
        let work = self.flops(train.len(), true) * opts.epochs as f64;
        let mut history = History::default();
        let mut stepped = false;
        let _stop = crate::interrupt::guard();
        let result = crate::parallel::run(work, |team| {
            let run = FitRun {
                train: &train,
                val: val.as_ref(),
                kinds: &kinds,
                opts: &opts,
                steps,
            };
            self.fit_loop(&run, &mut history, &mut stepped, team)
        });
        // A fit that failed before its first step (a callback's bad
        // argument) leaves the model as it was, History included.
        if result.is_ok() || stepped {
            self.history = Some(history.clone());
        }
        result.map(|()| history)
    }

    /// The epoch and batch loop. Callbacks are called in Keras' order: the
    /// user's (in the order given), then History, then the progress line;
    /// a stop asked for in a batch ends the epoch after that batch, one
    /// asked for at an epoch's end ends training after it.
    fn fit_loop(
        &mut self,
        run: &FitRun<'_, '_>,
        history: &mut History,
        stepped: &mut bool,
        team: Team,
    ) -> Result<()> {
        let metrics = self.compiled("fit")?.metrics.clone();
        let (xv, yv) = (run.train.x.view(), run.train.y.view());
        let (x_rows, y_rows) = (Rows::of(&xv)?, Rows::of(&yv)?);
        let mut order: Vec<usize> = (0..run.train.len()).collect();
        let mut progress = ProgressLine {
            epochs: run.opts.epochs,
            steps: run.steps,
            verbose: run.opts.verbose,
            start: None,
            after_first: None,
        };
        let mut recorder = Recorder(history);
        let mut autosave = Autosave::new(run.opts.epochs);
        let verbose = run.opts.verbose > 0;
        // History and the progress line come after the user's callbacks;
        // borrowed per call, so the History can be autosaved in between.
        macro_rules! own {
            () => {
                &mut own(&mut recorder, &mut progress, verbose)
            };
        }
        let user = &run.opts.callbacks;
        let mut logs = Logs::default();
        self.stop_training = false;
        each(user, own!(), |c| {
            c.on_train_begin(&mut Logs::default(), self)
        })?;
        for epoch in 0..run.opts.epochs {
            each(user, own!(), |c| {
                c.on_epoch_begin(epoch, &mut Logs::default(), self)
            })?;
            if run.opts.shuffle {
                order.shuffle(&mut self.rng);
            }
            let mut totals = Totals::new(run.kinds);
            for (step, batch) in batches(order.len(), run.opts.batch_size, Some(&order)).enumerate()
            {
                each(user, own!(), |c| {
                    c.on_train_batch_begin(step, &mut Logs::default(), self)
                })?;
                let (xb, yb) = (x_rows.take(&batch)?, y_rows.take(&batch)?);
                *stepped = true;
                let (loss, out) = self
                    .train_step(xb, &yb, team)
                    .map_err(|e| diverged(e, epoch, step, run.steps))?;
                totals.add(loss, &yb, &out);
                let mut batch_logs = totals.logs(&metrics);
                each(user, own!(), |c| {
                    c.on_train_batch_end(step, &mut batch_logs, self)
                })?;
                if crate::interrupt::requested() {
                    return Err(crate::interrupt::fit_stopped(
                        epoch,
                        run.opts.epochs,
                        step + 1,
                        run.steps,
                    ));
                }
                if self.stop_training {
                    break;
                }
            }
            logs = totals.logs(&metrics);
            if let Some(val) = run.val {
                let batch = run.opts.batch_size.max(32);
                let vl = self
                    .evaluate_unchecked(val, run.kinds, batch, team)
                    .map_err(|e| match e.kind() {
                        ErrorKind::Interrupted => crate::interrupt::fit_stopped(
                            epoch,
                            run.opts.epochs,
                            run.steps,
                            run.steps,
                        ),
                        _ => e,
                    })?;
                logs.extend_prefixed("val_", &vl);
            }
            each(user, own!(), |c| c.on_epoch_end(epoch, &mut logs, self))?;
            autosave.after_epoch(self, recorder.0);
            if self.stop_training {
                break;
            }
        }
        each(user, own!(), |c| c.on_train_end(&mut logs, self))
    }
}

/// What one `fit` call trains on.
struct FitRun<'a, 'd> {
    train: &'a Data<'d>,
    val: Option<&'a Data<'d>>,
    kinds: &'a [MetricKind],
    opts: &'a Fit,
    steps: usize,
}

/// A step's error as `fit` reports it: divergence with where it happened.
fn diverged(e: Error, epoch: usize, step: usize, steps: usize) -> Error {
    if e.kind() != ErrorKind::Numeric {
        return e;
    }
    Error::new(
        ErrorKind::Numeric,
        format!(
            "training diverged in epoch {} at batch {}/{steps}: {}. The weights are those before that batch; model.history() keeps {}. Try a smaller learning rate or normalized inputs.",
            epoch + 1,
            step + 1,
            e.message(),
            match epoch {
                0 => "no epochs (none finished)".to_string(),
                1 => "the 1 finished epoch".to_string(),
                n => format!("the {n} finished epochs"),
            }
        ),
    )
}

/// `fit`'s own callbacks for one hook call: History, then the progress
/// line when verbose.
fn own<'a>(
    recorder: &'a mut Recorder<'_>,
    progress: &'a mut ProgressLine,
    verbose: bool,
) -> Vec<&'a mut dyn Callback> {
    let mut own: Vec<&mut dyn Callback> = vec![recorder];
    if verbose {
        own.push(progress);
    }
    own
}
