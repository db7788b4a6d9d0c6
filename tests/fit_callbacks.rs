//! Callbacks, schedules and weights files inside real `fit` runs: Keras'
//! EarlyStopping run and validation_split sizes from real Keras
//! (tests/fixtures/fit_runs.json, written by tests/keras/gen_fixtures.py),
//! and what each wired callback leaves behind.

use kerust::callbacks::{self, Callback, CallbackModel, Logs};
use kerust::prelude::*;
use ndarray::ArrayD;
use serde_json::Value;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

fn fixture() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/fit_runs.json");
    let text = std::fs::read_to_string(path).expect("tests/fixtures/fit_runs.json");
    serde_json::from_str::<Value>(&text).expect("valid JSON")["cases"].clone()
}

fn array(v: &Value) -> ArrayD<f32> {
    let shape: Vec<usize> = serde_json::from_value(v["shape"].clone()).unwrap();
    let data: Vec<f32> = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect();
    ArrayD::from_shape_vec(shape, data).unwrap()
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kerust_fitcb_{tag}_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn close(a: f32, b: f32) -> bool {
    (a - b).abs() <= 1e-5 * (1.0 + b.abs())
}

/// Counts training batches and records what it saw.
#[derive(Default)]
struct Counter {
    batches: usize,
    events: Vec<String>,
}
impl Callback for Counter {
    fn on_train_begin(&mut self, _: &mut Logs, _: &mut dyn CallbackModel) -> kerust::Result<()> {
        self.events.push("train_begin".into());
        Ok(())
    }
    fn on_train_batch_end(
        &mut self,
        _: usize,
        _: &mut Logs,
        _: &mut dyn CallbackModel,
    ) -> kerust::Result<()> {
        self.batches += 1;
        Ok(())
    }
    fn on_epoch_end(
        &mut self,
        e: usize,
        logs: &mut Logs,
        _: &mut dyn CallbackModel,
    ) -> kerust::Result<()> {
        self.events.push(format!(
            "epoch_end {e} {:?}",
            logs.keys().collect::<Vec<_>>()
        ));
        logs.insert("seen_by_history", e as f32);
        Ok(())
    }
    fn on_train_end(&mut self, _: &mut Logs, _: &mut dyn CallbackModel) -> kerust::Result<()> {
        self.events.push("train_end".into());
        Ok(())
    }
}

/// A shared handle, so the test can read the callback after `fit`.
struct Shared(Arc<Mutex<Counter>>);
impl Callback for Shared {
    fn on_train_begin(&mut self, l: &mut Logs, m: &mut dyn CallbackModel) -> kerust::Result<()> {
        self.0.lock().unwrap().on_train_begin(l, m)
    }
    fn on_train_batch_end(
        &mut self,
        b: usize,
        l: &mut Logs,
        m: &mut dyn CallbackModel,
    ) -> kerust::Result<()> {
        self.0.lock().unwrap().on_train_batch_end(b, l, m)
    }
    fn on_epoch_end(
        &mut self,
        e: usize,
        l: &mut Logs,
        m: &mut dyn CallbackModel,
    ) -> kerust::Result<()> {
        self.0.lock().unwrap().on_epoch_end(e, l, m)
    }
    fn on_train_end(&mut self, l: &mut Logs, m: &mut dyn CallbackModel) -> kerust::Result<()> {
        self.0.lock().unwrap().on_train_end(l, m)
    }
}

fn linear() -> Sequential {
    let mut m = Sequential::new();
    m.add(Dense::new(1).input_shape([1])).unwrap();
    m.compile(SGD::new(0.01), "mse", NO_METRICS).unwrap();
    m
}

#[test]
fn validation_split_sizes_match_keras() {
    let cases = fixture()["validation_split"].clone();
    let mut checked = 0;
    for c in cases.as_array().unwrap() {
        let n = c["n"].as_u64().unwrap() as usize;
        let f = c["f"].as_f64().unwrap() as f32;
        let x = ArrayD::from_shape_fn(vec![n, 1], |i| i[0] as f32 / n as f32);
        let mut m = linear();
        let counter = Arc::new(Mutex::new(Counter::default()));
        let opts = Fit::epochs(1)
            .batch_size(1)
            .verbose(0)
            .shuffle(false)
            .validation_split(f)
            .callback(Shared(counter.clone()));
        let result = m.fit(&x, &x, opts);
        match c["train"].as_u64() {
            Some(train) => {
                assert!(result.is_ok(), "n={n} f={f}: {result:?}");
                assert_eq!(counter.lock().unwrap().batches as u64, train, "n={n} f={f}");
                assert_eq!(n as u64 - train, c["val"].as_u64().unwrap());
            }
            None => {
                let e = result.unwrap_err().to_string();
                assert!(e.contains("validation_split"), "n={n} f={f}: {e}");
            }
        }
        checked += 1;
    }
    assert!(checked >= 70);
}

#[test]
fn early_stopping_stops_and_restores_as_keras() {
    let run = fixture()["early_stopping"].clone();
    let mut m = linear();
    let init: Vec<ArrayD<f32>> = run["initial_weights"]
        .as_array()
        .unwrap()
        .iter()
        .map(array)
        .collect();
    m.set_weights(&init).unwrap();
    let opts = Fit::epochs(run["epochs"].as_u64().unwrap() as usize)
        .batch_size(4)
        .shuffle(false)
        .verbose(0)
        .validation_data(&array(&run["x_val"]), &array(&run["y_val"]))
        .callback(
            callbacks::EarlyStopping::new()
                .monitor("val_loss")
                .patience(2)
                .restore_best_weights(true),
        );
    let h = m.fit(&array(&run["x"]), &array(&run["y"]), opts).unwrap();
    let epochs: Vec<usize> = serde_json::from_value(run["epoch"].clone()).unwrap();
    assert_eq!(h.epoch, epochs, "History holds only the epochs run");
    for key in ["loss", "val_loss"] {
        let want: Vec<f32> = serde_json::from_value(run["history"][key].clone()).unwrap();
        assert_eq!(h[key].len(), want.len());
        for (a, b) in h[key].iter().zip(&want) {
            assert!(close(*a, *b), "{key}: {:?} vs Keras {want:?}", &h[key]);
        }
    }
    let want: Vec<ArrayD<f32>> = run["weights"]
        .as_array()
        .unwrap()
        .iter()
        .map(array)
        .collect();
    for (a, b) in m.get_weights().iter().zip(&want) {
        assert!(
            a.iter().zip(b).all(|(x, y)| close(*x, *y)),
            "restored {a} vs Keras {b}"
        );
    }
}

#[test]
fn callbacks_run_in_order_before_history_which_sees_their_logs() {
    let mut m = linear();
    let counter = Arc::new(Mutex::new(Counter::default()));
    let x = ArrayD::from_shape_fn(vec![8, 1], |i| i[0] as f32);
    let h = m
        .fit(
            &x,
            &x,
            Fit::epochs(2)
                .batch_size(4)
                .verbose(0)
                .callback(Shared(counter.clone())),
        )
        .unwrap();
    let c = counter.lock().unwrap();
    assert_eq!(c.batches, 4);
    assert_eq!(
        c.events,
        [
            "train_begin",
            "epoch_end 0 [\"loss\"]",
            "epoch_end 1 [\"loss\"]",
            "train_end"
        ]
    );
    assert_eq!(h["seen_by_history"], [0.0, 1.0]);
}

#[test]
fn checkpoint_csv_tensorboard_and_learning_rate_in_one_fit() {
    let dir = temp_dir("all");
    let mut m = linear();
    let x = ArrayD::from_shape_fn(vec![8, 1], |i| i[0] as f32 / 8.0);
    let ckpt = format!("{}/cp-{{epoch:04}}.weights.kerust", dir.display());
    let csv = format!("{}/log.csv", dir.display());
    let tb = format!("{}/logs", dir.display());
    let h = m
        .fit(
            &x,
            &x,
            Fit::epochs(3)
                .verbose(0)
                .validation_split(0.25)
                .callback(callbacks::LearningRateScheduler::new(|epoch, lr| {
                    if epoch == 0 {
                        lr
                    } else {
                        lr * 0.5
                    }
                }))
                .callback(callbacks::ModelCheckpoint::new(&ckpt).save_weights_only(true))
                .callback(callbacks::CSVLogger::new(&csv))
                .callback(callbacks::TensorBoard::new(&tb)),
        )
        .unwrap();
    assert_eq!(h.keys(), ["loss", "val_loss", "learning_rate"]);
    assert_eq!(h["learning_rate"], [0.01, 0.005, 0.0025]);
    for e in 1..=3 {
        let p = dir.join(format!("cp-{e:04}.weights.kerust"));
        assert!(p.exists(), "{}", p.display());
    }
    // The last checkpoint holds the final weights.
    let mut other = linear();
    other
        .load_weights(dir.join("cp-0003.weights.kerust"))
        .unwrap();
    assert_eq!(other.get_weights(), m.get_weights());
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(
        text.lines().next(),
        Some("epoch,learning_rate,loss,val_loss")
    );
    assert_eq!(text.lines().count(), 4);
    for sub in ["train", "validation"] {
        let files: Vec<_> = std::fs::read_dir(dir.join("logs").join(sub))
            .unwrap()
            .collect();
        assert_eq!(files.len(), 1, "{sub}");
    }
}

#[test]
fn reduce_lr_on_plateau_lowers_the_rate_of_the_real_optimizer() {
    let mut m = linear();
    let x = ArrayD::from_shape_fn(vec![4, 1], |i| i[0] as f32);
    let y = ArrayD::from_shape_fn(vec![4, 1], |i| if i[0] % 2 == 0 { 1.0 } else { -1.0 });
    m.compile(SGD::new(0.0), "mse", NO_METRICS).unwrap();
    let h = m
        .fit(
            &x,
            &y,
            Fit::epochs(3).verbose(0).callback(
                callbacks::ReduceLROnPlateau::new()
                    .monitor("loss")
                    .patience(1)
                    .factor(0.5),
            ),
        )
        .unwrap();
    // A zero rate stays zero; the rate is logged every epoch as Keras 3.
    assert_eq!(h["learning_rate"], [0.0, 0.0, 0.0]);
    m.compile(SGD::new(0.0001), "mse", NO_METRICS).unwrap();
    let h = m
        .fit(
            &x,
            &y,
            Fit::epochs(4).verbose(0).shuffle(false).callback(
                callbacks::ReduceLROnPlateau::new()
                    .monitor("loss")
                    .patience(1)
                    .min_delta(10.0),
            ),
        )
        .unwrap();
    let lr = &h["learning_rate"];
    assert_eq!(lr[0], 0.0001);
    assert!(lr[3] < lr[0], "{lr:?}");
    // Keras logs the rate before reducing it at the same epoch's end.
    let now = m.optimizer().map(|o| o.learning_rate()).unwrap();
    assert!(now < lr[3], "{now} after {lr:?}");
}

#[test]
fn a_schedule_steps_per_batch_and_is_saved() {
    // PiecewiseConstantDecay: 1.0 for steps 0..=1, then 0.0: with batch 1
    // only the first two samples move the weights.
    let sched = schedules::PiecewiseConstantDecay::new(&[1], &[0.1, 0.0]);
    let mut m = linear();
    m.compile(SGD::new(sched), "mse", NO_METRICS).unwrap();
    let x = ArrayD::from_shape_fn(vec![5, 1], |i| i[0] as f32 + 1.0);
    let before = m.get_weights();
    m.fit(
        &x,
        &x,
        Fit::epochs(1).batch_size(2).shuffle(false).verbose(0),
    )
    .unwrap();
    let after_two = m.get_weights();
    assert_ne!(before, after_two);
    m.fit(
        &x,
        &x,
        Fit::epochs(1).batch_size(2).shuffle(false).verbose(0),
    )
    .unwrap();
    assert_eq!(m.get_weights(), after_two, "rate 0 after step 1");
    // Keras: the rate of a schedule is not settable.
    let e = m.set_learning_rate(0.5).unwrap_err().to_string();
    assert!(e.contains("schedule"), "{e}");
    let path = temp_dir("sched").join("m.kerust");
    m.save(&path).unwrap();
    let loaded = load_model(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("PiecewiseConstantDecay"),
        "saved with its schedule"
    );
    assert_eq!(loaded.optimizer().map(|o| o.learning_rate()), Some(0.0));
}

#[test]
fn every_optimizer_takes_a_schedule() {
    let x = ArrayD::from_shape_fn(vec![4, 1], |i| i[0] as f32);
    for (name, opt) in [
        (
            "sgd",
            kerust::optimizers::IntoOptimizer::into_optimizer(SGD::new(
                schedules::InverseTimeDecay::new(0.01, 1000, 1.0),
            )),
        ),
        (
            "adam",
            kerust::optimizers::IntoOptimizer::into_optimizer(Adam::new(
                schedules::InverseTimeDecay::new(0.001, 1000, 1.0),
            )),
        ),
        (
            "rmsprop",
            kerust::optimizers::IntoOptimizer::into_optimizer(RMSprop::new(
                schedules::ExponentialDecay::new(0.001, 100, 0.9),
            )),
        ),
        (
            "adagrad",
            kerust::optimizers::IntoOptimizer::into_optimizer(Adagrad::new(
                schedules::CosineDecay::new(0.01, 100),
            )),
        ),
    ] {
        let mut m = linear();
        m.compile(opt.unwrap(), "mse", NO_METRICS).unwrap();
        let start = m.optimizer().map(|o| o.learning_rate());
        m.fit(&x, &x, Fit::epochs(2).batch_size(1).verbose(0))
            .unwrap();
        let now = m.optimizer().map(|o| o.learning_rate());
        assert!(now < start, "{name}: {start:?} -> {now:?}");
    }
}

#[test]
fn weights_files_check_the_architecture_and_leave_the_model_unchanged() {
    let dir = temp_dir("weights");
    let path = dir.join("w.weights.kerust");
    let mut a = Sequential::new();
    a.add(Dense::new(4).input_shape([3])).unwrap();
    a.add(Dense::new(2)).unwrap();
    a.save_weights(&path).unwrap();
    let mut b = Sequential::new();
    b.add(Dense::new(5).input_shape([3])).unwrap();
    b.add(Dense::new(2)).unwrap();
    let before = b.get_weights();
    let e = b.load_weights(&path).unwrap_err().to_string();
    assert!(e.contains("(3, 4)") && e.contains("(3, 5)"), "{e}");
    assert_eq!(b.get_weights(), before);
    let mut c = Sequential::new();
    c.add(Dense::new(4).input_shape([3])).unwrap();
    let e = c.load_weights(&path).unwrap_err().to_string();
    assert!(e.contains("4 weights") && e.contains("has 2"), "{e}");
    // A whole-model file also gives its weights.
    a.save(dir.join("m.kerust")).unwrap();
    let mut d = Sequential::new();
    d.add(Dense::new(4).input_shape([3])).unwrap();
    d.add(Dense::new(2)).unwrap();
    d.load_weights(dir.join("m.kerust")).unwrap();
    assert_eq!(d.get_weights(), a.get_weights());
}

#[test]
fn keras_files_are_recognized() {
    let dir = temp_dir("keras");
    let keras = dir.join("model.keras");
    std::fs::write(&keras, b"PK\x03\x04\x14\x00\x00\x00").unwrap();
    let h5 = dir.join("model.h5");
    std::fs::write(&h5, b"\x89HDF\r\n\x1a\n\x00\x00").unwrap();
    let e = load_model(&keras).unwrap_err().to_string();
    assert!(
        e.contains("zip archive") && e.contains(".keras") && e.contains("its own"),
        "{e}"
    );
    let e = load_model(&h5).unwrap_err().to_string();
    assert!(e.contains("HDF5") && !e.contains("UTF-8"), "{e}");
    let mut m = linear();
    let e = m.load_weights(&h5).unwrap_err().to_string();
    assert!(e.contains("HDF5"), "{e}");
}
