//! The graph type that `Sequential` and the functional `Model` share: a
//! chain of built layers, its compile settings, and everything a model does.

use crate::error::{Error, Result};
use crate::layers::{count_params, Ctx, Layer, Team};
use crate::losses::Loss;
use crate::metrics::{Metric, MetricKind};
use crate::model::History;
use crate::optimizers::Optimizer;
use crate::random::Rng;
use crate::shape::keras_shape;
use crate::tensor::AsTensor;
use ndarray::{Array1, Array2, ArrayD, ArrayViewD, Axis, CowArray, Ix1, Ix2, IxDyn};

/// Which API made the model; decides the summary's first row and the file format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelKind {
    /// `Sequential::new()`.
    Sequential,
    /// `Model::new(&input, &output)`; the input layer's name.
    Functional {
        /// The `InputLayer`'s name, `input_1`.
        input_name: String,
    },
}

/// Loss, optimizer and metrics set by `compile`.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub(crate) optimizer: Box<dyn Optimizer>,
    pub(crate) loss: Loss,
    pub(crate) metrics: Vec<Metric>,
}

/// A model: a chain of layers from one input to one output, with its
/// compile settings. `Sequential` and `Model` deref to it.
#[derive(Debug, Clone)]
pub struct Graph {
    pub(crate) name: String,
    pub(crate) kind: ModelKind,
    pub(crate) input_shape: Option<Vec<usize>>,
    pub(crate) layers: Vec<Box<dyn Layer>>,
    pub(crate) compiled: Option<Compiled>,
    pub(crate) rng: Rng,
    pub(crate) history: Option<History>,
}

/// A handle on one layer of a model, from [`Graph::layer`] or [`Graph::get_layer`].
#[derive(Clone, Copy)]
pub struct LayerRef<'a> {
    layer: Option<&'a dyn Layer>,
    what: &'a str,
    index: usize,
    count: usize,
}

impl<'a> LayerRef<'a> {
    fn get(&self) -> Result<&'a dyn Layer> {
        self.layer.ok_or_else(|| {
            Error::value(format!(
                "no layer {} in this model: it has {} layers (indices 0 to {})",
                if self.what.is_empty() {
                    self.index.to_string()
                } else {
                    format!("named '{}'", self.what)
                },
                self.count,
                self.count.saturating_sub(1)
            ))
        })
    }
    /// The layer itself.
    pub fn layer(&self) -> Result<&'a dyn Layer> {
        self.get()
    }
    /// The layer's name, or `""` when there is no such layer.
    pub fn name(&self) -> &'a str {
        self.layer.map(|l| l.name()).unwrap_or("")
    }
    /// The layer's output shape (no batch axis), or `[]` when there is no such layer.
    pub fn output_shape(&self) -> &'a [usize] {
        self.layer.map(|l| l.output_shape()).unwrap_or(&[])
    }
    /// The number of weights, 0 when there is no such layer.
    pub fn count_params(&self) -> usize {
        self.layer.map(count_params).unwrap_or(0)
    }
    /// The layer's weights in Keras order.
    pub fn get_weights(&self) -> Result<Vec<ArrayD<f32>>> {
        Ok(self.get()?.weights().iter().map(|w| w.to_owned()).collect())
    }
    /// A dense layer's kernel `(inputs, units)` and bias `(units,)`, so that
    /// the layer computes `x.dot(&a) + &b` before its activation.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let mut model = Sequential::new();
    /// model.add(Dense::new(1).input_shape([10]))?;
    /// let (a, b) = model.layer(0).kernel_and_bias()?;
    /// let x = Array2::<f32>::ones((2, 10));
    /// let by_hand = x.dot(&a) + &b;
    /// let predicted = model.predict(&x)?;
    /// assert!((by_hand[[1, 0]] - predicted[[1, 0]]).abs() < 1e-6);
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn kernel_and_bias(&self) -> Result<(Array2<f32>, Array1<f32>)> {
        let layer = self.get()?;
        let w = layer.weights();
        let err = || {
            Error::value(format!(
                "layer {} ({}) has no 2-D kernel and bias: kernel_and_bias is for Dense layers",
                layer.name(),
                layer.class_name()
            ))
        };
        let k = w
            .first()
            .ok_or_else(err)?
            .to_owned()
            .into_dimensionality::<Ix2>()
            .map_err(|_| err())?;
        let b = match w.get(1) {
            Some(b) => b
                .to_owned()
                .into_dimensionality::<Ix1>()
                .map_err(|_| err())?,
            None => Array1::zeros(k.ncols()),
        };
        Ok((k, b))
    }
}

impl std::fmt::Debug for LayerRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.layer {
            Some(l) => write!(f, "{} ({})", l.name(), l.class_name()),
            None => write!(f, "<no layer {}>", self.index),
        }
    }
}

impl Graph {
    pub(crate) fn new(name: String, kind: ModelKind) -> Self {
        Graph {
            name,
            kind,
            input_shape: None,
            layers: Vec::new(),
            compiled: None,
            rng: crate::random::fork(),
            history: None,
        }
    }

    /// The model's name: `sequential_1`, `model_1`.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Which API made the model.
    pub fn kind(&self) -> &ModelKind {
        &self.kind
    }
    /// The per-sample input shape, once known.
    pub fn input_shape(&self) -> Option<&[usize]> {
        self.input_shape.as_deref()
    }
    /// The per-sample output shape (the input shape when there are no layers).
    pub fn output_shape(&self) -> Option<&[usize]> {
        match self.layers.last() {
            Some(l) => Some(l.output_shape()),
            None => self.input_shape.as_deref(),
        }
    }
    /// The layers, in order (an `Input` is not a layer of a Sequential).
    pub fn layers(&self) -> &[Box<dyn Layer>] {
        &self.layers
    }
    /// The layer at `index` (as `model.layers[index]`).
    pub fn layer(&self, index: usize) -> LayerRef<'_> {
        LayerRef {
            layer: self.layers.get(index).map(|l| l.as_ref()),
            what: "",
            index,
            count: self.layers.len(),
        }
    }
    /// The layer called `name`.
    pub fn get_layer<'a>(&'a self, name: &'a str) -> Result<LayerRef<'a>> {
        let pos = self.layers.iter().position(|l| l.name() == name);
        let r = LayerRef {
            // `i` comes from `position` on the same list: in range.
            layer: pos.map(|i| self.layers[i].as_ref()),
            what: name,
            index: pos.unwrap_or(0),
            count: self.layers.len(),
        };
        if pos.is_none() {
            let names: Vec<&str> = self.layers.iter().map(|l| l.name()).collect();
            return Err(Error::value(format!(
                "no layer named '{name}' in {}; its layers are: {}",
                self.name,
                names.join(", ")
            )));
        }
        Ok(r)
    }
    /// The number of weights (all trainable).
    pub fn count_params(&self) -> usize {
        self.layers.iter().map(|l| count_params(l.as_ref())).sum()
    }
    /// All weights in Keras order: for each layer, kernel then bias.
    pub fn get_weights(&self) -> Vec<ArrayD<f32>> {
        self.layers
            .iter()
            .flat_map(|l| l.weights().into_iter().map(|w| w.to_owned()))
            .collect()
    }
    /// Replaces all weights; every shape is checked first, so a mismatch
    /// changes nothing.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let mut model = Sequential::new();
    /// model.add(Dense::new(2).input_shape([3]))?;
    /// let mut w = model.get_weights();
    /// w[1].fill(1.0);
    /// model.set_weights(&w)?;
    /// assert_eq!(model.get_weights()[1], w[1]);
    /// assert!(model.set_weights(&w[..1]).is_err());
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn set_weights(&mut self, weights: &[ArrayD<f32>]) -> Result<()> {
        let expected: Vec<(String, Vec<usize>)> = self
            .layers
            .iter()
            .flat_map(|l| {
                let name = l.name().to_string();
                l.weights()
                    .into_iter()
                    .map(move |w| (name.clone(), w.shape().to_vec()))
            })
            .collect();
        if weights.len() != expected.len() {
            return Err(Error::value(format!(
                "set_weights expects {} arrays for model {} but got {}",
                expected.len(),
                self.name,
                weights.len()
            )));
        }
        for (i, ((layer, shape), w)) in expected.iter().zip(weights).enumerate() {
            if w.shape() != shape.as_slice() {
                return Err(Error::shape(format!(
                    "set_weights: weight {i} (layer {layer}) expects shape {} but got {}",
                    crate::shape::array_shape(shape),
                    crate::shape::array_shape(w.shape())
                )));
            }
        }
        // The count and every shape were checked above, so the slices below
        // stay in range: `weights` has exactly one array per layer weight.
        let mut rest = weights;
        for layer in &mut self.layers {
            let n = layer.weights().len();
            layer.set_weights(&rest[..n]);
            rest = &rest[n..];
        }
        Ok(())
    }

    /// Adds a built layer at the end (used by `Sequential::add`).
    pub(crate) fn push(&mut self, mut layer: Box<dyn Layer>) -> Result<()> {
        let input = match self.output_shape() {
            Some(s) => s.to_vec(),
            None => match layer.declared_input_shape() {
                Some(s) => s.to_vec(),
                None => {
                    return Err(Error::state(format!(
                        "the first layer of {} needs an input shape: give it .input_shape([...]) or add Input::new([...]) first",
                        self.name
                    )))
                }
            },
        };
        let mut rng = self.rng.clone();
        layer.build(&input, &mut rng)?;
        if self.layers.iter().any(|l| l.name() == layer.name()) {
            return Err(Error::value(format!(
                "{} already has a layer named '{}': layer names must be unique",
                self.name,
                layer.name()
            )));
        }
        self.rng = rng;
        if self.input_shape.is_none() {
            self.input_shape = Some(input);
        }
        self.layers.push(layer);
        Ok(())
    }

    /// Sets the optimizer, the loss and the metrics for training.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let mut model = Sequential::new();
    /// model.add(Dense::new(1).input_shape([2]))?;
    /// model.compile(RMSprop::new(0.001), "mse", ["accuracy"])?;
    /// model.compile("adam", "mae", NO_METRICS)?;
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn compile<O, L, M>(&mut self, optimizer: O, loss: L, metrics: M) -> Result<()>
    where
        O: crate::optimizers::IntoOptimizer,
        L: crate::losses::IntoLoss,
        M: IntoIterator,
        M::Item: AsRef<str>,
    {
        let metrics: Vec<String> = metrics
            .into_iter()
            .map(|m| m.as_ref().to_string())
            .collect();
        self.compile_with(optimizer.into_optimizer(), loss.into_loss(), &metrics)
    }

    /// [`Graph::compile`] once its arguments are converted (their errors
    /// are reported in argument order).
    fn compile_with(
        &mut self,
        optimizer: Result<Box<dyn Optimizer>>,
        loss: Result<Loss>,
        metrics: &[String],
    ) -> Result<()> {
        let optimizer = optimizer?;
        crate::optimizers::check_positive(
            optimizer.name(),
            "learning_rate",
            optimizer.learning_rate(),
        )?;
        let loss = loss?;
        let metrics = metrics
            .iter()
            .map(|m| Metric::from_name(m))
            .collect::<Result<Vec<_>>>()?;
        if self.layers.is_empty() {
            return Err(Error::state(format!(
                "{} has no layers to compile",
                self.name
            )));
        }
        self.compiled = Some(Compiled {
            optimizer,
            loss,
            metrics,
        });
        Ok(())
    }

    /// The loss set by `compile`.
    pub fn loss(&self) -> Option<Loss> {
        self.compiled.as_ref().map(|c| c.loss)
    }
    /// The optimizer set by `compile`.
    pub fn optimizer(&self) -> Option<&dyn Optimizer> {
        self.compiled.as_ref().map(|c| c.optimizer.as_ref())
    }
    /// The History of the last `fit`, also when it stopped on an error.
    pub fn history(&self) -> Option<&History> {
        self.history.as_ref()
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

    /// The compiled settings, or the error Keras gives before `compile`.
    pub(crate) fn compiled(&self, call: &str) -> Result<&Compiled> {
        self.compiled.as_ref().ok_or_else(|| {
            Error::state(format!(
                "you must compile {} before calling {call}: model.compile(optimizer, loss, metrics)",
                self.name
            ))
        })
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
        if loss == Loss::SparseCategoricalCrossentropy {
            let classes = out_shape.last().copied().unwrap_or(1);
            if let Some((i, bad)) = y
                .iter()
                .enumerate()
                .find(|(_, &v)| v < 0.0 || v.fract() != 0.0 || v as usize >= classes)
            {
                let expected = match classes {
                    0 => "class indices, but the model has 0 outputs".to_string(),
                    c => format!("class indices 0 to {} for the model's {c} outputs", c - 1),
                };
                return Err(Error::value(format!(
                    "{what}[{i}] is {bad}: sparse_categorical_crossentropy expects {expected}"
                )));
            }
        }
        Ok(crate::losses::align_targets(loss, y, &out_shape))
    }

    /// Forward pass through every layer.
    pub(crate) fn forward(&mut self, x: ArrayD<f32>, training: bool, team: Team) -> ArrayD<f32> {
        let mut ctx = Ctx {
            training,
            rng: &mut self.rng,
            team,
        };
        self.layers
            .iter_mut()
            .fold(x, |h, layer| layer.forward_owned(h, &mut ctx))
    }

    /// The loss of the last forward pass on targets `y` and its gradient
    /// (with respect to the logits when the loss uses them).
    pub(crate) fn loss_and_grad(
        &self,
        loss: Loss,
        y: &ArrayD<f32>,
        out: &ArrayD<f32>,
    ) -> (f32, ArrayD<f32>, bool) {
        if let Some(z) = self.loss_logits(loss) {
            let (v, g) = loss.value_and_grad_logits(y.view(), z.view());
            return (v, g, true);
        }
        let (v, g) = loss.value_and_grad(y.view(), out.view());
        (v, g, false)
    }

    /// The last layer's logits when `loss` computes from them, as Keras
    /// does for softmax and sigmoid outputs.
    fn loss_logits(&self, loss: Loss) -> Option<&ArrayD<f32>> {
        let last = self.layers.last()?;
        let act = last.output_activation()?;
        if loss.uses_logits(act) {
            last.logits()
        } else {
            None
        }
    }

    /// The loss value on a batch after a forward pass (logits where Keras uses them).
    pub(crate) fn loss_value(&self, loss: Loss, y: &ArrayD<f32>, out: &ArrayD<f32>) -> f32 {
        match self.loss_logits(loss) {
            Some(z) => loss.value_and_grad_logits(y.view(), z.view()).0,
            None => loss.value(y.view(), out.view()),
        }
    }

    /// Forward, backward and one optimizer step on a batch; returns the
    /// loss and the model's outputs before the step. A non-finite loss
    /// stops before the step, leaving the weights as they were.
    pub(crate) fn train_step(
        &mut self,
        x: ArrayD<f32>,
        y: &ArrayD<f32>,
        team: Team,
    ) -> Result<(f32, ArrayD<f32>)> {
        let loss = self.compiled("train_on_batch")?.loss;
        let out = self.forward(x, true, team);
        let (value, grad, from_logits) = self.loss_and_grad(loss, y, &out);
        if !value.is_finite() {
            for l in &mut self.layers {
                l.clear_cache();
            }
            return Err(Error::new(
                crate::error::ErrorKind::Numeric,
                format!("the loss became {value}"),
            ));
        }
        let first_trainable = self
            .layers
            .iter()
            .position(|l| !l.weights().is_empty())
            .unwrap_or(usize::MAX);
        let n = self.layers.len();
        let mut g = Some(grad);
        for i in (0..n).rev() {
            let Some(gi) = g.take() else { break };
            let need = i > first_trainable && first_trainable != usize::MAX;
            // i < n = self.layers.len().
            let layer = &mut self.layers[i];
            g = if i == n - 1 && from_logits {
                layer.backward_from_logits(gi, need, team)
            } else {
                layer.backward(gi, need, team)
            };
            if i <= first_trainable {
                break;
            }
        }
        // A finite loss can still overflow in the backward pass: non-finite
        // gradients stop the step too, before any weight changes.
        if let Some(layer) = self.layers.iter_mut().find_map(|l| {
            let bad = l
                .weights_and_grads()
                .iter()
                .any(|(_, g)| !crate::parallel::all_finite(team, g));
            bad.then(|| l.name().to_string())
        }) {
            for l in &mut self.layers {
                l.clear_cache();
            }
            return Err(Error::new(
                crate::error::ErrorKind::Numeric,
                format!(
                    "the gradient of layer {layer} became NaN or infinite (the loss was {value})"
                ),
            ));
        }
        let Some(compiled) = self.compiled.as_mut() else {
            return Err(Error::state("the model is not compiled"));
        };
        let pairs: Vec<(&mut [f32], &[f32])> = self
            .layers
            .iter_mut()
            .flat_map(|l| l.weights_and_grads())
            .collect();
        compiled.optimizer.step(pairs, team);
        for l in &mut self.layers {
            l.clear_cache();
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
        let x = x.to_tensor();
        self.check_input("x", x.shape())?;
        check_finite("x", x.view())?;
        // check_input guarantees rank >= 1 and at least one sample.
        let n = x.shape()[0];
        let y = self.check_targets("y", n, &y.to_tensor().into_owned(), compiled.loss)?;
        let kinds = self.metric_kinds(&compiled, y.shape());
        let x = x.into_owned();
        let (loss, out) = {
            let work = self.flops(n, true);
            crate::parallel::run(work, |team| self.train_step(x, &y, team)).map_err(|e| match e.kind() {
                crate::error::ErrorKind::Numeric => Error::new(
                    e.kind(),
                    format!(
                        "train_on_batch stopped: {}; the weights were not updated. Try a smaller learning rate or normalized inputs.",
                        e.message()
                    ),
                ),
                _ => e,
            })?
        };
        let metrics = kinds
            .iter()
            .map(|k| (k.batch_sum(y.view(), out.view()) / n as f64) as f32)
            .collect();
        Ok((loss, metrics))
    }

    pub(crate) fn metric_kinds(&self, compiled: &Compiled, y_shape: &[usize]) -> Vec<MetricKind> {
        let mut out_shape = vec![y_shape.first().copied().unwrap_or(0)];
        out_shape.extend_from_slice(self.output_shape().unwrap_or(&[]));
        compiled
            .metrics
            .iter()
            .map(|m| m.resolve(y_shape, &out_shape, compiled.loss))
            .collect()
    }

    /// The model's outputs for `x`, computed in batches; shape
    /// `(samples, output shape...)`.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let mut model = Sequential::new();
    /// model.add(Dense::new(1).input_shape([10]))?;
    /// let x = Array2::<f32>::zeros((2, 10));
    /// assert_eq!(model.predict(&x)?.shape(), &[2, 1]);
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn predict<X: AsTensor + ?Sized>(&mut self, x: &X) -> Result<ArrayD<f32>> {
        self.predict_tensor(x.to_tensor())
    }

    fn predict_tensor(&mut self, x: CowArray<'_, f32, IxDyn>) -> Result<ArrayD<f32>> {
        self.check_input("x", x.shape())?;
        check_finite("x", x.view())?;
        let work = self.flops(x.shape()[0], false);
        let _stop = crate::interrupt::guard();
        crate::parallel::run(work, |team| self.predict_unchecked(x.view(), 1024, team))
    }

    /// The work of one pass over `samples` samples, for
    /// [`crate::parallel::run`] to decide whether threads pay: about 2
    /// flops per weight and sample forward, 6 forward and backward.
    pub(crate) fn flops(&self, samples: usize, training: bool) -> f64 {
        let per_weight = if training { 6.0 } else { 2.0 };
        per_weight * self.count_params() as f64 * samples as f64
    }

    pub(crate) fn predict_unchecked(
        &mut self,
        x: ArrayViewD<f32>,
        batch: usize,
        team: Team,
    ) -> Result<ArrayD<f32>> {
        let n = x.shape().first().copied().unwrap_or(0);
        let batch = batch.max(1);
        let mut parts = Vec::new();
        let mut start = 0;
        while start < n {
            let end = (start + batch).min(n);
            let xb = x.slice_axis(Axis(0), (start..end).into()).to_owned();
            parts.push(self.forward(xb, false, team));
            start = end;
            if crate::interrupt::requested() && start < n {
                for l in &mut self.layers {
                    l.clear_cache();
                }
                return Err(crate::interrupt::stopped(
                    "predict",
                    &format!("after {start} of {n} samples"),
                    "Nothing was changed.",
                ));
            }
        }
        for l in &mut self.layers {
            l.clear_cache();
        }
        let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
        Ok(ndarray::concatenate(Axis(0), &views).unwrap_or_else(|_| ArrayD::zeros(vec![0])))
    }
}

/// Rejects NaN and infinity in input data.
pub(crate) fn check_finite(what: &str, x: ArrayViewD<f32>) -> Result<()> {
    // Fast path: a contiguous array is scanned as one slice.
    if let Some(s) = x.as_slice_memory_order() {
        if crate::parallel::all_finite(Team::one(), s) {
            return Ok(());
        }
    }
    if let Some((i, v)) = x.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(Error::value(format!(
            "{what} contains {v} (at flat index {i}): inputs must be finite numbers"
        )));
    }
    Ok(())
}
