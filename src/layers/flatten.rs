//! `Flatten`: turns each sample into a vector.

use super::{check_alloc, Base, Layer};
use crate::error::Result;
use crate::random::Rng;
use serde_json::json;

/// Flattens every sample, as `keras.layers.Flatten`: `(None, 28, 28)`
/// becomes `(None, 784)`.
///
/// ```
/// use kerust::prelude::*;
/// let mut model = Sequential::new();
/// model.add(Flatten::new().input_shape([28, 28]))?;
/// assert_eq!(model.layer(0).output_shape(), &[784]);
/// # Ok::<(), kerust::Error>(())
/// ```
#[derive(Clone)]
pub struct Flatten {
    pub(super) base: Base,
}

super::util::new_without_arguments!(Flatten, "flatten", "A new Flatten layer.");

impl Flatten {
    fn with_base(base: Base) -> Self {
        Flatten { base }
    }
    pub(crate) fn from_config(c: &serde_json::Value) -> Result<Self> {
        Ok(Self::with_base(Base::from_config(c)?))
    }
}

impl Layer for Flatten {
    fn build(&mut self, input_shape: &[usize], _rng: &mut Rng) -> Result<Vec<usize>> {
        let size = check_alloc(&self.base.name, "input", input_shape)?;
        Ok(self.base.built(input_shape, vec![size]))
    }
    super::util::reshape_passes!();
    fn config(&self) -> serde_json::Value {
        json!({"name": self.base.name})
    }
}
