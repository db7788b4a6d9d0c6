//! Weights files: `save_weights` and `load_weights`, the weights alone in
//! the model's order (`.weights.kerust`), and the check that tells a real
//! Keras file (`.keras`, `.h5`) from kerust's own.

use super::graph::Graph;
use super::save::{decode, encode, write_atomically, Durability};
use crate::error::{Error, Result};
use ndarray::ArrayD;
use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;

/// The format name written in every weights file.
pub const WEIGHTS_FORMAT: &str = "kerust-weights";

impl Graph {
    /// Saves only the weights, in the model's layer order, as Keras'
    /// `save_weights` (kerust's own format; `.weights.kerust` by
    /// convention). The file is written beside `path` and renamed, so a
    /// failed save leaves an earlier file intact.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let mut model = Sequential::new();
    /// model.add(Dense::new(2).input_shape([3]))?;
    /// let path = std::env::temp_dir().join("kerust_doc_ckpt.weights.kerust");
    /// model.save_weights(&path)?;
    /// let mut other = Sequential::new();
    /// other.add(Dense::new(2).input_shape([3]))?;
    /// other.load_weights(&path)?;
    /// assert_eq!(other.get_weights(), model.get_weights());
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn save_weights(&self, path: impl AsRef<Path>) -> Result<()> {
        self.save_weights_to(path.as_ref())
    }

    fn save_weights_to(&self, path: &Path) -> Result<()> {
        let weights: Vec<Value> = self
            .named_weights()
            .map(|(layer, w)| json!({"layer": layer, "shape": w.shape(), "data": encode(w.iter())}))
            .collect();
        let doc =
            json!({"format": WEIGHTS_FORMAT, "version": 1, "model": self.name, "weights": weights});
        let text = serde_json::to_string(&doc)
            .map_err(|e| Error::io(format!("could not encode the weights: {e}")))?;
        write_atomically(path, text.as_bytes(), Durability::Disk, |f, bytes| {
            f.write_all(bytes)
        })
    }

    /// Loads weights saved by `save_weights` into this model, as Keras'
    /// `load_weights`: the model must have the same layers with the same
    /// weight shapes, in the same order (layer names may differ). Every
    /// shape is checked before any weight changes: on an error the model
    /// is unchanged. A whole model file (`model.save`) works too.
    pub fn load_weights(&mut self, path: impl AsRef<Path>) -> Result<()> {
        self.load_weights_from(path.as_ref())
    }

    fn load_weights_from(&mut self, path: &Path) -> Result<()> {
        let shown = path.display().to_string();
        let doc = read_json(path, "weights")?;
        let weights = decode_weights(&doc)
            .map_err(|e| e.context(format!("could not load weights from '{shown}'")))?;
        self.check_weights(&weights)
            .map_err(|e| e.context(format!("could not load weights from '{shown}'")))?;
        self.set_weights(&weights.into_iter().map(|(_, w)| w).collect::<Vec<_>>())
    }

    /// The file's weights against the model's, by count and shape in order.
    fn check_weights(&self, weights: &[(String, ArrayD<f32>)]) -> Result<()> {
        let ours: Vec<(&str, Vec<usize>)> = self
            .named_weights()
            .map(|(l, w)| (l, w.shape().to_vec()))
            .collect();
        let shapes = |v: &mut dyn Iterator<Item = (&str, &[usize])>| {
            v.map(|(l, s)| format!("{l} {}", crate::shape::array_shape(s)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mismatch = || {
            Error::shape(format!(
                "the file holds {} weights ({}) but model {} has {} ({}): load_weights needs the same layers, in the same order, as the model that saved them",
                weights.len(),
                shapes(&mut weights.iter().map(|(l, w)| (l.as_str(), w.shape()))),
                self.name,
                ours.len(),
                shapes(&mut ours.iter().map(|(l, s)| (*l, s.as_slice()))),
            ))
        };
        if weights.len() != ours.len() {
            return Err(mismatch());
        }
        for (i, ((layer, shape), (file_layer, w))) in ours.iter().zip(weights).enumerate() {
            if w.shape() != shape.as_slice() {
                return Err(Error::shape(format!(
                    "weight {i} has shape {} in the file (layer {file_layer}) but {} in layer {layer} of model {}: load_weights needs the same architecture as the model that saved them",
                    crate::shape::array_shape(w.shape()),
                    crate::shape::array_shape(shape),
                    self.name
                )));
            }
        }
        Ok(())
    }
}

/// The `(layer, weight)` list of a weights file or of a model file.
fn decode_weights(doc: &Value) -> Result<Vec<(String, ArrayD<f32>)>> {
    let format = doc.get("format").and_then(Value::as_str);
    if format != Some(WEIGHTS_FORMAT) && format != Some(super::save::FORMAT) {
        return Err(Error::io(format!(
            "it is not a kerust weights file (no \"format\": \"{WEIGHTS_FORMAT}\")"
        )));
    }
    let version = doc.get("version").and_then(Value::as_u64).unwrap_or(0);
    if version != 1 {
        return Err(Error::io(format!(
            "its format version is {version}, and this kerust reads version 1: update kerust"
        )));
    }
    doc.get("weights")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::io("it has no list 'weights'"))?
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let layer = w
                .get("layer")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_string();
            let shape: Vec<usize> = w
                .get("shape")
                .and_then(|s| serde_json::from_value(s.clone()).ok())
                .ok_or_else(|| Error::io(format!("weight {i} has no shape")))?;
            let data = w.get("data").and_then(Value::as_str).unwrap_or("");
            Ok((layer, decode(data, &shape, &format!("weight {i}"))?))
        })
        .collect()
}

/// Reads `path` as a kerust JSON file; a real Keras file (`.keras` zip,
/// HDF5 `.h5`) or any other binary file is named as such.
pub(crate) fn read_json(path: &Path, what: &str) -> Result<Value> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path)
        .map_err(|e| Error::io(format!("could not read {what} file '{shown}': {e}")))?;
    if let Some(kind) = foreign_kind(&bytes) {
        return Err(Error::io(format!(
            "'{shown}' is {kind}; kerust reads only its own files (written by model.save and model.save_weights). Build the model in kerust and train it, or copy the weights in with set_weights"
        )));
    }
    let text = String::from_utf8(bytes).map_err(|_| {
        Error::io(format!(
            "'{shown}' is not a kerust {what} file: it is binary, not the JSON text kerust writes"
        ))
    })?;
    serde_json::from_str(&text).map_err(|e| {
        Error::io(format!(
            "'{shown}' is not a kerust {what} file: it is not valid JSON ({e})"
        ))
    })
}

/// What a file in another format is, from its first bytes.
fn foreign_kind(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"PK\x03\x04") {
        Some("a zip archive, as Keras' .keras model files are")
    } else if bytes.starts_with(b"\x89HDF\r\n\x1a\n") {
        Some("an HDF5 file, as Keras' .h5 model and weights files are")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn keras_files_are_named() {
        let dir = crate::testing::scratch_dir("foreign");
        for (name, bytes, says) in [
            ("m.keras", &b"PK\x03\x04rest"[..], "zip archive"),
            ("m.h5", &b"\x89HDF\r\n\x1a\nrest"[..], "HDF5"),
            ("m.bin", &b"\xff\xfe\x00"[..], "binary"),
        ] {
            let path = dir.join(name);
            std::fs::write(&path, bytes).unwrap();
            let err = read_json(&path, "model")
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.contains(says), "{err}");
            assert!(!err.contains("UTF-8"), "{err}");
        }
    }
}
