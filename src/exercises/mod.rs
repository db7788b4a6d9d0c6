//! Checks for the notebooks' exercises: each says what is right, or
//! exactly what differs from what the exercise asks, in the lesson's terms.
//!
//! Models are checked by what they compute: a `Dense` layer with an
//! activation and a `Dense` followed by an `Activation` are both right.
//! Parameter counts are checked as numbers, and a miscount is explained.
//!
//! ```
//! use kerust::prelude::*;
//! let mut model = Sequential::new();
//! model.add(Dense::new(10).input_shape([2]).activation("relu"))?;
//! model.add(Dense::new(1))?;
//! assert!(exercises::practice1(&model).passed());
//! assert!(exercises::practice1::count(41).passed());
//! # Ok::<(), kerust::Error>(())
//! ```

mod architecture;
mod convnet;
mod counting;
mod fashion;
pub mod pictures;
mod scaling;

use crate::activations::ActivationFn::{Linear, Relu, Softmax};
use crate::display::{emit, html_escape};
use crate::model::Graph;
use crate::tensor::AsTensor;
use architecture::{Step, Want};
pub use convnet::pooled_shape;
use counting::Net;
pub use fashion::{hardest_class, scaled_pixels};

/// The outcome of an exercise check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    exercise: String,
    problems: Vec<String>,
    praise: String,
}

impl Check {
    pub(crate) fn new(exercise: &str, problems: Vec<String>, praise: String) -> Check {
        Check {
            exercise: exercise.to_string(),
            problems,
            praise,
        }
    }
    /// Whether the answer is what the exercise asks for.
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

const PRACTICE1: Want = Want {
    exercise: "Practice 1",
    source: "the picture",
    input: &[2],
    steps: &[Step::Dense(10, Relu), Step::Dense(1, Linear)],
};
const PRACTICE2: Want = Want {
    exercise: "Practice 2",
    source: "the picture",
    input: &[3],
    steps: &[Step::Dense(5, Relu), Step::Dense(1, Linear)],
};
const PRACTICE3: Want = Want {
    exercise: "Practice 3",
    source: "the picture",
    input: &[2],
    steps: &[Step::Dense(3, Relu), Step::Dense(1, Linear)],
};

/// Lesson 4, Practice 1: 2 inputs, a hidden layer of 10 relu neurons, one
/// non-constrained output. [`practice1::count`] checks its parameter count.
pub fn practice1(model: &Graph) -> Check {
    architecture::check(model, &PRACTICE1)
}

/// Lesson 4, Practice 2: 3 inputs, 5 relu neurons, one output.
///
/// ```
/// use kerust::prelude::*;
/// let mut model = Sequential::new();
/// model.add(Dense::new(10).input_shape([3]).activation("relu"))?;
/// model.add(Dense::new(1))?;
/// let check = exercises::practice2(&model);
/// assert!(check.to_string().contains("the hidden layer has 10 units; the picture has 5"));
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn practice2(model: &Graph) -> Check {
    architecture::check(model, &PRACTICE2)
}

/// Lesson 4, Practice 3: 2 inputs, 3 relu neurons, one output.
pub fn practice3(model: &Graph) -> Check {
    architecture::check(model, &PRACTICE3)
}

/// A module `$module` (with the doc given) whose `count(n)` checks `n` as
/// the parameter count of the dense network `$net`.
macro_rules! count_exercise {
    ($(#[$doc:meta])* $module:ident { $(#[$count_doc:meta])* count: $net:expr }) => {
        $(#[$doc])*
        pub mod $module {
            $(#[$count_doc])*
            pub fn count<N: TryInto<i64>>(n: N) -> super::Check {
                super::counting::check_number(&$net, n.try_into().ok())
            }
        }
    };
}

count_exercise! {
    /// Parameter counts of Practice 1's network, worked out on paper.
    practice1 {
        /// Checks `n` as the number of parameters of Practice 1's network (41).
        ///
        /// ```
        /// use kerust::prelude::*;
        /// assert!(exercises::practice1::count(41).passed());
        /// ```
        count: super::Net { exercise: "Practice 1 (count)", inputs: 2, units: &[10, 1] }
    }
}

count_exercise! {
    /// Parameter counts of Practice 2's network, worked out on paper.
    practice2 {
        /// Checks `n` as the number of parameters of Practice 2's network (26).
        ///
        /// ```
        /// use kerust::prelude::*;
        /// let check = exercises::practice2::count(20);
        /// assert!(check.to_string().contains("not the 6 biases"));
        /// ```
        count: super::Net { exercise: "Practice 2 (count)", inputs: 3, units: &[5, 1] }
    }
}

count_exercise! {
    /// Parameter counts of Practice 3's network, worked out on paper.
    practice3 {
        /// Checks `n` as the number of parameters of Practice 3's network (13).
        ///
        /// ```
        /// use kerust::prelude::*;
        /// assert!(!exercises::practice3::count(9).passed());
        /// ```
        count: super::Net { exercise: "Practice 3 (count)", inputs: 2, units: &[3, 1] }
    }
}

/// Lesson 1: one neuron, y = Ax + b, on 10-dimensional inputs.
pub fn single_neuron(model: &Graph) -> Check {
    const WANT: Want = Want {
        exercise: "A single neuron",
        source: "the exercise",
        input: &[10],
        steps: &[Step::Dense(1, Linear)],
    };
    architecture::check(model, &WANT)
}

/// Lesson 1: the 70-parameter network: 10 inputs, 5 relu, 2 relu, 1 output.
pub fn network70(model: &Graph) -> Check {
    const WANT: Want = Want {
        exercise: "The network",
        source: "the picture",
        input: &[10],
        steps: &[
            Step::Dense(5, Relu),
            Step::Dense(2, Relu),
            Step::Dense(1, Linear),
        ],
    };
    architecture::check(model, &WANT)
}

/// Lesson 2: the parameter count of the anatomy network with a hidden
/// layer of 64 neurons instead of 32 (784 inputs, 64 relu, 10 softmax).
///
/// ```
/// use kerust::prelude::*;
/// assert!(exercises::wider_count(50890).passed());
/// assert!(exercises::wider_count(50816).to_string().contains("but not the 74 biases"));
/// ```
pub fn wider_count<N: TryInto<i64>>(n: N) -> Check {
    wider_count_impl(n.try_into().ok())
}

fn wider_count_impl(n: Option<i64>) -> Check {
    counting::check_number(
        &Net {
            exercise: "64 hidden neurons",
            inputs: 784,
            units: &[64, 10],
        },
        n,
    )
}

/// Lesson 3: a smaller digit classifier: Flatten the 28x28 images, one
/// hidden layer of 64 relu neurons, 10 softmax outputs.
///
/// ```
/// use kerust::prelude::*;
/// let mut model = Sequential::new();
/// model.add(Flatten::new().input_shape([28, 28]))?;
/// model.add(Dense::new(64).activation("relu"))?;
/// model.add(Dense::new(10).activation("softmax"))?;
/// assert!(exercises::small_mnist(&model).passed());
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn small_mnist(model: &Graph) -> Check {
    const WANT: Want = Want {
        exercise: "A smaller digit network",
        source: "the exercise",
        input: &[28, 28],
        steps: &[
            Step::Flatten,
            Step::Dense(64, Relu),
            Step::Dense(10, Softmax),
        ],
    };
    architecture::check(model, &WANT)
}

/// Lesson 5: the test set scaled by hand with the training set's minimum
/// and range. `train_x` and `test_x` are the unscaled (points, features)
/// arrays; `answer` is yours.
///
/// ```
/// use kerust::prelude::*;
/// let train_x = array![[0.0f32, 10.0], [2.0, 20.0]];
/// let test_x = array![[1.0f32, 15.0]];
/// assert!(exercises::scaled_test_set(&train_x, &test_x, &array![[0.5f32, 0.5]]).passed());
/// assert!(!exercises::scaled_test_set(&train_x, &test_x, &array![[0.5f32, 0.75]]).passed());
/// ```
pub fn scaled_test_set<A: AsTensor + ?Sized, B: AsTensor + ?Sized, C: AsTensor + ?Sized>(
    train_x: &A,
    test_x: &B,
    answer: &C,
) -> Check {
    scaled_test_set_impl(
        train_x.to_tensor().view(),
        test_x.to_tensor().view(),
        answer.to_tensor().view(),
    )
}

fn scaled_test_set_impl(
    train: ndarray::ArrayViewD<'_, f32>,
    test: ndarray::ArrayViewD<'_, f32>,
    answer: ndarray::ArrayViewD<'_, f32>,
) -> Check {
    let fail = |p: &str| Check::new("Scaling the test set", vec![p.to_string()], String::new());
    let (Ok(train), Ok(test)) = (
        train.into_dimensionality::<ndarray::Ix2>(),
        test.into_dimensionality::<ndarray::Ix2>(),
    ) else {
        return fail(
            "pass train_x and test_x as they came from train_test_split: (points, features) arrays",
        );
    };
    scaling::check(train, test, answer)
}

/// Lesson 7: the parameter count of the convnet's second `Conv2D`: 32
/// filters of 3 x 3 on the 16 channels that the first convolution and
/// pooling make (a 13 x 13 x 16 input, an 11 x 11 x 32 output).
///
/// ```
/// use kerust::prelude::*;
/// assert!(exercises::conv_params(4640).passed());
/// assert!(exercises::conv_params(4608).to_string().contains("not the 32 biases"));
/// assert!(exercises::conv_params(320).to_string().contains("left out the input channels"));
/// ```
pub fn conv_params<N: TryInto<i64>>(n: N) -> Check {
    conv_params_impl(n.try_into().ok())
}

fn conv_params_impl(n: Option<i64>) -> Check {
    convnet::check_conv_count(
        &convnet::Conv {
            exercise: "The second Conv2D",
            k: 3,
            channels: 16,
            filters: 32,
            input_hw: 13,
            output_hw: 11,
        },
        n,
    )
}
