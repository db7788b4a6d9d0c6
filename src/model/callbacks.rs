//! The loop's side of callbacks: the model being trained as a
//! [`CallbackModel`], the user's callbacks as `Fit` holds them, and
//! Keras' two built-in callbacks that come after them: the History
//! recorder and the progress lines ([`ProgressLine`]).

use super::graph::Graph;
use super::logs::{progress_line_with, Logs};
use super::History;
use crate::callbacks::{Callback, CallbackModel};
use crate::error::{Error, Result};
use ndarray::ArrayD;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

impl CallbackModel for Graph {
    fn get_weights(&self) -> Vec<ArrayD<f32>> {
        Graph::get_weights(self)
    }
    fn set_weights(&mut self, weights: &[ArrayD<f32>]) -> Result<()> {
        Graph::set_weights(self, weights)
    }
    fn save(&mut self, path: &Path) -> Result<()> {
        Graph::save(self, path)
    }
    fn save_weights(&mut self, path: &Path) -> Result<()> {
        Graph::save_weights(self, path)
    }
    fn learning_rate(&self) -> f32 {
        self.compiled
            .as_ref()
            .map_or(f32::NAN, |c| c.optimizer.learning_rate())
    }
    fn set_learning_rate(&mut self, lr: f32) -> Result<()> {
        if self
            .compiled
            .as_ref()
            .is_some_and(|c| c.optimizer.learning_rate_schedule())
        {
            return Err(Error::state(
                "this optimizer was created with a learning-rate schedule as its \
                 learning_rate, hence its learning rate is not settable",
            ));
        }
        Graph::set_learning_rate(self, lr)
    }
    fn stop_training(&self) -> bool {
        self.stop_training
    }
    fn set_stop_training(&mut self, stop: bool) {
        self.stop_training = stop;
    }
}

/// The callbacks given to `Fit::callback`, in order; shared when a `Fit`
/// is cloned, as the same Python objects would be.
#[derive(Clone, Default)]
pub(crate) struct CallbackList(pub Vec<Arc<Mutex<dyn Callback>>>);

impl std::fmt::Debug for CallbackList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{} callbacks]", self.0.len())
    }
}

/// Keras' History callback: records each epoch's logs after the user's
/// callbacks have run (so it sees `learning_rate`).
pub(crate) struct Recorder<'a>(pub &'a mut History);

impl Callback for Recorder<'_> {
    fn on_epoch_end(
        &mut self,
        epoch: usize,
        logs: &mut Logs,
        _: &mut dyn CallbackModel,
    ) -> Result<()> {
        self.0.epoch.push(epoch);
        for (k, v) in logs.iter() {
            self.0.push(k, v);
        }
        Ok(())
    }
}

/// Keras' progress output of `fit`: `Epoch 1/5`, then one line per epoch,
/// `1875/1875 - 2s - loss: ...` (verbose 1) or with the time per step,
/// `1875/1875 - 2s - 1ms/step - loss: ...` (verbose 2, Keras 3's).
pub(crate) struct ProgressLine {
    pub epochs: usize,
    pub steps: usize,
    pub verbose: u8,
    pub start: Option<Instant>,
    pub after_first: Option<Instant>,
}

impl Callback for ProgressLine {
    fn on_epoch_begin(
        &mut self,
        epoch: usize,
        _: &mut Logs,
        _: &mut dyn CallbackModel,
    ) -> Result<()> {
        self.start = Some(Instant::now());
        self.after_first = None;
        println!("Epoch {}/{}", epoch + 1, self.epochs);
        Ok(())
    }
    fn on_train_batch_end(
        &mut self,
        batch: usize,
        _: &mut Logs,
        _: &mut dyn CallbackModel,
    ) -> Result<()> {
        if batch == 0 {
            self.after_first = Some(Instant::now());
        }
        Ok(())
    }
    fn on_epoch_end(&mut self, _: usize, logs: &mut Logs, _: &mut dyn CallbackModel) -> Result<()> {
        let seconds = self.start.map_or(0.0, |s| s.elapsed().as_secs_f64());
        // Keras' estimate leaves the first step out when there are more.
        let per_step = match self.after_first {
            Some(t) if self.steps > 1 => t.elapsed().as_secs_f64() / (self.steps - 1) as f64,
            _ => seconds / self.steps.max(1) as f64,
        };
        let step = (self.verbose == 2).then_some(per_step);
        println!("{}", progress_line_with(self.steps, seconds, step, logs));
        Ok(())
    }
}

/// Calls `f` on each callback in order: the user's, then the loop's own;
/// the first error ends the call.
pub(crate) fn each(
    user: &CallbackList,
    own: &mut [&mut dyn Callback],
    mut f: impl FnMut(&mut dyn Callback) -> Result<()>,
) -> Result<()> {
    for c in &user.0 {
        let mut c = c.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut *c)?;
    }
    for c in own {
        f(&mut **c)?;
    }
    Ok(())
}
