//! Arrays in: any ndarray of `f32`, `f64` or integers (MNIST's `u8`
//! pixels, integer labels) is accepted where Keras accepts a NumPy array.

use ndarray::{ArrayBase, ArrayViewD, CowArray, Data, Dimension, IxDyn};

/// An element type kerust converts to `f32`.
pub trait Element: Copy + 'static {
    /// The value as `f32`.
    fn to_f32(self) -> f32;
    /// The view itself when the elements already are `f32` (no copy).
    fn as_f32_view(_v: ArrayViewD<'_, Self>) -> Option<ArrayViewD<'_, f32>> {
        None
    }
}

impl Element for f32 {
    fn to_f32(self) -> f32 {
        self
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
        match T::as_f32_view(self.view().into_dyn()) {
            Some(v) => CowArray::from(v),
            None => CowArray::from(self.mapv(Element::to_f32).into_dyn()),
        }
    }
    fn dims(&self) -> Vec<usize> {
        self.shape().to_vec()
    }
}
