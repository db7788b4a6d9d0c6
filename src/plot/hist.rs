//! `hist`: how many values fall in each of equal bins, as `plt.hist`.

use super::chart::{label_methods, y_range, Labels};
use super::figure::{builder_output, draw_mesh, painter, text, DrawResult, Figure};
use super::{class_color, short_number, PlotData};
use crate::error::{Error, Result};
use ndarray::ArrayD;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

const WIDTH: u32 = 520;
const HEIGHT: u32 = 340;

/// A histogram; made by [`hist`].
#[derive(Debug, Clone)]
pub struct Hist {
    values: Vec<f32>,
    bins: usize,
    labels: Labels,
}

/// A histogram of `values` (any shape; every value counts): `bins` equal
/// bins from the smallest value to the largest (10 unless
/// [`Hist::bins`] says otherwise, as matplotlib's), the last bin holding
/// the largest value, and a bar per bin as tall as its count.
///
/// ```
/// use kerust::prelude::*;
/// let values = array![1.0f32, 2.0, 2.5, 3.0, 3.2, 3.9, 4.0];
/// let h = plot::hist(&values).bins(3).xlabel("price");
/// assert_eq!(h.counts()?, vec![1, 2, 4]);
/// assert_eq!(h.figure()?.width(), 520);
/// assert!(plot::hist(&[f32::NAN]).figure().is_err());
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn hist(values: impl PlotData) -> Hist {
    hist_data(values.plot_data())
}

fn hist_data(values: ArrayD<f32>) -> Hist {
    Hist {
        values: values.iter().copied().collect(),
        bins: 10,
        labels: Labels {
            ylabel: "count".into(),
            ..Labels::default()
        },
    }
}

label_methods!(Hist);

impl Hist {
    /// The number of bins (default 10; 1 to 1000).
    pub fn bins(mut self, n: usize) -> Self {
        self.bins = n.clamp(1, 1000);
        self
    }

    /// The bins' edges (`bins + 1` values) and how many values fall in each.
    fn binned(&self) -> Result<(Vec<f64>, Vec<usize>)> {
        if self.values.is_empty() {
            return Err(Error::value("hist got no values"));
        }
        if let Some(v) = self.values.iter().find(|v| !v.is_finite()) {
            return Err(Error::value(format!(
                "hist: the values contain {v}: only finite numbers can be counted into bins"
            )));
        }
        let (lo, hi) = super::finite_range(self.values.iter());
        let (lo, hi) = if hi > lo {
            (f64::from(lo), f64::from(hi))
        } else {
            // numpy's rule for a single value: the range value +- 0.5
            (f64::from(lo) - 0.5, f64::from(hi) + 0.5)
        };
        let n = self.bins;
        let width = (hi - lo) / n as f64;
        let edges: Vec<f64> = (0..=n).map(|i| lo + width * i as f64).collect();
        let mut counts = vec![0usize; n];
        for &v in &self.values {
            let i = ((f64::from(v) - lo) / width).floor() as usize;
            counts[i.min(n - 1)] += 1;
        }
        Ok((edges, counts))
    }

    /// How many values fall in each bin.
    pub fn counts(&self) -> Result<Vec<usize>> {
        Ok(self.binned()?.1)
    }

    /// The picture, or the mistake in the input.
    pub fn figure(&self) -> Result<Figure> {
        let (edges, counts) = self.binned()?;
        let top = counts.iter().copied().max().unwrap_or(0) as f32;
        let plot = HistPlot {
            edges,
            counts,
            y: y_range(0.0, top, true),
            labels: self.labels.clone(),
        };
        Figure::new(WIDTH, HEIGHT, painter!(draw, plot))
    }
}

builder_output!(Hist);

struct HistPlot {
    edges: Vec<f64>,
    counts: Vec<usize>,
    y: (f64, f64),
    labels: Labels,
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, p: &HistPlot) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (lo, hi) = (p.edges[0], p.edges[p.edges.len() - 1]);
    let pad = (hi - lo) * 0.04;
    let title_room = if p.labels.title.is_empty() { 14 } else { 40 };
    let mut chart = ChartBuilder::on(root)
        .margin(12)
        .margin_top(title_room)
        .margin_right(20)
        .x_label_area_size(if p.labels.xlabel.is_empty() { 30 } else { 46 })
        .y_label_area_size(if p.labels.ylabel.is_empty() { 52 } else { 70 })
        .build_cartesian_2d(lo - pad..hi + pad, p.y.0..p.y.1)?;
    draw_mesh(
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(8)
            .y_labels(6)
            .x_label_formatter(&|v| short_number(*v))
            .y_label_formatter(&|v| {
                if v.fract() == 0.0 {
                    format!("{v:.0}")
                } else {
                    String::new()
                }
            }),
        (p.labels.xlabel.as_str(), p.labels.ylabel.as_str()),
        230,
    )?;
    let fill = class_color(0);
    for (i, &c) in p.counts.iter().enumerate() {
        if c == 0 {
            continue;
        }
        let corners = [(p.edges[i], 0.0), (p.edges[i + 1], c as f64)];
        chart.draw_series([Rectangle::new(corners, fill.filled())])?;
        chart.draw_series([Rectangle::new(corners, WHITE.stroke_width(1))])?;
    }
    if !p.labels.title.is_empty() {
        let (bx, by) = root.get_base_pixel();
        let (px, py) = chart.plotting_area().get_pixel_range();
        root.draw(&Text::new(
            p.labels.title.clone(),
            (px.start - bx, py.start - by - title_room / 2),
            text(17.0).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    Ok(())
}
