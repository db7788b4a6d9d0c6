//! Shapes printed the Keras way.

/// Formats a per-sample shape with the batch axis as `None`: `[28, 28]` is
/// `(None, 28, 28)`.
///
/// ```
/// assert_eq!(kerust::shape::keras_shape(&[10]), "(None, 10)");
/// ```
pub fn keras_shape(dims: &[usize]) -> String {
    let mut s = String::from("(None");
    for d in dims {
        s.push_str(&format!(", {d}"));
    }
    s.push(')');
    s
}

/// Formats a full array shape: `[32, 10]` is `(32, 10)`, `[5]` is `(5,)`.
///
/// ```
/// assert_eq!(kerust::shape::array_shape(&[5]), "(5,)");
/// ```
pub fn array_shape(dims: &[usize]) -> String {
    match dims {
        [d] => format!("({d},)"),
        _ => format!(
            "({})",
            dims.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Number of elements of a shape, or `None` on overflow.
pub(crate) fn checked_size(dims: &[usize]) -> Option<usize> {
    dims.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d))
}
