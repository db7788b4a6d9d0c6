//! What the pooling layers share: for `MaxPooling2D` and
//! `AveragePooling2D` their Keras arguments (`pool_size`, `strides`,
//! `padding`) and the checks of `build`; for every pooling layer, the
//! [`Layer`](super::Layer) methods that hand the work to its `pool`.

use super::{batch_rows, cfg, Base, Spare, Team};
use crate::error::{Error, Result};
use crate::kernels::pool::PoolGeom;
use crate::kernels::{conv_out, is_same_padding};
use ndarray::ArrayD;
use serde_json::json;

/// The arguments of a 2-D pooling layer (strides default to the pool size).
#[derive(Debug, Clone)]
pub(super) struct Pool2D {
    pub pool_size: (usize, usize),
    pub strides: Option<(usize, usize)>,
    pub padding: String,
}

impl Pool2D {
    pub fn new(pool_size: (usize, usize)) -> Pool2D {
        Pool2D {
            pool_size,
            strides: None,
            padding: "valid".into(),
        }
    }
    pub fn from_config(c: &serde_json::Value) -> Result<Pool2D> {
        Ok(Pool2D {
            pool_size: cfg(c, "pool_size")?,
            strides: Some(cfg(c, "strides")?),
            padding: cfg(c, "padding")?,
        })
    }
    /// The geometry for `input_shape` `(h, w, c)` of layer `name`, or the
    /// error that says which argument does not fit.
    pub fn geom(&self, name: &str, input_shape: &[usize]) -> Result<PoolGeom> {
        let &[h, w, _] = input_shape else {
            return Err(Error::shape(format!(
                "layer {name} expects input of shape (None, height, width, channels) but got {}",
                crate::shape::keras_shape(input_shape)
            )));
        };
        let (ph, pw) = self.pool_size;
        let (sh, sw) = self.strides.unwrap_or(self.pool_size);
        if ph == 0 || pw == 0 || sh == 0 || sw == 0 {
            return Err(Error::value(format!(
                "layer {name}: pool_size and strides must be positive, got pool_size=({ph}, {pw}), strides=({sh}, {sw})"
            )));
        }
        let same = is_same_padding(name, &self.padding)?;
        if conv_out(h, ph, sh, same).is_none() || conv_out(w, pw, sw, same).is_none() {
            return Err(Error::shape(format!(
                "layer {name}: pool ({ph}, {pw}) is larger than the input {}",
                crate::shape::keras_shape(input_shape)
            )));
        }
        if h.saturating_mul(w) > u32::MAX as usize {
            return Err(Error::value(format!(
                "layer {name}: images of more than 2^32 pixels are not supported, got input {}",
                crate::shape::keras_shape(input_shape)
            )));
        }
        PoolGeom::new(input_shape, self.pool_size, (sh, sw), same)
            .ok_or_else(|| Error::internal(format!("layer {name}: pooling geometry")))
    }
    /// The config entries (strides resolved).
    pub fn config(&self, name: &str) -> serde_json::Value {
        json!({"name": name, "pool_size": self.pool_size,
               "strides": self.strides.unwrap_or(self.pool_size), "padding": self.padding})
    }
}

/// What `MaxPooling2D` and `AveragePooling2D` share: their arguments, the
/// geometry once built and the cache of the last training pass.
#[derive(Clone)]
pub(super) struct Windows {
    /// The Keras arguments (strides resolved once built).
    pub args: Pool2D,
    /// Maximum (true) or mean.
    max: bool,
    /// The sizes, once built.
    geom: Option<PoolGeom>,
    /// The batch size and (for the maximum) for each output the spatial
    /// index `iy * width + ix` of the input that won, of the last training pass.
    cache: Option<(usize, Vec<u32>)>,
    /// The input of the last training pass of max pooling, whose buffer
    /// the backward pass writes dL/d input into (no zeroed allocation).
    spare_in: Spare<f32>,
    /// The last outputs' and winners' buffers, for the next batch.
    spare_out: Spare<f32>,
    spare_arg: Spare<u32>,
}

impl Windows {
    pub fn new(args: Pool2D, max: bool) -> Windows {
        Windows {
            args,
            max,
            geom: None,
            cache: None,
            spare_in: Spare::default(),
            spare_out: Spare::default(),
            spare_arg: Spare::default(),
        }
    }
    fn geom(&self, base: &Base) -> Result<PoolGeom> {
        self.geom
            .ok_or_else(|| Error::internal(format!("layer {} is not built", base.name)))
    }
    pub fn build(&mut self, base: &mut Base, input_shape: &[usize]) -> Result<Vec<usize>> {
        let g = self.args.geom(&base.name, input_shape)?;
        self.geom = Some(g);
        self.args.strides = Some((g.sh, g.sw));
        Ok(base.built(input_shape, vec![g.oh, g.ow, g.c]))
    }
    pub fn forward(
        &mut self,
        base: &Base,
        x: ArrayD<f32>,
        training: bool,
        team: Team,
    ) -> Result<ArrayD<f32>> {
        self.clear();
        let g = self.geom(base)?;
        let (max, cache) = (self.max, &mut self.cache);
        let spares = (&mut self.spare_out, &mut self.spare_arg);
        let out = pool_rows(base, &x, |xsl, n| {
            let (out, arg) = if max {
                let len = n * g.oh * g.ow * g.c;
                let bufs = (
                    spares.0.take(len),
                    spares.1.take(if training { len } else { 0 }),
                );
                g.max_forward(team, xsl, n, training, bufs)
            } else {
                (g.avg_forward(xsl, n), Vec::new())
            };
            if training {
                *cache = Some((n, arg));
            }
            out
        })?;
        if training && max {
            self.spare_in.put(x.into_raw_vec_and_offset().0);
        }
        Ok(out)
    }
    pub fn backward(&mut self, base: &Base, grad: ArrayD<f32>, team: Team) -> Result<ArrayD<f32>> {
        let g = self.geom(base)?;
        let (n, arg) = self.cache.as_ref().ok_or_else(|| base.no_cache())?;
        let dx = unpool_rows(base, &grad, *n, |gsl| {
            if self.max {
                let spare = self.spare_in.take(*n * g.h * g.w * g.c);
                g.max_backward(team, gsl, arg, *n, spare)
            } else {
                g.avg_backward(gsl, *n)
            }
        })?;
        if self.max {
            // The gradient has the output's size: the next batch's output.
            self.spare_out.put(grad.into_raw_vec_and_offset().0);
        }
        Ok(dx)
    }
    pub fn clear(&mut self) {
        if let Some((_, arg)) = self.cache.take() {
            self.spare_arg.put(arg);
        }
        self.spare_in = Spare::default();
    }
    /// The config entries of layer `name` (strides resolved).
    pub fn config(&self, name: &str) -> serde_json::Value {
        self.args.config(name)
    }
}

/// Declares a 2-D pooling layer over windows: the doc comment, the type,
/// its default name and whether it takes the maximum (else the mean).
macro_rules! window_pooling_layer {
    ($(#[$doc:meta])* $layer:ident, $name:literal, max: $max:literal) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $layer {
            pub(super) base: $crate::layers::Base,
            pool: $crate::layers::pooling::Windows,
        }

        impl Default for $layer {
            #[doc = concat!("`", stringify!($layer), "()` in Keras: 2x2 windows.")]
            fn default() -> Self {
                Self::new(2)
            }
        }

        impl $layer {
            /// Pooling windows of `pool_size`: one integer (`2` for 2x2) or a pair `(height, width)`.
            pub fn new(pool_size: impl Into<$crate::layers::Size2>) -> Self {
                Self::with_base(
                    $crate::layers::Base::new($name),
                    $crate::layers::pooling::Pool2D::new(pool_size.into().pair()),
                )
            }
            fn with_base(base: $crate::layers::Base, args: $crate::layers::pooling::Pool2D) -> Self {
                $layer {
                    base,
                    pool: $crate::layers::pooling::Windows::new(args, $max),
                }
            }
            /// Sets the strides (default: the pool size): one integer or a pair.
            pub fn strides(mut self, strides: impl Into<$crate::layers::Size2>) -> Self {
                self.pool.args.strides = Some(strides.into().pair());
                self
            }
            /// Sets the padding, `"valid"` (default) or `"same"`.
            pub fn padding(mut self, padding: &str) -> Self {
                self.pool.args.padding = padding.to_string();
                self
            }
            pub(crate) fn from_config(c: &serde_json::Value) -> $crate::error::Result<Self> {
                Ok(Self::with_base(
                    $crate::layers::Base::from_config(c)?,
                    $crate::layers::pooling::Pool2D::from_config(c)?,
                ))
            }
        }

        impl $crate::layers::Layer for $layer {
            $crate::layers::pooling::pool_layer_methods!();
        }
    };
}
pub(super) use window_pooling_layer;

/// The forward pass of a pooling layer: `pool` maps the batch `x` as one
/// row-major slice and its size to the outputs, in `base.output_shape`.
pub(super) fn pool_rows(
    base: &Base,
    x: &ArrayD<f32>,
    pool: impl FnOnce(&[f32], usize) -> Vec<f32>,
) -> Result<ArrayD<f32>> {
    let (xs, out_shape) = batch_rows(x, base)?;
    let n = out_shape[0];
    let xsl = xs.as_slice().ok_or_else(|| base.wrong_input(x.shape()))?;
    let out = pool(xsl, n);
    ArrayD::from_shape_vec(out_shape, out)
        .map_err(|e| Error::internal(format!("layer {}: {e}", base.name)))
}

/// The backward pass of a pooling layer over a batch of `n`: `unpool`
/// maps the gradient `grad` as one row-major slice to the input's.
pub(super) fn unpool_rows(
    base: &Base,
    grad: &ArrayD<f32>,
    n: usize,
    unpool: impl FnOnce(&[f32]) -> Vec<f32>,
) -> Result<ArrayD<f32>> {
    if grad.shape() != base.batch_output(n) {
        return Err(base.wrong_input(grad.shape()));
    }
    let gs = grad.as_standard_layout();
    let gsl = gs
        .as_slice()
        .ok_or_else(|| base.wrong_input(grad.shape()))?;
    let dx = unpool(gsl);
    let mut in_shape = vec![n];
    in_shape.extend_from_slice(&base.input_shape);
    ArrayD::from_shape_vec(in_shape, dx)
        .map_err(|e| Error::internal(format!("layer {}: {e}", base.name)))
}

/// The [`Layer`](super::Layer) methods of a pooling layer with a `base:
/// Base` and a `pool` that has `build`, `forward`, `backward`, `clear`
/// and `config` (used inside its `impl Layer`).
macro_rules! pool_layer_methods {
    () => {
        fn build(
            &mut self,
            input_shape: &[usize],
            _rng: &mut $crate::random::Rng,
        ) -> $crate::error::Result<Vec<usize>> {
            self.pool.build(&mut self.base, input_shape)
        }
        fn try_forward(
            &mut self,
            x: ndarray::ArrayD<f32>,
            ctx: &mut $crate::layers::Ctx,
        ) -> $crate::error::Result<ndarray::ArrayD<f32>> {
            self.pool.forward(&self.base, x, ctx.training, ctx.team)
        }
        fn try_backward(
            &mut self,
            grad: ndarray::ArrayD<f32>,
            need_input_grad: bool,
            team: $crate::layers::Team,
        ) -> $crate::error::Result<Option<ndarray::ArrayD<f32>>> {
            if !need_input_grad {
                return Ok(None);
            }
            self.pool.backward(&self.base, grad, team).map(Some)
        }
        fn clear_cache(&mut self) {
            self.pool.clear();
        }
        fn config(&self) -> serde_json::Value {
            self.pool.config(&self.base.name)
        }
    };
}
pub(super) use pool_layer_methods;
