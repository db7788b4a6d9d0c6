//! Calling one layer of a model on an array, as Keras 3 does eagerly with
//! `model.layers[0](x)`: what a layer makes of its input, such as the
//! feature maps a `Conv2D` computes from one image.

use super::data_adapter::check_finite;
use super::layer_ref::LayerRef;
use crate::error::{Error, Result};
use crate::layers::{Ctx, Layer};
use crate::parallel::Team;
use crate::shape::keras_shape;
use crate::tensor::AsTensor;
use ndarray::{ArrayD, ArrayViewD};

impl LayerRef<'_> {
    /// The layer's output for `x`, a batch `(samples, the layer's input
    /// shape...)`, computed in inference mode (a `Dropout` passes its input
    /// on), as Keras' `layer(x)`. The model is not changed. Call the next
    /// layer on the result to follow the data through the model.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let mut model = Sequential::new();
    /// model.add(Conv2D::new(4, 3).activation("relu").input_shape([8, 8, 1]))?;
    /// model.add(MaxPooling2D::new(2))?;
    /// let image = Array4::<f32>::ones((1, 8, 8, 1));
    /// let maps = model.layer(0).call(&image)?;   // one 6x6 map per filter
    /// assert_eq!(maps.shape(), &[1, 6, 6, 4]);
    /// let pooled = model.layer(1).call(&maps)?;
    /// assert_eq!(pooled.shape(), &[1, 3, 3, 4]);
    /// assert_eq!(&model.predict(&image)?, &pooled);
    /// assert!(model.layer(1).call(&image).is_err()); // (8, 8, 1) is not its input
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn call<X: AsTensor + ?Sized>(&self, x: &X) -> Result<ArrayD<f32>> {
        self.call_tensor(x.to_tensor().view())
    }

    fn call_tensor(&self, x: ArrayViewD<'_, f32>) -> Result<ArrayD<f32>> {
        let layer = self.layer()?;
        let input = layer.input_shape();
        if input.is_empty() {
            return Err(Error::state(format!(
                "layer {} is not built yet: it gets its input shape when the model is built \
                 (give the first layer an input_shape, or fit or predict once)",
                layer.name()
            )));
        }
        if x.ndim() != input.len() + 1 || &x.shape()[1..] != input {
            return Err(Error::shape(format!(
                "layer {} ({}) expects input of shape {} but got an array of shape {}: \
                 pass a batch, (samples, {}), such as the output of the layer before it",
                layer.name(),
                layer.class_name(),
                keras_shape(input),
                crate::shape::array_shape(x.shape()),
                input
                    .iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        check_finite(Team::one(), "x", x.view())?;
        let mut copy: Box<dyn Layer> = layer.box_clone();
        let mut rng = crate::random::fork();
        let mut ctx = Ctx {
            training: false,
            rng: &mut rng,
            team: Team::one(),
        };
        copy.forward(&x.as_standard_layout().to_owned(), &mut ctx)
    }
}

#[cfg(test)]
mod tests {
    use crate::prelude::*;

    #[test]
    fn following_the_layers_gives_predict() -> crate::Result<()> {
        utils::set_random_seed(3);
        let mut model = Sequential::new();
        model.add(Conv2D::new(3, 3).activation("relu").input_shape([7, 7, 2]))?;
        model.add(MaxPooling2D::new(2))?;
        model.add(Flatten::new())?;
        model.add(Dropout::new(0.5))?;
        model.add(Dense::new(2).activation("softmax"))?;
        let x = utils::rand((3, 7, 7, 2));
        let mut out = x.clone().into_dyn();
        for i in 0..model.layers().len() {
            out = model.layer(i).call(&out)?;
        }
        let predicted = model.predict(&x)?;
        assert_eq!(out.shape(), predicted.shape());
        assert!(out
            .iter()
            .zip(predicted.iter())
            .all(|(a, b)| (a - b).abs() < 1e-6));
        Ok(())
    }

    #[test]
    fn a_wrong_shape_or_a_missing_layer_is_an_error() -> crate::Result<()> {
        let mut model = Sequential::new();
        model.add(Dense::new(2).input_shape([3]))?;
        let err = model
            .layer(0)
            .call(&Array2::<f32>::zeros((1, 4)))
            .unwrap_err();
        assert!(
            err.to_string().contains("expects input of shape (None, 3)"),
            "{err}"
        );
        assert!(err.to_string().contains("(1, 4)"), "{err}");
        let err = model
            .layer(5)
            .call(&Array2::<f32>::zeros((1, 3)))
            .unwrap_err();
        assert!(err.to_string().contains("no layer 5"), "{err}");
        let nan = Array2::<f32>::from_elem((1, 3), f32::NAN);
        assert!(model.layer(0).call(&nan).is_err());
        Ok(())
    }
}
