//! `sklearn.preprocessing.MinMaxScaler`: bring features to [0, 1] using the
//! training data's minimum and range (seed 004).

use crate::error::{Error, Result};
use crate::shape::array_shape;
use crate::tensor::{AsTensor, Element};
use ndarray::{Array, ArrayBase, ArrayD, ArrayViewD, Data, Dimension, IxDyn};

/// Scales each feature to [0, 1] with the minimum and range seen in the
/// training data: `(x - min) / (max - min)`, as the lesson says ("we compute
/// min value and range using training data, and then normalize test data
/// using the same values"). Test values outside the training range fall
/// outside [0, 1], which is expected.
///
/// Samples are along axis 0; every other position is a feature (a column
/// of a 2-D array, a pixel of an image). A 1-D array is one feature. A
/// feature with zero range is scaled by 1 (it becomes 0), as scikit-learn.
///
/// ```
/// use kerust::prelude::*;
/// let train = array![[0.0f32, 10.0], [2.0, 20.0]];
/// let test = array![[1.0f32, 30.0]];
/// let scaler = datasets::MinMaxScaler::fit(&train)?;
/// assert_eq!(scaler.transform(&train)?, array![[0.0f32, 0.0], [1.0, 1.0]]);
/// assert_eq!(scaler.transform(&test)?, array![[0.5f32, 2.0]]);
/// assert!(scaler.transform(&array![[1.0f32, 2.0, 3.0]]).is_err()); // 3 features, not 2
/// # Ok::<(), kerust::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct MinMaxScaler {
    min: Vec<f32>,
    max: Vec<f32>,
    scale: Vec<f32>,
    feature_shape: Vec<usize>,
}

impl MinMaxScaler {
    /// Learns each feature's minimum and range from `x` (samples along axis
    /// 0). Errors on an array without samples, or with NaN or infinity.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let s = datasets::MinMaxScaler::fit(&array![[1u8, 5], [3, 9]])?;
    /// assert_eq!(s.data_min(), array![1.0f32, 5.0].into_dyn());
    /// assert!(datasets::MinMaxScaler::fit(&array![[f32::NAN]]).is_err());
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn fit<S, D, T>(x: &ArrayBase<S, D>) -> Result<Self>
    where
        S: Data<Elem = T>,
        D: Dimension,
        T: Element,
    {
        Self::fit_values(x.to_tensor().view())
    }

    fn fit_values(x: ArrayViewD<'_, f32>) -> Result<Self> {
        if x.ndim() == 0 {
            return Err(Error::shape(
                "MinMaxScaler.fit: expected an array of samples (at least 1-D), got a scalar",
            ));
        }
        let n = x.shape()[0];
        if n == 0 {
            return Err(Error::shape(format!(
                "MinMaxScaler.fit: x of shape {} has no samples; fit needs at least one",
                array_shape(x.shape())
            )));
        }
        let feature_shape = x.shape()[1..].to_vec();
        let f: usize = feature_shape.iter().product();
        let mut min = vec![f32::INFINITY; f];
        let mut max = vec![f32::NEG_INFINITY; f];
        for (i, &v) in x.iter().enumerate() {
            let j = i % f;
            if !v.is_finite() {
                return Err(Error::value(format!(
                    "MinMaxScaler.fit: x has {v} at sample {}, feature {j}; the scaler needs \
                     finite values",
                    i / f
                )));
            }
            min[j] = min[j].min(v);
            max[j] = max[j].max(v);
        }
        let scale = min
            .iter()
            .zip(&max)
            .map(|(lo, hi)| if hi > lo { hi - lo } else { 1.0 })
            .collect();
        Ok(MinMaxScaler {
            min,
            max,
            scale,
            feature_shape,
        })
    }

    /// Scales `x` with the fitted minimum and range; `x`'s samples must have
    /// the shape of the training samples. Returns `f32` of `x`'s shape.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let s = datasets::MinMaxScaler::fit(&array![0.0f32, 4.0])?;
    /// assert_eq!(s.transform(&array![1.0f32, 8.0])?, array![0.25f32, 2.0]);
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn transform<S, D, T>(&self, x: &ArrayBase<S, D>) -> Result<Array<f32, D>>
    where
        S: Data<Elem = T>,
        D: Dimension,
        T: Element,
    {
        self.transform_values(x.to_tensor().view())?
            .into_dimensionality::<D>()
            .map_err(|e| Error::shape(format!("MinMaxScaler.transform: {e}")))
    }

    fn transform_values(&self, x: ArrayViewD<'_, f32>) -> Result<ArrayD<f32>> {
        if x.ndim() == 0 || x.shape()[1..] != self.feature_shape[..] {
            let mut fitted = vec![0usize];
            fitted.extend(&self.feature_shape);
            let fitted = array_shape(&fitted).replacen('0', "n", 1);
            return Err(Error::shape(format!(
                "MinMaxScaler.transform: the scaler was fitted on x of shape {fitted}, got x of \
                 shape {}; the shapes after the samples axis must agree",
                array_shape(x.shape())
            )));
        }
        let f = self.min.len();
        let out: Vec<f32> = x
            .iter()
            .enumerate()
            .map(|(i, v)| (v - self.min[i % f]) / self.scale[i % f])
            .collect();
        Array::from_shape_vec(x.raw_dim(), out)
            .map_err(|e| Error::shape(format!("MinMaxScaler.transform: {e}")))
    }

    /// The minimum of each feature in the training data (`data_min_`).
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let s = datasets::MinMaxScaler::fit(&array![[1.0f32], [3.0]])?;
    /// assert_eq!(s.data_min(), array![1.0f32].into_dyn());
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn data_min(&self) -> ArrayD<f32> {
        self.features(&self.min)
    }

    /// The maximum of each feature in the training data (`data_max_`).
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let s = datasets::MinMaxScaler::fit(&array![[1.0f32], [3.0]])?;
    /// assert_eq!(s.data_max(), array![3.0f32].into_dyn());
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn data_max(&self) -> ArrayD<f32> {
        self.features(&self.max)
    }

    /// The range (max - min) of each feature in the training data
    /// (`data_range_`).
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let s = datasets::MinMaxScaler::fit(&array![[1.0f32], [3.0]])?;
    /// assert_eq!(s.data_range(), array![2.0f32].into_dyn());
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn data_range(&self) -> ArrayD<f32> {
        let range: Vec<f32> = self.min.iter().zip(&self.max).map(|(a, b)| b - a).collect();
        self.features(&range)
    }

    fn features(&self, values: &[f32]) -> ArrayD<f32> {
        // One value per feature by construction, so the shape always fits;
        // 1-D training data has one feature and a shape of [1].
        let shape = if self.feature_shape.is_empty() {
            vec![1]
        } else {
            self.feature_shape.clone()
        };
        match ArrayD::from_shape_vec(IxDyn(&shape), values.to_vec()) {
            Ok(a) => a,
            // Not taken (see above); a flat array would still hold every value.
            Err(_) => ndarray::Array1::from(values.to_vec()).into_dyn(),
        }
    }
}
