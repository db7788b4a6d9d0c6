//! `line`: values per epoch as curves, with labels and a legend, as
//! `plt.plot(history.history["val_mae"], label=...)`.

use super::chart::{label_methods, values_1d, y_range, Labels};
use super::figure::{builder_output, draw_mesh, painter, text, DrawResult, Figure};
use super::legend::{draw_side, Key};
use super::{class_color, epoch_points, short_number, PlotData};
use crate::error::{Error, Result};
use ndarray::ArrayD;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

const WIDTH: u32 = 520;
const HEIGHT: u32 = 340;

/// Curves over epochs; made by [`line`], more added with [`Lines::line`].
#[derive(Debug, Clone)]
pub struct Lines {
    series: Vec<(Result<Vec<f32>>, String)>,
    ylim: Option<(f32, f32)>,
    labels: Labels,
}

/// A curve through `values` (a `Vec`, a slice such as
/// `history["val_mae"]`, or a 1-D array) over epochs 1, 2, ..., n, as
/// Chollet's `plt.plot(range(1, len(h) + 1), h)`. Add more curves with
/// [`Lines::line`], name each with [`Lines::label`] (the names make a
/// legend right of the chart), and label the axes with `xlabel`/`ylabel`
/// (the x axis says "epoch" unless told otherwise).
///
/// ```
/// use kerust::prelude::*;
/// let mae = vec![3.1f32, 2.6, 2.4, 2.3, 2.35];
/// let val_mae = vec![3.3f32, 2.9, 2.8, 2.9, 3.0];
/// let fig = plot::line(&mae).label("training MAE")
///     .line(&val_mae).label("validation MAE")
///     .ylabel("MAE").figure()?;
/// assert_eq!(fig.width(), 520 + 170); // the legend's panel
/// assert!(plot::line(&mae).label("a").line(&val_mae[..2]).figure().is_ok());
/// assert!(plot::line(Vec::<f32>::new()).figure().is_err());
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn line(values: impl PlotData) -> Lines {
    line_data(values.plot_data())
}

fn line_data(values: ArrayD<f32>) -> Lines {
    Lines {
        series: vec![(values_1d(values, "line", ""), String::new())],
        ylim: None,
        labels: Labels {
            xlabel: "epoch".into(),
            ..Labels::default()
        },
    }
}

label_methods!(Lines);

impl Lines {
    /// Adds another curve (drawn in the next colour).
    pub fn line(self, values: impl PlotData) -> Self {
        self.line_data(values.plot_data())
    }
    fn line_data(mut self, values: ArrayD<f32>) -> Self {
        let label = String::new();
        self.series.push((values_1d(values, "line", ""), label));
        self
    }
    /// Names the last curve added; named curves are listed in a legend
    /// right of the chart.
    pub fn label(mut self, name: &str) -> Self {
        if let Some(last) = self.series.last_mut() {
            last.1 = name.to_string();
        }
        self
    }
    /// The y axis runs from `lo` to `hi` (matplotlib's `plt.ylim`).
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let fig = plot::line(&[9.0f32, 4.0, 3.0]).ylim(0.0, 10.0).figure()?;
    /// assert!(plot::line(&[1.0f32]).ylim(1.0, 0.0).figure().is_err());
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn ylim(mut self, lo: f32, hi: f32) -> Self {
        self.ylim = Some((lo, hi));
        self
    }

    /// The picture, or the mistake in the input.
    pub fn figure(&self) -> Result<Figure> {
        let mut curves = Vec::with_capacity(self.series.len());
        for (values, label) in &self.series {
            curves.push((values.clone()?, label.clone()));
        }
        let y = match self.ylim {
            Some((lo, hi)) if lo < hi && lo.is_finite() && hi.is_finite() => {
                (f64::from(lo), f64::from(hi))
            }
            Some((lo, hi)) => {
                return Err(Error::value(format!(
                    "line: ylim({lo}, {hi}) should go from a smaller to a larger finite number"
                )))
            }
            None => {
                let (lo, hi) = super::finite_range(curves.iter().flat_map(|(v, _)| v.iter()));
                y_range(lo, hi, false)
            }
        };
        let entries: Vec<(Key, String)> = curves
            .iter()
            .enumerate()
            .filter(|(_, (_, l))| !l.is_empty())
            .map(|(i, (_, l))| (Key::Line(class_color(i), 2), l.clone()))
            .collect();
        let side = if entries.is_empty() {
            0
        } else {
            side_width(&entries)
        };
        let plot = LinePlot {
            curves,
            y,
            labels: self.labels.clone(),
            entries,
        };
        Figure::new(WIDTH + side, HEIGHT, painter!(draw, plot))
    }
}

builder_output!(Lines);

/// The legend panel's width: room for the longest name.
fn side_width(entries: &[(Key, String)]) -> u32 {
    let widest = super::text::font()
        .map(|f| {
            entries
                .iter()
                .map(|(_, s)| super::text::measure(&f, 14.0, s).0)
                .max()
                .unwrap_or(0)
        })
        .unwrap_or(0);
    (widest + 60).max(170)
}

/// A y tick's label. The tick at zero may come out of the tick arithmetic
/// as -1.4e-17 (the 0 of a range from -0.1 to 0.15): that is 0.
fn tick_label(v: f64, span: f64) -> String {
    short_number(if v.abs() < 1e-9 * span { 0.0 } else { v })
}

struct LinePlot {
    curves: Vec<(Vec<f32>, String)>,
    y: (f64, f64),
    labels: Labels,
    entries: Vec<(Key, String)>,
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, p: &LinePlot) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let n = p.curves.iter().map(|(v, _)| v.len()).max().unwrap_or(1);
    let (chart_area, side) = root.split_horizontally(WIDTH);
    let title_room = if p.labels.title.is_empty() { 14 } else { 40 };
    // a little room left and right, so that no point sits on an axis
    let pad = (n as f64 * 0.02).max(0.3);
    let x_range = 1.0 - pad..n as f64 + pad;
    let span = (p.y.1 - p.y.0).abs().max(f64::MIN_POSITIVE);
    let mut chart = ChartBuilder::on(&chart_area)
        .margin(12)
        .margin_top(title_room)
        .margin_right(20)
        .x_label_area_size(if p.labels.xlabel.is_empty() { 30 } else { 46 })
        .y_label_area_size(if p.labels.ylabel.is_empty() { 48 } else { 62 })
        .build_cartesian_2d(x_range, p.y.0..p.y.1)?;
    draw_mesh(
        chart
            .configure_mesh()
            .x_labels(n.clamp(2, 10))
            .x_label_formatter(&|e| {
                let i = e.round();
                if (e - i).abs() < 1e-6 && i >= 1.0 && i <= n as f64 {
                    format!("{i:.0}")
                } else {
                    String::new()
                }
            })
            .y_labels(6)
            .y_label_formatter(&|v| tick_label(*v, span)),
        (p.labels.xlabel.as_str(), p.labels.ylabel.as_str()),
        225,
    )?;
    for (i, (values, _)) in p.curves.iter().enumerate() {
        let color = class_color(i);
        let points: Vec<(f64, f64)> = epoch_points(values).map(|(e, v)| (e as f64, v)).collect();
        // cut where a curve leaves the y range (plotters would draw such
        // points on the border, as if they were the border's value)
        for run in clip_runs(&points, p.y) {
            chart.draw_series(LineSeries::new(run, color.stroke_width(2)))?;
        }
        if points.len() <= 30 {
            let inside = points.iter().filter(|pt| (p.y.0..=p.y.1).contains(&pt.1));
            chart.draw_series(inside.map(|&pt| Circle::new(pt, 3, color.filled())))?;
        }
    }
    let (bx, by) = chart_area.get_base_pixel();
    let (px, py) = chart.plotting_area().get_pixel_range();
    if !p.labels.title.is_empty() {
        chart_area.draw(&Text::new(
            p.labels.title.clone(),
            (px.start - bx, py.start - by - title_room / 2),
            text(17.0).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    if !p.entries.is_empty() {
        draw_side(&side, (4, py.start - by, py.end - by), &p.entries, None)?;
    }
    Ok(())
}

/// The parts of the polyline `points` whose y lies in `lo..=hi`, each
/// cut exactly where it crosses `lo` or `hi`.
fn clip_runs(points: &[(f64, f64)], (lo, hi): (f64, f64)) -> Vec<Vec<(f64, f64)>> {
    let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut open = false;
    let inside = |y: f64| (lo..=hi).contains(&y);
    if points.len() == 1 && inside(points[0].1) {
        return vec![points.to_vec()];
    }
    for pair in points.windows(2) {
        let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
        // the part of the segment, as t in 0..=1, with y inside
        let (mut t0, mut t1) = (0.0f64, 1.0f64);
        let dy = y1 - y0;
        for (bound, below) in [(lo, true), (hi, false)] {
            if dy == 0.0 {
                if (below && y0 < bound) || (!below && y0 > bound) {
                    t0 = 1.0;
                    t1 = 0.0;
                }
                continue;
            }
            let t = (bound - y0) / dy;
            // entering or leaving through this bound
            if (below && dy > 0.0) || (!below && dy < 0.0) {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
        }
        if t0 > t1 {
            open = false;
            continue;
        }
        let at = |t: f64| (x0 + (x1 - x0) * t, y0 + dy * t);
        if !(open && t0 == 0.0) {
            runs.push(vec![at(t0)]);
        }
        if let Some(run) = runs.last_mut() {
            run.push(at(t1));
        }
        open = t1 == 1.0;
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::clip_runs;

    #[test]
    fn a_tick_at_zero_reads_0() {
        assert_eq!(super::tick_label(-1.3877787807814457e-17, 0.26), "0");
        assert_eq!(super::tick_label(0.05, 0.26), "0.05");
        assert_eq!(super::tick_label(-0.1, 0.26), "-0.1");
        assert_eq!(super::tick_label(2e-12, 1e-11), "2.0e-12");
    }

    #[test]
    fn curves_are_cut_where_they_leave_the_range() {
        let pts = [
            (1.0, 15.0),
            (2.0, 5.0),
            (3.0, 4.0),
            (4.0, 12.0),
            (5.0, 20.0),
            (6.0, 2.0),
        ];
        let runs = clip_runs(&pts, (0.0, 10.0));
        assert_eq!(runs.len(), 2, "{runs:?}");
        assert_eq!(
            runs[0],
            vec![(1.5, 10.0), (2.0, 5.0), (3.0, 4.0), (3.75, 10.0)]
        );
        assert_eq!(runs[1][0].1, 10.0);
        assert_eq!(runs[1][1], (6.0, 2.0));
        // a curve wholly outside draws nothing
        assert!(clip_runs(&[(1.0, 11.0), (2.0, 12.0)], (0.0, 10.0)).is_empty());
    }
}
