//! A failing layer inside a model: the step that fails changes nothing.

use crate::error::{ErrorKind, Result};
use crate::layers::{Base, Ctx, Dense, Layer, Team};
use crate::model::Sequential;
use crate::optimizers::Adam;
use crate::random::Rng;
use ndarray::{array, ArrayD};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// The identity, whose backward pass fails once `fail` is set (a stand-in
/// for any broken invariant inside a layer).
#[derive(Debug, Clone)]
struct Failing {
    base: Base,
    fail: Arc<AtomicBool>,
}

crate::layers::layer_class!(Failing, "Failing");

impl Layer for Failing {
    fn build(&mut self, input_shape: &[usize], _rng: &mut Rng) -> Result<Vec<usize>> {
        Ok(self.base.built(input_shape, input_shape.to_vec()))
    }
    fn try_forward(&mut self, x: ArrayD<f32>, _ctx: &mut Ctx) -> Result<ArrayD<f32>> {
        Ok(x)
    }
    fn try_backward(
        &mut self,
        grad: ArrayD<f32>,
        need_input_grad: bool,
        _team: Team,
    ) -> Result<Option<ArrayD<f32>>> {
        if self.fail.load(Ordering::Relaxed) {
            return Err(crate::Error::internal("injected failure"));
        }
        Ok(need_input_grad.then_some(grad))
    }
    fn config(&self) -> serde_json::Value {
        serde_json::json!({"name": self.base.name})
    }
}

#[test]
fn a_failing_layer_leaves_weights_and_optimizer_state_unchanged() {
    let fail = Arc::new(AtomicBool::new(false));
    let mut model = Sequential::new();
    model.add(Dense::new(4).input_shape([3])).unwrap();
    let failing = Failing {
        base: Base::named("failing".into()),
        fail: fail.clone(),
    };
    model.add(failing).unwrap();
    model.add(Dense::new(2).activation("softmax")).unwrap();
    model
        .compile(
            Adam::new(0.01),
            "sparse_categorical_crossentropy",
            ["accuracy"],
        )
        .unwrap();
    let x = array![[0.1f32, 0.2, 0.3], [0.4, -0.5, 0.6]];
    let y = array![1u8, 0];
    // Two good steps: the optimizer has state, the gradients are not zero.
    model.train_on_batch(&x, &y).unwrap();
    model.train_on_batch(&x, &y).unwrap();
    let weights = model.get_weights();
    let state = model.optimizer().map(|o| o.state().clone());
    assert!(state
        .as_ref()
        .is_some_and(|s| s.iterations == 2 && !s.slots.is_empty()));
    fail.store(true, Ordering::Relaxed);
    let err = model.train_on_batch(&x, &y).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Internal, "{err}");
    assert!(err.message().contains("injected failure"), "{err}");
    assert_eq!(
        model.get_weights(),
        weights,
        "weights changed by a failed step"
    );
    assert_eq!(model.optimizer().map(|o| o.state().clone()), state);
    // fit reports it too, with the model as it was.
    let err = model
        .fit(&x, &y, crate::model::Fit::epochs(2).verbose(0))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Internal, "{err}");
    assert_eq!(model.get_weights(), weights);
    // Once the layer works again, training goes on.
    fail.store(false, Ordering::Relaxed);
    model.train_on_batch(&x, &y).unwrap();
    assert_ne!(model.get_weights(), weights);
}

#[test]
fn optimizer_state_for_other_weights_is_an_error_not_a_silent_reset() {
    let mut model = Sequential::new();
    model
        .add(Dense::new(4).input_shape([3]).named("a"))
        .unwrap();
    model.add(Dense::new(2).named("b")).unwrap();
    model
        .compile(Adam::new(0.01), "mse", crate::NO_METRICS)
        .unwrap();
    let x = array![[0.1f32, 0.2, 0.3]];
    model.train_on_batch(&x, &array![[1.0f32, 0.0]]).unwrap();
    let keys = model.optimizer().map(|o| o.state().keys.clone());
    assert_eq!(
        keys.as_deref(),
        Some(&["a/kernel", "a/bias", "b/kernel", "b/bias"].map(String::from)[..])
    );
    model.pop().unwrap();
    model.add(Dense::new(3).named("b")).unwrap();
    let weights = model.get_weights();
    let err = model
        .train_on_batch(&x, &array![[1.0f32, 0.0, 1.0]])
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::State, "{err}");
    assert!(err.message().contains("compile the model again"), "{err}");
    assert_eq!(model.get_weights(), weights);
    model
        .compile(Adam::new(0.01), "mse", crate::NO_METRICS)
        .unwrap();
    model
        .train_on_batch(&x, &array![[1.0f32, 0.0, 1.0]])
        .unwrap();
}
