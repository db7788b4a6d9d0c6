//! Lesson 7's checks (the convnet): the shape that comes out of the first
//! convolution and pooling, and the parameter count of a `Conv2D`.

use super::architecture::plural;
use super::Check;
use crate::model::Graph;

/// Lesson 7: the shape (height, width, channels) that comes out of the
/// model's first `MaxPooling2D`, worked out on paper from the input and
/// the first `Conv2D` before it.
///
/// ```
/// use kerust::prelude::*;
/// let mut model = Sequential::new();
/// model.add(Conv2D::new(16, 3).activation("relu").input_shape([28, 28, 1]))?;
/// model.add(MaxPooling2D::new(2))?;
/// assert!(exercises::pooled_shape(&model, &[13, 13, 16]).passed());
/// let check = exercises::pooled_shape(&model, &[26, 26, 16]);
/// assert!(check.to_string().contains("after the Conv2D"));
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn pooled_shape<N: TryInto<i64> + Copy>(model: &Graph, answer: &[N]) -> Check {
    let answer: Vec<Option<i64>> = answer.iter().map(|&d| d.try_into().ok()).collect();
    pooled_shape_impl(model, &answer)
}

fn pooled_shape_impl(model: &Graph, answer: &[Option<i64>]) -> Check {
    let fail = |p: String| Check::new("After conv and pooling", vec![p], String::new());
    let layers = model.layers();
    let conv = layers.iter().position(|l| l.class_name() == "Conv2D");
    let pool = conv.and_then(|c| {
        layers[c..]
            .iter()
            .position(|l| l.class_name() == "MaxPooling2D")
            .map(|p| c + p)
    });
    let (Some(conv), Some(pool), Some(input)) = (conv, pool, model.input_shape()) else {
        return fail(
            "pass the lesson's model: a Conv2D with an input shape, then a MaxPooling2D"
                .to_string(),
        );
    };
    let as_i64 = |s: &[usize]| s.iter().map(|&d| Some(d as i64)).collect::<Vec<_>>();
    let (conv_out, pooled) = (layers[conv].output_shape(), layers[pool].output_shape());
    if answer == as_i64(pooled) {
        return Check::new(
            "After conv and pooling",
            Vec::new(),
            format!(
                "The {}x{} kernel fits {} times across {} pixels ({} - {} + 1), pooling keeps one value of each 2x2 window \
                 ({} / 2 = {}), and there is one channel per filter ({}).",
                input[0] - conv_out[0] + 1,
                input[0] - conv_out[0] + 1,
                conv_out[0],
                input[0],
                input[0],
                input[0] - conv_out[0] + 1,
                conv_out[0],
                pooled[0],
                pooled[2]
            ),
        );
    }
    if answer.len() != 3 {
        return fail(format!(
            "write 3 numbers, [height, width, channels]; you wrote {} (leave out the batch axis, None)",
            plural(answer.len(), "number")
        ));
    }
    let hw = |a: &[Option<i64>]| [a[0], a[1]];
    let mut problems = Vec::new();
    if answer == as_i64(conv_out) {
        problems.push(format!(
            "{:?} is the shape right after the Conv2D; the MaxPooling2D then keeps the largest value of each 2x2 window, \
             halving the height and the width",
            conv_out
        ));
    } else {
        if hw(answer) == hw(&as_i64(&input[..2])) || hw(answer) == [Some(input[0] as i64 / 2); 2] {
            problems.push(format!(
                "the convolution has no padding (\"valid\"): a {k}x{k} kernel fits only {} - {k} + 1 = {} times across \
                 {} pixels, so the Conv2D gives {}x{}; pooling then halves that",
                input[0],
                conv_out[0],
                input[0],
                conv_out[0],
                conv_out[1],
                k = input[0] - conv_out[0] + 1
            ));
        } else if hw(answer) != hw(&as_i64(pooled)) {
            problems.push(format!(
                "height and width: the Conv2D gives {}x{} and pooling halves each (rounding down): {}x{}",
                conv_out[0], conv_out[1], pooled[0], pooled[1]
            ));
        }
        if answer[2] != Some(pooled[2] as i64) {
            problems.push(format!(
                "the last axis counts channels: the image comes in with {}, and a Conv2D gives one channel per filter, \
                 {}; pooling keeps the channels",
                input[2], pooled[2]
            ));
        }
    }
    Check::new("After conv and pooling", problems, String::new())
}

/// Lesson 7: the number of parameters of a `Conv2D` with `filters` kernels
/// of `k` x `k` on an input with `channels` channels.
pub(crate) struct Conv {
    pub exercise: &'static str,
    pub k: usize,
    pub channels: usize,
    pub filters: usize,
    /// The height and width of its input and output, for the miscounts
    /// that treat it as a Dense layer or give every position a bias.
    pub input_hw: usize,
    pub output_hw: usize,
}

/// Checks `answer` as the parameter count of `conv`, explaining the usual
/// miscounts.
pub(crate) fn check_conv_count(conv: &Conv, answer: Option<i64>) -> Check {
    let (k, c, f) = (conv.k, conv.channels, conv.filters);
    let weights = k * k * c * f;
    let total = weights + f;
    if answer == Some(total as i64) {
        return Check::new(
            conv.exercise,
            Vec::new(),
            format!(
                "Each of the {f} filters has a {k} x {k} kernel for each of the {c} input channels ({} weights) and one bias: \
                 {f} x ({} + 1) = {total}.",
                k * k * c,
                k * k * c
            ),
        );
    }
    let inputs = conv.input_hw * conv.input_hw * c;
    let outputs = conv.output_hw * conv.output_hw * f;
    let miscounts: [(usize, String); 7] = [
        (weights, format!("you counted the {weights} weights but not the {f} biases, one per filter")),
        (
            (k * k + 1) * f,
            format!(
                "you left out the input channels: the input has {c} channels, and each filter has a {k} x {k} kernel for \
                 each of them ({k} x {k} x {c} weights per filter)"
            ),
        ),
        (k * k * c + 1, format!("that is one filter ({k} x {k} x {c} weights + 1 bias); the layer has {f}")),
        (
            weights + outputs,
            "you gave every output position a bias; a filter has one bias, shared by every position it visits".to_string(),
        ),
        (
            weights + c,
            format!("the biases belong to the filters ({f}), not to the input channels ({c})"),
        ),
        (
            (inputs + 1) * f,
            format!(
                "that counts it like a Dense layer on all {} inputs; a filter only sees a {k} x {k} window, and the same \
                 weights are used at every position",
                inputs
            ),
        ),
        (
            (k * k * f + 1) * c,
            format!("filters and channels are swapped: there are {f} filters, each with a kernel for each of the {c} input channels"),
        ),
    ];
    let reasons: Vec<String> = miscounts
        .iter()
        .filter(|(v, _)| answer == Some(*v as i64) && *v != total)
        .map(|(_, why)| why.clone())
        .collect();
    let problems = match (answer, reasons.first()) {
        (None, _) => vec!["that number is far too large for a parameter count".to_string()],
        (Some(n), Some(why)) => vec![format!("{n}: {why}")],
        (Some(n), None) => vec![format!(
            "{n} is too {}. A Conv2D has, for each filter, one {k} x {k} kernel per input channel, plus one bias",
            if n < total as i64 { "low" } else { "high" }
        )],
    };
    Check::new(conv.exercise, problems, String::new())
}
