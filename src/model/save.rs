//! Saving and loading: one JSON file with the architecture, the compile
//! settings (optimizer state included) and the weights, stored losslessly
//! as base64 of little-endian `f32` bytes.

use super::as_layer::layer_from_config;
use super::graph::{Compiled, Graph, ModelKind};
use super::{Model, Sequential};
use crate::error::{Error, Result};
use crate::layers::Layer;
use crate::losses::LossFn;
use crate::metrics::Metric;
use crate::optimizers::State;
use base64::Engine as _;
use ndarray::ArrayD;
use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;

/// The format name written in every model file.
pub const FORMAT: &str = "kerust-model";
/// The newest format version this kerust reads and writes.
pub const VERSION: u64 = 1;

/// The largest optimizer step count a model file may hold (2^53).
const MAX_ITERATIONS: u64 = 1 << 53;

/// A model read by [`load_model`]: a `Sequential` or a functional `Model`;
/// it derefs to the shared [`Graph`] (summary, predict, fit, ...).
#[derive(Debug, Clone)]
pub enum AnyModel {
    /// A model saved from a `Sequential`.
    Sequential(Sequential),
    /// A model saved from a functional `Model`.
    Functional(Model),
}

impl std::ops::Deref for AnyModel {
    type Target = Graph;
    fn deref(&self) -> &Graph {
        match self {
            AnyModel::Sequential(m) => m,
            AnyModel::Functional(m) => m,
        }
    }
}
impl std::ops::DerefMut for AnyModel {
    fn deref_mut(&mut self) -> &mut Graph {
        match self {
            AnyModel::Sequential(m) => m,
            AnyModel::Functional(m) => m,
        }
    }
}

/// Values as base64 of their little-endian `f32` bytes: lossless and
/// compact (weights in model and weights files, optimizer slots).
pub(crate) fn encode<'a>(values: impl IntoIterator<Item = &'a f32>) -> String {
    let bytes: Vec<u8> = values.into_iter().flat_map(|v| v.to_le_bytes()).collect();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Reads what [`encode`] writes; `what` names the data in errors.
pub(crate) fn decode_values(s: &str, what: &str) -> Result<Vec<f32>> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s)
        .map_err(|e| Error::io(format!("{what}: data is not valid base64 ({e})")))?;
    if bytes.len() % 4 != 0 {
        return Err(Error::io(format!(
            "{what}: data has {} bytes, not a whole number of 4-byte f32 values",
            bytes.len()
        )));
    }
    Ok(bytes
        .chunks_exact(4)
        // chunks_exact(4) yields slices of exactly 4 bytes.
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect())
}

pub(super) fn decode(s: &str, shape: &[usize], what: &str) -> Result<ArrayD<f32>> {
    let data = decode_values(s, what)?;
    let n = crate::shape::checked_size(shape).unwrap_or(usize::MAX);
    if data.len() != n {
        return Err(Error::io(format!(
            "{what}: weight data has {} bytes, expected {} for shape {}",
            data.len() * 4,
            n.saturating_mul(4),
            crate::shape::array_shape(shape)
        )));
    }
    ArrayD::from_shape_vec(shape, data).map_err(|e| Error::io(format!("{what}: {e}")))
}

/// A layer's entry in a model file: `{"class_name": ..., "config": ...}`,
/// with `"trainable": false` in the config of a frozen layer.
pub(super) fn layer_json(l: &dyn Layer) -> Value {
    let mut config = l.config();
    if let (false, Some(c)) = (l.is_trainable(), config.as_object_mut()) {
        c.insert("trainable".into(), json!(false));
    }
    json!({"class_name": l.class_name(), "config": config})
}

impl Graph {
    /// The model as the JSON document `save` writes.
    pub fn to_json(&self) -> Value {
        let (class, input_name) = match &self.kind {
            ModelKind::Sequential => ("Sequential", Value::Null),
            ModelKind::Functional { input_name } => ("Functional", json!(input_name)),
        };
        let layers: Vec<Value> = self.layers.iter().map(|l| layer_json(l.as_ref())).collect();
        let weights: Vec<Value> = self
            .named_weights()
            .map(|(name, w)| json!({"layer": name, "shape": w.shape(), "data": encode(w.iter())}))
            .collect();
        let compile = self.compiled.as_ref().map(|c| {
            json!({
                "optimizer": {"class_name": c.optimizer.name(), "config": c.optimizer.config(), "state": c.optimizer.state().to_json()},
                "loss": c.loss.to_json(),
                "metrics": c.metrics.iter().map(|m| m.name.clone()).collect::<Vec<_>>(),
            })
        });
        json!({
            "format": FORMAT,
            "version": VERSION,
            "class_name": class,
            "name": self.name,
            "input_name": input_name,
            "input_shape": self.input_shape,
            "layers": layers,
            "compile": compile,
            "weights": weights,
            "trainable": self.trainable,
        })
    }

    /// Saves the model to one JSON file (see the README for the format).
    /// It writes a temporary file beside `path` and renames it, so a failed
    /// save leaves an earlier file intact.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let mut model = Sequential::new();
    /// model.add(Dense::new(2).input_shape([3]))?;
    /// let path = std::env::temp_dir().join("kerust_doc_save.kerust");
    /// model.save(&path)?;
    /// let loaded = load_model(&path)?;
    /// assert_eq!(loaded.get_weights(), model.get_weights());
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let text = serde_json::to_string(&self.to_json())
            .map_err(|e| Error::io(format!("could not encode the model: {e}")))?;
        write_atomically(
            path.as_ref(),
            text.as_bytes(),
            Durability::Disk,
            |f, bytes| f.write_all(bytes),
        )
    }
}

/// How far a write must get before [`write_atomically`] renames it over
/// the old file.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Durability {
    /// Onto the disk (`fsync`): the file survives a power cut.
    Disk,
    /// Into the operating system's cache: the file survives a crash of this
    /// process (what the autosave is for), not of the machine, and the
    /// write costs no wait for the disk.
    Process,
}

/// Writes `bytes` to a temporary file beside `path` with `write`, then
/// renames it over `path`; on any failure the temporary file is removed
/// and `path` is untouched.
pub(crate) fn write_atomically(
    path: &Path,
    bytes: &[u8],
    durability: Durability,
    write: impl FnOnce(&mut std::fs::File, &[u8]) -> std::io::Result<()>,
) -> Result<()> {
    let shown = path.display();
    let file_name = path
        .file_name()
        .ok_or_else(|| Error::io(format!("cannot save to '{shown}': it names no file")))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(file_name);
    // Unique per process and per call: two saves to the same path from
    // two threads must not share a temporary file.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    tmp_name.push(format!(".tmp{}-{n}", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        write(&mut f, bytes)?;
        if durability == Durability::Disk {
            f.sync_all()?;
        }
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(format!("could not save the model to '{shown}': {e}"))
    })
}

/// Loads a model saved by `save`: architecture, weights, and compile
/// settings with the optimizer's state, ready to `predict` or go on training.
pub fn load_model(path: impl AsRef<Path>) -> Result<AnyModel> {
    let path = path.as_ref();
    let shown = path.display().to_string();
    let doc = super::weights_file::read_json(path, "model")?;
    from_json(&doc).map_err(|e| e.context(format!("could not load '{shown}'")))
}

/// Rebuilds a model from the JSON document `to_json` makes.
pub fn from_json(doc: &Value) -> Result<AnyModel> {
    if doc.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(Error::io(format!(
            "it is not a kerust model file (no \"format\": \"{FORMAT}\")"
        )));
    }
    let version = doc.get("version").and_then(Value::as_u64).unwrap_or(0);
    if version == 0 || version > VERSION {
        return Err(Error::io(format!(
            "its format version is {version}, and this kerust reads versions 1 to {VERSION}: update kerust"
        )));
    }
    let field = |k: &str| {
        doc.get(k)
            .ok_or_else(|| Error::io(format!("it has no '{k}'")))
    };
    let name = field("name")?.as_str().unwrap_or("model").to_string();
    let kind = match field("class_name")?.as_str() {
        Some("Sequential") => ModelKind::Sequential,
        Some("Functional") => ModelKind::Functional {
            input_name: doc
                .get("input_name")
                .and_then(Value::as_str)
                .unwrap_or("input_1")
                .to_string(),
        },
        other => return Err(Error::io(format!("unknown model class {other:?}"))),
    };
    let input_shape: Vec<usize> = serde_json::from_value(field("input_shape")?.clone())
        .map_err(|e| Error::io(format!("bad input_shape: {e}")))?;
    let mut graph = Graph::new(name, kind.clone());
    graph.input_shape = Some(input_shape.clone());
    graph.trainable = doc
        .get("trainable")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let mut shape = input_shape;
    let layers = field("layers")?
        .as_array()
        .ok_or_else(|| Error::io("'layers' is not a list"))?;
    for l in layers {
        let class = l.get("class_name").and_then(Value::as_str).unwrap_or("");
        let mut layer = layer_from_config(class, l.get("config").unwrap_or(&Value::Null))?;
        let mut rng = graph.rng.clone();
        shape = layer.build(&shape, &mut rng)?;
        graph.layers.push(layer);
    }
    let weights = field("weights")?
        .as_array()
        .ok_or_else(|| Error::io("'weights' is not a list"))?
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let shape: Vec<usize> = w
                .get("shape")
                .and_then(|s| serde_json::from_value(s.clone()).ok())
                .ok_or_else(|| Error::io(format!("weight {i} has no shape")))?;
            decode(
                w.get("data").and_then(Value::as_str).unwrap_or(""),
                &shape,
                &format!("weight {i}"),
            )
        })
        .collect::<Result<Vec<_>>>()?;
    graph.set_weights(&weights)?;
    if let Some(c) = doc.get("compile").filter(|c| !c.is_null()) {
        let opt = c.get("optimizer").unwrap_or(&Value::Null);
        let mut optimizer = crate::optimizers::from_config(
            opt.get("class_name").and_then(Value::as_str).unwrap_or(""),
            opt.get("config").unwrap_or(&Value::Null),
        )?;
        if let Some(state) = opt.get("state") {
            let state = State::from_json(state).map_err(|e| e.context("bad optimizer state"))?;
            // Optimizers count steps with `iterations + 1`: a corrupt count
            // near u64::MAX would overflow at the next step.
            if state.iterations > MAX_ITERATIONS {
                return Err(Error::io(format!(
                    "the optimizer state has {} iterations, more than the {MAX_ITERATIONS} a real training run can reach",
                    state.iterations
                )));
            }
            let (keys, lens) = graph.weight_keys();
            let mut state = state;
            let adopt = state
                .check(optimizer.name(), &keys, &lens)
                .map_err(|e| Error::io(format!("bad optimizer state: {}", e.message())))?;
            // A file from before keys were saved, whose slots fit.
            if adopt && !state.slots.is_empty() {
                state.keys = keys;
            }
            optimizer.set_state(state);
        }
        let loss = LossFn::from_json(c.get("loss").unwrap_or(&Value::Null))?;
        let metrics = match c.get("metrics") {
            // A model compiled without metrics.
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(ms)) => ms
                .iter()
                .map(|m| Metric::from_name(m.as_str().unwrap_or("")))
                .collect::<Result<Vec<_>>>()?,
            Some(other) => return Err(Error::io(format!("'metrics' is not a list: {other}"))),
        };
        graph.compiled = Some(Compiled {
            optimizer,
            loss,
            metrics,
        });
    }
    Ok(match kind {
        ModelKind::Sequential => AnyModel::Sequential(Sequential::from_graph(graph)),
        ModelKind::Functional { .. } => AnyModel::Functional(Model::from_graph(graph)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn failed_write_keeps_the_old_file() {
        let dir = crate::testing::scratch_dir("atomic");
        let path = dir.join("m.kerust");
        std::fs::write(&path, b"old").unwrap();
        let err = write_atomically(&path, b"new contents", Durability::Disk, |f, b| {
            f.write_all(&b[..3])?;
            Err(std::io::Error::other("disk full (injected)"))
        })
        .unwrap_err();
        assert!(err.message().contains("disk full"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(
            std::fs::read_dir(&dir).unwrap().count(),
            1,
            "temporary file left behind"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
