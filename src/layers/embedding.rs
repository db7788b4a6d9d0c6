//! `Embedding`: turns integer ids into dense vectors (a lookup table).

use super::{cfg, check_alloc, Base, Ctx, Layer, Param, Team};
use crate::error::{Error, Result};
use crate::initializers::random_uniform;
use crate::random::Rng;
use ndarray::ArrayD;
use serde_json::json;

/// A lookup table of `input_dim` vectors of `output_dim` values, as
/// `keras.layers.Embedding(input_dim, output_dim)`: each id `i` in the
/// input (an `f32` holding a whole number `0 <= i < input_dim`) becomes
/// row `i` of the `embeddings` weight, `(input_dim, output_dim)`,
/// initialized uniform in `[-0.05, 0.05]` as Keras does. An input
/// `(None, 256)` of word ids gives `(None, 256, output_dim)`.
///
/// Training with RMSprop, Adam or Adagrad can differ slightly from
/// TensorFlow-Keras when an id repeats within a batch: TensorFlow passes
/// the table's gradient as one slice per occurrence and squares each,
/// kerust's optimizers square the summed gradient (as Keras' JAX and
/// PyTorch backends do). SGD matches exactly.
///
/// ```
/// use kerust::prelude::*;
/// let mut model = Sequential::new();
/// model.add(Embedding::new(10000, 16).input_shape([256]))?;
/// model.add(GlobalAveragePooling1D::new())?;
/// assert_eq!(model.layer(0).output_shape(), &[256, 16]);
/// assert_eq!(model.count_params(), 160_000);
/// let ids = Array2::<f32>::from_elem((2, 256), 7.0);
/// assert_eq!(model.predict(&ids)?.shape(), &[2, 16]);
/// assert!(model.predict(&Array2::<f32>::from_elem((1, 256), 10000.0)).is_err());
/// # Ok::<(), kerust::Error>(())
/// ```
#[derive(Clone)]
pub struct Embedding {
    pub(super) base: Base,
    input_dim: usize,
    output_dim: usize,
    embeddings: Param,
    /// The ids of the last training pass.
    cache_ids: Option<Vec<usize>>,
}

impl Embedding {
    /// A table of `input_dim` ids (the vocabulary size) to vectors of `output_dim` values.
    pub fn new(input_dim: usize, output_dim: usize) -> Self {
        Self::with_base(Base::new("embedding"), input_dim, output_dim)
    }
    fn with_base(base: Base, input_dim: usize, output_dim: usize) -> Self {
        Embedding {
            base,
            input_dim,
            output_dim,
            embeddings: Param::empty("embeddings"),
            cache_ids: None,
        }
    }
    pub(crate) fn from_config(c: &serde_json::Value) -> Result<Self> {
        Ok(Self::with_base(
            Base::from_config(c)?,
            cfg(c, "input_dim")?,
            cfg(c, "output_dim")?,
        ))
    }
    /// The ids of a batch, or the error naming the first value that is
    /// not a whole number in `[0, input_dim)`.
    fn ids(&self, x: &ArrayD<f32>) -> Result<Vec<usize>> {
        x.iter()
            .enumerate()
            .map(|(i, &v)| {
                if v.fract() == 0.0 && v >= 0.0 && (v as f64) < self.input_dim as f64 {
                    Ok(v as usize)
                } else {
                    let why = if v.is_finite() && v.fract() == 0.0 {
                        "out of range"
                    } else {
                        "not a whole number"
                    };
                    Err(Error::value(format!(
                        "layer {} expects integer ids in [0, {}) but got {v} at flat position {i} of an input of shape {} ({why})",
                        self.base.name,
                        self.input_dim,
                        crate::shape::array_shape(x.shape())
                    )))
                }
            })
            .collect()
    }
}

impl Layer for Embedding {
    fn build(&mut self, input_shape: &[usize], rng: &mut Rng) -> Result<Vec<usize>> {
        let name = &self.base.name;
        if self.input_dim == 0 || self.output_dim == 0 {
            return Err(Error::value(format!(
                "layer {name}: input_dim and output_dim must be positive, got input_dim={}, output_dim={}",
                self.input_dim, self.output_dim
            )));
        }
        let table = [self.input_dim, self.output_dim];
        check_alloc(name, "embeddings", &table)?;
        let mut out = input_shape.to_vec();
        out.push(self.output_dim);
        check_alloc(name, "output", &out)?;
        self.embeddings = Param::new("embeddings", random_uniform(&table, -0.05, 0.05, rng));
        Ok(self.base.built(input_shape, out))
    }
    fn params(&self) -> Vec<&Param> {
        vec![&self.embeddings]
    }
    fn params_mut(&mut self) -> Vec<&mut Param> {
        vec![&mut self.embeddings]
    }
    fn try_forward(&mut self, x: ArrayD<f32>, ctx: &mut Ctx) -> Result<ArrayD<f32>> {
        self.cache_ids = None;
        let out_shape = match x.shape().split_first() {
            Some((&n, rest)) if rest == self.base.input_shape.as_slice() => {
                self.base.batch_output(n)
            }
            _ => return Err(self.base.wrong_input(x.shape())),
        };
        let ids = self.ids(&x)?;
        let table = self.embeddings.value();
        let table = table
            .as_slice()
            .ok_or_else(|| Error::internal("embedding: weight layout"))?;
        let d = self.output_dim;
        let mut y = Vec::with_capacity(ids.len() * d);
        for &i in &ids {
            y.extend_from_slice(&table[i * d..(i + 1) * d]);
        }
        if ctx.training {
            self.cache_ids = Some(ids);
        }
        ArrayD::from_shape_vec(out_shape, y)
            .map_err(|e| Error::internal(format!("layer {}: {e}", self.base.name)))
    }
    /// The gradient reaches the table rows that were looked up; ids have
    /// no gradient (Keras gives none), so dL/d input is all zeros.
    fn try_backward(
        &mut self,
        grad: ArrayD<f32>,
        need_input_grad: bool,
        _team: Team,
    ) -> Result<Option<ArrayD<f32>>> {
        let ids = self.cache_ids.as_ref().ok_or_else(|| self.base.no_cache())?;
        let d = self.output_dim;
        if grad.len() != ids.len() * d || grad.shape().last() != Some(&d) {
            return Err(self.base.wrong_input(grad.shape()));
        }
        let gs = grad.as_standard_layout();
        let gsl = gs
            .as_slice()
            .ok_or_else(|| self.base.wrong_input(grad.shape()))?;
        let (_, tgrad) = self.embeddings.value_and_grad_mut();
        let tg = tgrad
            .as_slice_mut()
            .ok_or_else(|| Error::internal("embedding: gradient layout"))?;
        tg.fill(0.0);
        for (&i, row) in ids.iter().zip(gsl.chunks_exact(d)) {
            super::super::kernels::add(&mut tg[i * d..(i + 1) * d], row);
        }
        if !need_input_grad {
            return Ok(None);
        }
        let mut in_shape = vec![grad.shape()[0]];
        in_shape.extend_from_slice(&self.base.input_shape);
        Ok(Some(ArrayD::zeros(in_shape)))
    }
    fn clear_cache(&mut self) {
        self.cache_ids = None;
    }
    fn config(&self) -> serde_json::Value {
        json!({"name": self.base.name, "input_dim": self.input_dim, "output_dim": self.output_dim})
    }
}
