//! The layers' regularization penalties, as Keras 3's `compute_loss` adds
//! them to the loss (in training and in evaluation), and their gradients.

use super::graph::Graph;
use crate::error::Result;

impl Graph {
    /// The sum of every weight's regularization penalty (Keras'
    /// `model.losses`, summed), at the current weights.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let mut model = Sequential::new();
    /// model.add(Dense::new(1).input_shape([2]).kernel_regularizer(regularizers::l2(0.5)))?;
    /// model.set_weights(&[array![[1.0f32], [2.0]].into_dyn(), array![3.0f32].into_dyn()])?;
    /// assert_eq!(model.regularization_loss(), 2.5);
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn regularization_loss(&self) -> f32 {
        self.layers
            .iter()
            .flat_map(|l| l.params())
            .map(|p| p.penalty())
            .sum()
    }

    /// Adds each regularizer's gradient to its weight's stored gradient
    /// (after the backward pass, before the optimizer step).
    pub(crate) fn add_regularization_grads(&mut self) -> Result<()> {
        for l in &mut self.layers {
            for p in l.params_mut() {
                p.add_penalty_grad()?;
            }
        }
        Ok(())
    }
}
