//! The `setters!` macro: builder methods (`pub fn x(mut self, x: T) ->
//! Self`) written once for the many types configured Keras-style.

/// Writes builder methods inside an inherent `impl`, each with the doc
/// comments given: `name(T);` sets the field `name`;
/// `name(T) => place = value;` sets `self.place` to `value` (an expression
/// of the argument `name`).
macro_rules! setters {
    () => {};
    ($(#[$doc:meta])* $name:ident($ty:ty); $($rest:tt)*) => {
        $crate::builder::setters! { $(#[$doc])* $name($ty) => $name = $name; $($rest)* }
    };
    ($(#[$doc:meta])* $name:ident($ty:ty) => $($place:tt).+ = $value:expr; $($rest:tt)*) => {
        $(#[$doc])*
        pub fn $name(mut self, $name: $ty) -> Self {
            self.$($place).+ = $value;
            self
        }
        $crate::builder::setters! { $($rest)* }
    };
}
pub(crate) use setters;
