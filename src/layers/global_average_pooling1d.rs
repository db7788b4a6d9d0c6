//! `GlobalAveragePooling1D`: the mean over the steps of each sample.

super::global_pooling::global_pooling_layer! {
    /// The mean over the steps, as `keras.layers.GlobalAveragePooling1D`: `(None, steps, 16)` becomes `(None, 16)`.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let mut model = Sequential::new();
    /// model.add(GlobalAveragePooling1D::new().input_shape([10, 16]))?;
    /// assert_eq!(model.layer(0).output_shape(), &[16]);
    /// assert_eq!(model.predict(&Array3::<f32>::zeros((2, 10, 16)))?.shape(), &[2, 16]);
    /// # Ok::<(), kerust::Error>(())
    /// ```
    GlobalAveragePooling1D, "global_average_pooling1d", max: false, rank: 2
}
