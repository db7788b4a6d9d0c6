//! Fetching a dataset file: stream it, check its SHA-256, then move it into
//! place atomically, so the cache never holds a partial or wrong file.

use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Largest file kerust downloads (1 GiB); Keras' `mnist.npz` is 11 MB.
pub const MAX_DOWNLOAD: u64 = 1 << 30;

/// Copies `source` to `dest` if its SHA-256 is `sha256` (hex, either case),
/// returning the number of bytes written.
///
/// The bytes go to a temporary file next to `dest` and are renamed onto
/// `dest` only after the checksum matched, so `dest` is either absent (or
/// its old content) or complete and verified; on any error the temporary
/// file is removed. A mismatch is an error naming `dest`, the expected and
/// the received checksum.
///
/// ```
/// use kerust::datasets::download::fetch_verified;
/// let dest = std::env::temp_dir().join(format!("kerust-doc-fetch-{}", std::process::id()));
/// // SHA-256 of "abc"
/// let sum = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
/// assert_eq!(fetch_verified(&b"abc"[..], sum, &dest)?, 3);
/// assert_eq!(std::fs::read(&dest)?, b"abc");
/// std::fs::remove_file(&dest)?;
/// assert!(fetch_verified(&b"abd"[..], sum, &dest).is_err());
/// assert!(!dest.exists());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn fetch_verified(mut source: impl Read, sha256: &str, dest: &Path) -> Result<u64> {
    let expected = sha256.trim().to_ascii_lowercase();
    if expected.len() != 64 || !expected.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::value(format!(
            "fetch_verified: expected a SHA-256 of 64 hex digits for {}, got '{sha256}'",
            dest.display()
        )));
    }
    let dir = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(|e| {
        Error::io(format!(
            "cannot create the directory {}: {e}",
            dir.display()
        ))
    })?;
    let temp = TempFile::create(dest)?;
    let mut file = &temp.file;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut total: u64 = 0;
    loop {
        let n = match source.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(Error::io(format!(
                    "reading the data for {} failed after {total} bytes: {e}",
                    dest.display()
                )))
            }
        };
        total += n as u64;
        if total > MAX_DOWNLOAD {
            return Err(Error::io(format!(
                "the data for {} exceeds {MAX_DOWNLOAD} bytes; expected a dataset file",
                dest.display()
            )));
        }
        hasher.update(&buf[..n]);
        file.write_all(&buf[..n])
            .map_err(|e| Error::io(format!("cannot write {}: {e}", temp.path.display())))?;
    }
    let got: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if got != expected {
        return Err(Error::io(format!(
            "checksum mismatch for {}: expected SHA-256 {expected}, got {got} ({total} bytes); \
             the file was not written",
            dest.display()
        )));
    }
    file.sync_all()
        .map_err(|e| Error::io(format!("cannot write {}: {e}", temp.path.display())))?;
    temp.persist(dest)?;
    Ok(total)
}

/// Downloads `url` to `dest` through [`fetch_verified`]: nothing is written
/// unless the SHA-256 matches. Needs the `download` feature (on by default).
///
/// ```no_run
/// use kerust::datasets::{cache_dir, download::download};
/// download(
///     "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz",
///     "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
///     &cache_dir().join("mnist.npz"),
/// )?;
/// # Ok::<(), kerust::Error>(())
/// ```
#[cfg(feature = "download")]
pub fn download(url: &str, sha256: &str, dest: &Path) -> Result<u64> {
    use std::time::Duration;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(20)))
        .timeout_per_read(Some(Duration::from_secs(60)))
        .build()
        .into();
    let response = agent
        .get(url)
        .call()
        .map_err(|e| Error::io(format!("cannot download {url}: {e}")))?;
    let reader = response.into_body().into_reader();
    fetch_verified(reader, sha256, dest).map_err(|e| Error::io(format!("{url}: {e}")))
}

/// Without the `download` feature: always an error saying so.
///
/// ```
/// # #[cfg(not(feature = "download"))]
/// # {
/// let e = kerust::datasets::download::download("https://x", "0", std::path::Path::new("x"));
/// assert!(e.is_err());
/// # }
/// ```
#[cfg(not(feature = "download"))]
pub fn download(url: &str, _sha256: &str, dest: &Path) -> Result<u64> {
    Err(Error::io(format!(
        "cannot download {url} to {}: kerust was built without its \"download\" feature",
        dest.display()
    )))
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A temporary file next to its destination, removed on drop unless persisted.
struct TempFile {
    path: PathBuf,
    file: File,
    keep: bool,
}

impl TempFile {
    fn create(dest: &Path) -> Result<TempFile> {
        let file_name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "download".into());
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = dest.with_file_name(format!(".{file_name}.part-{}-{n}", std::process::id()));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| Error::io(format!("cannot create {}: {e}", path.display())))?;
        Ok(TempFile {
            path,
            file,
            keep: false,
        })
    }

    fn persist(mut self, dest: &Path) -> Result<()> {
        std::fs::rename(&self.path, dest).map_err(|e| {
            Error::io(format!(
                "cannot move {} to {}: {e}",
                self.path.display(),
                dest.display()
            ))
        })?;
        self.keep = true;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
