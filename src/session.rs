//! Session-wide state kept in the process environment.
//!
//! evcxr compiles every notebook cell into its own shared library with its
//! own copy of kerust, so a `static` would start afresh in each cell. Layer
//! name counters and the random seed must span the whole kernel session, so
//! they live in environment variables, which every copy shares.

use std::sync::Mutex;

static LOCK: Mutex<()> = Mutex::new(());

/// Reads, changes and writes back a session value in one step.
pub(crate) fn update<T>(key: &str, f: impl FnOnce(Option<String>) -> (Option<String>, T)) -> T {
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let (new, out) = f(std::env::var(key).ok());
    match new {
        Some(v) => std::env::set_var(key, v),
        None => std::env::remove_var(key),
    }
    out
}

/// A number never handed out before in this session (for tensor identities).
pub(crate) fn next_id() -> u64 {
    update("KERUST_SESSION_IDS", |cur| {
        let n = cur.and_then(|c| c.parse::<u64>().ok()).unwrap_or(0) + 1;
        (Some(n.to_string()), n)
    })
}

/// Runs `f`, then puts the session values under `keys` back as they were:
/// what `f` builds uses up no layer name and no random number of the
/// session (the exercises' pictures).
pub(crate) fn restoring<T>(keys: &[&str], f: impl FnOnce() -> T) -> T {
    let saved: Vec<Option<String>> = {
        let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
        keys.iter().map(|k| std::env::var(k).ok()).collect()
    };
    let out = f();
    for (key, value) in keys.iter().zip(saved) {
        update(key, |_| (value, ()));
    }
    out
}
