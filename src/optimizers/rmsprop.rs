//! RMSprop.

use super::{Optimizer, State};
use crate::layers::Team;
use crate::schedules::LearningRate;
use serde_json::json;

/// RMSprop, as `keras.optimizers.RMSprop` (rho 0.9, epsilon 1e-7):
/// `v = rho·v + (1-rho)·g²; w -= lr·g / sqrt(v + eps)`.
///
/// ```
/// use kerust::prelude::*;
/// let opt = RMSprop::new(0.001); // Keras: RMSprop(lr=0.001)
/// # let _ = opt;
/// ```
#[derive(Debug, Clone)]
pub struct RMSprop {
    learning_rate: LearningRate,
    rho: f32,
    epsilon: f32,
    state: State,
}

impl RMSprop {
    /// RMSprop with `learning_rate`, a number or a
    /// schedule (`schedules::ExponentialDecay`, ...) stepped per batch (Keras' default 0.001).
    pub fn new(learning_rate: impl Into<LearningRate>) -> Self {
        Self::with_rate(learning_rate.into())
    }
    fn with_rate(learning_rate: LearningRate) -> Self {
        RMSprop {
            learning_rate,
            rho: 0.9,
            epsilon: 1e-7,
            state: State::default(),
        }
    }
    /// Sets the decay rate rho (default 0.9).
    pub fn rho(mut self, rho: f32) -> Self {
        self.rho = rho;
        self
    }
    /// Sets epsilon (default 1e-7).
    pub fn epsilon(mut self, epsilon: f32) -> Self {
        self.epsilon = epsilon;
        self
    }
}

impl RMSprop {
    /// Rebuilds it from its saved config.
    pub(crate) fn from_config(c: &super::Config) -> crate::Result<Self> {
        Ok(RMSprop::with_rate(c.learning_rate()?)
            .rho(c.f32("rho")?)
            .epsilon(c.f32("epsilon")?))
    }
}

impl Optimizer for RMSprop {
    super::learning_rate_and_state!();
    fn name(&self) -> &'static str {
        "RMSprop"
    }
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
    fn config(&self) -> serde_json::Value {
        json!({"learning_rate": self.learning_rate.to_json(), "rho": self.rho, "epsilon": self.epsilon})
    }
}
