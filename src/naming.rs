//! Layer and model names counted per session, as Keras 2 does: `dense_1`,
//! `dense_2`, `sequential_1`. The counts span every notebook cell of a
//! kernel session (see `session`).

/// The next number for `prefix`, counted per session from 1.
pub(crate) fn next_count(prefix: &str) -> usize {
    crate::session::with(|s| match s.names.iter_mut().find(|(k, _)| k == prefix) {
        Some((_, v)) => {
            *v += 1;
            *v
        }
        None => {
            s.names.push((prefix.to_string(), 1));
            1
        }
    })
}

/// The next name for `prefix`: `unique_name("dense")` is `dense_1`, then `dense_2`.
pub(crate) fn unique_name(prefix: &str) -> String {
    format!("{prefix}_{}", next_count(prefix))
}

/// Forgets every name given so far: the next Dense layer is `dense_1` again.
///
/// ```
/// use kerust::prelude::*;
/// clear_session();
/// let model = Sequential::new();
/// assert_eq!(model.name(), "sequential_1");
/// ```
pub fn clear_session() {
    crate::session::with(|s| s.names.clear());
}
