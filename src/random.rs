//! The session's random generator: `utils::set_random_seed(n)` makes
//! weight initialization, shuffling and dropout repeatable.

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use std::sync::Mutex;

/// The generator kerust draws from.
pub type Rng = Xoshiro256PlusPlus;

static GLOBAL: Mutex<Option<Rng>> = Mutex::new(None);

/// Seeds every random draw kerust makes from now on (weights, shuffling,
/// dropout), as `keras.utils.set_random_seed`.
///
/// ```
/// use kerust::prelude::*;
/// utils::set_random_seed(42);
/// let mut a = Sequential::new();
/// a.add(Dense::new(3).input_shape([2])).unwrap();
/// utils::set_random_seed(42);
/// let mut b = Sequential::new();
/// b.add(Dense::new(3).input_shape([2])).unwrap();
/// assert_eq!(a.get_weights(), b.get_weights());
/// ```
pub fn set_random_seed(seed: u64) {
    let mut g = GLOBAL.lock().unwrap_or_else(|e| e.into_inner());
    *g = Some(Rng::seed_from_u64(seed));
}

/// A new generator split off the session's one.
pub(crate) fn fork() -> Rng {
    let mut g = GLOBAL.lock().unwrap_or_else(|e| e.into_inner());
    let rng = g.get_or_insert_with(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        Rng::seed_from_u64(nanos ^ u64::from(std::process::id()))
    });
    let child = rng.clone();
    rng.jump();
    child
}
