//! RMSprop.

use super::Optimizer;
use crate::layers::Team;

super::optimizer_type! {
    /// RMSprop, as `keras.optimizers.RMSprop` (rho 0.9, epsilon 1e-7):
    /// `v = rho·v + (1-rho)·g²; w -= lr·g / sqrt(v + eps)`.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let opt = RMSprop::new(0.001); // Keras: RMSprop(lr=0.001)
    /// # let _ = opt;
    /// ```
    RMSprop ("Keras' default 0.001") {
        /// Sets the decay rate rho (default 0.9).
        rho: f32 = 0.9,
        /// Sets epsilon (default 1e-7).
        epsilon: f32 = 1e-7,
    }
}

impl Optimizer for RMSprop {
    super::learning_rate_and_state!();
    fn step(&mut self, weights: Vec<(&mut [f32], &[f32])>, _team: Team) {
        self.state.ensure(1, &weights, 0.0);
        let (lr, rho, eps) = (self.learning_rate(), self.rho, self.epsilon);
        let c = super::one_minus(rho);
        for ((w, g), v) in weights.into_iter().zip(self.state.slots[0].iter_mut()) {
            for ((w, g), v) in w.iter_mut().zip(g).zip(v.iter_mut()) {
                *v = rho * *v + c * (g * g);
                *w -= lr * g / (*v + eps).sqrt();
            }
        }
        self.state.iterations += 1;
    }
}
