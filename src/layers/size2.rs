//! `Size2`: a kernel, pool or stride size over `(height, width)`, given as
//! one integer (both axes, as Keras' `3`) or a pair (`(3, 5)`).

/// A size over `(height, width)`: `3` is `(3, 3)`, as Keras' integer
/// `kernel_size`, `pool_size` and `strides`.
///
/// ```
/// use kerust::layers::Size2;
/// assert_eq!(Size2::from(3), Size2(3, 3));
/// assert_eq!(Size2::from((2, 4)), Size2(2, 4));
/// assert_eq!(Size2::from([2, 4]), Size2(2, 4));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size2(pub usize, pub usize);

impl Size2 {
    /// The pair `(height, width)`.
    pub fn pair(self) -> (usize, usize) {
        (self.0, self.1)
    }
}

impl From<usize> for Size2 {
    fn from(n: usize) -> Self {
        Size2(n, n)
    }
}

impl From<(usize, usize)> for Size2 {
    fn from((h, w): (usize, usize)) -> Self {
        Size2(h, w)
    }
}

impl From<[usize; 2]> for Size2 {
    fn from([h, w]: [usize; 2]) -> Self {
        Size2(h, w)
    }
}

impl From<Size2> for (usize, usize) {
    fn from(s: Size2) -> Self {
        s.pair()
    }
}
