//! Checking a parameter count worked out on paper: a right count is
//! explained layer by layer; a wrong one is matched against the usual
//! miscounts (weights without biases, one layer only, neurons instead of
//! connections, ...) and each match is explained.

use super::architecture::{dense_name, plural};
use super::Check;

/// A dense network: `inputs` numbers in, then one Dense layer per entry of
/// `units`.
pub(crate) struct Net {
    pub exercise: &'static str,
    pub inputs: usize,
    pub units: &'static [usize],
}

impl Net {
    /// (weights, biases) of each layer.
    fn layers(&self) -> Vec<(usize, usize)> {
        let mut fan_in = self.inputs;
        self.units
            .iter()
            .map(|&u| {
                let w = fan_in * u;
                fan_in = u;
                (w, u)
            })
            .collect()
    }
    fn fan_in(&self, i: usize) -> usize {
        if i == 0 {
            self.inputs
        } else {
            self.units[i - 1]
        }
    }
    fn name(&self, i: usize) -> String {
        dense_name(i, self.units.len())
    }
    /// "the hidden layer has 3 x 5 = 15 weights and 5 biases (20)".
    fn explain_layer(&self, i: usize) -> String {
        let (w, b) = self.layers()[i];
        format!(
            "{} has {} x {} = {} and {} ({})",
            self.name(i),
            self.fan_in(i),
            self.units[i],
            plural(w, "weight"),
            plural(b, "bias"),
            w + b
        )
    }
}

fn join_plus(xs: &[usize]) -> String {
    xs.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(" + ")
}

/// The usual wrong counts of `net`, each with what it comes from.
fn miscounts(net: &Net) -> Vec<(usize, String)> {
    let layers = net.layers();
    let n = layers.len();
    let weights: Vec<usize> = layers.iter().map(|l| l.0).collect();
    let biases: Vec<usize> = layers.iter().map(|l| l.1).collect();
    let sw: usize = weights.iter().sum();
    let sb: usize = biases.iter().sum();
    let total = sw + sb;
    let mut out = Vec::new();
    out.push((
        sw,
        if n == 1 {
            format!(
                "you counted the {} but not the {}, one per neuron",
                plural(sw, "weight"),
                plural(sb, "bias")
            )
        } else {
            format!(
                "you counted the weights ({}) but not the {}, one per neuron ({})",
                join_plus(&weights),
                plural(sb, "bias"),
                join_plus(&biases)
            )
        },
    ));
    out.push((
        sb,
        format!(
            "you counted the {} but not the weights: every input of a layer connects to every one of its neurons",
            plural(sb, "bias")
        ),
    ));
    if n > 1 {
        for (i, &(w, b)) in layers.iter().enumerate() {
            out.push((
                w + b,
                format!(
                    "that is {} alone ({} weights + {}); add the other layer{} too",
                    net.name(i),
                    w,
                    plural(b, "bias"),
                    if n > 2 { "s" } else { "" }
                ),
            ));
            out.push((
                total - b,
                format!("you left out the {} of {}", plural(b, "bias"), net.name(i)),
            ));
            out.push((
                total - w,
                format!(
                    "you left out the {} of {} ({} x {})",
                    plural(w, "weight"),
                    net.name(i),
                    net.fan_in(i),
                    net.units[i]
                ),
            ));
        }
        out.push((
            sw + n,
            "you gave each layer one bias; every neuron has its own bias".to_string(),
        ));
    }
    let neurons: usize = net.units.iter().sum();
    out.push((
        neurons,
        format!(
            "that is the number of neurons ({}); the parameters are the connections between them plus one bias per neuron",
            join_plus(net.units)
        ),
    ));
    out.push((
        net.inputs + neurons,
        "that is the number of circles in the picture (inputs and neurons); count the connections and the biases instead".to_string(),
    ));
    let added: usize = (0..n).map(|i| net.fan_in(i) + net.units[i]).sum();
    out.push((
        added + sb,
        "you added the sizes of the layers; each of a layer's inputs connects to each of its neurons, so multiply: inputs x neurons weights".to_string(),
    ));
    out.push((
        total + net.inputs,
        format!(
            "you gave the {} a bias too; inputs are just the data, only neurons have biases",
            plural(net.inputs, "input")
        ),
    ));
    out.retain(|(v, _)| *v != total);
    out
}

/// Checks `answer` as the parameter count of `net`; `None` is a number
/// too large for any count.
pub(crate) fn check_number(net: &Net, answer: Option<i64>) -> Check {
    match answer {
        Some(n) => check(net, n),
        None => Check::new(
            net.exercise,
            vec!["that number is far too large for a parameter count".to_string()],
            String::new(),
        ),
    }
}

/// Checks `answer` as the parameter count of `net`.
fn check(net: &Net, answer: i64) -> Check {
    let layers = net.layers();
    let total: usize = layers.iter().map(|(w, b)| w + b).sum();
    if answer == total as i64 {
        let parts: Vec<String> = (0..layers.len()).map(|i| net.explain_layer(i)).collect();
        let praise = format!(
            "{total} parameters: {}{}.",
            parts.join(", "),
            if layers.len() > 1 {
                format!(
                    "; {} = {total}",
                    join_plus(&layers.iter().map(|(w, b)| w + b).collect::<Vec<_>>())
                )
            } else {
                String::new()
            }
        );
        return Check::new(net.exercise, Vec::new(), praise);
    }
    let mut reasons: Vec<String> = miscounts(net)
        .into_iter()
        .filter(|(v, _)| *v as i64 == answer)
        .map(|(_, why)| why)
        .collect();
    reasons.dedup();
    let problems = if reasons.is_empty() {
        vec![format!(
            "{answer} is too {}. Count each Dense layer as (its inputs x its neurons) weights plus one bias per neuron, then add the layers",
            if answer < total as i64 { "low" } else { "high" }
        )]
    } else {
        reasons
            .iter()
            .enumerate()
            .map(|(i, why)| {
                format!(
                    "{}{why}",
                    if i == 0 {
                        format!("{answer}: ")
                    } else {
                        "or: ".to_string()
                    }
                )
            })
            .collect()
    };
    Check::new(net.exercise, problems, String::new())
}
