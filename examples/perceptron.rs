//! Seed 004: a perceptron on a two-class problem, trained with SGD.
//! `cargo run --release --example perceptron`
use kerust::prelude::*;

fn main() -> Result<(), kerust::Error> {
    println!("kerust version = {}", kerust::VERSION);
    let (x, y) = datasets::make_classification(200, 2, 42);
    let ((train_x, train_labels), (test_x, test_labels)) =
        datasets::train_test_split(&x, &y, 0.2, 42)?;

    // min-max normalization with the training set's statistics
    let scaler = datasets::MinMaxScaler::fit(&train_x)?;
    let train_x_norm = scaler.transform(&train_x)?;
    let test_x_norm = scaler.transform(&test_x)?;

    // the long form: Input, Dense(1), Activation(sigmoid)
    let mut model = Sequential::new();
    model.add(Input::new([2]))?;
    model.add(Dense::new(1))?;
    model.add(Activation::new(sigmoid))?;
    model.summary();

    // the short form
    let mut model = Sequential::new();
    model.add(Dense::new(1).input_shape([2]).activation("sigmoid"))?;
    model.summary();

    model.compile(SGD::new(0.2), "binary_crossentropy", ["acc"])?;
    model.fit(
        &train_x_norm,
        &train_labels,
        Fit::epochs(10)
            .batch_size(1)
            .validation_data(&test_x_norm, &test_labels),
    )?;
    plot::decision_boundary(&model, &train_x_norm, &train_labels)?
        .save("perceptron_boundary.png")?;
    println!("decision boundary saved to perceptron_boundary.png");
    Ok(())
}
