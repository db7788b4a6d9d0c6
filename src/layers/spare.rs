//! Buffers a layer reuses from one batch to the next, so that outputs it
//! writes whole need no zeroed allocation each batch (a zeroed buffer the
//! size of a convolution's output costs a pass over memory of its own).

/// A buffer kept for the next batch; a clone of a layer starts without one.
#[derive(Default)]
pub(crate) struct Spare<T>(Vec<T>);

impl<T> Clone for Spare<T> {
    fn clone(&self) -> Self {
        Spare(Vec::new())
    }
}

impl<T: Copy + Default> Spare<T> {
    /// The kept buffer (or a new one) with `len` values, whatever they
    /// hold: only for outputs that are written whole.
    pub fn take(&mut self, len: usize) -> Vec<T> {
        let mut v = std::mem::take(&mut self.0);
        v.resize(len, T::default());
        v
    }
    /// Keeps `v` for the next [`Spare::take`].
    pub fn put(&mut self, v: Vec<T>) {
        self.0 = v;
    }
}

#[cfg(test)]
mod tests {
    use super::Spare;

    #[test]
    fn a_kept_buffer_comes_back_resized_and_clones_start_empty() {
        let mut s = Spare::default();
        assert_eq!(s.take(3), [0.0f32; 3]);
        s.put(vec![1.0, 2.0, 3.0]);
        let clone = s.clone();
        assert_eq!(s.take(2), [1.0, 2.0]);
        assert!(s.take(0).is_empty());
        let mut clone = clone;
        assert_eq!(clone.take(1), [0.0]);
    }
}
