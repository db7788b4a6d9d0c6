//! Learning-rate schedules against real Keras (tests/fixtures/schedules.json,
//! written by tests/keras/gen_fixtures.py): each schedule is rebuilt from
//! Keras' own `get_config()`, must give Keras' values at every step to
//! 1e-6 relative, and must write back the same config.

use kerust::schedules;
use serde_json::Value;

fn fixture() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schedules.json");
    let text = std::fs::read_to_string(path).expect("tests/fixtures/schedules.json");
    serde_json::from_str(&text).expect("valid JSON")
}

#[test]
fn schedules_match_keras_at_every_step() {
    let doc = fixture();
    let cases = doc["cases"].as_array().expect("cases");
    assert!(cases.len() >= 11);
    for case in cases {
        let schedule = schedules::from_config(case).expect("Keras' config loads");
        assert_eq!(schedule.class_name(), case["class_name"]);
        let steps = case["steps"].as_array().expect("steps");
        let values = case["values"].as_array().expect("values");
        for (step, want) in steps.iter().zip(values) {
            let step = step.as_u64().expect("step") as usize;
            let want = want.as_f64().expect("value") as f32;
            let got = schedule.at(step);
            let tol = 1e-6 * want.abs().max(f32::MIN_POSITIVE);
            assert!(
                (got - want).abs() <= tol,
                "{} {}: step {step}: kerust {got:e}, Keras {want:e}",
                case["class_name"],
                case["config"]
            );
        }
    }
}

#[test]
fn configs_round_trip_to_keras_keys_and_values() {
    let doc = fixture();
    for case in doc["cases"].as_array().expect("cases") {
        let schedule = schedules::from_config(case).expect("loads");
        let ours = schedule.get_config();
        let keras = &case["config"];
        let (ours, keras) = (ours.as_object().unwrap(), keras.as_object().unwrap());
        let mut ok: Vec<_> = ours.keys().collect();
        let mut kk: Vec<_> = keras.keys().collect();
        ok.sort();
        kk.sort();
        assert_eq!(ok, kk, "config keys of {}", case["class_name"]);
        for (k, v) in keras {
            match (v.as_f64(), ours[k].as_f64()) {
                (Some(a), Some(b)) => assert!((a - b).abs() <= 1e-7 * a.abs(), "{k}: {a} vs {b}"),
                _ if v.is_array() => {
                    let a: Vec<f64> = v
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter_map(Value::as_f64)
                        .collect();
                    let b: Vec<f64> = ours[k]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter_map(Value::as_f64)
                        .collect();
                    assert_eq!(a.len(), b.len(), "{k}");
                    for (a, b) in a.iter().zip(&b) {
                        assert!((a - b).abs() <= 1e-7 * a.abs(), "{k}: {a} vs {b}");
                    }
                }
                _ => assert_eq!(&ours[k], v, "{k} of {}", case["class_name"]),
            }
        }
    }
}

#[test]
fn bad_schedules_are_refused_with_the_argument_named() {
    use kerust::schedules::*;
    let err = ExponentialDecay::new(0.1, 0, 0.9).check().unwrap_err();
    assert!(
        err.to_string().contains("decay_steps must be > 0")
            || err.to_string().contains("`decay_steps` must be > 0"),
        "{err}"
    );
    let err = PiecewiseConstantDecay::new(&[10, 20], &[1.0, 0.5])
        .check()
        .unwrap_err();
    assert!(
        err.to_string().contains("1 less than the length of values"),
        "{err}"
    );
    assert!(PiecewiseConstantDecay::new(&[10, 20], &[1.0, 0.5])
        .at(5)
        .is_nan());
    let err = PiecewiseConstantDecay::new(&[20, 10], &[1.0, 0.5, 0.1])
        .check()
        .unwrap_err();
    assert!(err.to_string().contains("strictly increasing"), "{err}");
    let err = schedules::from_config(&serde_json::json!({"class_name": "ExponentialDecay",
        "config": {"initial_learning_rate": 0.1, "decay_rate": 0.5}}))
    .unwrap_err();
    assert!(err.to_string().contains("'decay_steps'"), "{err}");
    let err =
        schedules::from_config(&serde_json::json!({"class_name": "PolynomialDecay", "config": {}}))
            .unwrap_err();
    assert!(err.to_string().contains("CosineDecay"), "{err}");
    assert!(LearningRate::from(-0.1).check().is_err());
}
