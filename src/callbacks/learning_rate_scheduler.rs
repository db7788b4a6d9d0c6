//! LearningRateScheduler.

use super::format::py_repr;
use super::{Callback, CallbackModel, Logs};
use crate::error::{Error, Result};

/// Sets the learning rate at the start of each epoch from a function of
/// the epoch (0-based) and the current rate, as
/// `keras.callbacks.LearningRateScheduler`; adds `learning_rate` to the
/// epoch's logs (and so to History). At verbose 1 it prints
/// `Epoch 3: LearningRateScheduler setting learning rate to 0.05000000074505806.`
/// (Keras prints the rate as a Python float, the f64 of the f32 rate).
///
/// ```
/// use kerust::prelude::*;
/// let scheduler = callbacks::LearningRateScheduler::new(|epoch, lr| if epoch < 10 { lr } else { lr * 0.9 });
/// # let _ = scheduler;
/// ```
pub struct LearningRateScheduler {
    schedule: Box<dyn FnMut(usize, f32) -> f32 + Send>,
    verbose: u8,
}

impl std::fmt::Debug for LearningRateScheduler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LearningRateScheduler(verbose={})", self.verbose)
    }
}

impl LearningRateScheduler {
    /// The callback for `schedule(epoch, lr) -> new lr`.
    pub fn new(schedule: impl FnMut(usize, f32) -> f32 + Send + 'static) -> Self {
        Self::from_box(Box::new(schedule))
    }
    fn from_box(schedule: Box<dyn FnMut(usize, f32) -> f32 + Send>) -> Self {
        LearningRateScheduler {
            schedule,
            verbose: 0,
        }
    }
    /// 1 prints the rate set at each epoch (default 0).
    pub fn verbose(mut self, verbose: u8) -> Self {
        self.verbose = verbose;
        self
    }
}

impl Callback for LearningRateScheduler {
    fn on_epoch_begin(
        &mut self,
        epoch: usize,
        _: &mut Logs,
        model: &mut dyn CallbackModel,
    ) -> Result<()> {
        let lr = (self.schedule)(epoch, model.learning_rate());
        if !lr.is_finite() || lr < 0.0 {
            return Err(Error::value(format!(
                "The output of the `schedule` function should be a finite learning rate >= 0. \
                 Got: {lr} (epoch {epoch})"
            )));
        }
        model.set_learning_rate(lr)?;
        if self.verbose > 0 {
            model.print_msg(&format!(
                "\nEpoch {}: LearningRateScheduler setting learning rate to {}.",
                epoch + 1,
                py_repr(f64::from(lr))
            ));
        }
        Ok(())
    }

    fn on_epoch_end(
        &mut self,
        _: usize,
        logs: &mut Logs,
        model: &mut dyn CallbackModel,
    ) -> Result<()> {
        logs.insert("learning_rate", model.learning_rate());
        Ok(())
    }
}
