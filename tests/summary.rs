//! `summary()` tables (issue 3): seed 003's Practice 1 and Practice 2
//! tables byte for byte, a functional model's table and a table with a name
//! cut by its column.
//!
//! The two Practice tables are Keras' own printed output, copied from the
//! lesson (`seeds/003_*.txt`) with every trailing space: Keras 2 pads each
//! row to 65 columns. The functional and the cut-name tables are not in a
//! lesson; they are checked line by line against the format rules of
//! DESIGN.md (fields at columns 0, 29 and 55, rows of 65 columns, a field
//! too long for its column cut so that one space stands before the next),
//! with shapes and parameter counts read from the Keras fixtures.
//!
//! Layer and model names come from a process-global counter, so every
//! name-sensitive check lives in the one `#[test]` below, each table after
//! `clear_session()`.

use kerust::prelude::*;
use serde_json::Value;
use std::path::PathBuf;

/// Seed 003, Practice 1: Keras' printed summary.
const PRACTICE_1: &[&str] = &[
    "Model: \"sequential_1\"\n",
    "_________________________________________________________________\n",
    "Layer (type)                 Output Shape              Param #   \n",
    "=================================================================\n",
    "dense_1 (Dense)              (None, 10)                30        \n",
    "_________________________________________________________________\n",
    "dense_2 (Dense)              (None, 1)                 11        \n",
    "=================================================================\n",
    "Total params: 41\n",
    "Trainable params: 41\n",
    "Non-trainable params: 0\n",
    "_________________________________________________________________\n",
];

/// Seed 003, Practice 2: Keras' printed summary.
const PRACTICE_2: &[&str] = &[
    "Model: \"sequential_1\"\n",
    "_________________________________________________________________\n",
    "Layer (type)                 Output Shape              Param #   \n",
    "=================================================================\n",
    "dense_1 (Dense)              (None, 5)                 20        \n",
    "_________________________________________________________________\n",
    "dense_2 (Dense)              (None, 1)                 6         \n",
    "=================================================================\n",
    "Total params: 26\n",
    "Trainable params: 26\n",
    "Non-trainable params: 0\n",
    "_________________________________________________________________\n",
];

fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(format!("{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture")).expect("json")
}

/// `(None, 13, 13, 8)` from a fixture's shape without the batch axis.
fn keras_shape(v: &Value) -> String {
    let dims: Vec<String> = v
        .as_array()
        .expect("shape")
        .iter()
        .map(|d| d.to_string())
        .collect();
    format!("(None, {})", dims.join(", "))
}

/// `25450` as `25,450`.
fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// One row by DESIGN.md's rule: the name field cut to 28 characters and
/// padded to column 29, the shape cut to 25 and padded to column 55, the
/// count padded to 65 columns.
fn row(name: &str, shape: &str, params: &str) -> String {
    let cut = |s: &str, n: usize| s.chars().take(n).collect::<String>();
    format!(
        "{:<29}{:<26}{:<10}",
        cut(name, 28),
        cut(shape, 25),
        cut(params, 10)
    )
}

/// The whole table for `(name, shape, params)` rows by the same rule.
fn table(model: &str, rows: &[(String, String, u64)], total: u64) -> String {
    let mut lines = vec![
        format!("Model: \"{model}\""),
        "_".repeat(65),
        row("Layer (type)", "Output Shape", "Param #"),
        "=".repeat(65),
    ];
    for (i, (name, shape, params)) in rows.iter().enumerate() {
        lines.push(row(name, shape, &params.to_string()));
        lines.push(if i + 1 == rows.len() { "=" } else { "_" }.repeat(65));
    }
    lines.push(format!("Total params: {}", thousands(total)));
    lines.push(format!("Trainable params: {}", thousands(total)));
    lines.push("Non-trainable params: 0".to_string());
    lines.push("_".repeat(65));
    lines.join("\n") + "\n"
}

fn assert_same(got: &str, want: &str) {
    if got != want {
        let diff: Vec<String> = got
            .lines()
            .zip(want.lines())
            .enumerate()
            .filter(|(_, (g, w))| g != w)
            .map(|(i, (g, w))| format!("line {}:\n  got  {g:?}\n  want {w:?}", i + 1))
            .collect();
        panic!(
            "summary differs ({} vs {} lines):\n{}\n--- got:\n{got}--- want:\n{want}",
            got.lines().count(),
            want.lines().count(),
            diff.join("\n")
        );
    }
}

#[test]
fn summaries_match_keras() {
    // Seed 003, Practice 1, as the lesson writes it.
    clear_session();
    let mut model = Sequential::new();
    model
        .add(Dense::new(10).input_shape([2]).activation("relu"))
        .unwrap();
    model.add(Dense::new(1)).unwrap();
    assert_same(&model.summary_string(), &PRACTICE_1.concat());

    // Seed 003, Practice 2 (a new session in the lesson: names restart).
    clear_session();
    let mut model = Sequential::new();
    model
        .add(Dense::new(5).input_shape([3]).activation("relu"))
        .unwrap();
    model.add(Dense::new(1)).unwrap();
    assert_same(&model.summary_string(), &PRACTICE_2.concat());

    // The rows are padded to 65 columns, as in the lesson.
    for line in PRACTICE_1.iter().chain(PRACTICE_2) {
        let line = line.trim_end_matches('\n');
        if line.starts_with("dense_") || line.starts_with("Layer (type)") {
            assert_eq!(line.len(), 65, "{line:?}");
        }
    }

    // Seed 001's functional model: model_1, an input_1 (InputLayer) row with
    // 0 params, thousands separators.
    clear_session();
    let fx = fixture("seed001_784_32_10_functional");
    let input_tensor = Input::new([784]);
    let x = Dense::new(32)
        .activation("relu")
        .call(&input_tensor)
        .unwrap();
    let output_tensor = Dense::new(10).activation("softmax").call(&x).unwrap();
    let model = Model::new(&input_tensor, &output_tensor).unwrap();
    let shapes = fx["output_shapes"].as_array().unwrap();
    let params = fx["layer_params"].as_array().unwrap();
    let p = |i: usize| params[i].as_u64().unwrap();
    let rows = vec![
        (
            "input_1 (InputLayer)".to_string(),
            keras_shape(&fx["input_shape"]),
            0,
        ),
        ("dense_1 (Dense)".to_string(), keras_shape(&shapes[0]), p(0)),
        ("dense_2 (Dense)".to_string(), keras_shape(&shapes[1]), p(1)),
    ];
    let total = fx["count_params"].as_u64().unwrap();
    let got = model.summary_string();
    assert_same(&got, &table("model_1", &rows, total));
    assert!(got.contains("Total params: 25,450\n"), "{got}");
    assert!(got.contains(&format!(
        "{:<29}{:<26}{:<10}\n",
        "input_1 (InputLayer)", "(None, 784)", "0"
    )));

    // A name cut by its column: max_pooling2d_1 (MaxPooling2D) is 30
    // characters; Keras 2 keeps 28 and one space before the shape.
    clear_session();
    let fx = fixture("cnn_mnist_summary");
    let mut model = Sequential::new();
    model
        .add(
            Conv2D::new(8, (3, 3))
                .activation("relu")
                .input_shape([28, 28, 1]),
        )
        .unwrap();
    model.add(MaxPooling2D::new((2, 2))).unwrap();
    model.add(Flatten::new()).unwrap();
    model.add(Dense::new(10).activation("softmax")).unwrap();
    let shapes = fx["output_shapes"].as_array().unwrap();
    let params = fx["layer_params"].as_array().unwrap();
    let p = |i: usize| params[i].as_u64().unwrap();
    let names = [
        "conv2d_1 (Conv2D)",
        "max_pooling2d_1 (MaxPooling2D)",
        "flatten_1 (Flatten)",
        "dense_1 (Dense)",
    ];
    let rows: Vec<(String, String, u64)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.to_string(), keras_shape(&shapes[i]), p(i)))
        .collect();
    let got = model.summary_string();
    assert_same(
        &got,
        &table("sequential_1", &rows, fx["count_params"].as_u64().unwrap()),
    );
    let cut = got
        .lines()
        .find(|l| l.starts_with("max_pooling2d_1"))
        .expect("the pooling row");
    assert!(
        cut.starts_with("max_pooling2d_1 (MaxPooling2 (None, 13, 13, 8)"),
        "{cut:?}"
    );
    assert_eq!(cut.len(), 65, "{cut:?}");
}
