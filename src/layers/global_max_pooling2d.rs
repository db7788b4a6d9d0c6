//! `GlobalMaxPooling2D`: the maximum over height and width of each sample.

super::global_pooling::global_pooling_layer! {
    /// The maximum over height and width, as `keras.layers.GlobalMaxPooling2D`: `(None, h, w, 8)` becomes `(None, 8)`.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let mut model = Sequential::new();
    /// model.add(GlobalMaxPooling2D::new().input_shape([5, 5, 8]))?;
    /// assert_eq!(model.layer(0).output_shape(), &[8]);
    /// assert_eq!(model.predict(&Array4::<f32>::zeros((2, 5, 5, 8)))?.shape(), &[2, 8]);
    /// # Ok::<(), kerust::Error>(())
    /// ```
    GlobalMaxPooling2D, "global_max_pooling2d", max: true, rank: 3
}
