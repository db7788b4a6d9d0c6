//! Adagrad.

use super::{Optimizer, State};
use crate::layers::Team;
use crate::schedules::LearningRate;
use serde_json::json;

/// Adagrad, as `keras.optimizers.Adagrad` (initial accumulator 0.1,
/// epsilon 1e-7): `a += g²; w -= lr·g / sqrt(a + eps)`.
///
/// ```
/// use kerust::prelude::*;
/// let opt = Adagrad::new(0.01);
/// # let _ = opt;
/// ```
#[derive(Debug, Clone)]
pub struct Adagrad {
    learning_rate: LearningRate,
    initial_accumulator_value: f32,
    epsilon: f32,
    state: State,
}

impl Adagrad {
    /// Adagrad with `learning_rate`, a number or a
    /// schedule (`schedules::ExponentialDecay`, ...) stepped per batch (Keras' default 0.001).
    pub fn new(learning_rate: impl Into<LearningRate>) -> Self {
        Self::with_rate(learning_rate.into())
    }
    fn with_rate(learning_rate: LearningRate) -> Self {
        Adagrad {
            learning_rate,
            initial_accumulator_value: 0.1,
            epsilon: 1e-7,
            state: State::default(),
        }
    }
    /// Sets the initial accumulator value (default 0.1).
    pub fn initial_accumulator_value(mut self, v: f32) -> Self {
        self.initial_accumulator_value = v;
        self
    }
    /// Sets epsilon (default 1e-7).
    pub fn epsilon(mut self, epsilon: f32) -> Self {
        self.epsilon = epsilon;
        self
    }
}

impl Adagrad {
    /// Rebuilds it from its saved config.
    pub(crate) fn from_config(c: &super::Config) -> crate::Result<Self> {
        Ok(Adagrad::with_rate(c.learning_rate()?)
            .initial_accumulator_value(c.f32("initial_accumulator_value")?)
            .epsilon(c.f32("epsilon")?))
    }
}

impl Optimizer for Adagrad {
    super::learning_rate_and_state!();
    fn name(&self) -> &'static str {
        "Adagrad"
    }
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
    fn config(&self) -> serde_json::Value {
        json!({"learning_rate": self.learning_rate.to_json(), "initial_accumulator_value": self.initial_accumulator_value, "epsilon": self.epsilon})
    }
}
