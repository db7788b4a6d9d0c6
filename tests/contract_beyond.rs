//! The lines of DESIGN.md's "Beyond the seeds" contract, as a student
//! types them, run end to end on small data.

use kerust::prelude::*;

fn data(n: usize) -> (Array2<f32>, Array1<u8>) {
    let x = Array2::from_shape_fn((n, 4), |(i, j)| ((i * 7 + j * 3) % 11) as f32 / 11.0);
    let y = Array1::from_shape_fn(n, |i| (i % 3) as u8);
    (x, y)
}

#[test]
fn training_api_lines() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("kerust-contract-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let (x_train, y_train) = data(40);

    // Loss objects (TF quickstart)
    let mut model = Sequential::new();
    model.add(Dense::new(16).input_shape([4]).activation("relu"))?;
    model.add(Dense::new(3))?;
    let predictions = model.predict(&x_train.slice(s![..1, ..]))?;
    let loss_fn = losses::SparseCategoricalCrossentropy::new().from_logits(true);
    let l: f32 = loss_fn.call(&y_train.slice(s![..1]), &predictions)?;
    assert!(
        (l - 3f32.ln()).abs() < 0.7,
        "untrained loss {l} is near ln(3)"
    );
    model.compile("adam", loss_fn, ["accuracy"])?;
    model.compile("rmsprop", "mse", ["mae"])?;

    // evaluate with every value, silent
    let y_onehot = utils::to_categorical(&y_train, 3)?;
    let scores = model.evaluate_with(&x_train, &y_onehot, Evaluate::verbose(0))?;
    assert_eq!(scores.len(), 2);
    assert!(scores[0] > 0.0 && scores["mae"] > 0.0);

    // Callbacks, schedules, regularizers, weights files
    let ckpt = dir.join("ckpt/cp-{epoch:04}.weights.kerust");
    let logs = dir.join("logs/fit");
    let history = model.fit(
        &x_train,
        &y_onehot,
        Fit::epochs(100)
            .validation_split(0.2)
            .verbose(0)
            .callback(
                callbacks::EarlyStopping::new()
                    .monitor("val_loss")
                    .patience(3)
                    .restore_best_weights(true),
            )
            .callback(
                callbacks::ModelCheckpoint::new(ckpt.to_string_lossy().as_ref())
                    .save_weights_only(true),
            )
            .callback(callbacks::TensorBoard::new(logs.to_string_lossy().as_ref())),
    )?;
    let epochs = history["loss"].len();
    assert!(epochs >= 1);
    assert!(dir.join("ckpt/cp-0001.weights.kerust").exists());
    assert!(logs.join("train").is_dir() && logs.join("validation").is_dir());

    model.compile(
        Adam::new(schedules::InverseTimeDecay::new(0.001, 1000, 1.0)),
        "mse",
        NO_METRICS,
    )?;
    let mut deep = Sequential::new();
    deep.add(
        Dense::new(512)
            .input_shape([4])
            .activation("elu")
            .kernel_regularizer(regularizers::l2(0.001)),
    )?;
    let weights = dir.join("ckpt.weights.kerust");
    model.save_weights(&weights)?;
    let before = model.get_weights();
    model.set_weights(&before.iter().map(|w| w.mapv(|_| 0.0)).collect::<Vec<_>>())?;
    model.load_weights(&weights)?;
    assert_eq!(model.get_weights(), before);
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}
