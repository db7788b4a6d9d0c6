//! IMDB, Reuters, Boston housing and CIFAR-10 loaders on small files in the
//! exact formats of Keras' files, written here byte by byte: zip archives
//! of `.npy` members (float64, int64, and object arrays pickled the way
//! numpy under Python 2 pickled them), CIFAR-10's Python 2 pickled batches,
//! and Keras' tar.gz. Also: the restricted pickle reader refuses anything
//! but NumPy arrays, and the offline errors say what to do.

use kerust::datasets::{self, npy_array::NpyArray, npz, TextOptions};
use kerust::prelude::*;
use std::path::{Path, PathBuf};

mod dataset_writers;
use dataset_writers::*;

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kerust-dsf-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Reviews whose label is the parity of their first word, so that shuffles
/// can be checked to keep reviews and labels together.
fn reviews(n: usize, seed: i64) -> (Vec<Vec<i64>>, Vec<i64>) {
    let xs: Vec<Vec<i64>> = (0..n as i64)
        .map(|i| {
            (0..(1 + (i * 7 + seed) % 9))
                .map(|j| 1 + (i * 13 + j * 5 + seed) % 40)
                .collect()
        })
        .collect();
    let ys = xs.iter().map(|x| x[0] % 2).collect();
    (xs, ys)
}

// ------------------------------------------------------------ tests

#[test]
fn npz_members_of_every_dtype_keras_files_hold() {
    let lists = vec![vec![1, 300, 70000], vec![], vec![5]];
    let bytes = zip_stored(&[
        ("x.npy", npy_lists(&lists)),
        ("y.npy", npy_i64(&[3, -4, 1 << 40])),
        ("z.npy", npy_f64(&[1, 2], &[0.5, -1e300])),
        ("u.npy", npy("|u1", &[2], &[7, 255])),
        (
            "i.npy",
            npy("<i4", &[2], &[0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0]),
        ),
    ]);
    let a = npz::parse_any(&bytes, "t.npz").unwrap();
    assert_eq!(a["x"], NpyArray::Lists(lists));
    assert_eq!(a["y"], NpyArray::I64(array![3i64, -4, 1 << 40].into_dyn()));
    assert_eq!(a["z"], NpyArray::F64(array![[0.5, -1e300]].into_dyn()));
    assert_eq!(a["u"], NpyArray::U8(array![7u8, 255].into_dyn()));
    assert_eq!(a["i"], NpyArray::I64(array![-1i64, 2].into_dyn()));
    let bad = zip_stored(&[("c.npy", npy("<c16", &[1], &[0; 16]))]);
    let e = npz::parse_any(&bad, "t.npz").unwrap_err().to_string();
    assert!(e.contains("c.npy") && e.contains("<c16"), "{e}");
}

#[test]
fn pickles_naming_other_globals_or_opcodes_are_refused() {
    let cases: [(&[u8], &str); 5] = [
        (
            b"\x80\x02cos\nsystem\nq\x00U\x08echo hiq\x01\x85q\x02Rq\x03.",
            "os.system",
        ),
        (
            b"\x80\x02c__builtin__\neval\nU\x011\x85R.",
            "__builtin__.eval",
        ),
        (b"(S'echo'\nios\nsystem\n.", "opcode 0x53"),
        (b"\x80\x02(K\x01K\x02i__main__\nX\n.", "INST"),
        (b"\x80\x02](K\x01K\x02", "truncated"),
    ];
    for (pickle, expected) in cases {
        let file = zip_stored(&[("x.npy", npy("|O", &[1], pickle))]);
        let e = npz::parse_any(&file, "evil.npz").unwrap_err().to_string();
        assert!(
            e.contains(expected) && e.contains("evil.npz: x.npy"),
            "{expected}: {e}"
        );
    }
    // an object array of int64 arrays (instead of lists) reads the same
    let mut nested = b"\x80\x02".to_vec();
    p_array_start(&mut nested, &[2], b"O8", b"|");
    nested.extend(b"](");
    for v in [[7i64, -2], [300, 1 << 33]] {
        p_array_start(&mut nested, &[2], b"i8", b"<");
        p_str(
            &mut nested,
            &v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<_>>(),
        );
        nested.extend(b"tb");
    }
    nested.extend(b"etb.");
    let file = zip_stored(&[("x.npy", npy("|O", &[2], &nested))]);
    let a = npz::parse_any(&file, "n.npz").unwrap();
    assert_eq!(
        a["x"],
        NpyArray::Lists(vec![vec![7, -2], vec![300, 1 << 33]])
    );
    // an object array of something else than lists of ints
    let mut strs = b"\x80\x02".to_vec();
    p_array_start(&mut strs, &[1], b"O8", b"|");
    strs.extend(b"](U\x03abcetb.");
    let file = zip_stored(&[("x.npy", npy("|O", &[1], &strs))]);
    let e = npz::parse_any(&file, "s.npz").unwrap_err().to_string();
    assert!(e.contains("expected a list of ints"), "{e}");
}

#[test]
fn imdb_applies_keras_options_and_keeps_labels_with_their_reviews() {
    let dir = temp("imdb");
    let (xtr, ytr) = reviews(30, 1);
    let (xte, yte) = reviews(20, 2);
    let path = dir.join("imdb.npz");
    let file = zip_stored(&[
        ("x_train.npy", npy_lists(&xtr)),
        ("y_train.npy", npy_i64(&ytr)),
        ("x_test.npy", npy_lists(&xte)),
        ("y_test.npy", npy_i64(&yte)),
    ]);
    std::fs::write(&path, file).unwrap();
    let ((x, y), (xt, yt)) = datasets::imdb::load_data_from(&path, &TextOptions::new()).unwrap();
    assert_eq!((x.len(), y.len(), xt.len(), yt.len()), (30, 30, 20, 20));
    for (s, &label) in x.iter().zip(&y).chain(xt.iter().zip(&yt)) {
        assert_eq!(s[0], 1, "start_char");
        if s[1] != 2 {
            assert_eq!((s[1] - 3) % 2, label, "label travels with its review");
        }
    }
    // the shuffle is a permutation: same multiset of reviews
    let mut got: Vec<Vec<i64>> = x
        .iter()
        .map(|s| s[1..].iter().map(|w| w - 3).collect())
        .collect();
    got.sort();
    // num_words=None: the largest id itself becomes oov, as in Keras
    let top = xtr.iter().chain(&xte).flatten().max().unwrap() + 3;
    let mut want: Vec<Vec<i64>> = xtr
        .iter()
        .map(|s| {
            s.iter()
                .map(|&w| if w + 3 == top { 2 - 3 } else { w })
                .collect()
        })
        .collect();
    want.sort();
    assert_eq!(got, want);
    let opts = TextOptions::new().num_words(20).skip_top(6).maxlen(6);
    let ((x, _), (xt, _)) = datasets::imdb::load_data_from(&path, &opts).unwrap();
    for s in x.iter().chain(&xt) {
        assert!(s.len() < 6);
        assert!(
            s[1..].iter().all(|&w| w == 2 || (6..20).contains(&w)),
            "{s:?}"
        );
    }
    let e = datasets::imdb::load_data_from(&path, &TextOptions::new().maxlen(1)).unwrap_err();
    assert!(e.to_string().contains("Increase maxlen"), "{e}");
}

#[test]
fn reuters_splits_after_the_shuffle_and_boston_keeps_rows_whole() {
    let dir = temp("reuters");
    let (xs, ys) = reviews(50, 3);
    let path = dir.join("reuters.npz");
    std::fs::write(
        &path,
        zip_stored(&[("x.npy", npy_lists(&xs)), ("y.npy", npy_i64(&ys))]),
    )
    .unwrap();
    let ((x, y), (xt, yt)) = datasets::reuters::load_data_from(&path, &TextOptions::new()).unwrap();
    assert_eq!((x.len(), y.len(), xt.len(), yt.len()), (40, 40, 10, 10));
    let opts = TextOptions::new()
        .test_split(0.3)
        .start_char(None)
        .index_from(0);
    let ((x, y), (xt, _)) = datasets::reuters::load_data_from(&path, &opts).unwrap();
    assert_eq!((x.len(), xt.len()), (35, 15));
    assert!(x.iter().zip(&y).all(|(s, &l)| s[0] == 2 || s[0] % 2 == l));
    let bad = datasets::reuters::load_data_from(&path, &TextOptions::new().test_split(1.0));
    assert!(bad.is_err());

    // Boston: 506 rows of 13 features with y = 2 * x[:, 0], as Keras' file shapes
    let n = 506;
    let xv: Vec<f64> = (0..n * 13).map(|i| i as f64 * 0.25).collect();
    let yv: Vec<f64> = (0..n).map(|r| 2.0 * xv[r * 13]).collect();
    let path = dir.join("boston_housing.npz");
    std::fs::write(
        &path,
        zip_stored(&[
            ("x.npy", npy_f64(&[n, 13], &xv)),
            ("y.npy", npy_f64(&[n], &yv)),
        ]),
    )
    .unwrap();
    let ((x, y), (xt, yt)) = datasets::boston_housing::load_data_from(&path, 0.2, 113).unwrap();
    assert_eq!(
        (x.dim(), y.len(), xt.dim(), yt.len()),
        ((404, 13), 404, (102, 13), 102)
    );
    for (row, &price) in x
        .rows()
        .into_iter()
        .zip(&y)
        .chain(xt.rows().into_iter().zip(&yt))
    {
        assert_eq!(price, 2.0 * row[0]);
        assert_eq!(row[12] - row[0], 3.0);
    }
    assert!(datasets::boston_housing::load_data_from(&path, 1.0, 113).is_err());
}

fn write_cifar_batches(dir: &Path, per_batch: usize) -> Vec<u8> {
    std::fs::create_dir_all(dir).unwrap();
    let mut all = Vec::new();
    for (k, name) in datasets::cifar10::BATCH_FILES.iter().enumerate() {
        let labels: Vec<i64> = (0..per_batch as i64).map(|i| (i + k as i64) % 10).collect();
        let data: Vec<u8> = (0..per_batch * 3072)
            .map(|i| ((i * 7 + k) % 251) as u8)
            .collect();
        let bytes = cifar_batch(&labels, &data);
        std::fs::write(dir.join(name), &bytes).unwrap();
        all.extend(data);
    }
    all
}

#[test]
fn cifar10_batches_become_channels_last_images_and_column_labels() {
    let dir = temp("cifar");
    write_cifar_batches(&dir, 3);
    let ((x, y), (xt, yt)) = datasets::cifar10::load_data_from(&dir).unwrap();
    assert_eq!((x.shape(), y.shape()), (&[15, 32, 32, 3][..], &[15, 1][..]));
    assert_eq!((xt.shape(), yt.shape()), (&[3, 32, 32, 3][..], &[3, 1][..]));
    // image 4 is batch 2's second image; pixel (r, c, ch) is data[ch*1024 + r*32 + c]
    let (k, i) = (1usize, 1usize);
    for (r, c, ch) in [(0, 0, 0), (5, 17, 1), (31, 31, 2)] {
        let flat = i * 3072 + ch * 1024 + r * 32 + c;
        assert_eq!(x[[3 + i, r, c, ch]], ((flat * 7 + k) % 251) as u8);
    }
    assert_eq!(y[[4, 0]], 2);
    let mut broken = std::fs::read(dir.join("test_batch")).unwrap();
    broken.truncate(broken.len() / 2);
    std::fs::write(dir.join("test_batch"), broken).unwrap();
    let e = datasets::cifar10::load_data_from(&dir)
        .unwrap_err()
        .to_string();
    assert!(e.contains("test_batch") && e.contains("truncated"), "{e}");
}

fn tar_gz(members: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut tar = Vec::new();
    for (name, data) in members {
        let mut h = [0u8; 512];
        h[..name.len()].copy_from_slice(name.as_bytes());
        h[100..107].copy_from_slice(b"0000644");
        h[124..135].copy_from_slice(format!("{:011o}", data.len()).as_bytes());
        h[156] = b'0';
        h[257..263].copy_from_slice(b"ustar\0");
        h[148..156].copy_from_slice(b"        ");
        let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
        h[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
        tar.extend(h);
        tar.extend(data);
        tar.resize(tar.len().div_ceil(512) * 512, 0);
    }
    tar.extend([0u8; 1024]);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &tar).unwrap();
    gz.finish().unwrap()
}

/// Everything that sets KERAS_HOME or PATH is in this one test: the
/// environment is shared by the tests of this file.
#[test]
fn cache_paths_archive_extraction_word_index_and_offline_errors() {
    let home = temp("home");
    let cache = home.join("datasets");
    std::fs::create_dir_all(&cache).unwrap();
    let old_home = std::env::var_os("KERAS_HOME");
    let old_path = std::env::var_os("PATH");
    std::env::set_var("KERAS_HOME", &home);
    std::env::set_var("PATH", home.join("no-bin"));

    // Offline and empty: the error names the file, the URL and the checksum.
    let e = datasets::imdb::load_data(10000).unwrap_err().to_string();
    assert!(
        e.contains(&cache.join("imdb.npz").display().to_string()),
        "{e}"
    );
    assert!(
        e.contains("imdb.npz") && e.contains(datasets::imdb::SHA256),
        "{e}"
    );
    let e = datasets::boston_housing::load_data()
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("boston_housing.npz") && e.contains("KERAS_HOME"),
        "{e}"
    );
    let e = datasets::cifar10::load_data().unwrap_err().to_string();
    assert!(
        e.contains("cifar-10-batches-py-target_archive") && e.contains("data_batch_1"),
        "{e}"
    );
    let e = datasets::imdb::get_word_index().unwrap_err().to_string();
    assert!(
        e.contains("imdb_word_index.json") && e.contains("MD5"),
        "{e}"
    );

    // The word index where Keras keeps it.
    std::fs::write(
        cache.join("imdb_word_index.json"),
        br#"{"the": 1, "and": 2, "fawn": 34701}"#,
    )
    .unwrap();
    let wi = datasets::imdb::get_word_index().unwrap();
    assert_eq!((wi["the"], wi["fawn"], wi.len()), (1, 34701, 3));
    std::fs::write(cache.join("reuters_word_index.json"), br#"{"the": "one"}"#).unwrap();
    let e = datasets::reuters::get_word_index().unwrap_err().to_string();
    assert!(e.contains("'the'") && e.contains("integer"), "{e}");

    // Keras' CIFAR-10 archive: extracted into the Keras 3 directory, then read.
    let src = home.join("src");
    let data = write_cifar_batches(&src, 2);
    let members: Vec<(String, Vec<u8>)> = datasets::cifar10::BATCH_FILES
        .iter()
        .map(|f| {
            (
                format!("cifar-10-batches-py/{f}"),
                std::fs::read(src.join(f)).unwrap(),
            )
        })
        .chain([("../evil".to_string(), b"x".to_vec())])
        .collect();
    std::fs::write(
        cache.join("cifar-10-batches-py-target_archive"),
        tar_gz(&members),
    )
    .unwrap();
    let e = datasets::cifar10::load_data().unwrap_err().to_string();
    assert!(
        e.contains("holds 10 training and 2 test images") && e.contains("50000"),
        "{e}"
    );
    let extracted = cache.join("cifar-10-batches-py-target/cifar-10-batches-py");
    let batch = std::fs::read(extracted.join("data_batch_1")).unwrap();
    assert_eq!(batch, std::fs::read(src.join("data_batch_1")).unwrap());
    assert!(!home.join("evil").exists() && !cache.join("evil").exists());
    let ((x, _), _) = datasets::cifar10::load_data_from(&extracted).unwrap();
    assert_eq!(x[[0, 0, 0, 1]], data[1024]);

    match old_home {
        Some(v) => std::env::set_var("KERAS_HOME", v),
        None => std::env::remove_var("KERAS_HOME"),
    }
    if let Some(p) = old_path {
        std::env::set_var("PATH", p);
    }
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn pad_and_vectorize_sequences() {
    let seqs = vec![vec![1i64, 2, 3], vec![4]];
    assert_eq!(
        utils::pad_sequences(&seqs, 0).unwrap(),
        array![[1, 2, 3], [0, 0, 4]]
    );
    let e = utils::pad_sequences_with(&seqs, utils::PadSequences::maxlen(2).padding("middle"));
    assert!(e.unwrap_err().to_string().contains("\"middle\""));
    let big = vec![vec![1i64 << 40]];
    assert!(utils::pad_sequences(&big, 1).is_err());
    let x = utils::vectorize_sequences(&[vec![2usize, 2], vec![]], 3).unwrap();
    assert_eq!(x, array![[0.0f32, 0.0, 1.0], [0.0, 0.0, 0.0]]);
    let e = utils::vectorize_sequences(&[vec![-1i64]], 3)
        .unwrap_err()
        .to_string();
    assert!(e.contains("-1") && e.contains("num_words=3"), "{e}");
}

#[test]
fn md5_checksums_are_accepted_as_keras_get_file_does() {
    use kerust::datasets::download::fetch_verified;
    let dir = temp("md5");
    let dest = dir.join("imdb_word_index.json");
    // MD5 of "abc"
    assert_eq!(
        fetch_verified(&b"abc"[..], "900150983cd24fb0d6963f7d28e17f72", &dest).unwrap(),
        3
    );
    assert_eq!(std::fs::read(&dest).unwrap(), b"abc");
    std::fs::remove_file(&dest).unwrap();
    let e = fetch_verified(&b"abd"[..], "900150983cd24fb0d6963f7d28e17f72", &dest).unwrap_err();
    assert!(
        e.to_string()
            .contains("expected MD5 900150983cd24fb0d6963f7d28e17f72"),
        "{e}"
    );
    assert!(!dest.exists());
    assert!(fetch_verified(&b"abc"[..], "9001509", &dest).is_err());
}
