//! `decision_boundary`: what a model predicts over the plane of a
//! two-feature problem, with the data points on top.

use super::contour::contour;
use super::figure::{painter, Figure};
use super::legend::ColorScale;
use super::scatter::{draw_points, padded_ranges, PointsPlot, Regions};
use super::{class_color, lighten, points2, same_count, to_classes, PlotData};
use crate::error::{Error, Result};
use crate::model::Graph;
use ndarray::{Array2, ArrayD, Axis};
use plotters::style::RGBColor;

/// Grid cells per side.
const GRID: usize = 160;

/// What a model with two input features predicts over the plane, with the
/// points of `x` (shape `(n, 2)`) on top, coloured by their label `y`.
///
/// The model predicts on a 160 x 160 grid covering the points. For a
/// `(n, 1)` output (a sigmoid) or a two-class softmax, the background
/// shows the probability of class 1 in steps of 0.05, from class 0's
/// colour (0) through white (0.5) to class 1's colour (1), and a black
/// line marks where it is 0.5: the decision boundary. For more classes,
/// the background takes the colour of the class predicted, lighter where
/// its probability is lower, and black lines mark the borders between
/// classes. A colour scale right of the chart says which colour is which
/// probability; the legend is above it, outside the data.
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
    let (dx, dy) = ((xr.1 - xr.0) / GRID as f64, (yr.1 - yr.0) / GRID as f64);
    let to_data = |line: Vec<(f32, f32)>| -> Vec<(f64, f64)> {
        line.into_iter()
            .map(|(j, i)| {
                (
                    xr.0 + (f64::from(j) + 0.5) * dx,
                    yr.0 + (f64::from(i) + 0.5) * dy,
                )
            })
            .collect()
    };
    let prob = |i: usize, j: usize, c: usize| out[[i * GRID + j, c]];
    let (fill, lines, scale, line_label) = if k <= 2 {
        // the probability of class 1: a sigmoid's output, or a two-class
        // softmax's second column
        let p1 = Array2::from_shape_fn((GRID, GRID), |(i, j)| prob(i, j, k - 1));
        let fill = p1.mapv(|p| binary_color(step(p, BINARY_STEPS)));
        let lines = contour(&p1, 0.5).into_iter().map(to_data).collect();
        let colors = (0..BINARY_STEPS)
            .map(|s| binary_color((s as f32 + 0.5) / BINARY_STEPS as f32))
            .collect();
        let scale = ColorScale {
            title: vec!["P(class 1)".into()],
            columns: vec![colors],
            range: (0.0, 1.0),
            ticks: vec![0.0, 0.25, 0.5, 0.75, 1.0],
            mark: Some(0.5),
        };
        (fill, lines, scale, "P = 0.5".to_string())
    } else {
        let floor = 1.0 / k as f32;
        let sure_color = |c: usize, s: f32| lighten(class_color(c), 1.0 - STRONGEST * s);
        let fill = Array2::from_shape_fn((GRID, GRID), |(i, j)| {
            let row = out.index_axis(Axis(0), i * GRID + j);
            let (best, pmax) = super::argmax_value(row.iter());
            if !pmax.is_finite() {
                return NO_VALUE;
            }
            let sure = (pmax - floor) / (1.0 - floor);
            sure_color(best, step(sure, CLASS_STEPS))
        });
        let mut lines = Vec::new();
        for c in 0..k {
            // class c's margin over the best other class: 0 on c's border
            let margin = Array2::from_shape_fn((GRID, GRID), |(i, j)| {
                let other = (0..k)
                    .filter(|&d| d != c)
                    .map(|d| prob(i, j, d))
                    .fold(f32::NEG_INFINITY, f32::max);
                prob(i, j, c) - other
            });
            lines.extend(contour(&margin, 0.0).into_iter().map(to_data));
        }
        let columns = (0..k.min(10))
            .map(|c| {
                (0..CLASS_STEPS)
                    .map(|s| sure_color(c, (s as f32 + 0.5) / CLASS_STEPS as f32))
                    .collect()
            })
            .collect();
        let mut ticks = vec![floor, 1.0];
        ticks.extend([0.5, 0.75].into_iter().filter(|&t| t - floor > 0.1));
        let scale = ColorScale {
            title: vec!["probability of".into(), "the predicted class".into()],
            columns,
            range: (floor, 1.0),
            ticks,
            mark: None,
        };
        (fill, lines, scale, "class border".to_string())
    };
    let plot = PointsPlot {
        title: format!("decision boundary of {}", model.name()),
        x,
        labels,
        regions: Some(Regions {
            fill,
            lines,
            line_label,
            scale,
            x: xr,
            y: yr,
        }),
        side: SIDE,
    };
    Figure::new(WIDTH, HEIGHT, painter!(draw_points, plot))
}

/// Colour steps of the probability of class 1 (0.05 each).
const BINARY_STEPS: usize = 20;
/// Colour steps of how sure a many-class model is.
const CLASS_STEPS: usize = 10;
/// The most a fill colour gets of its class colour (the rest is white),
/// so that the points on top stay visible.
const STRONGEST: f32 = 0.7;
/// The fill where the model's output is NaN.
const NO_VALUE: RGBColor = RGBColor(160, 160, 160);
const WIDTH: u32 = 720;
const HEIGHT: u32 = 480;
/// The panel right of the chart: legend and colour scale.
const SIDE: u32 = 160;

/// The middle of the step of `v` (in 0..=1) among `steps` equal steps;
/// NaN stays NaN.
fn step(v: f32, steps: usize) -> f32 {
    if !v.is_finite() {
        return f32::NAN;
    }
    let s = (v.clamp(0.0, 1.0) * steps as f32)
        .floor()
        .min(steps as f32 - 1.0);
    (s + 0.5) / steps as f32
}

/// The fill for a probability `p` of class 1: class 0's colour at 0,
/// white at 0.5, class 1's colour at 1.
fn binary_color(p: f32) -> RGBColor {
    if !p.is_finite() {
        return NO_VALUE;
    }
    let (class, sure) = if p < 0.5 {
        (0, (0.5 - p) * 2.0)
    } else {
        (1, (p - 0.5) * 2.0)
    };
    lighten(class_color(class), 1.0 - STRONGEST * sure)
}
