//! `LayerRef`: a handle on one layer of a model, from `model.layer(i)` or
//! `model.get_layer(name)`.

use crate::error::{Error, Result};
use crate::layers::{count_params, Layer};
use ndarray::{Array1, Array2, ArrayD, Ix1, Ix2};

/// A handle on one layer of a model, from [`Graph::layer`] or [`Graph::get_layer`].
#[derive(Clone, Copy)]
pub struct LayerRef<'a> {
    pub(crate) layer: Option<&'a dyn Layer>,
    pub(crate) what: &'a str,
    pub(crate) index: usize,
    pub(crate) count: usize,
}

impl<'a> LayerRef<'a> {
    fn get(&self) -> Result<&'a dyn Layer> {
        self.layer.ok_or_else(|| {
            Error::value(format!(
                "no layer {} in this model: it has {} layers (indices 0 to {})",
                if self.what.is_empty() {
                    self.index.to_string()
                } else {
                    format!("named '{}'", self.what)
                },
                self.count,
                self.count.saturating_sub(1)
            ))
        })
    }
    /// The layer itself.
    pub fn layer(&self) -> Result<&'a dyn Layer> {
        self.get()
    }
    /// The layer's name, or `""` when there is no such layer.
    pub fn name(&self) -> &'a str {
        self.layer.map(|l| l.name()).unwrap_or("")
    }
    /// The layer's output shape (no batch axis), or `[]` when there is no such layer.
    pub fn output_shape(&self) -> &'a [usize] {
        self.layer.map(|l| l.output_shape()).unwrap_or(&[])
    }
    /// The number of weights, 0 when there is no such layer.
    pub fn count_params(&self) -> usize {
        self.layer.map(count_params).unwrap_or(0)
    }
    /// The layer's weights in Keras order.
    pub fn get_weights(&self) -> Result<Vec<ArrayD<f32>>> {
        Ok(self.get()?.weights().iter().map(|w| w.to_owned()).collect())
    }
    /// A dense layer's kernel `(inputs, units)` and bias `(units,)`, so that
    /// the layer computes `x.dot(&a) + &b` before its activation.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let mut model = Sequential::new();
    /// model.add(Dense::new(1).input_shape([10]))?;
    /// let (a, b) = model.layer(0).kernel_and_bias()?;
    /// let x = Array2::<f32>::ones((2, 10));
    /// let by_hand = x.dot(&a) + &b;
    /// let predicted = model.predict(&x)?;
    /// assert!((by_hand[[1, 0]] - predicted[[1, 0]]).abs() < 1e-6);
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn kernel_and_bias(&self) -> Result<(Array2<f32>, Array1<f32>)> {
        let layer = self.get()?;
        let w = layer.weights();
        let err = || {
            Error::value(format!(
                "layer {} ({}) has no 2-D kernel and bias: kernel_and_bias is for Dense layers",
                layer.name(),
                layer.class_name()
            ))
        };
        let k = w
            .first()
            .ok_or_else(err)?
            .to_owned()
            .into_dimensionality::<Ix2>()
            .map_err(|_| err())?;
        let b = match w.get(1) {
            Some(b) => b
                .to_owned()
                .into_dimensionality::<Ix1>()
                .map_err(|_| err())?,
            None => Array1::zeros(k.ncols()),
        };
        Ok((k, b))
    }
}

impl std::fmt::Debug for LayerRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.layer {
            Some(l) => write!(f, "{} ({})", l.name(), l.class_name()),
            None => write!(f, "<no layer {}>", self.index),
        }
    }
}
