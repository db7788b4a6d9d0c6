//! Models: `Sequential` and the functional `Model` share one [`Graph`].

mod autosave;
mod display;
mod fit;
mod functional;
mod graph;
mod history;
mod save;
mod sequential;
mod summary;

pub use autosave::restore_autosave;
pub use fit::Fit;
pub use functional::Model;
pub use graph::{Graph, LayerRef, ModelKind};
pub use history::History;
pub use save::{load_model, AnyModel};
pub use sequential::Sequential;
pub use summary::explain_params;
pub(crate) use summary::thousands;
