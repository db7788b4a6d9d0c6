//! Dataset loaders on small files written here (IDX, .gz, .npy, .npz),
//! broken files of every kind, the verified download step, the real MNIST
//! when the cache has it, make_classification, train_test_split,
//! MinMaxScaler, and byte-level fuzzing of the readers.

use flate2::write::GzEncoder;
use flate2::Compression;
use kerust::datasets::{self, download::fetch_verified, idx, npy, npz, MinMaxScaler};
use kerust::ErrorKind;
use ndarray::{array, Array1, Array2, Axis};
use proptest::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};

// ---------------------------------------------------------------- helpers

/// A fresh, empty directory for one test.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kerust-datasets-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// An IDX file of unsigned bytes with the given dimensions and data.
fn idx_bytes(dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut out = vec![0, 0, 8, dims.len() as u8];
    for d in dims {
        out.extend_from_slice(&d.to_be_bytes());
    }
    out.extend_from_slice(data);
    out
}

/// `n` 28x28 images whose pixels are `(image * 7 + pixel) % 256`.
fn images(n: usize, seed: u8) -> Vec<u8> {
    (0..n * 784)
        .map(|i| ((i / 784) * 7 + i % 784 + usize::from(seed)) as u8)
        .collect()
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// A .npy file (format version `major`) of uint8 with the given shape.
fn npy_bytes(major: u8, shape: &[usize], data: &[u8], fortran: bool) -> Vec<u8> {
    let dims = match shape {
        [d] => format!("({d},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let fortran = if fortran { "True" } else { "False" };
    let mut header = format!("{{'descr': '|u1', 'fortran_order': {fortran}, 'shape': {dims}, }}");
    let prefix = if major == 1 { 10 } else { 12 };
    while (prefix + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut out = b"\x93NUMPY".to_vec();
    out.extend_from_slice(&[major, 0]);
    if major == 1 {
        out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    } else {
        out.extend_from_slice(&(header.len() as u32).to_le_bytes());
    }
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    out
}

/// A zip of the given members, stored or deflated.
fn zip_bytes(members: &[(&str, Vec<u8>)], deflate: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut archive = rawzip::ZipArchiveWriter::new(&mut out);
    for (name, data) in members {
        let method = if deflate {
            rawzip::CompressionMethod::DEFLATE
        } else {
            rawzip::CompressionMethod::STORE
        };
        let (mut entry, config) = archive
            .new_file(name)
            .compression_method(method)
            .start()
            .unwrap();
        let descriptor = if deflate {
            let encoder = flate2::write::DeflateEncoder::new(&mut entry, Compression::default());
            let mut writer = config.wrap(encoder);
            writer.write_all(data).unwrap();
            let (encoder, descriptor) = writer.finish().unwrap();
            encoder.finish().unwrap();
            descriptor
        } else {
            let mut writer = config.wrap(&mut entry);
            writer.write_all(data).unwrap();
            writer.finish().unwrap().1
        };
        entry.finish(descriptor).unwrap();
    }
    archive.finish().unwrap();
    out
}

/// An mnist.npz with `n_train` and `n_test` images and labels `i % 10`.
fn mnist_npz(n_train: usize, n_test: usize, deflate: bool, major: u8) -> Vec<u8> {
    let labels = |n: usize| (0..n).map(|i| (i % 10) as u8).collect::<Vec<_>>();
    zip_bytes(
        &[
            (
                "x_train.npy",
                npy_bytes(major, &[n_train, 28, 28], &images(n_train, 1), false),
            ),
            (
                "y_train.npy",
                npy_bytes(major, &[n_train], &labels(n_train), false),
            ),
            (
                "x_test.npy",
                npy_bytes(major, &[n_test, 28, 28], &images(n_test, 2), false),
            ),
            (
                "y_test.npy",
                npy_bytes(major, &[n_test], &labels(n_test), false),
            ),
        ],
        deflate,
    )
}

/// Writes the four MNIST IDX files into `dir` (gzipped when `gzip`).
fn write_idx_set(dir: &Path, n_train: usize, n_test: usize, gzip: bool) {
    let files = [
        (
            "train-images-idx3-ubyte",
            idx_bytes(&[n_train as u32, 28, 28], &images(n_train, 1)),
        ),
        (
            "train-labels-idx1-ubyte",
            idx_bytes(&[n_train as u32], &labels(n_train, 3)),
        ),
        (
            "t10k-images-idx3-ubyte",
            idx_bytes(&[n_test as u32, 28, 28], &images(n_test, 2)),
        ),
        (
            "t10k-labels-idx1-ubyte",
            idx_bytes(&[n_test as u32], &labels(n_test, 4)),
        ),
    ];
    for (name, bytes) in files {
        if gzip {
            std::fs::write(dir.join(format!("{name}.gz")), gz(&bytes)).unwrap();
        } else {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
    }
}

fn labels(n: usize, offset: usize) -> Vec<u8> {
    (0..n).map(|i| ((i + offset) % 10) as u8).collect()
}

fn err_of<T: std::fmt::Debug>(r: kerust::Result<T>) -> kerust::Error {
    match r {
        Ok(v) => panic!("expected an error, got Ok({v:?})"),
        Err(e) => e,
    }
}

// ---------------------------------------------------------------- loaders

#[test]
fn idx_files_load_with_their_shapes_and_values() {
    let dir = temp_dir("idx-plain");
    write_idx_set(&dir, 3, 2, false);
    let ((x_train, y_train), (x_test, y_test)) = datasets::mnist::load_data_from(&dir).unwrap();
    assert_eq!(x_train.shape(), &[3, 28, 28]);
    assert_eq!(y_train.shape(), &[3]);
    assert_eq!(x_test.shape(), &[2, 28, 28]);
    assert_eq!(y_test.shape(), &[2]);
    assert_eq!(x_train.as_slice().unwrap(), &images(3, 1)[..]);
    assert_eq!(x_test.as_slice().unwrap(), &images(2, 2)[..]);
    assert_eq!(y_train.to_vec(), labels(3, 3));
    assert_eq!(y_test.to_vec(), labels(2, 4));
    // row-major: pixel (row 1, col 2) of image 1 is byte 784 + 28 + 2
    assert_eq!(x_train[[1, 1, 2]], images(3, 1)[784 + 28 + 2]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn gz_idx_files_load_like_plain_ones() {
    let plain = temp_dir("idx-plain2");
    let gzd = temp_dir("idx-gz");
    write_idx_set(&plain, 4, 3, false);
    write_idx_set(&gzd, 4, 3, true);
    let a = datasets::mnist::load_data_from(&plain).unwrap();
    let b = datasets::mnist::load_data_from(&gzd).unwrap();
    assert_eq!(a, b);
    // Fashion-MNIST reads the same four names
    let c = datasets::fashion_mnist::load_data_from(&gzd).unwrap();
    assert_eq!(a, c);
    std::fs::remove_dir_all(&plain).unwrap();
    std::fs::remove_dir_all(&gzd).unwrap();
}

#[test]
fn npz_loads_stored_and_deflated_all_npy_versions() {
    for deflate in [false, true] {
        for major in [1, 2, 3] {
            let dir = temp_dir(&format!("npz-{deflate}-{major}"));
            std::fs::write(dir.join("mnist.npz"), mnist_npz(5, 3, deflate, major)).unwrap();
            let ((x_train, y_train), (x_test, y_test)) =
                datasets::mnist::load_data_from(&dir).unwrap();
            assert_eq!(x_train.shape(), &[5, 28, 28]);
            assert_eq!(x_test.shape(), &[3, 28, 28]);
            assert_eq!(y_train.to_vec(), vec![0, 1, 2, 3, 4]);
            assert_eq!(y_test.to_vec(), vec![0, 1, 2]);
            assert_eq!(x_train.as_slice().unwrap(), &images(5, 1)[..]);
            std::fs::remove_dir_all(&dir).unwrap();
        }
    }
}

#[test]
fn npz_is_preferred_over_idx_files() {
    let dir = temp_dir("prefer-npz");
    write_idx_set(&dir, 2, 2, false);
    std::fs::write(dir.join("mnist.npz"), mnist_npz(6, 1, false, 1)).unwrap();
    let ((x_train, _), _) = datasets::mnist::load_data_from(&dir).unwrap();
    assert_eq!(x_train.shape()[0], 6);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn fortran_order_npy_is_read_in_the_right_order() {
    // the 2x3 array [[1, 2, 3], [4, 5, 6]] stored column by column
    let bytes = npy_bytes(1, &[2, 3], &[1, 4, 2, 5, 3, 6], true);
    let a = npy::parse(&bytes, "f.npy").unwrap();
    assert_eq!(a, array![[1u8, 2, 3], [4, 5, 6]].into_dyn());
}

#[test]
fn missing_dataset_names_the_directory_and_make_data() {
    let dir = temp_dir("missing");
    std::fs::write(
        dir.join("train-images-idx3-ubyte"),
        idx_bytes(&[0, 28, 28], &[]),
    )
    .unwrap();
    let e = err_of(datasets::mnist::load_data_from(&dir));
    let m = e.to_string();
    assert_eq!(e.kind(), ErrorKind::Io);
    assert!(m.contains(&dir.display().to_string()), "{m}");
    assert!(m.contains("make data"), "{m}");
    assert!(m.contains("t10k-labels-idx1-ubyte"), "{m}");
    assert!(!m.contains("missing train-images"), "{m}");
    let e = err_of(datasets::fashion_mnist::load_data_from(dir.join("nope")));
    assert!(e.to_string().contains("nope"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Writes a valid IDX set, replaces one file with `bytes`, and returns the
/// loader's error message; it must name that file.
fn broken_file_error(test: &str, file: &str, bytes: Vec<u8>) -> String {
    let dir = temp_dir(test);
    write_idx_set(&dir, 3, 2, false);
    std::fs::write(dir.join(file), bytes).unwrap();
    let e = err_of(datasets::mnist::load_data_from(&dir));
    assert_eq!(e.kind(), ErrorKind::Io);
    let m = e.to_string();
    assert!(m.contains(file), "error does not name {file}: {m}");
    std::fs::remove_dir_all(&dir).unwrap();
    m
}

#[test]
fn truncated_idx_files_are_errors() {
    let mut bytes = idx_bytes(&[3, 28, 28], &images(3, 1));
    bytes.pop();
    let m = broken_file_error("trunc-data", "train-images-idx3-ubyte", bytes);
    assert!(m.contains("truncated") && m.contains("(3, 28, 28)"), "{m}");
    // cut inside the header
    let m = broken_file_error(
        "trunc-head",
        "t10k-labels-idx1-ubyte",
        vec![0, 0, 8, 1, 0, 0],
    );
    assert!(m.contains("truncated"), "{m}");
    // empty file
    let m = broken_file_error("empty", "t10k-images-idx3-ubyte", vec![]);
    assert!(m.contains("magic"), "{m}");
}

#[test]
fn too_long_idx_files_are_errors() {
    let mut bytes = idx_bytes(&[3], &labels(3, 3));
    bytes.push(1);
    let m = broken_file_error("too-long", "train-labels-idx1-ubyte", bytes);
    assert!(m.contains("too long"), "{m}");
}

#[test]
fn wrong_magic_is_an_error() {
    let mut bytes = idx_bytes(&[3, 28, 28], &images(3, 1));
    bytes[0] = 0x50; // 'P'
    let m = broken_file_error("magic", "train-images-idx3-ubyte", bytes);
    assert!(m.contains("not an IDX file") && m.contains("0x50"), "{m}");
    // float IDX instead of unsigned bytes
    let mut bytes = idx_bytes(&[2], &[0; 8]);
    bytes[2] = 0x0D;
    let m = broken_file_error("float", "t10k-labels-idx1-ubyte", bytes);
    assert!(m.contains("0x0D") && m.contains("0x08"), "{m}");
}

#[test]
fn images_and_labels_counts_must_agree() {
    let m = broken_file_error(
        "count",
        "train-labels-idx1-ubyte",
        idx_bytes(&[2], &labels(2, 0)),
    );
    assert!(m.contains("3 images") && m.contains("2 labels"), "{m}");
}

#[test]
fn wrong_image_size_and_rank_are_errors() {
    let m = broken_file_error(
        "27x27",
        "train-images-idx3-ubyte",
        idx_bytes(&[3, 27, 27], &vec![0; 3 * 27 * 27]),
    );
    assert!(
        m.contains("(n, 28, 28)") && m.contains("(3, 27, 27)"),
        "{m}"
    );
    let m = broken_file_error(
        "rank",
        "t10k-labels-idx1-ubyte",
        idx_bytes(&[2, 1], &[1, 2]),
    );
    assert!(m.contains("(n,)") && m.contains("(2, 1)"), "{m}");
}

#[test]
fn labels_outside_0_to_9_are_errors() {
    let m = broken_file_error("label", "t10k-labels-idx1-ubyte", idx_bytes(&[2], &[3, 12]));
    assert!(m.contains("label 12 at index 1"), "{m}");
}

#[test]
fn huge_header_counts_are_errors_not_allocations() {
    // 2^31 * 2^20 images of... far beyond memory; and 2^32-1 labels
    let m = broken_file_error(
        "huge-images",
        "train-images-idx3-ubyte",
        idx_bytes(&[1 << 31, 1 << 20, 1 << 20], &[0; 16]),
    );
    assert!(m.contains("truncated") || m.contains("too large"), "{m}");
    let m = broken_file_error(
        "huge-labels",
        "train-labels-idx1-ubyte",
        idx_bytes(&[u32::MAX], &[1, 2, 3]),
    );
    assert!(m.contains("4294967295"), "{m}");
    // 255 dimensions of 2^32-1: the product overflows any integer type
    let e = err_of(idx::parse(&idx_bytes(&[u32::MAX; 255], &[]), "h.idx"));
    assert!(e.to_string().contains("too large"), "{e}");
    // a .npy claiming 2^40 items, and one whose dims overflow
    let e = err_of(npy::parse(
        &npy_bytes(1, &[1 << 40], &[1, 2], false),
        "h.npy",
    ));
    assert!(e.to_string().contains("1099511627776"), "{e}");
    let e = err_of(npy::parse(
        &npy_bytes(1, &[usize::MAX, usize::MAX, 4], &[], false),
        "h.npy",
    ));
    assert!(e.to_string().contains("too large"), "{e}");
    // a .npy header length beyond the file
    let mut bytes = npy_bytes(2, &[1], &[1], false);
    bytes[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
    let e = err_of(npy::parse(&bytes, "h.npy"));
    assert!(e.to_string().contains("truncated"), "{e}");
}

#[test]
fn corrupt_gzip_is_an_error() {
    let mut bytes = gz(&idx_bytes(&[3], &labels(3, 3)));
    let n = bytes.len();
    bytes.truncate(n - 10);
    let dir = temp_dir("gz-trunc");
    write_idx_set(&dir, 3, 2, false);
    std::fs::remove_file(dir.join("train-labels-idx1-ubyte")).unwrap();
    std::fs::write(dir.join("train-labels-idx1-ubyte.gz"), bytes).unwrap();
    let e = err_of(datasets::mnist::load_data_from(&dir));
    assert!(e.to_string().contains("train-labels-idx1-ubyte.gz"), "{e}");
    assert!(e.to_string().contains("gzip"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Writes `bytes` as mnist.npz and returns the loader's error message.
fn broken_npz_error(test: &str, bytes: Vec<u8>) -> String {
    let dir = temp_dir(test);
    std::fs::write(dir.join("mnist.npz"), bytes).unwrap();
    let e = err_of(datasets::mnist::load_data_from(&dir));
    let m = e.to_string();
    assert!(
        m.contains("mnist.npz"),
        "error does not name mnist.npz: {m}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
    m
}

#[test]
fn broken_npz_files_are_errors() {
    let good = mnist_npz(3, 2, false, 1);
    // truncated archive
    let m = broken_npz_error("npz-trunc", good[..good.len() / 2].to_vec());
    assert!(m.contains("zip"), "{m}");
    // not a zip at all
    let m = broken_npz_error("npz-text", b"hello, this is not an archive".to_vec());
    assert!(m.contains("zip"), "{m}");
    // a flipped byte in stored image data fails the CRC check
    let mut bad = good.clone();
    let at = bad.windows(4).position(|w| w == [1, 2, 3, 4]).unwrap() + 200;
    bad[at] ^= 0xFF;
    let m = broken_npz_error("npz-crc", bad);
    assert!(m.contains("x_train.npy"), "{m}");
    // a missing array
    let partial = zip_bytes(
        &[(
            "x_train.npy",
            npy_bytes(1, &[1, 28, 28], &images(1, 0), false),
        )],
        false,
    );
    let m = broken_npz_error("npz-missing", partial);
    assert!(m.contains("y_train"), "{m}");
    // float data instead of uint8
    let mut f32npy = npy_bytes(1, &[1], &[0, 0, 0, 0], false);
    let pos = f32npy.windows(3).position(|w| w == b"|u1").unwrap();
    f32npy[pos..pos + 3].copy_from_slice(b"<f4");
    let with_float = zip_bytes(&[("y_train.npy", f32npy)], true);
    let m = broken_npz_error("npz-float", with_float);
    assert!(m.contains("y_train.npy") && m.contains("<f4"), "{m}");
    // wrong shape inside: labels of shape (3, 1)
    let odd = zip_bytes(
        &[
            (
                "x_train.npy",
                npy_bytes(1, &[3, 28, 28], &images(3, 0), false),
            ),
            ("y_train.npy", npy_bytes(1, &[3, 1], &[1, 2, 3], false)),
            (
                "x_test.npy",
                npy_bytes(1, &[1, 28, 28], &images(1, 0), false),
            ),
            ("y_test.npy", npy_bytes(1, &[1], &[1], false)),
        ],
        false,
    );
    let m = broken_npz_error("npz-shape", odd);
    assert!(m.contains("y_train.npy") && m.contains("(3, 1)"), "{m}");
}

#[test]
fn broken_npy_headers_are_errors() {
    let good = npy_bytes(1, &[2], &[1, 2], false);
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"\x93NUMPZ\x01\x00".to_vec(), "magic"),
        (
            [&b"\x93NUMPY\x04\x00"[..], &good[8..]].concat(),
            "version 4",
        ),
        (
            good.iter()
                .map(|&b| if b == b'F' { b'X' } else { b })
                .collect(),
            "malformed",
        ),
        (good[..good.len() - 1].to_vec(), "truncated"),
        ([&good[..], &[9]].concat(), "too long"),
    ];
    for (bytes, want) in cases {
        let e = err_of(npy::parse(&bytes, "case.npy"));
        let m = e.to_string();
        assert!(
            m.contains("case.npy") && m.contains(want),
            "want '{want}': {m}"
        );
    }
}

// ---------------------------------------------------------------- download

#[test]
fn fetch_verified_writes_only_matching_data() {
    let dir = temp_dir("fetch");
    let dest = dir.join("sub").join("data.bin");
    let data: Vec<u8> = (0..200_000u32).map(|i| (i * 31 % 251) as u8).collect();
    // SHA-256 computed independently, by Python's hashlib:
    // hashlib.sha256(bytes(i * 31 % 251 for i in range(200000))).hexdigest()
    let sum = "fb1d8fabac622cd16fe7b9fb8bc6100515dc417bd56d036e496a49d4c20f63b8".to_string();
    assert_eq!(
        fetch_verified(&data[..], &sum.to_uppercase(), &dest).unwrap(),
        200_000
    );
    assert_eq!(std::fs::read(&dest).unwrap(), data);

    // mismatch: error names the file and both checksums; the old file stays
    let mut other = data.clone();
    other[1000] ^= 1;
    let e = err_of(fetch_verified(&other[..], &sum, &dest));
    let m = e.to_string();
    assert!(
        m.contains("data.bin") && m.contains(&sum) && m.contains("not written"),
        "{m}"
    );
    assert_eq!(std::fs::read(&dest).unwrap(), data);

    // mismatch on a new file: no file, and no temporary file left behind
    let fresh = dir.join("fresh.bin");
    assert!(fetch_verified(&other[..], &sum, &fresh).is_err());
    assert!(!fresh.exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.join("sub")).unwrap().collect();
    assert_eq!(
        leftovers.len(),
        1,
        "only data.bin may remain: {leftovers:?}"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "only sub/ may remain: {leftovers:?}");

    // a source failing mid-stream leaves nothing either
    struct Failing(usize);
    impl std::io::Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0 == 0 {
                return Err(std::io::Error::other("connection reset"));
            }
            self.0 -= 1;
            buf[0] = 7;
            Ok(1)
        }
    }
    let e = err_of(fetch_verified(Failing(100), &sum, &fresh));
    assert!(e.to_string().contains("connection reset"), "{e}");
    assert!(!fresh.exists());
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);

    // a malformed checksum is refused before anything is written
    assert_eq!(
        err_of(fetch_verified(&data[..], "abc", &fresh)).kind(),
        ErrorKind::Value
    );
    assert!(!fresh.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `download` runs curl; a file:// URL exercises it without a network.
#[cfg(feature = "download")]
#[test]
fn download_runs_curl_and_writes_only_verified_files() {
    use kerust::datasets::download::download;
    if std::process::Command::new("curl")
        .arg("--version")
        .output()
        .is_err()
    {
        println!("SKIPPED download through curl: curl is not installed");
        return;
    }
    let dir = temp_dir("download");
    let source = dir.join("source.bin");
    std::fs::write(&source, b"abc").unwrap();
    let url = format!("file://{}", source.display());
    // SHA-256 of "abc" (FIPS 180-2, appendix B.1)
    let sum = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    let cache = dir.join("cache");
    let dest = cache.join("abc.bin");
    assert_eq!(download(&url, sum, &dest).unwrap(), 3);
    assert_eq!(std::fs::read(&dest).unwrap(), b"abc");

    // other bytes: a mismatch naming the URL, and the old file stays
    std::fs::write(&source, b"abd").unwrap();
    let m = err_of(download(&url, sum, &dest)).to_string();
    assert!(
        m.contains(&url) && m.contains("checksum mismatch") && m.contains("not written"),
        "{m}"
    );
    assert_eq!(std::fs::read(&dest).unwrap(), b"abc");

    // nothing at the URL: curl's message, no file and no temporary file
    let fresh = cache.join("fresh.bin");
    let missing = format!("file://{}", dir.join("missing.bin").display());
    let m = err_of(download(&missing, sum, &fresh)).to_string();
    assert!(
        m.contains(&format!("cannot download {missing}")) && m.contains("curl"),
        "{m}"
    );
    assert!(!fresh.exists());
    let left: Vec<_> = std::fs::read_dir(&cache).unwrap().collect();
    assert_eq!(left.len(), 1, "only abc.bin may remain: {left:?}");

    // what is not a URL is never handed to curl as an option
    let e = err_of(download("-o/tmp/kerust-not-a-url", sum, &fresh));
    assert_eq!(e.kind(), ErrorKind::Value);
    assert!(e.to_string().contains("not a URL"), "{e}");
    // a malformed checksum is refused before anything runs
    assert_eq!(
        err_of(download(&url, "abc", &fresh)).kind(),
        ErrorKind::Value
    );
    assert!(!fresh.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn keras_checksums_are_the_ones_from_keras_source() {
    // keras/src/datasets/mnist.py, Keras 3.15
    assert_eq!(
        datasets::mnist::SHA256,
        "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
    );
    assert_eq!(
        datasets::mnist::URL,
        "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
    );
    let names: Vec<&str> = datasets::fashion_mnist::FILES.iter().map(|f| f.0).collect();
    assert_eq!(
        names,
        [
            "train-images-idx3-ubyte.gz",
            "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz",
            "t10k-labels-idx1-ubyte.gz"
        ]
    );
}

// ------------------------------------------- the cache (one test: env var)

/// Everything that reads `KERAS_HOME` lives in this one test, because the
/// environment is shared by the test threads.
#[test]
fn cache_directory_and_real_mnist() {
    // the real MNIST, when the cache has it (`make test` installs it first)
    let cache = datasets::cache_dir();
    let have = cache.join("mnist.npz").is_file()
        || [
            "train-images-idx3-ubyte",
            "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte",
            "t10k-labels-idx1-ubyte",
        ]
        .iter()
        .all(|n| cache.join(n).is_file() || cache.join(format!("{n}.gz")).is_file());
    if have {
        let ((x_train, y_train), (x_test, y_test)) = datasets::mnist::load_data().unwrap();
        assert_eq!(x_train.shape(), &[60000, 28, 28]);
        assert_eq!(y_train.shape(), &[60000]);
        assert_eq!(x_test.shape(), &[10000, 28, 28]);
        assert_eq!(y_test.shape(), &[10000]);
        // the first training digit is a 5 and the first test digit a 7
        assert_eq!(y_train[0], 5);
        assert_eq!(y_test[0], 7);
        assert_eq!(x_train.iter().copied().max(), Some(255));
    } else {
        println!(
            "SKIPPED real MNIST: not in {} (`make test` installs it there with `make data`)",
            cache.display()
        );
    }

    let old = std::env::var_os("KERAS_HOME");
    let home = temp_dir("keras-home");
    std::env::set_var("KERAS_HOME", &home);
    assert_eq!(datasets::cache_dir(), home.join("datasets"));

    // small files in the cache: load_data wants the full set sizes
    std::fs::create_dir_all(home.join("datasets")).unwrap();
    write_idx_set(&home.join("datasets"), 3, 2, true);
    let e = err_of(datasets::mnist::load_data());
    assert!(
        e.to_string().contains("60000") && e.to_string().contains("make data"),
        "{e}"
    );

    // an empty cache: a download is tried; offline the error names the cache
    // and `make data`; online it must give the real MNIST, verified
    let empty = temp_dir("keras-home-empty");
    std::env::set_var("KERAS_HOME", &empty);
    match datasets::mnist::load_data() {
        Ok(((x_train, _), (x_test, _))) => {
            assert_eq!((x_train.shape()[0], x_test.shape()[0]), (60000, 10000));
        }
        Err(e) => {
            let m = e.to_string();
            assert!(
                m.contains(&empty.join("datasets").display().to_string()),
                "{m}"
            );
            assert!(m.contains("make data"), "{m}");
            assert!(!empty.join("datasets").join("mnist.npz").exists());
        }
    }
    match old {
        Some(v) => std::env::set_var("KERAS_HOME", v),
        None => std::env::remove_var("KERAS_HOME"),
    }
    std::fs::remove_dir_all(&home).unwrap();
    std::fs::remove_dir_all(&empty).unwrap();
}

// ------------------------------------------------ make_classification etc.

#[test]
fn make_classification_is_deterministic_balanced_and_binary() {
    let (x, y) = datasets::make_classification(200, 2, 42);
    assert_eq!(x.shape(), &[200, 2]);
    assert_eq!(y.shape(), &[200]);
    let (x2, y2) = datasets::make_classification(200, 2, 42);
    assert_eq!((&x, &y), (&x2, &y2));
    let (x3, _) = datasets::make_classification(200, 2, 43);
    assert_ne!(x, x3);
    assert!(y.iter().all(|&l| l == 0.0 || l == 1.0));
    assert_eq!(y.iter().filter(|&&l| l == 1.0).count(), 100);
    assert!(x.iter().all(|v| v.is_finite()));
    // shuffled: the labels are not sorted
    let sorted = y.windows(2).into_iter().all(|w| w[0] <= w[1]);
    assert!(!sorted);
    // odd counts: class 0 gets the extra sample
    let (_, y) = datasets::make_classification(201, 5, 1);
    assert_eq!(y.iter().filter(|&&l| l == 0.0).count(), 101);
    let (x, y) = datasets::make_classification(9, 1, 1);
    assert_eq!(
        (x.shape(), y.iter().filter(|&&l| l == 1.0).count()),
        (&[9, 1][..], 4)
    );
}

#[test]
fn make_classification_puts_clusters_on_hypercube_vertices() {
    // With 2 features both are informative: 4 clusters of 500 samples
    // centred on (+-1, +-1). Every vertex quadrant is densely populated.
    let (x, _) = datasets::make_classification(2000, 2, 7);
    let mean = x.mean_axis(Axis(0)).unwrap();
    assert!(mean.iter().all(|m| m.abs() < 0.5), "{mean}");
    for (sx, sy) in [(1.0, 1.0), (1.0, -1.0), (-1.0, 1.0), (-1.0, -1.0)] {
        let near = x
            .rows()
            .into_iter()
            .filter(|r| (r[0] - sx).abs() < 1.0 && (r[1] - sy).abs() < 1.0)
            .count();
        assert!(near > 100, "only {near} samples near ({sx}, {sy})");
    }
}

#[test]
fn make_classification_size_errors() {
    assert!(datasets::try_make_classification(10, 0, 0).is_err());
    let e = err_of(datasets::try_make_classification(1 << 40, 1 << 20, 0));
    assert!(e.to_string().contains("n_samples"), "{e}");
    let (x, y) = datasets::make_classification(usize::MAX, 2, 0);
    assert_eq!((x.nrows(), y.len()), (0, 0));
    let (x, y) = datasets::make_classification(0, 3, 0);
    assert_eq!((x.shape(), y.len()), (&[0, 3][..], 0));
}

#[test]
fn train_test_split_sizes_determinism_and_coverage() {
    let x = Array2::from_shape_fn((10, 2), |(i, j)| (i * 10 + j) as f32);
    let y = Array1::from_shape_fn(10, |i| i as f32);
    let ((xtr, ytr), (xte, yte)) = datasets::train_test_split(&x, &y, 0.25, 3).unwrap();
    // ceil(0.25 * 10) = 3 test samples, as scikit-learn
    assert_eq!(
        (xtr.nrows(), ytr.len(), xte.nrows(), yte.len()),
        (7, 7, 3, 3)
    );
    // rows stay with their labels, and every sample is used once
    for (r, l) in xtr
        .rows()
        .into_iter()
        .zip(&ytr)
        .chain(xte.rows().into_iter().zip(&yte))
    {
        assert_eq!(r[0], l * 10.0);
    }
    let mut all: Vec<f32> = ytr.iter().chain(&yte).copied().collect();
    all.sort_by(f32::total_cmp);
    assert_eq!(all, y.to_vec());
    assert_eq!(
        datasets::train_test_split(&x, &y, 0.25, 3).unwrap(),
        ((xtr, ytr), (xte, yte))
    );
    // any element type and rank: MNIST-like u8 images
    let imgs = ndarray::Array3::<u8>::zeros((5, 28, 28));
    let lbl = Array1::<u8>::zeros(5);
    let ((a, _), (b, _)) = datasets::train_test_split(&imgs, &lbl, 0.2, 0).unwrap();
    assert_eq!((a.shape(), b.shape()), (&[4, 28, 28][..], &[1, 28, 28][..]));
}

#[test]
fn train_test_split_errors() {
    let x = Array2::<f32>::zeros((10, 2));
    let y = Array1::<f32>::zeros(10);
    for bad in [0.0, 1.0, -0.5, 1.5, f32::NAN] {
        let e = err_of(datasets::train_test_split(&x, &y, bad, 0));
        assert!(e.to_string().contains("test_size"), "{e}");
    }
    let e = err_of(datasets::train_test_split(
        &x,
        &Array1::<f32>::zeros(9),
        0.2,
        0,
    ));
    assert!(
        e.to_string().contains("10 samples") && e.to_string().contains("9"),
        "{e}"
    );
    assert_eq!(e.kind(), ErrorKind::Shape);
    let one = Array2::<f32>::zeros((1, 2));
    assert!(datasets::train_test_split(&one, &Array1::<f32>::zeros(1), 0.5, 0).is_err());
}

#[test]
fn min_max_scaler_uses_training_min_and_range() {
    let train = array![[1.0f32, -2.0, 5.0], [3.0, 2.0, 5.0], [2.0, 0.0, 5.0]];
    let test = array![[0.0f32, 4.0, 6.0]];
    let s = MinMaxScaler::fit(&train).unwrap();
    let t = s.transform(&train).unwrap();
    // each training column spans [0, 1]; the constant column becomes 0
    assert_eq!(
        t,
        array![[0.0f32, 0.0, 0.0], [1.0, 1.0, 0.0], [0.5, 0.5, 0.0]]
    );
    // test data uses the training min and range, so it may leave [0, 1]
    assert_eq!(s.transform(&test).unwrap(), array![[-0.5f32, 1.5, 1.0]]);
    assert_eq!(s.data_min(), array![1.0f32, -2.0, 5.0].into_dyn());
    assert_eq!(s.data_max(), array![3.0f32, 2.0, 5.0].into_dyn());
    assert_eq!(s.data_range(), array![2.0f32, 4.0, 0.0].into_dyn());
    // u8 images, per pixel
    let imgs = ndarray::Array3::from_shape_fn((2, 2, 2), |(n, i, j)| (n * 100 + i + j) as u8);
    let s = MinMaxScaler::fit(&imgs).unwrap();
    let t = s.transform(&imgs).unwrap();
    assert_eq!(t.shape(), &[2, 2, 2]);
    assert!(t.index_axis(Axis(0), 1).iter().all(|&v| v == 1.0));
}

#[test]
fn min_max_scaler_errors() {
    let s = MinMaxScaler::fit(&array![[1.0f32, 2.0], [3.0, 4.0]]).unwrap();
    let e = err_of(s.transform(&array![[1.0f32, 2.0, 3.0]]));
    assert_eq!(e.kind(), ErrorKind::Shape);
    assert!(
        e.to_string().contains("(n, 2)") && e.to_string().contains("(1, 3)"),
        "{e}"
    );
    assert!(s.transform(&array![1.0f32, 2.0]).is_err());
    let e = err_of(MinMaxScaler::fit(&Array2::<f32>::zeros((0, 2))));
    assert!(e.to_string().contains("no samples"), "{e}");
    let e = err_of(MinMaxScaler::fit(&array![[1.0f32], [f32::INFINITY]]));
    assert!(e.to_string().contains("sample 1"), "{e}");
    assert!(MinMaxScaler::fit(&ndarray::arr0(1.0f32)).is_err());
}

// ---------------------------------------------------------------- fuzzing

/// Valid files to mutate: IDX (plain and gz), .npy (versions 1-3), .npz
/// (stored and deflated).
fn seeds() -> &'static [Vec<u8>] {
    static SEEDS: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    SEEDS.get_or_init(|| {
        vec![
            idx_bytes(&[2, 28, 28], &images(2, 0)),
            idx_bytes(&[5], &[1, 2, 3, 4, 5]),
            gz(&idx_bytes(&[3, 2], &[1, 2, 3, 4, 5, 6])),
            npy_bytes(1, &[2, 3], &[1, 2, 3, 4, 5, 6], false),
            npy_bytes(2, &[4], &[1, 2, 3, 4], true),
            npy_bytes(3, &[], &[9], false),
            mnist_npz(2, 1, false, 1),
            mnist_npz(2, 1, true, 2),
        ]
    })
}

/// Applies byte changes and a truncation to a seed.
fn mutate(seed: &[u8], edits: &[(usize, u8)], cut: Option<usize>) -> Vec<u8> {
    let mut b = seed.to_vec();
    for &(at, v) in edits {
        if !b.is_empty() {
            let i = at % b.len();
            b[i] = v;
        }
    }
    if let Some(c) = cut {
        let c = c % (b.len() + 1);
        b.truncate(c);
    }
    b
}

/// Every reader on the same bytes: none may panic; whatever parses has a
/// consistent shape.
fn read_all(bytes: &[u8]) {
    if let Ok(a) = idx::parse(bytes, "f") {
        assert_eq!(a.len(), a.shape().iter().product::<usize>());
    }
    if let Ok(raw) = idx::gunzip_if_gzip(bytes.to_vec(), "f.gz") {
        let _ = idx::parse(&raw, "f.gz");
    }
    if let Ok(a) = npy::parse(bytes, "f.npy") {
        assert_eq!(a.len(), a.shape().iter().product::<usize>());
    }
    if let Ok(m) = npz::parse(bytes, "f.npz") {
        for a in m.values() {
            assert_eq!(a.len(), a.shape().iter().product::<usize>());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    #[test]
    fn fuzz_random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        read_all(&bytes);
    }

    #[test]
    fn fuzz_mutated_files_never_panic(
        which in 0usize..8,
        edits in prop::collection::vec((any::<usize>(), any::<u8>()), 0..6),
        cut in prop::option::of(any::<usize>()),
    ) {
        read_all(&mutate(&seeds()[which], &edits, cut));
    }

    #[test]
    fn fuzz_idx_headers_never_panic(
        ty in prop_oneof![Just(8u8), any::<u8>()],
        dims in prop::collection::vec(prop_oneof![0u32..40, any::<u32>()], 0..6),
        data in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        let mut b = vec![0, 0, ty, dims.len() as u8];
        for d in &dims { b.extend_from_slice(&d.to_be_bytes()); }
        b.extend_from_slice(&data);
        match idx::parse(&b, "f") {
            Ok(a) => {
                prop_assert_eq!(ty, 8);
                prop_assert_eq!(a.shape(), &dims.iter().map(|&d| d as usize).collect::<Vec<_>>()[..]);
                prop_assert_eq!(a.as_slice().unwrap(), &data[..]);
            }
            Err(e) => prop_assert!(e.to_string().starts_with("f"), "{}", e),
        }
    }

    #[test]
    fn fuzz_npy_headers_never_panic(
        header in "[{}()'\":, a-z_0-9|<>TrueFalsL\n]{0,80}",
        data in prop::collection::vec(any::<u8>(), 0..40),
        major in 1u8..4,
    ) {
        let mut b = b"\x93NUMPY".to_vec();
        b.extend_from_slice(&[major, 0]);
        if major == 1 {
            b.extend_from_slice(&(header.len() as u16).to_le_bytes());
        } else {
            b.extend_from_slice(&(header.len() as u32).to_le_bytes());
        }
        b.extend_from_slice(header.as_bytes());
        b.extend_from_slice(&data);
        if let Ok(a) = npy::parse(&b, "f.npy") {
            prop_assert_eq!(a.len(), data.len());
        }
    }
}
