//! A model used as a layer (`outer.add(model.clone())`), and losses and
//! metrics on targets whose rank differs from the outputs' by a trailing 1,
//! checked against real Keras (`tests/fixtures/nested.json`, written by
//! `tests/keras/nested_fixtures.py`).

use kerust::prelude::*;
use serde_json::Value;

mod fixture_support;
use fixture_support::{arr, strs, usizes};

fn fixture() -> Value {
    fixture_support::fixture("nested")
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

fn add_layer(model: &mut Sequential, spec: &Value) {
    let s = spec.as_array().unwrap();
    match s[0].as_str().unwrap() {
        "dense" => {
            let units = s[1].as_u64().unwrap() as usize;
            model.add(Dense::new(units).activation(s[2].as_str().unwrap()))
        }
        "bn" => model.add(BatchNormalization::new()),
        "softmax" => model.add(Softmax::new()),
        other => panic!("unknown spec {other}"),
    }
    .unwrap();
}

/// The inner model of a case: built when it has an input shape.
fn inner_model(case: &Value) -> Sequential {
    let spec = &case["inner"];
    let mut inner = Sequential::new();
    if !spec["input"].is_null() {
        inner.add(Input::new([usizes(&spec["input"])[0]])).unwrap();
    }
    for l in spec["layers"].as_array().unwrap() {
        add_layer(&mut inner, l);
    }
    inner.trainable(spec["trainable"].as_bool().unwrap())
}

/// The outer model of a case, with the inner model as one of its layers.
fn outer_model(case: &Value) -> Sequential {
    let inner = inner_model(case);
    let mut outer = Sequential::new();
    outer.add(Input::new([usizes(&case["input"])[0]])).unwrap();
    for l in case["before"].as_array().unwrap() {
        add_layer(&mut outer, l);
    }
    outer.add(inner.clone()).unwrap();
    for l in case["after"].as_array().unwrap() {
        add_layer(&mut outer, l);
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

#[test]
fn nested_models_match_keras_forward_summary_and_training() {
    let fx = fixture();
    for case in fx["nested"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
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
            .map(usizes)
            .collect();
        assert_eq!(rows, want, "{name}: row shapes");
        let params: Vec<usize> = (0..model.layers().len())
            .map(|i| model.layer(i).count_params())
            .collect();
        let want = usizes(&case["row_params"]);
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
            summary.contains(&format!("Trainable params: {}", trainable)),
            "{summary}"
        );
        assert!(
            summary.contains(&format!("Non-trainable params: {}", total - trainable)),
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

fn tmp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("kerust_nested_{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

/// TF's quickstart model, and its probability model around it.
fn quickstart() -> (Sequential, Sequential) {
    let mut model = Sequential::new();
    model.add(Flatten::new().input_shape([28, 28])).unwrap();
    model.add(Dense::new(128).activation("relu")).unwrap();
    model.add(Dropout::new(0.2)).unwrap();
    model.add(Dense::new(10)).unwrap();
    let mut probability_model = Sequential::new();
    probability_model.add(model.clone()).unwrap();
    probability_model.add(Softmax::new()).unwrap();
    (model, probability_model)
}

#[test]
fn summary_shows_the_inner_model_as_one_row() {
    // (Names are counted per process and these tests run at the same
    // time, so the expected names are read from the models.)
    let (model, probability_model) = quickstart();
    let s = probability_model.summary_string();
    let row = format!("{} (Sequential)", model.name());
    assert!(
        s.contains(&format!(
            "\n{row:<29}(None, 10)                101770    \n"
        )),
        "{s}"
    );
    let softmax_name = probability_model.layer(1).name();
    let row = format!("{softmax_name} (Softmax)");
    assert!(
        s.contains(&format!(
            "\n{row:<29}(None, 10)                0         \n"
        )),
        "{s}"
    );
    assert!(
        s.contains("Total params: 101,770\nTrainable params: 101,770\nNon-trainable params: 0\n"),
        "{s}"
    );
    assert_eq!(
        format!("{:?}", probability_model.layer(0)),
        format!("{} (Sequential)", model.name())
    );
}

#[test]
fn predict_goes_through_the_inner_model() {
    let (mut model, mut probability_model) = quickstart();
    let x = ArrayD::from_shape_fn(vec![3, 28, 28], |i| ((i[1] * 28 + i[2]) % 17) as f32 / 17.0);
    let logits = model.predict(&x).unwrap();
    let p = probability_model.predict(&x).unwrap();
    for r in 0..3 {
        let row = logits.index_axis(Axis(0), r);
        let max = row.fold(f32::NEG_INFINITY, |m, &v| m.max(v));
        let sum: f32 = row.iter().map(|v| (v - max).exp()).sum();
        for (c, &z) in row.iter().enumerate() {
            let want = (z - max).exp() / sum;
            assert!(
                close(p[[r, c]], want, 1e-6),
                "{r},{c}: {} vs {want}",
                p[[r, c]]
            );
        }
    }
}

#[test]
fn training_the_outer_model_trains_the_copy_and_reads_back() {
    let mut base = Sequential::new();
    base.add(Dense::new(4).activation("tanh").input_shape([3]))
        .unwrap();
    let mut outer = Sequential::new();
    outer.add(base.clone()).unwrap();
    outer.add(Dense::new(1)).unwrap();
    let before = base.get_weights();
    outer.compile(SGD::new(0.1), "mse", NO_METRICS).unwrap();
    let x = array![[0.1f32, 0.2, 0.3], [0.5, -0.4, 0.0]];
    let y = array![1.0f32, -1.0];
    outer.fit(&x, &y, Fit::epochs(3).verbose(0)).unwrap();
    // The original is a copy: unchanged.
    assert_eq!(base.get_weights(), before);
    // The trained inner model, read back from the outer one.
    let trained = outer.get_layer(base.name()).unwrap().model().unwrap();
    assert_ne!(trained.get_weights(), before);
    assert_eq!(trained.get_weights(), outer.get_weights()[..2].to_vec());
    assert_eq!(
        outer.get_layer(base.name()).unwrap().get_weights().unwrap(),
        trained.get_weights()
    );
    let mut trained = trained;
    assert_eq!(trained.predict(&x).unwrap().shape(), &[2, 4]);
    // The optimizer's state is keyed by the inner layers' names.
    let keys = &outer.optimizer().unwrap().state().keys;
    let dense = base.layer(0).name();
    let key = |w: &str| format!("{}/{dense}/{w}", base.name());
    assert_eq!(keys[..2], [key("kernel"), key("bias")]);
    // set_weights on the outer model reaches the inner layers.
    let mut w = outer.get_weights();
    w[0].fill(0.5);
    outer.set_weights(&w).unwrap();
    assert_eq!(
        outer
            .get_layer(base.name())
            .unwrap()
            .model()
            .unwrap()
            .get_weights()[0],
        w[0]
    );
    // A layer that is not a model says so.
    let err = outer.layer(1).model().unwrap_err().to_string();
    assert!(
        err.contains(&format!(
            "layer {} (Dense) is not a model",
            outer.layer(1).name()
        )),
        "{err}"
    );
}

#[test]
fn frozen_base_keeps_its_weights_and_batch_statistics() {
    let mut base = Sequential::new();
    base.add(Dense::new(6).activation("relu").input_shape([4]))
        .unwrap();
    base.add(BatchNormalization::new()).unwrap();
    let mut model = Sequential::new();
    model.add(base.clone().trainable(false)).unwrap();
    model.add(Dense::new(2).activation("softmax")).unwrap();
    let s = model.summary_string();
    assert!(
        s.contains("Total params: 68\nTrainable params: 14\nNon-trainable params: 54\n"),
        "{s}"
    );
    model
        .compile("adam", "sparse_categorical_crossentropy", ["accuracy"])
        .unwrap();
    let x = ArrayD::from_shape_fn(vec![8, 4], |i| {
        (i[0] as f32 - 3.5) * 0.3 + i[1] as f32 * 0.1
    });
    let y = array![0.0f32, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0];
    let before = model.get_weights();
    model
        .fit(&x, &y, Fit::epochs(2).batch_size(4).verbose(0))
        .unwrap();
    let after = model.get_weights();
    for i in 0..6 {
        assert_eq!(after[i], before[i], "base weight {i} changed");
    }
    assert_ne!(after[6], before[6], "the head did not train");
    // Read back, the base is still frozen; unfrozen (fine-tuning), all of
    // it trains again.
    let mut back = model.get_layer(base.name()).unwrap().model().unwrap();
    assert_eq!(back.count_trainable_params(), 0);
    back.set_trainable(true);
    let mut tuned = Sequential::new();
    tuned.add(back).unwrap();
    tuned.add(Dense::new(2).activation("softmax")).unwrap();
    assert_eq!(tuned.count_trainable_params(), 30 + 12 + 14);
}

#[test]
fn deferred_build_reaches_the_inner_model() {
    let mut base = Sequential::new();
    base.add(Dense::new(3).activation("relu")).unwrap();
    let mut model = Sequential::new();
    model.add(base.clone()).unwrap();
    model.add(Dense::new(1)).unwrap();
    assert!(!model.is_built());
    model.compile("sgd", "mse", NO_METRICS).unwrap();
    let x = ArrayD::from_shape_fn(vec![4, 5], |i| (i[0] + i[1]) as f32 * 0.1);
    model
        .fit(
            &x,
            &array![1.0f32, 0.0, 1.0, 0.0],
            Fit::epochs(1).verbose(0),
        )
        .unwrap();
    assert_eq!(model.layer(0).output_shape(), &[3]);
    assert_eq!(model.count_params(), 5 * 3 + 3 + 3 + 1);
}

#[test]
fn bad_uses_say_what_was_expected() {
    let mut base = Sequential::new();
    base.add(Dense::new(2).input_shape([4])).unwrap();
    // The inner model's input does not fit what comes before it.
    let mut model = Sequential::new();
    model.add(Dense::new(5).input_shape([3])).unwrap();
    let err = model.add(base.clone()).unwrap_err().to_string();
    let want = format!(
        "layer {} (Sequential) expects input of shape (None, 4) but got (None, 5)",
        base.name()
    );
    assert!(err.contains(&want), "{err}");
    assert_eq!(
        model.layers().len(),
        1,
        "a failed add leaves the model unchanged"
    );
    // The same model twice: its name is taken.
    let mut square = Sequential::new();
    square.add(Dense::new(4).input_shape([4])).unwrap();
    let mut model = Sequential::new();
    model.add(square.clone()).unwrap();
    let err = model.add(square.clone()).unwrap_err().to_string();
    assert!(
        err.contains(&format!("already has a layer named '{}'", square.name())),
        "{err}"
    );
    let mut model = Sequential::new();
    model.add(base.clone()).unwrap();
    // Data of the wrong shape names the inner model, the first layer.
    let err = model
        .predict(&Array2::<f32>::zeros((2, 3)))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(&format!(
            "layer {} expects x of shape (None, 4) but got (None, 3)",
            base.name()
        )),
        "{err}"
    );
    // A model without layers is no layer.
    let mut model = Sequential::new();
    model.add(Dense::new(2).input_shape([4])).unwrap();
    let empty = Sequential::new();
    let err = model.add(empty.clone()).unwrap_err().to_string();
    assert!(
        err.contains(&format!("model {} has no layers", empty.name())),
        "{err}"
    );
}

#[test]
fn save_and_load_keep_the_nested_model_and_the_optimizer_state() {
    let mut base = Sequential::new();
    base.add(Dense::new(5).activation("relu")).unwrap();
    base.add(BatchNormalization::new()).unwrap();
    let mut model = Sequential::new();
    model
        .add(Dense::new(4).activation("tanh").input_shape([3]))
        .unwrap();
    model.add(base.clone()).unwrap(); // built here, from the outer model's shape
    model.add(Dense::new(1).activation("sigmoid")).unwrap();
    model
        .compile("adam", "binary_crossentropy", ["accuracy"])
        .unwrap();
    let x = ArrayD::from_shape_fn(vec![6, 3], |i| (i[0] * 3 + i[1]) as f32 * 0.1 - 0.8);
    let y = array![0.0f32, 1.0, 1.0, 0.0, 1.0, 0.0];
    model.fit(&x, &y, Fit::epochs(2).verbose(0)).unwrap();
    let path = tmp("nested.kerust");
    model.save(&path).unwrap();
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let nested = &doc["layers"][1];
    assert_eq!(nested["class_name"], "Sequential");
    assert_eq!(nested["config"]["name"], base.name());
    assert_eq!(
        nested["config"]["layers"][1]["class_name"],
        "BatchNormalization"
    );
    assert_eq!(
        nested["config"]["build_input_shape"],
        serde_json::json!([null, 4])
    );
    let mut loaded = load_model(&path).unwrap();
    assert_eq!(loaded.summary_string(), model.summary_string());
    assert_eq!(loaded.get_weights(), model.get_weights());
    assert_eq!(loaded.predict(&x).unwrap(), model.predict(&x).unwrap());
    // Training goes on from the same optimizer state.
    let a = model.train_on_batch(&x, &y).unwrap();
    let b = loaded.train_on_batch(&x, &y).unwrap();
    assert_eq!(a, b);
    assert_eq!(loaded.get_weights(), model.get_weights());
    // A weights file carries the inner model's weights too.
    let weights = tmp("nested.weights.kerust");
    model.save_weights(&weights).unwrap();
    let mut w = loaded.get_weights();
    w.iter_mut().for_each(|a| a.fill(0.25));
    loaded.set_weights(&w).unwrap();
    loaded.load_weights(&weights).unwrap();
    assert_eq!(loaded.get_weights(), model.get_weights());
}

#[test]
fn a_functional_model_is_a_layer_too() {
    let input = Input::new([3]);
    let h = Dense::new(4).activation("tanh").call(&input).unwrap();
    let out = Dense::new(2).call(&h).unwrap();
    let mut functional = Model::new(&input, &out).unwrap();
    let mut model = Sequential::new();
    model.add(functional.clone()).unwrap();
    model.add(Softmax::new()).unwrap();
    let row = format!("{} (Functional)", functional.name());
    let s = model.summary_string();
    assert!(
        s.contains(&format!(
            "\n{row:<29}(None, 2)                 26        \n"
        )),
        "{s}"
    );
    assert_eq!(
        kerust::model::explain_params(model.layer(0).layer().unwrap()),
        "the weights of its 2 layers = 26"
    );
    let x = array![[0.5f32, -1.0, 2.0], [0.0, 0.1, 0.2]];
    let z = functional.predict(&x).unwrap();
    let p = model.predict(&x).unwrap();
    let e = z.mapv(f32::exp);
    assert!(close(p[[0, 0]], e[[0, 0]] / (e[[0, 0]] + e[[0, 1]]), 1e-6));
    let path = tmp("functional_inside.kerust");
    model.save(&path).unwrap();
    let mut loaded = load_model(&path).unwrap();
    assert_eq!(loaded.summary_string(), s);
    assert_eq!(loaded.predict(&x).unwrap(), p);
    let back = loaded
        .get_layer(functional.name())
        .unwrap()
        .model()
        .unwrap();
    assert!(matches!(back, kerust::model::AnyModel::Functional(_)));
    assert_eq!(back.summary_string(), functional.summary_string());
}
