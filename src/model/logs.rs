//! What fit and evaluate report: the running sums of a pass ([`Totals`]),
//! the named values they make (`callbacks::Logs`), and the Keras progress line.

use crate::metrics::{Metric, MetricKind};
use ndarray::ArrayD;

pub(crate) use crate::callbacks::Logs;

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
    progress_line_with(steps, seconds, None, logs)
}

/// The line with Keras 3's verbose-2 time per step when `per_step` is
/// given: `1875/1875 - 2s - 1ms/step - loss: 0.2587`. Times are whole
/// seconds as Keras prints them (`0s` for a sub-second epoch); values
/// with 4 decimals, or `1.2340e-04` when at most 1e-3 as Keras.
pub(crate) fn progress_line_with(
    steps: usize,
    seconds: f64,
    per_step: Option<f64>,
    logs: &Logs,
) -> String {
    let mut line = format!("{steps}/{steps} - {:.0}s", seconds);
    if let Some(t) = per_step {
        line.push_str(&format!(" -{}", format_time(t)));
    }
    for (k, v) in logs.iter() {
        line.push_str(&format!(" - {k}: {}", format_value(v)));
    }
    line
}

/// Keras' `{avg:.4f}`, or `{avg:.4e}` for values at most 1e-3 in size.
fn format_value(v: f32) -> String {
    let v = f64::from(v);
    if v.abs() > 1e-3 || !v.is_finite() {
        format!("{v:.4}")
    } else {
        let body = crate::callbacks::sci(v.abs(), 4);
        if v < 0.0 {
            format!("-{body}")
        } else {
            body
        }
    }
}

/// Keras' time per step: ` 2s/step`, ` 13ms/step` or ` 120us/step`.
fn format_time(t: f64) -> String {
    if t >= 1.0 || t == 0.0 {
        format!(" {t:.0}s/step")
    } else if t >= 1e-3 {
        format!(" {:.0}ms/step", t * 1000.0)
    } else {
        format!(" {:.0}us/step", t * 1e6)
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
        assert_eq!(progress_line(1, 0.0123, &Logs::default()), "1/1 - 0s");
        let small = Logs(vec![("loss".into(), 0.000_123_4)]);
        assert_eq!(
            progress_line_with(4, 0.6, Some(0.0123), &small),
            "4/4 - 1s - 12ms/step - loss: 1.2340e-04"
        );
        assert_eq!(format_time(0.000_25), " 250us/step");
    }
}
