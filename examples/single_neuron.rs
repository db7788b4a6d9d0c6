//! Seed 000: a single neuron y = A·x + b, then a 70-parameter network.
//! `cargo run --release --example single_neuron`
use kerust::prelude::*;

fn main() -> Result<(), kerust::Error> {
    // build a model: one neuron on 10-dimensional inputs
    let mut model = Sequential::new();
    model.add(Dense::new(1).input_shape([10]))?;

    let x = utils::rand((2, 10)); // 2 samples of 10 numbers
    println!("{}", model.predict(&x)?);

    let (a, b) = model.layer(0).kernel_and_bias()?;
    println!("{}", x.dot(&a) + &b); // note x·A because of the shapes

    // a network: 10 inputs, 5 relu, 2 relu, 1 output
    let mut network = Sequential::new();
    network.add(Dense::new(5).input_shape([10]).activation("relu"))?;
    network.add(Dense::new(2).activation("relu"))?;
    network.add(Dense::new(1))?;
    network.summary();
    Ok(())
}
