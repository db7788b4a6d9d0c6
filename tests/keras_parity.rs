//! Differential tests against real Keras (issue 3).
//!
//! `tests/keras/gen_fixtures.py` (run with TensorFlow 2.21 / Keras 3.15)
//! describes each architecture, builds it in Keras, gives it weights from a
//! seeded numpy generator and records what Keras computes: output shapes and
//! parameter counts, predictions, each loss on given arrays, and three
//! `train_on_batch` steps per optimizer and loss (returned loss and metrics,
//! all weights afterwards). These tests rebuild every model with kerust from
//! the same description and compare. No expected number is typed in here:
//! all of them are read from `tests/fixtures/*.json`.
//!
//! Agreement rule (f32): `|a - b| <= 1e-5 * max(|a|, |b|) + 1e-6`, that is
//! 1e-5 relative, with an absolute floor of 1e-6 for values near 0 (a weight
//! or a loss that is 0 in Keras may come out as 1e-9 here).

use kerust::losses::Loss;
use kerust::model::Graph;
use kerust::optimizers::{Adagrad, Adam, Optimizer, RMSprop, SGD};
use kerust::prelude::*;
use serde_json::Value;
use std::path::PathBuf;

const REL: f32 = 1e-5;
const ABS: f32 = 1e-6;

/// The agreement rule above.
fn close(a: f32, b: f32) -> bool {
    if a.is_nan() || b.is_nan() {
        return a.is_nan() && b.is_nan();
    }
    (a - b).abs() <= REL * a.abs().max(b.abs()) + ABS
}

fn load(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn usizes(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap_or_else(|| panic!("expected a list of sizes, got {v}"))
        .iter()
        .map(|x| x.as_u64().expect("size") as usize)
        .collect()
}

fn floats(v: &Value) -> Vec<f32> {
    v.as_array()
        .unwrap_or_else(|| panic!("expected a list of numbers, got {v}"))
        .iter()
        .map(|x| x.as_f64().expect("number") as f32)
        .collect()
}

/// Decodes an array of the fixture (see the generator's docstring):
/// plain values, integers times a power-of-two scale, or changes to `base`.
fn decode(v: &Value, base: Option<&ArrayD<f32>>) -> ArrayD<f32> {
    let shape = usizes(&v["shape"]);
    let data = if let Some(ints) = v.get("ints") {
        let scale = v["scale"].as_f64().expect("scale");
        ints.as_array()
            .expect("ints")
            .iter()
            .map(|i| (i.as_i64().expect("int") as f64 * scale) as f32)
            .collect()
    } else if v.get("base").is_some() {
        let base = base.expect("a base array for a delta-encoded array");
        let mut data: Vec<f32> = base.iter().copied().collect();
        for (i, x) in usizes(&v["index"]).into_iter().zip(floats(&v["data"])) {
            data[i] = x;
        }
        data
    } else {
        floats(&v["data"])
    };
    ArrayD::from_shape_vec(shape, data).expect("data fits the shape")
}

/// Compares two arrays element by element; returns a description of the
/// worst disagreement, if any.
fn compare(what: &str, got: &ArrayD<f32>, want: &ArrayD<f32>) -> Option<String> {
    if got.shape() != want.shape() {
        return Some(format!(
            "{what}: shape {:?}, Keras {:?}",
            got.shape(),
            want.shape()
        ));
    }
    let mut bad = 0;
    let mut worst: Option<(usize, f32, f32)> = None;
    for (i, (&g, &w)) in got.iter().zip(want.iter()).enumerate() {
        if !close(g, w) {
            bad += 1;
            let d = (g - w).abs();
            if worst.is_none_or(|(_, wg, ww)| d > (wg - ww).abs() || d.is_nan()) {
                worst = Some((i, g, w));
            }
        }
    }
    worst.map(|(i, g, w)| {
        format!(
            "{what}: {bad} of {} values differ; worst at flat index {i}: kerust {g}, Keras {w}",
            got.len()
        )
    })
}

// ---------------------------------------------------------------- building

// Made once per layer and added at once; its size does not matter.
macro_rules! any_layer {
    ($($t:ident),*) => {
        #[allow(clippy::large_enum_variant)]
        enum AnyLayer {
            $($t($t),)*
        }
        impl AnyLayer {
            fn add_to(self, model: &mut Sequential) -> kerust::Result<()> {
                match self {
                    $(AnyLayer::$t(l) => model.add(l),)*
                }
            }
            fn call(self, t: &KerasTensor) -> kerust::Result<KerasTensor> {
                match self {
                    $(AnyLayer::$t(l) => l.call(t),)*
                }
            }
        }
    };
}
any_layer!(
    Dense,
    Activation,
    Flatten,
    Dropout,
    Conv2D,
    MaxPooling2D,
    AveragePooling2D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalMaxPooling2D,
    Reshape,
    Softmax,
    Embedding,
    BatchNormalization
);

/// Gives a layer its `input_shape` from a runtime slice.
macro_rules! with_shape {
    ($layer:expr, $shape:expr) => {{
        let l = $layer;
        match $shape {
            None => l,
            Some(&[a]) => l.input_shape([a]),
            Some(&[a, b]) => l.input_shape([a, b]),
            Some(&[a, b, c]) => l.input_shape([a, b, c]),
            Some(s) => panic!("unsupported input shape {s:?}"),
        }
    }};
}

/// A size as the fixture gives it: an integer (kept an integer, as
/// `Conv2D::new(32, 3)`) or a pair.
fn size2(v: &Value) -> Size2 {
    match v.as_u64() {
        Some(n) => Size2::from(n as usize),
        None => {
            let p = usizes(v);
            Size2::from((p[0], p[1]))
        }
    }
}

fn make_layer(spec: &Value, shape: Option<&[usize]>) -> AnyLayer {
    let activation = spec["activation"].as_str().unwrap_or("linear");
    match spec["type"].as_str().expect("layer type") {
        "Dense" => {
            let units = spec["units"].as_u64().expect("units") as usize;
            AnyLayer::Dense(with_shape!(Dense::new(units).activation(activation), shape))
        }
        "Activation" => AnyLayer::Activation(with_shape!(Activation::new(activation), shape)),
        "Flatten" => AnyLayer::Flatten(with_shape!(Flatten::new(), shape)),
        "Dropout" => {
            let rate = spec["rate"].as_f64().expect("rate") as f32;
            AnyLayer::Dropout(with_shape!(Dropout::new(rate), shape))
        }
        "Conv2D" => {
            let filters = spec["filters"].as_u64().expect("filters") as usize;
            let layer = Conv2D::new(filters, size2(&spec["kernel_size"]))
                .strides(size2(&spec["strides"]))
                .padding(spec["padding"].as_str().expect("padding"))
                .activation(activation);
            AnyLayer::Conv2D(with_shape!(layer, shape))
        }
        "MaxPooling2D" => {
            let mut l = MaxPooling2D::new(size2(&spec["pool_size"]));
            if let Some(s) = spec.get("strides") {
                l = l.strides(size2(s));
            }
            if let Some(p) = spec["padding"].as_str() {
                l = l.padding(p);
            }
            AnyLayer::MaxPooling2D(with_shape!(l, shape))
        }
        "AveragePooling2D" => {
            let mut l = AveragePooling2D::new(size2(&spec["pool_size"]));
            if let Some(s) = spec.get("strides") {
                l = l.strides(size2(s));
            }
            if let Some(p) = spec["padding"].as_str() {
                l = l.padding(p);
            }
            AnyLayer::AveragePooling2D(with_shape!(l, shape))
        }
        "GlobalAveragePooling1D" => {
            AnyLayer::GlobalAveragePooling1D(with_shape!(GlobalAveragePooling1D::new(), shape))
        }
        "GlobalAveragePooling2D" => {
            AnyLayer::GlobalAveragePooling2D(with_shape!(GlobalAveragePooling2D::new(), shape))
        }
        "GlobalMaxPooling2D" => {
            AnyLayer::GlobalMaxPooling2D(with_shape!(GlobalMaxPooling2D::new(), shape))
        }
        "Softmax" => AnyLayer::Softmax(with_shape!(Softmax::new(), shape)),
        "BatchNormalization" => {
            AnyLayer::BatchNormalization(with_shape!(BatchNormalization::new(), shape))
        }
        "Embedding" => {
            let dim = |k: &str| spec[k].as_u64().expect(k) as usize;
            AnyLayer::Embedding(with_shape!(
                Embedding::new(dim("input_dim"), dim("output_dim")),
                shape
            ))
        }
        "Reshape" => {
            let t: Vec<i64> = spec["target_shape"]
                .as_array()
                .expect("target_shape")
                .iter()
                .map(|v| v.as_i64().expect("target_shape entry"))
                .collect();
            let l = match *t.as_slice() {
                [a, b] => Reshape::new([a, b]),
                [a, b, c] => Reshape::new([a, b, c]),
                _ => panic!("unsupported target shape {t:?}"),
            };
            AnyLayer::Reshape(with_shape!(l, shape))
        }
        other => panic!("unknown layer type {other} in a fixture"),
    }
}

enum Built {
    Sequential(Sequential),
    Functional(Model),
}

impl Built {
    fn graph(&mut self) -> &mut Graph {
        match self {
            Built::Sequential(m) => m,
            Built::Functional(m) => m,
        }
    }
}

fn input(shape: &[usize]) -> Input {
    match *shape {
        [a] => Input::new([a]),
        [a, b] => Input::new([a, b]),
        [a, b, c] => Input::new([a, b, c]),
        _ => panic!("unsupported input shape {shape:?}"),
    }
}

/// Rebuilds the fixture's architecture with kerust's API, the way a user
/// writes it: `input_shape` on the first layer, `Input` as the first layer
/// of a Sequential, or the functional API.
fn build(fx: &Value) -> Built {
    let shape = usizes(&fx["input_shape"]);
    let specs = fx["layers"].as_array().expect("layers");
    match fx["declared"].as_str().expect("declared") {
        "functional" => {
            let inp = input(&shape);
            let mut t = inp.tensor().clone();
            for spec in specs {
                t = make_layer(spec, None).call(&t).expect("call");
            }
            Built::Functional(Model::new(&inp, &t).expect("Model::new"))
        }
        declared => {
            let mut model = Sequential::new();
            if declared == "Input" {
                model.add(input(&shape)).expect("add Input");
            }
            for (i, spec) in specs.iter().enumerate() {
                let first = (i == 0 && declared == "input_shape").then_some(shape.as_slice());
                make_layer(spec, first).add_to(&mut model).expect("add");
            }
            Built::Sequential(model)
        }
    }
}

fn optimizer(spec: &Value) -> Box<dyn Optimizer> {
    let name = spec["name"].as_str().expect("optimizer name");
    let lr = || spec["learning_rate"].as_f64().expect("learning_rate") as f32;
    match name {
        "sgd" | "rmsprop" | "adam" | "adagrad" => kerust::optimizers::get(name).expect("by name"),
        "SGD" => Box::new(
            SGD::new(lr())
                .momentum(spec.get("momentum").and_then(Value::as_f64).unwrap_or(0.0) as f32)
                .nesterov(
                    spec.get("nesterov")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                ),
        ),
        "RMSprop" => Box::new(RMSprop::new(lr())),
        "Adam" => Box::new(Adam::new(lr())),
        "Adagrad" => Box::new(Adagrad::new(lr())),
        other => panic!("unknown optimizer {other} in a fixture"),
    }
}

// ---------------------------------------------------------------- checks

/// Runs every check of one fixture and returns the disagreements.
fn check_fixture(name: &str) -> Vec<String> {
    let fx = load(name);
    let mut errors = Vec::new();
    let mut built = build(&fx);
    let model = built.graph();

    // shapes and parameter counts, per layer and in total
    let shapes: Vec<Vec<usize>> = fx["output_shapes"]
        .as_array()
        .expect("output_shapes")
        .iter()
        .map(usizes)
        .collect();
    let params = usizes(&fx["layer_params"]);
    if model.layers().len() != shapes.len() {
        errors.push(format!(
            "{} layers, Keras {}",
            model.layers().len(),
            shapes.len()
        ));
    }
    for (i, (shape, &p)) in shapes.iter().zip(&params).enumerate() {
        let layer = model.layer(i);
        if layer.output_shape() != shape.as_slice() {
            errors.push(format!(
                "layer {i} ({}): output shape {:?}, Keras {shape:?}",
                layer.name(),
                layer.output_shape()
            ));
        }
        if layer.count_params() != p {
            errors.push(format!(
                "layer {i} ({}): {} params, Keras {p}",
                layer.name(),
                layer.count_params()
            ));
        }
    }
    let total = fx["count_params"].as_u64().expect("count_params") as usize;
    if model.count_params() != total {
        errors.push(format!(
            "count_params {}, Keras {total}",
            model.count_params()
        ));
    }

    // the given weights, set and read back
    let initial: Vec<ArrayD<f32>> = fx["weights"]
        .as_array()
        .expect("weights")
        .iter()
        .map(|w| decode(w, None))
        .collect();
    if let Err(e) = model.set_weights(&initial) {
        errors.push(format!("set_weights: {e}"));
        return errors;
    }
    for (i, (got, want)) in model.get_weights().iter().zip(&initial).enumerate() {
        if got != want {
            errors.push(format!(
                "get_weights()[{i}] differs from what set_weights was given"
            ));
        }
    }

    // predictions
    let x = decode(&fx["x_predict"], None);
    match model.predict(&x) {
        Ok(p) => errors.extend(compare("predict", &p, &decode(&fx["predictions"], None))),
        Err(e) => errors.push(format!("predict: {e}")),
    }

    // each loss on given arrays
    for case in fx["loss_cases"].as_array().expect("loss_cases") {
        errors.extend(check_loss_case(case));
    }

    // train_on_batch x3 per optimizer and loss
    let xs: Vec<ArrayD<f32>> = fx["train_x"]
        .as_array()
        .map(|a| a.iter().map(|v| decode(v, None)).collect())
        .unwrap_or_default();
    for (r, run) in fx["runs"].as_array().expect("runs").iter().enumerate() {
        let label = format!(
            "run {r} ({}, {}, {}, targets {})",
            run["optimizer"],
            run["loss"].as_str().unwrap_or("?"),
            run["metrics"],
            run["targets"].as_str().unwrap_or("?")
        );
        let ys: Vec<ArrayD<f32>> = fx["targets"][run["targets"].as_str().expect("targets")]
            .as_array()
            .expect("target batches")
            .iter()
            .map(|v| decode(v, None))
            .collect();
        let mut built = build(&fx);
        let model = built.graph();
        model.set_weights(&initial).expect("set_weights");
        let metrics: Vec<String> = run["metrics"]
            .as_array()
            .expect("metrics")
            .iter()
            .map(|m| m.as_str().expect("metric").to_string())
            .collect();
        if let Err(e) = model.compile(
            optimizer(&run["optimizer"]),
            run["loss"].as_str().expect("loss"),
            &metrics,
        ) {
            errors.push(format!("{label}: compile: {e}"));
            continue;
        }
        for (s, ((x, y), step)) in xs
            .iter()
            .zip(&ys)
            .zip(run["steps"].as_array().expect("steps"))
            .enumerate()
        {
            match model.train_on_batch(x, y) {
                Ok((loss, got_metrics)) => {
                    let want_loss = step["loss"].as_f64().expect("loss") as f32;
                    if !close(loss, want_loss) {
                        errors.push(format!(
                            "{label} step {}: loss {loss}, Keras {want_loss}",
                            s + 1
                        ));
                    }
                    let want_metrics = floats(&step["metrics"]);
                    if got_metrics.len() != want_metrics.len() {
                        errors.push(format!(
                            "{label} step {}: {} metric values, Keras {}",
                            s + 1,
                            got_metrics.len(),
                            want_metrics.len()
                        ));
                    }
                    for ((m, g), w) in metrics.iter().zip(&got_metrics).zip(&want_metrics) {
                        if !close(*g, *w) {
                            errors
                                .push(format!("{label} step {}: metric {m} {g}, Keras {w}", s + 1));
                        }
                    }
                }
                Err(e) => errors.push(format!("{label} step {}: train_on_batch: {e}", s + 1)),
            }
        }
        let after = model.get_weights();
        for (i, want) in run["weights_after"]
            .as_array()
            .expect("weights_after")
            .iter()
            .enumerate()
        {
            let want = decode(want, Some(&initial[i]));
            match after.get(i) {
                Some(got) => errors.extend(compare(
                    &format!("{label}: weight {i} after 3 steps"),
                    got,
                    &want,
                )),
                None => errors.push(format!("{label}: no weight {i}")),
            }
        }
    }
    errors
}

fn check_loss_case(case: &Value) -> Vec<String> {
    let name = case["loss"].as_str().expect("loss");
    let loss = match Loss::from_name(name) {
        Ok(l) => l,
        Err(e) => return vec![format!("loss {name}: {e}")],
    };
    let t = decode(&case["y_true"], None);
    let p = decode(&case["y_pred"], None);
    let mut errors = Vec::new();
    let want = case["value"].as_f64().expect("value") as f32;
    let got = match loss.value(t.view(), p.view()) {
        Ok(v) => v,
        Err(e) => return vec![format!("loss {name}: {e}")],
    };
    if !close(got, want) {
        errors.push(format!(
            "loss {name} on y_true {:?} / y_pred {:?}: {got}, Keras {want}",
            t.shape(),
            p.shape()
        ));
    }
    let want_ps = decode(&case["per_sample"], None);
    let got_ps = match loss.per_sample(t.view(), p.view()) {
        Ok(v) => v,
        Err(e) => return vec![format!("loss {name} per sample: {e}")],
    };
    let got_ps = ArrayD::from_shape_vec(vec![got_ps.len()], got_ps).expect("1-D");
    let want_flat = want_ps
        .clone()
        .into_shape_with_order(vec![want_ps.len()])
        .expect("flat");
    errors.extend(compare(
        &format!("loss {name} per sample on y_pred {:?}", p.shape()),
        &got_ps,
        &want_flat,
    ));
    errors
}

fn assert_fixture(name: &str) {
    let errors = check_fixture(name);
    if !errors.is_empty() {
        let shown: Vec<&str> = errors.iter().take(40).map(String::as_str).collect();
        panic!(
            "{name}: {} disagreements with Keras:\n  {}{}",
            errors.len(),
            shown.join("\n  "),
            if errors.len() > 40 { "\n  ..." } else { "" }
        );
    }
}

// ---------------------------------------------------------------- tests

#[test]
fn losses_on_given_arrays() {
    let fx = load("losses");
    let errors: Vec<String> = fx["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .flat_map(check_loss_case)
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn every_fixture_is_present() {
    // Guards against a fixture silently disappearing.
    for name in ALL {
        let fx = load(name);
        assert_eq!(fx["name"], *name);
    }
}

const ALL: &[&str] = &[
    "seed003_practice1_41",
    "seed003_practice2_26",
    "seed003_dense3_8",
    "seed003_dense3_8_relu",
    "seed003_practice3",
    "seed000_neuron",
    "seed000_net70",
    "seed004_perceptron_input",
    "seed004_perceptron_dense",
    "seed001_784_32_10_sequential",
    "seed001_784_32_10_functional",
    "seed002_mnist_mlp",
    "cnn_small",
    "conv_same_strides2",
    "softmax_small",
    "softmax_activation_layer_functional",
    "multilabel_sigmoid",
    "activations_a",
    "activations_b",
    "dropout_mlp",
    "linear_regression_1d",
    "one_feature_mlp",
    "cnn_mnist_summary",
    "saturated_sigmoid",
    "saturated_softmax",
    "pooling_average_global_max",
    "pooling_average_global_average",
    "reshape_global_average_1d_softmax",
    "reshape_conv_integer_sizes",
    "embedding_global_average",
    "batch_normalization_mlp",
];

macro_rules! parity {
    ($($test:ident => $name:literal),* $(,)?) => {$(
        #[test]
        fn $test() {
            assert_fixture($name);
        }
    )*};
}

parity! {
    seed003_practice1_41 => "seed003_practice1_41",
    seed003_practice2_26 => "seed003_practice2_26",
    seed003_dense3_8 => "seed003_dense3_8",
    seed003_dense3_8_relu => "seed003_dense3_8_relu",
    seed003_practice3 => "seed003_practice3",
    seed000_neuron => "seed000_neuron",
    seed000_net70 => "seed000_net70",
    seed004_perceptron_input => "seed004_perceptron_input",
    seed004_perceptron_dense => "seed004_perceptron_dense",
    seed001_784_32_10_sequential => "seed001_784_32_10_sequential",
    seed001_784_32_10_functional => "seed001_784_32_10_functional",
    seed002_mnist_mlp => "seed002_mnist_mlp",
    softmax_small => "softmax_small",
    softmax_activation_layer_functional => "softmax_activation_layer_functional",
    multilabel_sigmoid => "multilabel_sigmoid",
    activations_a => "activations_a",
    activations_b => "activations_b",
    dropout_mlp => "dropout_mlp",
    linear_regression_1d => "linear_regression_1d",
    one_feature_mlp => "one_feature_mlp",
    cnn_mnist_summary => "cnn_mnist_summary",
    saturated_sigmoid => "saturated_sigmoid",
    saturated_softmax => "saturated_softmax",
    cnn_small => "cnn_small",
    conv_same_strides2 => "conv_same_strides2",
    pooling_average_global_max => "pooling_average_global_max",
    pooling_average_global_average => "pooling_average_global_average",
    reshape_global_average_1d_softmax => "reshape_global_average_1d_softmax",
    reshape_conv_integer_sizes => "reshape_conv_integer_sizes",
    embedding_global_average => "embedding_global_average",
    batch_normalization_mlp => "batch_normalization_mlp",
}
