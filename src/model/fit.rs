//! Training and evaluation: `fit`, `evaluate` and their options.

use super::graph::{check_finite, Graph};
use super::History;
use crate::error::{Error, ErrorKind, Result};
use crate::layers::Team;
use crate::metrics::MetricKind;
use crate::tensor::AsTensor;
use ndarray::{ArrayD, ArrayViewD, Axis};
use rand::seq::SliceRandom;
use std::time::Instant;

/// Options of `fit`, with Keras' defaults: 1 epoch, batch size 32,
/// shuffled, one line per epoch.
///
/// ```
/// use kerust::prelude::*;
/// let opts = Fit::epochs(10).batch_size(1).shuffle(false).verbose(0);
/// # let _ = opts;
/// ```
#[derive(Debug, Clone)]
pub struct Fit {
    pub(crate) epochs: usize,
    pub(crate) batch_size: usize,
    pub(crate) shuffle: bool,
    pub(crate) verbose: u8,
    pub(crate) validation_data: Option<(ArrayD<f32>, ArrayD<f32>)>,
    pub(crate) validation_split: Option<f32>,
}

impl Default for Fit {
    fn default() -> Self {
        Fit {
            epochs: 1,
            batch_size: 32,
            shuffle: true,
            verbose: 1,
            validation_data: None,
            validation_split: None,
        }
    }
}

impl Fit {
    /// Trains for `epochs` epochs, other options at their defaults.
    ///
    /// As in Keras, `Fit::epochs(0)` trains nothing (the data is still
    /// checked) and `fit` returns an empty History.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let mut model = Sequential::new();
    /// model.add(Dense::new(1).input_shape([1]))?;
    /// model.compile("sgd", "mse", NO_METRICS)?;
    /// let x = array![[0.0f32], [1.0]];
    /// let history = model.fit(&x, &x, Fit::epochs(0))?;
    /// assert!(history.epoch.is_empty());
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn epochs(epochs: usize) -> Self {
        Fit {
            epochs,
            ..Fit::default()
        }
    }
    /// Sets the number of samples per gradient step (default 32).
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }
    /// Whether to shuffle the training samples before each epoch (default true).
    pub fn shuffle(mut self, shuffle: bool) -> Self {
        self.shuffle = shuffle;
        self
    }
    /// 0: silent; 1 or 2: one line per epoch (default 1).
    pub fn verbose(mut self, verbose: u8) -> Self {
        self.verbose = verbose;
        self
    }
    /// Data to evaluate on after each epoch (`val_loss`, `val_<metric>`).
    pub fn validation_data<X: AsTensor + ?Sized, Y: AsTensor + ?Sized>(
        mut self,
        x: &X,
        y: &Y,
    ) -> Self {
        self.validation_data = Some((x.to_tensor().into_owned(), y.to_tensor().into_owned()));
        self
    }
    /// Holds out the last `fraction` of the samples (before shuffling) for validation.
    pub fn validation_split(mut self, fraction: f32) -> Self {
        self.validation_split = Some(fraction);
        self
    }
}

/// Copies rows `idx` of `src` (rows of `row` values) into a new array of
/// shape `(idx.len(), rest...)`.
fn gather(src: &[f32], rest: &[usize], idx: &[usize]) -> ArrayD<f32> {
    // Callers pass the shape of an existing array (so `row` and every
    // `(i + 1) * row` with `i` < its sample count fit in memory: no overflow)
    // and indices below its sample count.
    let row: usize = rest.iter().product();
    let mut out = Vec::with_capacity(idx.len() * row);
    for &i in idx {
        out.extend_from_slice(&src[i * row..(i + 1) * row]);
    }
    let mut shape = vec![idx.len()];
    shape.extend_from_slice(rest);
    ArrayD::from_shape_vec(shape, out).unwrap_or_else(|_| ArrayD::zeros(vec![0]))
}

/// Formats a number of seconds as Keras does in its per-epoch line.
fn seconds(s: f64) -> String {
    if s >= 1.0 {
        format!("{}s", s.round() as u64)
    } else {
        format!("{}ms", (s * 1000.0).round() as u64)
    }
}

impl Graph {
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
        if opts.batch_size == 0 {
            return Err(Error::value(
                "fit: batch_size must be a positive integer, got 0",
            ));
        }
        if let Some(f) = opts.validation_split {
            if !(f > 0.0 && f < 1.0) {
                return Err(Error::value(format!(
                    "fit: validation_split must be between 0 and 1 (exclusive), got {f}"
                )));
            }
        }
        let x = x.to_tensor();
        self.check_input("x", x.shape())?;
        check_finite("x", x.view())?;
        // check_input guarantees rank >= 1 and at least one sample.
        let n_all = x.shape()[0];
        let y_all = self.check_targets("y", n_all, &y.to_tensor().into_owned(), compiled.loss)?;
        // Borrowed when the caller's array already is contiguous f32.
        let x = x.as_standard_layout();
        // Validation: given, or the last fraction of the data.
        let (n, val) = match (&opts.validation_data, opts.validation_split) {
            (Some((vx, vy)), _) => {
                self.check_input("validation x", vx.shape())?;
                check_finite("validation x", vx.view())?;
                // check_input: rank >= 1.
                let vy = self.check_targets("validation y", vx.shape()[0], vy, compiled.loss)?;
                (n_all, Some((vx.clone(), vy)))
            }
            (None, Some(f)) => {
                let n_val = ((n_all as f64) * f64::from(f)).floor() as usize;
                let n_train = n_all - n_val;
                if n_val == 0 || n_train == 0 {
                    return Err(Error::value(format!(
                        "fit: validation_split {f} of {n_all} samples leaves {n_train} for training and {n_val} for validation"
                    )));
                }
                let vx = x.slice_axis(Axis(0), (n_train..).into()).to_owned();
                let vy = y_all.slice_axis(Axis(0), (n_train..).into()).to_owned();
                (n_train, Some((vx, vy)))
            }
            (None, None) => (n_all, None),
        };
        let kinds = self.metric_kinds(&compiled, y_all.shape());
        let x_rest = x.shape()[1..].to_vec();
        let y_rest = y_all.shape()[1..].to_vec();
        let (Some(xs), Some(ys)) = (x.as_slice(), y_all.as_slice()) else {
            return Err(Error::value(
                "fit: could not read x and y as contiguous arrays",
            ));
        };
        let work = self.flops(n, true) * opts.epochs as f64;
        let _stop = crate::interrupt::guard();
        let mut autosave = super::autosave::Autosave::new(opts.epochs);
        crate::parallel::run(work, |team| {
            let steps = n.div_ceil(opts.batch_size);
            let mut order: Vec<usize> = (0..n).collect();
            let mut history = History::default();
            for epoch in 0..opts.epochs {
                let start = Instant::now();
                if opts.shuffle {
                    order.shuffle(&mut self.rng);
                }
                if opts.verbose > 0 {
                    println!("Epoch {}/{}", epoch + 1, opts.epochs);
                }
                let mut loss_sum = 0.0f64;
                let mut metric_sums = vec![0.0f64; kinds.len()];
                for (step, idx) in order.chunks(opts.batch_size).enumerate() {
                    let xb = gather(xs, &x_rest, idx);
                    let yb = gather(ys, &y_rest, idx);
                    let (loss, out) = match self.train_step(xb, &yb, team) {
                        Ok(v) => v,
                        Err(e) if e.kind() == ErrorKind::Numeric => {
                            self.history = Some(history);
                            return Err(Error::new(
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
                            ));
                        }
                        Err(e) => {
                            self.history = Some(history);
                            return Err(e);
                        }
                    };
                    loss_sum += f64::from(loss) * idx.len() as f64;
                    for (s, k) in metric_sums.iter_mut().zip(&kinds) {
                        *s += k.batch_sum(yb.view(), out.view());
                    }
                    if crate::interrupt::requested() {
                        self.history = Some(history);
                        return Err(crate::interrupt::fit_stopped(
                            epoch,
                            opts.epochs,
                            step + 1,
                            steps,
                        ));
                    }
                }
                history.epoch.push(epoch);
                let mut logs = vec![("loss".to_string(), (loss_sum / n as f64) as f32)];
                for (m, s) in compiled.metrics.iter().zip(&metric_sums) {
                    logs.push((m.name.clone(), (s / n as f64) as f32));
                }
                if let Some((vx, vy)) = &val {
                    let (vl, vm) = match self.evaluate_unchecked(
                        vx.view(),
                        vy,
                        &kinds,
                        opts.batch_size.max(32),
                        team,
                    ) {
                        Ok(v) => v,
                        Err(_) => {
                            history.epoch.pop();
                            self.history = Some(history);
                            return Err(crate::interrupt::fit_stopped(
                                epoch,
                                opts.epochs,
                                steps,
                                steps,
                            ));
                        }
                    };
                    logs.push(("val_loss".to_string(), vl));
                    for (m, v) in compiled.metrics.iter().zip(vm) {
                        logs.push((format!("val_{}", m.name), v));
                    }
                }
                for (k, v) in &logs {
                    history.push(k, *v);
                }
                if opts.verbose > 0 {
                    let elapsed = start.elapsed().as_secs_f64();
                    let mut line = format!("{steps}/{steps} - {}", seconds(elapsed));
                    for (k, v) in &logs {
                        line.push_str(&format!(" - {k}: {v:.4}"));
                    }
                    println!("{line}");
                }
                autosave.after_epoch(self, &history);
            }
            self.history = Some(history.clone());
            Ok(history)
        })
    }

    /// Loss and metrics on data already checked.
    pub(crate) fn evaluate_unchecked(
        &mut self,
        x: ArrayViewD<f32>,
        y: &ArrayD<f32>,
        kinds: &[MetricKind],
        batch: usize,
        team: Team,
    ) -> Result<(f32, Vec<f32>)> {
        let Some(loss) = self.loss() else {
            return Ok((f32::NAN, Vec::new()));
        };
        let n = x.shape().first().copied().unwrap_or(0);
        let batch = batch.max(1);
        let mut loss_sum = 0.0f64;
        let mut sums = vec![0.0f64; kinds.len()];
        let mut start = 0;
        while start < n {
            let end = (start + batch).min(n);
            let xb = x.slice_axis(Axis(0), (start..end).into()).to_owned();
            let yb = y.slice_axis(Axis(0), (start..end).into()).to_owned();
            let out = self.forward(xb, false, team);
            loss_sum += f64::from(self.loss_value(loss, &yb, &out)) * (end - start) as f64;
            for (s, k) in sums.iter_mut().zip(kinds) {
                *s += k.batch_sum(yb.view(), out.view());
            }
            start = end;
            if crate::interrupt::requested() && start < n {
                for l in &mut self.layers {
                    l.clear_cache();
                }
                return Err(crate::interrupt::stopped(
                    "evaluate",
                    &format!("after {start} of {n} samples"),
                    "Nothing was changed.",
                ));
            }
        }
        for l in &mut self.layers {
            l.clear_cache();
        }
        let n = n.max(1) as f64;
        Ok((
            (loss_sum / n) as f32,
            sums.iter().map(|s| (s / n) as f32).collect(),
        ))
    }

    /// Every compiled value on `x` and `y`: `[("loss", ..), ("accuracy", ..)]`.
    pub fn evaluate_all<X: AsTensor, Y: AsTensor>(
        &mut self,
        x: &X,
        y: &Y,
    ) -> Result<Vec<(String, f32)>> {
        self.evaluate_any(x, y)
    }

    fn evaluate_any(&mut self, x: &dyn AsTensor, y: &dyn AsTensor) -> Result<Vec<(String, f32)>> {
        let compiled = self.compiled("evaluate")?.clone();
        let x = x.to_tensor();
        self.check_input("x", x.shape())?;
        check_finite("x", x.view())?;
        // check_input: rank >= 1, so x.shape()[0] exists below.
        let y = self.check_targets(
            "y",
            x.shape()[0],
            &y.to_tensor().into_owned(),
            compiled.loss,
        )?;
        let kinds = self.metric_kinds(&compiled, y.shape());
        let start = Instant::now();
        let work = self.flops(x.shape()[0], false);
        let _stop = crate::interrupt::guard();
        let (loss, metrics) = crate::parallel::run(work, |team| {
            self.evaluate_unchecked(x.view(), &y, &kinds, 32, team)
        })?;
        let mut out = vec![("loss".to_string(), loss)];
        for (m, v) in compiled.metrics.iter().zip(metrics) {
            out.push((m.name.clone(), v));
        }
        let steps = x.shape()[0].div_ceil(32);
        let mut line = format!(
            "{steps}/{steps} - {}",
            seconds(start.elapsed().as_secs_f64())
        );
        for (k, v) in &out {
            line.push_str(&format!(" - {k}: {v:.4}"));
        }
        println!("{line}");
        Ok(out)
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
                "evaluate returns (loss, metric) but the model was compiled without metrics: compile with [\"accuracy\"], or call evaluate_all",
            ));
        }
        let all = self.evaluate_any(x, y)?;
        // evaluate_all always puts the loss first.
        Ok((all[0].1, all.get(1).map(|m| m.1).unwrap_or(f32::NAN)))
    }
}
