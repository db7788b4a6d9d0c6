//! A catalog of bad inputs across the model, layer, training and saving
//! API (issue 7). Each case must return an `Err` (never panic) whose
//! message names the argument or layer, what was expected and what came,
//! and must leave the model's weights and optimizer state bitwise unchanged.
//!
//! Layers are given explicit names (`.named("hidden")`) so that messages can
//! be asserted without depending on the process-global name counter.

use kerust::model::Graph;
use kerust::optimizers::State;
use kerust::prelude::*;
use kerust::ErrorKind;
use std::path::PathBuf;

// ---------------------------------------------------------------- helpers

/// Everything that must not change when a call fails.
#[derive(Debug, PartialEq)]
struct Snapshot {
    weights: Vec<(Vec<usize>, Vec<u32>)>,
    optimizer: Option<State>,
    history_len: Option<usize>,
}

fn snapshot(m: &Graph) -> Snapshot {
    Snapshot {
        weights: m
            .get_weights()
            .iter()
            .map(|w| (w.shape().to_vec(), w.iter().map(|v| v.to_bits()).collect()))
            .collect(),
        optimizer: m.optimizer().map(|o| o.state().clone()),
        history_len: m.history().map(|h| h.epoch.len()),
    }
}

/// Asserts that `r` is an error whose message contains every part.
#[track_caller]
fn err_with<T: std::fmt::Debug>(r: kerust::Result<T>, parts: &[&str]) -> Error {
    let e = match r {
        Ok(v) => panic!("expected an error containing {parts:?}, got Ok({v:?})"),
        Err(e) => e,
    };
    let msg = e.to_string();
    for p in parts {
        assert!(msg.contains(p), "message {msg:?} lacks {p:?}");
    }
    e
}

/// Runs `f` on `model`, expects an error containing `parts`, and checks
/// that weights, optimizer state and history did not change.
#[track_caller]
fn fails_unchanged<M, T>(
    model: &mut M,
    parts: &[&str],
    f: impl FnOnce(&mut M) -> kerust::Result<T>,
) -> Error
where
    M: std::ops::DerefMut<Target = Graph>,
    T: std::fmt::Debug,
{
    let before = snapshot(model);
    let e = err_with(f(model), parts);
    assert_eq!(snapshot(model), before, "a failed call changed the model");
    e
}

/// A compiled model (3 inputs -> `hidden` 4 relu -> `out` 1) that has
/// taken one Adam step, so that its optimizer state is not empty.
fn trained_mse() -> Sequential {
    let mut m = Sequential::new();
    m.add(
        Dense::new(4)
            .named("hidden")
            .input_shape([3])
            .activation("relu"),
    )
    .unwrap();
    m.add(Dense::new(1).named("out")).unwrap();
    m.compile("adam", "mse", ["mae"]).unwrap();
    let x = array![[0.1f32, 0.2, 0.3], [0.4, 0.5, 0.6]];
    let y = array![[1.0f32], [0.0]];
    m.train_on_batch(&x, &y).unwrap();
    assert!(!m.optimizer().unwrap().state().slots.is_empty());
    m
}

/// A compiled 3-class classifier (2 inputs -> `probs` 3 softmax).
fn classifier() -> Sequential {
    let mut m = Sequential::new();
    m.add(
        Dense::new(3)
            .named("probs")
            .input_shape([2])
            .activation("softmax"),
    )
    .unwrap();
    m.compile(
        SGD::new(0.1).momentum(0.9),
        "sparse_categorical_crossentropy",
        ["accuracy"],
    )
    .unwrap();
    let x = array![[0.1f32, 0.2], [0.3, 0.4]];
    m.train_on_batch(&x, &array![0u8, 2]).unwrap();
    m
}

fn x4() -> Array2<f32> {
    Array2::from_shape_fn((4, 3), |(i, j)| (i * 3 + j) as f32 / 10.0)
}
fn y4() -> Array2<f32> {
    Array2::from_shape_fn((4, 1), |(i, _)| i as f32)
}

fn tmp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kerust_errors_{}_{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A saved model file (the `trained_mse` model) and its JSON.
fn saved_model(name: &str) -> (PathBuf, serde_json::Value) {
    let path = tmp_dir(name).join("model.kerust");
    trained_mse().save(&path).unwrap();
    let doc = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    (path, doc)
}

fn write_json(path: &PathBuf, doc: &serde_json::Value) {
    std::fs::write(path, serde_json::to_string(doc).unwrap()).unwrap();
}

// ------------------------------------------------- shapes at fit/predict/...

#[test]
fn fit_with_wrong_feature_count() {
    let mut m = trained_mse();
    let x = Array2::<f32>::zeros((4, 2));
    let e = fails_unchanged(&mut m, &["hidden", "(None, 3)", "(None, 2)", "x"], |m| {
        m.fit(&x, &y4(), Fit::epochs(1).verbose(0))
    });
    assert_eq!(e.kind(), ErrorKind::Shape);
}

#[test]
fn fit_with_wrong_rank() {
    let mut m = trained_mse();
    let x = Array3::<f32>::zeros((4, 3, 1));
    fails_unchanged(
        &mut m,
        &["hidden", "(None, 3)", "(None, 3, 1)", "(4, 3, 1)"],
        |m| m.fit(&x, &y4(), Fit::epochs(1).verbose(0)),
    );
}

#[test]
fn predict_with_wrong_shape() {
    let mut m = trained_mse();
    let x = Array2::<f32>::zeros((2, 5));
    fails_unchanged(&mut m, &["hidden", "(None, 3)", "(None, 5)"], |m| {
        m.predict(&x)
    });
}

#[test]
fn predict_on_a_scalar() {
    let mut m = trained_mse();
    let x = ndarray::arr0(1.0f32);
    fails_unchanged(&mut m, &["hidden", "(None, 3)", "scalar"], |m| {
        m.predict(&x)
    });
}

#[test]
fn predict_on_a_vector_missing_the_batch_axis() {
    let mut m = trained_mse();
    let x = array![1.0f32, 2.0, 3.0];
    fails_unchanged(&mut m, &["hidden", "(None, 3)", "(3,)"], |m| m.predict(&x));
}

#[test]
fn evaluate_with_wrong_shape() {
    let mut m = trained_mse();
    let x = Array2::<f32>::zeros((4, 4));
    fails_unchanged(&mut m, &["hidden", "(None, 3)", "(None, 4)"], |m| {
        m.evaluate(&x, &y4())
    });
}

#[test]
fn train_on_batch_with_wrong_shape() {
    let mut m = trained_mse();
    let x = Array2::<f32>::zeros((4, 7));
    fails_unchanged(&mut m, &["hidden", "(None, 3)", "(None, 7)"], |m| {
        m.train_on_batch(&x, &y4())
    });
}

#[test]
fn targets_with_wrong_shape() {
    let mut m = trained_mse();
    let y = Array2::<f32>::zeros((4, 2));
    fails_unchanged(&mut m, &["mse", "(4, 1)", "(4, 2)"], |m| {
        m.fit(&x4(), &y, Fit::epochs(1).verbose(0))
    });
}

#[test]
fn x_and_y_with_different_sample_counts() {
    let mut m = trained_mse();
    let y = Array2::<f32>::zeros((5, 1));
    fails_unchanged(&mut m, &["samples", "4", "5"], |m| {
        m.fit(&x4(), &y, Fit::epochs(1).verbose(0))
    });
    fails_unchanged(&mut m, &["samples", "4", "5"], |m| m.evaluate(&x4(), &y));
    fails_unchanged(&mut m, &["samples", "4", "5"], |m| {
        m.train_on_batch(&x4(), &y)
    });
}

#[test]
fn y_is_a_scalar() {
    let mut m = trained_mse();
    let y = ndarray::arr0(1.0f32);
    fails_unchanged(&mut m, &["y", "scalar", "4 samples"], |m| {
        m.train_on_batch(&x4(), &y)
    });
}

#[test]
fn empty_x() {
    let mut m = trained_mse();
    let x = Array2::<f32>::zeros((0, 3));
    let y = Array2::<f32>::zeros((0, 1));
    fails_unchanged(&mut m, &["x", "empty", "0 samples"], |m| {
        m.fit(&x, &y, Fit::epochs(1).verbose(0))
    });
    fails_unchanged(&mut m, &["x", "empty", "0 samples"], |m| m.predict(&x));
    fails_unchanged(&mut m, &["x", "empty"], |m| m.evaluate(&x, &y));
    fails_unchanged(&mut m, &["x", "empty"], |m| m.train_on_batch(&x, &y));
}

#[test]
fn nan_in_x() {
    let mut m = trained_mse();
    let mut x = x4();
    x[[2, 1]] = f32::NAN;
    fails_unchanged(&mut m, &["x", "NaN", "finite"], |m| {
        m.fit(&x, &y4(), Fit::epochs(1).verbose(0))
    });
    fails_unchanged(&mut m, &["x", "NaN"], |m| m.predict(&x));
    fails_unchanged(&mut m, &["x", "NaN"], |m| m.train_on_batch(&x, &y4()));
}

#[test]
fn nan_in_a_later_batch_of_a_long_predict() {
    // Enough rows for several batches shared by the call's threads.
    let mut m = Sequential::new();
    m.add(Dense::new(64).input_shape([784]).activation("relu"))
        .unwrap();
    m.add(Dense::new(1)).unwrap();
    let mut x = Array2::<f32>::zeros((3000, 784));
    x[[2500, 1]] = f32::NAN;
    x[[2900, 0]] = f32::INFINITY;
    let want = format!("at flat index {}", 2500 * 784 + 1);
    fails_unchanged(&mut m, &["x", "NaN", &want], |m| m.predict(&x));
    x[[2500, 1]] = 0.0;
    x[[2900, 0]] = 0.0;
    assert_eq!(m.predict(&x).unwrap().shape(), &[3000, 1]);
}

#[test]
fn inf_in_x() {
    let mut m = trained_mse();
    let mut x = x4();
    x[[0, 0]] = f32::NEG_INFINITY;
    fails_unchanged(&mut m, &["x", "-inf", "finite"], |m| m.evaluate(&x, &y4()));
}

#[test]
fn nan_and_inf_in_y() {
    let mut m = trained_mse();
    let mut y = y4();
    y[[3, 0]] = f32::INFINITY;
    fails_unchanged(&mut m, &["y", "inf", "finite"], |m| {
        m.fit(&x4(), &y, Fit::epochs(1).verbose(0))
    });
    y[[3, 0]] = f32::NAN;
    fails_unchanged(&mut m, &["y", "NaN", "finite"], |m| {
        m.train_on_batch(&x4(), &y)
    });
}

#[test]
fn f64_input_with_values_beyond_f32() {
    // 1e300 becomes +inf as f32: rejected like any infinity.
    let mut m = trained_mse();
    let x = Array2::<f64>::from_elem((2, 3), 1e300);
    fails_unchanged(&mut m, &["x", "inf"], |m| m.predict(&x));
}

// ------------------------------------------------------------ sparse labels

#[test]
fn sparse_label_out_of_range() {
    let mut m = classifier();
    let x = Array2::<f32>::zeros((3, 2));
    let y = array![0i64, 5, 1];
    fails_unchanged(
        &mut m,
        &["y[1]", "5", "0 to 2", "sparse_categorical_crossentropy"],
        |m| m.fit(&x, &y, Fit::epochs(1).verbose(0)),
    );
}

#[test]
fn sparse_label_negative() {
    let mut m = classifier();
    let x = Array2::<f32>::zeros((3, 2));
    let y = array![0i32, -1, 1];
    fails_unchanged(&mut m, &["y[1]", "-1", "0 to 2"], |m| m.evaluate(&x, &y));
}

#[test]
fn sparse_label_fractional() {
    let mut m = classifier();
    let x = Array2::<f32>::zeros((3, 2));
    let y = array![0.0f32, 1.5, 1.0];
    fails_unchanged(&mut m, &["y[1]", "1.5", "class indices"], |m| {
        m.train_on_batch(&x, &y)
    });
}

#[test]
fn sparse_labels_for_a_model_without_outputs() {
    // A Flatten of (None, 0) has 0 outputs: there is no valid class index.
    let mut m = Sequential::new();
    m.add(Flatten::new().named("flat").input_shape([0]))
        .unwrap();
    m.compile("sgd", "sparse_categorical_crossentropy", NO_METRICS)
        .unwrap();
    let x = Array2::<f32>::zeros((2, 0));
    let y = array![0u8, 0];
    fails_unchanged(&mut m, &["y[0]", "0 outputs"], |m| m.train_on_batch(&x, &y));
}

// ------------------------------------------------------------ layer sizes

#[test]
fn dense_with_zero_units() {
    let mut m = Sequential::new();
    let e = err_with(
        m.add(Dense::new(0).named("empty").input_shape([3])),
        &["empty", "units", "positive", "got 0"],
    );
    assert_eq!(e.kind(), ErrorKind::Value);
    assert!(m.layers().is_empty());
}

#[test]
fn dense_with_absurd_units_is_an_error_not_an_abort() {
    let mut m = Sequential::new();
    m.add(Dense::new(4).named("small").input_shape([3]))
        .unwrap();
    let before = snapshot(&m);
    err_with(
        m.add(Dense::new(1 << 40).named("huge")),
        &["huge", "kernel", "(4, 1099511627776)", "too large"],
    );
    assert_eq!(snapshot(&m), before);
    assert_eq!(m.layers().len(), 1);
    // The functional API goes through the same build.
    let input = Input::new([3]);
    err_with(
        Dense::new(1 << 40).named("huge2").call(&input),
        &["huge2", "too large"],
    );
    // units * inputs overflowing usize is also caught.
    err_with(
        Dense::new(usize::MAX).named("huge3").call(&input),
        &["huge3", "too large"],
    );
}

#[test]
fn conv2d_with_absurd_filters() {
    let mut m = Sequential::new();
    err_with(
        m.add(Conv2D::new(1 << 40, (3, 3)).input_shape([8, 8, 1])),
        &["conv2d", "kernel", "(3, 3, 1, 1099511627776)", "too large"],
    );
    err_with(
        m.add(
            Conv2D::new(1, (1 << 40, 1 << 40))
                .padding("same")
                .input_shape([8, 8, 1]),
        ),
        &["conv2d", "too large"],
    );
    assert!(m.layers().is_empty());
}

#[test]
fn conv2d_kernel_larger_than_input() {
    let mut m = Sequential::new();
    err_with(
        m.add(Conv2D::new(2, (5, 5)).input_shape([3, 3, 1])),
        &["conv2d", "(5, 5)", "(None, 3, 3, 1)"],
    );
}

#[test]
fn conv2d_zero_sizes() {
    let mut m = Sequential::new();
    err_with(
        m.add(Conv2D::new(0, (3, 3)).input_shape([8, 8, 1])),
        &["conv2d", "filters=0", "positive"],
    );
    err_with(
        m.add(
            Conv2D::new(2, (3, 3))
                .strides((0, 1))
                .input_shape([8, 8, 1]),
        ),
        &["conv2d", "strides=(0, 1)"],
    );
}

#[test]
fn conv2d_after_dense_needs_an_image() {
    let mut m = Sequential::new();
    m.add(Dense::new(4).named("vec").input_shape([3])).unwrap();
    let before = snapshot(&m);
    err_with(
        m.add(Conv2D::new(2, (3, 3))),
        &["conv2d", "(None, height, width, channels)", "(None, 4)"],
    );
    err_with(
        m.add(MaxPooling2D::new((2, 2))),
        &[
            "max_pooling2d",
            "(None, height, width, channels)",
            "(None, 4)",
        ],
    );
    assert_eq!(snapshot(&m), before);
    assert_eq!(m.layers().len(), 1);
    // Dense after Flatten is fine.
    m.add(Flatten::new()).unwrap();
    m.add(Dense::new(2)).unwrap();
    assert_eq!(m.output_shape(), Some(&[2][..]));
}

#[test]
fn flatten_of_a_shape_too_large_to_count() {
    let mut m = Sequential::new();
    err_with(
        m.add(Flatten::new().input_shape([1 << 40, 1 << 40])),
        &[
            "flatten",
            "(None, 1099511627776, 1099511627776)",
            "too large",
        ],
    );
}

#[test]
fn dropout_rate_out_of_range() {
    let mut m = Sequential::new();
    m.add(Dense::new(2).named("d").input_shape([2])).unwrap();
    err_with(
        m.add(Dropout::new(1.0)),
        &["dropout", "rate", "[0, 1)", "got 1"],
    );
    err_with(m.add(Dropout::new(-0.5)), &["rate", "got -0.5"]);
    err_with(m.add(Dropout::new(f32::NAN)), &["rate", "got NaN"]);
    assert_eq!(m.layers().len(), 1);
}

// ----------------------------------------------------------- fit options

#[test]
fn zero_batch_size() {
    let mut m = trained_mse();
    fails_unchanged(&mut m, &["batch_size", "positive", "got 0"], |m| {
        m.fit(&x4(), &y4(), Fit::epochs(1).batch_size(0).verbose(0))
    });
}

/// Keras' `fit(epochs=0)` trains nothing and returns an empty History;
/// kerust does the same (documented on `Fit::epochs`).
#[test]
fn zero_epochs_returns_an_empty_history() {
    let mut m = trained_mse();
    let before = snapshot(&m);
    let h = m.fit(&x4(), &y4(), Fit::epochs(0).verbose(0)).unwrap();
    assert!(h.epoch.is_empty());
    assert!(h["loss"].is_empty());
    assert_eq!(snapshot(&m).weights, before.weights);
    assert_eq!(snapshot(&m).optimizer, before.optimizer);
    // Bad data is still an error with 0 epochs.
    let x = Array2::<f32>::zeros((4, 2));
    fails_unchanged(&mut m, &["(None, 3)", "(None, 2)"], |m| {
        m.fit(&x, &y4(), Fit::epochs(0).verbose(0))
    });
}

#[test]
fn validation_split_outside_zero_one() {
    let mut m = trained_mse();
    for f in [0.0f32, 1.0, 1.5, -0.1, f32::NAN] {
        fails_unchanged(
            &mut m,
            &["validation_split", "between 0 and 1", &f.to_string()],
            |m| m.fit(&x4(), &y4(), Fit::epochs(1).validation_split(f).verbose(0)),
        );
    }
}

#[test]
fn validation_split_leaving_no_training_or_no_validation_samples() {
    // Keras 3 trains on the first floor(n * (1 - f)) samples: 4 at 0.9
    // leave none for training, 4 at 1e-20 none for validation.
    let mut m = trained_mse();
    for (f, says) in [(0.9f32, "0 for training"), (1e-20, "0 for validation")] {
        fails_unchanged(
            &mut m,
            &[&format!("validation_split={f}"), "4 samples", says],
            |m| m.fit(&x4(), &y4(), Fit::epochs(1).validation_split(f).verbose(0)),
        );
    }
}

#[test]
fn validation_data_with_wrong_shapes() {
    let mut m = trained_mse();
    let vx = Array2::<f32>::zeros((2, 5));
    let vy = Array2::<f32>::zeros((2, 1));
    fails_unchanged(&mut m, &["validation x", "(None, 3)", "(None, 5)"], |m| {
        m.fit(
            &x4(),
            &y4(),
            Fit::epochs(1).validation_data(&vx, &vy).verbose(0),
        )
    });
    let vx = Array2::<f32>::zeros((2, 3));
    let vy = Array2::<f32>::zeros((3, 1));
    fails_unchanged(&mut m, &["validation y", "2", "3", "samples"], |m| {
        m.fit(
            &x4(),
            &y4(),
            Fit::epochs(1).validation_data(&vx, &vy).verbose(0),
        )
    });
    let mut vy = Array2::<f32>::zeros((2, 1));
    vy[[0, 0]] = f32::NAN;
    fails_unchanged(&mut m, &["validation y", "NaN"], |m| {
        m.fit(
            &x4(),
            &y4(),
            Fit::epochs(1).validation_data(&vx, &vy).verbose(0),
        )
    });
}

// ----------------------------------------------------------- unknown names

#[test]
fn unknown_activation() {
    let mut m = Sequential::new();
    let e = err_with(
        m.add(
            Dense::new(2)
                .named("d")
                .input_shape([2])
                .activation("relux"),
        ),
        &[
            "layer d",
            "relux",
            "did you mean 'relu'",
            "sigmoid",
            "softmax",
        ],
    );
    assert_eq!(e.kind(), ErrorKind::UnknownName);
    err_with(
        m.add(Activation::new("sigmod").input_shape([2])),
        &["sigmod", "did you mean 'sigmoid'", "tanh"],
    );
    let input = Input::new([2]);
    err_with(
        Dense::new(2).activation("tahn").call(&input),
        &["tahn", "'tanh'"],
    );
    assert!(m.layers().is_empty());
}

#[test]
fn unknown_loss() {
    let mut m = trained_mse();
    let e = fails_unchanged(
        &mut m,
        &["loss", "msee", "did you mean 'mse'", "binary_crossentropy"],
        |m| m.compile("adam", "msee", NO_METRICS),
    );
    assert_eq!(e.kind(), ErrorKind::UnknownName);
    assert_eq!(
        m.loss(),
        Some(Loss::MeanSquaredError),
        "compile failed but changed the loss"
    );
}

#[test]
fn unknown_optimizer() {
    let mut m = trained_mse();
    fails_unchanged(
        &mut m,
        &[
            "optimizer",
            "adamm",
            "did you mean 'adam'",
            "sgd",
            "rmsprop",
        ],
        |m| m.compile("adamm", "mse", NO_METRICS),
    );
    assert_eq!(m.optimizer().unwrap().name(), "Adam");
}

#[test]
fn unknown_metric() {
    let mut m = trained_mse();
    fails_unchanged(
        &mut m,
        &["metric", "acuracy", "did you mean 'accuracy'"],
        |m| m.compile("adam", "mse", ["acuracy"]),
    );
}

#[test]
fn negative_learning_rate() {
    let mut m = trained_mse();
    fails_unchanged(&mut m, &["SGD", "learning_rate", "-0.1"], |m| {
        m.compile(SGD::new(-0.1), "mse", NO_METRICS)
    });
    fails_unchanged(&mut m, &["Adam", "learning_rate", "NaN"], |m| {
        m.compile(Adam::new(f32::NAN), "mse", NO_METRICS)
    });
}

// ----------------------------------------------------------- model state

fn uncompiled() -> Sequential {
    let mut m = Sequential::new();
    m.add(Dense::new(1).named("only").input_shape([3])).unwrap();
    m
}

#[test]
fn fit_before_compile() {
    let mut m = uncompiled();
    let e = fails_unchanged(&mut m, &["compile", "before calling fit"], |m| {
        m.fit(&x4(), &y4(), Fit::epochs(1).verbose(0))
    });
    assert_eq!(e.kind(), ErrorKind::State);
}

#[test]
fn evaluate_before_compile() {
    let mut m = uncompiled();
    fails_unchanged(&mut m, &["compile", "evaluate"], |m| {
        m.evaluate(&x4(), &y4())
    });
}

#[test]
fn train_on_batch_before_compile() {
    let mut m = uncompiled();
    fails_unchanged(&mut m, &["compile", "train_on_batch"], |m| {
        m.train_on_batch(&x4(), &y4())
    });
}

#[test]
fn evaluate_without_metrics_asks_for_evaluate_with() {
    let mut m = uncompiled();
    m.compile("sgd", "mse", NO_METRICS).unwrap();
    fails_unchanged(
        &mut m,
        &["evaluate", "without metrics", "evaluate_with"],
        |m| m.evaluate(&x4(), &y4()),
    );
}

#[test]
fn compile_without_layers() {
    let mut m = Sequential::new();
    err_with(
        m.compile("adam", "mse", NO_METRICS),
        &["no layers", "compile"],
    );
    assert!(m.optimizer().is_none());
}

#[test]
fn predict_without_layers() {
    let mut m = Sequential::new();
    err_with(m.predict(&x4()), &["no layers"]);
}

/// A first layer without an input shape is built from the first data
/// (Keras 3, issue 15); data it cannot take is an error naming the layer,
/// and the model stays unbuilt.
#[test]
fn first_layer_without_input_shape_and_data_it_cannot_take() {
    let mut m = Sequential::new();
    m.add(Conv2D::new(2, 3).named("conv")).unwrap();
    m.compile("adam", "mse", NO_METRICS).unwrap();
    err_with(
        m.predict(&x4()),
        &["layer conv expects input of shape (None, height, width, channels) but got (None, 3)"],
    );
    assert!(!m.is_built());
    err_with(
        m.fit(&x4(), &y4(), Fit::epochs(1).verbose(0)),
        &["layer conv expects input of shape"],
    );
    assert!(!m.is_built() && m.count_params() == 0);
}

#[test]
fn input_added_twice_or_not_first() {
    let mut m = Sequential::new();
    m.add(Input::new([3])).unwrap();
    err_with(
        m.add(Input::new([3])),
        &["Input", "first layer", "(None, 3)"],
    );
    m.add(Dense::new(2).named("d")).unwrap();
    err_with(m.add(Input::new([2])), &["Input", "first layer", "1 layer"]);
    assert_eq!(m.layers().len(), 1);
    assert_eq!(m.input_shape(), Some(&[3][..]));
}

#[test]
fn duplicate_layer_names() {
    let mut m = Sequential::new();
    m.add(Dense::new(2).named("same").input_shape([2])).unwrap();
    let before = snapshot(&m);
    err_with(m.add(Dense::new(2).named("same")), &["same", "unique"]);
    assert_eq!(snapshot(&m), before);
    let input = Input::new([2]);
    let a = Dense::new(2).named("twin").call(&input).unwrap();
    let b = Dense::new(2).named("twin").call(&a).unwrap();
    err_with(Model::new(&input, &b), &["twin", "unique"]);
}

#[test]
fn pop_on_an_empty_model() {
    let mut m = Sequential::new();
    err_with(m.pop(), &["no layers to pop"]);
}

// ------------------------------------------------------------ weights

#[test]
fn set_weights_with_wrong_count() {
    let mut m = trained_mse();
    let mut w = m.get_weights();
    w.pop();
    fails_unchanged(&mut m, &["set_weights", "4 arrays", "got 3"], |m| {
        m.set_weights(&w)
    });
    let mut w = m.get_weights();
    w.push(ArrayD::zeros(vec![1]));
    fails_unchanged(&mut m, &["set_weights", "4 arrays", "got 5"], |m| {
        m.set_weights(&w)
    });
}

#[test]
fn set_weights_with_wrong_shape() {
    let mut m = trained_mse();
    let mut w = m.get_weights();
    // The last array is wrong: nothing at all may be set ("all or nothing").
    w[0].fill(7.0);
    w[3] = ArrayD::zeros(vec![2]);
    let e = fails_unchanged(
        &mut m,
        &["set_weights", "weight 3", "layer out", "(1,)", "(2,)"],
        |m| m.set_weights(&w),
    );
    assert_eq!(e.kind(), ErrorKind::Shape);
    let mut w = m.get_weights();
    w[0] = ArrayD::zeros(vec![4, 3]);
    fails_unchanged(
        &mut m,
        &["weight 0", "layer hidden", "(3, 4)", "(4, 3)"],
        |m| m.set_weights(&w),
    );
}

#[test]
fn layer_index_out_of_range() {
    let m = trained_mse();
    err_with(
        m.layer(5).kernel_and_bias(),
        &["no layer 5", "2 layers", "0 to 1"],
    );
    err_with(m.layer(5).get_weights(), &["no layer 5"]);
    err_with(m.layer(5).layer(), &["no layer 5"]);
    assert_eq!(m.layer(5).name(), "");
    assert_eq!(m.layer(5).count_params(), 0);
}

#[test]
fn kernel_and_bias_of_a_layer_without_kernel() {
    let mut m = Sequential::new();
    m.add(Flatten::new().named("flat").input_shape([2, 2]))
        .unwrap();
    err_with(
        m.layer(0).kernel_and_bias(),
        &["flat", "Flatten", "kernel_and_bias", "Dense"],
    );
}

#[test]
fn get_layer_with_an_unknown_name() {
    let m = trained_mse();
    err_with(m.get_layer("hiden"), &["hiden", "hidden", "out"]);
}

// ----------------------------------------------------------- functional API

#[test]
fn model_output_from_another_input() {
    let a = Input::new([3]);
    let b = Input::new([3]);
    let out = Dense::new(2).call(&b).unwrap();
    let e = err_with(Model::new(&a, &out), &[b.name(), a.name(), "own Input"]);
    assert_eq!(e.kind(), ErrorKind::Value);
}

#[test]
fn call_with_wrong_declared_shape() {
    let input = Input::new([4]);
    err_with(
        Dense::new(2).named("decl").input_shape([3]).call(&input),
        &["decl", "(None, 3)", "(None, 4)"],
    );
    let img = Input::new([4]);
    err_with(
        Conv2D::new(2, (3, 3)).call(&img),
        &["conv2d", "(None, height, width, channels)", "(None, 4)"],
    );
}

#[test]
fn calling_an_input() {
    let a = Input::new([3]);
    err_with(Input::new([3]).call(&a), &["Input", "cannot be called"]);
}

#[test]
fn functional_model_wrong_input_at_predict() {
    let input = Input::new([3]);
    let out = Dense::new(1).named("fout").call(&input).unwrap();
    let mut m = Model::new(&input, &out).unwrap();
    let x = Array2::<f32>::zeros((2, 4));
    fails_unchanged(&mut m, &["fout", "(None, 3)", "(None, 4)"], |m| {
        m.predict(&x)
    });
}

// ----------------------------------------------------------- files

#[test]
fn load_missing_file() {
    let path = tmp_dir("missing").join("no_such_model.kerust");
    let e = err_with(
        load_model(&path),
        &["could not read", "no_such_model.kerust"],
    );
    assert_eq!(e.kind(), ErrorKind::Io);
}

#[test]
fn load_truncated_file() {
    let (path, _) = saved_model("truncated");
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    err_with(load_model(&path), &["model.kerust", "not valid JSON"]);
}

#[test]
fn load_non_json_file() {
    let path = tmp_dir("nonjson").join("digit.png");
    std::fs::write(&path, [0x89, b'P', b'N', b'G', 0, 0xff, 0xfe]).unwrap();
    err_with(load_model(&path), &["digit.png", "not"]);
}

#[test]
fn load_foreign_json() {
    let path = tmp_dir("foreign").join("config.json");
    std::fs::write(
        &path,
        r#"{"class_name": "Sequential", "config": {"layers": []}}"#,
    )
    .unwrap();
    err_with(
        load_model(&path),
        &["config.json", "not a kerust model file", "kerust-model"],
    );
    std::fs::write(&path, "[1, 2, 3]").unwrap();
    err_with(load_model(&path), &["not a kerust model file"]);
}

#[test]
fn load_future_version() {
    let (path, mut doc) = saved_model("future");
    doc["version"] = serde_json::json!(99);
    write_json(&path, &doc);
    err_with(
        load_model(&path),
        &["version", "99", "versions 1 to 1", "update kerust"],
    );
}

#[test]
fn load_file_whose_weights_do_not_match_its_layers() {
    let (path, mut doc) = saved_model("mismatch");
    // A kernel of the wrong shape (with data of that shape).
    doc["weights"][0]["shape"] = serde_json::json!([4, 3]);
    write_json(&path, &doc);
    err_with(
        load_model(&path),
        &["weight 0", "hidden", "(3, 4)", "(4, 3)"],
    );
    // A missing weight.
    let (path, mut doc) = saved_model("mismatch2");
    doc["weights"].as_array_mut().unwrap().pop();
    write_json(&path, &doc);
    err_with(load_model(&path), &["4 arrays", "got 3"]);
    // Data that does not fill the declared shape.
    let (path, mut doc) = saved_model("mismatch3");
    doc["weights"][1]["data"] = serde_json::json!("AAAAAA==");
    write_json(&path, &doc);
    err_with(load_model(&path), &["weight 1", "bytes", "expected 16"]);
}

#[test]
fn load_file_with_a_bad_layer_config() {
    let (path, mut doc) = saved_model("badlayer");
    doc["layers"][0]["config"]["units"] = serde_json::json!(0);
    write_json(&path, &doc);
    err_with(load_model(&path), &["hidden", "units", "got 0"]);
    doc["layers"][0]["config"]["units"] = serde_json::json!(1u64 << 40);
    write_json(&path, &doc);
    err_with(load_model(&path), &["hidden", "too large"]);
    doc["layers"][0]["class_name"] = serde_json::json!("LSTM");
    write_json(&path, &doc);
    err_with(load_model(&path), &["LSTM", "Dense"]);
}

#[test]
fn load_file_with_a_corrupt_optimizer_state() {
    let (path, mut doc) = saved_model("optstate");
    doc["compile"]["optimizer"]["state"]["iterations"] = serde_json::json!(u64::MAX);
    write_json(&path, &doc);
    // Either a clear error at load, or a model that trains without panicking.
    match load_model(&path) {
        Err(e) => assert!(e.to_string().contains("iterations"), "{e}"),
        Ok(mut m) => {
            let _ = m.train_on_batch(&x4(), &y4());
        }
    }
    doc["compile"]["optimizer"]["state"]["slots"] = serde_json::json!([[[1.0]]]);
    doc["compile"]["optimizer"]["state"]["iterations"] = serde_json::json!(3);
    write_json(&path, &doc);
    if let Ok(mut m) = load_model(&path) {
        m.train_on_batch(&x4(), &y4()).unwrap();
    }
}

#[test]
fn optimizer_slots_load_from_base64_and_from_the_earlier_lists_of_numbers() {
    let (path, mut doc) = saved_model("optslots");
    let slots = &doc["compile"]["optimizer"]["state"]["slots"];
    assert!(
        slots[0][0].is_string(),
        "slots are saved as base64: {slots}"
    );
    let saved = load_model(&path)
        .unwrap()
        .optimizer()
        .unwrap()
        .state()
        .clone();
    assert!(saved.slots[0][0].iter().any(|&v| v != 0.0), "{saved:?}");

    // Files written before the slots were base64 hold lists of numbers.
    doc["compile"]["optimizer"]["state"]["slots"] = serde_json::json!(saved.slots);
    write_json(&path, &doc);
    let loaded = load_model(&path).unwrap();
    assert_eq!(loaded.optimizer().unwrap().state(), &saved);

    doc["compile"]["optimizer"]["state"]["slots"] = serde_json::json!([["not base64!"]]);
    write_json(&path, &doc);
    err_with(load_model(&path), &["optimizer state slot", "base64"]);
    doc["compile"]["optimizer"]["state"]["slots"] = serde_json::json!([[{"a": 1}]]);
    write_json(&path, &doc);
    err_with(
        load_model(&path),
        &["'slots'", "base64 strings or of numbers"],
    );
}

#[test]
fn save_to_a_directory_that_does_not_exist() {
    let m = trained_mse();
    let path = tmp_dir("nodir")
        .join("no")
        .join("such")
        .join("dir")
        .join("m.kerust");
    let e = err_with(m.save(&path), &["could not save", "m.kerust"]);
    assert_eq!(e.kind(), ErrorKind::Io);
    assert!(!path.exists());
}

#[test]
fn save_over_a_directory_keeps_it() {
    let m = trained_mse();
    let dir = tmp_dir("overdir");
    let target = dir.join("taken");
    std::fs::create_dir_all(&target).unwrap();
    err_with(m.save(&target), &["could not save", "taken"]);
    assert!(target.is_dir());
    // No temporary file is left behind.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
}

// ----------------------------------------------------------- utils

#[test]
fn to_categorical_with_bad_labels() {
    err_with(
        utils::to_categorical(&array![0i32, -2], None),
        &["y[1]", "-2", "integers >= 0"],
    );
    err_with(
        utils::to_categorical(&array![0.5f32], None),
        &["y[0]", "0.5"],
    );
    err_with(
        utils::to_categorical(&array![f32::NAN], None),
        &["y[0]", "NaN"],
    );
    err_with(
        utils::to_categorical(&array![0u8, 3], 2),
        &["label 3", "num_classes=2"],
    );
    err_with(
        utils::to_categorical(&array![1e30f32], None),
        &["y[0]", "too large"],
    );
    err_with(
        utils::to_categorical(&array![0u8], 0),
        &["num_classes", "got 0"],
    );
    err_with(
        utils::to_categorical(&array![0u8], usize::MAX),
        &["num_classes"],
    );
}

#[test]
fn normalize_with_bad_axis() {
    let x = array![[3.0f32, 4.0]];
    err_with(
        utils::try_normalize(&x, 2),
        &["normalize", "axis 2", "rank 2"],
    );
    err_with(utils::try_normalize(&x, -3), &["axis -3", "rank 2"]);
    err_with(
        utils::try_normalize(&ndarray::arr0(1.0f32), 0),
        &["axis 0", "rank 0"],
    );
    // The unchecked form never panics either.
    let _ = utils::normalize(&x, isize::MIN);
    let _ = utils::normalize(&ndarray::arr0(1.0f32), 5);
}

// ----------------------------------------------------------- divergence

/// SGD with a learning rate of 1e10 on mse diverges. `fit` must stop with
/// a message naming the epoch and the batch, keep the History of the
/// finished epochs in `model.history()`, and leave the weights as they were
/// before the failing batch (they may already be huge).
#[test]
fn diverging_training_stops_with_epoch_and_batch() {
    utils::set_random_seed(7);
    let mut m = Sequential::new();
    m.add(Dense::new(8).input_shape([4]).activation("relu"))
        .unwrap();
    m.add(Dense::new(1)).unwrap();
    m.compile(SGD::new(1e10), "mse", ["mae"]).unwrap();
    let x = Array2::from_shape_fn((20, 4), |(i, j)| ((i * 4 + j) % 7) as f32 - 3.0);
    let y = Array2::from_shape_fn((20, 1), |(i, _)| i as f32);
    let replay = m.clone();
    let batch = 5;
    let e = m
        .fit(
            &x,
            &y,
            Fit::epochs(50).batch_size(batch).shuffle(false).verbose(0),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Numeric);
    let msg = e.to_string();
    let grab = |after: &str| -> usize {
        let rest = &msg[msg.find(after).unwrap_or_else(|| panic!("{msg}")) + after.len()..];
        rest.split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let (epoch, step) = (grab("epoch "), grab("batch "));
    assert!(msg.contains("/4"), "{msg}");
    assert!(msg.contains("learning rate"), "{msg}");
    // History kept: one entry per finished epoch.
    let h = m.history().expect("history kept after divergence");
    assert_eq!(h.epoch.len(), epoch - 1);
    assert_eq!(h["loss"].len(), epoch - 1);
    assert_eq!(h["mae"].len(), epoch - 1);
    // Replay the same batches with train_on_batch up to the failing one.
    let mut r = replay;
    let mut ok_steps = 0;
    'outer: for _ in 0..epoch {
        for b in 0..4 {
            if ok_steps == (epoch - 1) * 4 + step - 1 {
                break 'outer;
            }
            let xs = x.slice(s![b * batch..(b + 1) * batch, ..]);
            let ys = y.slice(s![b * batch..(b + 1) * batch, ..]);
            r.train_on_batch(&xs, &ys).unwrap();
            ok_steps += 1;
        }
    }
    assert_eq!(snapshot(&r).weights, snapshot(&m).weights);
    assert_eq!(snapshot(&r).optimizer, snapshot(&m).optimizer);
    // The failing batch also fails alone, and changes nothing.
    let b = step - 1;
    let xs = x.slice(s![b * batch..(b + 1) * batch, ..]).to_owned();
    let ys = y.slice(s![b * batch..(b + 1) * batch, ..]).to_owned();
    fails_unchanged(&mut m, &["train_on_batch", "loss"], |m| {
        m.train_on_batch(&xs, &ys)
    });
}

// Found by the issue-7 audit in src/layers/conv2d.rs (`conv_out`, owned by
// the convolution work): with padding "same", an image of height or width 0
// underflows `out - 1`, and a huge kernel overflows `(out - 1) * s + k`.
// Both panic with overflow checks on (debug builds, evcxr). Un-ignore once
// `conv_out` returns None for these.

#[test]
fn same_padding_on_an_empty_image() {
    let mut m = Sequential::new();
    m.add(Input::with_dims(vec![0, 5, 1])).unwrap();
    err_with(
        m.add(Conv2D::new(1, (1, 1)).padding("same")),
        &["conv2d", "(None, 0, 5, 1)"],
    );
    err_with(
        m.add(MaxPooling2D::new((1, 1)).padding("same")),
        &["max_pooling2d", "(None, 0, 5, 1)"],
    );
    assert!(m.layers().is_empty());
}

#[test]
fn same_padding_with_a_huge_kernel() {
    let mut m = Sequential::new();
    err_with(
        m.add(
            Conv2D::new(1, (usize::MAX, 1))
                .padding("same")
                .input_shape([4, 4, 1]),
        ),
        &["conv2d"],
    );
}

// ---------------------------------------------------------------- issue 14: losses, metrics, regularizers, evaluate

#[test]
fn unknown_loss_class_name_suggests_the_closest() {
    let mut m = uncompiled();
    let e = fails_unchanged(
        &mut m,
        &[
            "unknown loss 'SparseCategoricalCrossEntropy'",
            "did you mean 'sparse_categorical_crossentropy'",
        ],
        |m| m.compile("adam", "SparseCategoricalCrossEntropy", ["accuracy"]),
    );
    assert_eq!(e.kind(), ErrorKind::UnknownName);
}

#[test]
fn label_smoothing_out_of_range() {
    let mut m = uncompiled();
    fails_unchanged(
        &mut m,
        &[
            "CategoricalCrossentropy",
            "label_smoothing",
            "from 0 to 1",
            "1.5",
        ],
        |m| {
            m.compile(
                "adam",
                losses::CategoricalCrossentropy::new().label_smoothing(1.5),
                NO_METRICS,
            )
        },
    );
}

#[test]
fn loss_object_call_checks_its_arrays() {
    let f = losses::SparseCategoricalCrossentropy::new().from_logits(true);
    let e = f
        .call(&array![1.0f32, 3.0], &array![[0.0f32, 1.0, 2.0]])
        .unwrap_err();
    assert!(
        e.to_string().contains("different numbers of samples"),
        "{e}"
    );
    let e = f
        .call(&array![3.0f32], &array![[0.0f32, 1.0, 2.0]])
        .unwrap_err();
    assert!(e.to_string().contains("class indices 0 to 2"), "{e}");
    let e = losses::MeanSquaredError::new()
        .call(&array![[1.0f32, 2.0]], &array![[f32::NAN, 1.0]])
        .unwrap_err();
    assert!(e.to_string().contains("y_pred contains NaN"), "{e}");
}

#[test]
fn from_logits_on_a_loss_without_it_in_a_model_file() {
    let mut m = uncompiled();
    m.compile("sgd", losses::MeanSquaredError::new(), NO_METRICS)
        .unwrap();
    let mut doc = m.to_json();
    doc["compile"]["loss"]["config"]["from_logits"] = serde_json::json!(true);
    let path = tmp_dir("mse_logits").join("m.kerust");
    std::fs::write(&path, doc.to_string()).unwrap();
    let e = load_model(&path).unwrap_err();
    assert!(
        e.to_string()
            .contains("MeanSquaredError has no argument 'from_logits'"),
        "{e}"
    );
}

#[test]
fn negative_regularizer_factor() {
    let mut m = Sequential::new();
    let e = m
        .add(
            Dense::new(2)
                .input_shape([3])
                .kernel_regularizer(regularizers::l2(-0.01)),
        )
        .unwrap_err();
    assert!(
        e.to_string().contains(
            "kernel_regularizer: the L2 factor l2 must be a finite number >= 0, got -0.01"
        ),
        "{e}"
    );
    assert!(m.layers().is_empty());
    let e = m
        .add(
            Conv2D::new(2, (3, 3))
                .input_shape([5, 5, 1])
                .bias_regularizer(regularizers::l1(f32::NAN)),
        )
        .unwrap_err();
    assert!(
        e.to_string().contains("bias_regularizer: the L1 factor l1"),
        "{e}"
    );
}

#[test]
fn mae_metric_on_class_indices_of_many_outputs() {
    let mut m = Sequential::new();
    m.add(Dense::new(3).input_shape([3]).activation("softmax"))
        .unwrap();
    m.compile("sgd", "sparse_categorical_crossentropy", ["mae"])
        .unwrap();
    fails_unchanged(
        &mut m,
        &[
            "metric mae expects targets of the outputs' shape (4, 3)",
            "got targets of shape (4,)",
        ],
        |m| m.evaluate(&x4(), &array![0.0f32, 1.0, 2.0, 0.0]),
    );
}

#[test]
fn top_k_categorical_accuracy_on_class_indices() {
    let mut m = Sequential::new();
    m.add(Dense::new(3).input_shape([3]).activation("softmax"))
        .unwrap();
    m.compile(
        "sgd",
        "sparse_categorical_crossentropy",
        ["top_k_categorical_accuracy"],
    )
    .unwrap();
    fails_unchanged(
        &mut m,
        &["metric top_k_categorical_accuracy", "(4,)"],
        |m| {
            m.fit(
                &x4(),
                &array![0.0f32, 1.0, 2.0, 0.0],
                Fit::epochs(1).verbose(0),
            )
        },
    );
}

#[test]
fn evaluate_verbose_out_of_range() {
    let mut m = uncompiled();
    m.compile("sgd", "mse", NO_METRICS).unwrap();
    fails_unchanged(
        &mut m,
        &["evaluate", "verbose must be 0, 1 or 2, got 3"],
        |m| m.evaluate_with(&x4(), &y4(), Evaluate::verbose(3)),
    );
}

// ------------------------------- callbacks, schedules, weights files (issue 14)

#[test]
fn callback_arguments_are_checked_before_training() {
    let mut m = trained_mse();
    fails_unchanged(&mut m, &["EarlyStopping", "mode", "\"bogus\""], |m| {
        let stop = callbacks::EarlyStopping::new().mode("bogus");
        m.fit(&x4(), &y4(), Fit::epochs(2).verbose(0).callback(stop))
    });
    fails_unchanged(
        &mut m,
        &["ModelCheckpoint", ".weights.kerust", "ckpt.h5"],
        |m| {
            let ckpt = callbacks::ModelCheckpoint::new("ckpt.h5").save_weights_only(true);
            m.fit(&x4(), &y4(), Fit::epochs(2).verbose(0).callback(ckpt))
        },
    );
    fails_unchanged(&mut m, &["ReduceLROnPlateau", "mode"], |m| {
        let cb = callbacks::ReduceLROnPlateau::new().mode("up");
        m.fit(&x4(), &y4(), Fit::epochs(2).verbose(0).callback(cb))
    });
    fails_unchanged(&mut m, &["schedule", "NaN", "epoch 0"], |m| {
        let cb = callbacks::LearningRateScheduler::new(|_, _| f32::NAN);
        m.fit(&x4(), &y4(), Fit::epochs(2).verbose(0).callback(cb))
    });
}

#[test]
fn fit_verbose_outside_0_to_2() {
    let mut m = trained_mse();
    fails_unchanged(&mut m, &["verbose", "0", "1 or 2", "got 3"], |m| {
        m.fit(&x4(), &y4(), Fit::epochs(1).verbose(3))
    });
}

#[test]
fn a_schedule_with_bad_arguments_at_compile() {
    let mut m = trained_mse();
    fails_unchanged(&mut m, &["decay_steps", "0"], |m| {
        m.compile(
            Adam::new(schedules::ExponentialDecay::new(0.1, 0, 0.9)),
            "mse",
            NO_METRICS,
        )
    });
}

#[test]
fn set_learning_rate_on_a_schedule() {
    let mut m = trained_mse();
    m.compile(
        SGD::new(schedules::InverseTimeDecay::new(0.01, 10, 1.0)),
        "mse",
        NO_METRICS,
    )
    .unwrap();
    fails_unchanged(&mut m, &["schedule", "not settable"], |m| {
        m.set_learning_rate(0.1)
    });
}

#[test]
fn load_weights_of_another_architecture() {
    let dir = tmp_dir("weights_arch");
    let path = dir.join("w.weights.kerust");
    let mut small = Sequential::new();
    small.add(Dense::new(2).input_shape([3])).unwrap();
    small.save_weights(&path).unwrap();
    let mut m = trained_mse();
    fails_unchanged(
        &mut m,
        &["w.weights.kerust", "2 weights", "has 4", "same layers"],
        |m| m.load_weights(&path),
    );
    let mut wide = Sequential::new();
    wide.add(Dense::new(5).named("hidden").input_shape([3]))
        .unwrap();
    wide.add(Dense::new(1)).unwrap();
    wide.save_weights(&path).unwrap();
    fails_unchanged(&mut m, &["weight 0", "(3, 5)", "(3, 4)", "hidden"], |m| {
        m.load_weights(&path)
    });
}

#[test]
fn load_weights_from_files_that_are_not_kerust_weights() {
    let dir = tmp_dir("weights_foreign");
    let mut m = trained_mse();
    fails_unchanged(&mut m, &["missing.weights.kerust", "could not read"], |m| {
        m.load_weights(dir.join("missing.weights.kerust"))
    });
    for (name, bytes, says) in [
        ("m.keras", &b"PK\x03\x04\x14\x00"[..], "zip archive"),
        ("m.weights.h5", &b"\x89HDF\r\n\x1a\n\x00"[..], "HDF5"),
        (
            "m.txt",
            &b"{\"format\": \"other\"}"[..],
            "not a kerust weights file",
        ),
        ("m.bin", &b"\xff\xfe\x00\x01"[..], "binary"),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        fails_unchanged(&mut m, &[name, says], |m| m.load_weights(&path));
    }
}

#[test]
fn load_model_on_a_keras_file() {
    let dir = tmp_dir("keras_file");
    for (name, bytes, says) in [
        (
            "model.keras",
            &b"PK\x03\x04\x14\x00"[..],
            "zip archive, as Keras' .keras",
        ),
        (
            "model.h5",
            &b"\x89HDF\r\n\x1a\n\x00"[..],
            "HDF5 file, as Keras' .h5",
        ),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let e = err_with(load_model(&path), &[name, says, "its own files"]);
        assert!(!e.to_string().contains("UTF-8"), "{e}");
    }
}

#[test]
fn save_weights_where_it_cannot_write() {
    let dir = tmp_dir("weights_nowrite");
    let m = trained_mse();
    err_with(
        m.save_weights(dir.join("no_such_dir").join("w.weights.kerust")),
        &["could not save", "w.weights.kerust"],
    );
    assert!(!dir.join("no_such_dir").exists());
}

// ------------------------------------------------- layers of issue 15

#[test]
fn new_layers_refuse_inputs_they_cannot_take() {
    let mut m = Sequential::new();
    m.add(Dense::new(6).named("d").input_shape([4])).unwrap();
    let before = m.summary_string();
    err_with(
        m.add(Reshape::new([4, 2]).named("r")),
        &[
            "layer r",
            "cannot reshape input (None, 6)",
            "(4, 2)",
            "sizes differ",
        ],
    );
    err_with(
        m.add(Reshape::new([-1, -1]).named("r")),
        &["only one entry may be -1"],
    );
    err_with(m.add(Reshape::new([4, -1]).named("r")), &["do not divide"]);
    err_with(
        m.add(GlobalAveragePooling1D::new().named("g")),
        &[
            "layer g expects input of shape (None, steps, features)",
            "(None, 6)",
        ],
    );
    err_with(
        m.add(GlobalMaxPooling2D::new().named("g")),
        &["(None, height, width, channels)", "(None, 6)"],
    );
    err_with(
        m.add(AveragePooling2D::new(2).named("a")),
        &["layer a expects input of shape (None, height, width, channels)"],
    );
    assert_eq!(m.summary_string(), before, "a failed add changed the model");

    let mut c = Sequential::new();
    c.add(Input::new([4, 4, 1])).unwrap();
    err_with(
        c.add(AveragePooling2D::new(2).padding("full").named("a")),
        &["layer a: padding must be 'valid' or 'same', got 'full'"],
    );
    err_with(
        c.add(AveragePooling2D::new(5).named("a")),
        &["layer a: pool (5, 5) is larger than the input (None, 4, 4, 1)"],
    );
    err_with(
        c.add(MaxPooling2D::new(2).strides(0).named("m")),
        &["pool_size and strides must be positive", "strides=(0, 0)"],
    );
    err_with(c.add(Conv2D::new(2, 0).named("c")), &["kernel_size=(0, 0)"]);
}

#[test]
fn embedding_ids_must_be_whole_numbers_in_range() {
    let mut m = Sequential::new();
    m.add(Embedding::new(10, 4).named("emb").input_shape([3]))
        .unwrap();
    m.add(GlobalAveragePooling1D::new()).unwrap();
    m.add(Dense::new(1)).unwrap();
    m.compile("adam", "mse", NO_METRICS).unwrap();
    let y = array![[1.0f32]];
    fails_unchanged(
        &mut m,
        &[
            "layer emb expects integer ids in [0, 10)",
            "got 10 at flat position 2",
            "out of range",
        ],
        |m| m.predict(&array![[1.0f32, 2.0, 10.0]]),
    );
    // fit finds the bad id in its first batch: no step is taken (its
    // History of 0 epochs is kept, as for any error during fit).
    let before = m.get_weights();
    err_with(
        m.fit(&array![[1.5f32, 2.0, 3.0]], &y, Fit::epochs(1).verbose(0)),
        &["got 1.5 at flat position 0", "not a whole number"],
    );
    assert_eq!(m.get_weights(), before);
    fails_unchanged(&mut m, &["got -1 at flat position 1"], |m| {
        m.train_on_batch(&array![[1.0f32, -1.0, 3.0]], &y)
    });
    err_with(
        Sequential::new().add(Embedding::new(0, 4).input_shape([3])),
        &["input_dim and output_dim must be positive", "input_dim=0"],
    );
}

#[test]
fn normalization_and_batch_normalization_errors() {
    let mut n = Normalization::new().named("norm");
    err_with(
        n.adapt(&array![1.0f32, 2.0]),
        &["layer norm: adapt expects data of shape (samples, ..., features) but got (2,)"],
    );
    err_with(
        n.adapt(&array![[1.0f32, f32::NAN]]),
        &["non-finite value (NaN)"],
    );
    let mut shaped = Normalization::new().named("norm").input_shape([3]);
    err_with(
        shaped.adapt(&array![[1.0f32, 2.0]]),
        &["layer norm expects input of shape (None, 3) but adapt got data of shape (1, 2)"],
    );
    let mut m = Sequential::new();
    m.add(Input::new([3])).unwrap();
    err_with(
        m.add(
            Normalization::new()
                .named("norm")
                .mean(&[0.0, 1.0])
                .variance(&[1.0, 1.0]),
        ),
        &["mean and variance need 3 values each", "got 2 and 2"],
    );
    err_with(
        m.add(BatchNormalization::new().named("bn").momentum(1.5)),
        &["layer bn: momentum must be in [0, 1]", "momentum=1.5"],
    );
    let mut given = Normalization::new().mean(&[0.0]).variance(&[1.0]);
    err_with(
        given.adapt(&array![[1.0f32]]),
        &["cannot change a mean and variance given"],
    );
}
