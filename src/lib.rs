//! # kerust: Keras for Rust notebooks
//!
//! Build, summarize and train neural networks with the lines a Keras
//! tutorial shows, in an evcxr Jupyter notebook or a plain Rust program.
//!
//! ```
//! use kerust::prelude::*;
//! let mut model = Sequential::new();
//! model.add(Dense::new(10).input_shape([2]).activation("relu"))?;
//! model.add(Dense::new(1))?;
//! model.compile("adam", "mse", NO_METRICS)?;
//! let x = array![[0.0f32, 1.0], [1.0, 0.0]];
//! let y = array![[1.0f32], [0.0]];
//! let history = model.fit(&x, &y, Fit::epochs(3).verbose(0))?;
//! assert_eq!(history["loss"].len(), 3);
//! # Ok::<(), kerust::Error>(())
//! ```

pub mod activations;
mod builder;
pub mod callbacks;
pub mod datasets;
pub mod display;
pub mod error;
pub mod exercises;
mod fpu;
pub mod initializers;
mod interrupt;
mod kernels;
pub mod layers;
pub mod losses;
pub mod metrics;
pub mod model;
pub mod naming;
pub mod optimizers;
mod parallel;
pub mod plot;
pub mod random;
mod registry;
pub mod regularizers;
pub mod schedules;
mod sequences;
mod session;
pub mod shape;
pub mod tensor;
#[cfg(test)]
mod testing;
pub mod utils;

pub use error::{Error, ErrorKind, Result};
pub use ndarray;

/// The kerust version, as `keras.__version__`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// An empty metric list for `compile`: `model.compile("adam", "mse", NO_METRICS)`.
pub const NO_METRICS: [&str; 0] = [];

/// Everything a notebook needs: `use kerust::prelude::*;`.
pub mod prelude {
    pub use crate::activations::{
        elu, gelu, leaky_relu, linear, relu, selu, sigmoid, softmax, softplus, softsign, swish,
        tanh, ActivationFn,
    };
    pub use crate::callbacks::{self, Callback};
    pub use crate::datasets;
    pub use crate::exercises;
    pub use crate::layers::{
        Activation, AveragePooling2D, BatchNormalization, Call, Conv2D, Dense, Dropout, Embedding,
        Flatten, GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalMaxPooling2D, Input,
        KerasTensor, Layer, MaxPooling2D, Normalization, Reshape, Size2, Softmax,
    };
    pub use crate::losses::{self, Loss};
    pub use crate::model::{
        load_model, restore_autosave, Evaluate, Fit, History, Model, Scores, Sequential,
    };
    pub use crate::naming::clear_session;
    pub use crate::optimizers::{Adagrad, Adam, Optimizer, RMSprop, SGD};
    pub use crate::plot;
    pub use crate::plot::imshow;
    pub use crate::regularizers;
    pub use crate::schedules::{self, LearningRateSchedule};
    pub use crate::utils;
    pub use crate::{Error, NO_METRICS};
    pub use ndarray::{array, s, Array, Array1, Array2, Array3, Array4, ArrayD, Axis};
}
