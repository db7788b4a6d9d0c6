//! EarlyStopping.

use super::monitor::{monitor_setters, Monitor};
use super::{Callback, CallbackModel, Logs};
use crate::builder::setters;
use crate::error::Result;
use ndarray::ArrayD;

/// Stops training when a monitored value has stopped improving, as
/// `keras.callbacks.EarlyStopping` (Keras 3's logic and defaults: monitor
/// `val_loss`, min_delta 0, patience 0, mode `auto`, no baseline, no
/// restore, start_from_epoch 0).
///
/// At each epoch end the value is compared with the best so far; after
/// `patience` epochs without an improvement of more than `min_delta` it
/// sets `stop_training`. With `restore_best_weights(true)` the weights of
/// the best epoch are put back when training ends (also when it ran to the
/// last epoch, as in Keras 3). At verbose 1 it prints `Epoch N: early
/// stopping`. In mode `auto`, names like `accuracy` are maximized and
/// losses and errors minimized.
///
/// ```
/// use kerust::prelude::*;
/// let stop = callbacks::EarlyStopping::new().monitor("val_loss").patience(3).restore_best_weights(true);
/// # let _ = stop;
/// ```
#[derive(Debug, Clone)]
pub struct EarlyStopping {
    m: Monitor,
    patience: usize,
    verbose: u8,
    baseline: Option<f32>,
    restore_best_weights: bool,
    start_from_epoch: usize,
    wait: usize,
    stopped_epoch: usize,
    best_weights: Option<Vec<ArrayD<f32>>>,
    best_epoch: usize,
}

impl Default for EarlyStopping {
    fn default() -> Self {
        EarlyStopping {
            m: Monitor::new("val_loss", "auto", 0.0),
            patience: 0,
            verbose: 0,
            baseline: None,
            restore_best_weights: false,
            start_from_epoch: 0,
            wait: 0,
            stopped_epoch: 0,
            best_weights: None,
            best_epoch: 0,
        }
    }
}

impl EarlyStopping {
    /// EarlyStopping with Keras' defaults.
    pub fn new() -> Self {
        Self::default()
    }
    monitor_setters!("to watch", min_delta "0");
    setters! {
        /// Epochs without improvement before stopping (default 0).
        patience(usize);
        /// 1 prints when it stops and restores (default 0).
        verbose(u8);
        /// A value to beat: the patience counter keeps running until the
        /// monitored value improves on it (default none).
        baseline(f32) => baseline = Some(baseline);
        /// Puts back the best epoch's weights when training ends (default false).
        restore_best_weights(bool);
        /// Epochs to wait before watching at all (default 0).
        start_from_epoch(usize);
    }
    /// The epoch (0-based) at which it asked to stop; 0 when it did not.
    pub fn stopped_epoch(&self) -> usize {
        self.stopped_epoch
    }
    /// The best epoch (0-based) seen in the last fit.
    pub fn best_epoch(&self) -> usize {
        self.best_epoch
    }
}

impl Callback for EarlyStopping {
    fn on_train_begin(&mut self, _logs: &mut Logs, _model: &mut dyn CallbackModel) -> Result<()> {
        self.m.check("EarlyStopping")?;
        self.wait = 0;
        self.stopped_epoch = 0;
        self.m.best = None;
        self.best_weights = None;
        self.best_epoch = 0;
        Ok(())
    }

    fn on_epoch_end(
        &mut self,
        epoch: usize,
        logs: &mut Logs,
        model: &mut dyn CallbackModel,
    ) -> Result<()> {
        self.m.resolve("EarlyStopping")?;
        let Some(current) = self.m.current(logs) else {
            self.m.warn_missing("Early stopping", logs);
            return Ok(());
        };
        if epoch < self.start_from_epoch {
            return Ok(());
        }
        if self.restore_best_weights && self.best_weights.is_none() {
            self.best_weights = Some(model.get_weights());
            self.best_epoch = epoch;
        }
        self.wait += 1;
        if self.m.is_improvement(current, self.m.best) {
            self.m.best = Some(current);
            self.best_epoch = epoch;
            if self.restore_best_weights {
                self.best_weights = Some(model.get_weights());
            }
            if self.baseline.is_none() || self.m.is_improvement(current, self.baseline) {
                self.wait = 0;
            }
            return Ok(());
        }
        if self.wait >= self.patience && epoch > 0 {
            self.stopped_epoch = epoch;
            model.set_stop_training(true);
        }
        Ok(())
    }

    fn on_train_end(&mut self, _logs: &mut Logs, model: &mut dyn CallbackModel) -> Result<()> {
        if self.stopped_epoch > 0 && self.verbose > 0 {
            model.print_msg(&format!("Epoch {}: early stopping", self.stopped_epoch + 1));
        }
        if self.restore_best_weights {
            if let Some(weights) = self.best_weights.take() {
                if self.verbose > 0 {
                    model.print_msg(&format!(
                        "Restoring model weights from the end of the best epoch: {}.",
                        self.best_epoch + 1
                    ));
                }
                model.set_weights(&weights)?;
            }
        }
        Ok(())
    }
}
