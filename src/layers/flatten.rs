//! `Flatten`: turns each sample into a vector.

use super::{check_alloc, Base, Ctx, Layer, Team};
use crate::error::Result;
use crate::random::Rng;
use ndarray::ArrayD;
use serde_json::json;

/// Flattens every sample, as `keras.layers.Flatten`: `(None, 28, 28)`
/// becomes `(None, 784)`.
///
/// ```
/// use kerust::prelude::*;
/// let mut model = Sequential::new();
/// model.add(Flatten::new().input_shape([28, 28]))?;
/// assert_eq!(model.layer(0).output_shape(), &[784]);
/// # Ok::<(), kerust::Error>(())
/// ```
#[derive(Clone)]
pub struct Flatten {
    pub(super) base: Base,
}

impl Default for Flatten {
    fn default() -> Self {
        Self::new()
    }
}

impl Flatten {
    /// A new Flatten layer.
    pub fn new() -> Self {
        Flatten {
            base: Base::new("flatten"),
        }
    }
    pub(crate) fn from_config(c: &serde_json::Value) -> Result<Self> {
        Ok(Flatten {
            base: Base::from_config(c)?,
        })
    }
}

impl Layer for Flatten {
    fn build(&mut self, input_shape: &[usize], _rng: &mut Rng) -> Result<Vec<usize>> {
        let size = check_alloc(&self.base.name, "input", input_shape)?;
        Ok(self.base.built(input_shape, vec![size]))
    }
    fn try_forward(&mut self, x: ArrayD<f32>, _ctx: &mut Ctx) -> Result<ArrayD<f32>> {
        let shape = match x.shape().split_first() {
            Some((&n, rest)) if rest == self.base.input_shape.as_slice() => {
                self.base.batch_output(n)
            }
            _ => return Err(self.base.wrong_input(x.shape())),
        };
        // A row-major input is reshaped in place, without a copy.
        let got = x.shape().to_vec();
        super::standard(x)
            .into_shape_with_order(shape)
            .map_err(|_| self.base.wrong_input(&got))
    }
    fn try_backward(
        &mut self,
        grad: ArrayD<f32>,
        need_input_grad: bool,
        _team: Team,
    ) -> Result<Option<ArrayD<f32>>> {
        if !need_input_grad {
            return Ok(None);
        }
        let n = grad.shape().first().copied().unwrap_or(0);
        let mut shape = vec![n];
        shape.extend_from_slice(&self.base.input_shape);
        let got = grad.shape().to_vec();
        super::standard(grad)
            .into_shape_with_order(shape)
            .map(Some)
            .map_err(|_| self.base.wrong_input(&got))
    }
    fn config(&self) -> serde_json::Value {
        json!({"name": self.base.name})
    }
}
