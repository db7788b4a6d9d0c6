//! `decision_boundary`: what a model predicts over the plane of a
//! two-feature problem, with the data points on top.

use super::figure::{painter, Figure};
use super::scatter::{draw_points, padded_ranges, PointsPlot, Regions};
use super::{points2, same_count, to_classes, PlotData};
use crate::error::{Error, Result};
use crate::model::Graph;
use ndarray::{Array2, ArrayD, Axis};

/// Grid cells per side.
const GRID: usize = 160;

/// The regions of the plane a model assigns to each class, for a model
/// with two input features: the model predicts on a 160 x 160 grid
/// covering the points (a `(n, 1)` output is class 1 from 0.5 up, a
/// `(n, classes)` output picks the largest), the regions are filled in
/// light colours (lighter where the model is less sure), and the points of
/// `x` (shape `(n, 2)`) are drawn coloured by their label `y`.
///
/// Takes the model by reference (`&model`); it is not changed.
///
/// ```
/// use kerust::prelude::*;
/// let (x, y) = datasets::make_classification(60, 2, 1);
/// let mut model = Sequential::new();
/// model.add(Dense::new(1).input_shape([2]).activation("sigmoid"))?;
/// model.compile(SGD::new(0.2), "binary_crossentropy", ["acc"])?;
/// model.fit(&x, &y, Fit::epochs(5).verbose(0))?;
/// let fig = plot::decision_boundary(&model, &x, &y)?;
/// assert!(fig.width() > 400);
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn decision_boundary(model: &Graph, x: impl PlotData, y: impl PlotData) -> Result<Figure> {
    decision_boundary_data(model, x.plot_data(), y.plot_data())
}

fn decision_boundary_data(model: &Graph, x: ArrayD<f32>, y: ArrayD<f32>) -> Result<Figure> {
    let call = "decision_boundary";
    if model.input_shape() != Some(&[2][..]) {
        return Err(Error::shape(format!(
            "{call} draws models with 2 input features, but {} takes input of shape {}",
            model.name(),
            model
                .input_shape()
                .map(crate::shape::keras_shape)
                .unwrap_or_else(|| "(not known yet: the model has no layers)".into())
        )));
    }
    let x = points2(x, "x", call)?;
    let labels = to_classes(&y, "decision_boundary: y")?;
    same_count(x.nrows(), &labels, "y", call)?;

    let (xr, yr) = padded_ranges(&x);
    let mut grid = Array2::<f32>::zeros((GRID * GRID, 2));
    for i in 0..GRID {
        for j in 0..GRID {
            let row = i * GRID + j;
            grid[[row, 0]] = (xr.0 + (j as f64 + 0.5) * (xr.1 - xr.0) / GRID as f64) as f32;
            grid[[row, 1]] = (yr.0 + (i as f64 + 0.5) * (yr.1 - yr.0) / GRID as f64) as f32;
        }
    }
    let mut m = model.clone();
    let out = m.predict(&grid)?;
    let k = out.len() / (GRID * GRID);
    if out.ndim() != 2 || k == 0 {
        return Err(Error::shape(format!(
            "{call} needs a model whose output has shape (None, 1) or (None, classes), but {} outputs {}",
            model.name(),
            crate::shape::keras_shape(&out.shape()[1..])
        )));
    }
    let cells = Array2::from_shape_fn((GRID, GRID), |(i, j)| {
        let row = out.index_axis(Axis(0), i * GRID + j);
        if k == 1 {
            let p = row[0];
            let class = usize::from(p >= 0.5);
            let sure = ((p - 0.5).abs() * 2.0).clamp(0.0, 1.0);
            (class, level(sure))
        } else {
            let (best, pmax) = super::argmax_value(row.iter());
            let floor = 1.0 / k as f32;
            let sure = ((pmax - floor) / (1.0 - floor)).clamp(0.0, 1.0);
            (best, level(sure))
        }
    });
    let plot = PointsPlot {
        title: format!("decision boundary of {}", model.name()),
        x,
        labels,
        regions: Some(Regions {
            cells,
            x: xr,
            y: yr,
        }),
    };
    Figure::new(560, 480, painter!(draw_points, plot))
}

/// How sure, in four steps (NaN counts as unsure).
fn level(sure: f32) -> u8 {
    if sure.is_finite() {
        (sure * 4.0).floor().clamp(0.0, 3.0) as u8
    } else {
        0
    }
}
