//! CSVLogger.

use super::format::py_repr;
use super::{Callback, CallbackModel, Logs};
use crate::error::{Error, Result};
use std::fs::{File, OpenOptions};
use std::io::Write;

/// Writes one CSV row per epoch, as `keras.callbacks.CSVLogger`: a header
/// `epoch,<sorted log names>` (with `val_` columns added when there are
/// none, holding `NA`), the epoch (0-based) and each value as a Python
/// float, rows ending in `\r\n` as Python's csv module writes them.
/// `append(true)` adds to an existing file (its header is kept).
///
/// ```
/// use kerust::prelude::*;
/// let log = callbacks::CSVLogger::new("training.log").separator(";").append(true);
/// # let _ = log;
/// ```
#[derive(Debug)]
pub struct CSVLogger {
    filename: String,
    separator: String,
    append: bool,
    file: Option<File>,
    keys: Option<Vec<String>>,
    append_header: bool,
}

impl CSVLogger {
    /// Logs to `filename`, separator `,`, overwriting.
    pub fn new(filename: &str) -> Self {
        CSVLogger {
            filename: filename.to_string(),
            separator: ",".to_string(),
            append: false,
            file: None,
            keys: None,
            append_header: true,
        }
    }
    crate::builder::setters! {
        /// The field separator (default `","`).
        separator(&str) => separator = separator.to_string();
        /// Appends to an existing file instead of overwriting it (default false).
        append(bool);
    }

    fn io(&self, e: std::io::Error) -> Error {
        Error::io(format!(
            "CSVLogger could not write '{}': {e}",
            self.filename
        ))
    }

    /// One field, quoted as Python's csv module does (QUOTE_MINIMAL).
    fn field(&self, s: &str) -> String {
        if s.contains(self.separator.as_str()) || s.contains(['"', '\r', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    }
}

impl Callback for CSVLogger {
    fn on_train_begin(&mut self, _: &mut Logs, _: &mut dyn CallbackModel) -> Result<()> {
        if self.separator.chars().count() != 1 {
            return Err(Error::value(format!(
                "CSVLogger: the separator must be one character; got \"{}\"",
                self.separator
            )));
        }
        self.append_header = true;
        let file = if self.append {
            if let Ok(text) = std::fs::read_to_string(&self.filename) {
                self.append_header = text.is_empty();
            }
            OpenOptions::new()
                .append(true)
                .create(true)
                .open(&self.filename)
        } else {
            File::create(&self.filename)
        };
        self.file = Some(file.map_err(|e| self.io(e))?);
        self.keys = None;
        Ok(())
    }

    fn on_epoch_end(
        &mut self,
        epoch: usize,
        logs: &mut Logs,
        _: &mut dyn CallbackModel,
    ) -> Result<()> {
        let mut text = String::new();
        if self.keys.is_none() {
            let mut keys: Vec<String> = logs.keys().map(str::to_string).collect();
            keys.sort();
            if !keys.is_empty() && !keys.iter().any(|k| k.starts_with("val_")) {
                let val: Vec<String> = keys.iter().map(|k| format!("val_{k}")).collect();
                keys.extend(val);
            }
            if self.append_header {
                let header: Vec<String> = std::iter::once("epoch")
                    .chain(keys.iter().map(String::as_str))
                    .map(|k| self.field(k))
                    .collect();
                text += &header.join(&self.separator);
                text += "\r\n";
            }
            self.keys = Some(keys);
        }
        let keys = self.keys.as_deref().unwrap_or_default();
        let row: Vec<String> = std::iter::once(epoch.to_string())
            .chain(keys.iter().map(|k| match logs.get(k) {
                Some(v) => py_repr(f64::from(v)),
                None => "NA".to_string(),
            }))
            .map(|f| self.field(&f))
            .collect();
        text += &row.join(&self.separator);
        text += "\r\n";
        let Some(file) = self.file.as_mut() else {
            return Err(Error::state(
                "CSVLogger: on_epoch_end came before on_train_begin",
            ));
        };
        let written = file.write_all(text.as_bytes()).and_then(|()| file.flush());
        written.map_err(|e| self.io(e))
    }

    fn on_train_end(&mut self, _: &mut Logs, _: &mut dyn CallbackModel) -> Result<()> {
        self.file = None;
        Ok(())
    }
}
