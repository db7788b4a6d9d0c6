//! `MaxPooling2D`: the maximum over each pooling window.

super::pooling::window_pooling_layer! {
    /// Max pooling over `(height, width)`, as `keras.layers.MaxPooling2D`
    /// (strides default to the pool size, valid padding).
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let mut model = Sequential::new();
    /// model.add(Conv2D::new(8, (3, 3)).input_shape([28, 28, 1]))?;
    /// model.add(MaxPooling2D::new((2, 2)))?;
    /// model.add(MaxPooling2D::new(3).strides(1).padding("same"))?;
    /// model.add(MaxPooling2D::default())?;
    /// assert_eq!(model.layer(1).output_shape(), &[13, 13, 8]);
    /// assert_eq!(model.layer(3).output_shape(), &[6, 6, 8]);
    /// # Ok::<(), kerust::Error>(())
    /// ```
    MaxPooling2D, "max_pooling2d", max: true
}
