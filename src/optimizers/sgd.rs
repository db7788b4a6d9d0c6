//! Stochastic gradient descent, with momentum and Nesterov momentum.

use super::Optimizer;
use crate::layers::Team;

super::optimizer_type! {
    /// SGD, as `keras.optimizers.SGD`: `v = m·v - lr·g; w += v` (or
    /// `w += m·v - lr·g` with Nesterov); plain `w -= lr·g` without momentum.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let opt = SGD::new(0.05).momentum(0.9);
    /// # let _ = opt;
    /// ```
    SGD ("Keras' default for `\"sgd\"` is 0.01") {
        /// Sets the momentum (default 0).
        momentum: f32 = 0.0,
        /// Uses Nesterov momentum (default false).
        nesterov: bool = false,
    }
}

impl Optimizer for SGD {
    super::learning_rate_and_state!();
    fn step(&mut self, weights: Vec<(&mut [f32], &[f32])>, _team: Team) {
        let lr = self.learning_rate();
        let m = self.momentum;
        if m == 0.0 {
            for (w, g) in weights {
                for (w, g) in w.iter_mut().zip(g) {
                    *w -= lr * g;
                }
            }
        } else {
            self.state.ensure(1, &weights, 0.0);
            for ((w, g), v) in weights.into_iter().zip(self.state.slots[0].iter_mut()) {
                for ((w, g), v) in w.iter_mut().zip(g).zip(v.iter_mut()) {
                    *v = m * *v - lr * g;
                    if self.nesterov {
                        *w += m * *v - lr * g;
                    } else {
                        *w += *v;
                    }
                }
            }
        }
        self.state.iterations += 1;
    }
}
