//! The word index files of IMDB and Reuters: a JSON object from word to rank.

use crate::error::{Error, Result};
use std::collections::HashMap;
use std::path::Path;

/// Reads a word index (`{"the": 1, ...}`) from a JSON file.
pub(crate) fn read(path: &Path) -> Result<HashMap<String, i64>> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::io(format!("cannot read {}: {e}", path.display())))?;
    parse(&bytes, &path.display().to_string())
}

/// Parses a word index from JSON bytes.
pub(crate) fn parse(bytes: &[u8], name: &str) -> Result<HashMap<String, i64>> {
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| Error::io(format!("{name}: not a JSON word index: {e}")))?;
    let serde_json::Value::Object(map) = value else {
        return Err(Error::io(format!(
            "{name}: expected a JSON object from word to index, got another JSON value"
        )));
    };
    let mut out = HashMap::with_capacity(map.len());
    for (word, v) in map {
        let Some(i) = v.as_i64() else {
            return Err(Error::io(format!(
                "{name}: the index of '{word}' is {v}; expected an integer"
            )));
        };
        out.insert(word, i);
    }
    Ok(out)
}
