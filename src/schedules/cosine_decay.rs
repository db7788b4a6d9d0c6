//! CosineDecay.

use super::{check_decay_steps, Config, LearningRateSchedule};
use crate::error::Result;
use serde_json::{json, Value};

/// A cosine decay from the initial learning rate to `alpha` times it over
/// `decay_steps`, after an optional linear warmup, as
/// `keras.optimizers.schedules.CosineDecay`:
/// `lr * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decay_steps) / decay_steps)) + alpha)`.
///
/// With `warmup_target(t)` the rate first rises linearly from the initial
/// learning rate to `t` over `warmup_steps`, then decays from `t`.
///
/// ```
/// use kerust::prelude::*;
/// let schedule = schedules::CosineDecay::new(0.1, 1000);
/// assert_eq!(schedule.at(0), 0.1);
/// assert!((schedule.at(500) - 0.05).abs() < 1e-7);
/// assert_eq!(schedule.at(5000), 0.0);
/// let warm = schedules::CosineDecay::new(0.0, 1000).warmup_target(0.1).warmup_steps(100);
/// assert!((warm.at(50) - 0.05).abs() < 1e-7);
/// assert_eq!(warm.at(100), 0.1);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CosineDecay {
    initial_learning_rate: f32,
    decay_steps: usize,
    alpha: f32,
    name: String,
    warmup_target: Option<f32>,
    warmup_steps: usize,
}

impl CosineDecay {
    /// The schedule with Keras' positional arguments and defaults: `alpha`
    /// 0, no warmup. `decay_steps` must be positive.
    pub fn new(initial_learning_rate: f32, decay_steps: usize) -> Self {
        CosineDecay {
            initial_learning_rate,
            decay_steps,
            alpha: 0.0,
            name: "CosineDecay".to_string(),
            warmup_target: None,
            warmup_steps: 0,
        }
    }
    crate::builder::setters! {
        /// The final learning rate as a fraction of the decay's start (default 0).
        alpha(f32);
        /// The learning rate the warmup reaches (default: no warmup).
        warmup_target(f32) => warmup_target = Some(warmup_target);
        /// The warmup's length in steps (default 0).
        warmup_steps(usize);
        /// The name saved in the config (default `"CosineDecay"`).
        name(&str) => name = name.to_string();
    }
    pub(crate) fn from_config(c: &Config) -> Result<Self> {
        let mut s = Self::new(c.f32("initial_learning_rate")?, c.steps("decay_steps")?)
            .alpha(c.opt_f32("alpha")?.unwrap_or(0.0))
            .warmup_steps(c.opt_steps("warmup_steps")?.unwrap_or(0))
            .name(&c.name("CosineDecay"));
        s.warmup_target = c.opt_f32("warmup_target")?;
        Ok(s)
    }

    fn decay(&self, step: f32, decay_steps: f32, decay_from: f32) -> f32 {
        let completed_fraction = step / decay_steps;
        let cosine_decayed = 0.5 * (1.0 + (std::f32::consts::PI * completed_fraction).cos());
        // Keras computes `1 - alpha` in Python (f64), then multiplies in f32.
        let one_minus_alpha = (1.0 - f64::from(self.alpha)) as f32;
        decay_from * (one_minus_alpha * cosine_decayed + self.alpha)
    }
}

impl LearningRateSchedule for CosineDecay {
    fn at(&self, step: usize) -> f32 {
        let decay_steps = self.decay_steps as f32;
        let step = step as f32;
        let Some(target) = self.warmup_target else {
            return self.decay(
                step.min(decay_steps),
                decay_steps,
                self.initial_learning_rate,
            );
        };
        let warmup_steps = self.warmup_steps as f32;
        let step = step.min(decay_steps + warmup_steps);
        if step < warmup_steps {
            let completed_fraction = step / warmup_steps;
            (target - self.initial_learning_rate) * completed_fraction + self.initial_learning_rate
        } else {
            self.decay(step - warmup_steps, decay_steps, target)
        }
    }
    fn class_name(&self) -> &'static str {
        "CosineDecay"
    }
    fn get_config(&self) -> Value {
        json!({
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        })
    }
    fn check(&self) -> Result<()> {
        check_decay_steps("CosineDecay", "decay_steps", self.decay_steps)
    }
    fn box_clone(&self) -> Box<dyn LearningRateSchedule> {
        Box::new(self.clone())
    }
}
