//! Learning-rate schedules: given to an optimizer in place of a number,
//! stepped once per batch as in Keras; and the rate changed per epoch by
//! a callback. `cargo run --release --example schedules`
use kerust::prelude::*;

fn main() -> Result<(), kerust::Error> {
    // The TensorFlow "overfit and underfit" tutorial's schedule
    let schedule = schedules::InverseTimeDecay::new(0.001, 1000, 1.0);
    for step in [0, 1000, 2000, 5000] {
        println!("step {step}: learning rate {}", schedule.at(step));
    }

    let x = utils::rand((256, 4));
    let y = x.sum_axis(Axis(1)).insert_axis(Axis(1));
    let mut model = Sequential::new();
    model.add(Dense::new(16).input_shape([4]).activation("elu"))?;
    model.add(Dense::new(1))?;
    model.compile(Adam::new(schedule), "mse", NO_METRICS)?;
    model.fit(&x, &y, Fit::epochs(3))?;
    // 3 epochs of 8 batches: the rate after 24 steps
    println!(
        "rate now: {:?}",
        model.optimizer().map(|o| o.learning_rate())
    );

    // A per-epoch rule as a callback (the rate appears in History)
    model.compile(SGD::new(0.1), "mse", NO_METRICS)?;
    let halve =
        callbacks::LearningRateScheduler::new(|epoch, lr| if epoch < 2 { lr } else { lr * 0.5 });
    let history = model.fit(&x, &y, Fit::epochs(4).verbose(0).callback(halve))?;
    println!("learning_rate per epoch: {:?}", &history["learning_rate"]);
    Ok(())
}
