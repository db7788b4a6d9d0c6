//! `Fit`: the options of `fit`, with Keras' defaults.

use super::callbacks::CallbackList;
use crate::callbacks::Callback;
use crate::error::{Error, Result};
use crate::tensor::AsTensor;
use ndarray::ArrayD;
use std::sync::{Arc, Mutex};

/// Options of `fit`, with Keras' defaults: 1 epoch, batch size 32,
/// shuffled, one line per epoch.
///
/// ```
/// use kerust::prelude::*;
/// let opts = Fit::epochs(10).batch_size(1).shuffle(false).verbose(0);
/// # let _ = opts;
/// ```
#[derive(Debug, Clone)]
pub struct Fit {
    pub(crate) epochs: usize,
    pub(crate) batch_size: usize,
    pub(crate) shuffle: bool,
    pub(crate) verbose: u8,
    pub(crate) validation_data: Option<(ArrayD<f32>, ArrayD<f32>)>,
    pub(crate) validation_split: Option<f32>,
    pub(crate) callbacks: CallbackList,
}

impl Default for Fit {
    fn default() -> Self {
        Fit {
            epochs: 1,
            batch_size: 32,
            shuffle: true,
            verbose: 1,
            validation_data: None,
            validation_split: None,
            callbacks: CallbackList::default(),
        }
    }
}

impl Fit {
    /// Trains for `epochs` epochs, other options at their defaults.
    ///
    /// As in Keras, `Fit::epochs(0)` trains nothing (the data is still
    /// checked) and `fit` returns an empty History.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let mut model = Sequential::new();
    /// model.add(Dense::new(1).input_shape([1]))?;
    /// model.compile("sgd", "mse", NO_METRICS)?;
    /// let x = array![[0.0f32], [1.0]];
    /// let history = model.fit(&x, &x, Fit::epochs(0))?;
    /// assert!(history.epoch.is_empty());
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn epochs(epochs: usize) -> Self {
        Fit {
            epochs,
            ..Fit::default()
        }
    }
    crate::builder::setters! {
        /// Sets the number of samples per gradient step (default 32).
        batch_size(usize);
        /// Whether to shuffle the training samples before each epoch (default true).
        shuffle(bool);
        /// 0: silent; 1: one line per epoch (default); 2: the same with the
        /// time per step, as Keras 3's `verbose=2` (`469/469 - 1s - 2ms/step - loss: ...`).
        verbose(u8);
    }
    /// Data to evaluate on after each epoch (`val_loss`, `val_<metric>`).
    pub fn validation_data<X: AsTensor + ?Sized, Y: AsTensor + ?Sized>(
        mut self,
        x: &X,
        y: &Y,
    ) -> Self {
        self.validation_data = Some((x.to_tensor().into_owned(), y.to_tensor().into_owned()));
        self
    }
    /// Holds out the last samples (before shuffling) for validation, as
    /// Keras 3: the first `floor(n * (1 - fraction))` train, the rest
    /// validate (314 samples at 0.2: 251 and 63).
    pub fn validation_split(mut self, fraction: f32) -> Self {
        self.validation_split = Some(fraction);
        self
    }
    /// Adds a callback, called after those added before it and before
    /// Keras' own History and progress line, as `fit(callbacks=[...])`.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let mut model = Sequential::new();
    /// model.add(Dense::new(1).input_shape([1]))?;
    /// model.compile(SGD::new(0.1), "mse", NO_METRICS)?;
    /// let x = array![[0.0f32], [1.0], [2.0], [3.0], [4.0]];
    /// let stop = callbacks::EarlyStopping::new().monitor("loss").patience(2);
    /// let history = model.fit(&x, &x, Fit::epochs(500).verbose(0).callback(stop))?;
    /// assert!(history.epoch.len() < 500);
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn callback(self, callback: impl Callback + 'static) -> Self {
        self.callback_arc(Arc::new(Mutex::new(callback)))
    }
    fn callback_arc(mut self, callback: Arc<Mutex<dyn Callback>>) -> Self {
        self.callbacks.0.push(callback);
        self
    }
}

impl Fit {
    /// Checks the options that do not depend on the data.
    pub(crate) fn check(&self) -> Result<()> {
        if self.batch_size == 0 {
            return Err(Error::value(
                "fit: batch_size must be a positive integer, got 0",
            ));
        }
        if let Some(f) = self.validation_split {
            if !(f > 0.0 && f < 1.0) {
                return Err(Error::value(format!(
                    "fit: validation_split must be between 0 and 1 (exclusive), got {f}"
                )));
            }
        }
        if self.verbose > 2 {
            return Err(Error::value(format!(
                "fit: verbose must be 0 (silent), 1 or 2 (one line per epoch), got {}",
                self.verbose
            )));
        }
        Ok(())
    }
}
