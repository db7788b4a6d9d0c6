//! Where datasets live on disk: Keras' cache directory.

use std::path::PathBuf;

/// The dataset cache directory, as Keras chooses it: `$KERAS_HOME/datasets`
/// when the `KERAS_HOME` environment variable is set, else
/// `~/.keras/datasets` (or `/tmp/.keras/datasets` when the home directory
/// is unknown or not writable).
///
/// `make data` (which runs `scripts/install_mnist.sh`) fills it with MNIST.
///
/// ```
/// let dir = kerust::datasets::cache_dir();
/// assert!(dir.ends_with("datasets"));
/// ```
pub fn cache_dir() -> PathBuf {
    keras_home().join("datasets")
}

fn keras_home() -> PathBuf {
    if let Some(home) = std::env::var_os("KERAS_HOME").filter(|h| !h.is_empty()) {
        return PathBuf::from(home);
    }
    let home = std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .filter(|h| writable(h));
    home.unwrap_or_else(std::env::temp_dir).join(".keras")
}

fn writable(dir: &std::path::Path) -> bool {
    std::fs::metadata(dir).is_ok_and(|m| m.is_dir() && !m.permissions().readonly())
}
