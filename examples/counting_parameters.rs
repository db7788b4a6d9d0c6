//! Seed 003: the Sequential API, activations, summaries and counting parameters.
//! `cargo run --release --example counting_parameters`
use kerust::prelude::*;

fn main() -> Result<(), kerust::Error> {
    // Dense(2) on 3 inputs, then Dense(1)
    let mut model = Sequential::new();
    model.add(Dense::new(2).input_shape([3]))?;
    model.add(Dense::new(1))?;

    // the same with a relu activation on the hidden layer
    let mut model = Sequential::new();
    model.add(Dense::new(2).input_shape([3]).activation(relu))?;
    model.add(Dense::new(1))?;
    model.summary();
    for layer in model.layers() {
        println!(
            "{}: {}",
            layer.name(),
            kerust::model::explain_params(layer.as_ref())
        );
    }

    // Practice 1: 2 inputs, 10 relu, 1 output
    clear_session();
    let mut model = Sequential::new();
    model.add(Dense::new(10).input_shape([2]).activation("relu"))?;
    model.add(Dense::new(1))?;
    model.summary();
    println!("{}", exercises::practice1(&model));

    // Practice 2: 3 inputs, 5 relu, 1 output
    clear_session();
    let mut model = Sequential::new();
    model.add(Dense::new(5).input_shape([3]).activation("relu"))?;
    model.add(Dense::new(1))?;
    model.summary();
    println!("{}", exercises::practice2(&model));

    // Practice 3: 2 inputs, 3 relu, 1 output
    let mut model = Sequential::new();
    model.add(Dense::new(3).input_shape([2]).activation("relu"))?;
    model.add(Dense::new(1))?;
    model.summary();
    println!("{}", exercises::practice3(&model));
    Ok(())
}
