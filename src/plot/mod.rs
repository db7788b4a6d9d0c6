//! Figures that display themselves inline in evcxr and save as PNG or SVG.
//!
//! Each function draws one kind of picture with plotters (text in an
//! embedded font, laid out in `text.rs`; no system libraries) and returns a [`Figure`] (or a small
//! builder that makes one, such as [`Image`] for `imshow(..).cmap("binary")`).
//! As the last expression of a notebook cell, a figure shows itself.
//!
//! - pictures: [`imshow`] (values through a colour map, or RGB; a colour
//!   bar), [`images`] (a grid with labels or class names, mistakes in red);
//! - training: [`history`], [`line`] (values per epoch, with a legend);
//! - data and predictions: [`scatter`], [`decision_boundary`],
//!   [`confusion_matrix`], [`bar`] (one prediction's probabilities, as
//!   TensorFlow's `plot_value_array`), [`hist`];
//! - models: [`network`];
//! - [`row`]: several of these side by side, in one output (a cell shows
//!   only its last picture).
//!
//! ```
//! use kerust::prelude::*;
//! let digit = Array2::<u8>::from_shape_fn((28, 28), |(i, j)| ((i * j) % 256) as u8);
//! let picture = plot::imshow(digit.view()).cmap("binary");
//! assert_eq!(picture.figure()?.width(), 38 + 280 + 14); // row numbers left
//! # Ok::<(), kerust::Error>(())
//! ```

pub(crate) mod figure;

mod bars;
mod chart;
mod confusion_matrix;
mod contour;
mod decision_boundary;
mod hist;
mod history;
mod images;
mod imshow;
mod legend;
mod lines;
mod network;
mod rgb;
mod row;
mod scatter;
mod text;

pub use bars::{bar, Bars};
pub use confusion_matrix::confusion_matrix;
pub use decision_boundary::decision_boundary;
pub use figure::Figure;
pub use hist::{hist, Hist};
pub use history::history;
pub use images::{images, Images};
pub use imshow::{imshow, Image};
pub use lines::{line, Lines};
pub use network::{network, network_with_bias};
pub use row::{row, Row, ToFigure};
pub use scatter::scatter;

use crate::error::{Error, Result};
use crate::tensor::Element;
use ndarray::{Array2, ArrayBase, ArrayD, ArrayView1, Axis, Data, Dimension, Ix2};
use plotters::style::RGBColor;
use std::any::TypeId;

/// An array a plot reads: any ndarray (owned, a view, or a reference to
/// one) of `f32`, `f64` or integers, such as MNIST's `u8` pixels; or a
/// `Vec`, slice or array of numbers, such as `history["val_loss"]`.
pub trait PlotData {
    /// The values as `f32`.
    fn plot_data(&self) -> ArrayD<f32>;
    /// Whether the values are integers (RGB pixels are then read as
    /// 0..=255, as matplotlib reads them) rather than floats (0..=1).
    fn plot_integers(&self) -> bool {
        false
    }
}

fn is_integer<T: 'static>() -> bool {
    TypeId::of::<T>() != TypeId::of::<f32>() && TypeId::of::<T>() != TypeId::of::<f64>()
}

impl<S, D, T> PlotData for ArrayBase<S, D>
where
    S: Data<Elem = T>,
    D: Dimension,
    T: Element,
{
    fn plot_data(&self) -> ArrayD<f32> {
        T::to_f32_array(self.view().into_dyn())
    }
    fn plot_integers(&self) -> bool {
        is_integer::<T>()
    }
}

impl<T: Element> PlotData for [T] {
    fn plot_data(&self) -> ArrayD<f32> {
        T::to_f32_array(ArrayView1::from(self).into_dyn())
    }
    fn plot_integers(&self) -> bool {
        is_integer::<T>()
    }
}

impl<T: Element> PlotData for Vec<T> {
    fn plot_data(&self) -> ArrayD<f32> {
        self.as_slice().plot_data()
    }
    fn plot_integers(&self) -> bool {
        is_integer::<T>()
    }
}

impl<T: Element, const N: usize> PlotData for [T; N] {
    fn plot_data(&self) -> ArrayD<f32> {
        self.as_slice().plot_data()
    }
    fn plot_integers(&self) -> bool {
        is_integer::<T>()
    }
}

impl<X: PlotData + ?Sized> PlotData for &X {
    fn plot_data(&self) -> ArrayD<f32> {
        (**self).plot_data()
    }
    fn plot_integers(&self) -> bool {
        (**self).plot_integers()
    }
}

/// matplotlib's `tab10` colours, for classes.
pub(crate) const TAB10: [RGBColor; 10] = [
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0xd6, 0x27, 0x28),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0x8c, 0x56, 0x4b),
    RGBColor(0xe3, 0x77, 0xc2),
    RGBColor(0x7f, 0x7f, 0x7f),
    RGBColor(0xbc, 0xbd, 0x22),
    RGBColor(0x17, 0xbe, 0xcf),
];

/// The finite values of a per-epoch curve with their 1-based epochs.
pub(crate) fn epoch_points(values: &[f32]) -> impl Iterator<Item = (usize, f64)> + '_ {
    values
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_finite())
        .map(|(i, v)| (i + 1, f64::from(*v)))
}

/// The colour of class `c`.
pub(crate) fn class_color(c: usize) -> RGBColor {
    TAB10[c % TAB10.len()]
}

/// `color` mixed with white: `amount` 0 is the colour, 1 is white.
pub(crate) fn lighten(color: RGBColor, amount: f32) -> RGBColor {
    let mix = |v: u8| (f32::from(v) + (255.0 - f32::from(v)) * amount).round() as u8;
    RGBColor(mix(color.0), mix(color.1), mix(color.2))
}

/// A colour map, as matplotlib's `plt.cm.*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cmap {
    Binary,
    BinaryR,
    Gray,
    GrayR,
    Viridis,
    Blues,
}

/// The colour-map names `imshow` knows.
pub(crate) const CMAP_NAMES: [&str; 10] = [
    "binary", "binary_r", "gray", "gray_r", "grey", "grey_r", "Greys", "Greys_r", "viridis",
    "Blues",
];

const VIRIDIS: [(u8, u8, u8); 11] = [
    (0x44, 0x01, 0x54),
    (0x48, 0x24, 0x75),
    (0x41, 0x44, 0x87),
    (0x35, 0x5f, 0x8d),
    (0x2a, 0x78, 0x8e),
    (0x21, 0x91, 0x8c),
    (0x22, 0xa8, 0x84),
    (0x44, 0xbf, 0x70),
    (0x7a, 0xd1, 0x51),
    (0xbd, 0xdf, 0x26),
    (0xfd, 0xe7, 0x25),
];

const BLUES: [(u8, u8, u8); 9] = [
    (0xf7, 0xfb, 0xff),
    (0xde, 0xeb, 0xf7),
    (0xc6, 0xdb, 0xef),
    (0x9e, 0xca, 0xe1),
    (0x6b, 0xae, 0xd6),
    (0x42, 0x92, 0xc6),
    (0x21, 0x71, 0xb5),
    (0x08, 0x51, 0x9c),
    (0x08, 0x30, 0x6b),
];

fn interpolate(table: &[(u8, u8, u8)], t: f32) -> RGBColor {
    let n = table.len() - 1;
    let pos = t.clamp(0.0, 1.0) * n as f32;
    let i = (pos.floor() as usize).min(n - 1);
    let f = pos - i as f32;
    let mix = |a: u8, b: u8| (f32::from(a) + (f32::from(b) - f32::from(a)) * f).round() as u8;
    let (a, b) = (table[i], table[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

impl Cmap {
    /// The map called `name` (matplotlib's names).
    pub(crate) fn from_name(name: &str) -> Result<Cmap> {
        Ok(match name {
            "binary" | "Greys" => Cmap::Binary,
            "binary_r" | "Greys_r" => Cmap::BinaryR,
            "gray" | "grey" => Cmap::Gray,
            "gray_r" | "grey_r" => Cmap::GrayR,
            "viridis" => Cmap::Viridis,
            "Blues" => Cmap::Blues,
            other => return Err(crate::error::unknown_name("colour map", other, &CMAP_NAMES)),
        })
    }
    /// The colour of `t` in 0..=1 (clamped).
    pub(crate) fn color(self, t: f32) -> RGBColor {
        let t = if t.is_finite() {
            t.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let grey = |v: f32| {
            let g = (v * 255.0).round() as u8;
            RGBColor(g, g, g)
        };
        match self {
            Cmap::Binary | Cmap::GrayR => grey(1.0 - t),
            Cmap::BinaryR | Cmap::Gray => grey(t),
            Cmap::Viridis => interpolate(&VIRIDIS, t),
            Cmap::Blues => interpolate(&BLUES, t),
        }
    }
}

/// The smallest and largest finite value (`(0, 0)` when there are none).
pub(crate) fn finite_range<'a>(values: impl IntoIterator<Item = &'a f32>) -> (f32, f32) {
    let (mut lo, mut hi) = (f32::INFINITY, f32::NEG_INFINITY);
    for &v in values {
        if v.is_finite() {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    if lo > hi {
        (0.0, 0.0)
    } else {
        (lo, hi)
    }
}

/// Class labels from integer labels `(n,)` or `(n, 1)`, one-hot rows or
/// predicted probabilities `(n, k)` (the largest wins), or sigmoid outputs
/// `(n, 1)` in 0..1 (0.5 and above is class 1).
pub(crate) fn to_classes(y: &ArrayD<f32>, what: &str) -> Result<Vec<usize>> {
    let shape = y.shape();
    let as_ints = |v: &[f32]| -> Option<Vec<usize>> {
        v.iter()
            .map(|&x| {
                (x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x < 1e6).then_some(x as usize)
            })
            .collect()
    };
    match shape {
        [_] | [_, 1] => {
            let flat: Vec<f32> = y.iter().copied().collect();
            if let Some(c) = as_ints(&flat) {
                return Ok(c);
            }
            if shape.len() == 2 && flat.iter().all(|v| (0.0..=1.0).contains(v)) {
                return Ok(flat.iter().map(|&v| usize::from(v >= 0.5)).collect());
            }
            let bad = flat
                .iter()
                .find(|x| !(x.is_finite() && **x >= 0.0 && x.fract() == 0.0))
                .copied()
                .unwrap_or(f32::NAN);
            Err(Error::value(format!(
                "{what} should hold class labels 0, 1, 2, ... (or probabilities in 0..1 of shape (n, 1)) but contains {bad}"
            )))
        }
        [_, k] if *k > 1 => {
            if y.iter().any(|v| !v.is_finite()) {
                return Err(Error::value(format!(
                    "{what} contains NaN or infinity: expected one-hot labels or class probabilities"
                )));
            }
            Ok(y.axis_iter(Axis(0)).map(|row| argmax_value(row.iter()).0).collect())
        }
        _ => Err(Error::shape(format!(
            "{what} should be class labels of shape (n,) or one-hot / probabilities of shape (n, classes) but has shape {}",
            crate::shape::array_shape(shape)
        ))),
    }
}

/// 2-D points `(n, 2)`, finite, at least one.
pub(crate) fn points2(x: ArrayD<f32>, what: &str, call: &str) -> Result<Array2<f32>> {
    if x.ndim() != 2 || x.shape()[1] != 2 {
        return Err(Error::shape(format!(
            "{call} expects {what} of shape (n, 2) (one row per point, two features) but got shape {}",
            crate::shape::array_shape(x.shape())
        )));
    }
    if x.shape()[0] == 0 {
        return Err(Error::value(format!("{call}: {what} has no points")));
    }
    if let Some(v) = x.iter().find(|v| !v.is_finite()) {
        return Err(Error::value(format!(
            "{call}: {what} contains {v}: points must be finite numbers"
        )));
    }
    x.into_dimensionality::<Ix2>()
        .map_err(|e| Error::shape(format!("{call}: {what}: {e}")))
}

/// Checks that labels and points have the same count.
pub(crate) fn same_count(n: usize, labels: &[usize], what: &str, call: &str) -> Result<()> {
    if labels.len() != n {
        return Err(Error::shape(format!(
            "{call}: {what} has {} labels but there are {n} points: one label per point is needed",
            labels.len()
        )));
    }
    Ok(())
}

/// A number for an axis or a cell, short: `0.25`, `1.2e-5`, `120`.
pub(crate) fn short_number(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if !(1e-3..1e5).contains(&a) {
        return format!("{v:.1e}");
    }
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// The index and value of the largest value (the first on
/// ties; NaN never wins; `(0, -inf)` when there is none).
pub(crate) fn argmax_value<'a>(values: impl IntoIterator<Item = &'a f32>) -> (usize, f32) {
    values
        .into_iter()
        .enumerate()
        .fold((0, f32::NEG_INFINITY), |(bi, bv), (i, &v)| {
            if v > bv {
                (i, v)
            } else {
                (bi, bv)
            }
        })
}
