//! Loss objects, metric strings, regularizers and evaluate against real
//! Keras 3.15 (issue 14). Every expected number is read from
//! `tests/fixtures/lossapi.json`, written by `tests/keras/lossapi_fixtures.py`
//! (`gen_fixtures.py lossapi`). Agreement: 1e-5 relative with a 1e-6
//! floor, as in keras_parity.rs (2e-5 after training steps).

use kerust::prelude::*;
use kerust::regularizers::Regularizer;
use serde_json::Value;

mod fixture_support;
use fixture_support::{arr, strs};

fn fixture() -> Value {
    fixture_support::fixture("lossapi")
}

fn close(a: f32, b: f32, rel: f32) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()) + 1e-6
}

fn reg(v: &Value) -> Option<Regularizer> {
    let c = &v["config"];
    let f = |k: &str| c[k].as_f64().unwrap() as f32;
    match v["class_name"].as_str()? {
        "L1" => Some(regularizers::l1(f("l1"))),
        "L2" => Some(regularizers::l2(f("l2"))),
        "L1L2" => Some(regularizers::l1_l2(f("l1"), f("l2"))),
        other => panic!("regularizer {other}"),
    }
}

fn build(case: &Value) -> Sequential {
    let mut model = Sequential::new();
    let input: Vec<usize> = case["input_shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_u64().unwrap() as usize)
        .collect();
    let input = match input[..] {
        [a] => Input::new([a]),
        [a, b, c] => Input::new([a, b, c]),
        _ => panic!("input shape {input:?}"),
    };
    model.add(input).unwrap();
    for spec in case["layers"].as_array().unwrap() {
        let act = spec["activation"].as_str().unwrap_or("linear");
        match spec["type"].as_str().unwrap() {
            "Dense" => {
                let mut d = Dense::new(spec["units"].as_u64().unwrap() as usize).activation(act);
                if let Some(r) = reg(&spec["kernel_regularizer"]) {
                    d = d.kernel_regularizer(r);
                }
                if let Some(r) = reg(&spec["bias_regularizer"]) {
                    d = d.bias_regularizer(r);
                }
                model.add(d).unwrap();
            }
            "Conv2D" => {
                let k = spec["kernel_size"][0].as_u64().unwrap() as usize;
                let mut c =
                    Conv2D::new(spec["filters"].as_u64().unwrap() as usize, (k, k)).activation(act);
                if let Some(r) = reg(&spec["kernel_regularizer"]) {
                    c = c.kernel_regularizer(r);
                }
                if let Some(r) = reg(&spec["bias_regularizer"]) {
                    c = c.bias_regularizer(r);
                }
                model.add(c).unwrap();
            }
            "Flatten" => model.add(Flatten::new()).unwrap(),
            other => panic!("layer {other}"),
        }
    }
    let w: Vec<ArrayD<f32>> = case["weights"]
        .as_array()
        .unwrap()
        .iter()
        .map(arr)
        .collect();
    model.set_weights(&w).unwrap();
    model
}

fn loss_of(v: &Value) -> kerust::losses::LossFn {
    use kerust::losses::IntoLoss;
    if let Some(name) = v.as_str() {
        return name.into_loss().unwrap();
    }
    let args = &v["args"];
    let fl = args["from_logits"].as_bool().unwrap_or(false);
    let ls = args["label_smoothing"].as_f64().unwrap_or(0.0) as f32;
    match v["class"].as_str().unwrap() {
        "SparseCategoricalCrossentropy" => losses::SparseCategoricalCrossentropy::new()
            .from_logits(fl)
            .into_loss(),
        "CategoricalCrossentropy" => losses::CategoricalCrossentropy::new()
            .from_logits(fl)
            .label_smoothing(ls)
            .into_loss(),
        "BinaryCrossentropy" => losses::BinaryCrossentropy::new()
            .from_logits(fl)
            .label_smoothing(ls)
            .into_loss(),
        "MeanSquaredError" => losses::MeanSquaredError::new().into_loss(),
        "MeanAbsoluteError" => losses::MeanAbsoluteError::new().into_loss(),
        other => panic!("loss {other}"),
    }
    .unwrap()
}

#[test]
fn loss_objects_called_on_arrays_match_keras() {
    let fx = fixture();
    let cases = fx["loss_objects"].as_array().unwrap();
    assert!(cases.len() >= 19);
    for c in cases {
        let (t, p) = (arr(&c["y_true"]), arr(&c["y_pred"]));
        let args = &c["args"];
        let fl = args["from_logits"].as_bool().unwrap_or(false);
        let ls = args["label_smoothing"].as_f64().unwrap_or(0.0) as f32;
        let got = match c["class"].as_str().unwrap() {
            "SparseCategoricalCrossentropy" => losses::SparseCategoricalCrossentropy::new()
                .from_logits(fl)
                .call(&t, &p),
            "CategoricalCrossentropy" => losses::CategoricalCrossentropy::new()
                .from_logits(fl)
                .label_smoothing(ls)
                .call(&t, &p),
            "BinaryCrossentropy" => losses::BinaryCrossentropy::new()
                .from_logits(fl)
                .label_smoothing(ls)
                .call(&t, &p),
            "MeanSquaredError" => losses::MeanSquaredError::new().call(&t, &p),
            "MeanAbsoluteError" => losses::MeanAbsoluteError::new().call(&t, &p),
            other => panic!("{other}"),
        }
        .unwrap();
        let want = c["value"].as_f64().unwrap() as f32;
        assert!(close(got, want, 1e-5), "{c}: kerust {got}, Keras {want}");
    }
    // The TF quickstart's untrained 10-class model prints about 2.3.
    let q = &cases[0];
    assert!((q["value"].as_f64().unwrap() - 10f64.ln()).abs() < 0.3);
}

/// Where kerust knowingly differs: Keras' binary_crossentropy *metric* on
/// softmax outputs applies a sigmoid to the pre-softmax logits (the TF
/// backend's `_keras_logits`); kerust's metrics see the probabilities.
/// (The loss does use the logits, as Keras.)
const KNOWN_GAPS: [(&str, &str); 1] = [("onehot8", "binary_crossentropy")];

fn gap(case: &Value, key: &str) -> bool {
    KNOWN_GAPS.contains(&(case["name"].as_str().unwrap(), key))
}

#[test]
fn metric_strings_match_keras_in_evaluate_and_fit() {
    let fx = fixture();
    for c in fx["metrics"].as_array().unwrap() {
        let mut model = build(c);
        let metrics = strs(&c["metrics"]);
        model
            .compile(SGD::new(0.1), c["loss"].as_str().unwrap(), &metrics)
            .unwrap();
        let (x, y) = (arr(&c["x"]), arr(&c["y"]));
        let scores = model.evaluate_with(&x, &y, Evaluate::verbose(0)).unwrap();
        let listed = model
            .evaluate_with(&x, &y, Evaluate::verbose(0).batch_size(7))
            .unwrap();
        let want_list: Vec<f32> = c["evaluate_list"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap() as f32)
            .collect();
        assert_eq!(listed.len(), want_list.len(), "{}", c["name"]);
        for (i, w) in want_list.iter().enumerate() {
            if i > 0 && gap(c, &metrics[i - 1]) {
                assert!(
                    !close(listed[i], *w, 1e-5),
                    "the gap is closed: update KNOWN_GAPS"
                );
                continue;
            }
            assert!(
                close(listed[i], *w, 1e-5),
                "{} [{i}]: {} vs {w}",
                c["name"],
                listed[i]
            );
        }
        for (k, v) in c["evaluate"].as_object().unwrap() {
            let want = v.as_f64().unwrap() as f32;
            let got = scores
                .get(k)
                .unwrap_or_else(|| panic!("{}: no {k}", c["name"]));
            if gap(c, k) {
                continue;
            }
            assert!(
                close(got, want, 1e-5),
                "{} {k}: kerust {got}, Keras {want}",
                c["name"]
            );
        }
        let h = model
            .fit(
                &x,
                &y,
                Fit::epochs(1).batch_size(40).shuffle(false).verbose(0),
            )
            .unwrap();
        let mut names: Vec<&str> = h.keys();
        let mut want: Vec<&str> = c["fit_history"]
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        names.sort();
        want.sort();
        assert_eq!(names, want, "History keys of {}", c["name"]);
        for (k, v) in c["fit_history"].as_object().unwrap() {
            let want = v.as_f64().unwrap() as f32;
            let got = h[k.as_str()][0];
            if gap(c, k) {
                continue;
            }
            assert!(
                close(got, want, 1e-5),
                "{} fit {k}: {got} vs {want}",
                c["name"]
            );
        }
    }
}

#[test]
fn loss_objects_and_regularizers_train_as_keras() {
    let fx = fixture();
    for c in fx["train"].as_array().unwrap() {
        let name = &c["name"];
        let mut model = build(c);
        let metrics = strs(&c["metrics"]);
        model
            .compile(SGD::new(0.1), loss_of(&c["loss"]), &metrics)
            .unwrap();
        let xs = c["train_x"].as_array().unwrap();
        let ys = c["train_y"].as_array().unwrap();
        for ((x, y), step) in xs.iter().zip(ys).zip(c["steps"].as_array().unwrap()) {
            let (loss, ms) = model.train_on_batch(&arr(x), &arr(y)).unwrap();
            let want = step["loss"].as_f64().unwrap() as f32;
            assert!(close(loss, want, 2e-5), "{name}: loss {loss} vs {want}");
            for (m, w) in ms.iter().zip(step["metrics"].as_array().unwrap()) {
                assert!(
                    close(*m, w.as_f64().unwrap() as f32, 2e-5),
                    "{name}: metric"
                );
            }
        }
        for (i, (got, want)) in model
            .get_weights()
            .iter()
            .zip(c["weights_after"].as_array().unwrap())
            .enumerate()
        {
            let want = arr(want);
            for (a, b) in got.iter().zip(want.iter()) {
                assert!(close(*a, *b, 2e-5), "{name}: weight {i}: {a} vs {b}");
            }
        }
        let penalty = model.regularization_loss();
        let want = c["penalty_after"].as_f64().unwrap() as f32;
        assert!(
            close(penalty, want, 2e-5),
            "{name}: penalty {penalty} vs {want}"
        );
        let (xe, ye) = (arr(&c["eval_x"]), arr(&c["eval_y"]));
        let scores = model.evaluate_with(&xe, &ye, Evaluate::verbose(0)).unwrap();
        for (k, v) in c["evaluate"].as_object().unwrap() {
            let want = v.as_f64().unwrap() as f32;
            let got = scores.get(k).unwrap();
            assert!(
                close(got, want, 2e-5),
                "{name}: evaluate {k}: {got} vs {want}"
            );
        }
        // The model file keeps the loss object and the regularizers.
        let path = std::env::temp_dir().join(format!("kerust_lossapi_{name}.kerust"));
        model.save(&path).unwrap();
        let mut loaded = load_model(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(loaded.loss_fn(), model.loss_fn(), "{name}");
        assert_eq!(loaded.regularization_loss(), penalty, "{name}");
        let again = loaded
            .evaluate_with(&xe, &ye, Evaluate::verbose(0))
            .unwrap();
        assert_eq!(again, scores, "{name}: evaluate after load");
        let h = model
            .fit(
                &arr(&xs[0]),
                &arr(&ys[0]),
                Fit::epochs(1)
                    .batch_size(8)
                    .shuffle(false)
                    .verbose(0)
                    .validation_data(&xe, &ye),
            )
            .unwrap();
        for (k, v) in c["fit_history"].as_object().unwrap() {
            let want = v.as_f64().unwrap() as f32;
            let got = h[k.as_str()][0];
            assert!(close(got, want, 2e-5), "{name}: fit {k}: {got} vs {want}");
        }
    }
}

#[test]
fn regularizer_gradients_match_finite_differences() {
    // d(penalty)/dw from the training step against central differences of
    // the loss, on a model whose data loss is zero (y = its own output).
    let mut model = Sequential::new();
    model
        .add(
            Dense::new(2)
                .input_shape([3])
                .kernel_regularizer(regularizers::l1_l2(0.3, 0.2))
                .bias_regularizer(regularizers::l2(0.5)),
        )
        .unwrap();
    let w = vec![
        array![[0.5f32, -0.25], [1.0, 0.75], [-1.5, 0.125]].into_dyn(),
        array![0.5f32, -1.0].into_dyn(),
    ];
    model.set_weights(&w).unwrap();
    model.compile(SGD::new(1.0), "mse", NO_METRICS).unwrap();
    let x = array![[0.0f32, 0.0, 0.0]];
    let y = model.predict(&x).unwrap();
    let p0 = model.regularization_loss();
    model.train_on_batch(&x, &y).unwrap();
    // SGD with rate 1: the step is the gradient.
    let after = model.get_weights();
    for (k, (before, now)) in w.iter().zip(&after).enumerate() {
        for i in 0..before.len() {
            let grad = before.as_slice().unwrap()[i] - now.as_slice().unwrap()[i];
            let eps = 1e-3;
            let mut probe = w.clone();
            probe[k].as_slice_mut().unwrap()[i] += eps;
            model.set_weights(&probe).unwrap();
            let up = model.regularization_loss();
            probe[k].as_slice_mut().unwrap()[i] -= 2.0 * eps;
            model.set_weights(&probe).unwrap();
            let down = model.regularization_loss();
            let numeric = (up - down) / (2.0 * eps);
            assert!(
                (grad - numeric).abs() < 2e-3,
                "weight {k}[{i}]: {grad} vs {numeric}"
            );
        }
    }
    assert!(p0 > 0.0);
}

/// `Loss`'s functions called directly check their targets, as the loss
/// objects and `fit` do: a missing label or a class the predictions do not
/// have is an error naming what was expected, not a loss computed on
/// made-up targets.
#[test]
fn loss_functions_check_their_targets() {
    use kerust::losses::Loss;
    let p = array![[0.7f32, 0.2, 0.1], [0.1, 0.8, 0.1]].into_dyn();
    let sparse = Loss::SparseCategoricalCrossentropy;
    let ok = sparse.value(array![0.0f32, 1.0].into_dyn().view(), p.view());
    let want = -(0.7f32.ln() + 0.8f32.ln()) / 2.0;
    assert!(close(ok.expect("valid labels"), want, 1e-6));
    let short = array![0.0f32].into_dyn();
    let msg = |r: kerust::Result<f32>| r.expect_err("an error").to_string();
    let m = msg(sparse.value(short.view(), p.view()));
    assert!(
        m.contains("class indices of shape (2,)") && m.contains("shape (1,)"),
        "{m}"
    );
    let m = msg(sparse
        .per_sample(array![0.0f32, 3.0].into_dyn().view(), p.view())
        .map(|v| v[0]));
    assert!(
        m.contains("y_true[1] is 3") && m.contains("class indices 0 to 2"),
        "{m}"
    );
    let m = msg(sparse
        .value_and_grad_logits(array![0.5f32, 1.0].into_dyn().view(), p.view())
        .map(|v| v.0));
    assert!(m.contains("y_true[0] is 0.5"), "{m}");
    let mse = Loss::MeanSquaredError;
    let m = msg(mse
        .value_and_grad(array![[1.0f32, 0.0]].into_dyn().view(), p.view())
        .map(|v| v.0));
    assert!(m.contains("mean_squared_error") || m.contains("mse"), "{m}");
}
