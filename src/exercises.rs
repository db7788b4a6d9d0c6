//! Checks for the notebooks' exercises: each says what is right, or
//! exactly what differs from the picture.
//!
//! ```
//! use kerust::prelude::*;
//! let mut model = Sequential::new();
//! model.add(Dense::new(10).input_shape([2]).activation("relu"))?;
//! model.add(Dense::new(1))?;
//! assert!(exercises::practice1(&model).passed());
//! # Ok::<(), kerust::Error>(())
//! ```

use crate::activations::ActivationFn;
use crate::display::{emit, html_escape};
use crate::model::Graph;

/// The outcome of an exercise check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    exercise: String,
    problems: Vec<String>,
    praise: String,
}

impl Check {
    /// Whether the model is what the exercise asks for.
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }
    /// What differs from the exercise, one sentence each (empty when passed).
    pub fn problems(&self) -> &[String] {
        &self.problems
    }
    /// Shows the check as a green or red box in a notebook.
    pub fn evcxr_display(&self) {
        let (color, bg) = if self.passed() {
            ("#1a7f37", "#dafbe1")
        } else {
            ("#cf222e", "#ffebe9")
        };
        emit(
            "text/html",
            &format!(
                "<div style=\"border-left:4px solid {color};background:{bg};padding:6px 10px;font-family:sans-serif\">{}</div>",
                html_escape(&self.to_string()).replace('\n', "<br>")
            ),
        );
    }
}

impl std::fmt::Display for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.passed() {
            write!(f, "✓ {}: right! {}", self.exercise, self.praise)
        } else {
            write!(f, "✗ {}: not yet.", self.exercise)?;
            for p in &self.problems {
                write!(f, "\n  - {p}")?;
            }
            Ok(())
        }
    }
}

/// The network a picture shows: inputs, then (units, activation) per Dense layer.
struct Picture {
    inputs: usize,
    layers: &'static [(usize, ActivationFn)],
}

fn ordinal(i: usize, n: usize) -> String {
    if i + 1 == n {
        "the output layer".to_string()
    } else if n == 2 {
        "the hidden layer".to_string()
    } else {
        format!("hidden layer {}", i + 1)
    }
}

fn check(exercise: &str, model: &Graph, picture: &Picture) -> Check {
    let mut problems = Vec::new();
    let n = picture.layers.len();
    let layers = model.layers();
    if let Some(l) = layers.iter().find(|l| l.class_name() != "Dense") {
        problems.push(format!(
            "layer {} is a {}; the picture has only Dense layers",
            l.name(),
            l.class_name()
        ));
    }
    let dense: Vec<_> = layers
        .iter()
        .filter(|l| l.class_name() == "Dense")
        .collect();
    if dense.len() != n {
        problems.push(format!(
            "the picture shows {n} Dense layers ({}); your model has {}",
            (0..n)
                .map(|i| ordinal(i, n))
                .collect::<Vec<_>>()
                .join(" and "),
            dense.len()
        ));
    }
    let inputs = model.input_shape().unwrap_or(&[]);
    if inputs != [picture.inputs] {
        let got = match inputs {
            [] => "no input shape yet".to_string(),
            [d] => format!("{d} inputs"),
            other => format!("inputs of shape {}", crate::shape::keras_shape(other)),
        };
        problems.push(format!(
            "the picture shows {} inputs; your first layer has {got} (use .input_shape([{}]))",
            picture.inputs, picture.inputs
        ));
    }
    for (i, (layer, &(units, act))) in dense.iter().zip(picture.layers).enumerate() {
        let what = ordinal(i, n);
        let got_units = layer.output_shape().last().copied().unwrap_or(0);
        if got_units != units {
            problems.push(format!(
                "{what} has {got_units} unit{}; the picture shows {units}",
                if got_units == 1 { "" } else { "s" }
            ));
        }
        let got_act = layer.output_activation().unwrap_or(ActivationFn::Linear);
        if got_act != act {
            problems.push(if act == ActivationFn::Linear {
                format!(
                    "{what} uses {}; a non-constrained output has no activation (leave out .activation)",
                    got_act.name()
                )
            } else {
                format!(
                    "{what} uses {}; the exercise asks for {} (.activation(\"{}\"))",
                    got_act.name(),
                    act.name(),
                    act.name()
                )
            });
        }
    }
    let params = model.count_params();
    Check {
        exercise: exercise.to_string(),
        problems,
        praise: format!("{params} parameters, as the picture has."),
    }
}

/// Seed 003, Practice 1: 2 inputs, a hidden layer of 10 relu neurons, one
/// non-constrained output.
pub fn practice1(model: &Graph) -> Check {
    const LAYERS: [(usize, ActivationFn); 2] =
        [(10, ActivationFn::Relu), (1, ActivationFn::Linear)];
    check(
        "Practice 1",
        model,
        &Picture {
            inputs: 2,
            layers: &LAYERS,
        },
    )
}

/// Seed 003, Practice 2: 3 inputs, 5 relu neurons, one output.
///
/// ```
/// use kerust::prelude::*;
/// let mut model = Sequential::new();
/// model.add(Dense::new(10).input_shape([3]).activation("relu"))?;
/// model.add(Dense::new(1))?;
/// let check = exercises::practice2(&model);
/// assert!(check.to_string().contains("the hidden layer has 10 units; the picture shows 5"));
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn practice2(model: &Graph) -> Check {
    const LAYERS: [(usize, ActivationFn); 2] = [(5, ActivationFn::Relu), (1, ActivationFn::Linear)];
    check(
        "Practice 2",
        model,
        &Picture {
            inputs: 3,
            layers: &LAYERS,
        },
    )
}

/// Seed 003, Practice 3: 2 inputs, 3 relu neurons, one output.
pub fn practice3(model: &Graph) -> Check {
    const LAYERS: [(usize, ActivationFn); 2] = [(3, ActivationFn::Relu), (1, ActivationFn::Linear)];
    check(
        "Practice 3",
        model,
        &Picture {
            inputs: 2,
            layers: &LAYERS,
        },
    )
}

/// Seed 000: one neuron, y = Ax + b, on 10-dimensional inputs.
pub fn single_neuron(model: &Graph) -> Check {
    const LAYERS: [(usize, ActivationFn); 1] = [(1, ActivationFn::Linear)];
    check(
        "A single neuron",
        model,
        &Picture {
            inputs: 10,
            layers: &LAYERS,
        },
    )
}

/// Seed 000: the 70-parameter network: 10 inputs, 5 relu, 2 relu, 1 output.
pub fn network70(model: &Graph) -> Check {
    const LAYERS: [(usize, ActivationFn); 3] = [
        (5, ActivationFn::Relu),
        (2, ActivationFn::Relu),
        (1, ActivationFn::Linear),
    ];
    check(
        "The network",
        model,
        &Picture {
            inputs: 10,
            layers: &LAYERS,
        },
    )
}

/// The networks the exercises' pictures show, to draw with `plot::network`.
pub mod pictures {
    use crate::layers::Dense;
    use crate::model::Sequential;

    fn build(inputs: usize, layers: &[(usize, &str)]) -> Sequential {
        let mut m = Sequential::new();
        let mut first = true;
        for &(units, act) in layers {
            let mut d = Dense::new(units).activation(act);
            if first {
                d = d.input_shape([inputs]);
                first = false;
            }
            // Fixed, valid layers: adding them cannot fail.
            let _ = m.add(d);
        }
        m
    }
    /// Practice 1's network: 2 inputs, 10 relu, 1 output.
    ///
    /// ```
    /// assert_eq!(kerust::exercises::pictures::practice1().count_params(), 41);
    /// ```
    pub fn practice1() -> Sequential {
        build(2, &[(10, "relu"), (1, "linear")])
    }
    /// Practice 2's network: 3 inputs, 5 relu, 1 output.
    pub fn practice2() -> Sequential {
        build(3, &[(5, "relu"), (1, "linear")])
    }
    /// Practice 3's network: 2 inputs, 3 relu, 1 output.
    pub fn practice3() -> Sequential {
        build(2, &[(3, "relu"), (1, "linear")])
    }
}
