//! Models: `Sequential` and the functional `Model` share one [`Graph`].

//!
//! Structure and compile in `graph`; checks of `x` and `y` and batches in
//! `data_adapter`; a training step, `train_on_batch` and `fit`'s loop in
//! `train` (calling the `crate::callbacks` hooks; the loop's side of them
//! in `callbacks`); weights files in `weights_file`; `predict` and `evaluate` in
//! `evaluate`; running sums and progress lines in `logs`.

/// What `Sequential` and `Model` both are: a [`Graph`] behind `Deref`,
/// made from one by `from_graph` and back by `into_graph`.
macro_rules! graph_model {
    ($model:ident) => {
        impl $model {
            pub(crate) fn from_graph(graph: Graph) -> Self {
                $model { graph }
            }
            pub(crate) fn into_graph(self) -> Graph {
                self.graph
            }
        }
        impl std::ops::Deref for $model {
            type Target = Graph;
            fn deref(&self) -> &Graph {
                &self.graph
            }
        }
        impl std::ops::DerefMut for $model {
            fn deref_mut(&mut self) -> &mut Graph {
                &mut self.graph
            }
        }
    };
}

mod as_layer;
mod autosave;
mod callbacks;
mod data_adapter;
mod deferred;
mod display;
mod evaluate;
mod fit;
mod functional;
mod graph;
mod history;
mod layer_call;
mod layer_ref;
mod logs;
mod predict;
mod regularization;
mod save;
mod sequential;
mod summary;
mod train;
#[cfg(test)]
mod train_tests;
mod weights_file;

pub use autosave::restore_autosave;
pub use evaluate::{Evaluate, Scores};
pub use fit::Fit;
pub use functional::Model;
pub use graph::{Graph, ModelKind};
pub use history::History;
pub use layer_ref::LayerRef;
pub(crate) use save::{decode_values, encode};
pub use save::{load_model, AnyModel};
pub use sequential::Sequential;
pub use summary::explain_params;
pub(crate) use summary::thousands;
pub use weights_file::WEIGHTS_FORMAT;
