//! Callbacks in `fit`: stop early and keep the best weights, save a
//! checkpoint per epoch, log to CSV and TensorBoard, and a callback of
//! your own. `cargo run --release --example callbacks`
use kerust::callbacks::{CallbackModel, Logs};
use kerust::prelude::*;

/// Prints the validation loss every 10 epochs.
struct Every10;
impl Callback for Every10 {
    fn on_epoch_end(
        &mut self,
        epoch: usize,
        logs: &mut Logs,
        _model: &mut dyn CallbackModel,
    ) -> kerust::Result<()> {
        if (epoch + 1).is_multiple_of(10) {
            println!(
                "epoch {}: val_loss {:.4}",
                epoch + 1,
                logs.get("val_loss").unwrap_or(f32::NAN)
            );
        }
        Ok(())
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // y = 3x + 1 with noise; the last 20% of the samples validate
    let x = utils::rand((200, 1));
    let y = x.mapv(|v| 3.0 * v + 1.0) + utils::rand((200, 1)) * 0.1;
    let mut model = Sequential::new();
    model.add(Dense::new(8).input_shape([1]).activation("relu"))?;
    model.add(Dense::new(1))?;
    model.compile(Adam::new(0.01), "mse", ["mae"])?;

    let dir = std::env::temp_dir().join("kerust_example_callbacks");
    let ckpt = format!("{}/cp-{{epoch:04}}.weights.kerust", dir.display());
    std::fs::create_dir_all(&dir)?;
    let history = model.fit(
        &x,
        &y,
        Fit::epochs(100)
            .validation_split(0.2)
            .verbose(0)
            .callback(
                callbacks::EarlyStopping::new()
                    .monitor("val_loss")
                    .patience(3)
                    .restore_best_weights(true)
                    .verbose(1),
            )
            .callback(callbacks::ModelCheckpoint::new(&ckpt).save_weights_only(true))
            .callback(callbacks::CSVLogger::new(&format!(
                "{}/training.csv",
                dir.display()
            )))
            .callback(callbacks::TensorBoard::new(&format!(
                "{}/logs",
                dir.display()
            )))
            .callback(Every10),
    )?;
    println!(
        "ran {} epochs; checkpoints, training.csv and TensorBoard logs in {}",
        history.epoch.len(),
        dir.display()
    );
    println!(
        "view the logs with: tensorboard --logdir {}/logs",
        dir.display()
    );
    Ok(())
}
