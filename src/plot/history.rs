//! `history`: the loss and metric curves of `fit`, one panel per metric,
//! training and validation side by side, as in the Keras tutorials.

use super::figure::{draw_mesh, painter, text, DrawResult, Figure};
use super::{class_color, epoch_points, short_number};
use crate::model::History;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

const PANEL_W: u32 = 440;
const PANEL_H: u32 = 320;
/// Room above each chart for its title and legend.
const TOP: i32 = 40;

struct Panel {
    name: String,
    train: Vec<f32>,
    val: Option<Vec<f32>>,
}

/// The curves of a [`History`]: one panel per metric (`loss` first, then
/// each compiled metric), the training values and, when `fit` had
/// validation data, the `val_` values, over epochs 1, 2, ...
///
/// A `History` as the last expression of a cell shows this figure.
///
/// ```
/// use kerust::prelude::*;
/// let mut model = Sequential::new();
/// model.add(Dense::new(1).input_shape([2]).activation("sigmoid"))?;
/// model.compile("sgd", "binary_crossentropy", ["accuracy"])?;
/// let x = array![[0.0f32, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]];
/// let y = array![1.0f32, 1.0, 0.0, 0.0];
/// let history = model.fit(&x, &y, Fit::epochs(3).verbose(0).validation_data(&x, &y))?;
/// let fig = plot::history(&history);
/// assert_eq!(fig.width(), 2 * 440); // loss and accuracy
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn history(history: &History) -> Figure {
    let panels: Vec<Panel> = history
        .history
        .iter()
        .filter(|(name, _)| !name.starts_with("val_"))
        .map(|(name, values)| Panel {
            name: name.clone(),
            train: values.clone(),
            val: history.get(&format!("val_{name}")).map(<[f32]>::to_vec),
        })
        .collect();
    // Validation values without a training counterpart get their own panel.
    let mut panels = panels;
    for (name, values) in &history.history {
        if let Some(base) = name.strip_prefix("val_") {
            if history.get(base).is_none() {
                panels.push(Panel {
                    name: name.clone(),
                    train: values.clone(),
                    val: None,
                });
            }
        }
    }
    let width = PANEL_W * (panels.len().max(1) as u32);
    Figure::new_or_blank(width, PANEL_H, painter!(draw, panels))
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, panels: &Vec<Panel>) -> DrawResult
where
    DB::ErrorType: 'static,
{
    if panels.is_empty() {
        root.draw(&Text::new(
            "History is empty: fit ran no epochs",
            (20, PANEL_H as i32 / 2),
            text(18.0),
        ))?;
        return Ok(());
    }
    let areas = root.split_evenly((1, panels.len()));
    for (area, panel) in areas.iter().zip(panels) {
        draw_panel(area, panel)?;
    }
    Ok(())
}

fn draw_panel<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, p: &Panel) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let n = p
        .train
        .len()
        .max(p.val.as_ref().map(|v| v.len()).unwrap_or(0));
    let all = p.train.iter().chain(p.val.iter().flatten());
    let (mut lo, mut hi) = super::finite_range(all);
    if hi - lo < 1e-9 {
        let d = (hi.abs() * 0.1).max(0.05);
        lo -= d;
        hi += d;
    } else {
        let pad = (hi - lo) * 0.08;
        lo -= pad;
        hi += pad;
    }
    let x_range = if n <= 1 { 0..2 } else { 1..n as i32 };
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .margin_top(TOP)
        .margin_right(20)
        .x_label_area_size(42)
        .y_label_area_size(64)
        .build_cartesian_2d(x_range, f64::from(lo)..f64::from(hi))?;
    draw_mesh(
        chart
            .configure_mesh()
            .x_labels(n.clamp(2, 10))
            .x_label_formatter(&|e| {
                if *e >= 1 && *e as usize <= n {
                    e.to_string()
                } else {
                    String::new()
                }
            })
            .y_labels(6)
            .y_label_formatter(&|v| short_number(*v)),
        ("epoch", p.name.as_str()),
        225,
    )?;

    let series = [
        ("train", Some(&p.train), 0usize),
        ("validation", p.val.as_ref(), 1),
    ];
    let mut keys = Vec::new();
    for (label, values, color_index) in series {
        let Some(values) = values else { continue };
        let color = class_color(color_index);
        let points: Vec<(i32, f64)> = epoch_points(values).map(|(e, v)| (e as i32, v)).collect();
        let marker = if points.len() <= 30 { 3 } else { 0 };
        chart.draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))?;
        if marker > 0 {
            chart.draw_series(
                points
                    .iter()
                    .map(|&(x, y)| Circle::new((x, y), marker, color.filled())),
            )?;
        }
        keys.push((label, color));
    }
    // The title on the left and the legend on the right, above the chart,
    // where they cover no curve.
    let (px, py) = chart.plotting_area().get_pixel_range();
    let (bx, by) = area.get_base_pixel();
    let (left, right, top) = (px.start - bx, px.end - bx, py.start - by);
    let row = top - TOP / 2;
    area.draw(&Text::new(
        p.name.clone(),
        (left, row),
        text(19.0).pos(Pos::new(HPos::Left, VPos::Center)),
    ))?;
    let label = text(14.0).pos(Pos::new(HPos::Left, VPos::Center));
    let mut x = right;
    for (name, color) in keys.iter().rev() {
        let (w, _) = area.estimate_text_size(name, &label)?;
        x -= w as i32;
        area.draw(&Text::new(name.to_string(), (x, row), label.clone()))?;
        area.draw(&PathElement::new(
            vec![(x - 26, row), (x - 6, row)],
            color.stroke_width(2),
        ))?;
        x -= 26 + 16;
    }
    Ok(())
}

impl History {
    /// Shows the loss and metric curves inline (evcxr calls this when a
    /// `History` is a cell's last expression); see [`plot::history`](crate::plot::history).
    pub fn evcxr_display(&self) {
        history(self).evcxr_display();
    }
}
