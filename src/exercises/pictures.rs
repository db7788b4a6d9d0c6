//! The networks the exercises' pictures show, to draw with `plot::network`.
//! Each is named after its exercise ("Practice 1") with layers "hidden" and
//! "output", and building it uses up none of the session's layer names or
//! random numbers: the student's own next model is still `sequential_1`
//! (or whatever comes next), as if the picture had not been drawn.

use crate::layers::Dense;
use crate::model::Sequential;
use crate::Result;

/// The picture. Its layers are fixed and valid (a test builds each
/// picture), but should one be refused, the failure is not skipped: the
/// title names it, so that the drawing says what went wrong.
fn build(title: &str, inputs: usize, layers: &[(usize, &str)]) -> Sequential {
    crate::session::restoring(|| {
        let mut m = Sequential::new();
        m.name = match add_layers(&mut m, inputs, layers) {
            Ok(()) => title.to_string(),
            Err(e) => format!("{title} (not built: {e})"),
        };
        m
    })
}

/// Adds Dense layers `(units, activation)`, named "hidden", "hidden_2",
/// .. and "output", the first taking `inputs` values.
fn add_layers(m: &mut Sequential, inputs: usize, layers: &[(usize, &str)]) -> Result<()> {
    let n = layers.len();
    for (i, &(units, act)) in layers.iter().enumerate() {
        let name = match (i + 1 == n, n) {
            (true, _) => "output".to_string(),
            (false, 2) => "hidden".to_string(),
            (false, _) => format!("hidden_{}", i + 1),
        };
        let mut d = Dense::new(units).activation(act).named(&name);
        if i == 0 {
            d = d.input_shape([inputs]);
        }
        m.add(d)?;
    }
    Ok(())
}

/// Practice 1's network: 2 inputs, 10 relu, 1 output, titled "Practice 1".
///
/// ```
/// use kerust::prelude::*;
/// clear_session();
/// let picture = exercises::pictures::practice1();
/// assert_eq!((picture.name(), picture.count_params()), ("Practice 1", 41));
/// assert_eq!(Sequential::new().name(), "sequential_1"); // no name used up
/// ```
pub fn practice1() -> Sequential {
    build("Practice 1", 2, &[(10, "relu"), (1, "linear")])
}
/// Practice 2's network: 3 inputs, 5 relu, 1 output.
pub fn practice2() -> Sequential {
    build("Practice 2", 3, &[(5, "relu"), (1, "linear")])
}
/// Practice 3's network: 2 inputs, 3 relu, 1 output.
pub fn practice3() -> Sequential {
    build("Practice 3", 2, &[(3, "relu"), (1, "linear")])
}
/// Lesson 1's network: 10 inputs, 5 relu, 2 relu, 1 output.
pub fn network70() -> Sequential {
    build(
        "The network",
        10,
        &[(5, "relu"), (2, "relu"), (1, "linear")],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_picture_builds_all_its_layers() {
        for (m, title, layers) in [
            (practice1(), "Practice 1", 2),
            (practice2(), "Practice 2", 2),
            (practice3(), "Practice 3", 2),
            (network70(), "The network", 3),
        ] {
            assert_eq!((m.name(), m.layers().len()), (title, layers));
        }
    }

    #[test]
    fn a_refused_layer_shows_in_the_title() {
        let m = build("Broken", 2, &[(3, "no_such_activation")]);
        assert!(m.name().starts_with("Broken (not built: "), "{}", m.name());
        assert!(m.name().contains("no_such_activation"), "{}", m.name());
    }
}
