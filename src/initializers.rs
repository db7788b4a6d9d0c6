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

/// Uniform in `[minval, maxval]`, as `keras.initializers.RandomUniform`
/// (its defaults, -0.05 and 0.05, are `Embedding`'s initializer).
///
/// ```
/// use kerust::initializers::random_uniform;
/// use rand::SeedableRng;
/// let w = random_uniform(&[3, 2], -0.05, 0.05, &mut kerust::random::Rng::seed_from_u64(0));
/// assert!(w.iter().all(|v| v.abs() <= 0.05));
/// ```
pub fn random_uniform(shape: &[usize], minval: f32, maxval: f32, rng: &mut Rng) -> ArrayD<f32> {
    ArrayD::from_shape_simple_fn(shape, || rng.random_range(minval..=maxval))
}
