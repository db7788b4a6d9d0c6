//! Session-wide state, kept in the process environment.
//!
//! evcxr compiles every notebook cell into its own shared library with its
//! own copy of kerust, so a `static` would start afresh in each cell. Layer
//! name counters, the random seed and tensor ids must span the whole kernel
//! session, so they live in one environment variable, which every copy
//! shares: [`Session`] as JSON, read and written only here.

use serde_json::{json, Value};
use std::sync::Mutex;

/// The environment variable that holds the session.
const KEY: &str = "KERUST_SESSION";

static LOCK: Mutex<()> = Mutex::new(());

/// Everything kerust remembers across the cells of a kernel session.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Session {
    /// Names handed out per prefix: `("dense", 3)` after `dense_3`.
    pub names: Vec<(String, usize)>,
    /// The seed and the number of generators forked from it, once set or
    /// first drawn.
    pub seed: Option<(u64, u64)>,
    /// The last tensor id handed out.
    pub ids: u64,
}

impl Session {
    fn to_json(&self) -> String {
        json!({"names": self.names, "seed": self.seed, "ids": self.ids}).to_string()
    }
    /// Reads what [`Session::to_json`] wrote; a value kerust did not write
    /// (someone changed the variable) starts a fresh session.
    fn parse(text: &str) -> Session {
        let v: Value = serde_json::from_str(text).unwrap_or(Value::Null);
        let names = v["names"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| Some((p[0].as_str()?.to_string(), p[1].as_u64()? as usize)))
            .collect();
        let seed = v["seed"]
            .as_array()
            .and_then(|p| Some((p.first()?.as_u64()?, p.get(1)?.as_u64()?)));
        Session {
            names,
            seed,
            ids: v["ids"].as_u64().unwrap_or(0),
        }
    }
}

/// Reads the session, lets `f` change it, and writes it back, in one step.
pub(crate) fn with<T>(f: impl FnOnce(&mut Session) -> T) -> T {
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let mut session = std::env::var(KEY)
        .map(|s| Session::parse(&s))
        .unwrap_or_else(|_| Session::default());
    let out = f(&mut session);
    std::env::set_var(KEY, session.to_json());
    out
}

/// A number never handed out before in this session (for tensor identities).
pub(crate) fn next_id() -> u64 {
    with(|s| {
        s.ids += 1;
        s.ids
    })
}

/// Runs `f`, then puts the session's layer names and random seed back as
/// they were: what `f` builds uses up no layer name and no random number
/// of the session (the exercises' pictures).
pub(crate) fn restoring<T>(f: impl FnOnce() -> T) -> T {
    let saved = with(|s| (s.names.clone(), s.seed));
    let out = f();
    with(|s| (s.names, s.seed) = saved);
    out
}

#[cfg(test)]
mod tests {
    use super::Session;
    #[test]
    fn round_trip() {
        let s = Session {
            names: vec![("dense".into(), 3), ("sequential".into(), 1)],
            seed: Some((42, 7)),
            ids: 5,
        };
        assert_eq!(Session::parse(&s.to_json()), s);
        assert_eq!(Session::parse("dense=3"), Session::default());
    }
}
