//! NumPy's `.npz` format: a zip archive of `.npy` files, stored or
//! deflated, as Keras' `mnist.npz`.

use super::idx::MAX_BYTES;
use super::npy;
use super::npy_array::{self, NpyArray};
use crate::error::{Error, Result};
use flate2::bufread::DeflateDecoder;
use ndarray::ArrayD;
use rawzip::CompressionMethod;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

/// Parses the bytes of an `.npz` archive of `uint8` arrays into a map from
/// each array's name (the member's name without `.npy`, as `np.load` gives
/// it) to the array. Members not ending in `.npy` are ignored. `name` says
/// where the bytes came from in error messages.
///
/// A broken archive, a member whose data fails its CRC check, or a member
/// that is not a valid `uint8` `.npy` file is an error naming the member.
///
/// ```
/// use kerust::datasets::npz;
/// // A zip without members is a valid, empty .npz: the end-of-central-directory record.
/// let empty = [0x50u8, 0x4b, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
/// assert!(npz::parse(&empty, "empty.npz")?.is_empty());
/// assert!(npz::parse(b"not a zip", "bad.npz").is_err());
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn parse(bytes: &[u8], name: &str) -> Result<BTreeMap<String, ArrayD<u8>>> {
    members(bytes, name, npy::parse)
}

/// Parses an `.npz` archive whose arrays may have any dtype Keras' dataset
/// files use (see [`npy_array::parse`]): `boston_housing.npz` (float64),
/// `imdb.npz` and `reuters.npz` (object arrays of lists of ints, int64).
///
/// ```
/// use kerust::datasets::npz;
/// let empty = [0x50u8, 0x4b, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
/// assert!(npz::parse_any(&empty, "empty.npz")?.is_empty());
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn parse_any(bytes: &[u8], name: &str) -> Result<BTreeMap<String, NpyArray>> {
    members(bytes, name, npy_array::parse)
}

/// Reads an `.npz` archive of any supported dtype from disk; see [`parse_any`].
///
/// ```no_run
/// use kerust::datasets::{cache_dir, npz};
/// let arrays = npz::read_any(cache_dir().join("boston_housing.npz"))?;
/// assert_eq!(arrays["x"].shape(), vec![506, 13]);
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn read_any(path: impl AsRef<Path>) -> Result<BTreeMap<String, NpyArray>> {
    let path = path.as_ref();
    let bytes = std::fs::read(path)
        .map_err(|e| Error::io(format!("cannot read {}: {e}", path.display())))?;
    parse_any(&bytes, &path.display().to_string())
}

fn members<T>(
    bytes: &[u8],
    name: &str,
    parse_member: fn(&[u8], &str) -> Result<T>,
) -> Result<BTreeMap<String, T>> {
    let archive = rawzip::ZipArchive::from_slice(bytes).map_err(|e| {
        Error::io(format!(
            "{name}: not a readable .npz (zip) archive: {e}; delete the file and fetch it again"
        ))
    })?;
    let mut out = BTreeMap::new();
    let mut entries = archive.entries();
    let mut count: u64 = 0;
    loop {
        let entry = match entries.next_entry() {
            Ok(Some(entry)) => entry,
            Ok(None) => break,
            Err(e) => {
                return Err(Error::io(format!(
                    "{name}: not a readable .npz (zip) archive: cannot read the directory entry \
                     of member {count}: {e}; delete the file and fetch it again"
                )))
            }
        };
        count += 1;
        let member_name = String::from_utf8_lossy(entry.file_path().as_bytes()).into_owned();
        let Some(key) = member_name.strip_suffix(".npy") else {
            continue;
        };
        let key = key.to_string();
        let where_ = format!("{name}: {member_name}");
        if entry.flags().is_encrypted() {
            return Err(Error::io(format!(
                "{where_}: the member is encrypted; kerust reads plain .npz archives"
            )));
        }
        let declared = entry.uncompressed_size_hint();
        if declared > MAX_BYTES {
            return Err(Error::io(format!(
                "{where_}: declares {declared} bytes, more than the {MAX_BYTES} kerust reads"
            )));
        }
        let member = archive
            .get_entry(entry.wayfinder())
            .map_err(|e| Error::io(format!("{where_}: cannot open the member: {e}")))?;
        let mut data = Vec::new();
        // The verifying reader checks the size and CRC-32 the archive's
        // directory declares when the data ends.
        let read = match entry.compression_method() {
            CompressionMethod::STORE => member
                .verifying_reader(member.data())
                .take(MAX_BYTES + 1)
                .read_to_end(&mut data),
            CompressionMethod::DEFLATE => member
                .verifying_reader(DeflateDecoder::new(member.data()))
                .take(MAX_BYTES + 1)
                .read_to_end(&mut data),
            other => {
                return Err(Error::io(format!(
                    "{where_}: compression method {other} is not supported; .npz members \
                     are stored or deflated"
                )))
            }
        };
        read.map_err(|e| Error::io(format!("{where_}: corrupt data: {e}")))?;
        if data.len() as u64 > MAX_BYTES {
            return Err(Error::io(format!(
                "{where_}: more than {MAX_BYTES} bytes; not a dataset kerust reads"
            )));
        }
        let array = parse_member(&data, &where_)?;
        out.insert(key, array);
    }
    let listed = archive.entries_hint();
    if count != listed {
        return Err(Error::io(format!(
            "{name}: not a readable .npz (zip) archive: its end record lists {listed} members \
             but the directory holds {count}; delete the file and fetch it again"
        )));
    }
    Ok(out)
}

/// Reads an `.npz` archive of `uint8` arrays from disk; see [`parse`].
///
/// ```no_run
/// use kerust::datasets::{cache_dir, npz};
/// let arrays = npz::read(cache_dir().join("mnist.npz"))?;
/// assert_eq!(arrays["x_train"].shape(), &[60000, 28, 28]);
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn read(path: impl AsRef<Path>) -> Result<BTreeMap<String, ArrayD<u8>>> {
    let path = path.as_ref();
    let bytes = std::fs::read(path)
        .map_err(|e| Error::io(format!("cannot read {}: {e}", path.display())))?;
    parse(&bytes, &path.display().to_string())
}
