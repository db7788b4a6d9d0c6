//! `Reshape`: gives each sample a new shape with as many values.

use super::{cfg, check_alloc, Base, Layer};
use crate::error::{Error, Result};
use crate::random::Rng;
use serde_json::json;

/// Reshapes every sample to `target_shape`, as `keras.layers.Reshape`; one
/// entry may be `-1`, computed from the others.
///
/// ```
/// use kerust::prelude::*;
/// let mut model = Sequential::new();
/// model.add(Reshape::new([28, 28, 1]).input_shape([784]))?;
/// model.add(Reshape::new([-1, 4]))?;
/// assert_eq!(model.layer(0).output_shape(), &[28, 28, 1]);
/// assert_eq!(model.layer(1).output_shape(), &[196, 4]);
/// # Ok::<(), kerust::Error>(())
/// ```
#[derive(Clone)]
pub struct Reshape {
    pub(super) base: Base,
    target_shape: Vec<i64>,
}

impl Reshape {
    /// A layer reshaping each sample to `target_shape` (without the batch axis).
    pub fn new<const N: usize>(target_shape: [i64; N]) -> Self {
        Self::with_base(Base::new("reshape"), target_shape.to_vec())
    }
    fn with_base(base: Base, target_shape: Vec<i64>) -> Self {
        Reshape { base, target_shape }
    }
    pub(crate) fn from_config(c: &serde_json::Value) -> Result<Self> {
        Ok(Self::with_base(
            Base::from_config(c)?,
            cfg(c, "target_shape")?,
        ))
    }
    /// The output shape for `size` values per sample, or why there is none.
    fn resolve(&self, input_shape: &[usize], size: usize) -> Result<Vec<usize>> {
        let target = format!(
            "({})",
            self.target_shape
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        );
        let bad = |why: &str| {
            Error::value(format!(
                "layer {}: cannot reshape input {} ({size} values per sample) to {target}: {why}",
                self.base.name,
                crate::shape::keras_shape(input_shape)
            ))
        };
        let unknown: Vec<usize> = (0..self.target_shape.len())
            .filter(|&i| self.target_shape[i] == -1)
            .collect();
        if unknown.len() > 1 {
            return Err(bad("only one entry may be -1"));
        }
        if self.target_shape.iter().any(|&d| d < -1 || d == 0) {
            return Err(bad("every entry must be positive or -1"));
        }
        let mut dims: Vec<usize> = self
            .target_shape
            .iter()
            .map(|&d| usize::try_from(d).unwrap_or(1))
            .collect();
        let known = crate::shape::checked_size(&dims).ok_or_else(|| bad("too large"))?;
        if let Some(&i) = unknown.first() {
            if known == 0 || !size.is_multiple_of(known) {
                return Err(bad("the sizes do not divide"));
            }
            dims[i] = size / known;
        } else if known != size {
            return Err(bad("the sizes differ"));
        }
        Ok(dims)
    }
}

impl Layer for Reshape {
    fn build(&mut self, input_shape: &[usize], _rng: &mut Rng) -> Result<Vec<usize>> {
        let size = check_alloc(&self.base.name, "input", input_shape)?;
        let out = self.resolve(input_shape, size)?;
        Ok(self.base.built(input_shape, out))
    }
    super::util::reshape_passes!();
    fn config(&self) -> serde_json::Value {
        json!({"name": self.base.name, "target_shape": self.target_shape})
    }
}
