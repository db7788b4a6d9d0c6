//! Arrays in: any ndarray of `f32`, `f64` or integers (MNIST's `u8`
//! pixels, integer labels) is accepted where Keras accepts a NumPy array.
//!
//! Generic entry points stay one line: a notebook cell compiles every
//! generic function it calls (with the cell's settings), so each public
//! function that takes "any array" converts it here and hands a plain
//! `f32` array to a non-generic function that was compiled, optimized,
//! with kerust. The conversion itself is [`Element::to_f32_array`], one
//! non-generic function per element type.

use ndarray::{ArrayBase, ArrayD, ArrayViewD, CowArray, Data, Dimension, IxDyn};

/// An element type kerust converts to `f32`.
pub trait Element: Copy + 'static {
    /// The value as `f32`.
    fn to_f32(self) -> f32;
    /// A copy of `v` as `f32`.
    fn to_f32_array(v: ArrayViewD<'_, Self>) -> ArrayD<f32>;
    /// The view itself when the elements already are `f32` (no copy).
    fn as_f32_view(_v: ArrayViewD<'_, Self>) -> Option<ArrayViewD<'_, f32>> {
        None
    }
}

impl Element for f32 {
    fn to_f32(self) -> f32 {
        self
    }
    fn to_f32_array(v: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        v.to_owned()
    }
    fn as_f32_view(v: ArrayViewD<'_, f32>) -> Option<ArrayViewD<'_, f32>> {
        Some(v)
    }
}

macro_rules! element {
    ($($t:ty),*) => {$(
        impl Element for $t {
            #[allow(clippy::cast_lossless, clippy::cast_precision_loss)]
            fn to_f32(self) -> f32 { self as f32 }
            #[allow(clippy::cast_lossless, clippy::cast_precision_loss)]
            fn to_f32_array(v: ArrayViewD<'_, $t>) -> ArrayD<f32> { v.mapv(|x| x as f32) }
        }
    )*};
}
element!(f64, u8, u16, u32, u64, i8, i16, i32, i64, usize, isize);

/// An array kerust reads as `f32` data.
pub trait AsTensor {
    /// The data as `f32`: borrowed when it already is `f32`, else converted.
    fn to_tensor(&self) -> CowArray<'_, f32, IxDyn>;
    /// The shape.
    fn dims(&self) -> Vec<usize>;
}

impl<S, D, T> AsTensor for ArrayBase<S, D>
where
    S: Data<Elem = T>,
    D: Dimension,
    T: Element,
{
    fn to_tensor(&self) -> CowArray<'_, f32, IxDyn> {
        let view = self.view().into_dyn();
        match T::as_f32_view(view.clone()) {
            Some(v) => CowArray::from(v),
            None => CowArray::from(T::to_f32_array(view)),
        }
    }
    fn dims(&self) -> Vec<usize> {
        self.shape().to_vec()
    }
}
