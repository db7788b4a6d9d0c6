//! Name tables: each family (activations, losses, metrics, optimizers)
//! lists its names once, in one table that lookup, `name()`, suggestions
//! and error messages all read. Layers have theirs in `layers!`.

use crate::error::{unknown_name, Result};

/// One name in a family's table.
pub(crate) struct Entry<T: 'static> {
    /// The name as Keras spells it.
    pub name: &'static str,
    /// What it stands for.
    pub value: T,
    /// Whether error messages list it (aliases such as Keras' class names
    /// are accepted but not listed).
    pub listed: bool,
}

/// A listed name.
pub(crate) const fn listed<T>(name: &'static str, value: T) -> Entry<T> {
    Entry {
        name,
        value,
        listed: true,
    }
}

/// An accepted name that error messages do not list.
pub(crate) const fn alias<T>(name: &'static str, value: T) -> Entry<T> {
    Entry {
        name,
        value,
        listed: false,
    }
}

/// The entry named `name`, or an error of kind `UnknownName` that suggests
/// the closest listed name and lists them all; `family` is singular
/// (`"loss"`).
pub(crate) fn lookup<'a, T>(table: &'a [Entry<T>], family: &str, name: &str) -> Result<&'a T> {
    match table.iter().find(|e| e.name == name) {
        Some(e) => Ok(&e.value),
        None => {
            let known: Vec<&str> = table.iter().filter(|e| e.listed).map(|e| e.name).collect();
            Err(unknown_name(family, name, &known))
        }
    }
}

/// The first name of `value` in the table (its canonical name).
pub(crate) fn name_of<T: PartialEq>(table: &[Entry<T>], value: &T) -> Option<&'static str> {
    table.iter().find(|e| e.value == *value).map(|e| e.name)
}
