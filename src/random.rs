//! The session's random numbers: `utils::set_random_seed(n)` makes weight
//! initialization, shuffling and dropout repeatable, across notebook cells.

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator kerust draws from.
pub type Rng = Xoshiro256PlusPlus;

/// The seed and the number of generators handed out so far, as
/// `"seed:count"`, in the session (see `session`).
pub(crate) const KEY: &str = "KERUST_SESSION_SEED";

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
    crate::session::update(KEY, |_| (Some(format!("{seed}:0")), ()));
}

/// SplitMix64's finalizer: spreads `(seed, count)` into unrelated seeds.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A new generator, the next one of the session's sequence.
pub(crate) fn fork() -> Rng {
    crate::session::update(KEY, |cur| {
        let parsed = cur
            .as_deref()
            .and_then(|s| s.split_once(':'))
            .and_then(|(s, c)| Some((s.parse::<u64>().ok()?, c.parse::<u64>().ok()?)));
        let (seed, count) = parsed.unwrap_or_else(|| {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0);
            (nanos ^ u64::from(std::process::id()), 0)
        });
        let rng = Rng::seed_from_u64(mix(seed ^ mix(count.wrapping_add(1))));
        (Some(format!("{seed}:{}", count.wrapping_add(1))), rng)
    })
}
