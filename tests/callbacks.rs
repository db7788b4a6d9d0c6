//! Callbacks driven epoch by epoch with fixed logs, against what real Keras
//! callbacks did with the same logs (tests/fixtures/callbacks.json, written
//! by tests/keras/gen_fixtures.py with a model whose weights mark the epoch
//! they were set in): when training stops, which weights are restored, the
//! learning rates set and logged, the messages printed, the files saved
//! and the CSV text written.

use kerust::callbacks::*;
use ndarray::ArrayD;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixture() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/callbacks.json");
    let text = std::fs::read_to_string(path).expect("tests/fixtures/callbacks.json");
    let doc: Value = serde_json::from_str(&text).expect("valid JSON");
    doc["cases"].clone()
}

fn temp_dir(tag: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let d = std::env::temp_dir().join(format!("kerust_cb_{tag}_{}_{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn marker(epoch: usize) -> Vec<ArrayD<f32>> {
    vec![
        ArrayD::from_elem(vec![2, 1], epoch as f32),
        ArrayD::zeros(vec![1]),
    ]
}

fn value(v: &Value) -> f32 {
    v.as_f64().map_or(f32::NAN, |x| x as f32)
}

/// What `drive` in gen_fixtures.py records.
#[derive(Debug)]
struct Record {
    epochs_run: usize,
    lr: Vec<f32>,
    logged_lr: Vec<Option<f32>>,
    stdout: String,
    final_marker: f32,
    error: Option<String>,
}

fn drive(cb: &mut dyn Callback, series: &Value, model: &mut DummyModel) -> Record {
    let series = series.as_object().unwrap();
    let n = series.values().next().unwrap().as_array().unwrap().len();
    model.weights = marker(0);
    model.stop = false;
    model.messages.clear();
    let mut rec = Record {
        epochs_run: 0,
        lr: vec![],
        logged_lr: vec![],
        stdout: String::new(),
        final_marker: 0.0,
        error: None,
    };
    let result = (|| -> kerust::Result<()> {
        cb.on_train_begin(&mut Logs::new(), model)?;
        for epoch in 0..n {
            model.weights = marker(epoch);
            cb.on_epoch_begin(epoch, &mut Logs::new(), model)?;
            let mut logs = Logs::new();
            for (k, v) in series {
                logs.insert(k, value(&v[epoch]));
            }
            cb.on_epoch_end(epoch, &mut logs, model)?;
            rec.epochs_run = epoch + 1;
            rec.lr.push(model.learning_rate);
            rec.logged_lr.push(logs.get("learning_rate"));
            if model.stop {
                break;
            }
        }
        cb.on_train_end(&mut Logs::new(), model)
    })();
    rec.error = result.err().map(|e| e.to_string());
    rec.stdout = model.messages.iter().map(|m| format!("{m}\n")).collect();
    rec.final_marker = model.weights[0][[0, 0]];
    rec
}

fn check(case: &Value, rec: &Record, what: &str) {
    let ctx = format!("{what} {}", case["kwargs"]);
    assert_eq!(
        case["error"].is_string(),
        rec.error.is_some(),
        "{ctx}: error {:?}",
        rec.error
    );
    if rec.error.is_some() {
        return;
    }
    assert_eq!(
        rec.epochs_run as u64,
        case["epochs_run"].as_u64().unwrap(),
        "{ctx}: epochs run"
    );
    assert_eq!(
        rec.final_marker,
        value(&case["final_marker"]),
        "{ctx}: weights at the end"
    );
    assert_eq!(
        rec.stdout,
        case["stdout"].as_str().unwrap(),
        "{ctx}: messages"
    );
}

fn f32_arg(kwargs: &Value, k: &str) -> Option<f32> {
    kwargs.get(k).and_then(Value::as_f64).map(|v| v as f32)
}

fn usize_arg(kwargs: &Value, k: &str) -> Option<usize> {
    kwargs.get(k).and_then(Value::as_u64).map(|v| v as usize)
}

#[test]
fn early_stopping_stops_and_restores_as_keras() {
    let cases = fixture();
    let cases = cases["early_stopping"].as_array().unwrap();
    assert!(cases.len() >= 15);
    for case in cases {
        let kw = &case["kwargs"];
        let mut cb = EarlyStopping::new();
        if let Some(m) = kw.get("monitor").and_then(Value::as_str) {
            cb = cb.monitor(m);
        }
        if let Some(m) = kw.get("mode").and_then(Value::as_str) {
            cb = cb.mode(m);
        }
        if let Some(v) = f32_arg(kw, "min_delta") {
            cb = cb.min_delta(v);
        }
        if let Some(v) = usize_arg(kw, "patience") {
            cb = cb.patience(v);
        }
        if let Some(v) = f32_arg(kw, "baseline") {
            cb = cb.baseline(v);
        }
        if let Some(v) = kw.get("restore_best_weights").and_then(Value::as_bool) {
            cb = cb.restore_best_weights(v);
        }
        if let Some(v) = usize_arg(kw, "start_from_epoch") {
            cb = cb.start_from_epoch(v);
        }
        if let Some(v) = usize_arg(kw, "verbose") {
            cb = cb.verbose(v as u8);
        }
        let rec = drive(&mut cb, &case["series"], &mut DummyModel::new(0.1));
        check(case, &rec, "EarlyStopping");
    }
}

#[test]
fn reduce_lr_on_plateau_sets_and_logs_the_rates_keras_sets() {
    let cases = fixture();
    for case in cases["reduce_lr_on_plateau"].as_array().unwrap() {
        let kw = &case["kwargs"];
        let mut cb = ReduceLROnPlateau::new();
        if let Some(m) = kw.get("monitor").and_then(Value::as_str) {
            cb = cb.monitor(m);
        }
        if let Some(m) = kw.get("mode").and_then(Value::as_str) {
            cb = cb.mode(m);
        }
        for (k, set) in [
            ("factor", ReduceLROnPlateau::factor as fn(_, f32) -> _),
            ("min_delta", ReduceLROnPlateau::min_delta),
            ("min_lr", ReduceLROnPlateau::min_lr),
        ] {
            if let Some(v) = f32_arg(kw, k) {
                cb = set(cb, v);
            }
        }
        if let Some(v) = usize_arg(kw, "patience") {
            cb = cb.patience(v);
        }
        if let Some(v) = usize_arg(kw, "cooldown") {
            cb = cb.cooldown(v);
        }
        if let Some(v) = usize_arg(kw, "verbose") {
            cb = cb.verbose(v as u8);
        }
        let mut model = DummyModel::new(value(&case["initial_lr"]));
        let rec = drive(&mut cb, &case["series"], &mut model);
        check(case, &rec, "ReduceLROnPlateau");
        let want: Vec<f32> = case["lr"].as_array().unwrap().iter().map(value).collect();
        assert_eq!(rec.lr, want, "{}: learning rates", kw);
        let logged: Vec<Option<f32>> = case["logged_lr"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().map(|x| x as f32))
            .collect();
        assert_eq!(rec.logged_lr, logged, "{}: logged learning_rate", kw);
    }
}

#[test]
fn learning_rate_scheduler_sets_keras_rates_and_prints_keras_lines() {
    let cases = fixture();
    for case in cases["learning_rate_scheduler"].as_array().unwrap() {
        let mut cb = match case["schedule"].as_str().unwrap() {
            "halve_after_2" => {
                LearningRateScheduler::new(|epoch, lr| if epoch < 2 { lr } else { lr * 0.5 })
            }
            "one_over_epoch" => LearningRateScheduler::new(|epoch, _| 0.1 / (epoch as f32 + 1.0)),
            other => panic!("unknown schedule {other}"),
        }
        .verbose(case["verbose"].as_u64().unwrap() as u8);
        let mut model = DummyModel::new(value(&case["initial_lr"]));
        let rec = drive(
            &mut cb,
            &serde_json::json!({"loss": [0.5, 0.4, 0.3, 0.2, 0.1]}),
            &mut model,
        );
        check(case, &rec, "LearningRateScheduler");
        let want: Vec<f32> = case["lr"].as_array().unwrap().iter().map(value).collect();
        assert_eq!(rec.lr, want);
        let logged: Vec<Option<f32>> = rec.lr.iter().map(|&v| Some(v)).collect();
        assert_eq!(rec.logged_lr, logged);
    }
}

#[test]
fn learning_rate_callbacks_refuse_an_optimizer_with_a_schedule() {
    let mut model = DummyModel::new(0.1);
    model.schedule = true;
    let mut cb = LearningRateScheduler::new(|_, lr| lr);
    let err = cb
        .on_epoch_begin(0, &mut Logs::new(), &mut model)
        .unwrap_err();
    assert!(err.to_string().contains("not settable"), "{err}");
    let mut cb = LearningRateScheduler::new(|_, _| f32::NAN);
    let err = cb
        .on_epoch_begin(0, &mut Logs::new(), &mut DummyModel::new(0.1))
        .unwrap_err();
    assert!(err.to_string().contains("schedule"), "{err}");
    let err = ReduceLROnPlateau::new()
        .factor(1.0)
        .on_train_begin(&mut Logs::new(), &mut model)
        .unwrap_err();
    assert!(err.to_string().contains("factor >= 1.0"), "{err}");
    let err = EarlyStopping::new()
        .mode("minimum")
        .on_train_begin(&mut Logs::new(), &mut model)
        .unwrap_err();
    assert!(
        err.to_string().contains("\"auto\", \"min\" or \"max\""),
        "{err}"
    );
}

fn kerust_ext(s: &str) -> String {
    s.replace(".weights.h5", ".weights.kerust")
        .replace(".keras", ".kerust")
}

fn files_under(dir: &Path) -> Vec<String> {
    let mut out = vec![];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(
                    p.strip_prefix(dir)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    out.sort();
    out
}

#[test]
fn checkpoint_paths_are_formatted_as_python() {
    let cases = fixture();
    for case in cases["checkpoint_paths"].as_array().unwrap() {
        let dir = temp_dir("paths");
        let template = kerust_ext(case["template"].as_str().unwrap());
        let epoch = case["epoch"].as_u64().unwrap() as usize;
        let mut logs = Logs::new();
        for (k, v) in case["logs"].as_object().unwrap() {
            logs.insert(k, value(v));
        }
        let mut model = DummyModel::new(0.1);
        let mut cb = ModelCheckpoint::new(dir.join(&template).to_str().unwrap());
        cb.on_train_begin(&mut Logs::new(), &mut model).unwrap();
        cb.on_epoch_begin(epoch, &mut Logs::new(), &mut model)
            .unwrap();
        let result = cb.on_epoch_end(epoch, &mut logs, &mut model);
        match case["path"].as_str() {
            Some(want) => {
                result.unwrap_or_else(|e| panic!("{template}: {e}"));
                let got = model.saved[0]
                    .0
                    .strip_prefix(&dir)
                    .unwrap()
                    .to_string_lossy()
                    .to_string();
                assert_eq!(got, kerust_ext(want), "{template} at epoch {epoch}");
            }
            None => {
                let err = result.expect_err(&template);
                assert!(
                    err.to_string()
                        .contains("Failed to format this callback filepath"),
                    "{err}"
                );
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn model_checkpoint_saves_and_prints_as_keras() {
    let cases = fixture();
    for case in cases["model_checkpoint"].as_array().unwrap() {
        let dir = temp_dir("ckpt");
        let kw = &case["kwargs"];
        let template = kerust_ext(case["template"].as_str().unwrap());
        let mut cb = ModelCheckpoint::new(dir.join(&template).to_str().unwrap());
        if let Some(m) = kw.get("monitor").and_then(Value::as_str) {
            cb = cb.monitor(m);
        }
        if let Some(v) = kw.get("save_best_only").and_then(Value::as_bool) {
            cb = cb.save_best_only(v);
        }
        if let Some(v) = kw.get("save_weights_only").and_then(Value::as_bool) {
            cb = cb.save_weights_only(v);
        }
        if let Some(v) = f32_arg(kw, "initial_value_threshold") {
            cb = cb.initial_value_threshold(v);
        }
        if let Some(v) = usize_arg(kw, "verbose") {
            cb = cb.verbose(v as u8);
        }
        let mut model = DummyModel::new(0.1);
        let mut rec = drive(&mut cb, &case["series"], &mut model);
        rec.stdout = rec.stdout.replace(dir.to_str().unwrap(), "DIR");
        let mut case = case.clone();
        case["stdout"] = Value::from(kerust_ext(case["stdout"].as_str().unwrap()));
        check(&case, &rec, "ModelCheckpoint");
        let want: Vec<String> = case["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| kerust_ext(f.as_str().unwrap()))
            .collect();
        assert_eq!(files_under(&dir), want, "{kw}: files");
        let weights_only = kw
            .get("save_weights_only")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        assert!(model.saved.iter().all(|(_, w)| *w == weights_only));
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn model_checkpoint_wants_kerust_file_names() {
    let mut model = DummyModel::new(0.1);
    let err = ModelCheckpoint::new("cp.weights.h5")
        .save_weights_only(true)
        .on_train_begin(&mut Logs::new(), &mut model)
        .unwrap_err();
    assert!(err.to_string().contains(".weights.kerust"), "{err}");
    let err = ModelCheckpoint::new("cp.keras")
        .on_train_begin(&mut Logs::new(), &mut model)
        .unwrap_err();
    assert!(err.to_string().contains("must end in `.kerust`"), "{err}");
}

#[test]
fn csv_logger_writes_keras_csv() {
    let cases = fixture();
    for case in cases["csv_logger"].as_array().unwrap() {
        let dir = temp_dir("csv");
        let path = dir.join("log.csv");
        let series = case["series"].as_object().unwrap();
        // Keras' logs come in the order fit makes them; the header is sorted anyway.
        let n = series.values().next().unwrap().as_array().unwrap().len();
        for _ in 0..case["runs"].as_u64().unwrap() {
            let mut cb = CSVLogger::new(path.to_str().unwrap())
                .separator(case["separator"].as_str().unwrap())
                .append(case["append"].as_bool().unwrap());
            let mut model = DummyModel::new(0.1);
            cb.on_train_begin(&mut Logs::new(), &mut model).unwrap();
            for epoch in 0..n {
                let mut logs = Logs::new();
                for (k, v) in series {
                    logs.insert(k, value(&v[epoch]));
                }
                cb.on_epoch_end(epoch, &mut logs, &mut model).unwrap();
            }
            cb.on_train_end(&mut Logs::new(), &mut model).unwrap();
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            case["text"].as_str().unwrap(),
            "{}",
            case["separator"]
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
