//! What the global pooling layers (`GlobalAveragePooling1D`,
//! `GlobalAveragePooling2D`, `GlobalMaxPooling2D`) share: the reduction
//! over every axis but the channels, and the declaration of the layer type.

use super::pooling::{pool_rows, unpool_rows};
use super::{check_alloc, Base, Team};
use crate::error::{Error, Result};
use crate::kernels::pool::{global_backward, global_forward};
use ndarray::ArrayD;
use serde_json::json;

/// What the global pooling layers share: the mean or maximum over every
/// axis but the batch and the channels (the last), with its caches.
#[derive(Debug, Clone)]
pub(super) struct Global {
    /// Maximum (true) or mean.
    max: bool,
    /// The input's rank without the batch axis: 2 for 1-D, 3 for 2-D.
    rank: usize,
    /// `(steps, channels)` once built.
    dims: (usize, usize),
    /// The batch size and (for the maximum) the winners of the last training pass.
    cache: Option<(usize, Vec<usize>)>,
}

impl Global {
    pub fn new(max: bool, rank: usize) -> Global {
        Global {
            max,
            rank,
            dims: (0, 0),
            cache: None,
        }
    }
    pub fn build(&mut self, base: &mut Base, input_shape: &[usize]) -> Result<Vec<usize>> {
        let Some((&c, spatial)) = input_shape
            .split_last()
            .filter(|_| input_shape.len() == self.rank)
        else {
            let want = if self.rank == 2 {
                "(None, steps, features)"
            } else {
                "(None, height, width, channels)"
            };
            return Err(Error::shape(format!(
                "layer {} expects input of shape {want} but got {}",
                base.name,
                crate::shape::keras_shape(input_shape)
            )));
        };
        let steps = check_alloc(&base.name, "input", input_shape)? / c.max(1);
        if spatial.contains(&0) {
            return Err(Error::shape(format!(
                "layer {}: cannot pool over an empty input {}",
                base.name,
                crate::shape::keras_shape(input_shape)
            )));
        }
        self.dims = (steps, c);
        Ok(base.built(input_shape, vec![c]))
    }
    pub fn forward(
        &mut self,
        base: &Base,
        x: ArrayD<f32>,
        training: bool,
        _team: Team,
    ) -> Result<ArrayD<f32>> {
        self.cache = None;
        let (steps, c) = self.dims;
        let (max, cache) = (self.max, &mut self.cache);
        pool_rows(base, &x, |xsl, n| {
            let (out, arg) = global_forward(xsl, n, steps, c, max);
            if training {
                *cache = Some((n, arg));
            }
            out
        })
    }
    pub fn backward(&self, base: &Base, grad: ArrayD<f32>, _team: Team) -> Result<ArrayD<f32>> {
        let (n, arg) = self.cache.as_ref().ok_or_else(|| base.no_cache())?;
        let (steps, c) = self.dims;
        unpool_rows(base, &grad, *n, |gsl| {
            global_backward(gsl, *n, steps, c, self.max.then_some(&arg[..]))
        })
    }
    pub fn clear(&mut self) {
        self.cache = None;
    }
    /// The config entries of layer `name`.
    pub fn config(&self, name: &str) -> serde_json::Value {
        json!({"name": name, "data_format": "channels_last", "keepdims": false})
    }
}

/// Declares a global pooling layer: the doc comment, the type, its
/// default name, whether it takes the maximum (else the mean) and the
/// input's rank without the batch axis (2 for 1-D, 3 for 2-D).
macro_rules! global_pooling_layer {
    ($(#[$doc:meta])* $layer:ident, $name:literal, max: $max:literal, rank: $rank:literal) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $layer {
            pub(super) base: $crate::layers::Base,
            pool: $crate::layers::global_pooling::Global,
        }

        $crate::layers::util::new_without_arguments!(
            $layer,
            $name,
            concat!("A new ", stringify!($layer), " layer.")
        );

        impl $layer {
            fn with_base(base: $crate::layers::Base) -> Self {
                $layer {
                    base,
                    pool: $crate::layers::global_pooling::Global::new($max, $rank),
                }
            }
            pub(crate) fn from_config(c: &serde_json::Value) -> $crate::error::Result<Self> {
                Ok(Self::with_base($crate::layers::Base::from_config(c)?))
            }
        }

        impl $crate::layers::Layer for $layer {
            $crate::layers::pooling::pool_layer_methods!();
        }
    };
}
pub(super) use global_pooling_layer;
