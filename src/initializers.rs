//! Weight initializers with Keras' defaults.

use crate::random::Rng;
use ndarray::ArrayD;
use rand::Rng as _;

/// Glorot (Xavier) uniform: U(-l, l) with l = sqrt(6 / (fan_in + fan_out)),
/// Keras' default kernel initializer.
pub fn glorot_uniform(
    shape: &[usize],
    fan_in: usize,
    fan_out: usize,
    rng: &mut Rng,
) -> ArrayD<f32> {
    let limit = (6.0 / (fan_in + fan_out).max(1) as f64).sqrt() as f32;
    ArrayD::from_shape_simple_fn(shape, || rng.random_range(-limit..=limit))
}

/// Zeros, Keras' default bias initializer.
pub fn zeros(shape: &[usize]) -> ArrayD<f32> {
    ArrayD::zeros(shape)
}
