//! A model used as a layer (`outer.add(model.clone())`), and losses and
//! metrics on targets whose rank differs from the outputs' by a trailing 1,
//! checked against real Keras (`tests/fixtures/nested.json`, written by
//! `tests/keras/nested_fixtures.py`).

use kerust::prelude::*;
use serde_json::Value;

fn fixture() -> Value {
    let text = std::fs::read_to_string("tests/fixtures/nested.json").unwrap();
    serde_json::from_str(&text).unwrap()
}

fn arr(v: &Value) -> ArrayD<f32> {
    let shape: Vec<usize> = v["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_u64().unwrap() as usize)
        .collect();
    let data: Vec<f32> = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_f64().unwrap() as f32)
        .collect();
    ArrayD::from_shape_vec(shape, data).unwrap()
}

fn close(a: f32, b: f32, rel: f32) -> bool {
    (a - b).abs() <= rel * (1.0 + a.abs().max(b.abs()))
}

fn assert_close(what: &str, got: &ArrayD<f32>, want: &ArrayD<f32>, rel: f32) {
    assert_eq!(got.shape(), want.shape(), "{what}: shape");
    for (i, (a, b)) in got.iter().zip(want).enumerate() {
        assert!(close(*a, *b, rel), "{what}[{i}]: kerust {a}, Keras {b}");
    }
}

fn layer(spec: &Value) -> Box<dyn FnOnce(&mut Sequential) -> kerust::Result<()>> {
    let s = spec.as_array().unwrap();
    match s[0].as_str().unwrap() {
        "dense" => {
            let units = s[1].as_u64().unwrap() as usize;
            let act = s[2].as_str().unwrap().to_string();
            Box::new(move |m| m.add(Dense::new(units).activation(act.as_str())))
        }
        "bn" => Box::new(|m| m.add(BatchNormalization::new())),
        "softmax" => Box::new(|m| m.add(Softmax::new())),
        other => panic!("unknown spec {other}"),
    }
}

fn shape_of(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect()
}

/// The inner model of a case: built when it has an input shape.
fn inner_model(case: &Value) -> Sequential {
    let spec = &case["inner"];
    let mut inner = Sequential::new();
    if !spec["input"].is_null() {
        inner
            .add(Input::new([shape_of(&spec["input"])[0]]))
            .unwrap();
    }
    for l in spec["layers"].as_array().unwrap() {
        layer(l)(&mut inner).unwrap();
    }
    inner.trainable(spec["trainable"].as_bool().unwrap())
}

/// The outer model of a case, with the inner model as one of its layers.
fn outer_model(case: &Value) -> Sequential {
    let inner = inner_model(case);
    let mut outer = Sequential::new();
    outer
        .add(Input::new([shape_of(&case["input"])[0]]))
        .unwrap();
    for l in case["before"].as_array().unwrap() {
        layer(l)(&mut outer).unwrap();
    }
    outer.add(inner.clone()).unwrap();
    for l in case["after"].as_array().unwrap() {
        layer(l)(&mut outer).unwrap();
    }
    outer
}

fn optimizer(name: &str) -> Box<dyn Optimizer> {
    match name {
        "adam" => Box::new(Adam::new(0.01)),
        "rmsprop" => Box::new(RMSprop::new(0.01)),
        _ => Box::new(SGD::new(0.1)),
    }
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn nested_models_match_keras_forward_summary_and_training() {
    let fx = fixture();
    for case in fx["nested"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        clear_session();
        let mut model = outer_model(case);
        let weights: Vec<ArrayD<f32>> = case["weights"]
            .as_array()
            .unwrap()
            .iter()
            .map(arr)
            .collect();
        model.set_weights(&weights).unwrap();
        // summary rows: one per outer layer, the inner model as one row
        let rows: Vec<Vec<usize>> = model
            .layers()
            .iter()
            .map(|l| l.output_shape().to_vec())
            .collect();
        let want: Vec<Vec<usize>> = case["row_shapes"]
            .as_array()
            .unwrap()
            .iter()
            .map(shape_of)
            .collect();
        assert_eq!(rows, want, "{name}: row shapes");
        let params: Vec<usize> = (0..model.layers().len())
            .map(|i| model.layer(i).count_params())
            .collect();
        let want: Vec<usize> = case["row_params"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as usize)
            .collect();
        assert_eq!(params, want, "{name}: row params");
        let total = case["total_params"].as_u64().unwrap() as usize;
        let trainable = case["trainable_params"].as_u64().unwrap() as usize;
        assert_eq!(model.count_params(), total, "{name}");
        assert_eq!(model.count_trainable_params(), trainable, "{name}");
        let summary = model.summary_string();
        let inner_name = model.layers()[case["before"].as_array().unwrap().len()]
            .name()
            .to_string();
        assert!(
            summary.contains(&format!("{inner_name} (Sequential)")),
            "{summary}"
        );
        assert!(
            summary.contains(&format!(
                "Trainable params: {}",
                kerust_thousands(trainable)
            )),
            "{summary}"
        );
        assert!(
            summary.contains(&format!(
                "Non-trainable params: {}",
                kerust_thousands(total - trainable)
            )),
            "{summary}"
        );
        // forward
        let x = arr(&case["x"]);
        assert_close(
            &format!("{name}: predict"),
            &model.predict(&x).unwrap(),
            &arr(&case["predictions"]),
            1e-5,
        );
        // three training steps
        let metrics = strs(&case["metrics"]);
        model
            .compile(
                optimizer(case["optimizer"].as_str().unwrap()),
                case["loss"].as_str().unwrap(),
                &metrics,
            )
            .unwrap();
        for (i, ((xb, yb), step)) in case["train_x"]
            .as_array()
            .unwrap()
            .iter()
            .zip(case["train_y"].as_array().unwrap())
            .zip(case["steps"].as_array().unwrap())
            .enumerate()
        {
            let (loss, ms) = model.train_on_batch(&arr(xb), &arr(yb)).unwrap();
            let want = step["loss"].as_f64().unwrap() as f32;
            assert!(
                close(loss, want, 1e-5),
                "{name} step {i}: loss {loss}, Keras {want}"
            );
            for (m, w) in ms.iter().zip(step["metrics"].as_array().unwrap()) {
                let w = w.as_f64().unwrap() as f32;
                assert!(close(*m, w, 1e-5), "{name} step {i}: metric {m}, Keras {w}");
            }
        }
        let after: Vec<ArrayD<f32>> = case["weights_after"]
            .as_array()
            .unwrap()
            .iter()
            .map(arr)
            .collect();
        for (i, (got, want)) in model.get_weights().iter().zip(&after).enumerate() {
            assert_close(
                &format!("{name}: weight {i} after training"),
                got,
                want,
                1e-4,
            );
        }
        assert_close(
            &format!("{name}: predict after training"),
            &model.predict(&x).unwrap(),
            &arr(&case["predictions_after"]),
            1e-4,
        );
    }
}

fn kerust_thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[test]
fn losses_on_rank_mismatched_targets_match_keras() {
    let fx = fixture();
    for case in fx["loss_ranks"].as_array().unwrap() {
        let (t, p) = (arr(&case["y_true"]), arr(&case["y_pred"]));
        let what = format!("{} on {:?} and {:?}", case["loss"], t.shape(), p.shape());
        let got = match case["loss"].as_str().unwrap() {
            "mse" => losses::MeanSquaredError::new().call(&t, &p),
            "mae" => losses::MeanAbsoluteError::new().call(&t, &p),
            "binary_crossentropy" => losses::BinaryCrossentropy::new().call(&t, &p),
            "categorical_crossentropy" => losses::CategoricalCrossentropy::new().call(&t, &p),
            _ => losses::SparseCategoricalCrossentropy::new().call(&t, &p),
        };
        match case.get("value") {
            Some(v) => {
                let want = v.as_f64().unwrap() as f32;
                let got = got.unwrap_or_else(|e| panic!("{what}: {e}"));
                assert!(close(got, want, 1e-5), "{what}: kerust {got}, Keras {want}");
            }
            None => assert!(got.is_err(), "{what}: Keras refuses ({})", case["error"]),
        }
    }
}

#[test]
fn metrics_on_rank_mismatched_targets_match_keras() {
    let fx = fixture();
    for case in fx["metric_ranks"].as_array().unwrap() {
        clear_session();
        let units = case["units"].as_u64().unwrap() as usize;
        let mut model = Sequential::new();
        model
            .add(
                Dense::new(units)
                    .activation(case["activation"].as_str().unwrap())
                    .input_shape([3]),
            )
            .unwrap();
        if case["reshape"].as_bool().unwrap() {
            model.add(Reshape::new([units as i64, 1])).unwrap();
        }
        let w: Vec<ArrayD<f32>> = case["weights"]
            .as_array()
            .unwrap()
            .iter()
            .map(arr)
            .collect();
        model.set_weights(&w).unwrap();
        let metrics = strs(&case["metrics"]);
        let loss = case["loss"].as_str().unwrap();
        model.compile("sgd", loss, &metrics).unwrap();
        let (x, y) = (arr(&case["x"]), arr(&case["y"]));
        let what = format!("{loss} {metrics:?} on targets {:?}", y.shape());
        let got = model.evaluate_with(&x, &y, Evaluate::verbose(0));
        let Some(want) = case.get("loss_value") else {
            let err = got.expect_err(&what);
            assert!(err.to_string().contains("rank"), "{what}: {err}");
            continue;
        };
        let scores = got.unwrap_or_else(|e| panic!("{what}: {e}"));
        let want = want.as_f64().unwrap() as f32;
        assert!(
            close(scores[0], want, 1e-5),
            "{what}: loss {}, Keras {want}",
            scores[0]
        );
        for (i, (m, w)) in metrics
            .iter()
            .zip(case["metric_values"].as_array().unwrap())
            .enumerate()
        {
            let w = w.as_f64().unwrap() as f32;
            assert!(
                close(scores[i + 1], w, 1e-5),
                "{what}: {m} {}, Keras {w}",
                scores[i + 1]
            );
        }
    }
}
