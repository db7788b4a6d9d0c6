//! A model used as a layer: `outer.add(model.clone())`, as Keras' nested
//! models. The inner model becomes one layer of the outer model (one
//! summary row, `sequential_1 (Sequential)`), its layers run inside it, and
//! its weights are the outer model's weights.

use super::graph::{Graph, ModelKind};
use super::layer_ref::LayerRef;
use super::save::layer_json;
use super::{AnyModel, Model, Sequential};
use crate::error::{Error, Result};
use crate::layers::{Base, Ctx, Fused, IntoLayer, Layer, LayerClass, Param, Team};
use crate::random::Rng;
use crate::shape::keras_shape;
use ndarray::ArrayD;
use serde_json::{json, Value};

/// A model inside another model: its layers, run as one layer.
///
/// Rust's `model.clone()` is a copy, where Keras shares the layers: the
/// outer model trains the copy, and the original model keeps its weights.
/// The trained inner model is read back with
/// `outer.get_layer("sequential_1")?.model()` (or its weights with
/// `.get_weights()`).
#[derive(Clone)]
pub(crate) struct Nested {
    base: Base,
    graph: Graph,
}

impl Nested {
    fn new(mut graph: Graph) -> Nested {
        graph.compiled = None;
        graph.history = None;
        let mut base = Base::named(graph.name.clone());
        base.declared = graph.input_shape.clone();
        base.trainable = graph.trainable;
        Nested { base, graph }
    }

    /// Rebuilds a model used as a layer from its saved config (unbuilt:
    /// the outer model builds it).
    fn from_config(class: &str, c: &Value) -> Result<Nested> {
        let name = crate::layers::cfg::<String>(c, "name")?;
        let kind = match class {
            "Functional" => ModelKind::Functional {
                input_name: crate::layers::cfg(c, "input_name")?,
            },
            _ => ModelKind::Sequential,
        };
        let mut graph = Graph::new(name, kind);
        let layers = c
            .get("layers")
            .and_then(Value::as_array)
            .ok_or_else(|| Error::io(format!("model {} has no list of 'layers'", graph.name)))?;
        for l in layers {
            let class = l.get("class_name").and_then(Value::as_str).unwrap_or("");
            let layer = layer_from_config(class, l.get("config").unwrap_or(&Value::Null))?;
            graph.push_unbuilt(layer)?;
        }
        let mut nested = Nested::new(graph);
        if let Some(shape) = c.get("build_input_shape").and_then(Value::as_array) {
            let dims: Option<Vec<usize>> = shape
                .iter()
                .skip(1)
                .map(|d| d.as_u64().map(|d| d as usize))
                .collect();
            nested.base.declared = Some(dims.ok_or_else(|| {
                Error::io(format!(
                    "model {}: bad build_input_shape {}",
                    nested.base.name,
                    Value::Array(shape.clone())
                ))
            })?);
        }
        if c.get("trainable").is_some() {
            nested.base.trainable = crate::layers::cfg(c, "trainable")?;
            nested.graph.trainable = nested.base.trainable;
        }
        Ok(nested)
    }

    /// The backward pass through the inner layers, from the last one's
    /// logits when `from_logits`.
    fn backward_inner(
        &mut self,
        grad: ArrayD<f32>,
        need_input_grad: bool,
        team: Team,
        from_logits: bool,
    ) -> Result<Option<ArrayD<f32>>> {
        let trains = self
            .graph
            .layers
            .iter()
            .position(|l| !l.trainable_params().is_empty());
        let first = match trains {
            _ if need_input_grad => 0,
            Some(i) if self.base.trainable => i,
            _ => return Ok(None),
        };
        super::train::backward_through(
            &mut self.graph.layers,
            first,
            grad,
            need_input_grad,
            from_logits,
            team,
        )
    }
}

/// Rebuilds a layer from its saved `class_name` and `config`: a layer of
/// the registry, or a model used as a layer (`Sequential`, `Functional`).
pub(crate) fn layer_from_config(class: &str, config: &Value) -> Result<Box<dyn Layer>> {
    match class {
        "Sequential" | "Functional" => Ok(Box::new(Nested::from_config(class, config)?)),
        _ => crate::layers::from_config(class, config),
    }
}

impl std::fmt::Debug for Nested {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct(self.class())
            .field("name", &self.base.name)
            .field("layers", &self.graph.layers)
            .field("built", &!self.base.input_shape.is_empty())
            .finish()
    }
}

impl LayerClass for Nested {
    fn class(&self) -> &'static str {
        match self.graph.kind {
            ModelKind::Sequential => "Sequential",
            ModelKind::Functional { .. } => "Functional",
        }
    }
    fn layer_base(&self) -> &Base {
        &self.base
    }
    fn layer_base_mut(&mut self) -> Option<&mut Base> {
        Some(&mut self.base)
    }
    fn boxed(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }
}

impl Layer for Nested {
    fn build(&mut self, input_shape: &[usize], _rng: &mut Rng) -> Result<Vec<usize>> {
        let name = &self.base.name;
        if let Some(expected) = &self.base.declared {
            if expected != input_shape {
                return Err(Error::shape(format!(
                    "layer {name} ({}) expects input of shape {} but got {}",
                    self.class(),
                    keras_shape(expected),
                    keras_shape(input_shape)
                )));
            }
        }
        if self.graph.layers.is_empty() {
            return Err(Error::value(format!(
                "model {name} has no layers: add layers to it before using it as a layer"
            )));
        }
        let mut graph = self.graph.clone();
        let mut x = vec![1];
        x.extend_from_slice(input_shape);
        graph.build_for(&x)?;
        let output = graph.output_shape().unwrap_or(input_shape).to_vec();
        self.graph = graph;
        Ok(self.base.built(input_shape, output))
    }
    fn try_forward(&mut self, x: ArrayD<f32>, ctx: &mut Ctx) -> Result<ArrayD<f32>> {
        if x.shape().get(1..) != Some(&self.base.input_shape[..]) {
            return Err(self.base.wrong_input(x.shape()));
        }
        self.graph
            .layers
            .iter_mut()
            .try_fold(x, |h, layer| layer.try_forward(h, ctx))
    }
    fn try_backward(
        &mut self,
        grad: ArrayD<f32>,
        need_input_grad: bool,
        team: Team,
    ) -> Result<Option<ArrayD<f32>>> {
        self.backward_inner(grad, need_input_grad, team, false)
    }
    fn try_backward_from_logits(
        &mut self,
        grad: ArrayD<f32>,
        need_input_grad: bool,
        team: Team,
    ) -> Result<Option<ArrayD<f32>>> {
        self.backward_inner(grad, need_input_grad, team, true)
    }
    fn config(&self) -> Value {
        let layers: Vec<Value> = self
            .graph
            .layers
            .iter()
            .map(|l| layer_json(l.as_ref()))
            .collect();
        let mut c = json!({
            "name": self.base.name,
            "trainable": self.base.trainable,
            "layers": layers,
            "build_input_shape": self.base.declared.as_deref().or(self.graph.input_shape.as_deref()).map(|s| {
                std::iter::once(Value::Null).chain(s.iter().map(|&d| json!(d))).collect::<Vec<_>>()
            }),
        });
        if let ModelKind::Functional { input_name } = &self.graph.kind {
            c["input_name"] = json!(input_name);
        }
        c
    }
    fn params(&self) -> Vec<&Param> {
        self.graph.layers.iter().flat_map(|l| l.params()).collect()
    }
    fn params_mut(&mut self) -> Vec<&mut Param> {
        self.graph
            .layers
            .iter_mut()
            .flat_map(|l| l.params_mut())
            .collect()
    }
    fn trainable_params(&self) -> Vec<&Param> {
        if !self.base.trainable {
            return Vec::new();
        }
        self.graph
            .layers
            .iter()
            .flat_map(|l| l.trainable_params())
            .collect()
    }
    fn trainable_params_mut(&mut self) -> Vec<&mut Param> {
        if !self.base.trainable {
            return Vec::new();
        }
        self.graph
            .layers
            .iter_mut()
            .flat_map(|l| l.trainable_params_mut())
            .collect()
    }
    fn weight_keys(&self) -> Vec<(String, usize)> {
        if !self.base.trainable {
            return Vec::new();
        }
        let name = &self.base.name;
        self.graph
            .layers
            .iter()
            .flat_map(|l| l.weight_keys())
            .map(|(key, n)| (format!("{name}/{key}"), n))
            .collect()
    }
    fn set_trainable(&mut self, trainable: bool) {
        self.base.trainable = trainable;
        self.graph.set_trainable(trainable);
    }
    fn fused(&self) -> Option<&Fused> {
        self.graph.layers.last().and_then(|l| l.fused())
    }
    fn clear_cache(&mut self) {
        self.graph.clear_caches();
    }
    fn apply_updates(&mut self) {
        for l in &mut self.graph.layers {
            l.apply_updates();
        }
    }
    fn as_model(&self) -> Option<&Graph> {
        Some(&self.graph)
    }
}

impl Graph {
    /// Freezes (`false`) or unfreezes every layer, as Keras'
    /// `model.trainable = False`: used as a layer of another model, a
    /// frozen model's weights are non-trainable there (the summary counts
    /// them so) and a batch normalization in it runs in inference mode.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let mut base = Sequential::new();
    /// base.add(Dense::new(4).input_shape([3]))?;
    /// base.set_trainable(false);
    /// assert_eq!(base.count_trainable_params(), 0);
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn set_trainable(&mut self, trainable: bool) {
        self.trainable = trainable;
        for l in &mut self.layers {
            l.set_trainable(trainable);
        }
    }
    /// Whether the model is trainable (Keras' `model.trainable`).
    pub fn is_trainable(&self) -> bool {
        self.trainable
    }
}

impl Sequential {
    /// [`Graph::set_trainable`] as a builder, for a frozen base in
    /// transfer learning (Chollet's pattern: a trained base, frozen, and a
    /// new head trained on top of it).
    ///
    /// ```
    /// use kerust::prelude::*;
    /// // A base model, trained on some task.
    /// let mut base = Sequential::new();
    /// base.add(Dense::new(8).activation("relu").input_shape([4]))?;
    /// base.add(Dense::new(4).activation("relu"))?;
    /// // Frozen inside a new model with a new head.
    /// let mut model = Sequential::new();
    /// model.add(base.clone().trainable(false))?;
    /// model.add(Dense::new(1).activation("sigmoid"))?;
    /// assert_eq!(model.count_params(), 40 + 36 + 5);
    /// assert_eq!(model.count_trainable_params(), 5);
    /// model.compile("adam", "binary_crossentropy", ["accuracy"])?;
    /// let x = Array2::from_shape_fn((16, 4), |(i, j)| ((i * 3 + j) % 7) as f32 / 7.0);
    /// let y = Array1::from_shape_fn(16, |i| (i % 2) as f32);
    /// model.fit(&x, &y, Fit::epochs(2).verbose(0))?;
    /// // The base kept its weights; the trained copy is read back by name.
    /// let trained_base = model.get_layer(base.name())?.model()?;
    /// assert_eq!(trained_base.get_weights(), base.get_weights());
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn trainable(mut self, trainable: bool) -> Self {
        self.set_trainable(trainable);
        self
    }
}

impl IntoLayer for Sequential {
    fn into_layer(self) -> Box<dyn Layer> {
        Box::new(Nested::new(self.into_graph()))
    }
}
impl IntoLayer for Model {
    fn into_layer(self) -> Box<dyn Layer> {
        Box::new(Nested::new(self.into_graph()))
    }
}
impl IntoLayer for AnyModel {
    fn into_layer(self) -> Box<dyn Layer> {
        match self {
            AnyModel::Sequential(m) => m.into_layer(),
            AnyModel::Functional(m) => m.into_layer(),
        }
    }
}

impl LayerRef<'_> {
    /// The model inside a layer that is a model (`sequential_1
    /// (Sequential)`), with the weights the outer model trained, as a
    /// `Sequential` or `Model` of its own (not compiled).
    pub fn model(&self) -> Result<AnyModel> {
        let layer = self.layer()?;
        let graph = layer.as_model().ok_or_else(|| {
            Error::value(format!(
                "layer {} ({}) is not a model: model() is for a model used as a layer",
                layer.name(),
                layer.class_name()
            ))
        })?;
        let graph = graph.clone();
        Ok(match graph.kind {
            ModelKind::Sequential => AnyModel::Sequential(Sequential::from_graph(graph)),
            ModelKind::Functional { .. } => AnyModel::Functional(Model::from_graph(graph)),
        })
    }
}
