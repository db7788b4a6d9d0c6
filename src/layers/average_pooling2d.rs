//! `AveragePooling2D`: the mean over each pooling window.

super::pooling::window_pooling_layer! {
    /// Average pooling over `(height, width)`, as `keras.layers.AveragePooling2D`
    /// (strides default to the pool size, valid padding; with 'same' padding
    /// a border window averages only the pixels inside the image, as
    /// TensorFlow does).
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let mut model = Sequential::new();
    /// model.add(Conv2D::new(8, 3).input_shape([28, 28, 1]))?;
    /// model.add(AveragePooling2D::new(2))?;
    /// model.add(AveragePooling2D::new((3, 3)).strides(2).padding("same"))?;
    /// assert_eq!(model.layer(1).output_shape(), &[13, 13, 8]);
    /// assert_eq!(model.layer(2).output_shape(), &[7, 7, 8]);
    /// # Ok::<(), kerust::Error>(())
    /// ```
    AveragePooling2D, "average_pooling2d", max: false
}
