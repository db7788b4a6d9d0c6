//! `confusion_matrix`: how often each true class was predicted as each
//! class, with the counts in the cells.

use super::figure::{painter, text, DrawResult, Figure};
use super::{to_classes, Cmap, PlotData};
use crate::error::{Error, Result};
use ndarray::{Array2, ArrayD};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontTransform;

/// The most classes drawn.
const MAX_CLASSES: usize = 100;
const LEFT: i32 = 84;
const TOP: i32 = 44;
const BOTTOM: i32 = 62;
const RIGHT: i32 = 24;

struct Matrix {
    counts: Array2<usize>,
    cell: i32,
}

/// The confusion matrix of true labels `y_true` against predictions
/// `y_pred`: row = true class, column = predicted class, each cell shaded
/// by its count (as scikit-learn's `ConfusionMatrixDisplay`, `Blues`) with
/// the count written in it.
///
/// Both take class numbers `(n,)`, one-hot rows, or the `(n, classes)`
/// output of `predict` (the largest entry wins); a `(n, 1)` output of a
/// sigmoid counts 0.5 and above as class 1.
///
/// ```
/// use kerust::prelude::*;
/// let y_true = array![0, 1, 2, 2, 1, 0];
/// let y_pred = array![0, 2, 2, 2, 1, 0];
/// let fig = plot::confusion_matrix(&y_true, &y_pred)?;
/// assert!(fig.width() > 200);
/// assert!(plot::confusion_matrix(&y_true, &array![0, 1]).is_err());
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn confusion_matrix(y_true: impl PlotData, y_pred: impl PlotData) -> Result<Figure> {
    confusion_matrix_data(y_true.plot_data(), y_pred.plot_data())
}

fn confusion_matrix_data(y_true: ArrayD<f32>, y_pred: ArrayD<f32>) -> Result<Figure> {
    let t = to_classes(&y_true, "confusion_matrix: y_true")?;
    let p = to_classes(&y_pred, "confusion_matrix: y_pred")?;
    if t.len() != p.len() {
        return Err(Error::shape(format!(
            "confusion_matrix: y_true has {} labels but y_pred has {}: one prediction per label is needed",
            t.len(),
            p.len()
        )));
    }
    if t.is_empty() {
        return Err(Error::value(
            "confusion_matrix: y_true and y_pred are empty",
        ));
    }
    let k = t.iter().chain(&p).max().copied().unwrap_or(0) + 1;
    if k > MAX_CLASSES {
        return Err(Error::value(format!(
            "confusion_matrix draws at most {MAX_CLASSES} classes but the labels go up to {}",
            k - 1
        )));
    }
    let k = k.max(2);
    let mut counts = Array2::<usize>::zeros((k, k));
    for (&a, &b) in t.iter().zip(&p) {
        counts[[a, b]] += 1;
    }
    let cell = (480 / k as i32).clamp(22, 64);
    let width = LEFT + k as i32 * cell + RIGHT;
    let height = TOP + k as i32 * cell + BOTTOM;
    Figure::new(
        width.max(260) as u32,
        height as u32,
        painter!(draw, Matrix { counts, cell }),
    )
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, m: &Matrix) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let k = m.counts.nrows() as i32;
    let c = m.cell;
    let most = m.counts.iter().copied().max().unwrap_or(0).max(1);
    let centered = Pos::new(HPos::Center, VPos::Center);
    let (w, _) = root.dim_in_pixel();
    let grid_w = k * c;
    let x0 = LEFT.max((w as i32 - grid_w - RIGHT + LEFT) / 2);
    root.draw(&Text::new(
        "Confusion matrix",
        (x0 + grid_w / 2, 20),
        text(17.0).pos(centered),
    ))?;
    let size = f64::from(c) * 0.4;
    let size = size.clamp(10.0, 19.0);
    for i in 0..k {
        for j in 0..k {
            let n = m.counts[[i as usize, j as usize]];
            let t = n as f32 / most as f32;
            let fill = Cmap::Blues.color(t);
            let (cx0, cy0) = (x0 + j * c, TOP + i * c);
            root.draw(&Rectangle::new(
                [(cx0, cy0), (cx0 + c, cy0 + c)],
                fill.filled(),
            ))?;
            let ink = if t > 0.5 { WHITE } else { BLACK };
            root.draw(&Text::new(
                n.to_string(),
                (cx0 + c / 2, cy0 + c / 2),
                text(size).pos(centered).color(&ink),
            ))?;
        }
    }
    root.draw(&Rectangle::new(
        [(x0, TOP), (x0 + grid_w, TOP + grid_w)],
        RGBColor(120, 120, 120).stroke_width(1),
    ))?;
    let tick = text(15.0).pos(centered);
    let every = if k > 30 { 5 } else { 1 };
    for i in (0..k).step_by(every) {
        root.draw(&Text::new(
            i.to_string(),
            (x0 + i * c + c / 2, TOP + grid_w + 12),
            tick.clone(),
        ))?;
        root.draw(&Text::new(
            i.to_string(),
            (x0 - 14, TOP + i * c + c / 2),
            tick.clone(),
        ))?;
    }
    root.draw(&Text::new(
        "Predicted label",
        (x0 + grid_w / 2, TOP + grid_w + 40),
        text(16.0).pos(centered),
    ))?;
    root.draw(&Text::new(
        "True label",
        (x0 - 44, TOP + grid_w / 2),
        text(16.0).pos(centered).transform(FontTransform::Rotate270),
    ))?;
    Ok(())
}
