//! The gradients of the losses: with respect to the logits of a sigmoid
//! or softmax output (the formulas Keras' TensorFlow backend uses) and
//! with respect to the predictions.

use super::{flat, on_squeezed, Loss, EPSILON};
use crate::activations::ActivationFn;
use crate::error::Result;
use ndarray::{ArrayD, ArrayViewD, Zip};

impl Loss {
    /// Mean loss and its gradient with respect to the logits `z`
    /// (see [`Loss::uses_logits`]); an error when the targets do not fit.
    pub fn value_and_grad_logits(
        self,
        y_true: ArrayViewD<f32>,
        z: ArrayViewD<f32>,
    ) -> Result<(f32, ArrayD<f32>)> {
        self.check("y_true", &y_true, z.shape())?;
        Ok(self.value_and_grad_logits_unchecked(y_true, z))
    }

    /// [`Loss::value_and_grad_logits`] on targets already checked.
    pub(crate) fn value_and_grad_logits_unchecked(
        self,
        y_true: ArrayViewD<f32>,
        z: ArrayViewD<f32>,
    ) -> (f32, ArrayD<f32>) {
        if let Some(squeezed) = on_squeezed(y_true.view(), &z, |t, zs| {
            self.value_and_grad_logits_unchecked(t, zs)
        }) {
            return squeezed;
        }
        let classes = z.shape().last().copied().unwrap_or(1).max(1);
        let zf = flat(&z);
        let t = flat(&y_true);
        let rows = zf.len() / classes;
        let mut grad = vec![0.0f32; zf.len()];
        let mut total = 0.0f64;
        let scale = 1.0 / rows.max(1) as f32;
        for r in 0..rows {
            let zr = &zf[r * classes..(r + 1) * classes];
            let gr = &mut grad[r * classes..(r + 1) * classes];
            match self {
                Loss::BinaryCrossentropy => {
                    // max(z, 0) - z*y + log(1 + exp(-|z|)), averaged over the last axis.
                    let tr = &t[r * classes..(r + 1) * classes];
                    let n = classes as f32;
                    let mut l = 0.0;
                    for ((g, &zv), &y) in gr.iter_mut().zip(zr).zip(tr) {
                        l += zv.max(0.0) - zv * y + (-zv.abs()).exp().ln_1p();
                        let s = ActivationFn::Sigmoid.scalar(zv);
                        *g = (s - y) / n * scale;
                    }
                    total += f64::from(l / n);
                }
                _ => {
                    let max = zr.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
                    let sum: f32 = zr.iter().map(|&v| (v - max).exp()).sum();
                    let log_sum = sum.ln();
                    let mut l = 0.0;
                    let target = |j: usize| {
                        if self == Loss::SparseCategoricalCrossentropy {
                            f32::from(u8::from(
                                t.get(r).copied().unwrap_or(-1.0) as isize == j as isize,
                            ))
                        } else {
                            t[r * classes + j]
                        }
                    };
                    // Soft targets need not sum to 1: d/dz = softmax * sum(y) - y.
                    let y_sum: f32 = (0..classes).map(target).sum();
                    for (j, (g, &zv)) in gr.iter_mut().zip(zr).enumerate() {
                        let log_p = zv - max - log_sum;
                        let y = target(j);
                        l -= y * log_p;
                        *g = (log_p.exp() * y_sum - y) * scale;
                    }
                    total += f64::from(l);
                }
            }
        }
        // `grad` holds z's values in row-major order, as `g` iterates.
        let mut g = ArrayD::zeros(z.raw_dim());
        for (gv, v) in g.iter_mut().zip(grad) {
            *gv = v;
        }
        ((total / rows.max(1) as f64) as f32, g)
    }

    /// Mean loss and its gradient with respect to the predictions; an
    /// error when the targets do not fit.
    pub fn value_and_grad(
        self,
        y_true: ArrayViewD<f32>,
        y_pred: ArrayViewD<f32>,
    ) -> Result<(f32, ArrayD<f32>)> {
        self.check("y_true", &y_true, y_pred.shape())?;
        Ok(self.value_and_grad_unchecked(y_true, y_pred))
    }

    /// [`Loss::value_and_grad`] on targets already checked.
    pub(crate) fn value_and_grad_unchecked(
        self,
        y_true: ArrayViewD<f32>,
        y_pred: ArrayViewD<f32>,
    ) -> (f32, ArrayD<f32>) {
        if let Some(squeezed) = on_squeezed(y_true.view(), &y_pred, |t, p| {
            self.value_and_grad_unchecked(t, p)
        }) {
            return squeezed;
        }
        let value = self.value_unchecked(y_true.view(), y_pred.view());
        let classes = y_pred.shape().last().copied().unwrap_or(1).max(1);
        let rows = (y_pred.len() / classes).max(1);
        let n = classes as f32;
        let scale = 1.0 / rows as f32;
        let mut grad = ArrayD::zeros(y_pred.shape());
        match self {
            Loss::SparseCategoricalCrossentropy => {
                let p = flat(&y_pred);
                let t = flat(&y_true);
                let g = grad.as_slice_mut().unwrap_or(&mut []);
                let inside = |v: f32| v > EPSILON && v < 1.0 - EPSILON;
                for r in 0..rows {
                    let pr = &p[r * classes..(r + 1) * classes];
                    let label = t.get(r).copied().unwrap_or(-1.0) as isize;
                    let sum: f32 = pr.iter().map(|&v| v.clamp(EPSILON, 1.0 - EPSILON)).sum();
                    for (k, &pk) in pr.iter().enumerate() {
                        let own = if label == k as isize { -1.0 / pk } else { 0.0 };
                        g[r * classes + k] = if inside(pk) {
                            (own + 1.0 / sum) * scale
                        } else {
                            0.0
                        };
                    }
                }
            }
            Loss::CategoricalCrossentropy => {
                let p = flat(&y_pred);
                let t = flat(&y_true);
                let g = grad.as_slice_mut().unwrap_or(&mut []);
                for r in 0..rows {
                    let pr = &p[r * classes..(r + 1) * classes];
                    let sum: f32 = pr.iter().sum();
                    let target = |j: usize| t[r * classes + j];
                    // L = -sum_j y_j log(clip(p_j / S)); dL/dp_k = -y_k/p_k·[unclipped] + sum_j y_j [unclipped_j] / S.
                    let mut common = 0.0;
                    for (j, &pj) in pr.iter().enumerate() {
                        let q = pj / sum;
                        if q > EPSILON && q < 1.0 - EPSILON {
                            common += target(j) / sum;
                        }
                    }
                    for (k, &pk) in pr.iter().enumerate() {
                        let q = pk / sum;
                        let own = if q > EPSILON && q < 1.0 - EPSILON {
                            -target(k) / pk
                        } else {
                            0.0
                        };
                        g[r * classes + k] = (own + common) * scale;
                    }
                }
            }
            _ => {
                let shape_t = y_true.broadcast(y_pred.raw_dim());
                let t = shape_t.unwrap_or_else(|| y_true.view());
                Zip::from(&mut grad)
                    .and(&t)
                    .and(&y_pred)
                    .for_each(|g, &y, &p| {
                        *g = scale / n
                            * match self {
                                Loss::MeanSquaredError => 2.0 * (p - y),
                                Loss::MeanAbsoluteError => {
                                    (p - y).signum() * f32::from(u8::from(p != y))
                                }
                                _ => {
                                    if p <= EPSILON || p >= 1.0 - EPSILON {
                                        0.0
                                    } else {
                                        -(y / p) + (1.0 - y) / (1.0 - p)
                                    }
                                }
                            }
                    });
            }
        }
        (value, grad)
    }
}
