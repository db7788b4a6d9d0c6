//! The layers of the next tutorials (issue 15): summary rows, Keras
//! defaults, and save/load round trips (predictions bitwise equal).
//! Forward and training numbers are checked against real Keras in
//! `tests/keras_parity.rs`, gradients in `tests/gradients.rs`.

use kerust::prelude::*;
use ndarray::{ArrayD, IxDyn};

fn tmp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("kerust_layers_next_{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

fn ramp(shape: &[usize]) -> ArrayD<f32> {
    let n: usize = shape.iter().product();
    ArrayD::from_shape_vec(
        IxDyn(shape),
        (0..n)
            .map(|i| ((i * 7919) % 97) as f32 / 50.0 - 1.0)
            .collect(),
    )
    .unwrap()
}

/// Saves `model`, loads it back, and checks summary and predictions.
fn round_trip(model: &mut Sequential, x: &ArrayD<f32>, file: &str) {
    let path = tmp(file);
    model.save(&path).unwrap();
    let mut loaded = load_model(&path).unwrap();
    assert_eq!(loaded.summary_string(), model.summary_string());
    let a = model.predict(x).unwrap();
    let b = loaded.predict(x).unwrap();
    assert_eq!(
        a.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        b.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        "{file}: predictions after load"
    );
}

#[test]
fn pooling_layers_summary_and_round_trip() {
    let mut model = Sequential::new();
    model
        .add(Conv2D::new(4, 3).named("c").input_shape([9, 9, 2]))
        .unwrap();
    model.add(MaxPooling2D::default().named("mp")).unwrap();
    model
        .add(
            AveragePooling2D::new(3)
                .strides(1)
                .padding("same")
                .named("ap"),
        )
        .unwrap();
    model.add(GlobalMaxPooling2D::new().named("gmp")).unwrap();
    model.add(Reshape::new([2, 2]).named("r")).unwrap();
    model
        .add(GlobalAveragePooling1D::new().named("gap1"))
        .unwrap();
    model.add(Dense::new(3).named("d")).unwrap();
    model.add(Softmax::new().named("sm")).unwrap();
    let text = model.summary_string();
    for (name, shape, params) in [
        ("c (Conv2D)", "(None, 7, 7, 4)", 76),
        ("mp (MaxPooling2D)", "(None, 3, 3, 4)", 0),
        ("ap (AveragePooling2D)", "(None, 3, 3, 4)", 0),
        ("gmp (GlobalMaxPooling2D)", "(None, 4)", 0),
        ("r (Reshape)", "(None, 2, 2)", 0),
        ("gap1 (GlobalAveragePooling1D", "(None, 2)", 0),
        ("sm (Softmax)", "(None, 3)", 0),
    ] {
        let row = format!("{name:<29}{shape:<26}{params:<10}");
        assert!(text.contains(&row), "missing row {row:?} in\n{text}");
    }
    round_trip(&mut model, &ramp(&[2, 9, 9, 2]), "pooling.kerust");

    let mut m2 = Sequential::new();
    m2.add(GlobalAveragePooling2D::new().input_shape([3, 3, 2]))
        .unwrap();
    round_trip(&mut m2, &ramp(&[2, 3, 3, 2]), "gap2.kerust");
}

#[test]
fn integer_sizes_equal_pairs() {
    let a = Conv2D::new(8, 3).strides(2);
    let b = Conv2D::new(8, (3, 3)).strides((2, 2));
    assert_eq!(
        format!("{a:?}").split_once(',').unwrap().1,
        format!("{b:?}").split_once(',').unwrap().1
    );
    let p = MaxPooling2D::default();
    assert!(format!("{p:?}").contains("pool_size: [2,2]"), "{p:?}");
}

#[test]
fn embedding_summary_and_round_trip() {
    let mut model = Sequential::new();
    model
        .add(Embedding::new(100, 8).named("e").input_shape([5]))
        .unwrap();
    model.add(GlobalAveragePooling1D::new().named("g")).unwrap();
    let text = model.summary_string();
    let row = format!("{:<29}{:<26}{:<10}", "e (Embedding)", "(None, 5, 8)", 800);
    assert!(text.contains(&row), "{text}");
    // Keras' RandomUniform(-0.05, 0.05).
    let w = &model.get_weights()[0];
    assert!(w.iter().all(|v| v.abs() <= 0.05) && w.iter().any(|v| v.abs() > 0.04));
    let x = ramp(&[3, 5]).mapv(|v| ((v + 1.0) * 49.0).floor());
    round_trip(&mut model, &x, "embedding.kerust");
}

fn fixture_array(v: &serde_json::Value) -> ArrayD<f32> {
    let shape: Vec<usize> = v["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect();
    let data: Vec<f32> = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_f64().unwrap() as f32)
        .collect();
    ArrayD::from_shape_vec(IxDyn(&shape), data).unwrap()
}

fn assert_close(what: &str, got: &ArrayD<f32>, want: &ArrayD<f32>) {
    assert_eq!(got.shape(), want.shape(), "{what}: shape");
    for (i, (a, b)) in got.iter().zip(want).enumerate() {
        assert!(
            (a - b).abs() <= 1e-5 * b.abs().max(1.0),
            "{what}[{i}]: kerust {a}, Keras {b}"
        );
    }
}

/// `Normalization`: adapt's mean, population variance and count, the
/// outputs (a constant feature divided by Keras' epsilon), and given
/// mean/variance, against real Keras (`tests/fixtures/normalization.json`).
#[test]
fn normalization_matches_keras() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/normalization.json"
    );
    let fx: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for (k, case) in fx["cases"].as_array().unwrap().iter().enumerate() {
        let x = fixture_array(&case["x"]);
        let mut layer = Normalization::new();
        if let Some(data) = case.get("data") {
            layer.adapt(&fixture_array(data)).unwrap();
        } else {
            let v = |key: &str| -> Vec<f32> {
                case[key]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|d| d.as_f64().unwrap() as f32)
                    .collect()
            };
            layer = layer.mean(&v("mean")).variance(&v("variance"));
            layer = match x.shape()[1..] {
                [a] => layer.input_shape([a]),
                _ => unreachable!(),
            };
        }
        let mut model = Sequential::new();
        model.add(layer).unwrap();
        assert_eq!(
            model.count_params() as u64,
            case["count_params"].as_u64().unwrap(),
            "case {k}"
        );
        assert_eq!(model.count_trainable_params(), 0);
        if let Some(ws) = case.get("weights") {
            for (i, (got, want)) in model
                .get_weights()
                .iter()
                .zip(ws.as_array().unwrap())
                .enumerate()
            {
                assert_close(&format!("case {k} weight {i}"), got, &fixture_array(want));
            }
        }
        assert_close(
            &format!("case {k} outputs"),
            &model.predict(&x).unwrap(),
            &fixture_array(&case["y"]),
        );
        round_trip(&mut model, &x, &format!("normalization{k}.kerust"));
    }
}

#[test]
fn summary_counts_non_trainable_params() {
    let data = ramp(&[10, 9]);
    let mut normalizer = Normalization::new().named("norm");
    normalizer.adapt(&data).unwrap();
    let mut model = Sequential::new();
    model.add(normalizer).unwrap();
    model.add(Dense::new(4).named("d")).unwrap();
    model.add(BatchNormalization::new().named("bn")).unwrap();
    model
        .add(Dense::new(1).named("out").trainable(false))
        .unwrap();
    let text = model.summary_string();
    for (name, shape, params) in [
        ("norm (Normalization)", "(None, 9)", 19),
        ("bn (BatchNormalization)", "(None, 4)", 16),
    ] {
        let row = format!("{name:<29}{shape:<26}{params:<10}");
        assert!(text.contains(&row), "missing {row:?} in\n{text}");
    }
    // 19 + 40 + 16 + 5 = 80; trainable: Dense 40 + gamma/beta 8.
    assert!(
        text.ends_with(
            "Total params: 80\nTrainable params: 48\nNon-trainable params: 32\n_________________________________________________________________\n"
        ),
        "{text}"
    );
    // Training changes neither the frozen layer nor the statistics of
    // Normalization; it moves BatchNormalization's moving mean.
    model.compile(SGD::new(0.1), "mse", NO_METRICS).unwrap();
    let before = model.get_weights();
    let y = ramp(&[10, 1]);
    model
        .fit(&data, &y, Fit::epochs(2).batch_size(5).verbose(0))
        .unwrap();
    let after = model.get_weights();
    for i in [0, 1, 2, 9, 10] {
        assert_eq!(after[i], before[i], "weight {i} must not train");
    }
    for i in [3, 4, 5, 6, 7] {
        assert_ne!(after[i], before[i], "weight {i} must change");
    }
    round_trip(&mut model, &data, "frozen.kerust");
    let path = tmp("frozen.kerust");
    let loaded = load_model(&path).unwrap();
    assert_eq!(loaded.count_trainable_params(), 48);
}

/// Chollet's style: no input shape, built from the first data (Keras 3).
#[test]
fn deferred_build_from_the_first_data() {
    let mut model = Sequential::new();
    model
        .add(Dense::new(16).activation("relu").named("a"))
        .unwrap();
    model
        .add(Dense::new(1).activation("sigmoid").named("b"))
        .unwrap();
    assert!(!model.is_built());
    assert!(model
        .summary_string()
        .starts_with("This model has not yet been built. Build the model first by calling fit()"));
    model
        .compile("rmsprop", "binary_crossentropy", ["accuracy"])
        .unwrap();
    // A failed build leaves it unbuilt.
    assert!(model.predict(&ArrayD::<f32>::zeros(IxDyn(&[]))).is_err());
    assert!(!model.is_built());
    let x = ramp(&[8, 5]);
    let y = x
        .slice(ndarray::s![.., 0..1])
        .mapv(|v| f32::from(v > 0.0))
        .into_dyn();
    model.fit(&x, &y, Fit::epochs(2).verbose(0)).unwrap();
    assert!(model.is_built());
    assert_eq!(model.input_shape(), Some(&[5][..]));
    assert_eq!(model.count_params(), 5 * 16 + 16 + 17);
    let row = format!("{:<29}{:<26}{:<10}", "a (Dense)", "(None, 16)", 96);
    assert!(model.summary_string().contains(&row));
    let mut p = Sequential::new();
    p.add(Dense::new(3)).unwrap();
    assert_eq!(p.predict(&ramp(&[2, 4])).unwrap().shape(), &[2, 3]);
}

/// Keras 3's `_adjust_input_rank`: `(n,)` data for an input shape `(1,)`.
#[test]
fn rank_one_data_for_one_feature() {
    let mut model = Sequential::new();
    model.add(Normalization::new().input_shape([1])).unwrap();
    model.add(Dense::new(1)).unwrap();
    model.compile("adam", "mse", NO_METRICS).unwrap();
    let x = ndarray::array![1.0f32, 2.0, 3.0];
    let y = ndarray::array![2.0f32, 4.0, 6.0];
    let col = x.clone().insert_axis(ndarray::Axis(1));
    assert_eq!(model.predict(&x).unwrap(), model.predict(&col).unwrap());
    model.fit(&x, &y, Fit::epochs(1).verbose(0)).unwrap();
    model.evaluate_with(&x, &y, Evaluate::verbose(0)).unwrap();
    model.train_on_batch(&x, &y).unwrap();
}
