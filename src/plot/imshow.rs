//! `imshow`: one 2-D array (or RGB picture) as a picture, as
//! `plt.imshow(x, cmap=...)`, with an optional colour bar.

use super::figure::{builder_output, painter, text, DrawResult, Figure};
use super::legend::{draw_side, ColorScale};
use super::rgb::{check_rgb_range, nice_ticks, rgb_pixels};
use super::{finite_range, Cmap, PlotData};
use crate::error::{Error, Result};
use ndarray::{Array2, ArrayD, Ix2, Ix3};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The longer side of the picture is scaled up to about this many pixels.
const TARGET: usize = 280;
/// Room left of the picture (row numbers), above, right of it, and below
/// it (column numbers).
const LEFT: u32 = 38;
const TOP: u32 = 10;
const RIGHT: u32 = 14;
const BOTTOM: u32 = 30;
/// The largest picture drawn, in array cells.
const MAX_CELLS: usize = 1 << 22;
/// The room a colour bar takes right of the picture.
const COLORBAR: u32 = 86;

/// A 2-D array shown as a picture; made by [`imshow`]. Set the colour map
/// with [`Image::cmap`]; as a cell's last expression it shows itself.
#[derive(Debug, Clone)]
pub struct Image {
    data: Result<Picture>,
    cmap: String,
    scale: Option<u32>,
    range: Option<(f32, f32)>,
    colorbar: bool,
}

/// One value per pixel (drawn through a colour map), or RGB colours.
#[derive(Debug, Clone)]
enum Picture {
    Values(Array2<f32>),
    Rgb(Array2<RGBColor>),
}

/// Shows a 2-D array (height, width) as a picture, as matplotlib's
/// `plt.imshow`: values are scaled from their smallest to their largest
/// onto the colour map (`viridis` unless [`Image::cmap`] says otherwise),
/// and each value becomes a square of pixels, so that a 28x28 MNIST digit
/// is 280 pixels wide. Row numbers run down the left side and column
/// numbers along the bottom (0, 5, 10, ... for a digit), as matplotlib's.
///
/// Takes any array of `u8`, `f32`, ... : `x_train.slice(s![0, .., ..])`,
/// a normalized `f32` image, or a reference to an `Array2`. An array of
/// shape `(h, w, 1)` or `(1, h, w)` is shown as `(h, w)`.
///
/// An array of shape `(h, w, 3)` (or `(1, h, w, 3)`) is a colour picture,
/// red, green and blue, as CIFAR-10's: integers (`u8`) are read as
/// 0..=255 and floats as 0..=1, as matplotlib reads them (values outside
/// are an error, not clipped); the colour map does not apply to it.
///
/// ```
/// use kerust::prelude::*;
/// // a 32x32 CIFAR-style picture: red on the left, blue on the right
/// let rgb = Array3::<u8>::from_shape_fn((32, 32, 3), |(_, j, c)| match (j < 16, c) {
///     (true, 0) | (false, 2) => 255,
///     _ => 0,
/// });
/// let fig = plot::imshow(&rgb).figure()?;
/// assert_eq!(fig.pixel(38 + 10, 10 + 100), [255, 0, 0]);
/// assert_eq!(fig.width(), 38 + 32 * 8 + 14); // each pixel 8x8
/// assert_eq!(fig.pixel(38 + 250, 10 + 100), [0, 0, 255]);
/// // floats are 0..1: unscaled 0..255 floats say how to fix them
/// assert!(plot::imshow(rgb.mapv(f32::from)).figure().is_err());
/// # Ok::<(), kerust::Error>(())
/// ```
///
/// ```
/// use kerust::prelude::*;
/// let x_train = Array3::<u8>::from_shape_fn((2, 28, 28), |(_, i, j)| (i * 9 + j) as u8);
/// let fig = plot::imshow(x_train.slice(s![0, .., ..])).cmap("binary").figure()?;
/// assert_eq!((fig.width(), fig.height()), (38 + 280 + 14, 10 + 280 + 30));
/// // 0 is white and the largest value black with "binary":
/// assert_eq!(fig.pixel(40, 12), [255, 255, 255]);
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn imshow(x: impl PlotData) -> Image {
    imshow_data(x.plot_data(), x.plot_integers())
}

fn imshow_data(x: ArrayD<f32>, integers: bool) -> Image {
    Image {
        data: to_image(x, integers),
        cmap: "viridis".into(),
        scale: None,
        range: None,
        colorbar: false,
    }
}

fn to_image(x: ArrayD<f32>, integers: bool) -> Result<Picture> {
    let shape = x.shape().to_vec();
    if let [h, w, 3] | [1, h, w, 3] = shape.as_slice() {
        let (h, w) = (*h, *w);
        check_size(h, w, &shape)?;
        check_rgb_range(x.view(), integers, "imshow")?;
        let x = x
            .into_shape_with_order((h, w, 3))
            .map_err(|e| Error::shape(format!("imshow: {e}")))?
            .into_dimensionality::<Ix3>()
            .map_err(|e| Error::shape(format!("imshow: {e}")))?;
        return Ok(Picture::Rgb(rgb_pixels(x.view(), integers)));
    }
    let hw = match shape.as_slice() {
        [h, w] | [h, w, 1] | [1, h, w] => (*h, *w),
        [n] => {
            let side = (*n as f64).sqrt() as usize;
            let hint = if side * side == *n && *n > 0 {
                format!(": reshape it first, e.g. x.into_shape_with_order(({side}, {side}))")
            } else {
                String::new()
            };
            return Err(Error::shape(format!(
                "imshow expects a 2-D array (height, width) but got a flat array of shape ({n},){hint}"
            )));
        }
        _ => {
            return Err(Error::shape(format!(
                "imshow expects a 2-D array (height, width) or an RGB picture (height, width, 3) but got shape {}: pick one image, e.g. x.slice(s![0, .., ..])",
                crate::shape::array_shape(&shape)
            )))
        }
    };
    check_size(hw.0, hw.1, &shape)?;
    x.into_shape_with_order(hw)
        .map(|a| a.into_dimensionality::<Ix2>())
        .map_err(|e| Error::shape(format!("imshow: {e}")))?
        .map(Picture::Values)
        .map_err(|e| Error::shape(format!("imshow: {e}")))
}

fn check_size(h: usize, w: usize, shape: &[usize]) -> Result<()> {
    if h == 0 || w == 0 {
        return Err(Error::value(format!(
            "imshow got an empty image of shape {}",
            crate::shape::array_shape(shape)
        )));
    }
    if h.saturating_mul(w) > MAX_CELLS {
        return Err(Error::value(format!(
            "imshow draws images of at most {MAX_CELLS} pixels but got shape {}",
            crate::shape::array_shape(shape)
        )));
    }
    Ok(())
}

impl Image {
    crate::builder::setters! {
        /// The colour map, by matplotlib's name: `"binary"` (white background,
        /// black ink, as `plt.cm.binary`), `"gray"`, `"gray_r"`, `"binary_r"`,
        /// `"Greys"`, `"viridis"` (the default), `"Blues"`.
        ///
        /// ```
        /// use kerust::prelude::*;
        /// let img = plot::imshow(array![[0u8, 255]]).cmap("gray").figure()?;
        /// assert_eq!(img.pixel(img.width() - 16, 20), [255, 255, 255]);
        /// assert!(plot::imshow(array![[0u8, 255]]).cmap("grey_rr").figure().is_err());
        /// # Ok::<(), kerust::Error>(())
        /// ```
        cmap(&str) => cmap = cmap.to_string();
        /// Each array value becomes a `factor` x `factor` square of pixels
        /// (default: the longer side is scaled to about 280 pixels).
        ///
        /// ```
        /// use kerust::prelude::*;
        /// let fig = plot::imshow(Array2::<f32>::zeros((4, 8))).scale(5).figure()?;
        /// assert_eq!(fig.width(), 38 + 8 * 5 + 14);
        /// # Ok::<(), kerust::Error>(())
        /// ```
        scale(u32) => scale = Some(scale.clamp(1, 64));
    }
    /// Fixes the values drawn as the two ends of the colour map (matplotlib's
    /// `vmin`, `vmax`) instead of the image's own smallest and largest.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let fig = plot::imshow(array![[0.5f32]]).cmap("gray").range(0.0, 1.0).figure()?;
    /// assert_eq!(fig.pixel(50, 20), [128, 128, 128]);
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn range(mut self, vmin: f32, vmax: f32) -> Self {
        self.range = Some((vmin, vmax));
        self
    }
    /// Draws a colour bar right of the picture (matplotlib's
    /// `plt.colorbar()`): which colour is which value, from the smallest to
    /// the largest (or [`Image::range`]'s ends). A colour picture has no
    /// colour map, so asking it for a bar is an error.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let x = Array2::from_shape_fn((28, 28), |(i, _)| i as f32 / 27.0);
    /// let fig = plot::imshow(&x).colorbar(true).figure()?;
    /// assert_eq!(fig.width(), 38 + 280 + 14 + 86);
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn colorbar(mut self, show: bool) -> Self {
        self.colorbar = show;
        self
    }

    /// The picture, or the mistake in the input (wrong shape, unknown
    /// colour map).
    pub fn figure(&self) -> Result<Figure> {
        let (colors, scale) = match self.data.clone()? {
            Picture::Rgb(colors) => {
                if self.colorbar {
                    return Err(Error::value(
                        "imshow: an RGB picture has no colour map, so it has no colour bar: drop .colorbar(true), or show one channel, e.g. x.slice(s![.., .., 0])",
                    ));
                }
                (colors, None)
            }
            Picture::Values(data) => {
                let cmap = Cmap::from_name(&self.cmap)?;
                let (lo, hi) = self.range.unwrap_or_else(|| finite_range(data.iter()));
                let colors = data.mapv(|v| {
                    if !v.is_finite() {
                        return RGBColor(255, 255, 255);
                    }
                    let t = if hi > lo { (v - lo) / (hi - lo) } else { 0.0 };
                    cmap.color(t)
                });
                let bar = self.colorbar.then(|| ColorScale {
                    title: Vec::new(),
                    columns: vec![(0..256).map(|i| cmap.color(i as f32 / 255.0)).collect()],
                    range: (lo, hi),
                    ticks: nice_ticks(lo, hi),
                    mark: None,
                });
                (colors, bar)
            }
        };
        let (h, w) = colors.dim();
        let factor = self
            .scale
            .unwrap_or_else(|| (TARGET / h.max(w)).max(1) as u32);
        let extra = if scale.is_some() { COLORBAR } else { 0 };
        let width = w as u32 * factor + LEFT + RIGHT + extra;
        let height = h as u32 * factor + TOP + BOTTOM;
        let shown = Shown {
            pixels: Pixels {
                colors,
                scale: factor,
            },
            colorbar: scale,
        };
        Figure::new(width, height, painter!(draw, shown))
    }
}

builder_output!(Image);

/// The colours of the cells and their size on screen.
pub(crate) struct Pixels {
    pub(crate) colors: Array2<RGBColor>,
    pub(crate) scale: u32,
}

/// The picture and its colour bar.
struct Shown {
    pixels: Pixels,
    colorbar: Option<ColorScale>,
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, shown: &Shown) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let p = &shown.pixels;
    let (l, t) = (LEFT as i32, TOP as i32);
    draw_pixels(root, p, (l, t))?;
    let (h, w) = p.colors.dim();
    let s = p.scale as i32;
    let (right, bottom) = (l + w as i32 * s, t + h as i32 * s);
    let grey = RGBColor(110, 110, 110);
    root.draw(&Rectangle::new(
        [(l - 1, t - 1), (right, bottom)],
        grey.stroke_width(1),
    ))?;
    let label = text(13.0);
    let below = label.pos(Pos::new(HPos::Center, VPos::Top));
    for j in (0..w).step_by(tick_step(w)) {
        let x = l + j as i32 * s + s / 2;
        root.draw(&PathElement::new(vec![(x, bottom), (x, bottom + 4)], grey))?;
        root.draw(&Text::new(j.to_string(), (x, bottom + 6), below.clone()))?;
    }
    let beside = label.pos(Pos::new(HPos::Right, VPos::Center));
    for i in (0..h).step_by(tick_step(h)) {
        let y = t + i as i32 * s + s / 2;
        root.draw(&PathElement::new(vec![(l - 5, y), (l - 1, y)], grey))?;
        root.draw(&Text::new(i.to_string(), (l - 7, y), beside.clone()))?;
    }
    if let Some(bar) = &shown.colorbar {
        draw_side(
            root,
            (right + RIGHT as i32 + 4, t - 8, bottom),
            &[],
            Some(bar),
        )?;
    }
    Ok(())
}

/// Every how many rows or columns a number is written: 1, 2 or 5 times a
/// power of ten, at most 7 numbers.
fn tick_step(n: usize) -> usize {
    let mut unit = 1;
    loop {
        for m in [1, 2, 5] {
            if n <= 7 * m * unit {
                return m * unit;
            }
        }
        unit *= 10;
    }
}

/// Draws `p` with its top-left corner at `at`, one square per cell
/// (runs of equal colour in a row as one rectangle).
pub(crate) fn draw_pixels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    p: &Pixels,
    at: (i32, i32),
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let s = p.scale as i32;
    for (i, row) in p.colors.rows().into_iter().enumerate() {
        let y = at.1 + i as i32 * s;
        let mut j = 0;
        while j < row.len() {
            let c = row[j];
            let mut k = j + 1;
            while k < row.len() && row[k] == c {
                k += 1;
            }
            if c != WHITE {
                root.draw(&Rectangle::new(
                    [(at.0 + j as i32 * s, y), (at.0 + k as i32 * s, y + s)],
                    c.filled(),
                ))?;
            }
            j = k;
        }
    }
    Ok(())
}
