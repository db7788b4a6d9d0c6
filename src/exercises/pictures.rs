//! The networks the exercises' pictures show, to draw with `plot::network`.
//! Each is named after its exercise ("Practice 1") with layers "hidden" and
//! "output", and building it uses up none of the session's layer names or
//! random numbers: the student's own next model is still `sequential_1`
//! (or whatever comes next), as if the picture had not been drawn.

use crate::layers::Dense;
use crate::model::Sequential;

fn build(title: &str, inputs: usize, layers: &[(usize, &str)]) -> Sequential {
    crate::session::restoring(|| {
        let mut m = Sequential::new();
        m.name = title.to_string();
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
            // Fixed, valid layers: adding them cannot fail.
            let _ = m.add(d);
        }
        m
    })
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
