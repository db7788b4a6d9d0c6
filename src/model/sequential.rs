//! `Sequential`: a linear stack of layers.

use super::graph::{Graph, ModelKind};
use crate::error::Result;
use crate::layers::{IntoLayer, Layer};
use crate::naming::unique_name;

/// A linear stack of layers, as `keras.models.Sequential`.
///
/// ```
/// use kerust::prelude::*;
/// let mut model = Sequential::new();
/// model.add(Dense::new(10).input_shape([2]).activation("relu"))?;
/// model.add(Dense::new(1))?;
/// model.summary();
/// # Ok::<(), kerust::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Sequential {
    graph: Graph,
}

impl Default for Sequential {
    fn default() -> Self {
        Self::new()
    }
}

impl Sequential {
    /// An empty model named `sequential_N`.
    pub fn new() -> Self {
        Sequential {
            graph: Graph::new(unique_name("sequential"), ModelKind::Sequential),
        }
    }
    /// Adds a layer on top. Without an input shape (on the first layer,
    /// or an `Input` first) the layers are built from the data at the
    /// first `fit`, `predict`, `evaluate` or `train_on_batch`, as Keras 3
    /// does. A layer that does not fit is not added and the model is
    /// unchanged.
    ///
    /// A model is a layer too, as in TF's quickstart: one summary row
    /// `sequential_1 (Sequential)`. Rust's `clone()` is a copy (Keras
    /// shares the layers): training the outer model trains the copy, read
    /// back with `outer.get_layer(model.name())?.model()?`.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let mut model = Sequential::new();
    /// model.add(Dense::new(10).input_shape([4]))?;
    /// let mut probability_model = Sequential::new();
    /// probability_model.add(model.clone())?;
    /// probability_model.add(Softmax::new())?;
    /// let p = probability_model.predict(&Array2::<f32>::ones((2, 4)))?;
    /// assert!((p.index_axis(Axis(0), 0).sum() - 1.0).abs() < 1e-6);
    /// assert_eq!(probability_model.layer(0).layer()?.class_name(), "Sequential");
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn add<L: IntoLayer>(&mut self, layer: L) -> Result<()> {
        // One small generic line: a notebook cell compiles only this for
        // each layer type it adds, the rest is built with kerust.
        self.add_boxed(layer.into_layer())
    }
    fn add_boxed(&mut self, layer: Box<dyn Layer>) -> Result<()> {
        if layer.class_name() == "InputLayer" {
            let shape = layer.declared_input_shape().unwrap_or(&[]).to_vec();
            if let Some(input) = &self.graph.input_shape {
                let n = self.graph.layers.len();
                return Err(crate::Error::value(format!(
                    "an Input can only be the first layer of {}, which already has an input of shape {} and {n} layer{}",
                    self.graph.name,
                    crate::shape::keras_shape(input),
                    if n == 1 { "" } else { "s" }
                )));
            }
            self.graph.input_shape = Some(shape);
            return Ok(());
        }
        self.graph.push(layer)
    }
    /// Removes the last layer, as Keras' `pop`.
    pub fn pop(&mut self) -> Result<()> {
        match self.graph.layers.pop() {
            Some(_) => Ok(()),
            None => Err(crate::Error::value(format!(
                "{} has no layers to pop",
                self.graph.name
            ))),
        }
    }
}

graph_model!(Sequential);
