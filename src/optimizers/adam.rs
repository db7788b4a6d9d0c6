//! Adam.

use super::{Optimizer, State};
use crate::layers::Team;
use crate::schedules::LearningRate;
use serde_json::json;

/// A weight, its gradient and its two moments (or a part of each).
type Parts<'a> = ((&'a mut [f32], &'a [f32]), (&'a mut [f32], &'a mut [f32]));

/// Adam, as `keras.optimizers.Adam` (beta_1 0.9, beta_2 0.999, epsilon 1e-7):
/// `m += (g - m)(1 - b1); v += (g² - v)(1 - b2);
/// w -= lr·sqrt(1 - b2^t)/(1 - b1^t) · m / (sqrt(v) + eps)`.
///
/// ```
/// use kerust::prelude::*;
/// let opt = Adam::new(0.001);
/// # let _ = opt;
/// ```
#[derive(Debug, Clone)]
pub struct Adam {
    learning_rate: LearningRate,
    beta_1: f32,
    beta_2: f32,
    epsilon: f32,
    state: State,
}

impl Adam {
    /// Adam with `learning_rate`, a number or a
    /// schedule (`schedules::ExponentialDecay`, ...) stepped per batch (Keras' default 0.001).
    pub fn new(learning_rate: impl Into<LearningRate>) -> Self {
        Self::with_rate(learning_rate.into())
    }
    fn with_rate(learning_rate: LearningRate) -> Self {
        Adam {
            learning_rate,
            beta_1: 0.9,
            beta_2: 0.999,
            epsilon: 1e-7,
            state: State::default(),
        }
    }
    /// Sets beta_1 (default 0.9).
    pub fn beta_1(mut self, beta_1: f32) -> Self {
        self.beta_1 = beta_1;
        self
    }
    /// Sets beta_2 (default 0.999).
    pub fn beta_2(mut self, beta_2: f32) -> Self {
        self.beta_2 = beta_2;
        self
    }
    /// Sets epsilon (default 1e-7).
    pub fn epsilon(mut self, epsilon: f32) -> Self {
        self.epsilon = epsilon;
        self
    }
}

impl Adam {
    /// Rebuilds it from its saved config.
    pub(crate) fn from_config(c: &super::Config) -> crate::Result<Self> {
        Ok(Adam::with_rate(c.learning_rate()?)
            .beta_1(c.f32("beta_1")?)
            .beta_2(c.f32("beta_2")?)
            .epsilon(c.f32("epsilon")?))
    }
}

impl Optimizer for Adam {
    super::learning_rate_and_state!();
    fn name(&self) -> &'static str {
        "Adam"
    }
    fn step(&mut self, weights: Vec<(&mut [f32], &[f32])>, team: Team) {
        self.state.ensure(2, &weights, 0.0);
        let t = (self.state.iterations + 1) as f32;
        let (b1, b2, eps) = (self.beta_1, self.beta_2, self.epsilon);
        let alpha = self.learning_rate() * (1.0 - b2.powf(t)).sqrt() / (1.0 - b1.powf(t));
        let (c1, c2) = (super::one_minus(b1), super::one_minus(b2));
        let (ms, vs) = self.state.slots.split_at_mut(1);
        for (((w, g), m), v) in weights
            .into_iter()
            .zip(ms[0].iter_mut())
            .zip(vs[0].iter_mut())
        {
            let part = |((w, g), (m, v)): Parts| {
                for (((w, &g), m), v) in w.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
                    *m += (g - *m) * c1;
                    *v += (g * g - *v) * c2;
                    *w -= alpha * *m / (v.sqrt() + eps);
                }
            };
            crate::parallel::for_each_part(
                team,
                ((w, g), (m.as_mut_slice(), v.as_mut_slice())),
                &part,
            );
        }
        self.state.iterations += 1;
    }
    fn config(&self) -> serde_json::Value {
        json!({"learning_rate": self.learning_rate.to_json(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
    }
}
