//! What every optimizer writes the same way from its list of
//! hyper-parameters: the struct, `new`, the builders, `from_config` and
//! the saved config.

use super::Config;
use crate::error::Result;

/// Declares an optimizer type: `learning_rate`, the hyper-parameters given
/// (`name: type = Keras' default`, each with its builder's doc) and the
/// `state`; `new(learning_rate)` with the defaults, a builder per
/// hyper-parameter, `from_config`, and `NAME`/`hyperparameters` for
/// [`learning_rate_and_state!`](super::learning_rate_and_state). `$rate`
/// completes `new`'s doc with Keras' default rate.
macro_rules! optimizer_type {
    (
        $(#[$doc:meta])*
        $name:ident ($rate:literal) {
            $($(#[$pdoc:meta])* $param:ident: $ty:ty = $default:expr,)*
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name {
            learning_rate: $crate::schedules::LearningRate,
            $($param: $ty,)*
            state: super::State,
        }

        impl $name {
            /// Keras' class name.
            const NAME: &'static str = stringify!($name);
            #[doc = concat!(
                stringify!($name),
                " with `learning_rate`, a number or a schedule \
                 (`schedules::ExponentialDecay`, ...) stepped per batch (",
                $rate,
                ")."
            )]
            pub fn new(learning_rate: impl Into<$crate::schedules::LearningRate>) -> Self {
                Self::with_rate(learning_rate.into())
            }
            fn with_rate(learning_rate: $crate::schedules::LearningRate) -> Self {
                $name {
                    learning_rate,
                    $($param: $default,)*
                    state: super::State::default(),
                }
            }
            $crate::builder::setters! { $($(#[$pdoc])* $param($ty);)* }
            /// Rebuilds it from its saved config.
            pub(crate) fn from_config(c: &super::Config) -> $crate::Result<Self> {
                Ok(Self::with_rate(c.learning_rate()?)$(.$param(c.get(stringify!($param))?))*)
            }
            /// The hyper-parameters under Keras' names, as saved.
            fn hyperparameters(&self) -> serde_json::Value {
                let mut config = serde_json::Map::new();
                config.insert("learning_rate".into(), self.learning_rate.to_json());
                $(config.insert(stringify!($param).into(), serde_json::json!(self.$param));)*
                serde_json::Value::Object(config)
            }
        }
    };
}
pub(crate) use optimizer_type;

/// A hyper-parameter's type, read from a saved config.
pub(crate) trait ConfigValue: Sized {
    fn read(c: &Config, key: &str) -> Result<Self>;
}
impl ConfigValue for f32 {
    fn read(c: &Config, key: &str) -> Result<Self> {
        c.f32(key)
    }
}
impl ConfigValue for bool {
    fn read(c: &Config, key: &str) -> Result<Self> {
        c.flag(key)
    }
}
