//! A model as a cell's last expression: Keras' summary table as HTML, with
//! a column saying how each parameter count comes about.

use super::graph::{Graph, ModelKind};
use super::summary::{explain_params, thousands};
use super::{AnyModel, Model, Sequential};
use crate::display::{emit, html_escape};
use crate::layers::count_params;
use crate::shape::keras_shape;

const TABLE: &str = "border-collapse:collapse;font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;font-size:13px;margin:4px 0";
const TH: &str = "text-align:left;padding:4px 14px 4px 6px;border-bottom:2px solid #444";
const TD: &str = "text-align:left;padding:3px 14px 3px 6px;border-bottom:1px solid #ddd";
const MONO: &str = "font-family:SFMono-Regular,Menlo,Consolas,monospace";

impl Graph {
    /// The summary as an HTML table: Keras' columns `Layer (type)`,
    /// `Output Shape`, `Param #`, a column explaining each count, and the
    /// totals with thousands separators. This is what a model shows as the
    /// last expression of a notebook cell.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let mut model = Sequential::new();
    /// model.add(Dense::new(2).input_shape([3]))?;
    /// let html = model.summary_html();
    /// assert!(html.contains("3 inputs x 2 units + 2 biases = 8"));
    /// assert!(html.contains("(None, 2)"));
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn summary_html(&self) -> String {
        let mut rows: Vec<[String; 4]> = Vec::new();
        if let ModelKind::Functional { input_name } = &self.kind {
            rows.push([
                format!("{input_name} (InputLayer)"),
                keras_shape(self.input_shape.as_deref().unwrap_or(&[])),
                "0".into(),
                "the input, no weights".into(),
            ]);
        }
        for l in &self.layers {
            rows.push([
                format!("{} ({})", l.name(), l.class_name()),
                keras_shape(l.output_shape()),
                thousands(count_params(l.as_ref())),
                explain_params(l.as_ref()),
            ]);
        }
        let mut h = String::new();
        h.push_str(&format!(
            "<div style=\"margin:2px 0 6px 0\"><b>Model: \"{}\"</b></div>\n",
            html_escape(&self.name)
        ));
        h.push_str(&format!("<table style=\"{TABLE}\">\n<thead><tr>"));
        for (title, right) in [
            ("Layer (type)", false),
            ("Output Shape", false),
            ("Param #", true),
            ("How the count comes about", false),
        ] {
            let align = if right { ";text-align:right" } else { "" };
            h.push_str(&format!("<th style=\"{TH}{align}\">{title}</th>"));
        }
        h.push_str("</tr></thead>\n<tbody>\n");
        for [name, shape, params, why] in &rows {
            h.push_str(&format!(
                "<tr><td style=\"{TD}\">{}</td><td style=\"{TD};{MONO}\">{}</td><td style=\"{TD};text-align:right;{MONO}\">{}</td><td style=\"{TD};color:#555\">{}</td></tr>\n",
                html_escape(name),
                html_escape(shape),
                html_escape(params),
                html_escape(why)
            ));
        }
        if rows.is_empty() {
            h.push_str(&format!(
                "<tr><td style=\"{TD};color:#555\" colspan=\"4\">no layers yet</td></tr>\n"
            ));
        }
        h.push_str("</tbody></table>\n");
        let (all, trainable) = (self.count_params(), self.count_trainable_params());
        let (total, frozen) = (thousands(all), thousands(all - trainable));
        let trainable = thousands(trainable);
        h.push_str(&format!(
            "<div style=\"margin-top:6px;line-height:1.5\">Total params: <b>{total}</b><br>Trainable params: {trainable}<br>Non-trainable params: {frozen}</div>\n"
        ));
        h
    }

    /// Shows the summary table as HTML (evcxr calls this when a model is
    /// a cell's last expression).
    pub fn evcxr_display(&self) {
        emit("text/html", &self.summary_html());
    }
}

impl Sequential {
    /// Shows the summary table as HTML (evcxr calls this when the model is
    /// a cell's last expression); see [`Graph::summary_html`].
    pub fn evcxr_display(&self) {
        Graph::evcxr_display(self);
    }
}

impl Model {
    /// Shows the summary table as HTML (evcxr calls this when the model is
    /// a cell's last expression); see [`Graph::summary_html`].
    pub fn evcxr_display(&self) {
        Graph::evcxr_display(self);
    }
}

impl AnyModel {
    /// Shows the summary table as HTML (evcxr calls this when the model is
    /// a cell's last expression); see [`Graph::summary_html`].
    pub fn evcxr_display(&self) {
        Graph::evcxr_display(self);
    }
}
