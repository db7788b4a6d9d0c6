//! `History`: the per-epoch losses and metrics that `fit` returns.

/// What `fit` returns: per-epoch values by name (`loss`, `accuracy`,
/// `val_loss`, `val_accuracy`), in Keras' order.
///
/// ```
/// use kerust::prelude::*;
/// let mut model = Sequential::new();
/// model.add(Dense::new(1).input_shape([1]))?;
/// model.compile("sgd", "mse", NO_METRICS)?;
/// let x = array![[0.0f32], [1.0]];
/// let history = model.fit(&x, &x, Fit::epochs(2).verbose(0))?;
/// assert_eq!(history["loss"].len(), 2);
/// # Ok::<(), kerust::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// `(name, value per epoch)`, in the order Keras logs them.
    pub history: Vec<(String, Vec<f32>)>,
    /// The epochs run, counted from 0.
    pub epoch: Vec<usize>,
}

impl History {
    /// The values for `name`, if recorded.
    pub fn get(&self, name: &str) -> Option<&[f32]> {
        self.history
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }
    /// The names recorded, in order.
    pub fn keys(&self) -> Vec<&str> {
        self.history.iter().map(|(n, _)| n.as_str()).collect()
    }
    pub(crate) fn push(&mut self, name: &str, value: f32) {
        match self.history.iter_mut().find(|(n, _)| n == name) {
            Some((_, v)) => v.push(value),
            None => self.history.push((name.to_string(), vec![value])),
        }
    }
}

impl std::ops::Index<&str> for History {
    type Output = [f32];
    /// The values for `name`; an empty slice when not recorded.
    fn index(&self, name: &str) -> &[f32] {
        self.get(name).unwrap_or(&[])
    }
}
