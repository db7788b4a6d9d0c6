//! Optimizers with Keras 3's update rules, defaults and epsilons.

mod adagrad;
mod adam;
mod rmsprop;
mod sgd;

pub use adagrad::Adagrad;
pub use adam::Adam;
pub use rmsprop::RMSprop;
pub use sgd::SGD;

use crate::error::{unknown_name, Error, Result};
use crate::layers::Team;

/// An optimizer: updates weights in place from their gradients.
pub trait Optimizer: std::fmt::Debug + Send + Sync {
    /// Keras' class name: `"Adam"`.
    fn name(&self) -> &'static str;
    /// The learning rate.
    fn learning_rate(&self) -> f32;
    /// Changes the learning rate (checked by the caller).
    fn set_learning_rate(&mut self, learning_rate: f32);
    /// One update of every weight from its gradient, in the model's order;
    /// long weights are updated in parts on `team`'s threads.
    fn step(&mut self, weights: Vec<(&mut [f32], &[f32])>, team: Team);
    /// Hyper-parameters, as saved.
    fn config(&self) -> serde_json::Value;
    /// The state (steps taken and per-weight slots), as saved.
    fn state(&self) -> &State;
    /// Replaces the state.
    fn set_state(&mut self, state: State);
    /// A copy behind a new box.
    fn box_clone(&self) -> Box<dyn Optimizer>;
}

impl Clone for Box<dyn Optimizer> {
    fn clone(&self) -> Self {
        self.box_clone()
    }
}

/// An optimizer's state: the number of updates made and, per slot kind
/// (momentum, velocity, ...), one vector per weight.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct State {
    /// Updates made so far.
    pub iterations: u64,
    /// `slots[k][i]`: slot kind `k` of weight `i`.
    pub slots: Vec<Vec<Vec<f32>>>,
}

impl State {
    /// The state as JSON: `{"iterations": n, "slots": [[[..]]]}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({"iterations": self.iterations, "slots": self.slots})
    }

    /// Reads the JSON that [`State::to_json`] writes.
    pub fn from_json(v: &serde_json::Value) -> Result<State> {
        let iterations = v
            .get("iterations")
            .and_then(serde_json::Value::as_u64)
            .ok_or_else(|| {
                Error::io(format!(
                    "optimizer state has no whole number 'iterations': {v}"
                ))
            })?;
        let slots = match v.get("slots") {
            // An optimizer that has not stepped yet.
            None => Vec::new(),
            Some(s) => serde_json::from_value::<Vec<Vec<Vec<f32>>>>(s.clone()).map_err(|e| {
                Error::io(format!(
                    "optimizer state 'slots' is not a list of lists of numbers ({e})"
                ))
            })?,
        };
        Ok(State { iterations, slots })
    }

    /// Makes sure there are `kinds` slot kinds, each sized like `weights`,
    /// filled with `init`.
    pub(crate) fn ensure(&mut self, kinds: usize, weights: &[(&mut [f32], &[f32])], init: f32) {
        let fits = self.slots.len() == kinds
            && self.slots.iter().all(|s| {
                s.len() == weights.len()
                    && s.iter().zip(weights).all(|(v, (w, _))| v.len() == w.len())
            });
        if !fits {
            self.slots = (0..kinds)
                .map(|_| weights.iter().map(|(w, _)| vec![init; w.len()]).collect())
                .collect();
        }
    }
}

/// Something `compile` accepts as an optimizer: a name (`"adam"`) or an
/// optimizer value (`Adam::new(0.001)`).
pub trait IntoOptimizer {
    /// Resolves the optimizer.
    fn into_optimizer(self) -> Result<Box<dyn Optimizer>>;
}

const NAMES: [&str; 4] = ["sgd", "rmsprop", "adam", "adagrad"];

/// The optimizer Keras makes for a name, with Keras' default learning rate.
///
/// ```
/// let opt = kerust::optimizers::get("adam").unwrap();
/// assert_eq!(opt.learning_rate(), 0.001);
/// ```
pub fn get(name: &str) -> Result<Box<dyn Optimizer>> {
    match name.to_lowercase().as_str() {
        "sgd" => Ok(Box::new(SGD::new(0.01))),
        "rmsprop" => Ok(Box::new(RMSprop::new(0.001))),
        "adam" => Ok(Box::new(Adam::new(0.001))),
        "adagrad" => Ok(Box::new(Adagrad::new(0.001))),
        _ => Err(unknown_name("optimizer", name, &NAMES)),
    }
}

/// Rebuilds an optimizer from its saved name and config.
pub(crate) fn from_config(name: &str, config: &serde_json::Value) -> Result<Box<dyn Optimizer>> {
    let f = |k: &str| -> Result<f32> {
        config
            .get(k)
            .and_then(|v| v.as_f64())
            .map(|v| v as f32)
            .ok_or_else(|| Error::io(format!("optimizer config has no number '{k}': {config}")))
    };
    Ok(match name {
        "SGD" => Box::new(
            SGD::new(f("learning_rate")?)
                .momentum(f("momentum")?)
                .nesterov(
                    config
                        .get("nesterov")
                        .and_then(|v| v.as_bool())
                        .unwrap_or(false),
                ),
        ),
        "RMSprop" => Box::new(
            RMSprop::new(f("learning_rate")?)
                .rho(f("rho")?)
                .epsilon(f("epsilon")?),
        ),
        "Adam" => Box::new(
            Adam::new(f("learning_rate")?)
                .beta_1(f("beta_1")?)
                .beta_2(f("beta_2")?)
                .epsilon(f("epsilon")?),
        ),
        "Adagrad" => Box::new(
            Adagrad::new(f("learning_rate")?)
                .initial_accumulator_value(f("initial_accumulator_value")?)
                .epsilon(f("epsilon")?),
        ),
        other => {
            return Err(Error::io(format!(
                "unknown optimizer '{other}' in the model file"
            )))
        }
    })
}

impl IntoOptimizer for &str {
    fn into_optimizer(self) -> Result<Box<dyn Optimizer>> {
        get(self)
    }
}
impl IntoOptimizer for String {
    fn into_optimizer(self) -> Result<Box<dyn Optimizer>> {
        get(&self)
    }
}
impl<O: Optimizer + 'static> IntoOptimizer for O {
    fn into_optimizer(self) -> Result<Box<dyn Optimizer>> {
        Ok(Box::new(self))
    }
}
impl IntoOptimizer for Box<dyn Optimizer> {
    fn into_optimizer(self) -> Result<Box<dyn Optimizer>> {
        Ok(self)
    }
}

/// `1 - x` as Keras computes it for a hyper-parameter `x` such as
/// `beta_1 = 0.9`: in Python's double precision from the decimal the user
/// typed, then rounded to `f32` (`1 - 0.9` gives `0.1f32`, where
/// `1.0 - 0.9f32` would give `0.100000024`).
pub(crate) fn one_minus(x: f32) -> f32 {
    // Display prints the shortest decimal that reads back as `x`: the
    // number as typed.
    let typed = x.to_string().parse::<f64>().unwrap_or(f64::from(x));
    (1.0 - typed) as f32
}

/// Checks a hyper-parameter at compile time.
pub(crate) fn check_positive(opt: &str, what: &str, v: f32) -> Result<()> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(Error::value(format!(
            "{opt}: {what} must be a finite number >= 0, got {v}"
        )))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_minus_rounds_like_python() {
        assert_eq!(super::one_minus(0.9), 0.1f32);
        assert_eq!(super::one_minus(0.999), (1.0f64 - 0.999f64) as f32);
        assert_eq!(super::one_minus(0.0), 1.0);
    }
}
