//! Each exercise check on right answers (every right way of writing them)
//! and on wrong ones, with the explanation each wrong one gets.

use kerust::prelude::*;
use std::sync::Mutex;

/// Layer names are counted per process: tests that look at them must not
/// run while another test builds models.
static NAMES: Mutex<()> = Mutex::new(());

fn lock() -> std::sync::MutexGuard<'static, ()> {
    NAMES.lock().unwrap_or_else(|e| e.into_inner())
}

/// A model from (units, activation) pairs, the input given with `Input`.
fn model(inputs: usize, layers: &[(usize, &str)]) -> Sequential {
    let mut m = Sequential::new();
    m.add(Input::with_dims(vec![inputs])).unwrap();
    for &(units, act) in layers {
        m.add(Dense::new(units).activation(act)).unwrap();
    }
    m
}

/// The same network written as Dense + Activation pairs, the input given
/// with `input_shape`.
fn model_pairs(inputs: usize, layers: &[(usize, &str)]) -> Sequential {
    let mut m = Sequential::new();
    for (i, &(units, act)) in layers.iter().enumerate() {
        let d = Dense::new(units);
        m.add(if i == 0 { d.input_shape([inputs]) } else { d })
            .unwrap();
        if act != "linear" {
            m.add(Activation::new(act)).unwrap();
        }
    }
    m
}

fn wrong(c: &exercises::Check) -> String {
    assert!(!c.passed(), "expected a failed check, got: {c}");
    c.to_string()
}

fn says(c: &exercises::Check, text: &str) {
    let s = wrong(c);
    assert!(s.contains(text), "expected {text:?} in:\n{s}");
}

#[test]
fn practice1_right_and_wrong() {
    let _g = lock();
    let right = exercises::practice1(&model(2, &[(10, "relu"), (1, "linear")]));
    assert!(right.passed(), "{right}");
    assert!(
        right
            .to_string()
            .contains("41 parameters in all: 30 weights and 11 biases"),
        "{right}"
    );
    let pairs = exercises::practice1(&model_pairs(2, &[(10, "relu"), (1, "linear")]));
    assert!(pairs.passed(), "Dense + Activation is right too: {pairs}");
    let mut by_value = Sequential::new();
    by_value
        .add(Dense::new(10).input_shape([2]).activation(relu))
        .unwrap();
    by_value.add(Dense::new(1)).unwrap();
    assert!(exercises::practice1(&by_value).passed());

    says(
        &exercises::practice1(&model(2, &[(5, "relu"), (1, "linear")])),
        "the hidden layer has 5 units; the picture has 10",
    );
    says(
        &exercises::practice1(&model(3, &[(10, "relu"), (1, "linear")])),
        "the picture has 2 inputs; your first layer has 3 inputs (use .input_shape([2]))",
    );
    says(
        &exercises::practice1(&model(2, &[(10, "relu"), (1, "sigmoid")])),
        "the output layer uses sigmoid; a non-constrained output has no activation",
    );
    says(
        &exercises::practice1(&Sequential::new()),
        "your first layer has no input shape yet",
    );
}

#[test]
fn practice2_right_and_wrong() {
    let _g = lock();
    assert!(exercises::practice2(&model(3, &[(5, "relu"), (1, "linear")])).passed());
    assert!(exercises::practice2(&model_pairs(3, &[(5, "relu"), (1, "linear")])).passed());
    says(
        &exercises::practice2(&model(3, &[(5, "linear"), (1, "linear")])),
        "the hidden layer uses linear; the picture asks for relu (.activation(\"relu\"))",
    );
    let three = exercises::practice2(&model(3, &[(5, "relu"), (4, "relu"), (1, "linear")]));
    says(
        &three,
        "the picture has 2 Dense layers (the hidden layer and the output layer); your model has 3",
    );
    // Compared from the output back: the extra layer is not also reported
    // as a wrong output layer.
    assert!(
        !three.to_string().contains("the output layer has"),
        "{three}"
    );
    // relu twice: in the Dense layer and again as an Activation.
    let mut twice = model(3, &[(5, "relu")]);
    twice.add(Activation::new("relu")).unwrap();
    twice.add(Dense::new(1)).unwrap();
    says(
        &exercises::practice2(&twice),
        "applies relu right after a Dense layer that already applies relu",
    );
}

#[test]
fn practice3_right_and_wrong() {
    let _g = lock();
    assert!(exercises::practice3(&model(2, &[(3, "relu"), (1, "linear")])).passed());
    says(
        &exercises::practice3(&model(2, &[(3, "relu"), (2, "linear")])),
        "the output layer has 2 units; the picture has 1",
    );
    let mut with_dropout = model(2, &[(3, "relu")]);
    with_dropout.add(Dropout::new(0.5)).unwrap();
    with_dropout.add(Dense::new(1)).unwrap();
    says(
        &exercises::practice3(&with_dropout),
        "is a Dropout; the picture has no Dropout layer",
    );
}

#[test]
fn counts_right_and_each_miscount_explained() {
    let ok = exercises::practice2::count(26);
    assert!(ok.passed(), "{ok}");
    assert!(
        ok.to_string().contains(
            "the hidden layer has 3 x 5 = 15 weights and 5 biases (20), the output layer has 5 x 1 = 5 weights and 1 bias (6); 20 + 6 = 26"
        ),
        "{ok}"
    );
    let cases: &[(i64, &str)] = &[
        (20, "you counted the weights (15 + 5) but not the 6 biases"),
        (20, "that is the hidden layer alone (15 weights + 5 biases)"),
        (25, "you left out the 1 bias of the output layer"),
        (21, "you left out the 5 biases of the hidden layer"),
        (6, "that is the output layer alone"),
        (6, "that is the number of neurons (5 + 1)"),
        (9, "the number of circles in the picture"),
        (22, "you gave each layer one bias"),
        (29, "you gave the 3 inputs a bias too"),
        (100, "100 is too high"),
        (3, "3 is too low"),
    ];
    for &(n, text) in cases {
        says(&exercises::practice2::count(n), text);
    }
    assert!(exercises::practice1::count(41).passed());
    says(&exercises::practice1::count(30), "but not the 11 biases");
    assert!(exercises::practice3::count(13).passed());
    says(
        &exercises::practice3::count(9),
        "that is the hidden layer alone",
    );
    assert!(exercises::wider_count(50890).passed());
    says(
        &exercises::wider_count(50816),
        "but not the 74 biases, one per neuron (64 + 10)",
    );
    says(
        &exercises::wider_count(50240),
        "that is the hidden layer alone",
    );
    says(&exercises::wider_count(25450), "25450 is too low");
}

#[test]
fn lesson1_checks() {
    let _g = lock();
    let one = exercises::single_neuron(&model(10, &[(1, "linear")]));
    assert!(one.passed(), "{one}");
    assert!(
        one.to_string()
            .contains("11 parameters in all: 10 weights and 1 bias"),
        "{one}"
    );
    assert!(
        !one.to_string().contains("picture"),
        "no picture is shown for it: {one}"
    );
    says(
        &exercises::single_neuron(&model(2, &[(1, "linear")])),
        "the exercise has 10 inputs; your first layer has 2 inputs",
    );
    says(
        &exercises::single_neuron(&model(10, &[(2, "linear")])),
        "the output layer has 2 units; the exercise has 1",
    );
    let right = exercises::network70(&model(10, &[(5, "relu"), (2, "relu"), (1, "linear")]));
    assert!(
        right.passed() && right.to_string().contains("70 parameters"),
        "{right}"
    );
    says(
        &exercises::network70(&model(10, &[(5, "relu"), (1, "linear")])),
        "the picture has 3 Dense layers",
    );
    says(
        &exercises::network70(&model(10, &[(5, "relu"), (3, "relu"), (1, "linear")])),
        "hidden layer 2 has 3 units; the picture has 2",
    );
}

#[test]
fn small_mnist_checks() {
    let _g = lock();
    let build = |flatten: bool, input: &[usize], layers: &[(usize, &str)]| {
        let mut m = Sequential::new();
        if flatten {
            m.add(Flatten::new().input_shape([input[0], input[1]]))
                .unwrap();
        } else {
            m.add(Input::with_dims(input.to_vec())).unwrap();
        }
        for &(u, a) in layers {
            m.add(Dense::new(u).activation(a)).unwrap();
        }
        m
    };
    assert!(
        exercises::small_mnist(&build(true, &[28, 28], &[(64, "relu"), (10, "softmax")])).passed()
    );
    let mut pairs = Sequential::new();
    pairs.add(Flatten::new().input_shape([28, 28])).unwrap();
    pairs.add(Dense::new(64)).unwrap();
    pairs.add(Activation::new(relu)).unwrap();
    pairs.add(Dense::new(10)).unwrap();
    pairs.add(Activation::new("softmax")).unwrap();
    assert!(exercises::small_mnist(&pairs).passed());
    // Flat 784-number vectors: right arithmetic, but the images are 28x28.
    let flat = exercises::small_mnist(&build(false, &[784], &[(64, "relu"), (10, "softmax")]));
    says(&flat, "there is no Flatten layer first");
    assert_eq!(flat.problems().len(), 1, "{flat}");
    says(
        &exercises::small_mnist(&build(true, &[28, 28], &[(64, "relu"), (10, "relu")])),
        "the output layer uses relu; the exercise asks for softmax",
    );
    says(
        &exercises::small_mnist(&build(true, &[28, 28], &[(128, "relu"), (10, "softmax")])),
        "the hidden layer has 128 units; the exercise has 64",
    );
}

#[test]
fn scaled_test_set_checks() {
    let train = array![[0.0f32, 10.0], [4.0, 30.0], [2.0, 20.0]];
    let test = array![[1.0f32, 15.0], [3.0, 25.0]];
    let min = array![0.0f32, 10.0];
    let range = array![4.0f32, 20.0];
    let right = (&test - &min) / &range;
    let ok = exercises::scaled_test_set(&train, &test, &right);
    assert!(ok.passed(), "{ok}");
    let scaler = datasets::MinMaxScaler::fit(&train).unwrap();
    assert!(exercises::scaled_test_set(&train, &test, &scaler.transform(&test).unwrap()).passed());
    let own = datasets::MinMaxScaler::fit(&test).unwrap();
    says(
        &exercises::scaled_test_set(&train, &test, &own.transform(&test).unwrap()),
        "you used the test set's own minimum and range",
    );
    says(
        &exercises::scaled_test_set(&train, &test, &(&test / &range)),
        "did not subtract the minimum first",
    );
    says(
        &exercises::scaled_test_set(&train, &test, &(&test - &min)),
        "did not divide by the range",
    );
    let max = &min + &range;
    says(
        &exercises::scaled_test_set(&train, &test, &((&test - &min) / &max)),
        "you divided by the maximum; divide by the range",
    );
    says(
        &exercises::scaled_test_set(&train, &test, &test.mapv(|v| v / 30.0)),
        "you used one minimum and one range for the whole array",
    );
    says(
        &exercises::scaled_test_set(&train, &test, &scaler.transform(&train).unwrap()),
        "yours has the training set's shape",
    );
    says(
        &exercises::scaled_test_set(&train, &test, &array![[0.25f32, 0.25], [0.5, 0.75]]),
        "test point 1, feature 0: yours is 0.5000",
    );
}

#[test]
fn pictures_use_no_names_and_are_titled() {
    let _g = lock();
    clear_session();
    let p = exercises::pictures::practice2();
    assert_eq!(p.name(), "Practice 2");
    assert_eq!(p.count_params(), 26);
    assert_eq!(p.layer(0).name(), "hidden");
    assert_eq!(p.layer(1).name(), "output");
    assert_eq!(exercises::pictures::network70().count_params(), 70);
    let fig = plot::network(&exercises::pictures::practice1());
    assert!(fig.width() > 0);
    // The student's own model is still the first of the session.
    let mut mine = Sequential::new();
    mine.add(Dense::new(5).input_shape([3])).unwrap();
    assert_eq!(mine.name(), "sequential_1");
    assert_eq!(mine.layer(0).name(), "dense_1");
    // ... and its weights are those the seed gives without any picture.
    utils::set_random_seed(7);
    let _ = exercises::pictures::practice3();
    let mut a = Sequential::new();
    a.add(Dense::new(2).input_shape([2])).unwrap();
    utils::set_random_seed(7);
    let mut b = Sequential::new();
    b.add(Dense::new(2).input_shape([2])).unwrap();
    assert_eq!(a.get_weights(), b.get_weights());
}

#[test]
fn counts_take_any_integer_type() {
    // In a notebook `let params2 = 26;` is an i32, `model.count_params()` a usize.
    assert!(exercises::practice2::count(26i32).passed());
    assert!(exercises::practice2::count(26usize).passed());
    assert!(exercises::practice2::count(26u8).passed());
    assert!(!exercises::practice2::count(-26).passed());
    assert!(!exercises::wider_count(u64::MAX).passed());
}

#[test]
fn scaled_pixels_right_and_wrong() {
    let raw = array![[0u8, 51, 200], [255, 10, 127]];
    let right = exercises::scaled_pixels(&raw, &raw.mapv(|p| p as f32 / 255.0));
    assert!(right.passed(), "{right}");
    says(
        &exercises::scaled_pixels(&raw, &raw),
        "as they came, 0 to 255",
    );
    says(
        &exercises::scaled_pixels(&raw, &raw.mapv(|p| p / 255)),
        "all your pixels are 0 or 1",
    );
    says(
        &exercises::scaled_pixels(&raw, &raw.mapv(|p| p as f32 / 256.0)),
        "you divided by 256",
    );
    says(
        &exercises::scaled_pixels(&raw, &utils::normalize(&raw.mapv(f32::from), 1)),
        "utils::normalize from lesson 3 does something else",
    );
    says(
        &exercises::scaled_pixels(&raw, &array![0.0f32, 0.2]),
        "keep the shape",
    );
}

#[test]
fn hardest_class_right_and_wrong() {
    // T-shirt/top: 2 of 2 right; Shirt: 1 of 3, twice taken for a Coat (4).
    let y_true = array![0u8, 0, 6, 6, 6, 1];
    let y_pred = array![0usize, 0, 4, 4, 6, 1];
    let right = exercises::hardest_class(&y_true, &y_pred, "Shirt");
    assert!(right.passed(), "{right}");
    assert!(
        right.to_string().contains(
            "1 of its 3 test images are right (33%), and it is most often taken for Coat"
        ),
        "{right}"
    );
    says(
        &exercises::hardest_class(&y_true, &y_pred, "trouser"),
        "The hardest is Shirt",
    );
    says(
        &exercises::hardest_class(&y_true, &y_pred, "shoe"),
        "no class is called \"shoe\"",
    );
    says(
        &exercises::hardest_class(&y_true, &array![0usize, 1], "Shirt"),
        "one number per image",
    );
}

#[test]
fn pooled_shape_right_and_wrong() -> kerust::Result<()> {
    let _g = lock();
    let mut model = Sequential::new();
    model.add(
        Conv2D::new(16, 3)
            .activation("relu")
            .input_shape([28, 28, 1]),
    )?;
    model.add(MaxPooling2D::new(2))?;
    model.add(Flatten::new())?;
    let right = exercises::pooled_shape(&model, &[13, 13, 16]);
    assert!(right.passed(), "{right}");
    assert!(
        right.to_string().contains("fits 26 times across 28 pixels"),
        "{right}"
    );
    says(
        &exercises::pooled_shape(&model, &[26, 26, 16]),
        "right after the Conv2D",
    );
    says(
        &exercises::pooled_shape(&model, &[14, 14, 16]),
        "fits only 28 - 3 + 1 = 26 times",
    );
    says(
        &exercises::pooled_shape(&model, &[13, 13, 1]),
        "one channel per filter, 16",
    );
    says(
        &exercises::pooled_shape(&model, &[13, 13]),
        "write 3 numbers",
    );
    let mut dense = Sequential::new();
    dense.add(Dense::new(2).input_shape([3]))?;
    says(
        &exercises::pooled_shape(&dense, &[13, 13, 16]),
        "a Conv2D with an input shape, then a MaxPooling2D",
    );
    Ok(())
}

#[test]
fn conv_params_right_and_wrong() {
    let right = exercises::conv_params(4640);
    assert!(right.passed(), "{right}");
    says(&exercises::conv_params(4608), "not the 32 biases");
    says(&exercises::conv_params(320), "left out the input channels");
    says(&exercises::conv_params(145), "that is one filter");
    says(
        &exercises::conv_params(4608 + 11 * 11 * 32),
        "gave every output position a bias",
    );
    says(
        &exercises::conv_params((13 * 13 * 16 + 1) * 32),
        "like a Dense layer",
    );
    says(&exercises::conv_params(5000), "5000 is too high");
    says(&exercises::conv_params(u64::MAX), "far too large");
}
