//! `bar`: one bar per value, such as one prediction's class
//! probabilities with the true and the predicted class coloured
//! (TensorFlow's `plot_value_array`).

use super::chart::{label_methods, values_1d, y_range, Labels};
use super::figure::{builder_output, draw_mesh, painter, text, DrawResult, Figure};
use super::legend::{draw_side, Key};
use super::{argmax_value, short_number, PlotData};
use crate::error::{Error, Result};
use crate::tensor::Element;
use ndarray::ArrayD;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontTransform;

const WIDTH: u32 = 460;
const HEIGHT: u32 = 320;
/// The legend's panel right of the chart.
const SIDE: u32 = 170;
const NAME_SIZE: f32 = 14.0;
/// TensorFlow's colours: grey bars, the predicted one red when it is
/// wrong, the true one blue.
pub(crate) const GREY: RGBColor = RGBColor(0x77, 0x77, 0x77);
pub(crate) const RED: RGBColor = RGBColor(255, 0, 0);
pub(crate) const BLUE: RGBColor = RGBColor(0, 0, 255);

/// A bar chart; made by [`bar`].
#[derive(Debug, Clone)]
pub struct Bars {
    values: Result<Vec<f32>>,
    true_label: Option<f32>,
    class_names: Option<Vec<String>>,
    labels: Labels,
}

/// One bar per value of a row `(k,)`, such as one prediction,
/// `predictions.row(i)`: bar `c` is class `c`'s probability. With
/// [`Bars::true_label`] it is TensorFlow's `plot_value_array`: grey bars,
/// the predicted class (the largest value) red when it is wrong, and the
/// true class blue, with a legend right of the chart and the verdict above
/// it; the y axis then runs from 0 to 1 when the values are probabilities.
///
/// ```
/// use kerust::prelude::*;
/// let predictions = array![[0.05f32, 0.7, 0.25], [0.1, 0.1, 0.8]];
/// let fig = plot::bar(predictions.row(0)).true_label(2u8).figure()?;
/// assert_eq!((fig.width(), fig.height()), (460 + 170, 320));
/// let fig = plot::bar(&[3.0f32, 1.0, 2.0]).title("three bars").figure()?;
/// assert_eq!(fig.width(), 460);
/// assert!(plot::bar(&predictions).figure().is_err()); // one row, please
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn bar(values: impl PlotData) -> Bars {
    bar_data(values.plot_data())
}

fn bar_data(x: ArrayD<f32>) -> Bars {
    Bars {
        values: values_1d(x, "bar", ": pick one prediction, e.g. predictions.row(i)"),
        true_label: None,
        class_names: None,
        labels: Labels::default(),
    }
}

label_methods!(Bars);

impl Bars {
    /// The true class: its bar is blue, and the predicted class's (the
    /// largest value's) red when it is another.
    pub fn true_label<T: Element>(self, label: T) -> Self {
        self.true_label_f32(label.to_f32())
    }
    fn true_label_f32(mut self, label: f32) -> Self {
        self.true_label = Some(label);
        self
    }
    /// Writes the class names under the bars instead of their numbers
    /// (turned upright, so that long names fit).
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let p = array![0.1f32, 0.6, 0.3];
    /// let names = ["T-shirt/top", "Trouser", "Pullover"];
    /// let fig = plot::bar(&p).true_label(1).class_names(&names).figure()?;
    /// assert!(fig.height() > 320); // room for the names
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn class_names<S: AsRef<str>>(self, names: &[S]) -> Self {
        self.class_names_vec(names.iter().map(|s| s.as_ref().to_string()).collect())
    }
    fn class_names_vec(mut self, names: Vec<String>) -> Self {
        self.class_names = Some(names);
        self
    }

    /// The picture, or the mistake in the input.
    pub fn figure(&self) -> Result<Figure> {
        let values = self.values.clone()?;
        let k = values.len();
        if let Some(v) = values.iter().find(|v| !v.is_finite()) {
            return Err(Error::value(format!(
                "bar: the values contain {v}: each bar needs a finite number"
            )));
        }
        let truth = match self.true_label {
            None => None,
            Some(t) if t >= 0.0 && t.fract() == 0.0 && (t as usize) < k => Some(t as usize),
            Some(t) => {
                return Err(Error::value(format!(
                    "bar: the true label should be a class 0 to {} (one per bar) but is {t}",
                    k - 1
                )))
            }
        };
        let names = match &self.class_names {
            Some(n) if n.len() < k => {
                return Err(Error::value(format!(
                "bar: there are {k} bars but class_names has {} names: one name per bar is needed",
                n.len()
            )))
            }
            other => other.clone(),
        };
        let (predicted, _) = argmax_value(values.iter());
        let name = |c: usize| names.as_ref().map_or(c.to_string(), |n| n[c].clone());
        let mut colors = vec![GREY; k];
        let mut entries = Vec::new();
        let mut verdict = None;
        if let Some(t) = truth {
            let p = values[predicted];
            let percent = if (0.0..=1.0).contains(&p) {
                format!(" {:.0}%", p * 100.0)
            } else {
                String::new()
            };
            if predicted == t {
                entries.push((Key::Bar(BLUE), "true = predicted".to_string()));
                verdict = Some((format!("predicted {}{percent}, right", name(t)), BLUE));
            } else {
                colors[predicted] = RED;
                entries.push((Key::Bar(BLUE), "true class".to_string()));
                entries.push((Key::Bar(RED), "predicted (wrong)".to_string()));
                verdict = Some((
                    format!("predicted {}{percent}, true {}", name(predicted), name(t)),
                    RED,
                ));
            }
            colors[t] = BLUE;
        } else {
            colors = vec![super::class_color(0); k];
        }
        let (lo, hi) = super::finite_range(values.iter());
        let probabilities = truth.is_some() && lo >= 0.0 && hi <= 1.0;
        let y = if probabilities {
            (0.0, 1.0)
        } else {
            y_range(lo, hi, true)
        };
        let font = super::text::font();
        let names_height = match (&names, &font) {
            (Some(n), Some(f)) => n
                .iter()
                .take(k)
                .map(|s| super::text::measure(f, NAME_SIZE, s).0)
                .max()
                .unwrap_or(0),
            _ => 0,
        };
        let mut labels = self.labels.clone();
        if labels.title.is_empty() {
            if let Some((v, _)) = &verdict {
                labels.title = v.clone();
            }
        }
        let chart = BarChart {
            values,
            colors,
            names,
            y,
            labels,
            title_color: verdict.map_or(BLACK, |(_, c)| c),
            entries,
            names_height: names_height as i32,
        };
        let side = if chart.entries.is_empty() { 0 } else { SIDE };
        Figure::new(WIDTH + side, HEIGHT + names_height, painter!(draw, chart))
    }
}

builder_output!(Bars);

struct BarChart {
    values: Vec<f32>,
    colors: Vec<RGBColor>,
    names: Option<Vec<String>>,
    y: (f64, f64),
    labels: Labels,
    title_color: RGBColor,
    entries: Vec<(Key, String)>,
    names_height: i32,
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, c: &BarChart) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let k = c.values.len();
    let (chart_area, side) = root.split_horizontally(WIDTH);
    let title_room = if c.labels.title.is_empty() { 14 } else { 40 };
    let x_room = 30 + c.names_height + if c.labels.xlabel.is_empty() { 0 } else { 22 };
    let mut chart = ChartBuilder::on(&chart_area)
        .margin(12)
        .margin_top(title_room)
        .margin_right(16)
        .x_label_area_size(x_room)
        .y_label_area_size(if c.labels.ylabel.is_empty() { 48 } else { 66 })
        .build_cartesian_2d(-0.6f64..k as f64 - 0.4, c.y.0..c.y.1)?;
    let with_names = c.names.is_some();
    draw_mesh(
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(k.min(20))
            .x_label_formatter(&|v| {
                let i = v.round();
                if with_names || (v - i).abs() > 1e-6 || i < 0.0 || i >= k as f64 {
                    String::new()
                } else {
                    format!("{i:.0}")
                }
            })
            .y_labels(6)
            .y_label_formatter(&|v| short_number(*v)),
        (c.labels.xlabel.as_str(), c.labels.ylabel.as_str()),
        230,
    )?;
    chart.draw_series(
        c.values
            .iter()
            .zip(&c.colors)
            .enumerate()
            .map(|(i, (&v, color))| {
                let x = i as f64;
                Rectangle::new([(x - 0.4, 0.0), (x + 0.4, f64::from(v))], color.filled())
            }),
    )?;
    let (bx, by) = chart_area.get_base_pixel();
    let (px, py) = chart.plotting_area().get_pixel_range();
    if let Some(names) = &c.names {
        let style = text(f64::from(NAME_SIZE))
            .transform(FontTransform::Rotate270)
            .pos(Pos::new(HPos::Right, VPos::Center));
        for (i, name) in names.iter().take(k).enumerate() {
            let (x, _) = chart.backend_coord(&(i as f64, c.y.0));
            chart_area.draw(&Text::new(
                name.clone(),
                (x - bx, py.end - by + 8),
                style.clone(),
            ))?;
        }
    }
    if !c.labels.title.is_empty() {
        chart_area.draw(&Text::new(
            c.labels.title.clone(),
            (px.start - bx, py.start - by - title_room / 2),
            text(17.0)
                .pos(Pos::new(HPos::Left, VPos::Center))
                .color(&c.title_color),
        ))?;
    }
    if !c.entries.is_empty() {
        draw_side(&side, (4, py.start - by, py.end - by), &c.entries, None)?;
    }
    Ok(())
}
