//! Layer and model names counted per session, as Keras 2 does: `dense_1`,
//! `dense_2`, `sequential_1`. The counts span every notebook cell of a
//! kernel session (see `session`).

pub(crate) const KEY: &str = "KERUST_SESSION_NAMES";

fn parse(s: &str) -> Vec<(String, usize)> {
    s.split(';')
        .filter_map(|kv| kv.split_once('='))
        .filter_map(|(k, v)| Some((k.to_string(), v.parse().ok()?)))
        .collect()
}

fn render(counts: &[(String, usize)]) -> String {
    counts
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(";")
}

/// The next number for `prefix`, counted per session from 1.
pub(crate) fn next_count(prefix: &str) -> usize {
    crate::session::update(KEY, |cur| {
        let mut counts = parse(cur.as_deref().unwrap_or(""));
        let n = match counts.iter_mut().find(|(k, _)| k == prefix) {
            Some((_, v)) => {
                *v += 1;
                *v
            }
            None => {
                counts.push((prefix.to_string(), 1));
                1
            }
        };
        (Some(render(&counts)), n)
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
    crate::session::update(KEY, |_| (None, ()));
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_round_trip() {
        let c = super::parse("dense=3;sequential=1");
        assert_eq!(super::render(&c), "dense=3;sequential=1");
        assert_eq!(c[0], ("dense".to_string(), 3));
    }
}
