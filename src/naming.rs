//! Layer and model names counted per session, as Keras 2 does: `dense_1`,
//! `dense_2`, `sequential_1`.

use std::collections::HashMap;
use std::sync::Mutex;

static COUNTS: Mutex<Option<HashMap<String, usize>>> = Mutex::new(None);

/// The next name for `prefix`: `unique_name("dense")` is `dense_1`, then `dense_2`.
pub(crate) fn unique_name(prefix: &str) -> String {
    let mut guard = COUNTS.lock().unwrap_or_else(|e| e.into_inner());
    let counts = guard.get_or_insert_with(HashMap::new);
    let n = counts.entry(prefix.to_string()).or_insert(0);
    *n += 1;
    format!("{prefix}_{n}")
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
    let mut guard = COUNTS.lock().unwrap_or_else(|e| e.into_inner());
    *guard = None;
}
