//! `images`: a grid of digits with their labels, and the model's
//! predictions with the wrong ones in red.

use super::figure::{builder_output, painter, text, DrawResult, Figure};
use super::imshow::{draw_pixels, Pixels};
use super::rgb::{check_rgb_range, rgb_pixels};
use super::{finite_range, to_classes, Cmap, PlotData};
use crate::error::{Error, Result};
use ndarray::{Array4, ArrayD, Axis, Ix4};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Each image is scaled to about this many pixels on its longer side.
const CELL: usize = 112;
/// ... or this many when the grid shows one or two images.
const CELL_FEW: usize = 224;
const LABEL: i32 = 24;
const LABEL_SIZE: f32 = 17.0;
const GAP: i32 = 12;
const MARGIN: i32 = 10;
const RED: RGBColor = RGBColor(0xd6, 0x27, 0x28);

/// A grid of images with labels above them; made by [`images`].
#[derive(Debug, Clone)]
pub struct Images {
    state: Result<Grid>,
    cmap: String,
    limit: usize,
    columns: usize,
    wrong_first: bool,
    class_names: Option<Vec<String>>,
}

#[derive(Debug, Clone)]
struct Grid {
    /// `(n, height, width, channels)`, one channel or three (RGB).
    x: Array4<f32>,
    /// RGB values are integers 0..=255 (else floats 0..=1).
    integers: bool,
    labels: Vec<usize>,
    predictions: Option<Vec<usize>>,
}

/// A grid of the first 25 images of `x` (shape `(n, height, width)`, any
/// number type) with each one's label above it, drawn with the `binary`
/// colour map (black ink on white) as in the MNIST lessons.
///
/// Colour pictures `(n, height, width, 3)`, such as CIFAR-10's, are drawn
/// in their colours: integers (`u8`) as 0..=255, floats as 0..=1 (see
/// [`imshow`](super::imshow)). [`Images::class_names`] writes each class's
/// name instead of its number.
///
/// `labels` are class numbers `(n,)`, or one-hot rows `(n, classes)`.
/// Add the model's predictions with [`Images::predictions`]: the wrong
/// ones are then labelled and framed in red, as "3 (true 5)", and a line
/// under the grid says how many of all the predictions are wrong. The
/// first 25 images may all be right: [`Images::wrong_first`] shows the
/// wrong ones first.
///
/// ```
/// use kerust::prelude::*;
/// let x = Array3::<u8>::from_shape_fn((6, 28, 28), |(n, i, j)| ((n + i * j) % 256) as u8);
/// let labels = array![5u8, 0, 4, 1, 9, 2];
/// let grid = plot::images(&x, &labels).figure()?;
/// assert!(grid.width() > 5 * 100);
/// let marked = plot::images(&x, &labels).predictions(&array![5u8, 0, 4, 7, 9, 2]);
/// marked.save(std::env::temp_dir().join("kerust_doc_grid.png"))?;
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn images(x: impl PlotData, labels: impl PlotData) -> Images {
    images_data(x.plot_data(), x.plot_integers(), labels.plot_data())
}

fn images_data(x: ArrayD<f32>, integers: bool, labels: ArrayD<f32>) -> Images {
    let state = (|| {
        let x = to_stack(x)?;
        if x.shape()[3] == 3 {
            check_rgb_range(x.view().into_dyn(), integers, "images")?;
        }
        let labels = to_classes(&labels, "images: labels")?;
        if labels.len() != x.shape()[0] {
            return Err(Error::shape(format!(
                "images: x has {} images but labels has {} labels: one label per image is needed",
                x.shape()[0],
                labels.len()
            )));
        }
        Ok(Grid {
            x,
            integers,
            labels,
            predictions: None,
        })
    })();
    Images {
        state,
        cmap: "binary".into(),
        limit: 25,
        columns: 5,
        wrong_first: false,
        class_names: None,
    }
}

fn to_stack(x: ArrayD<f32>) -> Result<Array4<f32>> {
    let shape = x.shape().to_vec();
    let dims = match shape.as_slice() {
        [n, h, w] | [n, h, w, 1] => (*n, *h, *w, 1),
        [n, h, w, 3] => (*n, *h, *w, 3),
        [n, f] => {
            let side = (*f as f64).sqrt() as usize;
            if side * side == *f && side > 0 {
                (*n, side, side, 1)
            } else {
                return Err(Error::shape(format!(
                    "images expects x of shape (n, height, width) or (n, height, width, 3) but got shape {}",
                    crate::shape::array_shape(&shape)
                )));
            }
        }
        _ => {
            return Err(Error::shape(format!(
                "images expects x of shape (n, height, width) or (n, height, width, 3) but got shape {}",
                crate::shape::array_shape(&shape)
            )))
        }
    };
    if dims.0 == 0 || dims.1 == 0 || dims.2 == 0 {
        return Err(Error::value(format!(
            "images got no pixels: x has shape {}",
            crate::shape::array_shape(&shape)
        )));
    }
    if dims.1.saturating_mul(dims.2) > 1 << 20 {
        return Err(Error::value(format!(
            "images draws images of at most 1048576 pixels each but got shape {}",
            crate::shape::array_shape(&shape)
        )));
    }
    // a permuted array (filters moved to the front) is not in row-major order
    let x = if x.is_standard_layout() {
        x
    } else {
        x.as_standard_layout().into_owned()
    };
    x.into_shape_with_order(dims)
        .map_err(|e| Error::shape(format!("images: {e}")))?
        .into_dimensionality::<Ix4>()
        .map_err(|e| Error::shape(format!("images: {e}")))
}

impl Images {
    /// The model's predicted classes (`(n,)` class numbers, or the
    /// `(n, classes)` output of `predict`, whose largest entry wins): each
    /// image is then labelled with the prediction, in red with the true
    /// label when wrong.
    pub fn predictions(self, predicted: impl PlotData) -> Self {
        self.predictions_data(predicted.plot_data())
    }
    fn predictions_data(mut self, predicted: ArrayD<f32>) -> Self {
        if let Ok(grid) = &mut self.state {
            match to_classes(&predicted, "images: predictions") {
                Ok(p) if p.len() == grid.labels.len() => grid.predictions = Some(p),
                Ok(p) => {
                    self.state = Err(Error::shape(format!(
                        "images: there are {} images but {} predictions: one prediction per image is needed",
                        grid.labels.len(),
                        p.len()
                    )))
                }
                Err(e) => self.state = Err(e),
            }
        }
        self
    }
    /// Puts the images whose prediction is wrong first (in their order in
    /// `x`), then the right ones, so that the grid shows the model's
    /// mistakes (needs [`Images::predictions`]).
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let x = Array3::<u8>::from_shape_fn((40, 28, 28), |(n, i, j)| ((n + i * j) % 256) as u8);
    /// let labels = Array1::from_shape_fn(40, |i| (i % 10) as u8);
    /// let mut predicted = labels.clone();
    /// predicted[33] = 4; // wrong, but not among the first 25
    /// let grid = plot::images(&x, &labels).predictions(&predicted).wrong_first();
    /// grid.save(std::env::temp_dir().join("kerust_doc_wrong_first.png"))?;
    /// assert!(plot::images(&x, &labels).wrong_first().figure().is_err());
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn wrong_first(mut self) -> Self {
        self.wrong_first = true;
        self
    }
    crate::builder::setters! {
        /// Shows at most `n` images (default 25).
        limit(usize) => limit = limit.clamp(1, 400);
        /// Images per row (default 5).
        columns(usize) => columns = columns.clamp(1, 40);
        /// The colour map (default `"binary"`; see [`Image::cmap`](super::Image::cmap)).
        cmap(&str) => cmap = cmap.to_string();
    }
    /// Labels each image with its class's name, `names[label]`, instead of
    /// its number (TensorFlow's `class_names`); a label with no name is an
    /// error.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// const CLASS_NAMES: [&str; 3] = ["airplane", "automobile", "bird"];
    /// let x = Array4::<u8>::from_shape_fn((3, 32, 32, 3), |(n, i, j, c)| ((n * 40 + i * j + c * 60) % 256) as u8);
    /// let y = array![[0u8], [2], [1]]; // CIFAR-10's labels are (n, 1)
    /// let grid = plot::images(&x, &y).class_names(&CLASS_NAMES).figure()?;
    /// assert!(grid.width() > 3 * 96);
    /// assert!(plot::images(&x, &y).class_names(&["airplane"]).figure().is_err());
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn class_names<S: AsRef<str>>(self, names: &[S]) -> Self {
        self.class_names_vec(names.iter().map(|s| s.as_ref().to_string()).collect())
    }
    fn class_names_vec(mut self, names: Vec<String>) -> Self {
        self.class_names = Some(names);
        self
    }
    /// The name of class `c`: its number, or its name from [`Images::class_names`].
    fn name(&self, c: usize) -> Result<String> {
        match &self.class_names {
            None => Ok(c.to_string()),
            Some(names) => names.get(c).cloned().ok_or_else(|| {
                Error::value(format!(
                    "images: class {c} has no name: class_names has {} names, for classes 0 to {}",
                    names.len(),
                    names.len().saturating_sub(1)
                ))
            }),
        }
    }

    /// The picture, or the mistake in the input.
    pub fn figure(&self) -> Result<Figure> {
        let grid = self.state.clone()?;
        let cmap = Cmap::from_name(&self.cmap)?;
        let (n, h, w, channels) = grid.x.dim();
        let is_wrong = |i: usize| match &grid.predictions {
            Some(p) => p[i] != grid.labels[i],
            None => false,
        };
        let order: Vec<usize> = if self.wrong_first {
            if grid.predictions.is_none() {
                return Err(Error::value(
                    "images: wrong_first() needs the model's predictions: add .predictions(&predicted) before it",
                ));
            }
            (0..n)
                .filter(|&i| is_wrong(i))
                .chain((0..n).filter(|&i| !is_wrong(i)))
                .collect()
        } else {
            (0..n).collect()
        };
        let shown = n.min(self.limit);
        let cols = self.columns.min(shown);
        let rows = shown.div_ceil(cols);
        let cell = if shown <= 2 { CELL_FEW } else { CELL };
        let scale = (cell / h.max(w)).max(1);
        let (cw, ch) = ((w * scale) as i32, (h * scale) as i32);
        let cells = order[..shown]
            .iter()
            .map(|&i| {
                let img = grid.x.index_axis(Axis(0), i);
                let colors = if channels == 3 {
                    rgb_pixels(img, grid.integers)
                } else {
                    let img = img.index_axis(Axis(2), 0);
                    let (lo, hi) = finite_range(img.iter());
                    img.mapv(|v| {
                        if !v.is_finite() {
                            return WHITE;
                        }
                        cmap.color(if hi > lo { (v - lo) / (hi - lo) } else { 0.0 })
                    })
                };
                let truth = self.name(grid.labels[i])?;
                let (label, wrong) = match &grid.predictions {
                    None => (truth, false),
                    Some(p) if p[i] == grid.labels[i] => (truth, false),
                    Some(p) => (format!("{} (true {truth})", self.name(p[i])?), true),
                };
                Ok(Cell {
                    pixels: Pixels {
                        colors,
                        scale: scale as u32,
                    },
                    label,
                    wrong,
                })
            })
            .collect::<Result<Vec<Cell>>>()?;
        // a column is as wide as its widest label
        let font = super::text::font();
        let widest = cells
            .iter()
            .map(|c| {
                font.as_ref()
                    .map(|f| super::text::measure(f, LABEL_SIZE, &c.label).0 as i32)
                    .unwrap_or(0)
            })
            .max()
            .unwrap_or(0);
        let pitch = cw.max(widest + 4);
        let wrong = grid
            .predictions
            .as_ref()
            .map(|_| (0..n).filter(|&i| is_wrong(i)).count());
        let note = note(shown, n, wrong, self.wrong_first);
        let footer = if note.is_empty() { 0 } else { 24 };
        let layout = Layout {
            cells,
            cols,
            cw,
            ch,
            pitch,
            note,
        };
        let note_width = font
            .map(|f| super::text::measure(&f, 14.0, &layout.note).0 as i32)
            .unwrap_or(0);
        let width = (2 * MARGIN + cols as i32 * pitch + (cols as i32 - 1) * GAP)
            .max(2 * MARGIN + note_width);
        let height = 2 * MARGIN + rows as i32 * (ch + LABEL) + (rows as i32 - 1) * GAP + footer;
        Figure::new(width.max(160) as u32, height as u32, painter!(draw, layout))
    }
}

builder_output!(Images);

struct Cell {
    pixels: Pixels,
    label: String,
    wrong: bool,
}

struct Layout {
    cells: Vec<Cell>,
    cols: usize,
    cw: i32,
    ch: i32,
    /// The width of a column: the image's, or its widest label's.
    pitch: i32,
    /// The line under the grid (may be empty).
    note: String,
}

/// The line under the grid: which images are shown and, with
/// predictions, how many of all are wrong.
fn note(shown: usize, n: usize, wrong: Option<usize>, wrong_first: bool) -> String {
    match (wrong, wrong_first) {
        (Some(0), true) => format!("all {n} predictions are right"),
        (Some(w), true) if w >= shown => {
            format!("{shown} of the {w} wrong predictions (in red) among {n} images")
        }
        (Some(w), true) => format!(
            "all {w} wrong predictions (in red) among {n} images, then {} right ones",
            shown - w
        ),
        // one image: its label says it
        _ if n == 1 => String::new(),
        (Some(w), false) => {
            let count = match w {
                0 => format!("all {n} predictions are right"),
                _ => format!("{w} of the {n} predictions are wrong (in red)"),
            };
            if shown < n {
                format!("the first {shown} of {n} images; {count}")
            } else {
                count
            }
        }
        (None, _) if shown < n => format!("the first {shown} of {n} images"),
        (None, _) => String::new(),
    }
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, l: &Layout) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let label_style = text(f64::from(LABEL_SIZE)).pos(Pos::new(HPos::Center, VPos::Center));
    for (i, cell) in l.cells.iter().enumerate() {
        let (r, c) = ((i / l.cols) as i32, (i % l.cols) as i32);
        let x0 = MARGIN + c * (l.pitch + GAP) + (l.pitch - l.cw) / 2;
        let y0 = MARGIN + r * (l.ch + LABEL + GAP);
        let color = if cell.wrong { RED } else { BLACK };
        root.draw(&Text::new(
            cell.label.clone(),
            (x0 + l.cw / 2, y0 + LABEL / 2 - 2),
            label_style.color(&color),
        ))?;
        let top = y0 + LABEL;
        draw_pixels(root, &cell.pixels, (x0, top))?;
        let frame = if cell.wrong {
            RED.stroke_width(3)
        } else {
            RGBColor(190, 190, 190).stroke_width(1)
        };
        root.draw(&Rectangle::new(
            [(x0 - 1, top - 1), (x0 + l.cw, top + l.ch)],
            frame,
        ))?;
    }
    if !l.note.is_empty() {
        let (_, h) = root.dim_in_pixel();
        root.draw(&Text::new(
            l.note.clone(),
            (MARGIN, h as i32 - MARGIN - 16),
            text(14.0).color(&RGBColor(70, 70, 70)),
        ))?;
    }
    Ok(())
}
