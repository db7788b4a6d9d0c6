//! `BatchNormalization`: normalizes each feature with the batch's
//! statistics while training, with moving averages of them at inference.

use super::{cfg, Base, Ctx, Layer, Param, Team};
use crate::error::{Error, Result};
use crate::random::Rng;
use ndarray::{Array1, ArrayD};
use serde_json::json;

/// Batch normalization over the last axis, as
/// `keras.layers.BatchNormalization()` (momentum 0.99, epsilon 1e-3).
/// Training: `gamma * (x - mean) / sqrt(var + epsilon) + beta` with the
/// batch's mean and (biased) variance per feature, and after each step
/// `moving = moving * momentum + batch * (1 - momentum)`. Inference (and a
/// frozen layer, as Keras 3): the moving statistics instead. `gamma` and
/// `beta` are trainable, `moving_mean` and `moving_variance` not.
///
/// ```
/// use kerust::prelude::*;
/// let mut model = Sequential::new();
/// model.add(Dense::new(8).input_shape([4]))?;
/// model.add(BatchNormalization::new())?;
/// assert_eq!(model.layer(1).count_params(), 32);
/// assert_eq!(model.count_trainable_params(), 40 + 16);
/// # Ok::<(), kerust::Error>(())
/// ```
#[derive(Clone)]
pub struct BatchNormalization {
    pub(super) base: Base,
    momentum: f32,
    epsilon: f32,
    gamma: Param,
    beta: Param,
    moving_mean: Param,
    moving_variance: Param,
    /// Of the last training pass: the normalized input, `1 / sqrt(var + eps)`
    /// per feature, and the batch's mean and variance (for the moving averages).
    cache: Option<Cache>,
}

#[derive(Clone)]
struct Cache {
    xhat: Vec<f32>,
    inv_std: Vec<f32>,
    /// The batch statistics, or `None` when the moving ones were used.
    batch: Option<(Vec<f32>, Vec<f32>)>,
}

super::util::new_without_arguments!(BatchNormalization, "batch_normalization", "Keras' defaults: momentum 0.99, epsilon 0.001.");

impl BatchNormalization {
    fn with_base(base: Base) -> Self {
        BatchNormalization {
            base,
            momentum: 0.99,
            epsilon: 1e-3,
            gamma: Param::empty("gamma"),
            beta: Param::empty("beta"),
            moving_mean: Param::non_trainable("moving_mean", ArrayD::zeros(vec![0])),
            moving_variance: Param::non_trainable("moving_variance", ArrayD::zeros(vec![0])),
            cache: None,
        }
    }
    crate::builder::setters! {
        /// Sets the momentum of the moving averages (default 0.99).
        momentum(f32);
        /// Sets the epsilon added to the variance (default 0.001).
        epsilon(f32);
    }
    pub(crate) fn from_config(c: &serde_json::Value) -> Result<Self> {
        Ok(Self::with_base(Base::from_config(c)?)
            .momentum(cfg(c, "momentum")?)
            .epsilon(cfg(c, "epsilon")?))
    }
    fn vector(p: &Param) -> Vec<f32> {
        p.value().iter().copied().collect()
    }
}

impl Layer for BatchNormalization {
    fn build(&mut self, input_shape: &[usize], _rng: &mut Rng) -> Result<Vec<usize>> {
        let name = &self.base.name;
        let Some(&f) = input_shape.last() else {
            return Err(Error::shape(format!(
                "layer {name} expects input of shape (None, ..., features) but got {}",
                crate::shape::keras_shape(input_shape)
            )));
        };
        if !(0.0..=1.0).contains(&self.momentum) || self.epsilon.is_nan() || self.epsilon <= 0.0 {
            return Err(Error::value(format!(
                "layer {name}: momentum must be in [0, 1] and epsilon positive, got momentum={}, epsilon={}",
                self.momentum, self.epsilon
            )));
        }
        let v = |x: f32| Array1::from_elem(f, x).into_dyn();
        self.gamma = Param::new("gamma", v(1.0));
        self.beta = Param::new("beta", v(0.0));
        self.moving_mean = Param::non_trainable("moving_mean", v(0.0));
        self.moving_variance = Param::non_trainable("moving_variance", v(1.0));
        Ok(self.base.built(input_shape, input_shape.to_vec()))
    }
    fn params(&self) -> Vec<&Param> {
        vec![&self.gamma, &self.beta, &self.moving_mean, &self.moving_variance]
    }
    fn params_mut(&mut self) -> Vec<&mut Param> {
        vec![
            &mut self.gamma,
            &mut self.beta,
            &mut self.moving_mean,
            &mut self.moving_variance,
        ]
    }
    fn try_forward(&mut self, x: ArrayD<f32>, ctx: &mut Ctx) -> Result<ArrayD<f32>> {
        self.cache = None;
        if x.shape().get(1..) != Some(&self.base.input_shape[..]) {
            return Err(self.base.wrong_input(x.shape()));
        }
        let f = self.gamma.value().len();
        let mut y = super::standard(x);
        let s = y
            .as_slice_mut()
            .ok_or_else(|| Error::internal("batch_normalization: layout"))?;
        let rows = s.len() / f.max(1);
        // A frozen layer runs in inference mode, as in Keras 3.
        let batch_stats = ctx.training && self.base.trainable && rows > 0;
        let (mean, var) = if batch_stats {
            let mut mean = vec![0.0f64; f];
            for row in s.chunks_exact(f) {
                for (m, &v) in mean.iter_mut().zip(row) {
                    *m += f64::from(v);
                }
            }
            mean.iter_mut().for_each(|m| *m /= rows as f64);
            let mut var = vec![0.0f64; f];
            for row in s.chunks_exact(f) {
                for ((q, &v), m) in var.iter_mut().zip(row).zip(&mean) {
                    *q += (f64::from(v) - m).powi(2);
                }
            }
            var.iter_mut().for_each(|q| *q /= rows as f64);
            (
                mean.iter().map(|&m| m as f32).collect::<Vec<_>>(),
                var.iter().map(|&q| q as f32).collect::<Vec<_>>(),
            )
        } else {
            (Self::vector(&self.moving_mean), Self::vector(&self.moving_variance))
        };
        let inv_std: Vec<f32> = var.iter().map(|v| 1.0 / (v + self.epsilon).sqrt()).collect();
        let (gamma, beta) = (Self::vector(&self.gamma), Self::vector(&self.beta));
        let mut xhat = Vec::with_capacity(if ctx.training { s.len() } else { 0 });
        for row in s.chunks_exact_mut(f) {
            for (j, v) in row.iter_mut().enumerate() {
                let h = (*v - mean[j]) * inv_std[j];
                if ctx.training {
                    xhat.push(h);
                }
                *v = gamma[j] * h + beta[j];
            }
        }
        if ctx.training {
            self.cache = Some(Cache {
                xhat,
                inv_std,
                batch: batch_stats.then_some((mean, var)),
            });
        }
        Ok(y)
    }
    fn try_backward(
        &mut self,
        grad: ArrayD<f32>,
        need_input_grad: bool,
        _team: Team,
    ) -> Result<Option<ArrayD<f32>>> {
        let cache = self.cache.as_ref().ok_or_else(|| self.base.no_cache())?;
        if grad.len() != cache.xhat.len() || grad.shape().get(1..) != Some(&self.base.output_shape[..]) {
            return Err(self.base.wrong_input(grad.shape()));
        }
        let f = cache.inv_std.len();
        let g = super::standard(grad);
        let gs = g
            .as_slice()
            .ok_or_else(|| Error::internal("batch_normalization: layout"))?;
        let rows = gs.len() / f.max(1);
        let mut dgamma = vec![0.0f64; f];
        let mut dbeta = vec![0.0f64; f];
        for (grow, hrow) in gs.chunks_exact(f).zip(cache.xhat.chunks_exact(f)) {
            for j in 0..f {
                dgamma[j] += f64::from(grow[j] * hrow[j]);
                dbeta[j] += f64::from(grow[j]);
            }
        }
        let gamma = Self::vector(&self.gamma);
        let dx = need_input_grad.then(|| {
            let mut dx = Vec::with_capacity(gs.len());
            for (grow, hrow) in gs.chunks_exact(f).zip(cache.xhat.chunks_exact(f)) {
                for j in 0..f {
                    let k = gamma[j] * cache.inv_std[j];
                    dx.push(if cache.batch.is_some() {
                        let n = rows as f64;
                        let t = n * f64::from(grow[j]) - dbeta[j] - f64::from(hrow[j]) * dgamma[j];
                        (f64::from(k) * t / n) as f32
                    } else {
                        k * grow[j]
                    });
                }
            }
            dx
        });
        let store = |p: &mut Param, v: &[f64]| {
            let (_, pg) = p.value_and_grad_mut();
            for (d, &s) in pg.iter_mut().zip(v) {
                *d = s as f32;
            }
        };
        store(&mut self.gamma, &dgamma);
        store(&mut self.beta, &dbeta);
        match dx {
            Some(dx) => ArrayD::from_shape_vec(g.raw_dim(), dx)
                .map(Some)
                .map_err(|e| Error::internal(format!("layer {}: {e}", self.base.name))),
            None => Ok(None),
        }
    }
    fn apply_updates(&mut self) {
        let Some((mean, var)) = self.cache.as_ref().and_then(|c| c.batch.clone()) else {
            return;
        };
        let m = self.momentum;
        for (p, batch) in [(&mut self.moving_mean, mean), (&mut self.moving_variance, var)] {
            for (v, b) in p.value_mut().iter_mut().zip(batch) {
                *v = *v * m + b * (1.0 - m);
            }
        }
    }
    fn clear_cache(&mut self) {
        self.cache = None;
    }
    fn config(&self) -> serde_json::Value {
        json!({"name": self.base.name, "axis": -1, "momentum": self.momentum, "epsilon": self.epsilon})
    }
}
