//! The graph type that `Sequential` and the functional `Model` share: a
//! chain of built layers, its weights and its compile settings. Training
//! is in `train`, inference in `evaluate`, data checks in `data_adapter`.

use super::layer_ref::LayerRef;
use crate::error::{Error, Result};
use crate::layers::{count_params, Ctx, Layer, Team};
use crate::losses::{Loss, LossFn};
use crate::metrics::{Metric, MetricKind};
use crate::model::History;
use crate::optimizers::Optimizer;
use crate::random::Rng;
use ndarray::ArrayD;

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
    pub(crate) loss: LossFn,
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
    pub(crate) stop_training: bool,
    /// Keras' `model.trainable` (see `Graph::set_trainable`).
    pub(crate) trainable: bool,
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
            stop_training: false,
            trainable: true,
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
        if !self.is_built() {
            return None;
        }
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
    /// The number of weights, trainable or not.
    pub fn count_params(&self) -> usize {
        self.layers.iter().map(|l| count_params(l.as_ref())).sum()
    }
    /// The number of weights the optimizer trains (the summary's
    /// "Trainable params").
    pub fn count_trainable_params(&self) -> usize {
        self.layers
            .iter()
            .map(|l| crate::layers::count_trainable_params(l.as_ref()))
            .sum()
    }
    /// All weights in Keras order: for each layer, kernel then bias.
    pub fn get_weights(&self) -> Vec<ArrayD<f32>> {
        self.layers
            .iter()
            .flat_map(|l| l.weights().into_iter().map(|w| w.to_owned()))
            .collect()
    }
    /// Every weight in Keras order, with the name of its layer.
    pub(crate) fn named_weights(
        &self,
    ) -> impl Iterator<Item = (&str, ndarray::ArrayViewD<'_, f32>)> {
        self.layers
            .iter()
            .flat_map(|l| l.weights().into_iter().map(move |w| (l.name(), w)))
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
        let expected: Vec<(&str, Vec<usize>)> = self
            .named_weights()
            .map(|(name, w)| (name, w.shape().to_vec()))
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
                Some(s) if self.layers.is_empty() => s.to_vec(),
                // Built later from the data (Keras 3's deferred build).
                _ => return self.push_unbuilt(layer),
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
        loss: Result<LossFn>,
        metrics: &[String],
    ) -> Result<()> {
        let optimizer = optimizer?;
        optimizer.check_learning_rate()?;
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
        self.compiled.as_ref().map(|c| c.loss.kind())
    }
    /// The loss set by `compile`, with its options (`from_logits`, ...).
    pub fn loss_fn(&self) -> Option<LossFn> {
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

    /// The compiled settings, or the error Keras gives before `compile`.
    pub(crate) fn compiled(&self, call: &str) -> Result<&Compiled> {
        self.compiled.as_ref().ok_or_else(|| {
            Error::state(format!(
                "you must compile {} before calling {call}: model.compile(optimizer, loss, metrics)",
                self.name
            ))
        })
    }

    /// Forward pass through every layer.
    pub(crate) fn forward(
        &mut self,
        x: ArrayD<f32>,
        training: bool,
        team: Team,
    ) -> Result<ArrayD<f32>> {
        let mut ctx = Ctx {
            training,
            rng: &mut self.rng,
            team,
        };
        self.layers
            .iter_mut()
            .try_fold(x, |h, layer| layer.try_forward(h, &mut ctx))
    }

    /// Releases every layer's training caches.
    pub(crate) fn clear_caches(&mut self) {
        for l in &mut self.layers {
            l.clear_cache();
        }
    }

    /// The loss of the last forward pass on targets `y` and its gradient
    /// (with respect to the logits when the loss uses them), plus the
    /// layers' regularization penalties as Keras 3's `compute_loss` adds
    /// them (their gradients are added by `add_regularization_grads`).
    pub(crate) fn loss_and_grad(
        &self,
        loss: LossFn,
        y: &ArrayD<f32>,
        out: &ArrayD<f32>,
    ) -> Result<(f32, ArrayD<f32>, bool)> {
        let penalty = self.regularization_loss();
        let y = loss.smooth(y);
        let kind = loss.kind();
        if let Some(z) = self.loss_logits(kind) {
            let (v, g) = kind.value_and_grad_logits_unchecked(y.view(), z.view());
            return Ok((v + penalty, g, true));
        }
        if loss.from_logits() {
            // The outputs are the logits: the loss's gradient goes back
            // through the last layer's own activation.
            let (v, g) = kind.value_and_grad_logits_unchecked(y.view(), out.view());
            return Ok((v + penalty, g, false));
        }
        let (v, g) = kind.value_and_grad_unchecked(y.view(), out.view());
        Ok((v + penalty, g, false))
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

    /// The loss value on a batch after a forward pass (logits where Keras
    /// uses them), with the regularization penalties.
    pub(crate) fn loss_value(
        &self,
        loss: LossFn,
        y: &ArrayD<f32>,
        out: &ArrayD<f32>,
    ) -> Result<f32> {
        let penalty = self.regularization_loss();
        let kind = loss.kind();
        match self.loss_logits(kind) {
            Some(z) => Ok(kind
                .value_and_grad_logits_unchecked(loss.smooth(y).view(), z.view())
                .0
                + penalty),
            None => Ok(loss.value(y, out.view()) + penalty),
        }
    }

    pub(crate) fn metric_kinds(&self, compiled: &Compiled, y_shape: &[usize]) -> Vec<MetricKind> {
        let mut out_shape = vec![y_shape.first().copied().unwrap_or(0)];
        out_shape.extend_from_slice(self.output_shape().unwrap_or(&[]));
        compiled
            .metrics
            .iter()
            .map(|m| m.resolve(y_shape, &out_shape, compiled.loss.kind()))
            .collect()
    }

    /// The work of one pass over `samples` samples, for
    /// [`crate::parallel::run`] to decide whether threads pay: about 2
    /// flops per weight and sample forward, 6 forward and backward.
    pub(crate) fn flops(&self, samples: usize, training: bool) -> f64 {
        let per_weight = if training { 6.0 } else { 2.0 };
        per_weight * self.count_params() as f64 * samples as f64
    }

    /// Asks `fit` to stop after the current batch (a callback's
    /// `self.model.stop_training = True` in Keras).
    pub fn set_stop_training(&mut self, stop: bool) {
        self.stop_training = stop;
    }
    /// Whether a callback asked `fit` to stop.
    pub fn stop_training(&self) -> bool {
        self.stop_training
    }
    /// Changes the compiled optimizer's learning rate (a schedule or a
    /// callback, between batches); a negative or non-finite rate is an
    /// error and changes nothing.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let mut model = Sequential::new();
    /// model.add(Dense::new(1).input_shape([1]))?;
    /// model.compile(SGD::new(0.1), "mse", NO_METRICS)?;
    /// model.set_learning_rate(0.01)?;
    /// assert_eq!(model.optimizer().map(|o| o.learning_rate()), Some(0.01));
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn set_learning_rate(&mut self, learning_rate: f32) -> Result<()> {
        let compiled = self
            .compiled
            .as_mut()
            .ok_or_else(|| Error::state("set_learning_rate: the model is not compiled"))?;
        if compiled.optimizer.learning_rate_schedule() {
            return Err(Error::state(format!(
                "set_learning_rate: this {} optimizer was created with a learning-rate schedule, hence its learning rate is not settable",
                compiled.optimizer.name()
            )));
        }
        crate::optimizers::check_positive(
            compiled.optimizer.name(),
            "learning_rate",
            learning_rate,
        )?;
        compiled.optimizer.set_learning_rate(learning_rate);
        Ok(())
    }
}
