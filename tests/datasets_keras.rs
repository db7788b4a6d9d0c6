//! The dataset loaders against real Keras and numpy
//! (tests/fixtures/datasets, written by tests/keras/gen_fixtures.py
//! datasets): Keras' imdb/reuters/boston_housing `load_data` on small
//! numpy-written files (and on a Python 2 style pickle), Keras' CIFAR-10
//! batch reader, `keras.utils.pad_sequences`, and numpy's
//! `RandomState(113).shuffle` at the real datasets' sizes.

use kerust::datasets::{self, TextOptions};
use kerust::prelude::*;
use serde_json::Value;
use std::path::PathBuf;

mod dataset_writers;
use dataset_writers::*;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/datasets")
}

fn fixture() -> Value {
    let text = std::fs::read_to_string(dir().join("datasets.json")).expect("datasets.json");
    serde_json::from_str(&text).expect("valid JSON")
}

fn ints(v: &Value) -> Vec<i64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_i64().unwrap())
        .collect()
}

fn lists(v: &Value) -> Vec<Vec<i64>> {
    v.as_array().unwrap().iter().map(ints).collect()
}

fn options(o: &Value) -> TextOptions {
    let mut t = TextOptions::new();
    let o = o.as_object().unwrap();
    let int = |k: &str| o.get(k).map(|v| v.as_i64());
    if let Some(Some(n)) = int("num_words") {
        t = t.num_words(n as usize);
    }
    if let Some(Some(n)) = int("skip_top") {
        t = t.skip_top(n as usize);
    }
    if let Some(Some(n)) = int("maxlen") {
        t = t.maxlen(n as usize);
    }
    if let Some(Some(n)) = int("seed") {
        t = t.seed(n as u32);
    }
    if let Some(v) = int("start_char") {
        t = t.start_char(v);
    }
    if let Some(v) = int("oov_char") {
        t = t.oov_char(v);
    }
    if let Some(Some(n)) = int("index_from") {
        t = t.index_from(n);
    }
    if let Some(ts) = o.get("test_split").and_then(Value::as_f64) {
        t = t.test_split(ts);
    }
    t
}

fn check_text(got: datasets::SequenceData, want: &Value, what: &str) {
    let ((x, y), (xt, yt)) = got;
    assert_eq!(x, lists(&want["x_train"]), "{what}: x_train");
    assert_eq!(y.to_vec(), ints(&want["y_train"]), "{what}: y_train");
    assert_eq!(xt, lists(&want["x_test"]), "{what}: x_test");
    assert_eq!(yt.to_vec(), ints(&want["y_test"]), "{what}: y_test");
}

#[test]
fn imdb_matches_keras_for_every_option() {
    let fx = fixture();
    for case in fx["imdb"].as_array().unwrap() {
        let opts = options(&case["options"]);
        for file in ["imdb_small.npz", "imdb_py2.npz"] {
            let got = datasets::imdb::load_data_from(dir().join(file), &opts).unwrap();
            check_text(got, &case["result"], &format!("{file} {}", case["options"]));
        }
    }
}

#[test]
fn reuters_matches_keras_for_every_option() {
    let fx = fixture();
    for case in fx["reuters"].as_array().unwrap() {
        let opts = options(&case["options"]);
        let got =
            datasets::reuters::load_data_from(dir().join("reuters_small.npz"), &opts).unwrap();
        check_text(got, &case["result"], &case["options"].to_string());
    }
}

#[test]
fn boston_housing_matches_keras() {
    let fx = fixture();
    for case in fx["boston_housing"].as_array().unwrap() {
        let (ts, seed) = (
            case["test_split"].as_f64().unwrap(),
            case["seed"].as_u64().unwrap(),
        );
        let ((x, y), (xt, yt)) = datasets::boston_housing::load_data_from(
            dir().join("boston_small.npz"),
            ts,
            seed as u32,
        )
        .unwrap();
        let rows = |a: &Array2<f64>| a.rows().into_iter().map(|r| r.to_vec()).collect::<Vec<_>>();
        let want = |k: &str| -> Vec<Vec<f64>> {
            case["result"][k]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    r.as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_f64().unwrap())
                        .collect()
                })
                .collect()
        };
        let want1 = |k: &str| -> Vec<f64> {
            case["result"][k]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect()
        };
        assert_eq!(rows(&x), want("x_train"));
        assert_eq!(y.to_vec(), want1("y_train"));
        assert_eq!(rows(&xt), want("x_test"));
        assert_eq!(yt.to_vec(), want1("y_test"));
    }
}

#[test]
fn cifar10_matches_keras_batch_reader() {
    let fx = fixture();
    let ((x, y), (xt, yt)) =
        datasets::cifar10::load_data_from(dir().join("cifar10/cifar-10-batches-py")).unwrap();
    let c = &fx["cifar10"];
    let shape = |k: &str| {
        ints(&c[k]["shape"])
            .into_iter()
            .map(|d| d as usize)
            .collect::<Vec<_>>()
    };
    let data = |k: &str| {
        ints(&c[k]["data"])
            .into_iter()
            .map(|d| d as u8)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        (x.shape().to_vec(), y.shape().to_vec()),
        (shape("x_train"), shape("y_train"))
    );
    assert_eq!(
        (xt.shape().to_vec(), yt.shape().to_vec()),
        (shape("x_test"), shape("y_test"))
    );
    assert_eq!(x.iter().copied().collect::<Vec<_>>(), data("x_train"));
    assert_eq!(y.iter().copied().collect::<Vec<_>>(), data("y_train"));
    assert_eq!(xt.iter().copied().collect::<Vec<_>>(), data("x_test"));
    assert_eq!(yt.iter().copied().collect::<Vec<_>>(), data("y_test"));
}

#[test]
fn pad_sequences_matches_keras() {
    let fx = fixture();
    let p = &fx["pad_sequences"];
    let seqs = lists(&p["sequences"]);
    for case in p["cases"].as_array().unwrap() {
        let o = &case["options"];
        let mut opts = utils::PadSequences::maxlen(o["maxlen"].as_u64().unwrap_or(0) as usize);
        if let Some(s) = o.get("padding").and_then(Value::as_str) {
            opts = opts.padding(s);
        }
        if let Some(s) = o.get("truncating").and_then(Value::as_str) {
            opts = opts.truncating(s);
        }
        if let Some(v) = o.get("value").and_then(Value::as_i64) {
            opts = opts.value(v as i32);
        }
        assert_eq!(case["dtype"], "int32");
        let got = utils::pad_sequences_with(&seqs, opts).unwrap();
        let got: Vec<Vec<i64>> = got
            .rows()
            .into_iter()
            .map(|r| r.iter().map(|&v| i64::from(v)).collect())
            .collect();
        assert_eq!(got, lists(&case["result"]), "{o}");
    }
}

fn digest(perm: &[i64]) -> String {
    let bytes: Vec<u8> = perm.iter().flat_map(|v| v.to_le_bytes()).collect();
    hmac_sha256::Hash::hash(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The permutation a loader applied, read back from sequences `[i]`.
fn order(x: &[Vec<i64>]) -> Vec<i64> {
    x.iter().map(|s| s[0]).collect()
}

/// numpy's RandomState(113).shuffle, seen through the loaders at the real
/// sizes: Reuters' 11,228 newswires, IMDB's two 25,000-review shuffles from
/// one generator, and Boston's 506 rows.
#[test]
fn shuffles_are_numpy_random_state_113_at_the_real_sizes() {
    let fx = fixture();
    let perms = fx["random_state_113"].as_array().unwrap();
    let find = |sizes: &[i64], nth: u64| {
        perms
            .iter()
            .find(|p| ints(&p["sizes"]) == sizes && p["nth"] == nth)
            .unwrap()
    };
    let tmp = std::env::temp_dir().join(format!("kerust-dsk-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let raw = TextOptions::new()
        .start_char(None)
        .index_from(0)
        .oov_char(None)
        .num_words(1 << 40)
        .test_split(0.0);
    for n in [1usize, 2, 10, 11228] {
        let xs: Vec<Vec<i64>> = (0..n as i64).map(|i| vec![i]).collect();
        let path = tmp.join("reuters.npz");
        std::fs::write(
            &path,
            zip_stored(&[("x.npy", npy_lists(&xs)), ("y.npy", npy_i64(&vec![0; n]))]),
        )
        .unwrap();
        let ((x, _), _) = datasets::reuters::load_data_from(&path, &raw).unwrap();
        let p = find(&[n as i64], 0);
        assert_eq!(order(&x)[..n.min(20)], ints(&p["first"])[..], "n = {n}");
        assert_eq!(digest(&order(&x)), p["sha256"], "n = {n}");
    }
    let xs: Vec<Vec<i64>> = (0..25000).map(|i| vec![i]).collect();
    let ys = npy_i64(&vec![0; 25000]);
    let path = tmp.join("imdb.npz");
    std::fs::write(
        &path,
        zip_stored(&[
            ("x_train.npy", npy_lists(&xs)),
            ("y_train.npy", ys.clone()),
            ("x_test.npy", npy_lists(&xs)),
            ("y_test.npy", ys),
        ]),
    )
    .unwrap();
    let ((x, _), (xt, _)) = datasets::imdb::load_data_from(&path, &raw).unwrap();
    assert_eq!(digest(&order(&x)), find(&[25000, 25000], 0)["sha256"]);
    assert_eq!(digest(&order(&xt)), find(&[25000, 25000], 1)["sha256"]);
    let xv: Vec<f64> = (0..506 * 13).map(|i| (i / 13) as f64).collect();
    let yv: Vec<f64> = (0..506).map(f64::from).collect();
    let path = tmp.join("boston.npz");
    std::fs::write(
        &path,
        zip_stored(&[
            ("x.npy", npy_f64(&[506, 13], &xv)),
            ("y.npy", npy_f64(&[506], &yv)),
        ]),
    )
    .unwrap();
    let ((_, y), (_, yt)) = datasets::boston_housing::load_data_from(&path, 0.2, 113).unwrap();
    let perm: Vec<i64> = y.iter().chain(yt.iter()).map(|&v| v as i64).collect();
    assert_eq!(digest(&perm), find(&[506], 0)["sha256"]);
    let _ = std::fs::remove_dir_all(&tmp);
}
