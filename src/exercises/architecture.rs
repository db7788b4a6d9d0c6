//! Checking a model against the network an exercise asks for: its input
//! shape, then Flatten and Dense layers with their units and activations.
//! A `Dense` followed by an `Activation` counts as one Dense layer with
//! that activation, as in Keras both write the same network.

use super::Check;
use crate::activations::ActivationFn;
use crate::model::Graph;
use crate::shape::keras_shape;

/// One step of the wanted network.
#[derive(Clone, Copy, PartialEq, Debug)]
pub(crate) enum Step {
    Flatten,
    Dense(usize, ActivationFn),
}

/// The network an exercise asks for.
pub(crate) struct Want {
    /// "Practice 1", shown in the check's first line.
    pub exercise: &'static str,
    /// "the picture" or "the exercise": who asks for the network.
    pub source: &'static str,
    pub input: &'static [usize],
    pub steps: &'static [Step],
}

/// "1 unit", "10 units"; "1 bias", "5 biases".
pub(crate) fn plural(n: usize, one: &str) -> String {
    match (n, one) {
        (1, _) => format!("1 {one}"),
        (_, "bias") => format!("{n} biases"),
        _ => format!("{n} {one}s"),
    }
}

/// "the hidden layer", "hidden layer 2", "the output layer".
pub(crate) fn dense_name(i: usize, n: usize) -> String {
    if i + 1 == n {
        "the output layer".to_string()
    } else if n == 2 {
        "the hidden layer".to_string()
    } else {
        format!("hidden layer {}", i + 1)
    }
}

/// The model read as steps; layers that are not a step become problems.
fn steps_of(model: &Graph, want: &Want, problems: &mut Vec<String>) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    for layer in model.layers() {
        match layer.class_name() {
            "Flatten" => steps.push(Step::Flatten),
            "Dense" => {
                let units = layer.output_shape().last().copied().unwrap_or(0);
                let act = layer.output_activation().unwrap_or(ActivationFn::Linear);
                steps.push(Step::Dense(units, act));
            }
            "Activation" => {
                let act = layer.output_activation().unwrap_or(ActivationFn::Linear);
                match steps.last_mut() {
                    Some(Step::Dense(_, prev @ ActivationFn::Linear)) => *prev = act,
                    Some(Step::Dense(_, prev)) => problems.push(format!(
                        "layer {} applies {} right after a Dense layer that already applies {}: \
                         give each Dense layer one activation",
                        layer.name(),
                        act.name(),
                        prev.name()
                    )),
                    _ => problems.push(format!(
                        "layer {} ({}) does not follow a Dense layer; an Activation belongs right after the Dense layer it acts on",
                        layer.name(),
                        act.name()
                    )),
                }
            }
            other => problems.push(format!(
                "layer {} is a {other}; {} has no {other} layer",
                layer.name(),
                want.source
            )),
        }
    }
    steps
}

/// A Dense layer's units and activation.
type Layer = (usize, ActivationFn);

/// Compares `model` with `want`; every difference is one problem.
pub(crate) fn check(model: &Graph, want: &Want) -> Check {
    let mut problems = Vec::new();
    let got = steps_of(model, want, &mut problems);
    let src = want.source;

    // Flatten: wanted first, or not at all.
    let want_flatten = want.steps.first() == Some(&Step::Flatten);
    let got_flatten = got.first() == Some(&Step::Flatten);
    let input = model.input_shape();
    if want_flatten && !got_flatten {
        problems.push(format!(
            "there is no Flatten layer first: a Dense layer takes flat vectors, so start with \
             Flatten::new().input_shape({}) to turn each {} image into {} numbers",
            dims_literal(want.input),
            want.input
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("x"),
            want.input.iter().product::<usize>()
        ));
    } else if !want_flatten && got.contains(&Step::Flatten) {
        problems.push(format!(
            "{src} has no Flatten layer: the inputs are already a flat vector"
        ));
    }

    // The input shape.
    let want_input = want.input;
    match input {
        Some(shape) if shape == want_input => {}
        // A flat input of the right size after a missing Flatten was
        // reported above.
        Some(shape)
            if want_flatten
                && !got_flatten
                && shape.iter().product::<usize>() == want_input.iter().product::<usize>() => {}
        got_shape => {
            let got_text = match got_shape {
                None => "no input shape yet".to_string(),
                Some([d]) => plural(*d, "input"),
                Some(other) => format!("inputs of shape {}", keras_shape(other)),
            };
            let want_text = match want_input {
                [d] => plural(*d, "input"),
                other => format!("inputs of shape {}", keras_shape(other)),
            };
            problems.push(format!(
                "{src} has {want_text}; your first layer has {got_text} (use .input_shape({}))",
                dims_literal(want_input)
            ));
        }
    }

    // The Dense layers.
    let dense_of = |steps: &[Step]| -> Vec<(usize, ActivationFn)> {
        steps
            .iter()
            .filter_map(|s| match s {
                Step::Dense(u, a) => Some((*u, *a)),
                Step::Flatten => None,
            })
            .collect()
    };
    let want_dense = dense_of(want.steps);
    let got_dense = dense_of(&got);
    let n = want_dense.len();
    if got_dense.len() != n {
        problems.push(format!(
            "{src} has {} ({}); your model has {}",
            plural(n, "Dense layer"),
            and_list((0..n).map(|i| dense_name(i, n)).collect()),
            got_dense.len()
        ));
    }
    // Compare from the output backwards when the counts differ, so that
    // "one hidden layer too many" does not also report every later layer.
    let pairs: Vec<(usize, Layer, Layer)> = if got_dense.len() == n {
        (0..n).map(|i| (i, want_dense[i], got_dense[i])).collect()
    } else {
        let k = n.min(got_dense.len());
        (0..k)
            .map(|j| {
                let i = n - 1 - j;
                (i, want_dense[i], got_dense[got_dense.len() - 1 - j])
            })
            .collect()
    };
    for (i, (units, act), (got_units, got_act)) in pairs {
        let what = dense_name(i, n);
        if got_units != units {
            problems.push(format!(
                "{what} has {}; {src} has {units}",
                plural(got_units, "unit")
            ));
        }
        if got_act != act {
            problems.push(if act == ActivationFn::Linear {
                format!(
                    "{what} uses {}; a non-constrained output has no activation (leave out .activation)",
                    got_act.name()
                )
            } else {
                format!(
                    "{what} uses {}; {src} asks for {} (.activation(\"{}\"))",
                    got_act.name(),
                    act.name(),
                    act.name()
                )
            });
        }
    }

    let praise = if problems.is_empty() {
        praise(model)
    } else {
        String::new()
    };
    Check::new(want.exercise, problems, praise)
}

/// "a", "a and b", "a, b and c".
fn and_list(mut items: Vec<String>) -> String {
    match items.len() {
        0 | 1 => items.pop().unwrap_or_default(),
        _ => {
            let last = items.pop().unwrap_or_default();
            format!("{} and {last}", items.join(", "))
        }
    }
}

/// `[2]`, `[28, 28]`: the argument of `.input_shape(..)`.
fn dims_literal(dims: &[usize]) -> String {
    format!(
        "[{}]",
        dims.iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// "41 parameters: 20 weights... ": the count of a right model, explained.
fn praise(model: &Graph) -> String {
    let mut weights = 0;
    let mut biases = 0;
    for layer in model.layers() {
        let w = layer.weights();
        if let Some(k) = w.first() {
            weights += k.len();
        }
        biases += w.iter().skip(1).map(|b| b.len()).sum::<usize>();
    }
    format!(
        "{} in all: {} and {}.",
        plural(weights + biases, "parameter"),
        plural(weights, "weight"),
        plural(biases, "bias")
    )
}
