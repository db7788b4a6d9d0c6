//! ReduceLROnPlateau.

use super::format::{py_repr, typed};
use super::monitor::{monitor_setters, Monitor};
use super::{Callback, CallbackModel, Logs};
use crate::builder::setters;
use crate::error::{Error, Result};

/// Multiplies the learning rate by `factor` when a monitored value has not
/// improved for `patience` epochs, as `keras.callbacks.ReduceLROnPlateau`
/// (defaults: monitor `val_loss`, factor 0.1, patience 10, verbose 0, mode
/// `auto`, min_delta 1e-4, cooldown 0, min_lr 0). Adds `learning_rate` to
/// the epoch's logs. At verbose 1 it prints Keras' line,
/// `Epoch 7: ReduceLROnPlateau reducing learning rate to 0.010000000149011612.`
///
/// ```
/// use kerust::prelude::*;
/// let reduce = callbacks::ReduceLROnPlateau::new().factor(0.2).patience(5).min_lr(0.001);
/// # let _ = reduce;
/// ```
#[derive(Debug, Clone)]
pub struct ReduceLROnPlateau {
    m: Monitor,
    factor: f32,
    patience: usize,
    verbose: u8,
    cooldown: usize,
    min_lr: f32,
    cooldown_counter: usize,
    wait: usize,
}

impl Default for ReduceLROnPlateau {
    fn default() -> Self {
        ReduceLROnPlateau {
            m: Monitor::new("val_loss", "auto", 1e-4),
            factor: 0.1,
            patience: 10,
            verbose: 0,
            cooldown: 0,
            min_lr: 0.0,
            cooldown_counter: 0,
            wait: 0,
        }
    }
}

impl ReduceLROnPlateau {
    /// ReduceLROnPlateau with Keras' defaults.
    pub fn new() -> Self {
        Self::default()
    }
    monitor_setters!("to watch", min_delta "1e-4");
    setters! {
        /// The factor applied to the rate, below 1 (default 0.1).
        factor(f32);
        /// Epochs without improvement before reducing (default 10).
        patience(usize);
        /// 1 prints each reduction (default 0).
        verbose(u8);
        /// Epochs to wait after a reduction before counting again (default 0).
        cooldown(usize);
        /// The lowest rate it sets (default 0).
        min_lr(f32);
    }

    /// Keras' `_reduce_optimizer_lr`, in Python floats (f64).
    fn reduce(&mut self, epoch: usize, model: &mut dyn CallbackModel) -> Result<bool> {
        let old = f64::from(model.learning_rate());
        if old <= f64::from(self.min_lr) {
            return Ok(false);
        }
        let new = (old * typed(self.factor)).max(typed(self.min_lr));
        model.set_learning_rate(new as f32)?;
        if self.verbose > 0 {
            model.print_msg(&format!(
                "\nEpoch {}: ReduceLROnPlateau reducing learning rate to {}.",
                epoch + 1,
                py_repr(new)
            ));
        }
        Ok(true)
    }
}

impl Callback for ReduceLROnPlateau {
    fn on_train_begin(&mut self, _: &mut Logs, _: &mut dyn CallbackModel) -> Result<()> {
        if self.factor.is_nan() || self.factor >= 1.0 {
            return Err(Error::value(format!(
                "ReduceLROnPlateau does not support a factor >= 1.0. Received factor={}",
                self.factor
            )));
        }
        self.m.check("ReduceLROnPlateau")?;
        self.m.best = None;
        self.cooldown_counter = 0;
        self.wait = 0;
        Ok(())
    }

    fn on_epoch_end(
        &mut self,
        epoch: usize,
        logs: &mut Logs,
        model: &mut dyn CallbackModel,
    ) -> Result<()> {
        self.m.resolve("ReduceLROnPlateau")?;
        logs.insert("learning_rate", model.learning_rate());
        let Some(current) = self.m.current(logs) else {
            self.m.warn_missing("Learning rate reduction", logs);
            return Ok(());
        };
        if self.cooldown_counter > 0 {
            self.cooldown_counter -= 1;
            self.wait = 0;
        }
        if self.m.is_improvement(current, self.m.best) {
            self.m.best = Some(current);
            self.wait = 0;
        } else if self.cooldown_counter == 0 {
            self.wait += 1;
            if self.wait >= self.patience && self.reduce(epoch, model)? {
                self.cooldown_counter = self.cooldown;
                self.wait = 0;
            }
        }
        Ok(())
    }
}
