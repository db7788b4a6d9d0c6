//! Seed 001: layers, Sequential and functional models, compile and fit
//! (784-32-10, RMSprop, mse, batch 128, 10 epochs on MNIST).
//! `cargo run --release --example anatomy` (needs `make data` first)
use kerust::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut model = Sequential::new();
    model.add(Dense::new(32).activation("relu").input_shape([784]))?;
    model.add(Dense::new(10).activation("softmax"))?;
    model.summary();

    let input_tensor = Input::new([784]);
    let x = Dense::new(32).activation("relu").call(&input_tensor)?;
    let output_tensor = Dense::new(10).activation("softmax").call(&x)?;
    let functional = Model::new(&input_tensor, &output_tensor)?;
    functional.summary();

    model.compile(RMSprop::new(0.001), "mse", ["accuracy"])?;
    let ((x_train, y_train), _) = datasets::mnist::load_data()?;
    let input = x_train
        .mapv(|v| f32::from(v) / 255.0)
        .into_shape_with_order((60000, 784))?;
    let target = utils::to_categorical(&y_train, 10)?;
    model.fit(&input, &target, Fit::epochs(10).batch_size(128))?;
    Ok(())
}
