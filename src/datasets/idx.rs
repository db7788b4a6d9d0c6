//! The IDX file format of MNIST (`train-images-idx3-ubyte`, plain or `.gz`).
//!
//! An IDX file is a 4-byte magic number (`0x00 0x00`, a type code, the number
//! of dimensions), one big-endian `u32` per dimension, then the data in C
//! order. kerust reads unsigned-byte files (type code `0x08`), which is what
//! MNIST and Fashion-MNIST are.

use crate::error::{Error, Result};
use flate2::read::MultiGzDecoder;
use ndarray::{ArrayD, IxDyn};
use std::io::Read;
use std::path::Path;

/// Largest file kerust decompresses (1 GiB); MNIST's biggest file is 47 MB.
pub const MAX_BYTES: u64 = 1 << 30;

/// Parses the bytes of an IDX file of unsigned bytes into an array whose
/// shape is the file's dimensions. `name` says where the bytes came from in
/// error messages (usually the file's path).
///
/// Sizes in the header are checked against the data before anything is
/// allocated: a truncated file, extra bytes, a wrong magic number or a
/// header claiming more items than the file holds are errors.
///
/// ```
/// use kerust::datasets::idx;
/// // two labels, 7 and 3: magic 0x00000801, one dimension of size 2
/// let bytes = [0, 0, 8, 1, 0, 0, 0, 2, 7, 3];
/// let labels = idx::parse(&bytes, "labels.idx")?;
/// assert_eq!(labels.shape(), &[2]);
/// assert_eq!(labels[[0]], 7);
/// assert!(idx::parse(&bytes[..9], "labels.idx").is_err()); // truncated
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn parse(bytes: &[u8], name: &str) -> Result<ArrayD<u8>> {
    if bytes.len() < 4 {
        return Err(Error::io(format!(
            "{name}: not an IDX file: it has {} bytes, fewer than the 4-byte magic number",
            bytes.len()
        )));
    }
    if bytes[0] != 0 || bytes[1] != 0 {
        return Err(Error::io(format!(
            "{name}: not an IDX file: expected a magic number starting with 0x00 0x00, got {}",
            hex(&bytes[..4])
        )));
    }
    let type_code = bytes[2];
    if type_code != 0x08 {
        return Err(Error::io(format!(
            "{name}: IDX type code 0x{type_code:02X} ({}); kerust reads unsigned-byte \
             files (type code 0x08) such as MNIST's",
            type_name(type_code)
        )));
    }
    let ndims = usize::from(bytes[3]);
    if ndims == 0 {
        return Err(Error::io(format!(
            "{name}: the IDX header declares 0 dimensions; expected at least 1"
        )));
    }
    let header_len = 4 + 4 * ndims;
    if bytes.len() < header_len {
        return Err(Error::io(format!(
            "{name}: truncated IDX header: {ndims} dimensions need {header_len} header \
             bytes, the file has {}",
            bytes.len()
        )));
    }
    let dims: Vec<usize> = bytes[4..header_len]
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize)
        .collect();
    let data = &bytes[header_len..];
    super::check_data_len(
        name,
        "IDX",
        &dims,
        data.len(),
        &format!("its {header_len}-byte header"),
    )?;
    let shape = crate::shape::array_shape(&dims);
    ArrayD::from_shape_vec(IxDyn(&dims), data.to_vec())
        .map_err(|e| Error::io(format!("{name}: cannot shape the data as {shape}: {e}")))
}

/// Reads an IDX file of unsigned bytes from disk; gzip-compressed files
/// (`.gz`, recognized by their content) are decompressed on the way.
///
/// ```
/// use kerust::datasets::idx;
/// let path = std::env::temp_dir().join(format!("kerust-doc-{}.idx", std::process::id()));
/// std::fs::write(&path, [0u8, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3])?;
/// let labels = idx::read(&path)?;
/// assert_eq!(labels.as_slice(), Some(&[1u8, 2, 3][..]));
/// std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read(path: impl AsRef<Path>) -> Result<ArrayD<u8>> {
    let path = path.as_ref();
    let bytes = read_maybe_gz(path)?;
    parse(&bytes, &path.display().to_string())
}

/// The bytes of a file, gunzipped when it starts with the gzip magic number;
/// at most [`MAX_BYTES`] after decompression.
pub(crate) fn read_maybe_gz(path: &Path) -> Result<Vec<u8>> {
    let raw = std::fs::read(path)
        .map_err(|e| Error::io(format!("cannot read {}: {e}", path.display())))?;
    gunzip_if_gzip(raw, &path.display().to_string())
}

/// `raw` itself, or its decompressed content when it is gzip data.
///
/// ```
/// use kerust::datasets::idx;
/// assert_eq!(idx::gunzip_if_gzip(vec![0, 0, 8, 1], "x").unwrap(), vec![0, 0, 8, 1]);
/// assert!(idx::gunzip_if_gzip(vec![0x1f, 0x8b, 8, 0], "x.gz").is_err()); // broken gzip
/// ```
pub fn gunzip_if_gzip(raw: Vec<u8>, name: &str) -> Result<Vec<u8>> {
    if !raw.starts_with(&[0x1f, 0x8b]) {
        return Ok(raw);
    }
    let mut out = Vec::new();
    MultiGzDecoder::new(raw.as_slice())
        .take(MAX_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|e| {
            Error::io(format!(
                "{name}: corrupt gzip data ({e}); delete the file and fetch it again"
            ))
        })?;
    if out.len() as u64 > MAX_BYTES {
        return Err(Error::io(format!(
            "{name}: decompresses to more than {MAX_BYTES} bytes; not a dataset file kerust reads"
        )));
    }
    Ok(out)
}

fn type_name(code: u8) -> &'static str {
    match code {
        0x08 => "unsigned byte",
        0x09 => "signed byte",
        0x0B => "short",
        0x0C => "int",
        0x0D => "float",
        0x0E => "double",
        _ => "unknown",
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("0x{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ")
}
