//! The TensorBoard callback's event files: decoded here (TFRecord framing,
//! CRC-32C, the protobuf fields) and read back with the `tensorboard` pip
//! package's own reader (tests/tensorboard/read_events.py) when a Python
//! with tensorboard is there: `KERUST_PYTHON` (set by `make test` to the
//! project's venv, where it is then required) or `.venv/bin/python`.

use kerust::callbacks::{Callback, DummyModel, Logs, TensorBoard};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const EPOCHS: usize = 3;
const BATCHES: usize = 3;

fn epoch_logs(e: usize) -> Logs {
    let e = e as f32;
    Logs::from([
        ("loss", 1.0 / (e + 1.0)),
        ("accuracy", 0.5 + 0.1 * e),
        ("val_loss", 1.5 / (e + 1.0)),
        ("val_accuracy", 0.4 + 0.1 * e),
    ])
}

/// Trains a dummy model for EPOCHS epochs of BATCHES batches with a
/// TensorBoard callback writing batch logs every 2 batches.
fn write_logs(dir: &Path) {
    let mut model = DummyModel::new(0.01);
    let mut tb = TensorBoard::new(dir.to_str().unwrap()).update_freq(2);
    tb.on_train_begin(&mut Logs::new(), &mut model).unwrap();
    for e in 0..EPOCHS {
        tb.on_epoch_begin(e, &mut Logs::new(), &mut model).unwrap();
        for b in 0..BATCHES {
            tb.on_train_batch_begin(b, &mut Logs::new(), &mut model)
                .unwrap();
            let mut logs = Logs::from([("loss", 2.0 - 0.1 * (e * BATCHES + b) as f32)]);
            tb.on_train_batch_end(b, &mut logs, &mut model).unwrap();
        }
        tb.on_epoch_end(e, &mut epoch_logs(e), &mut model).unwrap();
        model.learning_rate *= 0.5;
    }
    tb.on_train_end(&mut Logs::new(), &mut model).unwrap();
}

type Scalars = BTreeMap<String, Vec<(i64, f32)>>;

/// What the files of each run should hold.
fn expected() -> BTreeMap<String, Scalars> {
    let mut train = Scalars::new();
    let mut val = Scalars::new();
    let mut lr = 0.01f32;
    for e in 0..EPOCHS {
        for (k, v) in epoch_logs(e).iter() {
            let (run, name) = match k.strip_prefix("val_") {
                Some(n) => (&mut val, n),
                None => (&mut train, k),
            };
            run.entry(format!("epoch_{name}"))
                .or_default()
                .push((e as i64, v));
        }
        train
            .entry("epoch_learning_rate".into())
            .or_default()
            .push((e as i64, lr));
        lr *= 0.5;
    }
    for g in (2..=EPOCHS * BATCHES).step_by(2) {
        let loss = 2.0 - 0.1 * (g - 1) as f32;
        train
            .entry("batch_loss".into())
            .or_default()
            .push((g as i64, loss));
    }
    BTreeMap::from([
        ("train".to_string(), train),
        ("validation".to_string(), val),
    ])
}

fn temp_dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("kerust_tb_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn crc32c_bitwise(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0x82F6_3B78
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

// Written as TensorFlow's crc32c::Mask, not as the library code writes it.
#[allow(clippy::manual_rotate)]
fn masked(data: &[u8]) -> u32 {
    let c = crc32c_bitwise(data);
    ((c >> 15) | (c << 17)).wrapping_add(0xA282_EAD8)
}

fn varint(b: &[u8], i: &mut usize) -> u64 {
    let (mut v, mut shift) = (0u64, 0);
    loop {
        let byte = b[*i];
        *i += 1;
        v |= u64::from(byte & 0x7F) << shift;
        if byte < 0x80 {
            return v;
        }
        shift += 7;
    }
}

/// Protobuf fields of a message: (field number, wire type, bytes).
fn fields(b: &[u8]) -> Vec<(u64, u64, Vec<u8>)> {
    let mut out = vec![];
    let mut i = 0;
    while i < b.len() {
        let key = varint(b, &mut i);
        let (field, wt) = (key >> 3, key & 7);
        let len = match wt {
            0 => {
                let start = i;
                varint(b, &mut i);
                out.push((field, wt, b[start..i].to_vec()));
                continue;
            }
            1 => 8,
            5 => 4,
            2 => varint(b, &mut i) as usize,
            _ => panic!("wire type {wt}"),
        };
        out.push((field, wt, b[i..i + len].to_vec()));
        i += len;
    }
    out
}

/// Decodes one event file: its file_version and its scalars.
fn decode(path: &Path) -> (String, Scalars) {
    let bytes = std::fs::read(path).unwrap();
    let mut i = 0;
    let (mut version, mut scalars) = (String::new(), Scalars::new());
    while i < bytes.len() {
        let len_bytes = &bytes[i..i + 8];
        let len = u64::from_le_bytes(len_bytes.try_into().unwrap()) as usize;
        assert_eq!(
            u32::from_le_bytes(bytes[i + 8..i + 12].try_into().unwrap()),
            masked(len_bytes)
        );
        let data = &bytes[i + 12..i + 12 + len];
        let crc = u32::from_le_bytes(bytes[i + 12 + len..i + 16 + len].try_into().unwrap());
        assert_eq!(crc, masked(data), "data CRC in {}", path.display());
        i += 16 + len;
        let mut step = 0i64;
        let mut wall_time = 0.0f64;
        for (field, _, v) in fields(data) {
            match field {
                1 => wall_time = f64::from_le_bytes(v[..].try_into().unwrap()),
                2 => step = varint(&v, &mut 0) as i64,
                3 => version = String::from_utf8(v).unwrap(),
                5 => {
                    for (_, _, value) in fields(&v) {
                        let f = fields(&value);
                        let tag = String::from_utf8(f[0].2.clone()).unwrap();
                        assert_eq!((f[1].0, f[1].1), (2, 5), "simple_value is field 2, fixed32");
                        let x = f32::from_le_bytes(f[1].2[..].try_into().unwrap());
                        scalars.entry(tag).or_default().push((step, x));
                    }
                }
                other => panic!("unexpected Event field {other}"),
            }
        }
        assert!(wall_time > 1.5e9, "wall_time {wall_time}");
    }
    (version, scalars)
}

fn event_files(run: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(run)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

#[test]
fn event_files_hold_keras_scalars_in_train_and_validation() {
    let dir = temp_dir();
    write_logs(&dir);
    for (run, want) in expected() {
        let files = event_files(&dir.join(&run));
        assert_eq!(files.len(), 1, "{run}: {files:?}");
        let name = files[0].file_name().unwrap().to_str().unwrap().to_string();
        let parts: Vec<&str> = name.split('.').collect();
        assert_eq!(&parts[..3], ["events", "out", "tfevents"], "{name}");
        assert_eq!(parts[parts.len() - 1], "v2", "{name}");
        assert!(
            parts[3].len() >= 10 && parts[3].parse::<u64>().is_ok(),
            "{name}"
        );
        assert_eq!(
            parts[parts.len() - 3],
            std::process::id().to_string(),
            "{name}"
        );
        let (version, scalars) = decode(&files[0]);
        assert_eq!(version, "brain.Event:2");
        assert_eq!(scalars, want, "{run}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn python() -> Option<(PathBuf, bool)> {
    if let Some(p) = std::env::var_os("KERUST_PYTHON") {
        return Some((PathBuf::from(p), true));
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    venv.exists().then_some((venv, false))
}

#[test]
fn tensorboard_package_reads_the_event_files() {
    let Some((python, required)) = python() else {
        eprintln!(
            "no .venv/bin/python and no KERUST_PYTHON: the tensorboard reader check did not run"
        );
        return;
    };
    let has_tb = std::process::Command::new(&python)
        .args(["-c", "import tensorboard"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_tb {
        assert!(
            !required,
            "KERUST_PYTHON={} has no tensorboard package (requirements-test.txt)",
            python.display()
        );
        eprintln!(
            "{} has no tensorboard: the reader check did not run",
            python.display()
        );
        return;
    }
    let dir = temp_dir().with_extension("py");
    let _ = std::fs::remove_dir_all(&dir);
    write_logs(&dir);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tensorboard/read_events.py");
    let out = std::process::Command::new(&python)
        .arg(&script)
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    for (run, want) in expected() {
        let r = &doc["runs"][&run];
        assert_eq!(r["file_version"], "brain.Event:2", "{run}");
        let n_scalars: usize = want.values().map(Vec::len).sum();
        assert_eq!(
            r["events"].as_u64().unwrap() as usize,
            n_scalars + 1,
            "{run}: every event read, CRCs good"
        );
        let got: Scalars = r["scalars"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(tag, pts)| {
                let pts = pts
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| (p[0].as_i64().unwrap(), p[1].as_f64().unwrap() as f32))
                    .collect();
                (tag.clone(), pts)
            })
            .collect();
        assert_eq!(got, want, "{run}: scalars as tensorboard reads them");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
