//! ModelCheckpoint.

use super::format::{format_path, format_value, Arg};
use super::monitor::{monitor_setters, Monitor};
use super::{Callback, CallbackModel, Logs};
use crate::builder::setters;
use crate::error::{Error, Result};
use std::path::Path;

/// Saves the model or its weights during training, as
/// `keras.callbacks.ModelCheckpoint` (defaults: monitor `val_loss`,
/// verbose 0, save_best_only false, save_weights_only false, mode `auto`,
/// every epoch).
///
/// The file path is formatted as Python's `str.format` with `epoch`
/// (1-based), `batch` (with `save_freq`) and the logged values:
/// `"ckpt/cp-{epoch:04d}-{val_loss:.2f}.kerust"`. Missing directories are
/// made. As Keras requires `.keras` and `.weights.h5`, kerust requires
/// `.kerust` for models and `.weights.kerust` for `save_weights_only(true)`.
/// At verbose 1 it prints Keras' lines, `Epoch 1: saving model to ...`.
///
/// ```
/// use kerust::prelude::*;
/// let cp = callbacks::ModelCheckpoint::new("ckpt/cp-{epoch:04}.weights.kerust").save_weights_only(true);
/// # let _ = cp;
/// ```
#[derive(Debug, Clone)]
pub struct ModelCheckpoint {
    filepath: String,
    m: Monitor,
    verbose: u8,
    save_best_only: bool,
    save_weights_only: bool,
    save_freq: Option<usize>,
    batches_since_save: usize,
    last_batch: Option<usize>,
    current_epoch: usize,
}

impl ModelCheckpoint {
    /// Saves to `filepath` (a format template) with Keras' defaults.
    pub fn new(filepath: &str) -> Self {
        ModelCheckpoint {
            filepath: filepath.to_string(),
            m: Monitor::new("val_loss", "auto", 0.0),
            verbose: 0,
            save_best_only: false,
            save_weights_only: false,
            save_freq: None,
            batches_since_save: 0,
            last_batch: None,
            current_epoch: 0,
        }
    }
    monitor_setters!("`save_best_only` compares");
    setters! {
        /// 1 prints a line per save (default 0).
        verbose(u8);
        /// Saves only when the monitored value improved (default false).
        save_best_only(bool);
        /// Saves the weights only, as `save_weights` (default false).
        save_weights_only(bool);
        /// Saves every `batches` batches instead of every epoch (Keras'
        /// integer `save_freq`).
        save_freq(usize) => save_freq = Some(save_freq);
        /// A value the first save must beat (Keras' `initial_value_threshold`).
        initial_value_threshold(f32) => m.best = Some(initial_value_threshold);
    }

    fn save(
        &mut self,
        epoch: usize,
        batch: Option<usize>,
        logs: &Logs,
        model: &mut dyn CallbackModel,
    ) -> Result<()> {
        let mut ints = vec![("epoch", epoch as i64 + 1)];
        if let (Some(b), None) = (batch, logs.get("batch")) {
            ints.push(("batch", b as i64 + 1));
        }
        let path = format_path(&self.filepath, &ints, logs)?;
        if !self.should_save(epoch, logs, &path, model)? {
            return Ok(());
        }
        let p = Path::new(&path);
        if p.is_dir() {
            return Err(Error::io(format!(
                "Please specify a non-directory filepath for ModelCheckpoint. \
                 Filepath used is an existing directory: {path}"
            )));
        }
        if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                Error::io(format!(
                    "ModelCheckpoint could not make '{}': {e}",
                    dir.display()
                ))
            })?;
        }
        if self.save_weights_only {
            model.save_weights(p)?;
        } else {
            model.save(p)?;
        }
        if self.verbose > 0 {
            model.print_msg(&format!(
                "\nEpoch {}: finished saving model to {path}",
                epoch + 1
            ));
        }
        Ok(())
    }

    fn should_save(
        &mut self,
        epoch: usize,
        logs: &Logs,
        path: &str,
        model: &mut dyn CallbackModel,
    ) -> Result<bool> {
        let e = epoch + 1;
        if !self.save_best_only {
            if self.verbose > 0 {
                model.print_msg(&format!("\nEpoch {e}: saving model to {path}"));
            }
            return Ok(true);
        }
        let Some(current) = self.m.current(logs) else {
            eprintln!(
                "Warning: Can save best model only with {} available.",
                self.m.monitor
            );
            return Ok(true);
        };
        let five = |v: f32| {
            format_value(Arg::Float(f64::from(v)), ".5f")
                .map_err(|e| Error::internal(format!("ModelCheckpoint: {e}")))
        };
        let best = match self.m.best {
            Some(b) => five(b)?,
            None => "None".to_string(),
        };
        let monitor = &self.m.monitor;
        if self.m.is_improvement(current, self.m.best) {
            if self.verbose > 0 {
                model.print_msg(&format!(
                    "\nEpoch {e}: {monitor} improved from {best} to {}, saving model to {path}",
                    five(current)?
                ));
            }
            self.m.best = Some(current);
            Ok(true)
        } else {
            if self.verbose > 0 {
                model.print_msg(&format!(
                    "\nEpoch {e}: {monitor} did not improve from {best}"
                ));
            }
            Ok(false)
        }
    }
}

impl Callback for ModelCheckpoint {
    fn on_train_begin(&mut self, _logs: &mut Logs, _model: &mut dyn CallbackModel) -> Result<()> {
        let (ext, what) = if self.save_weights_only {
            (".weights.kerust", "When using `save_weights_only(true)` in `ModelCheckpoint`, the filepath provided must end in `.weights.kerust` (kerust's weights format, Keras' `.weights.h5`)")
        } else {
            (".kerust", "The filepath provided must end in `.kerust` (kerust's model format, Keras' `.keras`)")
        };
        if !self.filepath.ends_with(ext) {
            return Err(Error::value(format!(
                "{what}. Received: filepath={}",
                self.filepath
            )));
        }
        if self.save_freq == Some(0) {
            return Err(Error::value(
                "ModelCheckpoint: save_freq must be a number of batches >= 1; got 0",
            ));
        }
        self.batches_since_save = 0;
        self.last_batch = None;
        self.m.check("ModelCheckpoint")
    }

    fn on_epoch_begin(
        &mut self,
        epoch: usize,
        _: &mut Logs,
        _: &mut dyn CallbackModel,
    ) -> Result<()> {
        self.current_epoch = epoch;
        Ok(())
    }

    fn on_train_batch_end(
        &mut self,
        batch: usize,
        logs: &mut Logs,
        model: &mut dyn CallbackModel,
    ) -> Result<()> {
        let Some(freq) = self.save_freq else {
            return Ok(());
        };
        self.batches_since_save += match self.last_batch {
            Some(last) if batch > last => batch - last,
            _ => batch + 1,
        };
        self.last_batch = Some(batch);
        if self.batches_since_save >= freq {
            self.batches_since_save = 0;
            self.m.resolve("ModelCheckpoint")?;
            return self.save(self.current_epoch, Some(batch), logs, model);
        }
        Ok(())
    }

    fn on_epoch_end(
        &mut self,
        epoch: usize,
        logs: &mut Logs,
        model: &mut dyn CallbackModel,
    ) -> Result<()> {
        self.m.resolve("ModelCheckpoint")?;
        if self.save_freq.is_none() {
            self.save(epoch, None, logs, model)?;
        }
        Ok(())
    }
}
