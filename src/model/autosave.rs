//! The autosave: in the kerust kernel `fit` keeps the model of its last
//! finished epoch on disk (weights, optimizer state, History), so that a
//! crash of the cell process (an abort, an out-of-memory kill, the stop
//! button outside kerust's calls) costs at most about a second of
//! training: [`restore_autosave`] brings it back in one call.
//!
//! It is on where `KERUST_AUTOSAVE_DIR` is set (`scripts/kernel.sh` sets
//! it to a directory per kernel build slot) and off elsewhere, so programs
//! and tests write nothing. `fit` writes after an epoch when a second or
//! more has passed since it last wrote, and after its last epoch; one file,
//! written to a temporary file and renamed, so a crash while writing keeps
//! the previous one. It is not synced to the disk (a crash of the process
//! leaves the file in the system's cache, complete), so an epoch does not
//! wait for the disk: about 8 ms for the MNIST MLP with Adam.

use super::graph::Graph;
use super::save::{from_json, write_atomically, Durability};
use super::{AnyModel, History};
use crate::error::{Error, Result};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::{Duration, Instant};

const FILE: &str = "last-fit.kerust-autosave";
const EVERY: Duration = Duration::from_secs(1);

fn dir() -> Option<PathBuf> {
    std::env::var_os("KERUST_AUTOSAVE_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
}

/// The autosave of one `fit` call.
pub(crate) struct Autosave {
    dir: Option<PathBuf>,
    epochs: usize,
    last: Instant,
    warned: bool,
}

impl Autosave {
    pub(crate) fn new(epochs: usize) -> Self {
        Autosave {
            dir: dir(),
            epochs,
            last: Instant::now(),
            warned: false,
        }
    }

    /// Called by `fit` after each finished epoch, with the History so far.
    pub(crate) fn after_epoch(&mut self, model: &Graph, history: &History) {
        let Some(dir) = &self.dir else { return };
        let done = history.epoch.len();
        if done < self.epochs && self.last.elapsed() < EVERY {
            return;
        }
        let doc = json!({
            "model": model.to_json(),
            "history": history.history.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
            "epoch": history.epoch,
            "epochs": self.epochs,
        });
        let written = std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("could not create '{}': {e}", dir.display())))
            .and_then(|()| {
                let text = serde_json::to_string(&doc)
                    .map_err(|e| Error::io(format!("could not encode the autosave: {e}")))?;
                write_atomically(
                    &dir.join(FILE),
                    text.as_bytes(),
                    Durability::Process,
                    std::io::Write::write_all,
                )
            });
        self.last = Instant::now();
        if let Err(e) = written {
            if !self.warned {
                eprintln!("kerust: the autosave failed (training goes on): {e}");
                self.warned = true;
            }
        }
    }
}

/// Brings back the model that the last `fit` in this kernel autosaved after
/// its last finished epoch, with its optimizer state and History
/// (`model.history()`), ready to go on training. For after the cell process
/// crashed and every variable was lost.
///
/// ```no_run
/// use kerust::prelude::*;
/// let mut model = restore_autosave()?;
/// println!("{:?}", model.history().map(|h| h.epoch.len()));
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn restore_autosave() -> Result<AnyModel> {
    let Some(dir) = dir() else {
        return Err(Error::state(
            "restore_autosave: there is no autosave: KERUST_AUTOSAVE_DIR is not set (the kerust kernel sets it; fit autosaves only there)",
        ));
    };
    let path = dir.join(FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Error::io(format!(
            "restore_autosave: no autosave at '{}' ({e}): fit writes one after its epochs in this kernel",
            path.display()
        ))
    })?;
    let doc: Value = serde_json::from_str(&text).map_err(|e| {
        Error::io(format!(
            "restore_autosave: '{}' is not valid JSON ({e})",
            path.display()
        ))
    })?;
    let broken = |what: &str| {
        Error::io(format!(
            "restore_autosave: '{}' has no valid {what}",
            path.display()
        ))
    };
    let mut model = from_json(doc.get("model").ok_or_else(|| broken("model"))?)?;
    let mut history = History::default();
    for entry in doc
        .get("history")
        .and_then(Value::as_array)
        .ok_or_else(|| broken("history"))?
    {
        let (Some(name), Some(values)) = (
            entry.get(0).and_then(Value::as_str),
            entry.get(1).and_then(Value::as_array),
        ) else {
            return Err(broken("history"));
        };
        let values: Option<Vec<f32>> = values
            .iter()
            .map(|v| v.as_f64().map(|v| v as f32))
            .collect();
        history
            .history
            .push((name.to_string(), values.ok_or_else(|| broken("history"))?));
    }
    let epochs: Option<Vec<usize>> = doc
        .get("epoch")
        .and_then(Value::as_array)
        .ok_or_else(|| broken("epoch list"))?
        .iter()
        .map(|v| v.as_u64().map(|v| v as usize))
        .collect();
    history.epoch = epochs.ok_or_else(|| broken("epoch list"))?;
    let planned = doc.get("epochs").and_then(Value::as_u64).unwrap_or(0);
    println!(
        "Restored {} after epoch {} of {planned} (weights, optimizer state, model.history())",
        model.name,
        history.epoch.len()
    );
    model.history = Some(history);
    Ok(model)
}
