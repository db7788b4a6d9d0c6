//! The panel right of a chart: the legend (outside the data, so that it
//! covers no point) and, for a decision boundary, its colour scale.

use super::figure::{text, DrawResult};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// What a legend entry shows next to its text.
pub(crate) enum Key {
    /// A filled circle with a dark outline (a data point).
    Point(RGBColor),
    /// A short line.
    Line(RGBColor, u32),
    /// A filled square (a bar).
    Bar(RGBColor),
}

/// A colour bar: what the fill colours of a chart mean.
pub(crate) struct ColorScale {
    /// Above the bar, one line each.
    pub(crate) title: Vec<String>,
    /// Colour columns side by side, each listing equal steps from the
    /// bottom value to the top one.
    pub(crate) columns: Vec<Vec<RGBColor>>,
    /// The values at the bottom and the top of the bar.
    pub(crate) range: (f32, f32),
    /// Values labelled beside the bar.
    pub(crate) ticks: Vec<f32>,
    /// A value marked by a black line across the bar (a contour's level).
    pub(crate) mark: Option<f32>,
}

const ROW: i32 = 22;
const BAR_W: i32 = 18;

/// Draws the legend `entries` and then `scale` in the panel whose left
/// edge is `left`, from `top` down to `bottom` (pixels of `root`).
pub(crate) fn draw_side<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (left, top, bottom): (i32, i32, i32),
    entries: &[(Key, String)],
    scale: Option<&ColorScale>,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let label = text(14.0).pos(Pos::new(HPos::Left, VPos::Center));
    let mut y = top;
    if !entries.is_empty() {
        let widest = entries
            .iter()
            .map(|(_, s)| root.estimate_text_size(s, &label).map(|(w, _)| w as i32))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .max()
            .unwrap_or(0);
        let h = entries.len() as i32 * ROW + 8;
        root.draw(&Rectangle::new(
            [(left, y), (left + 34 + widest + 10, y + h)],
            RGBColor(180, 180, 180).stroke_width(1),
        ))?;
        for (n, (key, s)) in entries.iter().enumerate() {
            let cy = y + 4 + n as i32 * ROW + ROW / 2;
            match key {
                Key::Point(c) => {
                    root.draw(&Circle::new((left + 16, cy), 5, c.filled()))?;
                    root.draw(&Circle::new(
                        (left + 16, cy),
                        5,
                        BLACK.mix(0.7).stroke_width(1),
                    ))?;
                }
                Key::Bar(c) => {
                    root.draw(&Rectangle::new(
                        [(left + 10, cy - 6), (left + 22, cy + 6)],
                        c.filled(),
                    ))?;
                }
                Key::Line(c, w) => {
                    root.draw(&PathElement::new(
                        vec![(left + 6, cy), (left + 26, cy)],
                        c.stroke_width(*w),
                    ))?;
                }
            }
            root.draw(&Text::new(s.clone(), (left + 34, cy), label.clone()))?;
        }
        y += h + 26;
    }
    let Some(scale) = scale else { return Ok(()) };
    let title = text(14.0).pos(Pos::new(HPos::Left, VPos::Top));
    for line in &scale.title {
        root.draw(&Text::new(line.clone(), (left, y), title.clone()))?;
        y += 18;
    }
    y += 8;
    let (bar_top, bar_bottom) = (y, bottom.max(y + 60));
    let columns = scale.columns.len().max(1) as i32;
    let col_w = (BAR_W / columns).max(4);
    let bar_w = col_w * columns;
    for (c, colors) in scale.columns.iter().enumerate() {
        let steps = colors.len().max(1) as i32;
        for (s, color) in colors.iter().enumerate() {
            let s = s as i32;
            let y1 = bar_bottom - (bar_bottom - bar_top) * s / steps;
            let y0 = bar_bottom - (bar_bottom - bar_top) * (s + 1) / steps;
            let x0 = left + c as i32 * col_w;
            root.draw(&Rectangle::new(
                [(x0, y0), (x0 + col_w, y1)],
                color.filled(),
            ))?;
        }
    }
    root.draw(&Rectangle::new(
        [(left, bar_top), (left + bar_w, bar_bottom)],
        RGBColor(120, 120, 120).stroke_width(1),
    ))?;
    let (lo, hi) = scale.range;
    let at = |v: f32| {
        let t = if hi > lo { (v - lo) / (hi - lo) } else { 0.0 };
        bar_bottom - ((bar_bottom - bar_top) as f32 * t).round() as i32
    };
    let tick = text(13.5).pos(Pos::new(HPos::Left, VPos::Center));
    for &v in &scale.ticks {
        let ty = at(v);
        root.draw(&PathElement::new(
            vec![(left + bar_w, ty), (left + bar_w + 4, ty)],
            RGBColor(90, 90, 90).stroke_width(1),
        ))?;
        root.draw(&Text::new(
            tick_label(v),
            (left + bar_w + 7, ty),
            tick.clone(),
        ))?;
    }
    if let Some(v) = scale.mark {
        let ty = at(v);
        root.draw(&Rectangle::new(
            [(left - 3, ty - 1), (left + bar_w + 3, ty + 1)],
            BLACK.filled(),
        ))?;
    }
    Ok(())
}

/// A value on the colour scale: at most two decimals (`0.33`, `0.5`, `1`).
fn tick_label(v: f32) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}
