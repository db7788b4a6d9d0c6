//! `GlobalAveragePooling2D`: the mean over height and width of each sample.

super::global_pooling::global_pooling_layer! {
    /// The mean over height and width, as `keras.layers.GlobalAveragePooling2D`: `(None, h, w, 8)` becomes `(None, 8)`.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let mut model = Sequential::new();
    /// model.add(GlobalAveragePooling2D::new().input_shape([5, 5, 8]))?;
    /// assert_eq!(model.layer(0).output_shape(), &[8]);
    /// assert_eq!(model.predict(&Array4::<f32>::zeros((2, 5, 5, 8)))?.shape(), &[2, 8]);
    /// # Ok::<(), kerust::Error>(())
    /// ```
    GlobalAveragePooling2D, "global_average_pooling2d", max: false, rank: 3
}
