//! TensorBoard.

use super::event_file::EventFile;
use super::{Callback, CallbackModel, Logs};
use crate::error::{Error, Result};
use std::path::PathBuf;

/// Writes TensorBoard event files, as `keras.callbacks.TensorBoard`:
/// per epoch, the scalars `epoch_loss`, `epoch_accuracy`, ... and
/// `epoch_learning_rate` in `<log_dir>/train`, and the validation values
/// (their `val_` dropped) in `<log_dir>/validation`, at step = epoch
/// (0-based). With `update_freq(n)` it also writes `batch_loss`, ... every
/// `n` batches at the global batch number. `tensorboard --logdir <log_dir>`
/// shows them.
///
/// Not written (Keras' other options): the model graph, weight histograms
/// and images, embeddings, profiles.
///
/// ```
/// use kerust::prelude::*;
/// let tb = callbacks::TensorBoard::new("logs/fit");
/// # let _ = tb;
/// ```
#[derive(Debug)]
pub struct TensorBoard {
    log_dir: PathBuf,
    update_freq: Option<usize>,
    train: Option<EventFile>,
    validation: Option<EventFile>,
    global_batch: usize,
}

impl TensorBoard {
    /// Writes under `log_dir` (Keras' default is `"logs"`).
    pub fn new(log_dir: &str) -> Self {
        TensorBoard {
            log_dir: PathBuf::from(log_dir),
            update_freq: None,
            train: None,
            validation: None,
            global_batch: 0,
        }
    }
    /// Also writes the batch logs every `batches` batches (Keras'
    /// `update_freq=n`; 1 is `"batch"`). Default: per epoch only.
    pub fn update_freq(mut self, batches: usize) -> Self {
        self.update_freq = Some(batches);
        self
    }

    fn writer(slot: &mut Option<EventFile>, dir: PathBuf) -> Result<&mut EventFile> {
        if slot.is_none() {
            *slot = Some(EventFile::create(&dir)?);
        }
        slot.as_mut()
            .ok_or_else(|| Error::state("TensorBoard: no event file"))
    }
}

impl Callback for TensorBoard {
    fn on_train_begin(&mut self, _: &mut Logs, _: &mut dyn CallbackModel) -> Result<()> {
        if self.update_freq == Some(0) {
            return Err(Error::value(
                "TensorBoard: update_freq must be a number of batches >= 1; got 0",
            ));
        }
        // Each fit writes new files, as Keras' writers are made per fit.
        self.train = None;
        self.validation = None;
        self.global_batch = 0;
        Ok(())
    }

    fn on_train_batch_begin(
        &mut self,
        _: usize,
        _: &mut Logs,
        _: &mut dyn CallbackModel,
    ) -> Result<()> {
        self.global_batch += 1;
        Ok(())
    }

    fn on_train_batch_end(
        &mut self,
        _: usize,
        logs: &mut Logs,
        _: &mut dyn CallbackModel,
    ) -> Result<()> {
        let Some(freq) = self.update_freq else {
            return Ok(());
        };
        if !self.global_batch.is_multiple_of(freq) || logs.is_empty() {
            return Ok(());
        }
        let w = Self::writer(&mut self.train, self.log_dir.join("train"))?;
        for (name, value) in logs.iter() {
            w.scalar(&format!("batch_{name}"), value, self.global_batch as i64)?;
        }
        w.flush()
    }

    fn on_epoch_end(
        &mut self,
        epoch: usize,
        logs: &mut Logs,
        model: &mut dyn CallbackModel,
    ) -> Result<()> {
        if logs.is_empty() {
            return Ok(());
        }
        let step = epoch as i64;
        let mut train: Vec<(String, f32)> = logs
            .iter()
            .filter(|(k, _)| !k.starts_with("val_"))
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        match train.iter_mut().find(|(k, _)| k == "learning_rate") {
            Some(e) => e.1 = model.learning_rate(),
            None => train.push(("learning_rate".to_string(), model.learning_rate())),
        }
        let w = Self::writer(&mut self.train, self.log_dir.join("train"))?;
        for (name, value) in &train {
            w.scalar(&format!("epoch_{name}"), *value, step)?;
        }
        w.flush()?;
        let val: Vec<(&str, f32)> = logs
            .iter()
            .filter_map(|(k, v)| k.strip_prefix("val_").map(|k| (k, v)))
            .collect();
        if !val.is_empty() {
            let w = Self::writer(&mut self.validation, self.log_dir.join("validation"))?;
            for (name, value) in val {
                w.scalar(&format!("epoch_{name}"), value, step)?;
            }
            w.flush()?;
        }
        Ok(())
    }

    fn on_train_end(&mut self, _: &mut Logs, _: &mut dyn CallbackModel) -> Result<()> {
        self.train = None;
        self.validation = None;
        Ok(())
    }
}
