//! Each exercise check on a right answer and on wrong ones.

use kerust::prelude::*;

fn model(inputs: usize, layers: &[(usize, &str)]) -> Sequential {
    let mut m = Sequential::new();
    m.add(Input::with_dims(vec![inputs])).unwrap();
    for &(units, act) in layers {
        m.add(Dense::new(units).activation(act)).unwrap();
    }
    m
}

fn problems(c: &exercises::Check) -> String {
    assert!(!c.passed(), "expected a failed check, got: {c}");
    c.to_string()
}

#[test]
fn practice1_right_and_wrong() {
    let right = exercises::practice1(&model(2, &[(10, "relu"), (1, "linear")]));
    assert!(right.passed(), "{right}");
    assert!(right.to_string().contains("41 parameters"), "{right}");
    let p = problems(&exercises::practice1(&model(
        2,
        &[(5, "relu"), (1, "linear")],
    )));
    assert!(
        p.contains("the hidden layer has 5 units; the picture shows 10"),
        "{p}"
    );
    let p = problems(&exercises::practice1(&model(
        3,
        &[(10, "relu"), (1, "linear")],
    )));
    assert!(
        p.contains("the picture shows 2 inputs; your first layer has 3 inputs"),
        "{p}"
    );
    let p = problems(&exercises::practice1(&model(
        2,
        &[(10, "relu"), (1, "sigmoid")],
    )));
    assert!(
        p.contains("the output layer uses sigmoid; a non-constrained output has no activation"),
        "{p}"
    );
}

#[test]
fn practice2_right_and_wrong() {
    assert!(exercises::practice2(&model(3, &[(5, "relu"), (1, "linear")])).passed());
    let p = problems(&exercises::practice2(&model(
        3,
        &[(5, "linear"), (1, "linear")],
    )));
    assert!(
        p.contains("the hidden layer uses linear; the exercise asks for relu"),
        "{p}"
    );
    let p = problems(&exercises::practice2(&model(
        3,
        &[(5, "relu"), (4, "relu"), (1, "linear")],
    )));
    assert!(p.contains("the picture shows 2 Dense layers"), "{p}");
    assert!(p.contains("your model has 3"), "{p}");
}

#[test]
fn practice3_right_and_wrong() {
    assert!(exercises::practice3(&model(2, &[(3, "relu"), (1, "linear")])).passed());
    let p = problems(&exercises::practice3(&model(
        2,
        &[(3, "relu"), (2, "linear")],
    )));
    assert!(
        p.contains("the output layer has 2 units; the picture shows 1"),
        "{p}"
    );
    let mut with_dropout = model(2, &[(3, "relu")]);
    with_dropout.add(Dropout::new(0.5)).unwrap();
    with_dropout.add(Dense::new(1)).unwrap();
    let p = problems(&exercises::practice3(&with_dropout));
    assert!(
        p.contains("is a Dropout; the picture has only Dense layers"),
        "{p}"
    );
}

#[test]
fn seed000_checks() {
    assert!(exercises::single_neuron(&model(10, &[(1, "linear")])).passed());
    assert!(!exercises::single_neuron(&model(2, &[(1, "linear")])).passed());
    assert!(!exercises::single_neuron(&model(10, &[(2, "linear")])).passed());
    let right = exercises::network70(&model(10, &[(5, "relu"), (2, "relu"), (1, "linear")]));
    assert!(
        right.passed() && right.to_string().contains("70 parameters"),
        "{right}"
    );
    let p = problems(&exercises::network70(&model(
        10,
        &[(5, "relu"), (1, "linear")],
    )));
    assert!(p.contains("the picture shows 3 Dense layers"), "{p}");
    let p = problems(&exercises::network70(&model(
        10,
        &[(5, "relu"), (3, "relu"), (1, "linear")],
    )));
    assert!(
        p.contains("hidden layer 2 has 3 units; the picture shows 2"),
        "{p}"
    );
}
