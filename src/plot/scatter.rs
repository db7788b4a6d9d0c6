//! `scatter`: 2-D points coloured by their class, as the perceptron
//! lesson's `plt.scatter(x[:, 0], x[:, 1], c=y)`; also the chart that
//! `decision_boundary` draws on.

use super::figure::{painter, text, DrawResult, Figure};
use super::legend::{draw_side, ColorScale, Key};
use super::{class_color, points2, same_count, short_number, to_classes, PlotData};
use crate::error::Result;
use ndarray::{Array2, ArrayD};
use plotters::coord::Shift;
use plotters::prelude::*;

const WIDTH: u32 = 660;
const HEIGHT: u32 = 460;
/// The panel right of the chart, for the legend (and a colour scale).
pub(crate) const SIDE: u32 = 110;

/// Filled regions behind the points: what a model predicts on a grid.
pub(crate) struct Regions {
    /// The fill colour of each grid cell, row 0 at the bottom.
    pub(crate) fill: Array2<RGBColor>,
    /// Lines drawn over the fill, in data coordinates.
    pub(crate) lines: Vec<Vec<(f64, f64)>>,
    /// The legend's name for the lines.
    pub(crate) line_label: String,
    /// What the fill colours mean.
    pub(crate) scale: ColorScale,
    pub(crate) x: (f64, f64),
    pub(crate) y: (f64, f64),
}

/// Points, their classes, and optionally regions.
pub(crate) struct PointsPlot {
    pub(crate) title: String,
    pub(crate) x: Array2<f32>,
    pub(crate) labels: Vec<usize>,
    pub(crate) regions: Option<Regions>,
    /// Width of the panel right of the chart.
    pub(crate) side: u32,
}

/// The axis ranges that show every point with a margin.
pub(crate) fn padded_ranges(x: &Array2<f32>) -> ((f64, f64), (f64, f64)) {
    let pad = |(lo, hi): (f32, f32)| {
        let (lo, hi) = (f64::from(lo), f64::from(hi));
        let d = if hi - lo > 1e-12 {
            (hi - lo) * 0.1
        } else {
            0.5
        };
        (lo - d, hi + d)
    };
    (
        pad(super::finite_range(x.column(0))),
        pad(super::finite_range(x.column(1))),
    )
}

/// 2-D points `x` (shape `(n, 2)`) coloured by their class `y` (`(n,)`
/// labels 0, 1, ..., or one-hot rows), with a legend right of the chart.
///
/// ```
/// use kerust::prelude::*;
/// let (x, y) = datasets::make_classification(100, 2, 42);
/// let fig = plot::scatter(&x, &y)?;
/// assert_eq!((fig.width(), fig.height()), (660, 460));
/// assert!(plot::scatter(&x, &array![0, 1]).is_err()); // 100 points, 2 labels
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn scatter(x: impl PlotData, y: impl PlotData) -> Result<Figure> {
    scatter_data(x.plot_data(), y.plot_data())
}

fn scatter_data(x: ArrayD<f32>, y: ArrayD<f32>) -> Result<Figure> {
    let x = points2(x, "x", "scatter")?;
    let labels = to_classes(&y, "scatter: y")?;
    same_count(x.nrows(), &labels, "y", "scatter")?;
    let plot = PointsPlot {
        title: String::new(),
        x,
        labels,
        regions: None,
        side: SIDE,
    };
    Figure::new(WIDTH, HEIGHT, painter!(draw_points, plot))
}

pub(crate) fn draw_points<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    p: &PointsPlot,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (xr, yr) = match &p.regions {
        Some(r) => (r.x, r.y),
        None => padded_ranges(&p.x),
    };
    let (w, _) = root.dim_in_pixel();
    let side_left = w.saturating_sub(p.side) as i32;
    let (left, _) = root.split_horizontally(side_left);
    let mut builder = ChartBuilder::on(&left);
    builder
        .margin(14)
        .margin_right(16)
        .x_label_area_size(44)
        .y_label_area_size(60);
    if !p.title.is_empty() {
        builder.caption(&p.title, text(18.0));
    }
    let mut chart = builder.build_cartesian_2d(xr.0..xr.1, yr.0..yr.1)?;
    chart
        .configure_mesh()
        .x_desc("feature 1 (x[:, 0])")
        .y_desc("feature 2 (x[:, 1])")
        .x_labels(8)
        .y_labels(8)
        .x_label_formatter(&|v| short_number(*v))
        .y_label_formatter(&|v| short_number(*v))
        .label_style(text(14.5))
        .axis_desc_style(text(15.0))
        .disable_mesh()
        .draw()?;

    if let Some(r) = &p.regions {
        let (rows, cols) = r.fill.dim();
        let dx = (r.x.1 - r.x.0) / cols as f64;
        let dy = (r.y.1 - r.y.0) / rows as f64;
        let mut rects = Vec::new();
        for i in 0..rows {
            let y0 = r.y.0 + i as f64 * dy;
            let mut j = 0;
            while j < cols {
                let c = r.fill[[i, j]];
                let mut k = j + 1;
                while k < cols && r.fill[[i, k]] == c {
                    k += 1;
                }
                rects.push(Rectangle::new(
                    [
                        (r.x.0 + j as f64 * dx, y0),
                        (r.x.0 + k as f64 * dx, y0 + dy),
                    ],
                    c.filled(),
                ));
                j = k;
            }
        }
        chart.draw_series(rects)?;
        chart.draw_series(
            r.lines
                .iter()
                .map(|line| PathElement::new(line.clone(), BLACK.stroke_width(2))),
        )?;
    }

    let mut classes: Vec<usize> = p.labels.clone();
    classes.sort_unstable();
    classes.dedup();
    let radius = if p.x.nrows() > 500 { 3 } else { 5 };
    for &c in &classes {
        let color = class_color(c);
        let pts: Vec<(f64, f64)> =
            p.x.rows()
                .into_iter()
                .zip(&p.labels)
                .filter(|(_, &l)| l == c)
                .map(|(row, _)| (f64::from(row[0]), f64::from(row[1])))
                .collect();
        chart.draw_series(pts.iter().map(|&pt| {
            EmptyElement::at(pt)
                + Circle::new((0, 0), radius, color.filled())
                + Circle::new((0, 0), radius, BLACK.mix(0.7).stroke_width(1))
        }))?;
    }
    let mut entries: Vec<(Key, String)> = classes
        .iter()
        .map(|&c| (Key::Point(class_color(c)), format!("class {c}")))
        .collect();
    if let Some(r) = &p.regions {
        if !r.lines.is_empty() {
            entries.push((Key::Line(BLACK, 2), r.line_label.clone()));
        }
    }
    let (_, py) = chart.plotting_area().get_pixel_range();
    draw_side(
        root,
        (side_left, py.start, py.end),
        &entries,
        p.regions.as_ref().map(|r| &r.scale),
    )
}
