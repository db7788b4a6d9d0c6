//! `summary()`: the Keras 2 text table, byte for byte.

use super::graph::{Graph, ModelKind};
use crate::layers::{count_params, Layer};
use crate::shape::keras_shape;

const WIDTH: usize = 65;
const POSITIONS: [usize; 3] = [29, 55, 65];

/// One row: fields cut to their column so that one space stands before the next.
fn row(fields: [&str; 3]) -> String {
    let mut line = String::new();
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            line.pop();
            line.push(' ');
        }
        line.push_str(field);
        let cut: String = line.chars().take(POSITIONS[i]).collect();
        line = cut;
        while line.chars().count() < POSITIONS[i] {
            line.push(' ');
        }
    }
    line
}

/// `1234567` as `1,234,567`.
pub(crate) fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// How a layer's parameter count comes about, in words:
/// `"3 inputs x 2 units + 2 biases = 8"`.
pub fn explain_params(layer: &dyn Layer) -> String {
    let n = count_params(layer);
    let w = layer.weights();
    match (layer.class_name(), w.as_slice()) {
        ("Dense", [k, rest @ ..]) if k.ndim() == 2 => {
            let (i, u) = (k.shape()[0], k.shape()[1]);
            let bias = if rest.is_empty() {
                String::new()
            } else {
                format!(" + {}", plural(u, "bias", "biases"))
            };
            format!(
                "{} x {}{bias} = {}",
                plural(i, "input", "inputs"),
                plural(u, "unit", "units"),
                thousands(n)
            )
        }
        ("Conv2D", [k, rest @ ..]) if k.ndim() == 4 => {
            let s = k.shape();
            let bias = if rest.is_empty() {
                String::new()
            } else {
                format!(" + {}", plural(s[3], "bias", "biases"))
            };
            format!(
                "{}x{} kernel x {} x {}{bias} = {}",
                s[0],
                s[1],
                plural(s[2], "channel", "channels"),
                plural(s[3], "filter", "filters"),
                thousands(n)
            )
        }
        _ => match layer.as_model() {
            Some(m) => format!(
                "the weights of its {} = {}",
                plural(m.layers().len(), "layer", "layers"),
                thousands(n)
            ),
            None => "no weights".to_string(),
        },
    }
}

impl Graph {
    /// The rows of the summary: `(name (Class), output shape, params)`.
    pub(crate) fn summary_rows(&self) -> Vec<(String, String, usize)> {
        let mut rows = Vec::new();
        if let ModelKind::Functional { input_name } = &self.kind {
            rows.push((
                format!("{input_name} (InputLayer)"),
                keras_shape(self.input_shape.as_deref().unwrap_or(&[])),
                0,
            ));
        }
        for l in &self.layers {
            rows.push((
                format!("{} ({})", l.name(), l.class_name()),
                keras_shape(l.output_shape()),
                count_params(l.as_ref()),
            ));
        }
        rows
    }

    /// The summary table as text, as Keras 2 prints it.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let mut model = Sequential::new();
    /// model.add(Dense::new(10).input_shape([2]).activation("relu"))?;
    /// assert!(model.summary_string().contains("Total params: 30"));
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn summary_string(&self) -> String {
        if !self.is_built() {
            return format!("{}\n", super::deferred::NOT_BUILT);
        }
        let mut s = format!("Model: \"{}\"\n", self.name);
        s.push_str(&"_".repeat(WIDTH));
        s.push('\n');
        s.push_str(&row(["Layer (type)", "Output Shape", "Param #"]));
        s.push('\n');
        s.push_str(&"=".repeat(WIDTH));
        s.push('\n');
        let rows = self.summary_rows();
        for (i, (name, shape, params)) in rows.iter().enumerate() {
            s.push_str(&row([name, shape, &params.to_string()]));
            s.push('\n');
            let sep = if i + 1 == rows.len() { "=" } else { "_" };
            s.push_str(&sep.repeat(WIDTH));
            s.push('\n');
        }
        if rows.is_empty() {
            s.push_str(&"=".repeat(WIDTH));
            s.push('\n');
        }
        let total = self.count_params();
        let trainable = self.count_trainable_params();
        s.push_str(&format!("Total params: {}\n", thousands(total)));
        s.push_str(&format!("Trainable params: {}\n", thousands(trainable)));
        s.push_str(&format!(
            "Non-trainable params: {}\n",
            thousands(total - trainable)
        ));
        s.push_str(&"_".repeat(WIDTH));
        s.push('\n');
        s
    }

    /// Prints the summary table, as Keras' `model.summary()`.
    pub fn summary(&self) {
        print!("{}", self.summary_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn long_names_are_cut_with_one_space() {
        let r = row(["max_pooling2d_1 (MaxPooling2D)", "(None, 13, 13, 8)", "0"]);
        assert!(
            r.starts_with("max_pooling2d_1 (MaxPooling2 (None, 13, 13, 8)"),
            "{r}"
        );
        assert_eq!(r.len(), 65);
    }
    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(101770), "101,770");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
    }
}
