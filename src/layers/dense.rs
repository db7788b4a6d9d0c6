//! `Dense`: a fully connected layer, `y = activation(x · kernel + bias)`.

use super::{cfg, check_alloc, standard, Base, Ctx, Fused, Layer, Param, Team};
use crate::activations::{ActivationFn, ActivationSpec};
use crate::error::{Error, Result};
use crate::initializers::glorot_uniform;
use crate::random::Rng;
use ndarray::{Array2, ArrayD, ArrayView2, ArrayViewD, ArrayViewMut2, Axis, Ix2};
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
    pub(super) base: Base,
    units: usize,
    fused: Fused,
    kernel: Param,
    bias: Option<Param>,
    /// The input of the last training pass, as rows.
    cache_x: Option<Array2<f32>>,
}

impl Dense {
    /// A layer of `units` neurons, linear, with a bias.
    pub fn new(units: usize) -> Self {
        Self::with_base(Base::new("dense"), units)
    }
    fn with_base(base: Base, units: usize) -> Self {
        Dense {
            base,
            units,
            fused: Fused::new(ActivationSpec::Fn(ActivationFn::Linear)),
            kernel: Param::empty("kernel"),
            bias: Some(Param::empty("bias")),
            cache_x: None,
        }
    }
    /// Sets the activation, by name (`"relu"`) or value (`relu`).
    pub fn activation(mut self, activation: impl Into<ActivationSpec>) -> Self {
        self.fused = Fused::new(activation.into());
        self
    }
    super::regularizer_builders!();
    /// The number of units.
    pub fn units(&self) -> usize {
        self.units
    }
    /// The resolved activation (linear before the layer is added to a model).
    pub fn activation_fn(&self) -> ActivationFn {
        self.fused.act()
    }
    /// The kernel `(inputs, units)` (empty before the layer is built).
    pub fn kernel(&self) -> ArrayViewD<'_, f32> {
        self.kernel.value()
    }
    /// The bias `(units,)`, if the layer has one.
    pub fn bias(&self) -> Option<ArrayViewD<'_, f32>> {
        self.bias.as_ref().map(Param::value)
    }
    pub(crate) fn from_config(c: &serde_json::Value) -> Result<Self> {
        Dense::with_base(Base::from_config(c)?, cfg(c, "units")?)
            .activation(ActivationSpec::Name(cfg(c, "activation")?))
            .use_bias(cfg(c, "use_bias")?)
            .regularizers_from_config(c)
    }
    /// The kernel as a matrix (it is always `(inputs, units)` once built).
    fn kernel2(&self) -> Result<ArrayView2<'_, f32>> {
        self.kernel
            .value()
            .into_dimensionality::<Ix2>()
            .map_err(|_| Error::internal(format!("layer {}: the kernel is not 2-D", self.base.name)))
    }
}

impl Layer for Dense {
    fn build(&mut self, input_shape: &[usize], rng: &mut Rng) -> Result<Vec<usize>> {
        let name = &self.base.name;
        let activation = self.fused.resolve(name)?;
        super::check_regularizers(name, &self.params())?;
        if self.units == 0 {
            return Err(Error::value(format!(
                "layer {name}: units must be a positive integer, got 0"
            )));
        }
        let Some((&inputs, rest)) = input_shape.split_last() else {
            return Err(Error::shape(format!(
                "layer {name} expects inputs with at least 1 dimension besides the batch, got shape (None,)"
            )));
        };
        if inputs == 0 {
            return Err(Error::shape(format!(
                "layer {name} got inputs of shape {} with a last dimension of 0",
                crate::shape::keras_shape(input_shape)
            )));
        }
        check_alloc(name, "kernel", &[inputs, self.units])?;
        self.fused.set(activation);
        self.kernel.init(glorot_uniform(
            &[inputs, self.units],
            inputs,
            self.units,
            rng,
        ));
        if let Some(b) = &mut self.bias {
            b.init(ArrayD::zeros(vec![self.units]));
        }
        let mut out = rest.to_vec();
        out.push(self.units);
        Ok(self.base.built(input_shape, out))
    }
    super::kernel_bias_activation!();
    fn try_forward(&mut self, x: ArrayD<f32>, ctx: &mut Ctx) -> Result<ArrayD<f32>> {
        if x.shape().get(1..) != Some(&self.base.input_shape[..]) {
            return Err(self.base.wrong_input(x.shape()));
        }
        let kernel = self.kernel2()?;
        let (inputs, units) = kernel.dim();
        let rows = x.len() / inputs;
        // z starts as the bias on every row; the product is added to it,
        // so the bias costs no separate pass.
        let mut z = match &self.bias {
            Some(b) => b
                .value()
                .insert_axis(Axis(0))
                .broadcast((rows, units))
                .map(|v| v.to_owned())
                .ok_or_else(|| Error::internal(format!("layer {}: bias shape", self.base.name)))?,
            None => Array2::zeros((rows, units)),
        };
        let mut shape = x.shape().to_vec();
        // A row-major input is used (and kept for training) as it is.
        let x2 = standard(x)
            .into_shape_with_order((rows, inputs))
            .map_err(|_| self.base.wrong_input(&shape))?;
        crate::kernels::gemm::gemm(ctx.team, 1.0, &x2.view(), &kernel, 1.0, &mut z.view_mut());
        if let Some(last) = shape.last_mut() {
            *last = units;
        }
        // z is row-major (made by zeros/broadcast), so the reshape holds.
        let z = z
            .into_dyn()
            .into_shape_with_order(shape)
            .map_err(|e| Error::internal(format!("layer {}: {e}", self.base.name)))?;
        self.cache_x = ctx.training.then_some(x2);
        Ok(self.fused.forward(z, ctx.training))
    }
    fn try_backward(
        &mut self,
        mut grad: ArrayD<f32>,
        need_input_grad: bool,
        team: Team,
    ) -> Result<Option<ArrayD<f32>>> {
        self.fused.backward(&mut grad, &self.base.name)?;
        self.try_backward_from_logits(grad, need_input_grad, team)
    }
    fn try_backward_from_logits(
        &mut self,
        grad: ArrayD<f32>,
        need_input_grad: bool,
        team: Team,
    ) -> Result<Option<ArrayD<f32>>> {
        let x = self.cache_x.as_ref().ok_or_else(|| self.base.no_cache())?;
        let mut shape = grad.shape().to_vec();
        let rows = x.nrows();
        let g2 = standard(grad)
            .into_shape_with_order((rows, self.units))
            .map_err(|_| self.base.wrong_input(&shape))?;
        let (kernel, kgrad) = self.kernel.value_and_grad_mut();
        let mut kgrad = kgrad
            .view_mut()
            .into_dimensionality::<Ix2>()
            .map_err(|_| Error::internal("the kernel gradient is not 2-D"))?;
        crate::kernels::gemm::gemm(team, 1.0, &x.t(), &g2.view(), 0.0, &mut kgrad);
        if let Some(b) = &mut self.bias {
            b.value_and_grad_mut().1.assign(&g2.sum_axis(Axis(0)));
        }
        if !need_input_grad {
            return Ok(None);
        }
        let kernel: ArrayView2<f32> = kernel
            .view()
            .into_dimensionality()
            .map_err(|_| Error::internal("the kernel is not 2-D"))?;
        let mut dx = Array2::zeros((rows, kernel.nrows()));
        let mut dxv: ArrayViewMut2<f32> = dx.view_mut();
        crate::kernels::gemm::gemm(team, 1.0, &g2.view(), &kernel.t(), 0.0, &mut dxv);
        if let Some(last) = shape.last_mut() {
            *last = kernel.nrows();
        }
        dx.into_dyn()
            .into_shape_with_order(shape)
            .map(Some)
            .map_err(|e| Error::internal(format!("layer {}: {e}", self.base.name)))
    }
    fn config(&self) -> serde_json::Value {
        let mut c = json!({"name": self.base.name, "units": self.units, "activation": self.fused.spec_name(), "use_bias": self.bias.is_some()});
        super::regularizers_config(&mut c, &self.kernel, self.bias.as_ref());
        c
    }
    fn clear_cache(&mut self) {
        self.cache_x = None;
        self.fused.clear();
    }
}
