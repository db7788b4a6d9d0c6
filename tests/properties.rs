//! Property tests (issue 7): random layer stacks on random input shapes,
//! save/load round trips, and fuzzing of the model-file reader.

use kerust::model::Graph;
use kerust::prelude::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::path::PathBuf;

// ------------------------------------------------------------- stacks

/// One layer to try to add; some do not fit the shape they meet and must
/// then be refused without changing the model.
#[derive(Debug, Clone)]
enum Spec {
    Dense(usize, &'static str),
    Flatten,
    Dropout(f32),
    Activation(&'static str),
    Conv2D(usize, (usize, usize), (usize, usize), bool),
    MaxPool((usize, usize), (usize, usize), bool),
}

const ACTIVATIONS: [&str; 6] = ["linear", "relu", "sigmoid", "tanh", "softmax", "gelu"];

fn spec() -> impl Strategy<Value = Spec> {
    let act = proptest::sample::select(&ACTIVATIONS[..]);
    let pair = || (1usize..4, 1usize..4);
    prop_oneof![
        3 => (1usize..6, act.clone()).prop_map(|(u, a)| Spec::Dense(u, a)),
        1 => Just(Spec::Flatten),
        1 => (0.0f32..0.9).prop_map(Spec::Dropout),
        1 => act.prop_map(Spec::Activation),
        2 => (1usize..4, pair(), (1usize..3, 1usize..3), any::<bool>())
            .prop_map(|(f, k, s, same)| Spec::Conv2D(f, k, s, same)),
        2 => (pair(), (1usize..3, 1usize..3), any::<bool>())
            .prop_map(|(p, s, same)| Spec::MaxPool(p, s, same)),
    ]
}

fn padding(same: bool) -> &'static str {
    if same {
        "same"
    } else {
        "valid"
    }
}

fn weight_bits(m: &Graph) -> Vec<Vec<u32>> {
    m.get_weights()
        .iter()
        .map(|w| w.iter().map(|v| v.to_bits()).collect())
        .collect()
}

/// Builds a Sequential on `input` from `specs`, skipping the layers that
/// do not fit; a refused layer must leave the model as it was.
fn build(input: &[usize], specs: &[Spec]) -> Result<Sequential, TestCaseError> {
    let mut m = Sequential::new();
    m.add(Input::with_dims(input.to_vec()))
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    for s in specs {
        let before = (
            m.layers().len(),
            weight_bits(&m),
            m.output_shape().map(<[usize]>::to_vec),
        );
        let r = match s.clone() {
            Spec::Dense(u, a) => m.add(Dense::new(u).activation(a)),
            Spec::Flatten => m.add(Flatten::new()),
            Spec::Dropout(r) => m.add(Dropout::new(r)),
            Spec::Activation(a) => m.add(Activation::new(a)),
            Spec::Conv2D(f, k, st, same) => m.add(
                Conv2D::new(f, k)
                    .strides(st)
                    .padding(padding(same))
                    .activation("relu"),
            ),
            Spec::MaxPool(p, st, same) => {
                m.add(MaxPooling2D::new(p).strides(st).padding(padding(same)))
            }
        };
        if let Err(e) = r {
            let after = (
                m.layers().len(),
                weight_bits(&m),
                m.output_shape().map(<[usize]>::to_vec),
            );
            prop_assert_eq!(
                &after,
                &before,
                "refused layer {:?} ({}) changed the model",
                s,
                e
            );
            prop_assert!(!e.to_string().is_empty());
        }
    }
    Ok(m)
}

/// The output shape in the summary's last row, as printed: `(None, 3)`.
fn summary_last_shape(m: &Graph) -> String {
    let text = m.summary_string();
    let lines: Vec<&str> = text.lines().collect();
    let total = lines
        .iter()
        .position(|l| l.starts_with("Total params"))
        .expect("summary has totals");
    // ... last row, then a line of '='.
    let row = lines[total - 2];
    row.chars()
        .skip(29)
        .take(26)
        .collect::<String>()
        .trim()
        .to_string()
}

fn keras(dims: &[usize]) -> String {
    kerust::shape::keras_shape(dims)
}

fn input_shape() -> impl Strategy<Value = Vec<usize>> {
    prop_oneof![
        proptest::collection::vec(1usize..6, 1..=2),
        (2usize..7, 2usize..7, 1usize..3).prop_map(|(h, w, c)| vec![h, w, c]),
    ]
}

fn data(shape: &[usize], seed: u64) -> ArrayD<f32> {
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    ArrayD::from_shape_simple_fn(shape.to_vec(), || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((s >> 40) as f32 / (1u64 << 24) as f32) * 4.0 - 2.0
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    /// predict's output shape is the batch followed by the model's output
    /// shape, which is what the summary's last row prints.
    #[test]
    fn predict_shape_equals_summary_shape(
        input in input_shape(),
        specs in proptest::collection::vec(spec(), 1..6),
        batch in 1usize..5,
        seed in any::<u64>(),
    ) {
        let mut m = build(&input, &specs)?;
        let out = m.output_shape().expect("an input was added").to_vec();
        if !m.layers().is_empty() {
            prop_assert_eq!(summary_last_shape(&m), keras(&out));
        }
        let mut full = vec![batch];
        full.extend_from_slice(&input);
        let y = m.predict(&data(&full, seed)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut expected = vec![batch];
        expected.extend_from_slice(&out);
        prop_assert_eq!(y.shape(), expected.as_slice());
        // A wrong batch-less shape is an error, never a panic; except
        // `(1,)` for an input `(1,)`: n = 1 samples of one feature, as
        // Keras 3's `_adjust_input_rank` reads it.
        if input != [1] {
            prop_assert!(m.predict(&data(&input, seed)).is_err());
        }
    }

    /// save then load_model gives a model whose predictions are the same
    /// bits, and whose weights and summary are the same.
    #[test]
    fn save_load_round_trips_predict_bits(
        input in input_shape(),
        specs in proptest::collection::vec(spec(), 1..5),
        compile in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let mut m = build(&input, &specs)?;
        prop_assume!(!m.layers().is_empty());
        let mut full = vec![3];
        full.extend_from_slice(&input);
        let x = data(&full, seed);
        if compile {
            m.compile(Adam::new(0.01), "mse", NO_METRICS).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let out = m.output_shape().expect("built").to_vec();
            let mut yshape = vec![3];
            yshape.extend_from_slice(&out);
            // One step so that the optimizer state is saved too.
            m.train_on_batch(&x, &data(&yshape, seed ^ 1)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        }
        let path = tmp_dir().join(format!("roundtrip_{seed}.kerust"));
        m.save(&path).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut loaded = load_model(&path).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let _ = std::fs::remove_file(&path);
        prop_assert_eq!(weight_bits(&loaded), weight_bits(&m));
        prop_assert_eq!(loaded.summary_string(), m.summary_string());
        prop_assert_eq!(
            loaded.optimizer().map(|o| o.state().clone()),
            m.optimizer().map(|o| o.state().clone())
        );
        let a = m.predict(&x).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let b = loaded.predict(&x).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(a.shape(), b.shape());
        let bits = |y: &ArrayD<f32>| y.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        prop_assert_eq!(bits(&a), bits(&b));
    }
}

// ------------------------------------------------------------- fuzzing

fn tmp_dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("kerust_props_{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// Valid model files to mutate: a Sequential MLP, a CNN, and a functional
/// model, compiled (with optimizer state) or not.
fn seed_files() -> Vec<Vec<u8>> {
    static SEEDS: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    SEEDS.get_or_init(make_seed_files).clone()
}

fn make_seed_files() -> Vec<Vec<u8>> {
    let dir = tmp_dir();
    let mut out = Vec::new();
    let mut save = |m: &Graph, name: &str| {
        let p = dir.join(name);
        m.save(&p).expect("save");
        out.push(std::fs::read(&p).expect("read"));
        let _ = std::fs::remove_file(&p);
    };
    let mut mlp = Sequential::new();
    mlp.add(Flatten::new().input_shape([2, 3])).unwrap();
    mlp.add(Dense::new(4).activation("relu")).unwrap();
    mlp.add(Dropout::new(0.2)).unwrap();
    mlp.add(Dense::new(2)).unwrap();
    mlp.add(Activation::new("softmax")).unwrap();
    save(&mlp, "mlp.kerust");
    mlp.compile(
        SGD::new(0.1).momentum(0.9),
        "sparse_categorical_crossentropy",
        ["accuracy"],
    )
    .unwrap();
    mlp.train_on_batch(&Array3::<f32>::ones((2, 2, 3)), &array![0u8, 1])
        .unwrap();
    save(&mlp, "mlp_compiled.kerust");
    let mut cnn = Sequential::new();
    cnn.add(
        Conv2D::new(2, (2, 2))
            .input_shape([5, 5, 1])
            .activation("relu"),
    )
    .unwrap();
    cnn.add(MaxPooling2D::new((2, 2))).unwrap();
    cnn.add(Flatten::new()).unwrap();
    cnn.add(Dense::new(1).activation("sigmoid")).unwrap();
    cnn.compile("adam", "binary_crossentropy", ["acc"]).unwrap();
    save(&cnn, "cnn.kerust");
    let input = Input::new([3]);
    let h = Dense::new(2).activation("tanh").call(&input).unwrap();
    let o = Dense::new(1).call(&h).unwrap();
    let f = Model::new(&input, &o).unwrap();
    save(&f, "functional.kerust");
    out
}

/// Loads `bytes` as a model file; a model that loads must also summarize,
/// predict and train without panicking.
fn load_bytes(dir: &std::path::Path, bytes: &[u8]) {
    // A new file per case: rewriting one file in place makes ext4 flush it
    // to disk on every close (its replace-via-truncate heuristic).
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let path = dir.join(format!("case_{}.kerust", N.fetch_add(1, Ordering::Relaxed)));
    std::fs::write(&path, bytes).expect("write");
    let loaded = load_model(&path);
    let _ = std::fs::remove_file(&path);
    let Ok(mut m) = loaded else { return };
    let _ = m.summary_string();
    let _ = m.count_params();
    let Some(shape) = m.input_shape().map(<[usize]>::to_vec) else {
        return;
    };
    let mut full = vec![2];
    full.extend_from_slice(&shape);
    // Only run data through models of a sane size.
    let small = full
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .is_some_and(|n| n <= 4096)
        && m.count_params() <= 100_000;
    if small {
        let x = ArrayD::<f32>::ones(full);
        let _ = m.predict(&x);
        if let Some(out) = m.output_shape().map(<[usize]>::to_vec) {
            let mut y = vec![2];
            y.extend_from_slice(&out);
            if y.iter().product::<usize>() <= 4096 {
                let _ = m.train_on_batch(&x, &ArrayD::<f32>::zeros(y));
                let _ = m.fit(&x, &array![0.0f32, 0.0], Fit::epochs(1).verbose(0));
            }
        }
    }
}

/// A small generator for the edits (proptest draws its seed).
struct Mix(u64);
impl Mix {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn byte(&mut self) -> u8 {
        self.next() as u8
    }
}

/// One random byte-level edit.
fn mutate(bytes: &mut Vec<u8>, rng: &mut Mix) {
    const INTERESTING: [&[u8]; 12] = [
        b"0",
        b"-1",
        b"1e30",
        b"18446744073709551615",
        b"4294967296",
        b"null",
        b"\"",
        b"[]",
        b"{}",
        b",",
        b"NaN",
        b"99",
    ];
    if bytes.is_empty() {
        bytes.push(rng.byte());
        return;
    }
    let i = rng.below(bytes.len());
    match rng.below(6) {
        0 => bytes[i] = rng.byte(),
        1 => bytes[i] ^= 1 << rng.below(8),
        2 => {
            bytes.remove(i);
        }
        3 => bytes.truncate(i),
        4 => {
            let s = INTERESTING[rng.below(INTERESTING.len())];
            let end = (i + rng.below(4)).min(bytes.len());
            bytes.splice(i..end, s.iter().copied());
        }
        _ => {
            // Replace a digit run (a number: a shape, a size, a version).
            if bytes[i].is_ascii_digit() {
                let mut end = i;
                while end < bytes.len() && bytes[end].is_ascii_digit() {
                    end += 1;
                }
                let s = INTERESTING[rng.below(5)];
                bytes.splice(i..end, s.iter().copied());
            } else {
                bytes.insert(i, rng.byte());
            }
        }
    }
}

#[test]
fn fuzz_model_reader_random_bytes() {
    let path = tmp_dir();
    let mut runner = TestRunner::new(Config {
        cases: 10_000,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&proptest::collection::vec(any::<u8>(), 0..256), |bytes| {
            load_bytes(&path, &bytes);
            // Random bytes behind a valid-looking JSON prefix too.
            let mut prefixed = br#"{"format":"kerust-model","version":1,"#.to_vec();
            prefixed.extend_from_slice(&bytes);
            load_bytes(&path, &prefixed);
            Ok(())
        })
        .unwrap();
}

#[test]
fn fuzz_model_reader_mutated_files() {
    let seeds = seed_files();
    let path = tmp_dir();
    let mut runner = TestRunner::new(Config {
        cases: 10_000,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(
            &(0..seeds.len(), 1usize..8, any::<u64>()),
            |(which, edits, seed)| {
                let mut bytes = seeds[which].clone();
                let mut rng = Mix(seed);
                for _ in 0..edits {
                    mutate(&mut bytes, &mut rng);
                }
                load_bytes(&path, &bytes);
                Ok(())
            },
        )
        .unwrap();
}

/// Structural mutations: a valid file with one JSON value replaced by a
/// hostile one (huge or negative sizes, wrong types, missing keys).
#[test]
fn fuzz_model_reader_mutated_json_values() {
    let seeds: Vec<serde_json::Value> = seed_files()
        .iter()
        .map(|b| serde_json::from_slice(b).expect("valid json"))
        .collect();
    let path = tmp_dir();
    let hostile = [
        serde_json::json!(0),
        serde_json::json!(-1),
        serde_json::json!(1u64 << 40),
        serde_json::json!(u64::MAX),
        serde_json::json!(1.5),
        serde_json::json!(1e300),
        serde_json::json!(null),
        serde_json::json!("relu"),
        serde_json::json!("same"),
        serde_json::json!([]),
        serde_json::json!([1u64 << 33, 1u64 << 33]),
        serde_json::json!([0, 0]),
        serde_json::json!({}),
        serde_json::json!(true),
    ];
    let mut runner = TestRunner::new(Config {
        cases: 4_000,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(
            &(
                0..seeds.len(),
                any::<u64>(),
                0..hostile.len(),
                any::<bool>(),
            ),
            |(which, pick, h, remove)| {
                let mut doc = seeds[which].clone();
                // Collect the paths of every value, then replace or remove one.
                let mut paths = Vec::new();
                collect_paths(&doc, &mut Vec::new(), &mut paths);
                let target = &paths[(pick % paths.len() as u64) as usize];
                replace_at(&mut doc, target, hostile[h].clone(), remove);
                load_bytes(&path, &serde_json::to_vec(&doc).expect("json"));
                Ok(())
            },
        )
        .unwrap();
}

#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

fn collect_paths(v: &serde_json::Value, at: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(at.clone());
    match v {
        serde_json::Value::Object(map) => {
            for (k, c) in map {
                at.push(Step::Key(k.clone()));
                collect_paths(c, at, out);
                at.pop();
            }
        }
        serde_json::Value::Array(items) => {
            for (i, c) in items.iter().enumerate() {
                at.push(Step::Index(i));
                collect_paths(c, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

fn replace_at(doc: &mut serde_json::Value, path: &[Step], with: serde_json::Value, remove: bool) {
    let Some((last, parents)) = path.split_last() else {
        *doc = with;
        return;
    };
    let mut v = doc;
    for s in parents {
        v = match s {
            Step::Key(k) => &mut v[k.as_str()],
            Step::Index(i) => &mut v[*i],
        };
    }
    match (last, v) {
        (Step::Key(k), serde_json::Value::Object(map)) if remove => {
            map.remove(k);
        }
        (Step::Index(i), serde_json::Value::Array(items)) if remove => {
            items.remove(*i);
        }
        (Step::Key(k), v) => v[k.as_str()] = with,
        (Step::Index(i), v) => v[*i] = with,
    }
}
