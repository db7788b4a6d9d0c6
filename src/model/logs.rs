//! What fit and evaluate report: the running sums of a pass ([`Totals`]),
//! the named values they make ([`Logs`]), and the Keras progress line.

use crate::metrics::{Metric, MetricKind};
use ndarray::ArrayD;

/// Named values, in Keras' order: `loss`, the metrics, then `val_loss`
/// and `val_<metric>`. A callback sees them at batch and epoch end.
///
/// ```
/// use kerust::model::Logs;
/// let logs = Logs::default();
/// assert_eq!(logs.get("loss"), None);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Logs(pub Vec<(String, f32)>);

impl Logs {
    /// The value for `name`, if logged.
    pub fn get(&self, name: &str) -> Option<f32> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
    }
    /// The values, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, f32)> {
        self.0.iter().map(|(n, v)| (n.as_str(), *v))
    }
    pub(crate) fn push(&mut self, name: String, value: f32) {
        self.0.push((name, value));
    }
    /// Appends `other` with `prefix` before each name (`val_`).
    pub(crate) fn extend_prefixed(&mut self, prefix: &str, other: &Logs) {
        for (n, v) in other.iter() {
            self.push(format!("{prefix}{n}"), v);
        }
    }
}

/// The running sums of a pass over batches: loss times samples and each
/// metric's batch sum, accumulated in f64.
pub(crate) struct Totals<'a> {
    kinds: &'a [MetricKind],
    loss: f64,
    metrics: Vec<f64>,
    samples: usize,
}

impl<'a> Totals<'a> {
    pub fn new(kinds: &'a [MetricKind]) -> Self {
        Totals {
            kinds,
            loss: 0.0,
            metrics: vec![0.0; kinds.len()],
            samples: 0,
        }
    }
    /// Adds a batch: its mean loss, targets and outputs.
    pub fn add(&mut self, loss: f32, y: &ArrayD<f32>, out: &ArrayD<f32>) {
        let n = y.shape().first().copied().unwrap_or(0);
        self.loss += f64::from(loss) * n as f64;
        for (s, k) in self.metrics.iter_mut().zip(self.kinds) {
            *s += k.batch_sum(y.view(), out.view());
        }
        self.samples += n;
    }
    /// The means over the samples so far, named after `metrics`.
    pub fn logs(&self, metrics: &[Metric]) -> Logs {
        let n = self.samples.max(1) as f64;
        let mut logs = Logs(vec![("loss".to_string(), (self.loss / n) as f32)]);
        for (m, s) in metrics.iter().zip(&self.metrics) {
            logs.push(m.name.clone(), (s / n) as f32);
        }
        logs
    }
}

/// Keras' line after an epoch or an evaluation:
/// `1875/1875 - 2s - loss: 0.2587 - accuracy: 0.9258`.
pub(crate) fn progress_line(steps: usize, seconds: f64, logs: &Logs) -> String {
    let mut line = format!("{steps}/{steps} - {}", format_seconds(seconds));
    for (k, v) in logs.iter() {
        line.push_str(&format!(" - {k}: {v:.4}"));
    }
    line
}

/// Formats a number of seconds as Keras does in its per-epoch line.
fn format_seconds(s: f64) -> String {
    if s >= 1.0 {
        format!("{}s", s.round() as u64)
    } else {
        format!("{}ms", (s * 1000.0).round() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn lines_read_like_keras() {
        let logs = Logs(vec![("loss".into(), 0.25874), ("accuracy".into(), 0.9258)]);
        assert_eq!(
            progress_line(1875, 2.4, &logs),
            "1875/1875 - 2s - loss: 0.2587 - accuracy: 0.9258"
        );
        assert_eq!(progress_line(1, 0.0123, &Logs::default()), "1/1 - 12ms");
    }
}
