//! `row`: several figures side by side in one picture, as matplotlib's
//! `plt.subplot(1, n, i)`. evcxr shows only a cell's last rich output, so
//! two pictures that belong together are put in one row.

use super::figure::{builder_output, Canvas, DrawResult, Figure};
use crate::error::{Error, Result};
use crate::model::History;

/// The space between two figures of a row, in pixels.
const GAP: u32 = 16;

/// Anything that draws a [`Figure`]: a figure, a builder such as
/// [`Image`](super::Image) or [`Bars`](super::Bars), a `Result<Figure>`
/// from `plot::scatter`, or a [`History`].
pub trait ToFigure {
    /// The figure, or the mistake in the input.
    fn to_figure(&self) -> Result<Figure>;
}

impl ToFigure for Figure {
    fn to_figure(&self) -> Result<Figure> {
        Ok(self.clone())
    }
}

impl ToFigure for Result<Figure> {
    fn to_figure(&self) -> Result<Figure> {
        self.clone()
    }
}

impl ToFigure for History {
    fn to_figure(&self) -> Result<Figure> {
        Ok(super::history(self))
    }
}

/// Figures side by side; made by [`row`].
#[derive(Debug, Clone)]
pub struct Row {
    figures: Result<Vec<Figure>>,
}

/// Puts figures side by side, left to right, tops aligned, in one
/// picture: TensorFlow's `plt.subplot(1, 2, 1)` ... `plt.subplot(1, 2, 2)`
/// (a cell shows only its last picture, so draw the two as one row). Each
/// part may be any plot: a figure, a builder, or a `Result<Figure>`.
///
/// ```
/// use kerust::prelude::*;
/// let image = Array2::<u8>::from_shape_fn((28, 28), |(i, j)| ((i * j) % 256) as u8);
/// let probabilities = array![0.1f32, 0.7, 0.2];
/// let both = plot::row(&[
///     &plot::imshow(&image).cmap("binary"),
///     &plot::bar(&probabilities).true_label(1),
/// ]);
/// let fig = both.figure()?;
/// assert_eq!(fig.width(), (38 + 280 + 14) + 16 + (460 + 170));
/// both.save(std::env::temp_dir().join("kerust_doc_row.png"))?;
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn row(parts: &[&dyn ToFigure]) -> Row {
    let figures = if parts.is_empty() {
        Err(Error::value(
            "row needs at least one figure, e.g. plot::row(&[&a, &b])",
        ))
    } else {
        parts.iter().map(|p| p.to_figure()).collect()
    };
    Row { figures }
}

impl Row {
    /// The picture, or the first part's mistake.
    pub fn figure(&self) -> Result<Figure> {
        let figures = self.figures.clone()?;
        let width =
            figures.iter().map(Figure::width).sum::<u32>() + GAP * (figures.len() as u32 - 1);
        let height = figures.iter().map(Figure::height).max().unwrap_or(1);
        Figure::new(width, height, move |canvas: Canvas<'_, '_>| {
            paint_all(&figures, canvas)
        })
    }
}

builder_output!(Row);

/// Draws each figure in its own area, left to right.
fn paint_all(figures: &[Figure], canvas: Canvas<'_, '_>) -> DrawResult {
    let mut x = 0i32;
    for f in figures {
        let size = (f.width(), f.height());
        match &canvas {
            Canvas::Bitmap(a) => f.paint(Canvas::Bitmap(&(*a).clone().shrink((x, 0), size)))?,
            Canvas::Svg(a) => f.paint(Canvas::Svg(&(*a).clone().shrink((x, 0), size)))?,
        }
        x += (f.width() + GAP) as i32;
    }
    Ok(())
}
