//! Optimizers with Keras 3's update rules, defaults and epsilons.

mod adagrad;
mod adam;
mod hyperparameters;
mod rmsprop;
mod sgd;

pub use adagrad::Adagrad;
pub use adam::Adam;
pub use rmsprop::RMSprop;
pub use sgd::SGD;

use hyperparameters::{optimizer_type, ConfigValue};

use crate::error::{Error, Result};
use crate::layers::Team;
use crate::registry::{listed, lookup, Entry};

/// The [`Optimizer`] methods every optimizer writes the same way, from its
/// `learning_rate` and `state` fields (used inside each `impl Optimizer`).
macro_rules! learning_rate_and_state {
    () => {
        fn name(&self) -> &'static str {
            Self::NAME
        }
        fn config(&self) -> serde_json::Value {
            self.hyperparameters()
        }
        // The rate of the next step: a number, or a schedule's value at
        // the optimizer's step count (Keras' `_get_current_learning_rate`).
        fn learning_rate(&self) -> f32 {
            self.learning_rate.at(self.state.iterations as usize)
        }
        fn set_learning_rate(&mut self, learning_rate: f32) {
            self.learning_rate = learning_rate.into();
        }
        fn learning_rate_schedule(&self) -> bool {
            self.learning_rate.is_schedule()
        }
        fn check_learning_rate(&self) -> crate::Result<()> {
            self.learning_rate
                .check()
                .map_err(|e| e.context(self.name()))
        }
        fn state(&self) -> &$crate::optimizers::State {
            &self.state
        }
        fn set_state(&mut self, state: $crate::optimizers::State) {
            self.state = state;
        }
        fn box_clone(&self) -> Box<dyn Optimizer> {
            Box::new(self.clone())
        }
    };
}
use learning_rate_and_state;

/// An optimizer: updates weights in place from their gradients.
pub trait Optimizer: std::fmt::Debug + Send + Sync {
    /// Keras' class name: `"Adam"`.
    fn name(&self) -> &'static str;
    /// The learning rate.
    fn learning_rate(&self) -> f32;
    /// Changes the learning rate (checked by the caller).
    fn set_learning_rate(&mut self, learning_rate: f32);
    /// Whether the learning rate follows a schedule (then it is not settable).
    fn learning_rate_schedule(&self) -> bool;
    /// Checks the learning rate or schedule (at compile).
    fn check_learning_rate(&self) -> Result<()>;
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
/// (momentum, velocity, ...), one vector per weight, keyed by the weights'
/// names (`dense_1/kernel`). The model checks the keys before every step:
/// state made for other weights is an error, never silently reset.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct State {
    /// Updates made so far.
    pub iterations: u64,
    /// `slots[k][i]`: slot kind `k` of weight `i`.
    pub slots: Vec<Vec<Vec<f32>>>,
    /// `keys[i]`: the name of weight `i`, `layer/weight` (empty until the
    /// first step, and in files from before keys were saved).
    pub keys: Vec<String>,
}

impl State {
    /// Checks that this state belongs to weights named `keys` with
    /// `lens` values each; `Ok(true)` when the keys are to be recorded
    /// (the first step, or a file without keys whose slots fit).
    pub(crate) fn check(&self, optimizer: &str, keys: &[String], lens: &[usize]) -> Result<bool> {
        if self.slots.is_empty() {
            return Ok(self.keys != keys);
        }
        let fits = self
            .slots
            .iter()
            .all(|s| s.len() == lens.len() && s.iter().zip(lens).all(|(v, &n)| v.len() == n));
        if fits && self.keys == keys {
            return Ok(false);
        }
        if fits && self.keys.is_empty() {
            return Ok(true);
        }
        let sizes: Vec<usize> = self
            .slots
            .first()
            .map_or(Vec::new(), |s| s.iter().map(Vec::len).collect());
        Err(Error::state(format!(
            "the {optimizer} optimizer's state was made for weights {} but the model's weights are {}: compile the model again to start the optimizer afresh",
            describe(&self.keys, &sizes),
            describe(keys, lens)
        )))
    }
}

/// `dense_1/kernel (6), dense_1/bias (2)`; `(6), (2)` without keys.
fn describe(keys: &[String], sizes: &[usize]) -> String {
    let keys = keys.iter().map(String::as_str).chain(std::iter::repeat(""));
    sizes
        .iter()
        .zip(keys)
        .map(|(n, k)| format!("{k} ({n})").trim_start().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

impl State {
    /// The state as JSON: `{"iterations": n, "slots": [[..]], "keys": [..]}`,
    /// each slot vector as base64 of its little-endian `f32` bytes (as the
    /// weights are saved: lossless, and a quarter of the size of numbers).
    pub fn to_json(&self) -> serde_json::Value {
        let slots: Vec<Vec<String>> = self
            .slots
            .iter()
            .map(|kind| kind.iter().map(crate::model::encode).collect())
            .collect();
        serde_json::json!({"iterations": self.iterations, "slots": slots, "keys": self.keys})
    }

    /// Reads the JSON that [`State::to_json`] writes (and the lists of
    /// numbers that earlier versions wrote for the slots).
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
            Some(s) => slots_from_json(s)?,
        };
        let keys = match v.get("keys") {
            // Files from before keys were saved.
            None => Vec::new(),
            Some(k) => serde_json::from_value::<Vec<String>>(k.clone()).map_err(|e| {
                Error::io(format!(
                    "optimizer state 'keys' is not a list of names ({e})"
                ))
            })?,
        };
        Ok(State {
            iterations,
            slots,
            keys,
        })
    }

    /// Makes sure there are `kinds` slot kinds, each sized like `weights`,
    /// filled with `init` (the model checked that existing slots fit, see
    /// [`State::check`]).
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

/// The slots of a saved state: per slot kind, one vector per weight, each
/// a base64 string or (earlier files) a list of numbers.
fn slots_from_json(s: &serde_json::Value) -> Result<Vec<Vec<Vec<f32>>>> {
    let wrong = || {
        Error::io("optimizer state 'slots' is not a list of lists of base64 strings or of numbers")
    };
    let kinds = s.as_array().ok_or_else(wrong)?;
    kinds
        .iter()
        .map(|kind| {
            let vectors = kind.as_array().ok_or_else(wrong)?;
            vectors
                .iter()
                .map(|v| match v {
                    serde_json::Value::String(text) => {
                        crate::model::decode_values(text, "optimizer state slot")
                    }
                    _ => serde_json::from_value::<Vec<f32>>(v.clone()).map_err(|_| wrong()),
                })
                .collect()
        })
        .collect()
}

/// Something `compile` accepts as an optimizer: a name (`"adam"`) or an
/// optimizer value (`Adam::new(0.001)`).
pub trait IntoOptimizer {
    /// Resolves the optimizer.
    fn into_optimizer(self) -> Result<Box<dyn Optimizer>>;
}

/// An optimizer's names and how to make it: `get`'s lowercase name
/// (with Keras' default learning rate) and the saved class name.
pub(crate) struct Kind {
    class_name: &'static str,
    default: fn() -> Box<dyn Optimizer>,
    from_config: fn(&Config) -> Result<Box<dyn Optimizer>>,
}

/// The registry entry of optimizer type `$t` under `get`'s name `$name`,
/// made by `get` with Keras' default rate `$rate`.
macro_rules! kind {
    ($name:literal, $t:ident, $rate:literal) => {
        listed(
            $name,
            Kind {
                class_name: stringify!($t),
                default: || Box::new($t::new($rate)),
                from_config: |c| Ok(Box::new($t::from_config(c)?)),
            },
        )
    };
}

/// Every optimizer (see `crate::registry`).
const OPTIMIZERS: [Entry<Kind>; 4] = [
    kind!("sgd", SGD, 0.01),
    kind!("rmsprop", RMSprop, 0.001),
    kind!("adam", Adam, 0.001),
    kind!("adagrad", Adagrad, 0.001),
];

/// The optimizer Keras makes for a name, with Keras' default learning rate.
///
/// ```
/// let opt = kerust::optimizers::get("adam").unwrap();
/// assert_eq!(opt.learning_rate(), 0.001);
/// ```
pub fn get(name: &str) -> Result<Box<dyn Optimizer>> {
    Ok((lookup(&OPTIMIZERS, "optimizer", &name.to_lowercase())?.default)())
}

/// Rebuilds an optimizer from its saved class name and config.
pub(crate) fn from_config(
    class_name: &str,
    config: &serde_json::Value,
) -> Result<Box<dyn Optimizer>> {
    match OPTIMIZERS.iter().find(|e| e.value.class_name == class_name) {
        Some(e) => (e.value.from_config)(&Config(config)),
        None => Err(Error::io(format!(
            "unknown optimizer '{class_name}' in the model file"
        ))),
    }
}

/// A saved optimizer config, read field by field with errors that name it.
pub(crate) struct Config<'a>(&'a serde_json::Value);

impl Config<'_> {
    /// The hyper-parameter `key`, of a type [`ConfigValue`] reads.
    pub fn get<T: ConfigValue>(&self, key: &str) -> Result<T> {
        T::read(self, key)
    }
    /// The number `key`.
    pub fn f32(&self, key: &str) -> Result<f32> {
        self.0
            .get(key)
            .and_then(|v| v.as_f64())
            .map(|v| v as f32)
            .ok_or_else(|| {
                Error::io(format!(
                    "optimizer config has no number '{key}': {}",
                    self.0
                ))
            })
    }
    /// The boolean `key`, `false` when absent (older files).
    /// The saved learning rate: a number or a schedule's config.
    pub fn learning_rate(&self) -> Result<crate::schedules::LearningRate> {
        let v = self.0.get("learning_rate").ok_or_else(|| {
            Error::io(format!(
                "optimizer config has no 'learning_rate': {}",
                self.0
            ))
        })?;
        crate::schedules::LearningRate::from_json(v)
    }
    pub fn flag(&self, key: &str) -> Result<bool> {
        match self.0.get(key) {
            None => Ok(false),
            Some(v) => v.as_bool().ok_or_else(|| {
                Error::io(format!(
                    "optimizer config '{key}' is not true or false: {v}"
                ))
            }),
        }
    }
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
