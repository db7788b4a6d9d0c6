//! Adam.

use super::Optimizer;
use crate::layers::Team;

/// A weight, its gradient and its two moments (or a part of each).
type Parts<'a> = ((&'a mut [f32], &'a [f32]), (&'a mut [f32], &'a mut [f32]));

super::optimizer_type! {
    /// Adam, as `keras.optimizers.Adam` (beta_1 0.9, beta_2 0.999, epsilon 1e-7):
    /// `m += (g - m)(1 - b1); v += (g² - v)(1 - b2);
    /// w -= lr·sqrt(1 - b2^t)/(1 - b1^t) · m / (sqrt(v) + eps)`.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let opt = Adam::new(0.001);
    /// # let _ = opt;
    /// ```
    Adam ("Keras' default 0.001") {
        /// Sets beta_1 (default 0.9).
        beta_1: f32 = 0.9,
        /// Sets beta_2 (default 0.999).
        beta_2: f32 = 0.999,
        /// Sets epsilon (default 1e-7).
        epsilon: f32 = 1e-7,
    }
}

impl Optimizer for Adam {
    super::learning_rate_and_state!();
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
}
