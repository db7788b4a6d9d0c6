//! `Model`: the functional API, a model from an input tensor to an output tensor.

use super::graph::{Graph, ModelKind};
use crate::error::{Error, Result};
use crate::layers::Node;
use crate::layers::{Input, KerasTensor, Layer};
use crate::naming::unique_name;

/// A model from an `Input` to the tensor computed from it, as
/// `keras.models.Model(inputs, outputs)`.
///
/// ```
/// use kerust::prelude::*;
/// let input_tensor = Input::new([784]);
/// let x = Dense::new(32).activation("relu").call(&input_tensor)?;
/// let output_tensor = Dense::new(10).activation("softmax").call(&x)?;
/// let model = Model::new(&input_tensor, &output_tensor)?;
/// assert_eq!(model.layers().len(), 2);
/// # Ok::<(), kerust::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Model {
    graph: Graph,
}

impl Model {
    /// The model that maps `input` to `output`; `output` must be computed
    /// from `input` by calling layers on it.
    pub fn new(input: &Input, output: &KerasTensor) -> Result<Self> {
        let mut layers: Vec<Box<dyn Layer>> = Vec::new();
        let mut t = output;
        loop {
            match &*t.node {
                Node::Layer { layer, parent } => {
                    layers.push(layer.clone());
                    t = parent;
                }
                Node::Input { id, name } => {
                    if *id != input.id() {
                        return Err(Error::value(format!(
                            "the output tensor is computed from input {name}, not from the given input {}: a Model's output must come from its own Input",
                            input.name()
                        )));
                    }
                    break;
                }
            }
        }
        layers.reverse();
        for (i, l) in layers.iter().enumerate() {
            if layers[..i].iter().any(|p| p.name() == l.name()) {
                return Err(Error::value(format!(
                    "the model would have two layers named '{}': layer names must be unique",
                    l.name()
                )));
            }
        }
        let mut graph = Graph::new(
            unique_name("model"),
            ModelKind::Functional {
                input_name: input.name().to_string(),
            },
        );
        graph.input_shape = Some(input.shape().to_vec());
        graph.layers = layers;
        Ok(Model { graph })
    }
}

graph_model!(Model);
