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
