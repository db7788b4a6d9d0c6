//! Loss objects by Keras class name (`losses::SparseCategoricalCrossentropy::new().from_logits(true)`),
//! and [`LossFn`], the loss with its options that `compile` keeps and a
//! model file saves.

use super::Loss;
use crate::error::{Error, Result};
use crate::tensor::AsTensor;
use ndarray::{ArrayD, ArrayViewD};
use serde_json::{json, Value};

/// A loss with its options, as `compile` keeps it: the formula, whether the
/// predictions are logits (`from_logits`, cross-entropies only) and the
/// label smoothing (binary and categorical cross-entropy).
///
/// ```
/// use kerust::prelude::*;
/// use kerust::losses::{LossFn, IntoLoss};
/// let f: LossFn = losses::BinaryCrossentropy::new().from_logits(true).into_loss()?;
/// assert!(f.from_logits());
/// # Ok::<(), kerust::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LossFn {
    kind: Loss,
    from_logits: bool,
    label_smoothing: f32,
    /// Given as an object or a class name (saved as `{"class_name", "config"}`).
    object: bool,
}

impl LossFn {
    /// The loss a name stands for, without options.
    pub(crate) fn of(kind: Loss, object: bool) -> LossFn {
        LossFn {
            kind,
            from_logits: false,
            label_smoothing: 0.0,
            object,
        }
    }
    /// The formula.
    pub fn kind(&self) -> Loss {
        self.kind
    }
    /// Whether predictions are logits.
    pub fn from_logits(&self) -> bool {
        self.from_logits
    }
    /// The label smoothing factor (0 when none).
    pub fn label_smoothing(&self) -> f32 {
        self.label_smoothing
    }

    /// Checks the options (a factor in `[0, 1]`).
    pub(crate) fn check(self) -> Result<LossFn> {
        let ls = self.label_smoothing;
        if !(0.0..=1.0).contains(&ls) {
            return Err(Error::value(format!(
                "{}: label_smoothing must be a number from 0 to 1, got {ls}",
                self.kind.class_name()
            )));
        }
        Ok(self)
    }

    /// Targets after label smoothing, as Keras: `y * (1 - s) + s / classes`
    /// (categorical) or `y * (1 - s) + s / 2` (binary).
    pub(crate) fn smooth(&self, y: &ArrayD<f32>) -> ArrayD<f32> {
        let s = self.label_smoothing;
        if s == 0.0 {
            return y.clone();
        }
        let spread = match self.kind {
            Loss::CategoricalCrossentropy => y.shape().last().copied().unwrap_or(1).max(1) as f32,
            _ => 2.0,
        };
        y.mapv(|v| v * (1.0 - s) + s / spread)
    }

    /// The batch mean on targets and predictions already aligned (as
    /// Keras' `loss_fn(y_true, y_pred)`).
    pub(crate) fn value(&self, y_true: &ArrayD<f32>, y_pred: ArrayViewD<f32>) -> f32 {
        let y = self.smooth(y_true);
        if self.from_logits {
            self.kind
                .value_and_grad_logits_unchecked(y.view(), y_pred)
                .0
        } else {
            self.kind.value_unchecked(y.view(), y_pred)
        }
    }

    /// `loss_fn(y_true, y_pred)` for any arrays (non-generic body of
    /// the loss objects' `call`).
    pub(crate) fn call_any(&self, y_true: &dyn AsTensor, y_pred: &dyn AsTensor) -> Result<f32> {
        let name = self.kind.class_name();
        let p = y_pred.to_tensor();
        let t = y_true.to_tensor().into_owned();
        // Keras' loss objects first bring both to one rank.
        let (ts, ps) = super::same_rank(t.shape(), p.shape());
        let reshape = |a: ArrayViewD<f32>, s: Vec<usize>| {
            a.as_standard_layout()
                .into_owned()
                .into_shape_with_order(s)
                .map_err(|e| Error::internal(format!("{name}: {e}")))
        };
        let p = match p.ndim() == ps.len() {
            true => p,
            false => reshape(p.view(), ps)?.into(),
        };
        let t = reshape(t.view(), ts)?;
        if p.ndim() == 0 || p.is_empty() {
            return Err(Error::shape(format!(
                "{name}: y_pred must hold a batch of predictions, got shape {}",
                crate::shape::array_shape(p.shape())
            )));
        }
        if t.shape().first() != p.shape().first() {
            return Err(Error::shape(format!(
                "{name}: y_true and y_pred have different numbers of samples: shapes {} and {}",
                crate::shape::array_shape(t.shape()),
                crate::shape::array_shape(p.shape())
            )));
        }
        for (what, a) in [("y_true", t.view()), ("y_pred", p.view())] {
            if let Some(bad) = a.iter().find(|v| !v.is_finite()) {
                return Err(Error::value(format!(
                    "{name}: {what} contains {bad}: losses need finite numbers"
                )));
            }
        }
        self.kind.check("y_true", &t.view(), p.shape())?;
        let t = super::align_targets(self.kind, &t, p.shape());
        Ok(self.value(&t, p.view()))
    }

    /// What a model file stores: the name for a loss given by name, else
    /// `{"class_name": ..., "config": {...}}` as Keras' `get_config`.
    pub(crate) fn to_json(self) -> Value {
        if !self.object {
            return json!(self.kind.name());
        }
        let mut config = json!({"name": self.kind.long_name(), "reduction": "sum_over_batch_size"});
        if self.kind.has_logits() {
            config["from_logits"] = json!(self.from_logits);
        }
        if self.kind.has_label_smoothing() {
            config["label_smoothing"] = json!(self.label_smoothing);
        }
        json!({"class_name": self.kind.class_name(), "config": config})
    }

    /// Reads what [`LossFn::to_json`] wrote; an option the class does not
    /// have is an error.
    pub(crate) fn from_json(v: &Value) -> Result<LossFn> {
        if let Some(name) = v.as_str() {
            return Loss::from_name(name).map(|k| LossFn::of(k, false));
        }
        let class = v.get("class_name").and_then(Value::as_str).unwrap_or("");
        let kind = Loss::from_name(class)?;
        let mut f = LossFn::of(kind, true);
        let config = v.get("config").and_then(Value::as_object);
        for (key, value) in config.into_iter().flatten() {
            let bad = || {
                Error::value(format!(
                    "{class}: '{key}' must be {}, got {value}",
                    if key == "from_logits" {
                        "true or false"
                    } else {
                        "a number"
                    }
                ))
            };
            match key.as_str() {
                "name" | "reduction" | "ignore_class" | "dtype" | "axis" => {}
                "from_logits" if kind.has_logits() => {
                    f.from_logits = value.as_bool().ok_or_else(bad)?;
                }
                "label_smoothing" if kind.has_label_smoothing() => {
                    f.label_smoothing = value.as_f64().ok_or_else(bad)? as f32;
                }
                _ => return Err(Error::value(format!("{class} has no argument '{key}'"))),
            }
        }
        f.check()
    }
}

/// Something `compile` accepts as a loss: a name (`"mse"`, also Keras'
/// class names such as `"SparseCategoricalCrossentropy"`), a [`Loss`], or
/// a loss object (`losses::MeanSquaredError::new()`).
pub trait IntoLoss {
    /// Resolves the loss.
    fn into_loss(self) -> Result<LossFn>;
}
impl IntoLoss for &str {
    fn into_loss(self) -> Result<LossFn> {
        let kind = Loss::from_name(self)?;
        Ok(LossFn::of(kind, self == kind.class_name()))
    }
}
impl IntoLoss for String {
    fn into_loss(self) -> Result<LossFn> {
        self.as_str().into_loss()
    }
}
impl IntoLoss for &String {
    fn into_loss(self) -> Result<LossFn> {
        self.as_str().into_loss()
    }
}
impl IntoLoss for Loss {
    fn into_loss(self) -> Result<LossFn> {
        Ok(LossFn::of(self, false))
    }
}
impl IntoLoss for LossFn {
    fn into_loss(self) -> Result<LossFn> {
        self.check()
    }
}

/// Declares a loss class: the type, `new`, `Default`, `call` and `IntoLoss`.
macro_rules! loss_class {
    ($(#[$doc:meta])* $class:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub struct $class(LossFn);

        impl $class {
            /// The loss with Keras' defaults.
            pub fn new() -> Self {
                $class(LossFn::of(Loss::$class, true))
            }
            /// The batch mean of the loss, as Keras' `loss_fn(y_true, y_pred)`
            /// (reduction `sum_over_batch_size`); targets are checked
            /// against the predictions as `fit` checks them.
            pub fn call<T: AsTensor, P: AsTensor>(&self, y_true: &T, y_pred: &P) -> Result<f32> {
                self.0.call_any(y_true, y_pred)
            }
        }
        impl Default for $class {
            fn default() -> Self {
                Self::new()
            }
        }
        impl IntoLoss for $class {
            fn into_loss(self) -> Result<LossFn> {
                self.0.check()
            }
        }
        impl IntoLoss for &$class {
            fn into_loss(self) -> Result<LossFn> {
                self.0.check()
            }
        }
    };
}

/// Adds `from_logits` to a loss class.
macro_rules! with_logits {
    ($class:ident) => {
        impl $class {
            crate::builder::setters! {
                /// Whether `y_pred` holds logits (default false): Keras then
                /// applies log-softmax (sigmoid for binary) inside the loss.
                from_logits(bool) => 0.from_logits = from_logits;
            }
        }
    };
}

/// Adds `label_smoothing` to a loss class.
macro_rules! with_label_smoothing {
    ($class:ident) => {
        impl $class {
            crate::builder::setters! {
                /// Label smoothing in `[0, 1]` (default 0), as Keras: targets
                /// move toward the uniform distribution.
                label_smoothing(f32) => 0.label_smoothing = label_smoothing;
            }
        }
    };
}

loss_class!(
    /// `keras.losses.SparseCategoricalCrossentropy`: integer class targets.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let loss_fn = losses::SparseCategoricalCrossentropy::new().from_logits(true);
    /// let l = loss_fn.call(&array![1u8], &array![[0.0f32, 0.0, 0.0]])?;
    /// assert!((l - 3f32.ln()).abs() < 1e-6);
    /// # Ok::<(), kerust::Error>(())
    /// ```
    SparseCategoricalCrossentropy
);
with_logits!(SparseCategoricalCrossentropy);

loss_class!(
    /// `keras.losses.CategoricalCrossentropy`: one-hot (or soft) targets.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let loss_fn = losses::CategoricalCrossentropy::new().label_smoothing(0.1);
    /// let l = loss_fn.call(&array![[0.0f32, 1.0]], &array![[0.5f32, 0.5]])?;
    /// assert!((l - 2f32.ln()).abs() < 1e-6);
    /// # Ok::<(), kerust::Error>(())
    /// ```
    CategoricalCrossentropy
);
with_logits!(CategoricalCrossentropy);
with_label_smoothing!(CategoricalCrossentropy);

loss_class!(
    /// `keras.losses.BinaryCrossentropy`: 0/1 targets, mean over the last axis.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let loss_fn = losses::BinaryCrossentropy::new().from_logits(true);
    /// let l = loss_fn.call(&array![[1.0f32]], &array![[0.0f32]])?;
    /// assert!((l - 2f32.ln()).abs() < 1e-6);
    /// # Ok::<(), kerust::Error>(())
    /// ```
    BinaryCrossentropy
);
with_logits!(BinaryCrossentropy);
with_label_smoothing!(BinaryCrossentropy);

loss_class!(
    /// `keras.losses.MeanSquaredError`.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let l = losses::MeanSquaredError::new().call(&array![[1.0f32], [0.0]], &array![[0.0f32], [0.0]])?;
    /// assert_eq!(l, 0.5);
    /// # Ok::<(), kerust::Error>(())
    /// ```
    MeanSquaredError
);

loss_class!(
    /// `keras.losses.MeanAbsoluteError`.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let l = losses::MeanAbsoluteError::new().call(&array![2.0f32, 0.0], &array![[0.0f32], [0.0]])?;
    /// assert_eq!(l, 1.0);
    /// # Ok::<(), kerust::Error>(())
    /// ```
    MeanAbsoluteError
);
