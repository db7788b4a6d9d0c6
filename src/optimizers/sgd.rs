//! Stochastic gradient descent, with momentum and Nesterov momentum.

use super::{Optimizer, State};
use crate::layers::Team;
use crate::schedules::LearningRate;
use serde_json::json;

/// SGD, as `keras.optimizers.SGD`: `v = m·v - lr·g; w += v` (or
/// `w += m·v - lr·g` with Nesterov); plain `w -= lr·g` without momentum.
///
/// ```
/// use kerust::prelude::*;
/// let opt = SGD::new(0.05).momentum(0.9);
/// # let _ = opt;
/// ```
#[derive(Debug, Clone)]
pub struct SGD {
    learning_rate: LearningRate,
    momentum: f32,
    nesterov: bool,
    state: State,
}

impl SGD {
    /// SGD with `learning_rate`, a number or a
    /// schedule (`schedules::ExponentialDecay`, ...) stepped per batch (Keras' default for `"sgd"` is 0.01).
    pub fn new(learning_rate: impl Into<LearningRate>) -> Self {
        Self::with_rate(learning_rate.into())
    }
    fn with_rate(learning_rate: LearningRate) -> Self {
        SGD {
            learning_rate,
            momentum: 0.0,
            nesterov: false,
            state: State::default(),
        }
    }
    /// Sets the momentum (default 0).
    pub fn momentum(mut self, momentum: f32) -> Self {
        self.momentum = momentum;
        self
    }
    /// Uses Nesterov momentum.
    pub fn nesterov(mut self, nesterov: bool) -> Self {
        self.nesterov = nesterov;
        self
    }
}

impl SGD {
    /// Rebuilds it from its saved config.
    pub(crate) fn from_config(c: &super::Config) -> crate::Result<Self> {
        Ok(SGD::with_rate(c.learning_rate()?)
            .momentum(c.f32("momentum")?)
            .nesterov(c.flag("nesterov")?))
    }
}

impl Optimizer for SGD {
    super::learning_rate_and_state!();
    fn name(&self) -> &'static str {
        "SGD"
    }
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
    fn config(&self) -> serde_json::Value {
        json!({"learning_rate": self.learning_rate.to_json(), "momentum": self.momentum, "nesterov": self.nesterov})
    }
}
