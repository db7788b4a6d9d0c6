//! `Input` and the symbolic tensors of the functional API.

use super::{Base, Ctx, Layer, Team};
use crate::error::{Error, Result};
use crate::naming::unique_name;
use crate::random::Rng;
use ndarray::ArrayD;
use serde_json::json;
use std::sync::Arc;

/// A symbolic tensor: the output of `Input::new` or of `layer.call(&x)`.
/// It carries its shape and the layers that lead to it.
#[derive(Debug, Clone)]
pub struct KerasTensor {
    pub(crate) shape: Vec<usize>,
    pub(crate) node: Arc<Node>,
}

#[derive(Debug)]
pub(crate) enum Node {
    Input {
        id: u64,
        name: String,
    },
    Layer {
        layer: Box<dyn Layer>,
        parent: KerasTensor,
    },
}

impl KerasTensor {
    /// The shape without the batch axis.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }
    /// The Keras-style shape, `(None, 784)`.
    pub fn keras_shape(&self) -> String {
        crate::shape::keras_shape(&self.shape)
    }
}

impl std::fmt::Display for KerasTensor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<KerasTensor shape={}>", self.keras_shape())
    }
}

/// The model's input, as `keras.Input(shape=...)`: a layer in a
/// `Sequential`, or the start of a functional model.
///
/// ```
/// use kerust::prelude::*;
/// let input_tensor = Input::new([784]);
/// let x = Dense::new(32).activation("relu").call(&input_tensor)?;
/// let output_tensor = Dense::new(10).activation("softmax").call(&x)?;
/// let model = Model::new(&input_tensor, &output_tensor)?;
/// assert_eq!(model.count_params(), 25_450);
/// # Ok::<(), kerust::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Input {
    tensor: KerasTensor,
    base: Base,
}

impl Input {
    /// An input of per-sample `shape`.
    pub fn new<const N: usize>(shape: [usize; N]) -> Self {
        Self::with_shape(shape.to_vec())
    }
    /// An input of per-sample shape given as a `Vec` (for shapes known only at run time).
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let input = Input::with_dims(vec![28, 28]);
    /// assert_eq!(input.shape(), &[28, 28]);
    /// ```
    pub fn with_dims(shape: Vec<usize>) -> Self {
        Self::with_shape(shape)
    }
    pub(crate) fn with_shape(shape: Vec<usize>) -> Self {
        let name = unique_name("input");
        let node = Node::Input {
            id: crate::session::next_id(),
            name: name.clone(),
        };
        let base = Base {
            name,
            declared: Some(shape.clone()),
            input_shape: shape.clone(),
            output_shape: shape.clone(),
            trainable: true,
        };
        Input {
            tensor: KerasTensor {
                shape,
                node: Arc::new(node),
            },
            base,
        }
    }
    /// The symbolic tensor this input stands for.
    pub fn tensor(&self) -> &KerasTensor {
        &self.tensor
    }
    /// The input's per-sample shape.
    pub fn shape(&self) -> &[usize] {
        &self.tensor.shape
    }
    pub(crate) fn id(&self) -> u64 {
        match &*self.tensor.node {
            Node::Input { id, .. } => *id,
            Node::Layer { .. } => 0,
        }
    }
}

impl AsRef<KerasTensor> for Input {
    fn as_ref(&self) -> &KerasTensor {
        &self.tensor
    }
}
impl AsRef<KerasTensor> for KerasTensor {
    fn as_ref(&self) -> &KerasTensor {
        self
    }
}

super::util::layer_class!(Input, "InputLayer");

impl Layer for Input {
    fn build(&mut self, input_shape: &[usize], _rng: &mut Rng) -> Result<Vec<usize>> {
        if input_shape != self.tensor.shape.as_slice() {
            return Err(Error::shape(format!(
                "input {} has shape {} but got {}",
                self.name(),
                crate::shape::keras_shape(&self.tensor.shape),
                crate::shape::keras_shape(input_shape)
            )));
        }
        Ok(input_shape.to_vec())
    }
    fn try_forward(&mut self, x: ArrayD<f32>, _ctx: &mut Ctx) -> Result<ArrayD<f32>> {
        Ok(x)
    }
    fn try_backward(
        &mut self,
        grad: ArrayD<f32>,
        need_input_grad: bool,
        _team: Team,
    ) -> Result<Option<ArrayD<f32>>> {
        Ok(need_input_grad.then_some(grad))
    }
    fn config(&self) -> serde_json::Value {
        json!({"name": self.name(), "shape": self.tensor.shape})
    }
}

/// Calling a layer on a symbolic tensor, as `Dense(32)(x)` in Keras.
pub trait Call {
    /// Builds the layer for `x`'s shape and returns its output tensor.
    fn call(self, x: impl AsRef<KerasTensor>) -> Result<KerasTensor>;
}

impl<L: Layer + 'static> Call for L {
    fn call(mut self, x: impl AsRef<KerasTensor>) -> Result<KerasTensor> {
        let x = x.as_ref();
        if self.class_name() == "InputLayer" {
            return Err(Error::value(
                "an Input cannot be called on a tensor: it starts a model",
            ));
        }
        if let Some(declared) = self.declared_input_shape() {
            if declared != x.shape.as_slice() {
                return Err(Error::shape(format!(
                    "layer {} expects input of shape {} but got {}",
                    self.name(),
                    crate::shape::keras_shape(declared),
                    x.keras_shape()
                )));
            }
        }
        let mut rng = crate::random::fork();
        let shape = self.build(&x.shape, &mut rng)?;
        Ok(KerasTensor {
            shape,
            node: Arc::new(Node::Layer {
                layer: Box::new(self),
                parent: x.clone(),
            }),
        })
    }
}
