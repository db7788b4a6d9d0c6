//! Colour pictures read as matplotlib reads them (integers 0..=255, floats
//! 0..=1), and the values a colour bar labels.

use crate::error::{Error, Result};
use ndarray::{Array2, ArrayView3, ArrayViewD, Axis};
use plotters::style::RGBColor;

/// Checks that RGB values are in the range their type means: 0..=255 for
/// integers (`u8` pixels), 0..=1 for floats. Out-of-range values are an
/// error rather than clipped (matplotlib clips them with a warning, and the
/// picture comes out white).
pub(crate) fn check_rgb_range(x: ArrayViewD<'_, f32>, integers: bool, call: &str) -> Result<()> {
    let top = if integers { 255.0 } else { 1.0 };
    let bad = x
        .iter()
        .copied()
        .find(|v| v.is_finite() && !(0.0..=top).contains(v));
    match bad {
        None => Ok(()),
        Some(v) if integers => Err(Error::value(format!(
            "{call}: RGB integer pixels should be in 0..=255 but one is {v}"
        ))),
        Some(v) => Err(Error::value(format!(
            "{call}: RGB float pixels should be in 0..=1 but one is {v}: divide 0..255 pixels by 255 \
             (x.mapv(|v| v / 255.0)), or pass the u8 array as it is"
        ))),
    }
}

/// The colours of an RGB picture `(height, width, 3)` whose values are
/// in range (see [`check_rgb_range`]); NaN shows white.
pub(crate) fn rgb_pixels(img: ArrayView3<'_, f32>, integers: bool) -> Array2<RGBColor> {
    let scale = if integers { 1.0 } else { 255.0 };
    let byte = |v: f32| {
        if v.is_finite() {
            (v * scale).round().clamp(0.0, 255.0) as u8
        } else {
            255
        }
    };
    let (h, w, _) = img.dim();
    let mut out = Array2::from_elem((h, w), RGBColor(255, 255, 255));
    for ((i, j), c) in out.indexed_iter_mut() {
        let px = img.index_axis(Axis(0), i);
        let px = px.index_axis(Axis(0), j);
        *c = RGBColor(byte(px[0]), byte(px[1]), byte(px[2]));
    }
    out
}

/// Round values between `lo` and `hi` for a colour bar: steps of 1, 2 or
/// 5 times a power of ten, at most 7 of them.
pub(crate) fn nice_ticks(lo: f32, hi: f32) -> Vec<f32> {
    if hi <= lo || !lo.is_finite() || !hi.is_finite() {
        return vec![lo];
    }
    let raw = f64::from(hi - lo) / 5.0;
    let unit = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * unit)
        .find(|s| f64::from(hi - lo) / s <= 6.0)
        .unwrap_or(10.0 * unit);
    let first = (f64::from(lo) / step - 1e-6).ceil() as i64;
    let last = (f64::from(hi) / step + 1e-6).floor() as i64;
    (first..=last).map(|k| (k as f64 * step) as f32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_inside() {
        assert_eq!(
            nice_ticks(0.0, 255.0),
            vec![0.0, 50.0, 100.0, 150.0, 200.0, 250.0]
        );
        assert_eq!(nice_ticks(0.0, 1.0), vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(nice_ticks(-0.5, 0.5), vec![-0.4, -0.2, 0.0, 0.2, 0.4]);
        assert_eq!(nice_ticks(2.0, 2.0), vec![2.0]);
    }

    #[test]
    fn pixels_read_as_their_type_says() {
        let x = ndarray::Array3::from_shape_vec((1, 2, 3), vec![255.0, 0.0, 0.0, 0.0, 0.5, 1.0])
            .unwrap();
        assert!(check_rgb_range(x.view().into_dyn(), false, "imshow").is_err());
        assert!(check_rgb_range(x.view().into_dyn(), true, "imshow").is_ok());
        let c = rgb_pixels(x.view(), true);
        assert_eq!(c[[0, 0]], RGBColor(255, 0, 0));
        let f = x.mapv(|v| v.min(1.0));
        assert_eq!(rgb_pixels(f.view(), false)[[0, 1]], RGBColor(0, 128, 255));
    }
}
