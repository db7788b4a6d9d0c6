//! Deferred build (Keras 3): a `Sequential` whose first layer has no input
//! shape keeps its layers unbuilt until the first `fit`, `predict`,
//! `evaluate` or `train_on_batch`, which builds them from the data's shape.

use super::graph::Graph;
use crate::error::{Error, Result};

/// What `summary()` says before the model is built (Keras 2's words, with
/// kerust's ways to build).
pub(crate) const NOT_BUILT: &str = "This model has not yet been built. Build the model first by calling fit(), predict(), evaluate() or train_on_batch() with some data, or specify an input_shape in the first layer for automatic build.";

impl Graph {
    /// Whether the model has layers waiting for an input shape.
    pub fn is_built(&self) -> bool {
        self.input_shape.is_some() || self.layers.is_empty()
    }

    /// Adds a layer without building it, when the model has no input
    /// shape yet (names are still checked now).
    pub(crate) fn push_unbuilt(&mut self, layer: Box<dyn crate::layers::Layer>) -> Result<()> {
        if self.layers.iter().any(|l| l.name() == layer.name()) {
            return Err(Error::value(format!(
                "{} already has a layer named '{}': layer names must be unique",
                self.name,
                layer.name()
            )));
        }
        self.layers.push(layer);
        Ok(())
    }

    /// Builds an unbuilt model for data of shape `x` (samples first); on
    /// an error the model stays as it was (unbuilt).
    pub(crate) fn build_for(&mut self, x: &[usize]) -> Result<()> {
        if self.is_built() {
            return Ok(());
        }
        let Some((_, sample)) = x.split_first() else {
            return Err(Error::shape(format!(
                "{} is built from its first data, which needs a batch axis; got a scalar",
                self.name
            )));
        };
        let mut built = Graph::new(self.name.clone(), self.kind.clone());
        built.rng = self.rng.clone();
        built.input_shape = Some(sample.to_vec());
        for layer in &self.layers {
            built.push(layer.clone())?;
        }
        self.layers = built.layers;
        self.rng = built.rng;
        self.input_shape = built.input_shape;
        Ok(())
    }
}
