//! `network`: the neurons-and-connections picture of a small dense model,
//! or a block diagram (one box per layer) of a larger one.

use super::figure::{painter, text, DrawResult, Figure};
use super::{class_color, lighten};
use crate::layers::{count_params, Layer};
use crate::model::{thousands, Graph, ModelKind};
use crate::shape::keras_shape;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Models with at most this many neurons in every layer are drawn neuron
/// by neuron.
const MAX_NEURONS: usize = 16;

/// Draws `model`: for a small dense network (every layer `Dense`,
/// `Activation` or `Dropout`, at most 16 neurons per layer) every neuron
/// and every connection, input neurons on the left and one column per
/// `Dense` layer, as the pictures of the lessons; for any other model a
/// block diagram with one box per layer (name, type, output shape,
/// parameters).
///
/// Takes a `Sequential`, a `Model` or a loaded model (`&model`).
///
/// ```
/// use kerust::prelude::*;
/// let mut model = Sequential::new();
/// model.add(Dense::new(4).input_shape([3]).activation("relu"))?;
/// model.add(Dense::new(2).activation("relu"))?;
/// model.add(Dense::new(1))?;
/// let fig = plot::network(&model);
/// assert!(fig.width() > fig.height());
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn network(model: &Graph) -> Figure {
    draw_network(model, false)
}

/// As [`network`], with each layer's bias drawn as an extra `+1` neuron
/// feeding the next layer (for small dense networks).
///
/// ```
/// use kerust::prelude::*;
/// let mut model = Sequential::new();
/// model.add(Dense::new(2).input_shape([2]).activation("sigmoid"))?;
/// model.add(Dense::new(1))?;
/// let fig = plot::network_with_bias(&model);
/// assert!(fig.height() > plot::network(&model).height());
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn network_with_bias(model: &Graph) -> Figure {
    draw_network(model, true)
}

fn draw_network(model: &Graph, bias: bool) -> Figure {
    match neuron_columns(model) {
        Some(columns) => {
            let net = Neurons {
                title: model.name().to_string(),
                columns,
                bias,
            };
            let (w, h) = net.size();
            Figure::new_or_blank(w, h, painter!(draw_neurons, net))
        }
        None => {
            let blocks = Blocks::of(model);
            let (w, h) = blocks.size();
            Figure::new_or_blank(w, h, painter!(draw_blocks, blocks))
        }
    }
}

// ---------------------------------------------------------------- neurons

struct Column {
    title: String,
    subtitle: String,
    n: usize,
    has_bias: bool,
}

struct Neurons {
    title: String,
    columns: Vec<Column>,
    bias: bool,
}

const COL_W: i32 = 170;
const ROW_H: i32 = 44;
const R: i32 = 14;
const TOP: i32 = 48;
const BOTTOM: i32 = 62;
const SIDE: i32 = 80;

fn activation_of(layer: &dyn Layer) -> String {
    layer
        .config()
        .get("activation")
        .and_then(|a| a.as_str())
        .unwrap_or("linear")
        .to_string()
}

/// The columns of a small dense model, or `None` when it is not one.
fn neuron_columns(model: &Graph) -> Option<Vec<Column>> {
    let input = model.input_shape()?;
    let [n0] = input else { return None };
    if *n0 == 0 || *n0 > MAX_NEURONS || model.layers().is_empty() {
        return None;
    }
    let mut cols = vec![Column {
        title: "input".into(),
        subtitle: plural(*n0, "input"),
        n: *n0,
        has_bias: false,
    }];
    for layer in model.layers() {
        match layer.class_name() {
            "Dense" => {
                let [units] = layer.output_shape() else {
                    return None;
                };
                if *units == 0 || *units > MAX_NEURONS {
                    return None;
                }
                if let Some(prev) = cols.last_mut() {
                    prev.has_bias = layer.weights().len() > 1;
                }
                cols.push(Column {
                    title: layer.name().to_string(),
                    subtitle: format!(
                        "{}, {}",
                        plural(*units, "unit"),
                        activation_of(layer.as_ref())
                    ),
                    n: *units,
                    has_bias: false,
                });
            }
            "Activation" => {
                let act = activation_of(layer.as_ref());
                let last = cols.last_mut()?;
                match last.subtitle.rsplit_once(", ") {
                    Some((head, "linear")) => last.subtitle = format!("{head}, {act}"),
                    _ => last.subtitle = format!("{}, then {act}", last.subtitle),
                }
            }
            "Dropout" => {
                let rate = layer
                    .config()
                    .get("rate")
                    .and_then(|r| r.as_f64())
                    .unwrap_or(0.0);
                let last = cols.last_mut()?;
                last.subtitle = format!("{}, dropout {rate}", last.subtitle);
            }
            _ => return None,
        }
    }
    (cols.len() > 1).then_some(cols)
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

impl Neurons {
    fn rows(&self) -> usize {
        let most = self.columns.iter().map(|c| c.n).max().unwrap_or(1);
        let bias_row = self.bias && self.columns.iter().any(|c| c.has_bias);
        most + usize::from(bias_row)
    }
    fn size(&self) -> (u32, u32) {
        let w = 2 * SIDE + (self.columns.len() as i32 - 1) * COL_W;
        let h = TOP + self.rows() as i32 * ROW_H + BOTTOM;
        (w.max(320) as u32, h.max(220) as u32)
    }
    /// Centre of neuron `i` of column `c` (`i == n` is the bias neuron).
    fn center(&self, c: usize, i: usize) -> (i32, i32) {
        let (w, _) = self.size();
        let span = (self.columns.len() as i32 - 1) * COL_W;
        let x0 = (w as i32 - span) / 2;
        let x = x0 + c as i32 * COL_W;
        let rows = self.rows() as i32;
        let col = &self.columns[c];
        let n = col.n as i32;
        let top = TOP + (rows - n - i32::from(self.bias && col.has_bias)) * ROW_H / 2;
        let top = if self.bias && col.has_bias {
            top
        } else {
            top.max(TOP)
        };
        (x, top + i as i32 * ROW_H + ROW_H / 2)
    }
}

fn draw_neurons<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, net: &Neurons) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (w, h) = net.size();
    let centered = Pos::new(HPos::Center, VPos::Center);
    root.draw(&Text::new(
        net.title.clone(),
        (w as i32 / 2, 20),
        text(18.0).pos(centered),
    ))?;
    let line = RGBColor(110, 110, 110).mix(0.55).stroke_width(1);
    let bias_line = RGBColor(150, 150, 150).mix(0.45).stroke_width(1);
    // connections first, neurons on top
    for c in 0..net.columns.len() - 1 {
        let (from, to) = (&net.columns[c], &net.columns[c + 1]);
        for i in 0..from.n {
            for j in 0..to.n {
                root.draw(&PathElement::new(
                    vec![net.center(c, i), net.center(c + 1, j)],
                    line,
                ))?;
            }
        }
        if net.bias && from.has_bias {
            for j in 0..to.n {
                root.draw(&PathElement::new(
                    vec![net.center(c, from.n), net.center(c + 1, j)],
                    bias_line,
                ))?;
            }
        }
    }
    let last = net.columns.len() - 1;
    for (c, col) in net.columns.iter().enumerate() {
        let color = match c {
            0 => class_color(2),
            _ if c == last => class_color(1),
            _ => class_color(0),
        };
        for i in 0..col.n {
            let p = net.center(c, i);
            root.draw(&Circle::new(p, R, lighten(color, 0.55).filled()))?;
            root.draw(&Circle::new(p, R, color.stroke_width(2)))?;
            if c == 0 {
                root.draw(&Text::new(
                    format!("x{}", i + 1),
                    p,
                    text(11.0).pos(centered),
                ))?;
            }
        }
        if net.bias && col.has_bias {
            let (x, y) = net.center(c, col.n);
            let grey = RGBColor(150, 150, 150);
            root.draw(&Rectangle::new(
                [(x - R + 2, y - R + 2), (x + R - 2, y + R - 2)],
                RGBColor(240, 240, 240).filled(),
            ))?;
            root.draw(&Rectangle::new(
                [(x - R + 2, y - R + 2), (x + R - 2, y + R - 2)],
                grey.stroke_width(1),
            ))?;
            root.draw(&Text::new("+1", (x, y), text(11.0).pos(centered)))?;
        }
        let x = net.center(c, 0).0;
        let y = h as i32 - BOTTOM + 16;
        draw_caption(root, [&col.title, &col.subtitle], (x, y), 20, 80)?;
    }
    Ok(())
}

// ----------------------------------------------------------------- blocks

struct Block {
    title: String,
    detail: String,
    color: RGBColor,
}

struct Blocks {
    title: String,
    blocks: Vec<Block>,
}

const BOX_W: i32 = 440;
const BOX_H: i32 = 54;
const BOX_GAP: i32 = 30;

impl Blocks {
    fn of(model: &Graph) -> Blocks {
        let input_name = match model.kind() {
            ModelKind::Functional { input_name } => input_name.clone(),
            ModelKind::Sequential => "input".to_string(),
        };
        let mut blocks = vec![Block {
            title: format!("{input_name} (InputLayer)"),
            detail: model
                .input_shape()
                .map(keras_shape)
                .unwrap_or_else(|| "input shape not known yet".into()),
            color: lighten(class_color(2), 0.7),
        }];
        for layer in model.layers() {
            let class = layer.class_name();
            let mut detail = keras_shape(layer.output_shape());
            if class == "Dense" || class == "Conv2D" || class == "Activation" {
                let act = activation_of(layer.as_ref());
                if act != "linear" || class == "Activation" {
                    detail.push_str(&format!(", {act}"));
                }
            }
            let params = count_params(layer.as_ref());
            if params > 0 {
                detail.push_str(&format!(", {} params", thousands(params)));
            }
            let color = match class {
                "Dense" => lighten(class_color(0), 0.7),
                "Conv2D" => lighten(class_color(4), 0.7),
                "MaxPooling2D" => lighten(class_color(9), 0.7),
                _ => RGBColor(235, 235, 235),
            };
            blocks.push(Block {
                title: format!("{} ({class})", layer.name()),
                detail,
                color,
            });
        }
        Blocks {
            title: model.name().to_string(),
            blocks,
        }
    }
    fn size(&self) -> (u32, u32) {
        let n = self.blocks.len() as i32;
        let h = 50 + n * BOX_H + (n - 1) * BOX_GAP + 20;
        ((BOX_W + 80) as u32, h as u32)
    }
}

/// A title centred at `at` and, `gap` pixels below it, a smaller line in
/// the grey `grey`.
fn draw_caption<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    [title, detail]: [&str; 2],
    (x, y): (i32, i32),
    gap: i32,
    grey: u8,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let centered = Pos::new(HPos::Center, VPos::Center);
    root.draw(&Text::new(title, (x, y), text(15.0).pos(centered)))?;
    let color = RGBColor(grey, grey, grey);
    let style = text(13.0).pos(centered).color(&color);
    root.draw(&Text::new(detail, (x, y + gap), style))?;
    Ok(())
}

fn draw_blocks<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, b: &Blocks) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (w, _) = b.size();
    let cx = w as i32 / 2;
    let centered = Pos::new(HPos::Center, VPos::Center);
    root.draw(&Text::new(
        b.title.clone(),
        (cx, 22),
        text(18.0).pos(centered),
    ))?;
    let x0 = cx - BOX_W / 2;
    for (i, block) in b.blocks.iter().enumerate() {
        let y0 = 50 + i as i32 * (BOX_H + BOX_GAP);
        if i > 0 {
            let (ya, yb) = (y0 - BOX_GAP, y0 - 2);
            let dark = RGBColor(90, 90, 90);
            root.draw(&PathElement::new(
                vec![(cx, ya), (cx, yb - 6)],
                dark.stroke_width(2),
            ))?;
            root.draw(&Polygon::new(
                vec![(cx - 6, yb - 8), (cx + 6, yb - 8), (cx, yb)],
                dark.filled(),
            ))?;
        }
        root.draw(&Rectangle::new(
            [(x0, y0), (x0 + BOX_W, y0 + BOX_H)],
            block.color.filled(),
        ))?;
        root.draw(&Rectangle::new(
            [(x0, y0), (x0 + BOX_W, y0 + BOX_H)],
            RGBColor(120, 120, 120).stroke_width(1),
        ))?;
        draw_caption(root, [&block.title, &block.detail], (cx, y0 + 17), 21, 60)?;
    }
    Ok(())
}
