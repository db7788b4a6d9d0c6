//! Helpers for the unit tests inside `src/`.

use std::path::PathBuf;

/// A new empty directory under the system's temporary directory, named
/// after `tag` and this process (so parallel test runs do not meet).
pub(crate) fn scratch_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kerust_{tag}_{}", std::process::id()));
    if dir.exists() {
        std::fs::remove_dir_all(&dir).expect("an old scratch directory is removable");
    }
    std::fs::create_dir_all(&dir).expect("the temporary directory is writable");
    dir
}
