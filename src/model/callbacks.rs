//! The hooks of `fit`'s loop: a [`Callback`] is called at the start and
//! end of training, of each epoch and of each batch, sees the logs, and
//! may stop training or change the learning rate through the model.
//! Printing the progress lines is itself a callback ([`ProgressLine`]).

use super::graph::Graph;
use super::logs::{progress_line, Logs};
use crate::error::Result;
use std::time::Instant;

/// Something `fit` calls as it trains, as Keras' `keras.callbacks.Callback`.
/// Every method does nothing unless overridden; an `Err` stops `fit` with
/// that error (the weights are those after the last finished batch).
///
/// ```
/// use kerust::model::{Callback, Graph, Logs};
/// /// Stops when the loss falls below a threshold.
/// struct StopBelow(f32);
/// impl Callback for StopBelow {
///     fn on_epoch_end(&mut self, _epoch: usize, logs: &Logs, model: &mut Graph) -> kerust::Result<()> {
///         if logs.get("loss").is_some_and(|l| l < self.0) {
///             model.set_stop_training(true);
///         }
///         Ok(())
///     }
/// }
/// # let _ = StopBelow(0.1);
/// ```
pub trait Callback: Send {
    /// Before the first epoch.
    fn on_train_begin(&mut self, _model: &mut Graph) -> Result<()> {
        Ok(())
    }
    /// Before each epoch (counted from 0).
    fn on_epoch_begin(&mut self, _epoch: usize, _model: &mut Graph) -> Result<()> {
        Ok(())
    }
    /// Before each batch (counted from 0 in each epoch).
    fn on_batch_begin(&mut self, _batch: usize, _model: &mut Graph) -> Result<()> {
        Ok(())
    }
    /// After each batch, with the epoch's mean loss and metrics so far.
    fn on_batch_end(&mut self, _batch: usize, _logs: &Logs, _model: &mut Graph) -> Result<()> {
        Ok(())
    }
    /// After each epoch, with its loss, metrics and validation values.
    fn on_epoch_end(&mut self, _epoch: usize, _logs: &Logs, _model: &mut Graph) -> Result<()> {
        Ok(())
    }
    /// After the last epoch, with the last epoch's logs.
    fn on_train_end(&mut self, _logs: &Logs, _model: &mut Graph) -> Result<()> {
        Ok(())
    }
}

/// The callbacks of one `fit` call, called in order.
pub(crate) struct Callbacks<'a>(pub Vec<&'a mut dyn Callback>);

macro_rules! each {
    ($name:ident($($arg:ident: $ty:ty),*)) => {
        pub fn $name(&mut self, $($arg: $ty,)* model: &mut Graph) -> Result<()> {
            self.0.iter_mut().try_for_each(|c| c.$name($($arg,)* model))
        }
    };
}

impl Callbacks<'_> {
    each!(on_train_begin());
    each!(on_epoch_begin(epoch: usize));
    each!(on_batch_begin(batch: usize));
    each!(on_batch_end(batch: usize, logs: &Logs));
    each!(on_epoch_end(epoch: usize, logs: &Logs));
    each!(on_train_end(logs: &Logs));
}

/// Keras' verbose output of `fit`: `Epoch 1/5`, then one line per epoch.
pub(crate) struct ProgressLine {
    pub epochs: usize,
    pub steps: usize,
    pub start: Option<Instant>,
}

impl Callback for ProgressLine {
    fn on_epoch_begin(&mut self, epoch: usize, _model: &mut Graph) -> Result<()> {
        self.start = Some(Instant::now());
        println!("Epoch {}/{}", epoch + 1, self.epochs);
        Ok(())
    }
    fn on_epoch_end(&mut self, _epoch: usize, logs: &Logs, _model: &mut Graph) -> Result<()> {
        let seconds = self.start.map_or(0.0, |s| s.elapsed().as_secs_f64());
        println!("{}", progress_line(self.steps, seconds, logs));
        Ok(())
    }
}
