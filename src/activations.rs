//! Activation functions, by Keras name (`"relu"`) or as values (`relu`).
//!
//! ```
//! use kerust::prelude::*;
//! let layer = Dense::new(2).activation(relu);
//! let same = Dense::new(2).activation("relu");
//! # let _ = (layer, same);
//! ```
#![allow(non_upper_case_globals)]

use crate::error::Result;
use crate::registry::{listed, lookup, name_of, Entry};
use ndarray::{ArrayD, ArrayViewD, Axis, Zip};

/// An activation function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivationFn {
    Linear,
    Relu,
    Sigmoid,
    Tanh,
    Softmax,
    Elu,
    Selu,
    Softplus,
    Softsign,
    LeakyRelu,
    Gelu,
    Swish,
}

/// `linear` (identity), as `keras.activations.linear`.
pub const linear: ActivationFn = ActivationFn::Linear;
/// `relu`, as `keras.activations.relu`.
pub const relu: ActivationFn = ActivationFn::Relu;
/// `sigmoid`, as `keras.activations.sigmoid`.
pub const sigmoid: ActivationFn = ActivationFn::Sigmoid;
/// `tanh`, as `keras.activations.tanh`.
pub const tanh: ActivationFn = ActivationFn::Tanh;
/// `softmax` over the last axis, as `keras.activations.softmax`.
pub const softmax: ActivationFn = ActivationFn::Softmax;
/// `elu` with alpha 1, as `keras.activations.elu`.
pub const elu: ActivationFn = ActivationFn::Elu;
/// `selu`, as `keras.activations.selu`.
pub const selu: ActivationFn = ActivationFn::Selu;
/// `softplus`, as `keras.activations.softplus`.
pub const softplus: ActivationFn = ActivationFn::Softplus;
/// `softsign`, as `keras.activations.softsign`.
pub const softsign: ActivationFn = ActivationFn::Softsign;
/// `leaky_relu` with negative slope 0.2, as `keras.activations.leaky_relu`.
pub const leaky_relu: ActivationFn = ActivationFn::LeakyRelu;
/// `gelu` (exact, erf form), as `keras.activations.gelu`.
pub const gelu: ActivationFn = ActivationFn::Gelu;
/// `swish` (`x * sigmoid(x)`, also `silu`), as `keras.activations.swish`.
pub const swish: ActivationFn = ActivationFn::Swish;

/// Every activation name (see `crate::registry`).
const NAMES: [Entry<ActivationFn>; 13] = [
    listed("linear", linear),
    listed("relu", relu),
    listed("sigmoid", sigmoid),
    listed("tanh", tanh),
    listed("softmax", softmax),
    listed("elu", elu),
    listed("selu", selu),
    listed("softplus", softplus),
    listed("softsign", softsign),
    listed("leaky_relu", leaky_relu),
    listed("gelu", gelu),
    listed("swish", swish),
    listed("silu", swish),
];

const SELU_ALPHA: f32 = 1.673_263_2;
const SELU_SCALE: f32 = 1.050_701;
const LEAKY_SLOPE: f32 = 0.2;

impl ActivationFn {
    /// Looks up a Keras activation name (`None` or `""` is linear).
    ///
    /// ```
    /// use kerust::activations::ActivationFn;
    /// assert_eq!(ActivationFn::from_name("relu").unwrap(), ActivationFn::Relu);
    /// assert!(ActivationFn::from_name("rleu").is_err());
    /// ```
    pub fn from_name(name: &str) -> Result<Self> {
        if name.is_empty() || name == "None" {
            return Ok(linear);
        }
        lookup(&NAMES, "activation", name).copied()
    }

    /// The Keras name.
    pub fn name(self) -> &'static str {
        // Every variant has a name in the table.
        name_of(&NAMES, &self).unwrap_or("linear")
    }

    /// Applies the activation to `z` in place (softmax over the last axis).
    pub fn apply(self, z: &mut ArrayD<f32>) {
        match self {
            ActivationFn::Linear => {}
            ActivationFn::Softmax => softmax_last_axis(z),
            // The hot case gets its own loop, which the compiler vectorizes.
            ActivationFn::Relu => match z.as_slice_memory_order_mut() {
                Some(s) => s.iter_mut().for_each(|v| *v = v.max(0.0)),
                None => z.mapv_inplace(|v| v.max(0.0)),
            },
            _ => {
                if let Some(s) = z.as_slice_memory_order_mut() {
                    for v in s.iter_mut() {
                        *v = self.scalar(*v);
                    }
                } else {
                    z.mapv_inplace(|v| self.scalar(v));
                }
            }
        }
    }

    /// The activation of one value (not for softmax).
    pub fn scalar(self, x: f32) -> f32 {
        match self {
            ActivationFn::Linear | ActivationFn::Softmax => x,
            ActivationFn::Relu => x.max(0.0),
            ActivationFn::Sigmoid => sigmoid_scalar(x),
            ActivationFn::Tanh => x.tanh(),
            ActivationFn::Elu => {
                if x > 0.0 {
                    x
                } else {
                    x.exp_m1()
                }
            }
            ActivationFn::Selu => {
                if x > 0.0 {
                    SELU_SCALE * x
                } else {
                    SELU_SCALE * SELU_ALPHA * x.exp_m1()
                }
            }
            ActivationFn::Softplus => softplus_scalar(x),
            ActivationFn::Softsign => x / (1.0 + x.abs()),
            ActivationFn::LeakyRelu => {
                if x >= 0.0 {
                    x
                } else {
                    LEAKY_SLOPE * x
                }
            }
            ActivationFn::Gelu => 0.5 * x * (1.0 + erf(x / std::f32::consts::SQRT_2)),
            ActivationFn::Swish => x * sigmoid_scalar(x),
        }
    }

    /// Turns `grad` (dL/d output) into dL/d input in place, given the
    /// pre-activation `z` and the output `y`.
    pub fn backward(self, z: ArrayViewD<f32>, y: ArrayViewD<f32>, grad: &mut ArrayD<f32>) {
        match self {
            ActivationFn::Linear => {}
            ActivationFn::Softmax => {
                // dz = y * (g - sum(g * y)) along the last axis.
                let last = Axis(grad.ndim() - 1);
                Zip::from(grad.lanes_mut(last))
                    .and(y.lanes(last))
                    .for_each(|mut g, y| {
                        let dot: f32 = g.iter().zip(y.iter()).map(|(a, b)| a * b).sum();
                        g.zip_mut_with(&y, |gi, &yi| *gi = yi * (*gi - dot));
                    });
            }
            ActivationFn::Relu => {
                if let (Some(g), Some(zs)) = (grad.as_slice_mut(), z.as_slice()) {
                    if g.len() == zs.len() {
                        for (g, &z) in g.iter_mut().zip(zs) {
                            *g = if z > 0.0 { *g } else { 0.0 };
                        }
                        return;
                    }
                }
                Zip::from(grad).and(&z).for_each(|g, &z| {
                    if z <= 0.0 {
                        *g = 0.0
                    }
                });
            }
            _ => {
                Zip::from(grad)
                    .and(&z)
                    .and(&y)
                    .for_each(|g, &z, &y| *g *= self.derivative(z, y));
            }
        }
    }

    /// d activation / d z at pre-activation `z` with output `y` (not softmax).
    pub fn derivative(self, z: f32, y: f32) -> f32 {
        match self {
            ActivationFn::Linear | ActivationFn::Softmax => 1.0,
            ActivationFn::Relu => f32::from(u8::from(z > 0.0)),
            ActivationFn::Sigmoid => y * (1.0 - y),
            ActivationFn::Tanh => 1.0 - y * y,
            ActivationFn::Elu => {
                if z > 0.0 {
                    1.0
                } else {
                    y + 1.0
                }
            }
            ActivationFn::Selu => {
                if z > 0.0 {
                    SELU_SCALE
                } else {
                    y + SELU_SCALE * SELU_ALPHA
                }
            }
            ActivationFn::Softplus => sigmoid_scalar(z),
            ActivationFn::Softsign => {
                let d = 1.0 + z.abs();
                1.0 / (d * d)
            }
            ActivationFn::LeakyRelu => {
                if z >= 0.0 {
                    1.0
                } else {
                    LEAKY_SLOPE
                }
            }
            ActivationFn::Gelu => {
                let cdf = 0.5 * (1.0 + erf(z / std::f32::consts::SQRT_2));
                let pdf = (-0.5 * z * z).exp() / (2.0 * std::f32::consts::PI).sqrt();
                cdf + z * pdf
            }
            ActivationFn::Swish => {
                let s = sigmoid_scalar(z);
                s + z * s * (1.0 - s)
            }
        }
    }
}

fn sigmoid_scalar(x: f32) -> f32 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

fn softplus_scalar(x: f32) -> f32 {
    // log(1 + e^x) without overflow.
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

/// Softmax over the last axis, in place, with the max subtracted first.
pub(crate) fn softmax_last_axis(z: &mut ArrayD<f32>) {
    let last = Axis(z.ndim().saturating_sub(1));
    for mut lane in z.lanes_mut(last) {
        let max = lane.fold(f32::NEG_INFINITY, |m, &v| m.max(v));
        let mut sum = 0.0;
        lane.mapv_inplace(|v| {
            let e = (v - max).exp();
            sum += e;
            e
        });
        lane.mapv_inplace(|v| v / sum);
    }
}

/// The error function, computed in f64 (Abramowitz-Stegun 7.1.26 is too
/// coarse for gelu's 1e-5 agreement, so this uses a series / continued fraction).
fn erf(x: f32) -> f32 {
    erf64(f64::from(x)) as f32
}

fn erf64(x: f64) -> f64 {
    let ax = x.abs();
    let r = if ax < 2.5 {
        // Taylor series: erf(x) = 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1)).
        let mut term = ax;
        let mut sum = ax;
        let x2 = ax * ax;
        let mut n = 0.0;
        while term.abs() > 1e-17 * sum.abs() {
            n += 1.0;
            term *= -x2 / n;
            sum += term / (2.0 * n + 1.0);
            if n > 200.0 {
                break;
            }
        }
        sum * 2.0 / std::f64::consts::PI.sqrt()
    } else {
        // Continued fraction for erfc.
        let mut f = 0.0;
        for k in (1..60).rev() {
            f = (k as f64 / 2.0) / (ax + f);
        }
        1.0 - (-ax * ax).exp() / std::f64::consts::PI.sqrt() / (ax + f)
    };
    if x < 0.0 {
        -r
    } else {
        r
    }
}

/// An activation given as a name or a value; names are checked when the
/// layer is added to a model.
#[derive(Debug, Clone, PartialEq)]
pub enum ActivationSpec {
    /// A Keras name such as `"relu"`.
    Name(String),
    /// A value such as `relu`.
    Fn(ActivationFn),
}

impl ActivationSpec {
    /// Resolves the name.
    pub fn resolve(&self) -> Result<ActivationFn> {
        match self {
            ActivationSpec::Name(n) => ActivationFn::from_name(n),
            ActivationSpec::Fn(f) => Ok(*f),
        }
    }

    /// The name a layer's config records: the Keras name (`"linear"` for
    /// `"None"`), or the name as given when it is not one.
    ///
    /// ```
    /// use kerust::activations::ActivationSpec;
    /// assert_eq!(ActivationSpec::from("None").name(), "linear");
    /// assert_eq!(ActivationSpec::from("rleu").name(), "rleu");
    /// ```
    pub fn name(&self) -> String {
        match (self, self.resolve()) {
            (_, Ok(activation)) => activation.name().to_string(),
            (ActivationSpec::Name(name), Err(_)) => name.clone(),
            (ActivationSpec::Fn(activation), Err(_)) => activation.name().to_string(),
        }
    }

    /// Resolves the name for the layer called `layer`, whose name the error carries.
    pub(crate) fn resolve_for(&self, layer: &str) -> Result<ActivationFn> {
        self.resolve()
            .map_err(|e| crate::Error::new(e.kind(), format!("layer {layer}: {}", e.message())))
    }
}

impl From<&str> for ActivationSpec {
    fn from(s: &str) -> Self {
        ActivationSpec::Name(s.to_string())
    }
}
impl From<String> for ActivationSpec {
    fn from(s: String) -> Self {
        ActivationSpec::Name(s)
    }
}
impl From<ActivationFn> for ActivationSpec {
    fn from(f: ActivationFn) -> Self {
        ActivationSpec::Fn(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn erf_matches_known_values() {
        assert!((erf64(0.5) - 0.520_499_877_813_046_5).abs() < 1e-12);
        assert!((erf64(3.0) - 0.999_977_909_503_001_4).abs() < 1e-12);
    }
}
