//! Reading the Keras fixtures of `tests/fixtures/` (written by
//! `tests/keras/gen_fixtures.py`): the JSON document and its arrays.

// Each test file uses some of these helpers.
#![allow(dead_code)]

use kerust::prelude::*;
use serde_json::Value;

/// `tests/fixtures/<name>.json`.
pub fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json")
}

/// An array written as `{"shape": [...], "data": [...]}`.
pub fn arr(v: &Value) -> ArrayD<f32> {
    let shape: Vec<usize> = v["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_u64().unwrap() as usize)
        .collect();
    let data: Vec<f32> = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_f64().unwrap() as f32)
        .collect();
    ArrayD::from_shape_vec(shape, data).unwrap()
}

/// A list of strings.
pub fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// A list of whole numbers (a shape, counts).
pub fn usizes(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect()
}
