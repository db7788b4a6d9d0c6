//! `Dense`: a fully connected layer, `y = activation(x · kernel + bias)`.

use super::{cfg, check_alloc, standard, Ctx, Layer, Team};
use crate::activations::{ActivationFn, ActivationSpec};
use crate::error::{Error, Result};
use crate::initializers::glorot_uniform;
use crate::naming::unique_name;
use crate::random::Rng;
use ndarray::{Array1, Array2, ArrayD, ArrayViewD, Axis, Ix2};
use serde_json::json;

/// A densely connected layer, as `keras.layers.Dense`: the kernel has
/// shape `(inputs, units)`, the bias `(units,)`.
///
/// ```
/// use kerust::prelude::*;
/// let mut model = Sequential::new();
/// model.add(Dense::new(10).input_shape([2]).activation("relu"))?;
/// model.add(Dense::new(1))?;
/// assert_eq!(model.count_params(), 41);
/// # Ok::<(), kerust::Error>(())
/// ```
#[derive(Clone)]
pub struct Dense {
    name: String,
    units: usize,
    spec: ActivationSpec,
    activation: ActivationFn,
    use_bias: bool,
    declared: Option<Vec<usize>>,
    input_shape: Vec<usize>,
    output_shape: Vec<usize>,
    kernel: Array2<f32>,
    bias: Array1<f32>,
    kernel_grad: Array2<f32>,
    bias_grad: Array1<f32>,
    cache_x: Option<Array2<f32>>,
    cache_z: Option<ArrayD<f32>>,
    cache_y: Option<ArrayD<f32>>,
}

impl Dense {
    /// A layer of `units` neurons, linear, with a bias.
    pub fn new(units: usize) -> Self {
        Dense {
            name: unique_name("dense"),
            units,
            spec: ActivationSpec::Fn(ActivationFn::Linear),
            activation: ActivationFn::Linear,
            use_bias: true,
            declared: None,
            input_shape: Vec::new(),
            output_shape: Vec::new(),
            kernel: Array2::zeros((0, 0)),
            bias: Array1::zeros(0),
            kernel_grad: Array2::zeros((0, 0)),
            bias_grad: Array1::zeros(0),
            cache_x: None,
            cache_z: None,
            cache_y: None,
        }
    }
    /// Sets the activation, by name (`"relu"`) or value (`relu`).
    pub fn activation(mut self, activation: impl Into<ActivationSpec>) -> Self {
        self.spec = activation.into();
        self
    }
    /// Declares the input shape (without the batch axis), for a model's first layer.
    pub fn input_shape<const N: usize>(mut self, shape: [usize; N]) -> Self {
        self.declared = Some(shape.to_vec());
        self
    }
    /// Whether the layer has a bias (default true).
    pub fn use_bias(mut self, use_bias: bool) -> Self {
        self.use_bias = use_bias;
        self
    }
    /// Renames the layer.
    pub fn named(mut self, name: &str) -> Self {
        self.name = name.to_string();
        self
    }
    /// The number of units.
    pub fn units(&self) -> usize {
        self.units
    }
    /// The resolved activation (linear before the layer is added to a model).
    pub fn activation_fn(&self) -> ActivationFn {
        self.activation
    }
    /// The kernel `(inputs, units)`.
    pub fn kernel(&self) -> &Array2<f32> {
        &self.kernel
    }
    /// The bias `(units,)` (empty without bias).
    pub fn bias(&self) -> &Array1<f32> {
        &self.bias
    }
    pub(crate) fn from_config(c: &serde_json::Value) -> Result<Self> {
        let mut d = Dense::new(cfg(c, "units")?);
        d.name = cfg(c, "name")?;
        d.spec = ActivationSpec::Name(cfg(c, "activation")?);
        d.use_bias = cfg(c, "use_bias")?;
        Ok(d)
    }
}

impl Layer for Dense {
    fn class_name(&self) -> &'static str {
        "Dense"
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn declared_input_shape(&self) -> Option<&[usize]> {
        self.declared.as_deref()
    }
    fn build(&mut self, input_shape: &[usize], rng: &mut Rng) -> Result<Vec<usize>> {
        let activation = self.spec.resolve_for(&self.name)?;
        if self.units == 0 {
            return Err(Error::value(format!(
                "layer {}: units must be a positive integer, got 0",
                self.name
            )));
        }
        let Some(&inputs) = input_shape.last() else {
            return Err(Error::shape(format!(
                "layer {} expects inputs with at least 1 dimension besides the batch, got shape (None,)",
                self.name
            )));
        };
        if inputs == 0 {
            return Err(Error::shape(format!(
                "layer {} got inputs of shape {} with a last dimension of 0",
                self.name,
                crate::shape::keras_shape(input_shape)
            )));
        }
        check_alloc(&self.name, "kernel", &[inputs, self.units])?;
        self.activation = activation;
        self.kernel = glorot_uniform(&[inputs, self.units], inputs, self.units, rng)
            .into_dimensionality::<Ix2>()
            .unwrap_or_else(|_| Array2::zeros((inputs, self.units)));
        self.bias = Array1::zeros(if self.use_bias { self.units } else { 0 });
        self.kernel_grad = Array2::zeros(self.kernel.raw_dim());
        self.bias_grad = Array1::zeros(self.bias.raw_dim());
        self.input_shape = input_shape.to_vec();
        let mut out = input_shape.to_vec();
        if let Some(last) = out.last_mut() {
            *last = self.units;
        }
        self.output_shape = out.clone();
        Ok(out)
    }
    fn input_shape(&self) -> &[usize] {
        &self.input_shape
    }
    fn output_shape(&self) -> &[usize] {
        &self.output_shape
    }
    fn weights(&self) -> Vec<ArrayViewD<'_, f32>> {
        let mut w = vec![self.kernel.view().into_dyn()];
        if self.use_bias {
            w.push(self.bias.view().into_dyn());
        }
        w
    }
    fn set_weights(&mut self, weights: &[ArrayD<f32>]) {
        if let Some(k) = weights.first() {
            if let Ok(k) = k.clone().into_dimensionality::<Ix2>() {
                self.kernel = k.as_standard_layout().into_owned();
            }
        }
        if let Some(b) = weights.get(1) {
            if let Ok(b) = b.clone().into_dimensionality() {
                self.bias = b;
            }
        }
    }
    fn weights_and_grads(&mut self) -> Vec<(&mut [f32], &[f32])> {
        let mut out = Vec::new();
        if let (Some(k), Some(g)) = (self.kernel.as_slice_mut(), self.kernel_grad.as_slice()) {
            out.push((k, g));
        }
        if self.use_bias {
            if let (Some(b), Some(g)) = (self.bias.as_slice_mut(), self.bias_grad.as_slice()) {
                out.push((b, g));
            }
        }
        out
    }
    fn forward(&mut self, x: &ArrayD<f32>, ctx: &mut Ctx) -> ArrayD<f32> {
        self.forward_owned(x.clone(), ctx)
    }
    fn forward_owned(&mut self, x: ArrayD<f32>, ctx: &mut Ctx) -> ArrayD<f32> {
        let inputs = self.kernel.nrows();
        let rows = x.len() / inputs.max(1);
        // z starts as the bias on every row; the product is added to it,
        // so the bias costs no separate pass.
        let mut z = if self.use_bias {
            let b = self.bias.view().insert_axis(Axis(0));
            b.broadcast((rows, self.units))
                .map(|v| v.to_owned())
                .unwrap_or_else(|| Array2::zeros((rows, self.units)))
        } else {
            Array2::zeros((rows, self.units))
        };
        let mut shape = x.shape().to_vec();
        // A row-major input is used (and kept for training) as it is.
        let x = standard(x);
        // The model checked x's shape, so the rows hold `inputs` values each.
        let Ok(x2) = x.into_shape_with_order((rows, inputs)) else {
            return ArrayD::zeros(vec![0, self.units]);
        };
        crate::parallel::gemm(
            ctx.team,
            1.0,
            &x2.view(),
            &self.kernel.view(),
            1.0,
            &mut z.view_mut(),
        );
        if let Some(last) = shape.last_mut() {
            *last = self.units;
        }
        // z is row-major (made by zeros/broadcast), so the reshape holds.
        let mut z = z
            .into_dyn()
            .into_shape_with_order(shape.clone())
            .unwrap_or_else(|_| ArrayD::zeros(shape));
        if ctx.training {
            self.cache_x = Some(x2);
        }
        match self.activation {
            ActivationFn::Linear => {
                self.cache_z = None;
                self.cache_y = None;
                z
            }
            // relu's derivative needs only y > 0, which is z > 0.
            ActivationFn::Relu => {
                self.cache_z = ctx.training.then(|| z.clone());
                self.activation.apply(&mut z);
                self.cache_y = ctx.training.then(|| z.clone());
                z
            }
            act => {
                let mut y = z.clone();
                act.apply(&mut y);
                let keep_z =
                    ctx.training || matches!(act, ActivationFn::Softmax | ActivationFn::Sigmoid);
                self.cache_z = keep_z.then_some(z);
                self.cache_y = ctx.training.then(|| y.clone());
                y
            }
        }
    }
    fn backward(
        &mut self,
        mut grad: ArrayD<f32>,
        need_input_grad: bool,
        team: Team,
    ) -> Option<ArrayD<f32>> {
        match (self.activation, &self.cache_z, &self.cache_y) {
            (ActivationFn::Relu, _, Some(y)) => {
                self.activation.backward(y.view(), y.view(), &mut grad)
            }
            (_, Some(z), Some(y)) => self.activation.backward(z.view(), y.view(), &mut grad),
            _ => {}
        }
        self.backward_from_logits(grad, need_input_grad, team)
    }
    fn output_activation(&self) -> Option<ActivationFn> {
        Some(self.activation)
    }
    fn logits(&self) -> Option<&ArrayD<f32>> {
        self.cache_z.as_ref()
    }
    fn backward_from_logits(
        &mut self,
        grad: ArrayD<f32>,
        need_input_grad: bool,
        team: Team,
    ) -> Option<ArrayD<f32>> {
        let x = self.cache_x.as_ref()?;
        let in_shape = grad.shape().to_vec();
        let rows = grad.len() / self.units.max(1);
        let g2 = standard(grad)
            .into_shape_with_order((rows, self.units))
            .ok()?;
        crate::parallel::gemm(
            team,
            1.0,
            &x.t(),
            &g2.view(),
            0.0,
            &mut self.kernel_grad.view_mut(),
        );
        if self.use_bias {
            self.bias_grad.assign(&g2.sum_axis(Axis(0)));
        }
        if !need_input_grad {
            return None;
        }
        let mut dx = Array2::zeros((rows, self.kernel.nrows()));
        crate::parallel::gemm(
            team,
            1.0,
            &g2.view(),
            &self.kernel.t(),
            0.0,
            &mut dx.view_mut(),
        );
        let mut shape = in_shape;
        if let Some(last) = shape.last_mut() {
            *last = self.kernel.nrows();
        }
        dx.into_dyn().into_shape_with_order(shape).ok()
    }
    fn config(&self) -> serde_json::Value {
        json!({"name": self.name, "units": self.units, "activation": self.spec.name(), "use_bias": self.use_bias})
    }
    fn box_clone(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }
    fn clear_cache(&mut self) {
        self.cache_x = None;
        self.cache_y = None;
        self.cache_z = None;
    }
}
