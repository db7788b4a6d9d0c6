//! Adagrad.

use super::Optimizer;
use crate::layers::Team;

super::optimizer_type! {
    /// Adagrad, as `keras.optimizers.Adagrad` (initial accumulator 0.1,
    /// epsilon 1e-7): `a += g²; w -= lr·g / sqrt(a + eps)`.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let opt = Adagrad::new(0.01);
    /// # let _ = opt;
    /// ```
    Adagrad ("Keras' default 0.001") {
        /// Sets the initial accumulator value (default 0.1).
        initial_accumulator_value: f32 = 0.1,
        /// Sets epsilon (default 1e-7).
        epsilon: f32 = 1e-7,
    }
}

impl Optimizer for Adagrad {
    super::learning_rate_and_state!();
    fn step(&mut self, weights: Vec<(&mut [f32], &[f32])>, _team: Team) {
        self.state
            .ensure(1, &weights, self.initial_accumulator_value);
        let (lr, eps) = (self.learning_rate(), self.epsilon);
        for ((w, g), a) in weights.into_iter().zip(self.state.slots[0].iter_mut()) {
            for ((w, g), a) in w.iter_mut().zip(g).zip(a.iter_mut()) {
                *a += g * g;
                *w -= lr * g / (*a + eps).sqrt();
            }
        }
        self.state.iterations += 1;
    }
}
