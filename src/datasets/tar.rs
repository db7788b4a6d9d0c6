//! Extracting chosen regular files from a (gzipped) tar archive, as Keras'
//! `get_file(..., extract=True)` does for CIFAR-10: only the members asked
//! for are written, under names kerust chooses, so no archive entry can
//! write outside the target directory.

use super::idx::MAX_BYTES;
use crate::error::{Error, Result};
use flate2::read::MultiGzDecoder;
use std::io::{BufReader, Read};
use std::path::Path;

/// Extracts the regular files of `archive` (plain or gzipped tar) whose
/// path in the archive is one of `wanted` into `dest` (by their last path
/// component). Returns how many were written.
pub(crate) fn extract(archive: &Path, wanted: &[String], dest: &Path) -> Result<usize> {
    let name = archive.display().to_string();
    let file =
        std::fs::File::open(archive).map_err(|e| Error::io(format!("cannot read {name}: {e}")))?;
    let mut head = BufReader::new(file);
    let mut magic = [0u8; 2];
    head.read_exact(&mut magic)
        .map_err(|e| Error::io(format!("{name}: not a tar archive: {e}")))?;
    let chained = std::io::Cursor::new(magic).chain(head);
    let reader: Box<dyn Read> = if magic == [0x1f, 0x8b] {
        Box::new(MultiGzDecoder::new(chained))
    } else {
        Box::new(chained)
    };
    extract_from(reader, &name, wanted, dest)
}

fn extract_from(mut r: impl Read, name: &str, wanted: &[String], dest: &Path) -> Result<usize> {
    std::fs::create_dir_all(dest)
        .map_err(|e| Error::io(format!("cannot create {}: {e}", dest.display())))?;
    let bad = |what: String| Error::io(format!("{name}: not a readable tar archive: {what}"));
    let mut written = 0;
    let mut block = [0u8; 512];
    loop {
        if let Err(e) = r.read_exact(&mut block) {
            return Err(bad(format!("it ends without its end marker ({e})")));
        }
        if block.iter().all(|&b| b == 0) {
            return Ok(written);
        }
        let field = |a: usize, b: usize| {
            let f = &block[a..b];
            let end = f.iter().position(|&c| c == 0).unwrap_or(f.len());
            String::from_utf8_lossy(&f[..end]).into_owned()
        };
        let size_text = field(124, 136);
        let size = u64::from_str_radix(size_text.trim(), 8)
            .map_err(|_| bad(format!("member size '{size_text}' is not an octal number")))?;
        if size > MAX_BYTES {
            return Err(bad(format!("a member of {size} bytes")));
        }
        let prefix = field(345, 500);
        let short = field(0, 100);
        let path = if block[257..262] == *b"ustar" && !prefix.is_empty() {
            format!("{prefix}/{short}")
        } else {
            short
        };
        let regular = matches!(block[156], b'0' | 0);
        let padded = size.div_ceil(512) * 512;
        let mut member = (&mut r).take(padded);
        let keep = regular && wanted.contains(&path);
        let target_name = path.rsplit('/').next().unwrap_or_default();
        if keep && !target_name.is_empty() && target_name != ".." && target_name != "." {
            let mut data = Vec::with_capacity(size as usize);
            (&mut member)
                .take(size)
                .read_to_end(&mut data)
                .map_err(|e| bad(format!("member {path}: {e}")))?;
            if data.len() as u64 != size {
                return Err(bad(format!("member {path} is truncated")));
            }
            let target = dest.join(target_name);
            let tmp = dest.join(format!(".{target_name}.part-{}", std::process::id()));
            std::fs::write(&tmp, &data)
                .and_then(|_| std::fs::rename(&tmp, &target))
                .map_err(|e| {
                    let _ = std::fs::remove_file(&tmp);
                    Error::io(format!("cannot write {}: {e}", target.display()))
                })?;
            written += 1;
        }
        std::io::copy(&mut member, &mut std::io::sink())
            .map_err(|e| bad(format!("member {path}: {e}")))?;
    }
}
