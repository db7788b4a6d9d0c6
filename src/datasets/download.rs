//! Fetching a dataset file: stream it, check its SHA-256, then move it into
//! place atomically, so the cache never holds a partial or wrong file.

use crate::error::{Error, Result};
use hmac_sha256::Hash as Sha256;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Largest file kerust downloads (1 GiB); Keras' `mnist.npz` is 11 MB.
pub const MAX_DOWNLOAD: u64 = 1 << 30;

/// Copies `source` to `dest` if its SHA-256 is `sha256` (hex, either case;
/// 32 hex digits are an MD5, as Keras' `get_file` decides by length),
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
pub fn fetch_verified(source: impl Read, sha256: &str, dest: &Path) -> Result<u64> {
    let expected = checksum_arg(sha256, dest)?;
    create_parent(dest)?;
    let temp = TempFile::create(dest)?;
    let mut file = &temp.file;
    let (got, total) = hash_stream(source, dest, expected.len(), |chunk| {
        file.write_all(chunk)
            .map_err(|e| Error::io(format!("cannot write {}: {e}", temp.path.display())))
    })?;
    persist_if_matching(temp, &got, &expected, total, dest)
}

/// Downloads `url` to `dest`: nothing is written unless the SHA-256 matches
/// (as [`fetch_verified`]). Needs the `download` feature (on by default).
///
/// The transfer is done by `curl` (or, where there is no `curl`, `wget`)
/// into a temporary file next to `dest`; its checksum is checked and only
/// then is it renamed onto `dest`. Offline, or with neither program
/// installed, the error says why (curl's own message, e.g. that the host
/// could not be resolved).
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
    download_with(&[Tool::Curl, Tool::Wget], url, sha256, dest)
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

/// A program that downloads a URL into a file.
#[cfg(feature = "download")]
#[derive(Clone, Copy, Debug)]
enum Tool {
    Curl,
    Wget,
    /// A program name that is not installed (for tests).
    #[cfg(test)]
    Missing,
}

#[cfg(feature = "download")]
impl Tool {
    fn program(self) -> &'static str {
        match self {
            Tool::Curl => "curl",
            Tool::Wget => "wget",
            #[cfg(test)]
            Tool::Missing => "kerust-no-such-downloader",
        }
    }

    /// The command that writes `url` to `out`.
    fn command(self, url: &str, out: &Path) -> std::process::Command {
        let mut cmd = std::process::Command::new(self.program());
        match self {
            // -q first: ignore ~/.curlrc. -f: an HTTP error is a failure,
            // -sS: no progress bar but error messages, -L: follow
            // redirects. Give up when connecting takes 20 s or the
            // transfer stalls (under 1 byte/s) for 60 s.
            Tool::Curl => {
                cmd.args(["-q", "-fsSL", "--connect-timeout", "20"])
                    .args(["--speed-limit", "1", "--speed-time", "60"])
                    .arg("--max-filesize")
                    .arg(MAX_DOWNLOAD.to_string())
                    .arg("-o")
                    .arg(out)
                    .arg("--url")
                    .arg(url);
            }
            // -T 60: DNS, connect and read time-outs (GNU and busybox wget).
            Tool::Wget => {
                cmd.args(["-q", "-T", "60", "-O"])
                    .arg(out)
                    .arg("--")
                    .arg(url);
            }
            #[cfg(test)]
            Tool::Missing => {}
        }
        cmd.stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
        cmd
    }

    /// Why a run that exited with `code` and printed `stderr` failed.
    fn failure(self, code: Option<i32>, stderr: &[u8]) -> String {
        let program = self.program();
        let said = String::from_utf8_lossy(stderr);
        if let Some(line) = said.lines().map(str::trim).rfind(|l| !l.is_empty()) {
            return line.to_string();
        }
        match (self, code) {
            (_, None) => format!("{program} was stopped by a signal"),
            (Tool::Wget, Some(4)) => "wget: network failure (exit status 4)".into(),
            (Tool::Wget, Some(5)) => "wget: TLS certificate check failed (exit status 5)".into(),
            (Tool::Wget, Some(8)) => {
                "wget: the server answered with an error (exit status 8)".into()
            }
            (_, Some(c)) => format!("{program} failed with exit status {c}"),
        }
    }
}

/// [`download`] with the programs to try, in order: the first one that is
/// installed does the transfer.
#[cfg(feature = "download")]
fn download_with(tools: &[Tool], url: &str, sha256: &str, dest: &Path) -> Result<u64> {
    let expected = checksum_arg(sha256, dest)?;
    if url.is_empty() || url.starts_with('-') || url.chars().any(char::is_whitespace) {
        return Err(Error::value(format!(
            "cannot download '{url}' to {}: not a URL",
            dest.display()
        )));
    }
    create_parent(dest)?;
    let temp = TempFile::create(dest)?;
    transfer(tools, url, &temp.path)
        .map_err(|e| Error::io(format!("cannot download {url}: {e}")))?;
    let file = File::open(&temp.path)
        .map_err(|e| Error::io(format!("cannot read {}: {e}", temp.path.display())))?;
    let (got, total) = hash_stream(file, dest, expected.len(), |_| Ok(()))?;
    persist_if_matching(temp, &got, &expected, total, dest)
        .map_err(|e| Error::io(format!("{url}: {e}")))
}

/// Runs the first installed program of `tools` to write `url` to `out`;
/// the error says what it printed, or that none is installed.
#[cfg(feature = "download")]
fn transfer(tools: &[Tool], url: &str, out: &Path) -> std::result::Result<(), String> {
    for &tool in tools {
        let output = match tool.command(url, out).output() {
            Ok(o) => o,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(format!("cannot run {}: {e}", tool.program())),
        };
        if output.status.success() {
            return Ok(());
        }
        return Err(tool.failure(output.status.code(), &output.stderr));
    }
    let names: Vec<&str> = tools.iter().map(|t| t.program()).collect();
    Err(format!(
        "neither {} was found on the PATH; kerust downloads by running one of them",
        names.join(" nor ")
    ))
}

/// The expected checksum, lower case, or an error if `sha256` is not 64
/// hex digits.
fn checksum_arg(sha256: &str, dest: &Path) -> Result<String> {
    let expected = sha256.trim().to_ascii_lowercase();
    let len_ok = expected.len() == 64 || expected.len() == 32;
    if !len_ok || !expected.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::value(format!(
            "fetch_verified: expected a SHA-256 of 64 hex digits (or, as Keras' get_file \
             accepts, an MD5 of 32) for {}, got '{sha256}'",
            dest.display()
        )));
    }
    Ok(expected)
}

/// Creates the directory `dest` goes into.
fn create_parent(dest: &Path) -> Result<()> {
    let dir = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(|e| {
        Error::io(format!(
            "cannot create the directory {}: {e}",
            dir.display()
        ))
    })
}

/// Reads `source` to its end, handing each chunk to `sink`; returns the
/// SHA-256 (lower-case hex) and the byte count. More than [`MAX_DOWNLOAD`]
/// bytes is an error.
fn hash_stream(
    mut source: impl Read,
    dest: &Path,
    expected_len: usize,
    mut sink: impl FnMut(&[u8]) -> Result<()>,
) -> Result<(String, u64)> {
    let mut hasher = Sha256::new();
    let mut md5 = (expected_len == 32).then(md5::Context::new);
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
        if let Some(m) = md5.as_mut() {
            m.consume(&buf[..n]);
        }
        sink(&buf[..n])?;
    }
    let got = match md5 {
        Some(m) => format!("{:x}", m.finalize()),
        None => hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    };
    Ok((got, total))
}

/// Renames `temp` onto `dest` if `got` is the `expected` checksum (after
/// syncing it to disk); else an error, and `temp` is removed.
fn persist_if_matching(
    temp: TempFile,
    got: &str,
    expected: &str,
    total: u64,
    dest: &Path,
) -> Result<u64> {
    if got != expected {
        return Err(Error::io(format!(
            "checksum mismatch for {}: expected {} {expected}, got {got} ({total} bytes); \
             the file was not written",
            dest.display(),
            if expected.len() == 32 {
                "MD5"
            } else {
                "SHA-256"
            }
        )));
    }
    temp.file
        .sync_all()
        .map_err(|e| Error::io(format!("cannot write {}: {e}", temp.path.display())))?;
    temp.persist(dest)?;
    Ok(total)
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

#[cfg(all(test, feature = "download"))]
mod tests {
    use super::*;

    #[test]
    fn without_curl_or_wget_the_error_says_so_and_nothing_is_left() {
        let dir = std::env::temp_dir().join(format!("kerust-dl-unit-{}", std::process::id()));
        let dest = dir.join("mnist.npz");
        let sum = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        let e = download_with(&[Tool::Missing], "https://example.com/x", sum, &dest)
            .expect_err("no downloader is installed");
        let m = e.to_string();
        assert!(
            m.contains("cannot download https://example.com/x")
                && m.contains("kerust-no-such-downloader")
                && m.contains("was found on the PATH"),
            "{m}"
        );
        assert!(!dest.exists());
        let left = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
        assert_eq!(left, 0, "a temporary file was left in {}", dir.display());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn wget_failures_without_a_message_are_explained() {
        assert!(Tool::Wget.failure(Some(4), b"").contains("network failure"));
        assert!(Tool::Curl
            .failure(Some(6), b"curl: (6) Could not resolve host: x\n")
            .contains("Could not resolve host"));
        assert!(Tool::Curl.failure(None, b"").contains("signal"));
    }
}
