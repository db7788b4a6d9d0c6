//! The "is this value better?" logic EarlyStopping, ModelCheckpoint and
//! ReduceLROnPlateau share, as Keras' `MonitorCallback`.

use super::Logs;
use crate::error::{Error, Result};

/// Metric names whose value is better when higher (Keras' metrics with
/// `_direction = "up"`), under their Keras names.
const UP: &[&str] = &[
    "accuracy",
    "acc",
    "binary_accuracy",
    "categorical_accuracy",
    "sparse_categorical_accuracy",
    "top_k_categorical_accuracy",
    "sparse_top_k_categorical_accuracy",
    "precision",
    "recall",
    "auc",
    "f1_score",
    "fbeta_score",
    "pearson_correlation",
    "concordance_correlation",
    "cosine_similarity",
    "r2_score",
    "iou",
    "mean_iou",
    "binary_iou",
    "one_hot_iou",
    "one_hot_mean_iou",
    "precision_at_recall",
    "recall_at_precision",
    "sensitivity_at_specificity",
    "specificity_at_sensitivity",
];

/// Metric names whose value is better when lower (`_direction = "down"`).
const DOWN: &[&str] = &[
    "loss",
    "mae",
    "mse",
    "mape",
    "msle",
    "mean_absolute_error",
    "mean_squared_error",
    "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error",
    "root_mean_squared_error",
    "rmse",
    "logcosh",
    "log_cosh",
    "log_cosh_error",
    "hinge",
    "squared_hinge",
    "categorical_hinge",
    "binary_crossentropy",
    "categorical_crossentropy",
    "sparse_categorical_crossentropy",
];

/// The builders `monitor` and `mode` of a callback whose `m: Monitor`
/// watches a logged value (`$what` completes their docs), and `min_delta`
/// when its default is given.
macro_rules! monitor_setters {
    ($what:literal $(, min_delta $default:literal)?) => {
        $crate::builder::setters! {
            #[doc = concat!("The logged value ", $what, " (default `\"val_loss\"`).")]
            monitor(&str) => m.monitor = monitor.to_string();
            #[doc = concat!("`\"auto\"` (default), `\"min\"` or `\"max\"`: how ", $what, " improves.")]
            mode(&str) => m.mode = mode.to_string();
            $(
                #[doc = concat!("The smallest change that counts as an improvement (default ", $default, ").")]
                min_delta(f32) => m.min_delta = min_delta;
            )?
        }
    };
}
pub(crate) use monitor_setters;

/// A monitored quantity, its mode and the best value so far.
#[derive(Debug, Clone)]
pub(crate) struct Monitor {
    pub(crate) monitor: String,
    pub(crate) mode: String,
    /// As given; its sign is set when the direction is known.
    pub(crate) min_delta: f32,
    /// `Some(true)`: higher is better.
    higher: Option<bool>,
    pub(crate) best: Option<f32>,
    warned: bool,
}

impl Monitor {
    pub(crate) fn new(monitor: &str, mode: &str, min_delta: f32) -> Self {
        Monitor {
            monitor: monitor.to_string(),
            mode: mode.to_string(),
            min_delta,
            higher: None,
            best: None,
            warned: false,
        }
    }
    /// Checks the mode (Keras warns and uses "auto"; kerust says what is
    /// allowed) and forgets the direction, to be found at the first epoch end.
    pub(crate) fn check(&mut self, callback: &str) -> Result<()> {
        if !["auto", "min", "max"].contains(&self.mode.as_str()) {
            return Err(Error::value(format!(
                "{callback}: mode must be \"auto\", \"min\" or \"max\"; got \"{}\"",
                self.mode
            )));
        }
        self.higher = None;
        self.warned = false;
        Ok(())
    }
    /// Keras' `_set_monitor_op`, done once per fit at the first epoch end.
    pub(crate) fn resolve(&mut self, callback: &str) -> Result<()> {
        if self.higher.is_some() {
            return Ok(());
        }
        self.higher = Some(match self.mode.as_str() {
            "min" => false,
            "max" => true,
            _ => direction(&self.monitor).ok_or_else(|| {
                Error::value(format!(
                    "{callback} callback received monitor={}, but kerust isn't able to \
                     automatically determine whether that metric should be maximized or \
                     minimized. Pass `.mode(\"max\")` in order to monitor based on the highest \
                     metric value, or pass `.mode(\"min\")` in order to use the lowest value.",
                    self.monitor
                ))
            })?,
        });
        Ok(())
    }
    /// Keras' warning for a monitored value missing from the logs, once per fit.
    pub(crate) fn warn_missing(&mut self, what: &str, logs: &Logs) {
        if !self.warned {
            self.warned = true;
            eprintln!(
                "Warning: {what} conditioned on metric `{}` which is not available. \
                 Available metrics are: {}",
                self.monitor,
                logs.names()
            );
        }
    }
    /// The monitored value in `logs`, if there.
    pub(crate) fn current(&self, logs: &Logs) -> Option<f32> {
        logs.get(&self.monitor)
    }
    /// Keras' `_is_improvement`: `current - min_delta > reference` (max) or
    /// `current + |min_delta| < reference` (min); always true without a
    /// reference. The difference is taken in f64 (Python floats) and
    /// compared in f32 (Keras' tensors).
    pub(crate) fn is_improvement(&self, current: f32, reference: Option<f32>) -> bool {
        let Some(reference) = reference else {
            return true;
        };
        let higher = self.higher.unwrap_or(false);
        let delta = super::format::typed(self.min_delta.abs());
        let delta = if higher { delta } else { -delta };
        let shifted = (f64::from(current) - delta) as f32;
        if higher {
            shifted > reference
        } else {
            shifted < reference
        }
    }
}

/// Whether higher is better for a monitored name (`val_` stripped, a
/// Keras instance suffix such as `_1` ignored); `None` when unknown.
fn direction(monitor: &str) -> Option<bool> {
    let name = monitor.strip_prefix("val_").unwrap_or(monitor);
    let base = match name.rsplit_once('_') {
        Some((b, n)) if !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()) => b,
        _ => name,
    };
    [name, base].into_iter().find_map(|n| {
        if UP.contains(&n) {
            Some(true)
        } else if DOWN.contains(&n) {
            Some(false)
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::direction;
    #[test]
    fn directions_follow_keras_metric_names() {
        assert_eq!(direction("val_loss"), Some(false));
        assert_eq!(direction("val_accuracy"), Some(true));
        assert_eq!(direction("sparse_categorical_accuracy"), Some(true));
        assert_eq!(direction("val_auc_1"), Some(true));
        assert_eq!(direction("val_mae"), Some(false));
        assert_eq!(direction("val_foo"), None);
    }
}
