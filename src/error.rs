//! The one error type of kerust.

use std::fmt;

/// What kind of mistake an [`Error`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// An array or layer shape does not fit (Keras' `ValueError` on shapes).
    Shape,
    /// An argument has a value outside what is allowed.
    Value,
    /// A name (activation, loss, optimizer, metric, layer) is unknown.
    UnknownName,
    /// The model is not ready for the call (not built, not compiled).
    State,
    /// Reading or writing a file failed, or a file is not what it should be.
    Io,
    /// Training produced NaN or infinity.
    Numeric,
    /// kerust broke one of its own rules (a bug in kerust, not in the
    /// caller's code); the call changed nothing.
    Internal,
    /// The call was stopped by SIGINT (the notebook's stop button, Ctrl-C)
    /// at the end of a batch (Keras' `KeyboardInterrupt`).
    Interrupted,
}

/// An error from a kerust call: its message says what was expected, what
/// came, and where.
///
/// ```
/// use kerust::prelude::*;
/// let mut model = Sequential::new();
/// let err = model.add(Dense::new(2).input_shape([3]).activation("relux")).unwrap_err();
/// assert!(err.to_string().contains("relu"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

impl Error {
    /// An error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
        }
    }
    pub(crate) fn shape(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Shape, message)
    }
    pub(crate) fn value(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Value, message)
    }
    pub(crate) fn state(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::State, message)
    }
    pub(crate) fn io(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Io, message)
    }
    /// A broken invariant of kerust itself: `what` names the place and
    /// the rule.
    pub(crate) fn internal(what: impl std::fmt::Display) -> Self {
        Self::new(
            ErrorKind::Internal,
            format!("internal error in kerust: {what} (please report it)"),
        )
    }
    /// The same error with `prefix` before its message: the kind is kept.
    ///
    /// ```
    /// use kerust::{Error, ErrorKind};
    /// let e = Error::new(ErrorKind::UnknownName, "unknown loss 'msee'");
    /// let e = e.context("could not load 'm.kerust'");
    /// assert_eq!(e.kind(), ErrorKind::UnknownName);
    /// assert_eq!(e.message(), "could not load 'm.kerust': unknown loss 'msee'");
    /// ```
    pub fn context(self, prefix: impl std::fmt::Display) -> Self {
        Self::new(self.kind, format!("{prefix}: {}", self.message))
    }
    /// The kind of mistake.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
    /// The message, as `Display` prints it.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// `Result` with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// An [`ErrorKind::UnknownName`] error listing the known names and the closest one.
pub(crate) fn unknown_name(what: &str, got: &str, known: &[&str]) -> Error {
    let closest = known
        .iter()
        .min_by_key(|k| levenshtein(&got.to_lowercase(), k))
        .copied()
        .unwrap_or("");
    Error::new(
        ErrorKind::UnknownName,
        format!(
            "unknown {what} '{got}': did you mean '{closest}'? Known {what}{}: {}",
            if what.ends_with('s') { "es" } else { "s" },
            known.join(", ")
        ),
    )
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn closest_name_is_suggested() {
        let e = unknown_name("loss", "mse2", &["mse", "mae", "binary_crossentropy"]);
        assert!(e.message().contains("did you mean 'mse'"), "{e}");
    }
}
