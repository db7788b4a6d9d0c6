//! `AveragePooling2D`: the mean over each pooling window.

use super::pooling::Pool2D;
use super::{batch_rows, Base, Ctx, Layer, Size2, Team};
use crate::error::{Error, Result};
use crate::kernels::pool::PoolGeom;
use crate::random::Rng;
use ndarray::ArrayD;

/// Average pooling over `(height, width)`, as `keras.layers.AveragePooling2D`
/// (strides default to the pool size, valid padding; with 'same' padding
/// a border window averages only the pixels inside the image, as
/// TensorFlow does).
///
/// ```
/// use kerust::prelude::*;
/// let mut model = Sequential::new();
/// model.add(Conv2D::new(8, 3).input_shape([28, 28, 1]))?;
/// model.add(AveragePooling2D::new(2))?;
/// model.add(AveragePooling2D::new((3, 3)).strides(2).padding("same"))?;
/// assert_eq!(model.layer(1).output_shape(), &[13, 13, 8]);
/// assert_eq!(model.layer(2).output_shape(), &[7, 7, 8]);
/// # Ok::<(), kerust::Error>(())
/// ```
#[derive(Clone)]
pub struct AveragePooling2D {
    pub(super) base: Base,
    pool: Pool2D,
    /// The sizes, once built.
    geom: Option<PoolGeom>,
    /// The batch size of the last training pass.
    cache_n: Option<usize>,
}

impl Default for AveragePooling2D {
    /// `AveragePooling2D()` in Keras: 2x2 windows.
    fn default() -> Self {
        Self::new(2)
    }
}

impl AveragePooling2D {
    /// Pooling windows of `pool_size`: one integer (`2` for 2x2) or a pair `(height, width)`.
    pub fn new(pool_size: impl Into<Size2>) -> Self {
        Self::with_base(
            Base::new("average_pooling2d"),
            Pool2D::new(pool_size.into().pair()),
        )
    }
    fn with_base(base: Base, pool: Pool2D) -> Self {
        AveragePooling2D {
            base,
            pool,
            geom: None,
            cache_n: None,
        }
    }
    /// Sets the strides (default: the pool size): one integer or a pair.
    pub fn strides(mut self, strides: impl Into<Size2>) -> Self {
        self.pool.strides = Some(strides.into().pair());
        self
    }
    /// Sets the padding, `"valid"` (default) or `"same"`.
    pub fn padding(mut self, padding: &str) -> Self {
        self.pool.padding = padding.to_string();
        self
    }
    pub(crate) fn from_config(c: &serde_json::Value) -> Result<Self> {
        Ok(Self::with_base(
            Base::from_config(c)?,
            Pool2D::from_config(c)?,
        ))
    }
    fn geom(&self) -> Result<PoolGeom> {
        self.geom
            .ok_or_else(|| Error::internal(format!("layer {} is not built", self.base.name)))
    }
}

impl Layer for AveragePooling2D {
    fn build(&mut self, input_shape: &[usize], _rng: &mut Rng) -> Result<Vec<usize>> {
        let g = self.pool.geom(&self.base.name, input_shape)?;
        self.geom = Some(g);
        self.pool.strides = Some((g.sh, g.sw));
        Ok(self.base.built(input_shape, vec![g.oh, g.ow, g.c]))
    }
    fn try_forward(&mut self, x: ArrayD<f32>, ctx: &mut Ctx) -> Result<ArrayD<f32>> {
        self.cache_n = None;
        let g = self.geom()?;
        let (xs, out_shape) = batch_rows(&x, &self.base)?;
        let n = out_shape[0];
        let xsl = xs
            .as_slice()
            .ok_or_else(|| self.base.wrong_input(x.shape()))?;
        let out = g.avg_forward(xsl, n);
        if ctx.training {
            self.cache_n = Some(n);
        }
        ArrayD::from_shape_vec(out_shape, out)
            .map_err(|e| Error::internal(format!("layer {}: {e}", self.base.name)))
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
        let g = self.geom()?;
        let n = self.cache_n.ok_or_else(|| self.base.no_cache())?;
        if grad.shape() != self.base.batch_output(n) {
            return Err(self.base.wrong_input(grad.shape()));
        }
        let gs = grad.as_standard_layout();
        let gsl = gs
            .as_slice()
            .ok_or_else(|| self.base.wrong_input(grad.shape()))?;
        let dx = g.avg_backward(gsl, n);
        let mut in_shape = vec![n];
        in_shape.extend_from_slice(&self.base.input_shape);
        ArrayD::from_shape_vec(in_shape, dx)
            .map(Some)
            .map_err(|e| Error::internal(format!("layer {}: {e}", self.base.name)))
    }
    fn clear_cache(&mut self) {
        self.cache_n = None;
    }
    fn config(&self) -> serde_json::Value {
        self.pool.config(&self.base.name)
    }
}
