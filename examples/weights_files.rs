//! Weights files: save the weights alone and load them into a model of
//! the same architecture (the TensorFlow "save and load" tutorial).
//! `cargo run --release --example weights_files`
use kerust::prelude::*;

fn create_model() -> Result<Sequential, kerust::Error> {
    let mut model = Sequential::new();
    model.add(Dense::new(16).input_shape([4]).activation("relu"))?;
    model.add(Dense::new(3).activation("softmax"))?;
    model.compile("adam", "sparse_categorical_crossentropy", ["accuracy"])?;
    Ok(model)
}

fn main() -> Result<(), kerust::Error> {
    let x = utils::rand((120, 4));
    let y = x.map_axis(Axis(1), |r| {
        if r[0] > 0.66 {
            2.0f32
        } else if r[0] > 0.33 {
            1.0
        } else {
            0.0
        }
    });
    let mut model = create_model()?;
    model.fit(&x, &y, Fit::epochs(20).verbose(0))?;
    let (_, trained) = model.evaluate(&x, &y)?;

    let path = std::env::temp_dir().join("kerust_example.weights.kerust");
    model.save_weights(&path)?;

    let mut fresh = create_model()?;
    let (_, untrained) = fresh.evaluate(&x, &y)?;
    fresh.load_weights(&path)?;
    let (_, restored) = fresh.evaluate(&x, &y)?;
    println!("trained {trained:.3}, fresh {untrained:.3}, restored {restored:.3}");

    // Another architecture is refused, and the model is left as it was
    let mut other = Sequential::new();
    other.add(Dense::new(8).input_shape([4]))?;
    if let Err(e) = other.load_weights(&path) {
        println!("{e}");
    }
    Ok(())
}
