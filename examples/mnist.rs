//! Seed 002: MNIST with Flatten-128-128-10, adam, 3 epochs, evaluate, save, reload, predict.
//! `cargo run --release --example mnist` (needs `make data` first)
use kerust::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let ((x_train, y_train), (x_test, y_test)) = datasets::mnist::load_data()?;
    println!("y_train[0] = {}", y_train[0]);
    let x_train = utils::normalize(&x_train, 1);
    let x_test = utils::normalize(&x_test, 1);

    let mut model = Sequential::new();
    model.add(Flatten::new().input_shape([28, 28]))?;
    model.add(Dense::new(128).activation(relu))?;
    model.add(Dense::new(128).activation(relu))?;
    model.add(Dense::new(10).activation(softmax))?;
    model.compile("adam", "sparse_categorical_crossentropy", ["accuracy"])?;
    model.fit(&x_train, &y_train, Fit::epochs(3))?;

    let (val_loss, val_acc) = model.evaluate(&x_test, &y_test)?;
    println!("val_loss = {val_loss:.4}, val_acc = {val_acc:.4}");

    let path = std::env::temp_dir().join("epic_num_reader.kerust");
    model.save(&path)?;
    let mut new_model = load_model(&path)?;
    let predictions = new_model.predict(&x_test)?;
    let first = predictions.index_axis(Axis(0), 0);
    let digit = first
        .iter()
        .enumerate()
        .fold(0, |best, (i, p)| if *p > first[best] { i } else { best });
    println!("predicted {digit}, true label {}", y_test[0]);
    Ok(())
}
