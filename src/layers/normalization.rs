//! `Normalization`: shifts and scales each feature to mean 0 and variance 1
//! with statistics computed once from data (`adapt`) or given.

use super::{cfg, Base, Ctx, Layer, Param, Team};
use crate::error::{Error, Result};
use crate::random::Rng;
use crate::tensor::AsTensor;
use ndarray::{ArrayD, ArrayViewD, Axis, IxDyn};
use serde_json::json;

/// Keras' `backend.epsilon()`, the smallest standard deviation divided by.
const EPSILON: f32 = 1e-7;

/// Feature-wise normalization over the last axis, as
/// `keras.layers.Normalization()`: the output is
/// `(x - mean) / max(sqrt(variance), 1e-7)`. `adapt(&data)` computes each
/// feature's mean and population variance; the layer keeps them as
/// non-trainable weights `mean` and `variance`, next to a scalar `count`
/// that Keras 3 keeps at 0 (9 features: 19 parameters, all non-trainable).
///
/// ```
/// use kerust::prelude::*;
/// let data = array![[1.0f32, 10.0], [3.0, 30.0]];
/// let mut normalizer = Normalization::new();
/// normalizer.adapt(&data)?;                    // input shape (None, 2) from the data
/// let mut model = Sequential::new();
/// model.add(normalizer)?;
/// assert_eq!(model.predict(&data)?, array![[-1.0f32, -1.0], [1.0, 1.0]].into_dyn());
/// assert_eq!(model.count_params(), 5);
/// assert_eq!(model.count_trainable_params(), 0);
/// # Ok::<(), kerust::Error>(())
/// ```
#[derive(Clone)]
pub struct Normalization {
    pub(super) base: Base,
    /// `mean=` and `variance=` given to the constructor (no weights then, as Keras).
    given: Option<(Vec<f32>, Vec<f32>)>,
    /// What `adapt` computed before the layer was built: mean, variance, count.
    adapted: Option<(Vec<f32>, Vec<f32>, f32)>,
    mean: Param,
    variance: Param,
    count: Param,
    /// Whether the layer has its `mean`, `variance`, `count` weights.
    has_weights: bool,
}

super::util::new_without_arguments!(Normalization, "normalization", "A normalization of the last axis; call `adapt`, or give `mean` and `variance`.");

impl Normalization {
    fn with_base(base: Base) -> Self {
        Normalization {
            base,
            given: None,
            adapted: None,
            mean: Param::empty("mean"),
            variance: Param::empty("variance"),
            count: Param::empty("count"),
            has_weights: false,
        }
    }
    /// Sets each feature's mean (Keras' `mean=`); give `variance` too.
    pub fn mean(mut self, mean: &[f32]) -> Self {
        let variance = self.given.take().map(|g| g.1).unwrap_or_default();
        self.given = Some((mean.to_vec(), variance));
        self
    }
    /// Sets each feature's variance (Keras' `variance=`); give `mean` too.
    pub fn variance(mut self, variance: &[f32]) -> Self {
        let mean = self.given.take().map(|g| g.0).unwrap_or_default();
        self.given = Some((mean, variance.to_vec()));
        self
    }
    /// Computes each feature's mean and population variance from `data`
    /// (samples first, features on the last axis), as Keras' `adapt`; an
    /// unbuilt layer takes its input shape from the data.
    pub fn adapt<T: AsTensor + ?Sized>(&mut self, data: &T) -> Result<()> {
        self.adapt_array(data.to_tensor().view())
    }
    fn adapt_array(&mut self, data: ArrayViewD<f32>) -> Result<()> {
        let name = &self.base.name;
        let shape = data.shape();
        let (Some(&features), true) = (shape.last(), shape.len() >= 2) else {
            return Err(Error::shape(format!(
                "layer {name}: adapt expects data of shape (samples, ..., features) but got {}",
                crate::shape::array_shape(shape)
            )));
        };
        if self.given.is_some() {
            return Err(Error::state(format!(
                "layer {name}: adapt cannot change a mean and variance given to the layer"
            )));
        }
        let built = !self.base.input_shape.is_empty();
        let expected = if built {
            Some(self.base.input_shape.as_slice())
        } else {
            self.base.declared.as_deref()
        };
        if let Some(e) = expected.filter(|e| *e != &shape[1..]) {
            return Err(Error::shape(format!(
                "layer {name} expects input of shape {} but adapt got data of shape {}",
                crate::shape::keras_shape(e),
                crate::shape::array_shape(shape)
            )));
        }
        let rows = data.len() / features.max(1);
        if rows == 0 || features == 0 {
            return Err(Error::value(format!(
                "layer {name}: adapt needs at least one sample and one feature, got data of shape {}",
                crate::shape::array_shape(shape)
            )));
        }
        if let Some(v) = data.iter().find(|v| !v.is_finite()) {
            return Err(Error::value(format!(
                "layer {name}: adapt got a non-finite value ({v}) in its data"
            )));
        }
        let flat = data.to_shape((rows, features)).map_err(|e| {
            Error::internal(format!("layer {name}: adapt: {e}"))
        })?;
        let mut mean = vec![0.0f64; features];
        for row in flat.axis_iter(Axis(0)) {
            for (m, &v) in mean.iter_mut().zip(row) {
                *m += f64::from(v);
            }
        }
        mean.iter_mut().for_each(|m| *m /= rows as f64);
        let mut var = vec![0.0f64; features];
        for row in flat.axis_iter(Axis(0)) {
            for ((s, &v), m) in var.iter_mut().zip(row).zip(&mean) {
                *s += (f64::from(v) - m).powi(2);
            }
        }
        var.iter_mut().for_each(|s| *s /= rows as f64);
        let mean: Vec<f32> = mean.iter().map(|&m| m as f32).collect();
        let var: Vec<f32> = var.iter().map(|&v| v as f32).collect();
        if built {
            self.set_stats(&mean, &var, 0.0);
        } else {
            if self.base.declared.is_none() {
                self.base.declared = Some(shape[1..].to_vec());
            }
            self.adapted = Some((mean, var, 0.0));
        }
        Ok(())
    }
    fn set_stats(&mut self, mean: &[f32], var: &[f32], count: f32) {
        let vector = |v: &[f32]| ndarray::Array1::from(v.to_vec()).into_dyn();
        self.mean = Param::non_trainable("mean", vector(mean));
        self.variance = Param::non_trainable("variance", vector(var));
        self.count = Param::non_trainable("count", ArrayD::from_elem(IxDyn(&[]), count));
        self.has_weights = true;
    }
    pub(crate) fn from_config(c: &serde_json::Value) -> Result<Self> {
        let mut layer = Self::with_base(Base::from_config(c)?);
        if c.get("mean").is_some_and(|m| !m.is_null()) {
            let mean: Vec<f32> = cfg(c, "mean")?;
            let var: Vec<f32> = cfg(c, "variance")?;
            layer.given = Some((mean, var));
        }
        Ok(layer)
    }
    /// The mean and the divisor `max(sqrt(variance), epsilon)` per feature.
    fn stats(&self) -> (Vec<f32>, Vec<f32>) {
        let (mean, var): (Vec<f32>, Vec<f32>) = match &self.given {
            Some((m, v)) => (m.clone(), v.clone()),
            None => (self.mean.value().iter().copied().collect(), self.variance.value().iter().copied().collect()),
        };
        (mean, var.iter().map(|v| v.sqrt().max(EPSILON)).collect())
    }
}

impl Layer for Normalization {
    fn build(&mut self, input_shape: &[usize], _rng: &mut Rng) -> Result<Vec<usize>> {
        let name = &self.base.name;
        let Some(&features) = input_shape.last() else {
            return Err(Error::shape(format!(
                "layer {name} expects input of shape (None, ..., features) but got {}",
                crate::shape::keras_shape(input_shape)
            )));
        };
        if let Some((m, v)) = &self.given {
            if m.len() != features || v.len() != features {
                return Err(Error::value(format!(
                    "layer {name}: mean and variance need {features} values each (the input's last axis), got {} and {}",
                    m.len(),
                    v.len()
                )));
            }
        } else if let Some((m, _, _)) = self.adapted.as_ref().filter(|a| a.0.len() != features) {
            return Err(Error::shape(format!(
                "layer {name} was adapted to {} features but its input {} has {features}",
                m.len(),
                crate::shape::keras_shape(input_shape)
            )));
        }
        if self.given.is_none() {
            match self.adapted.take() {
                Some((m, v, n)) => self.set_stats(&m, &v, n),
                None if !self.has_weights || self.mean.value().len() != features => {
                    self.set_stats(&vec![0.0; features], &vec![1.0; features], 0.0)
                }
                None => {}
            }
        }
        Ok(self.base.built(input_shape, input_shape.to_vec()))
    }
    fn params(&self) -> Vec<&Param> {
        if self.has_weights {
            vec![&self.mean, &self.variance, &self.count]
        } else {
            Vec::new()
        }
    }
    fn params_mut(&mut self) -> Vec<&mut Param> {
        if self.has_weights {
            vec![&mut self.mean, &mut self.variance, &mut self.count]
        } else {
            Vec::new()
        }
    }
    fn try_forward(&mut self, x: ArrayD<f32>, _ctx: &mut Ctx) -> Result<ArrayD<f32>> {
        if x.shape().get(1..) != Some(&self.base.input_shape[..]) {
            return Err(self.base.wrong_input(x.shape()));
        }
        let (mean, div) = self.stats();
        let mut y = super::standard(x);
        let f = mean.len().max(1);
        let s = y
            .as_slice_mut()
            .ok_or_else(|| Error::internal("normalization: layout"))?;
        {
            for row in s.chunks_exact_mut(f) {
                for ((v, m), d) in row.iter_mut().zip(&mean).zip(&div) {
                    *v = (*v - m) / d;
                }
            }
        }
        Ok(y)
    }
    fn try_backward(
        &mut self,
        grad: ArrayD<f32>,
        need_input_grad: bool,
        _team: Team,
    ) -> Result<Option<ArrayD<f32>>> {
        if !need_input_grad {
            return Ok(None);
        }
        if grad.shape().get(1..) != Some(&self.base.output_shape[..]) {
            return Err(self.base.wrong_input(grad.shape()));
        }
        let (_, div) = self.stats();
        let mut g = super::standard(grad);
        let s = g
            .as_slice_mut()
            .ok_or_else(|| Error::internal("normalization: layout"))?;
        {
            for row in s.chunks_exact_mut(div.len().max(1)) {
                for (v, d) in row.iter_mut().zip(&div) {
                    *v /= d;
                }
            }
        }
        Ok(Some(g))
    }
    fn config(&self) -> serde_json::Value {
        match &self.given {
            Some((m, v)) => json!({"name": self.base.name, "axis": -1, "mean": m, "variance": v}),
            None => json!({"name": self.base.name, "axis": -1}),
        }
    }
}
