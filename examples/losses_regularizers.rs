//! Loss objects, Keras metric strings, regularizers and evaluate (issue 14),
//! as the TF quickstart and "Overfit and underfit" tutorials write them.
//!
//! Run: `cargo run --release --example losses_regularizers`

use kerust::prelude::*;

fn main() -> kerust::Result<()> {
    kerust::random::set_random_seed(42);
    let x = Array2::from_shape_fn((200, 4), |(i, j)| {
        ((i * 7 + j * 3) % 11) as f32 / 10.0 - 0.5
    });
    let y = Array1::from_shape_fn(200, |i| ((i * 7) % 11 % 3) as u8);

    // The TF quickstart: logits out, the loss object applies log-softmax.
    let mut model = Sequential::new();
    model.add(Dense::new(16).input_shape([4]).activation("relu"))?;
    model.add(Dense::new(3).kernel_regularizer(regularizers::l2(0.001)))?;
    let loss_fn = losses::SparseCategoricalCrossentropy::new().from_logits(true);
    let predictions = model.predict(&x.slice(s![..1, ..]))?;
    let l = loss_fn.call(&y.slice(s![..1]), &predictions)?;
    println!("untrained loss: {l:.4} (about ln 3 = {:.4})", 3f32.ln());

    model.compile(
        "adam",
        loss_fn,
        ["accuracy", "sparse_top_k_categorical_accuracy"],
    )?;
    model.fit(&x, &y, Fit::epochs(5).verbose(0))?;
    println!("penalty in the loss: {:.5}", model.regularization_loss());

    let scores = model.evaluate_with(&x, &y, Evaluate::verbose(0))?;
    println!(
        "loss {:.4}, accuracy {:.4}, top-5 {:.4}",
        scores[0], scores["accuracy"], scores[2]
    );
    let (loss, acc) = model.evaluate(&x, &y)?;
    println!("evaluate: ({loss:.4}, {acc:.4})");

    // Regression with Keras' metric strings.
    let mut reg = Sequential::new();
    reg.add(
        Dense::new(8)
            .input_shape([4])
            .activation("relu")
            .kernel_regularizer(regularizers::l1_l2(0.001, 0.001)),
    )?;
    reg.add(Dense::new(1))?;
    reg.compile("rmsprop", "mse", ["mae", "mse"])?;
    let t = x.sum_axis(Axis(1));
    let history = reg.fit(&x, &t, Fit::epochs(3).verbose(0))?;
    println!("History keys: {:?}", history.keys());
    Ok(())
}
