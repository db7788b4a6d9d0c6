//! Callbacks, as `keras.callbacks`: objects `fit` calls at the start and
//! end of training, of each epoch and of each batch, with the logged
//! values; they can stop training, change the learning rate, save the
//! model and write logs.
//!
//! ```
//! use kerust::prelude::*;
//! let stop = callbacks::EarlyStopping::new().monitor("val_loss").patience(3).restore_best_weights(true);
//! let checkpoint = callbacks::ModelCheckpoint::new("ckpt/cp-{epoch:04}.weights.kerust").save_weights_only(true);
//! let tensorboard = callbacks::TensorBoard::new("logs/fit");
//! # let _ = (stop, checkpoint, tensorboard);
//! ```
//!
//! Each callback is a state machine driven through the [`Callback`] hooks;
//! [`DummyModel`] lets a test (or a curious student) drive one by hand.
//!
//! # What the training loop must do (wiring into `fit`)
//!
//! The loop holds the callbacks in the order given (`Vec<Box<dyn Callback>>`)
//! and a [`CallbackModel`] for the model being trained. Keras' own History
//! and progress bar come after the user's callbacks, so they see what the
//! callbacks added to the logs (`learning_rate`). Every hook returns a
//! `Result`; the first error ends `fit` with that error.
//!
//! 1. `on_train_begin(&mut Logs::new(), model)` for each callback, before
//!    the first epoch. Set the model's stop flag to false first.
//! 2. For each epoch `e` (0-based):
//!    - `on_epoch_begin(e, &mut Logs::new(), model)` (LearningRateScheduler
//!      sets the rate here, before the first batch);
//!    - for each batch `b` (0-based within the epoch):
//!      `on_train_batch_begin(b, &mut Logs::new(), model)`, the update,
//!      then `on_train_batch_end(b, &mut logs, model)` with the running
//!      means so far (`loss`, metrics), as Keras' batch logs;
//!    - after validation: `on_epoch_end(e, &mut logs, model)` with the
//!      epoch's `loss`, metrics and `val_` values in Keras' order; then
//!      History records `logs` (which may now hold `learning_rate`) and the
//!      epoch line is finished. Messages printed in `on_epoch_end` start
//!      with `\n`, as Keras': in Keras they end the progress bar's
//!      unfinished line; a loop that prints whole lines may drop the `\n`
//!      in its [`CallbackModel::print_msg`];
//!    - if `model.stop_training()` is true, stop after this epoch (History
//!      holds only the epochs run).
//! 3. `on_train_end(&mut logs, model)` with the last epoch's logs, also
//!    after an early stop (EarlyStopping prints `Epoch N: early stopping`
//!    and restores the best weights here). When an epoch failed, the
//!    error is returned without `on_train_end`, as in Keras.
//!
//! The loop's [`CallbackModel`] forwards `get_weights`/`set_weights` to the
//! model, `save`/`save_weights` to the model's atomic writers,
//! `learning_rate`/`set_learning_rate` to the optimizer (an error when the
//! optimizer follows a schedule), and keeps the stop flag.

mod csv_logger;
mod early_stopping;
mod event_file;
mod format;
mod learning_rate_scheduler;
mod logs;
mod model;
mod model_checkpoint;
mod monitor;
mod reduce_lr_on_plateau;
mod tensorboard;

pub use csv_logger::CSVLogger;
pub use early_stopping::EarlyStopping;
pub use learning_rate_scheduler::LearningRateScheduler;
pub use logs::Logs;
pub use model::{CallbackModel, DummyModel};
pub use model_checkpoint::ModelCheckpoint;
pub use reduce_lr_on_plateau::ReduceLROnPlateau;
pub use tensorboard::TensorBoard;

pub(crate) use format::{sci, typed};

use crate::error::Result;

/// Declares [`Callback`]'s hooks: each takes its own arguments, then the
/// logs and the model, and does nothing unless overridden.
macro_rules! callback_hooks {
    ($($(#[$doc:meta])* $hook:ident($($arg:ident: $ty:ty)?);)*) => {
        $(
            $(#[$doc])*
            fn $hook(
                &mut self,
                $($arg: $ty,)?
                logs: &mut Logs,
                model: &mut dyn CallbackModel,
            ) -> Result<()> {
                let _ = ($($arg,)? logs, model);
                Ok(())
            }
        )*
    };
}

/// Something `fit` calls during training, as Keras' `Callback`; every hook
/// does nothing unless overridden. `epoch` and `batch` are 0-based, as in
/// Keras. A hook may change `logs` (what History and later callbacks see),
/// ask the model to stop (`model.set_stop_training(true)`) or change its
/// weights and learning rate.
///
/// ```
/// use kerust::prelude::*;
/// use kerust::callbacks::{CallbackModel, Logs};
/// /// Stops as soon as the training loss is below a threshold.
/// struct StopBelow(f32);
/// impl Callback for StopBelow {
///     fn on_epoch_end(&mut self, epoch: usize, logs: &mut Logs, model: &mut dyn CallbackModel) -> kerust::Result<()> {
///         if logs.get("loss").is_some_and(|l| l < self.0) {
///             model.print_msg(&format!("Epoch {}: loss below {}", epoch + 1, self.0));
///             model.set_stop_training(true);
///         }
///         Ok(())
///     }
/// }
/// let mut model = callbacks::DummyModel::new(0.001);
/// StopBelow(0.1).on_epoch_end(4, &mut Logs::from([("loss", 0.05)]), &mut model)?;
/// assert!(model.stop_training());
/// # Ok::<(), kerust::Error>(())
/// ```
pub trait Callback: Send {
    callback_hooks! {
        /// Before the first epoch.
        on_train_begin();
        /// After the last epoch (also after an early stop).
        on_train_end();
        /// At the start of epoch `epoch`.
        on_epoch_begin(epoch: usize);
        /// At the end of epoch `epoch`, with its training and validation values.
        on_epoch_end(epoch: usize);
        /// Before batch `batch` of the current epoch.
        on_train_batch_begin(batch: usize);
        /// After batch `batch`, with the epoch's running values so far.
        on_train_batch_end(batch: usize);
    }
}
