//! CallbackModel: what a callback may do to the model being trained.

use crate::error::{Error, Result};
use ndarray::ArrayD;
use std::path::{Path, PathBuf};

/// The model as a callback sees it, Keras' `self.model` inside a callback:
/// its weights, its saving, its optimizer's learning rate, the
/// `stop_training` flag, and where messages go.
///
/// The training loop implements it for the model being fitted (see the
/// [module documentation](super) for what each method must do);
/// [`DummyModel`] implements it for driving callbacks by hand.
pub trait CallbackModel {
    /// All weights, in the model's order, as `model.get_weights()`.
    fn get_weights(&self) -> Vec<ArrayD<f32>>;
    /// Replaces all weights, as `model.set_weights(..)`; checks the shapes.
    fn set_weights(&mut self, weights: &[ArrayD<f32>]) -> Result<()>;
    /// Saves the whole model to `path` (atomically), as `model.save(path)`.
    fn save(&mut self, path: &Path) -> Result<()>;
    /// Saves only the weights to `path` (atomically), as `model.save_weights(path)`.
    fn save_weights(&mut self, path: &Path) -> Result<()>;
    /// The optimizer's current learning rate (a schedule's value at the
    /// current step), as `float(model.optimizer.learning_rate)`.
    fn learning_rate(&self) -> f32;
    /// Sets the optimizer's learning rate, as `model.optimizer.learning_rate = lr`;
    /// an error when the optimizer follows a schedule (Keras: "its learning
    /// rate is not settable") or when `lr` is not a finite number >= 0.
    fn set_learning_rate(&mut self, lr: f32) -> Result<()>;
    /// Whether training is to stop after this epoch (`model.stop_training`).
    fn stop_training(&self) -> bool;
    /// Asks the loop to stop after this epoch (`model.stop_training = True`).
    fn set_stop_training(&mut self, stop: bool);
    /// Shows a callback's message (Keras' `io_utils.print_msg`): one line,
    /// or a line after an empty line when `text` starts with `\n`.
    fn print_msg(&mut self, text: &str) {
        println!("{text}");
    }
}

/// A stand-in model for driving callbacks by hand: weights you set,
/// a learning rate, and a record of what the callbacks did (messages,
/// saved files, learning rates set).
///
/// ```
/// use kerust::callbacks::{Callback, CallbackModel, DummyModel, EarlyStopping, Logs};
/// let mut model = DummyModel::new(0.01);
/// let mut cb = EarlyStopping::new().patience(1).verbose(1);
/// cb.on_train_begin(&mut Logs::new(), &mut model)?;
/// for (epoch, val_loss) in [0.9f32, 0.8, 0.85, 0.86].into_iter().enumerate() {
///     cb.on_epoch_end(epoch, &mut Logs::from([("val_loss", val_loss)]), &mut model)?;
///     if model.stop_training() { break; }
/// }
/// cb.on_train_end(&mut Logs::new(), &mut model)?;
/// assert_eq!(model.messages, ["Epoch 3: early stopping"]);
/// # Ok::<(), kerust::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct DummyModel {
    /// The weights `get_weights` returns.
    pub weights: Vec<ArrayD<f32>>,
    /// The learning rate.
    pub learning_rate: f32,
    /// Whether `set_learning_rate` fails, as for an optimizer with a schedule.
    pub schedule: bool,
    /// The stop flag.
    pub stop: bool,
    /// Messages printed, in order (not echoed to stdout).
    pub messages: Vec<String>,
    /// `(path, weights_only)` of every save, in order; the file is written too.
    pub saved: Vec<(PathBuf, bool)>,
}

impl DummyModel {
    /// A model without weights and with `learning_rate`.
    pub fn new(learning_rate: f32) -> Self {
        DummyModel {
            learning_rate,
            ..Default::default()
        }
    }
    fn write(&self, path: &Path, what: &str) -> Result<()> {
        let text = format!("{what}: {:?}\n", self.weights);
        std::fs::write(path, text)
            .map_err(|e| Error::io(format!("could not save to '{}': {e}", path.display())))
    }
}

impl CallbackModel for DummyModel {
    fn get_weights(&self) -> Vec<ArrayD<f32>> {
        self.weights.clone()
    }
    fn set_weights(&mut self, weights: &[ArrayD<f32>]) -> Result<()> {
        if weights.len() != self.weights.len()
            || weights
                .iter()
                .zip(&self.weights)
                .any(|(a, b)| a.shape() != b.shape())
        {
            return Err(Error::shape(format!(
                "set_weights expects {} arrays of shapes {:?}; got {:?}",
                self.weights.len(),
                self.weights
                    .iter()
                    .map(|w| w.shape().to_vec())
                    .collect::<Vec<_>>(),
                weights
                    .iter()
                    .map(|w| w.shape().to_vec())
                    .collect::<Vec<_>>()
            )));
        }
        self.weights = weights.to_vec();
        Ok(())
    }
    fn save(&mut self, path: &Path) -> Result<()> {
        self.write(path, "model")?;
        self.saved.push((path.to_path_buf(), false));
        Ok(())
    }
    fn save_weights(&mut self, path: &Path) -> Result<()> {
        self.write(path, "weights")?;
        self.saved.push((path.to_path_buf(), true));
        Ok(())
    }
    fn learning_rate(&self) -> f32 {
        self.learning_rate
    }
    fn set_learning_rate(&mut self, lr: f32) -> Result<()> {
        if self.schedule {
            return Err(Error::state(
                "this optimizer was created with a learning-rate schedule as its \
                 learning_rate, hence its learning rate is not settable",
            ));
        }
        if !lr.is_finite() || lr < 0.0 {
            return Err(Error::value(format!(
                "the learning rate must be a finite number >= 0; got {lr}"
            )));
        }
        self.learning_rate = lr;
        Ok(())
    }
    fn stop_training(&self) -> bool {
        self.stop
    }
    fn set_stop_training(&mut self, stop: bool) {
        self.stop = stop;
    }
    fn print_msg(&mut self, text: &str) {
        self.messages.push(text.to_string());
    }
}
