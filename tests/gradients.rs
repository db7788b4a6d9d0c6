//! Finite-difference gradient checks for every layer, activation and loss.
//!
//! Each check compares an analytic gradient (a layer's backward pass, or a
//! loss's gradient) with central differences of the matching forward pass.
//! For layers the objective is `sum(y * r)` for a fixed random `r`,
//! accumulated in f64 so that the only f32 noise is the forward pass's own;
//! inputs are drawn away from kinks (relu at 0, max-pool ties, mae at
//! `p = y`), so a gradient that is wrong anywhere fails. The checker itself
//! is tested on wrong gradients (`checker_rejects_wrong_gradients`).

use kerust::activations::ActivationFn;
use kerust::layers::{
    Activation, AveragePooling2D, Conv2D, Ctx, Dense, Dropout, Flatten, GlobalAveragePooling1D,
    GlobalAveragePooling2D, GlobalMaxPooling2D, Layer, MaxPooling2D, Reshape, Softmax, Team,
};
use kerust::losses::Loss;
use kerust::prelude::Sequential;
use kerust::random::Rng;
use ndarray::{ArrayD, IxDyn};
use rand::{Rng as _, SeedableRng};

const ALL_ACTIVATIONS: [ActivationFn; 12] = [
    ActivationFn::Linear,
    ActivationFn::Relu,
    ActivationFn::Sigmoid,
    ActivationFn::Tanh,
    ActivationFn::Softmax,
    ActivationFn::Elu,
    ActivationFn::Selu,
    ActivationFn::Softplus,
    ActivationFn::Softsign,
    ActivationFn::LeakyRelu,
    ActivationFn::Gelu,
    ActivationFn::Swish,
];

/// Finite-difference step for layers; kinks are kept `MARGIN` away.
const H: f32 = 1e-2;
const MARGIN: f32 = 0.02;
const RTOL: f64 = 5e-3;

fn uniform(shape: &[usize], lo: f32, hi: f32, rng: &mut Rng) -> ArrayD<f32> {
    ArrayD::from_shape_simple_fn(IxDyn(shape), || rng.random_range(lo..hi))
}

fn batch_shape(n: usize, shape: &[usize]) -> Vec<usize> {
    let mut s = vec![n];
    s.extend_from_slice(shape);
    s
}

/// One forward pass; dropout masks come from a fresh generator seeded
/// with `seed`, so repeated passes use the same mask.
fn run(layer: &mut dyn Layer, x: &ArrayD<f32>, training: bool, seed: u64) -> ArrayD<f32> {
    let mut rng = Rng::seed_from_u64(seed);
    let mut ctx = Ctx {
        training,
        rng: &mut rng,
        team: Team::one(),
    };
    layer.forward(x, &mut ctx).expect("forward pass")
}

fn dot64(a: &ArrayD<f32>, b: &ArrayD<f32>) -> f64 {
    assert_eq!(a.shape(), b.shape());
    a.iter()
        .zip(b)
        .map(|(&p, &q)| f64::from(p) * f64::from(q))
        .sum()
}

fn flat(a: &ArrayD<f32>) -> Vec<f32> {
    a.iter().copied().collect()
}

/// `(f(v + h) - f(v - h)) / (2h)` with the step actually taken in f32.
fn central(v: f32, h: f32, mut f: impl FnMut(f32) -> f64) -> f64 {
    let (up, down) = (v + h, v - h);
    (f(up) - f(down)) / (f64::from(up) - f64::from(down))
}

/// Central differences of `f` at `x`, one coordinate at a time.
fn numeric_grad(x: &ArrayD<f32>, h: f32, mut f: impl FnMut(&ArrayD<f32>) -> f64) -> Vec<f64> {
    let mut xp = x.as_standard_layout().into_owned();
    (0..x.len())
        .map(|i| {
            let orig = xp.as_slice().unwrap()[i];
            let d = central(orig, h, |v| {
                xp.as_slice_mut().unwrap()[i] = v;
                f(&xp)
            });
            xp.as_slice_mut().unwrap()[i] = orig;
            d
        })
        .collect()
}

/// Sets element `i` of weight `k` (in `weights_and_grads` order), returning the old value.
fn set_weight(layer: &mut dyn Layer, k: usize, i: usize, v: f32) -> f32 {
    let mut wg = layer.weights_and_grads().expect("row-major weights");
    let w = &mut wg[k].0;
    std::mem::replace(&mut w[i], v)
}

/// Whether `analytic` matches `numeric`: each element within `rtol` of
/// itself plus `rtol / 10` of the largest numeric element.
fn close(analytic: &[f32], numeric: &[f64], rtol: f64) -> Result<(), String> {
    if analytic.len() != numeric.len() {
        return Err(format!(
            "length {} vs numeric {}",
            analytic.len(),
            numeric.len()
        ));
    }
    let scale = numeric.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if scale < 1e-4 {
        return Err(format!(
            "numeric gradient is ~0 ({scale}): the check proves nothing"
        ));
    }
    for (i, (&a, &n)) in analytic.iter().zip(numeric).enumerate() {
        let err = (f64::from(a) - n).abs();
        if err.is_nan() || err > rtol * (n.abs() + 0.1 * scale) {
            return Err(format!(
                "element {i}: analytic {a} vs numeric {n} (largest |numeric| {scale})"
            ));
        }
    }
    Ok(())
}

fn assert_close(what: &str, analytic: &[f32], numeric: &[f64], rtol: f64) {
    if let Err(e) = close(analytic, numeric, rtol) {
        panic!("{what}: {e}");
    }
}

/// An analytic backward pass: given the layer after a training forward
/// pass, its output and whether dL/dx is wanted, returns dL/dx.
type Backprop<'a> = dyn Fn(&mut dyn Layer, &ArrayD<f32>, bool) -> Option<ArrayD<f32>> + 'a;

/// Checks dL/dx and every dL/dw of `layer` at `x`. `objective` is L of the
/// layer's output; `backprop` runs the analytic backward pass after a
/// training forward pass (given the layer and its output) and returns dL/dx.
fn check_with(
    what: &str,
    layer: &mut dyn Layer,
    x: &ArrayD<f32>,
    training: bool,
    objective: &dyn Fn(&ArrayD<f32>) -> f64,
    backprop: &Backprop<'_>,
) {
    const SEED: u64 = 7;
    let y = run(layer, x, training, SEED);
    let dx = backprop(layer, &y, true).unwrap_or_else(|| panic!("{what}: no input gradient"));
    assert_eq!(dx.shape(), x.shape(), "{what}: input gradient shape");
    let grads: Vec<Vec<f32>> = layer
        .weights_and_grads()
        .expect("row-major weights")
        .into_iter()
        .map(|(_, g)| g.to_vec())
        .collect();
    assert_eq!(
        grads.len(),
        layer.weights().len(),
        "{what}: weights_and_grads lists every weight"
    );
    if !grads.is_empty() {
        // Without the input gradient, the weight gradients are the same.
        run(layer, x, training, SEED);
        assert!(backprop(layer, &y, false).is_none(), "{what}: dx not asked");
        for (k, (_, g)) in layer
            .weights_and_grads()
            .expect("row-major weights")
            .into_iter()
            .enumerate()
        {
            assert_eq!(g, &grads[k][..], "{what}: weight {k} without dx");
        }
    }
    let num = numeric_grad(x, H, |xp| objective(&run(layer, xp, training, SEED)));
    assert_close(&format!("{what}: dL/dx"), &flat(&dx), &num, RTOL);
    // Statistics a layer keeps (non-trainable weights) have no gradient.
    let trained: Vec<bool> = layer.params().iter().map(|p| p.is_trainable()).collect();
    for (k, g) in grads.iter().enumerate().filter(|(k, _)| trained[*k]) {
        let num: Vec<f64> = (0..g.len())
            .map(|i| {
                let orig = set_weight(layer, k, i, 0.0);
                let d = central(orig, H, |v| {
                    set_weight(layer, k, i, v);
                    objective(&run(layer, x, training, SEED))
                });
                set_weight(layer, k, i, orig);
                d
            })
            .collect();
        assert_close(&format!("{what}: dL/dweight[{k}]"), g, &num, RTOL);
    }
}

/// Checks `layer` with L = sum(y * r) through `backward`.
fn check_layer(what: &str, layer: &mut dyn Layer, x: &ArrayD<f32>, training: bool) {
    let out_shape = batch_shape(x.shape()[0], layer.output_shape());
    let r = uniform(&out_shape, -1.0, 1.0, &mut Rng::seed_from_u64(99));
    check_with(
        what,
        layer,
        x,
        training,
        &|y| dot64(y, &r),
        &|l, _, need| {
            l.try_backward(r.clone(), need, Team::one())
                .expect("backward")
        },
    );
}

/// The logits of a training forward pass.
fn logits_of(layer: &mut dyn Layer, x: &ArrayD<f32>) -> ArrayD<f32> {
    run(layer, x, true, 7);
    layer.logits().expect("logits are kept").clone()
}

/// Checks `layer` with L = sum(logits * r) through `backward_from_logits`.
fn check_layer_logits(what: &str, layer: &mut dyn Layer, x: &ArrayD<f32>) {
    let out_shape = batch_shape(x.shape()[0], layer.output_shape());
    let r = uniform(&out_shape, -1.0, 1.0, &mut Rng::seed_from_u64(98));
    let num = numeric_grad(x, H, |xp| dot64(&logits_of(layer, xp), &r));
    run(layer, x, true, 7);
    let dx = layer
        .try_backward_from_logits(r.clone(), true, Team::one())
        .expect("backward")
        .expect("input gradient");
    assert_close(
        &format!("{what}: dL/dx from logits"),
        &flat(&dx),
        &num,
        RTOL,
    );
    let grads: Vec<Vec<f32>> = layer
        .weights_and_grads()
        .expect("row-major weights")
        .into_iter()
        .map(|(_, g)| g.to_vec())
        .collect();
    for (k, g) in grads.iter().enumerate() {
        let num: Vec<f64> = (0..g.len())
            .map(|i| {
                let orig = set_weight(layer, k, i, 0.0);
                let d = central(orig, H, |v| {
                    set_weight(layer, k, i, v);
                    dot64(&logits_of(layer, x), &r)
                });
                set_weight(layer, k, i, orig);
                d
            })
            .collect();
        assert_close(
            &format!("{what}: dL/dweight[{k}] from logits"),
            g,
            &num,
            RTOL,
        );
    }
}

/// Checks a layer followed by `loss` against targets `t`: through the
/// logits (as `fit` does for sigmoid/softmax with cross-entropy) when the
/// loss uses them, else through `value_and_grad` and `backward`.
fn check_layer_loss(
    what: &str,
    layer: &mut dyn Layer,
    x: &ArrayD<f32>,
    loss: Loss,
    t: &ArrayD<f32>,
) {
    let fused = layer
        .output_activation()
        .is_some_and(|a| loss.uses_logits(a));
    check_with(
        &format!("{what} + {}", loss.name()),
        layer,
        x,
        true,
        &|y| f64::from(loss.value(t.view(), y.view()).expect("loss")),
        &|l, y, need| {
            if fused {
                let z = l.logits().expect("logits").clone();
                let (_, g) = loss
                    .value_and_grad_logits(t.view(), z.view())
                    .expect("loss");
                l.try_backward_from_logits(g, need, Team::one())
                    .expect("backward")
            } else {
                let (_, g) = loss.value_and_grad(t.view(), y.view()).expect("loss");
                l.try_backward(g, need, Team::one()).expect("backward")
            }
        },
    );
}

/// Gives every weight of a built layer random values (biases too, so
/// that bias bugs show).
fn randomize(layer: &mut dyn Layer, rng: &mut Rng) {
    let w: Vec<ArrayD<f32>> = layer
        .weights()
        .iter()
        .map(|w| uniform(w.shape(), -1.0, 1.0, rng))
        .collect();
    layer.set_weights(&w);
}

/// Whether an activation has a kink at 0 (its derivative jumps there).
fn has_kink(act: Option<ActivationFn>) -> bool {
    matches!(
        act,
        Some(ActivationFn::Relu | ActivationFn::LeakyRelu | ActivationFn::Selu | ActivationFn::Elu)
    )
}

/// Smallest distance of any value to 0.
fn min_abs(a: &ArrayD<f32>) -> f32 {
    a.iter().fold(f32::INFINITY, |m, v| m.min(v.abs()))
}

/// Builds a layer for `input_shape` with random weights, and a random
/// input of `batch` samples.
fn build_random(
    make: &dyn Fn() -> Box<dyn Layer>,
    input_shape: &[usize],
    batch: usize,
    seed: u64,
) -> (Box<dyn Layer>, ArrayD<f32>) {
    let mut rng = Rng::seed_from_u64(seed);
    let mut layer = make();
    layer.build(input_shape, &mut rng).expect("build");
    randomize(layer.as_mut(), &mut rng);
    let x = uniform(&batch_shape(batch, input_shape), -1.0, 1.0, &mut rng);
    (layer, x)
}

/// Builds a layer for `input_shape` with random weights and finds a
/// random input of `batch` samples; for an activation with a kink, one
/// whose logits stay `MARGIN` away from it (a step of `H` moves a logit by
/// less than `MARGIN`: inputs and weights are within (-1, 1)).
fn setup(
    make: &dyn Fn() -> Box<dyn Layer>,
    input_shape: &[usize],
    batch: usize,
) -> (Box<dyn Layer>, ArrayD<f32>) {
    for seed in 0..200 {
        let (mut layer, x) = build_random(make, input_shape, batch, seed);
        run(layer.as_mut(), &x, true, 7);
        let kinked = has_kink(layer.output_activation());
        if !kinked || layer.logits().is_some_and(|z| min_abs(z) > MARGIN) {
            return (layer, x);
        }
    }
    panic!("no input away from kinks in 200 tries");
}

#[test]
fn checker_rejects_wrong_gradients() {
    let (mut layer, x) = setup(&|| Box::new(Dense::new(3).activation("tanh")), &[4], 2);
    let r = uniform(&[2, 3], -1.0, 1.0, &mut Rng::seed_from_u64(1));
    let num = numeric_grad(&x, H, |xp| dot64(&run(layer.as_mut(), xp, true, 7), &r));
    run(layer.as_mut(), &x, true, 7);
    let good = flat(
        &layer
            .try_backward(r.clone(), true, Team::one())
            .unwrap()
            .unwrap(),
    );
    close(&good, &num, RTOL).unwrap();
    let scaled: Vec<f32> = good.iter().map(|g| g * 1.05).collect();
    assert!(close(&scaled, &num, RTOL).is_err(), "5% too large passed");
    for i in 0..good.len() {
        let mut flipped = good.clone();
        flipped[i] = -flipped[i];
        if flipped[i].abs() > 1e-3 {
            assert!(close(&flipped, &num, RTOL).is_err(), "sign flip {i} passed");
        }
    }
    assert!(close(&vec![0.0; good.len()], &num, RTOL).is_err());
    assert!(close(&good[1..], &num, RTOL).is_err());
}

#[test]
fn dense_every_activation() {
    for act in ALL_ACTIVATIONS {
        let (mut layer, x) = setup(&|| Box::new(Dense::new(5).activation(act)), &[4], 3);
        check_layer(&format!("Dense {}", act.name()), layer.as_mut(), &x, true);
    }
}

#[test]
fn dense_on_3d_input() {
    for act in [ActivationFn::Tanh, ActivationFn::Softmax] {
        let (mut layer, x) = setup(&|| Box::new(Dense::new(3).activation(act)), &[2, 4], 2);
        check_layer(
            &format!("Dense {} on 3-D", act.name()),
            layer.as_mut(),
            &x,
            true,
        );
    }
}

#[test]
fn dense_from_logits() {
    for act in [
        ActivationFn::Softmax,
        ActivationFn::Sigmoid,
        ActivationFn::Relu,
    ] {
        let (mut layer, x) = setup(&|| Box::new(Dense::new(4).activation(act)), &[3], 3);
        check_layer_logits(&format!("Dense {}", act.name()), layer.as_mut(), &x);
    }
}

#[test]
fn activation_layer_every_activation() {
    for act in ALL_ACTIVATIONS {
        let (mut layer, x) = setup(&|| Box::new(Activation::new(act)), &[2, 5], 3);
        check_layer(
            &format!("Activation {}", act.name()),
            layer.as_mut(),
            &x,
            true,
        );
    }
}

#[test]
fn flatten() {
    let (mut layer, x) = setup(&|| Box::new(Flatten::new()), &[3, 2, 2], 2);
    check_layer("Flatten", layer.as_mut(), &x, true);
}

#[test]
fn dropout() {
    let (mut layer, x) = setup(&|| Box::new(Dropout::new(0.0)), &[6], 3);
    check_layer("Dropout(0) training", layer.as_mut(), &x, true);
    let (mut layer, x) = setup(&|| Box::new(Dropout::new(0.5)), &[6], 3);
    check_layer("Dropout(0.5) inference", layer.as_mut(), &x, false);
    // Training with a fixed mask (every pass reseeds the generator).
    let (mut layer, x) = setup(&|| Box::new(Dropout::new(0.5)), &[20], 3);
    let y = run(layer.as_mut(), &x, true, 7);
    let zeros = y.iter().filter(|v| **v == 0.0).count();
    assert!(zeros > 5 && zeros < 55, "{zeros} of 60 dropped at rate 0.5");
    check_layer("Dropout(0.5) training", layer.as_mut(), &x, true);
}

fn conv(filters: usize, k: (usize, usize), s: usize, padding: &str, act: ActivationFn) -> Conv2D {
    Conv2D::new(filters, k)
        .strides((s, s))
        .padding(padding)
        .activation(act)
}

type ConvCase = ((usize, usize), usize, &'static str, [usize; 3]);

/// The conv configurations checked: kernel, stride, padding, input shape.
/// With `kw * channels < 16` the columns are built transposed; the last
/// two cases use the row layout.
const CONVS: [ConvCase; 9] = [
    ((3, 3), 1, "valid", [5, 6, 2]),
    ((3, 3), 1, "same", [5, 6, 2]),
    ((3, 3), 2, "valid", [7, 6, 2]),
    ((3, 3), 2, "same", [7, 6, 2]),
    ((2, 3), 2, "same", [6, 5, 2]),
    ((1, 1), 1, "valid", [3, 4, 3]),
    ((2, 2), 1, "same", [4, 3, 1]),
    ((3, 3), 2, "same", [6, 5, 6]),
    ((3, 2), 1, "valid", [5, 4, 8]),
];

#[test]
fn conv2d_gradients() {
    for (k, s, padding, shape) in CONVS {
        let (mut layer, x) = setup(
            &|| Box::new(conv(3, k, s, padding, ActivationFn::Linear)),
            &shape,
            2,
        );
        check_layer(
            &format!("Conv2D {k:?} s{s} {padding}"),
            layer.as_mut(),
            &x,
            true,
        );
    }
}

#[test]
fn conv2d_activations_and_logits() {
    let cases = [CONVS[1], CONVS[3], CONVS[7]];
    for act in [
        ActivationFn::Tanh,
        ActivationFn::Softmax,
        ActivationFn::Sigmoid,
    ] {
        for (k, s, padding, shape) in cases {
            let what = format!("Conv2D {k:?} s{s} {padding} {}", act.name());
            let (mut layer, x) = setup(&|| Box::new(conv(3, k, s, padding, act)), &shape, 2);
            check_layer(&what, layer.as_mut(), &x, true);
            check_layer_logits(&what, layer.as_mut(), &x);
        }
    }
    // Relu and leaky_relu: Conv2D keeps no relu logits, so a linear twin
    // with the same weights finds inputs away from the kink.
    for act in [ActivationFn::Relu, ActivationFn::LeakyRelu] {
        for (k, s, padding, shape) in cases {
            let what = format!("Conv2D {k:?} s{s} {padding} {}", act.name());
            let make = || Box::new(conv(3, k, s, padding, act)) as Box<dyn Layer>;
            let (mut layer, x) = (0..200)
                .map(|seed| build_random(&make, &shape, 2, seed))
                .find(|(layer, x)| {
                    let mut twin = conv(3, k, s, padding, ActivationFn::Linear);
                    twin.build(&shape, &mut Rng::seed_from_u64(0)).unwrap();
                    let w: Vec<ArrayD<f32>> =
                        layer.weights().iter().map(|w| w.to_owned()).collect();
                    twin.set_weights(&w);
                    min_abs(&run(&mut twin, x, false, 0)) > MARGIN
                })
                .expect("an input away from the kink");
            check_layer(&what, layer.as_mut(), &x, true);
        }
    }
}

/// TensorFlow's output size and padding before, for one axis.
fn tf_pad(len: usize, k: usize, s: usize, same: bool) -> (usize, usize) {
    if same {
        let out = len.div_ceil(s);
        let total = ((out - 1) * s + k).saturating_sub(len);
        (out, total / 2)
    } else {
        ((len - k) / s + 1, 0)
    }
}

/// A direct convolution in f64, zero padding as TensorFlow pads.
fn conv_reference(
    x: &ArrayD<f32>,
    kernel: &ArrayD<f32>,
    bias: &ArrayD<f32>,
    s: usize,
    same: bool,
) -> ArrayD<f64> {
    let (n, h, w, c) = (x.shape()[0], x.shape()[1], x.shape()[2], x.shape()[3]);
    let (kh, kw, f) = (kernel.shape()[0], kernel.shape()[1], kernel.shape()[3]);
    let (oh, ph) = tf_pad(h, kh, s, same);
    let (ow, pw) = tf_pad(w, kw, s, same);
    let mut out = ArrayD::zeros(IxDyn(&[n, oh, ow, f]));
    for b in 0..n {
        for oy in 0..oh {
            for ox in 0..ow {
                for o in 0..f {
                    let mut acc = f64::from(bias[[o]]);
                    for i in 0..kh {
                        for j in 0..kw {
                            let iy = (oy * s + i) as isize - ph as isize;
                            let ix = (ox * s + j) as isize - pw as isize;
                            if iy < 0 || ix < 0 || iy as usize >= h || ix as usize >= w {
                                continue;
                            }
                            for ci in 0..c {
                                acc += f64::from(x[[b, iy as usize, ix as usize, ci]])
                                    * f64::from(kernel[[i, j, ci, o]]);
                            }
                        }
                    }
                    out[[b, oy, ox, o]] = acc;
                }
            }
        }
    }
    out
}

#[test]
fn conv2d_forward_matches_direct_convolution() {
    let acts = [
        ActivationFn::Linear,
        ActivationFn::Relu,
        ActivationFn::Sigmoid,
    ];
    for (act, (k, s, padding, shape)) in acts.iter().flat_map(|a| CONVS.map(|c| (*a, c))) {
        let (mut layer, x) = build_random(&|| Box::new(conv(4, k, s, padding, act)), &shape, 3, 2);
        let w: Vec<ArrayD<f32>> = layer.weights().iter().map(|w| w.to_owned()).collect();
        let want = conv_reference(&x, &w[0], &w[1], s, padding == "same");
        for training in [false, true] {
            let got = run(layer.as_mut(), &x, training, 0);
            let what = format!("{} {k:?} s{s} {padding} training={training}", act.name());
            assert_eq!(got.shape(), want.shape(), "{what}");
            for (g, r) in got.iter().zip(&want) {
                let r = match act {
                    ActivationFn::Relu => r.max(0.0),
                    ActivationFn::Sigmoid => 1.0 / (1.0 + (-r).exp()),
                    _ => *r,
                };
                assert!((f64::from(*g) - r).abs() < 1e-5, "{what}: {g} vs {r}");
            }
        }
    }
}

#[test]
fn conv2d_batches_split_in_chunks_consistently() {
    // Conv2D works through a batch a few images at a time (5 images of
    // 12x12x4 with a 3x3 kernel and 2 filters per chunk): a batch of 13
    // (chunks of 5, 5 and 3) must equal 13 batches of one image.
    let n = 13;
    for (act, padding) in [(ActivationFn::Tanh, "same"), (ActivationFn::Relu, "valid")] {
        let (mut layer, x) = build_random(
            &|| Box::new(conv(2, (3, 3), 1, padding, act)),
            &[12, 12, 4],
            n,
            1,
        );
        let (kernel, bias) = (layer.weights()[0].to_owned(), layer.weights()[1].to_owned());
        let want = conv_reference(&x, &kernel, &bias, 1, padding == "same");
        let y = run(layer.as_mut(), &x, true, 0);
        for (g, r) in y.iter().zip(&want) {
            let r = match act {
                ActivationFn::Tanh => r.tanh(),
                _ => r.max(0.0),
            };
            assert!((f64::from(*g) - r).abs() < 1e-5, "{g} vs {r}");
        }
        let g = uniform(y.shape(), -1.0, 1.0, &mut Rng::seed_from_u64(3));
        let dx = layer
            .try_backward(g.clone(), true, Team::one())
            .unwrap()
            .unwrap();
        let whole: Vec<Vec<f32>> = layer
            .weights_and_grads()
            .expect("row-major weights")
            .into_iter()
            .map(|(_, g)| g.to_vec())
            .collect();
        let mut sum: Vec<Vec<f64>> = whole.iter().map(|w| vec![0.0; w.len()]).collect();
        for i in 0..n {
            let one = ndarray::s![i..i + 1, .., .., ..];
            let xi = x.slice(one).to_owned().into_dyn();
            run(layer.as_mut(), &xi, true, 0);
            let dxi = layer
                .try_backward(g.slice(one).to_owned().into_dyn(), true, Team::one())
                .unwrap()
                .unwrap();
            for (a, b) in dxi.iter().zip(dx.slice(one).iter()) {
                assert!((a - b).abs() <= 1e-6 * (1.0 + b.abs()), "dx {a} vs {b}");
            }
            for (k, (_, gk)) in layer
                .weights_and_grads()
                .expect("row-major weights")
                .into_iter()
                .enumerate()
            {
                for (acc, v) in sum[k].iter_mut().zip(gk) {
                    *acc += f64::from(*v);
                }
            }
        }
        for (w, s) in whole.iter().zip(&sum) {
            for (a, b) in w.iter().zip(s) {
                assert!(
                    (f64::from(*a) - b).abs() <= 1e-4 * (1.0 + b.abs()),
                    "dw {a} vs {b}"
                );
            }
        }
    }
}

/// An input whose values are distinct and at least 0.1 apart (so no
/// pooling window has a near tie), mixed signs.
fn distinct_input(shape: &[usize], seed: u64) -> ArrayD<f32> {
    let mut rng = Rng::seed_from_u64(seed);
    let n: usize = shape.iter().product();
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        order.swap(i, rng.random_range(0..=i));
    }
    let v = order
        .iter()
        .map(|&i| (i as f32 - n as f32 / 2.0) * 0.1 + 0.05)
        .collect();
    ArrayD::from_shape_vec(IxDyn(shape), v).unwrap()
}

/// Max over the window's positions inside the input (padding never wins).
fn pool_reference(
    x: &ArrayD<f32>,
    p: (usize, usize),
    s: (usize, usize),
    same: bool,
) -> ArrayD<f32> {
    let (n, h, w, c) = (x.shape()[0], x.shape()[1], x.shape()[2], x.shape()[3]);
    let (oh, ph) = tf_pad(h, p.0, s.0, same);
    let (ow, pw) = tf_pad(w, p.1, s.1, same);
    let mut out = ArrayD::from_elem(IxDyn(&[n, oh, ow, c]), f32::NEG_INFINITY);
    for b in 0..n {
        for oy in 0..oh {
            for ox in 0..ow {
                for ch in 0..c {
                    for i in 0..p.0 {
                        for j in 0..p.1 {
                            let iy = (oy * s.0 + i) as isize - ph as isize;
                            let ix = (ox * s.1 + j) as isize - pw as isize;
                            if iy >= 0 && ix >= 0 && (iy as usize) < h && (ix as usize) < w {
                                let v = x[[b, iy as usize, ix as usize, ch]];
                                let o = &mut out[[b, oy, ox, ch]];
                                *o = o.max(v);
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

type PoolCase = (
    (usize, usize),
    Option<(usize, usize)>,
    &'static str,
    [usize; 3],
);

/// Pool configurations: pool size, strides, padding, input shape.
const POOLS: [PoolCase; 5] = [
    ((2, 2), None, "valid", [6, 5, 3]),
    ((2, 2), None, "same", [5, 5, 3]),
    ((3, 3), Some((2, 2)), "same", [7, 6, 2]),
    ((3, 3), Some((1, 1)), "valid", [5, 5, 2]),
    ((3, 2), Some((1, 2)), "same", [4, 5, 2]),
];

fn pool(p: (usize, usize), s: Option<(usize, usize)>, padding: &str) -> MaxPooling2D {
    let l = MaxPooling2D::new(p).padding(padding);
    match s {
        Some(s) => l.strides(s),
        None => l,
    }
}

#[test]
fn max_pooling2d_gradients() {
    for (p, s, padding, shape) in POOLS {
        let mut layer = pool(p, s, padding);
        layer.build(&shape, &mut Rng::seed_from_u64(0)).unwrap();
        let x = distinct_input(&batch_shape(2, &shape), 5);
        check_layer(
            &format!("MaxPooling2D {p:?} {s:?} {padding}"),
            &mut layer,
            &x,
            true,
        );
    }
}

#[test]
fn max_pooling2d_forward_matches_reference() {
    for (p, s, padding, shape) in POOLS {
        let mut layer = pool(p, s, padding);
        layer.build(&shape, &mut Rng::seed_from_u64(0)).unwrap();
        // All negative: a zero-padded pool would output 0 at the borders.
        let x = distinct_input(&batch_shape(3, &shape), 6).mapv(|v| v - 1000.0);
        let want = pool_reference(&x, p, s.unwrap_or(p), padding == "same");
        for training in [false, true] {
            let got = run(&mut layer, &x, training, 0);
            assert_eq!(got, want, "{p:?} {s:?} {padding}");
        }
    }
}

/// Random targets for `loss` matching predictions of shape `(rows, classes)`.
fn targets(loss: Loss, rows: usize, classes: usize, soft: bool, rng: &mut Rng) -> ArrayD<f32> {
    match loss {
        Loss::SparseCategoricalCrossentropy => {
            ArrayD::from_shape_simple_fn(IxDyn(&[rows]), || rng.random_range(0..classes) as f32)
        }
        Loss::CategoricalCrossentropy => {
            let mut t = ArrayD::zeros(IxDyn(&[rows, classes]));
            for mut row in t.outer_iter_mut() {
                if soft {
                    row.mapv_inplace(|_| rng.random_range(0.0f32..1.0));
                    let s = row.sum();
                    row /= s;
                } else {
                    row[rng.random_range(0..classes)] = 1.0;
                }
            }
            t
        }
        Loss::BinaryCrossentropy if !soft => {
            ArrayD::from_shape_simple_fn(IxDyn(&[rows, classes]), || {
                f32::from(u8::from(rng.random_bool(0.5)))
            })
        }
        _ => uniform(&[rows, classes], 0.0, 1.0, rng),
    }
}

/// Random predictions for `loss`, inside (0, 1) for cross-entropy (unnormalized
/// for categorical: the loss normalizes) and away from the targets for mae.
fn predictions(
    loss: Loss,
    t: &ArrayD<f32>,
    rows: usize,
    classes: usize,
    rng: &mut Rng,
) -> ArrayD<f32> {
    match loss {
        Loss::MeanSquaredError => uniform(&[rows, classes], -1.0, 2.0, rng),
        Loss::MeanAbsoluteError => t.mapv(|v| {
            let d = rng.random_range(0.1f32..1.0);
            if rng.random_bool(0.5) {
                v + d
            } else {
                v - d
            }
        }),
        _ => uniform(&[rows, classes], 0.05, 0.95, rng),
    }
}

const LOSSES: [Loss; 5] = [
    Loss::MeanSquaredError,
    Loss::MeanAbsoluteError,
    Loss::BinaryCrossentropy,
    Loss::CategoricalCrossentropy,
    Loss::SparseCategoricalCrossentropy,
];

#[test]
fn loss_value_and_grad() {
    let mut rng = Rng::seed_from_u64(11);
    for loss in LOSSES {
        for soft in [false, true] {
            for (rows, classes) in [(4, 3), (5, 1), (2, 6)] {
                // One class: categorical losses are identically 0.
                if classes == 1
                    && matches!(
                        loss,
                        Loss::CategoricalCrossentropy | Loss::SparseCategoricalCrossentropy
                    )
                {
                    continue;
                }
                let t = targets(loss, rows, classes, soft, &mut rng);
                let p = predictions(loss, &t, rows, classes, &mut rng);
                let (v, g) = loss.value_and_grad(t.view(), p.view()).expect("loss");
                assert_eq!(v, loss.value(t.view(), p.view()).expect("loss"));
                assert_eq!(g.shape(), p.shape());
                let num = numeric_grad(&p, 1e-3, |pp| {
                    f64::from(loss.value(t.view(), pp.view()).expect("loss"))
                });
                let what = format!("{} {rows}x{classes} soft={soft}", loss.name());
                assert_close(&what, &flat(&g), &num, 1e-2);
            }
        }
    }
}

#[test]
fn loss_value_and_grad_logits() {
    let mut rng = Rng::seed_from_u64(12);
    for (loss, act) in [
        (Loss::BinaryCrossentropy, ActivationFn::Sigmoid),
        (Loss::CategoricalCrossentropy, ActivationFn::Softmax),
        (Loss::SparseCategoricalCrossentropy, ActivationFn::Softmax),
    ] {
        assert!(loss.uses_logits(act));
        for soft in [false, true] {
            for (rows, classes) in [(4, 3), (5, 1), (2, 6)] {
                if classes == 1 && act == ActivationFn::Softmax {
                    continue;
                }
                let t = targets(loss, rows, classes, soft, &mut rng);
                let z = uniform(&[rows, classes], -3.0, 3.0, &mut rng);
                let (v, g) = loss
                    .value_and_grad_logits(t.view(), z.view())
                    .expect("loss");
                // The same loss as on the activation's output.
                let mut y = z.clone();
                act.apply(&mut y);
                let on_probs = loss.value(t.view(), y.view()).expect("loss");
                assert!(
                    (v - on_probs).abs() <= 1e-5 * (1.0 + v.abs()),
                    "{v} vs {on_probs}"
                );
                let num = numeric_grad(&z, 1e-2, |zz| {
                    f64::from(
                        loss.value_and_grad_logits(t.view(), zz.view())
                            .expect("loss")
                            .0,
                    )
                });
                let what = format!("{} from logits {rows}x{classes} soft={soft}", loss.name());
                assert_close(&what, &flat(&g), &num, 1e-2);
            }
        }
    }
    for loss in [Loss::MeanSquaredError, Loss::MeanAbsoluteError] {
        for act in ALL_ACTIVATIONS {
            assert!(
                !loss.uses_logits(act),
                "{} with {}",
                loss.name(),
                act.name()
            );
        }
    }
}

#[test]
fn layers_with_losses() {
    let mut rng = Rng::seed_from_u64(13);
    for (loss, act) in [
        (Loss::CategoricalCrossentropy, ActivationFn::Softmax),
        (Loss::SparseCategoricalCrossentropy, ActivationFn::Softmax),
        (Loss::BinaryCrossentropy, ActivationFn::Sigmoid),
        (Loss::MeanSquaredError, ActivationFn::Tanh),
        (Loss::MeanAbsoluteError, ActivationFn::Linear),
    ] {
        let (mut dense, x) = setup(&|| Box::new(Dense::new(4).activation(act)), &[3], 5);
        let t = targets(loss, 5, 4, false, &mut rng);
        let t = if loss == Loss::MeanAbsoluteError {
            // Away from the kink at y = t.
            run(dense.as_mut(), &x, true, 7).mapv(|v| v + 0.3)
        } else {
            t
        };
        check_layer_loss("Dense", dense.as_mut(), &x, loss, &t);
        // A Conv2D output: classes on the last axis, one row per pixel.
        let (mut c, x) = setup(&|| Box::new(conv(3, (3, 3), 2, "same", act)), &[5, 4, 2], 2);
        let rows = 2 * 3 * 2;
        let t = targets(loss, rows, 3, true, &mut rng);
        let t = match loss {
            Loss::SparseCategoricalCrossentropy => {
                t.into_shape_with_order(IxDyn(&[2, 3, 2])).unwrap()
            }
            Loss::MeanAbsoluteError => run(c.as_mut(), &x, true, 7).mapv(|v| v - 0.3),
            _ => t.into_shape_with_order(IxDyn(&[2, 3, 2, 3])).unwrap(),
        };
        check_layer_loss("Conv2D", c.as_mut(), &x, loss, &t);
    }
}

#[test]
fn conv_and_pool_shapes_and_params() {
    let mut model = Sequential::new();
    model
        .add(Conv2D::new(8, (3, 3)).input_shape([28, 28, 1]))
        .unwrap();
    assert_eq!(model.layer(0).output_shape(), &[26, 26, 8]);
    assert_eq!(model.count_params(), 80);
    model.add(MaxPooling2D::new((2, 2))).unwrap();
    assert_eq!(model.layer(1).output_shape(), &[13, 13, 8]);
    assert_eq!(model.layer(1).count_params(), 0);

    for (filters, k) in [(5, (3, 3)), (4, (2, 2)), (3, (5, 4))] {
        let mut model = Sequential::new();
        model
            .add(
                Conv2D::new(filters, k)
                    .padding("same")
                    .strides((2, 2))
                    .input_shape([28, 28, 1]),
            )
            .unwrap();
        assert_eq!(model.layer(0).output_shape(), &[14, 14, filters]);
        assert_eq!(model.count_params(), k.0 * k.1 * filters + filters);
        let y = model
            .predict(&ArrayD::<f32>::zeros(IxDyn(&[2, 28, 28, 1])))
            .unwrap();
        assert_eq!(y.shape(), &[2, 14, 14, filters]);
    }
}

// ------------------------------------------------- layers of issue 15

#[test]
fn average_pooling2d_gradients() {
    for (p, s, padding, shape) in POOLS {
        let mut layer = AveragePooling2D::new(p).padding(padding);
        if let Some(s) = s {
            layer = layer.strides(s);
        }
        layer.build(&shape, &mut Rng::seed_from_u64(0)).unwrap();
        let x = uniform(
            &batch_shape(2, &shape),
            -1.0,
            1.0,
            &mut Rng::seed_from_u64(3),
        );
        check_layer(
            &format!("AveragePooling2D {p:?} {s:?} {padding}"),
            &mut layer,
            &x,
            true,
        );
    }
}

#[test]
fn global_pooling_gradients() {
    let cases: [(&str, Box<dyn Layer>, Vec<usize>); 3] = [
        (
            "GlobalAveragePooling1D",
            Box::new(GlobalAveragePooling1D::new()),
            vec![5, 3],
        ),
        (
            "GlobalAveragePooling2D",
            Box::new(GlobalAveragePooling2D::new()),
            vec![4, 3, 2],
        ),
        (
            "GlobalMaxPooling2D",
            Box::new(GlobalMaxPooling2D::new()),
            vec![4, 3, 2],
        ),
    ];
    for (what, mut layer, shape) in cases {
        layer.build(&shape, &mut Rng::seed_from_u64(0)).unwrap();
        // Distinct values: no ties for the maximum.
        let x = distinct_input(&batch_shape(2, &shape), 4);
        check_layer(what, layer.as_mut(), &x, true);
    }
}

#[test]
fn reshape_and_softmax_gradients() {
    let mut reshape = Reshape::new([-1, 2]);
    reshape.build(&[3, 4], &mut Rng::seed_from_u64(0)).unwrap();
    assert_eq!(reshape.output_shape(), &[6, 2]);
    let x = uniform(&[2, 3, 4], -1.0, 1.0, &mut Rng::seed_from_u64(1));
    check_layer("Reshape", &mut reshape, &x, true);
    let mut softmax = Softmax::new();
    softmax.build(&[3, 4], &mut Rng::seed_from_u64(0)).unwrap();
    check_layer("Softmax", &mut softmax, &x, true);
    check_layer_logits("Softmax", &mut softmax, &x);
}

#[test]
fn embedding_gradients() {
    // Ids are not differentiable (a step of H makes them non-integers): the
    // table's gradient is checked, and dL/d ids is zero as in Keras.
    let mut rng = Rng::seed_from_u64(11);
    let mut layer = kerust::layers::Embedding::new(6, 3);
    layer.build(&[4], &mut rng).unwrap();
    randomize(&mut layer, &mut rng);
    // Id 2 repeats (its row sums two gradients); id 5 is never used.
    let x = ArrayD::from_shape_vec(IxDyn(&[2, 4]), vec![0., 2., 1., 2., 3., 4., 2., 0.]).unwrap();
    let r = uniform(&[2, 4, 3], -1.0, 1.0, &mut Rng::seed_from_u64(99));
    run(&mut layer, &x, true, 7);
    let dx = layer
        .try_backward(r.clone(), true, Team::one())
        .unwrap()
        .unwrap();
    assert!(dx.iter().all(|&v| v == 0.0) && dx.shape() == x.shape());
    let g = layer.weights_and_grads().expect("row-major weights")[0]
        .1
        .to_vec();
    assert!(
        g[15..].iter().all(|&v| v == 0.0),
        "unused id 5 gets no gradient"
    );
    let num: Vec<f64> = (0..g.len())
        .map(|i| {
            let orig = set_weight(&mut layer, 0, i, 0.0);
            let d = central(orig, H, |v| {
                set_weight(&mut layer, 0, i, v);
                dot64(&run(&mut layer, &x, true, 7), &r)
            });
            set_weight(&mut layer, 0, i, orig);
            d
        })
        .collect();
    assert_close("Embedding: dL/dembeddings", &g, &num, RTOL);
}

#[test]
fn batch_normalization_gradients() {
    use kerust::layers::BatchNormalization;
    let mut rng = Rng::seed_from_u64(5);
    // Training: the batch's statistics, on (n, features) and (n, h, w, c).
    for shape in [vec![3], vec![2, 2, 3]] {
        let mut layer = BatchNormalization::new();
        layer.build(&shape, &mut rng).unwrap();
        let w = vec![
            uniform(&[3], 0.5, 1.5, &mut rng),
            uniform(&[3], -1.0, 1.0, &mut rng),
            uniform(&[3], -1.0, 1.0, &mut rng),
            uniform(&[3], 0.5, 1.5, &mut rng),
        ];
        layer.set_weights(&w);
        let x = uniform(&batch_shape(4, &shape), -2.0, 2.0, &mut rng);
        check_layer(
            &format!("BatchNormalization {shape:?}"),
            &mut layer,
            &x,
            true,
        );
        // Frozen: the moving statistics, as at inference (Keras 3).
        let mut frozen = BatchNormalization::new().trainable(false);
        frozen.build(&shape, &mut rng).unwrap();
        frozen.set_weights(&w);
        check_layer(
            &format!("frozen BatchNormalization {shape:?}"),
            &mut frozen,
            &x,
            true,
        );
        let want = run(&mut frozen, &x, false, 0);
        assert_eq!(
            run(&mut frozen, &x, true, 0),
            want,
            "frozen: training = inference"
        );
    }
}

#[test]
fn normalization_gradients() {
    let mut rng = Rng::seed_from_u64(6);
    let data = uniform(&[10, 3], -3.0, 5.0, &mut rng);
    let mut layer = kerust::layers::Normalization::new();
    layer.adapt(&data).unwrap();
    layer.build(&[3], &mut rng).unwrap();
    let x = uniform(&[2, 3], -1.0, 1.0, &mut rng);
    check_layer("Normalization", &mut layer, &x, true);
}

#[test]
fn nested_model_gradients() {
    use kerust::layers::{BatchNormalization, IntoLayer};
    // A model used as a layer: its backward pass runs its layers' own
    // (a batch normalization in training mode, the softmax's logits last).
    let make = || {
        let mut inner = Sequential::new();
        inner.add(Dense::new(4).activation("tanh")).unwrap();
        inner.add(BatchNormalization::new()).unwrap();
        inner.add(Dense::new(3).activation("softmax")).unwrap();
        inner.into_layer()
    };
    let (mut layer, x) = build_random(&make, &[5], 4, 3);
    assert_eq!(layer.class_name(), "Sequential");
    check_layer("nested Sequential", layer.as_mut(), &x, true);
    let t = ndarray::array![
        [1.0f32, 0.0, 0.0],
        [0.0, 1.0, 0.0],
        [0.0, 0.0, 1.0],
        [0.0, 1.0, 0.0]
    ]
    .into_dyn();
    check_layer_loss(
        "nested Sequential",
        layer.as_mut(),
        &x,
        Loss::CategoricalCrossentropy,
        &t,
    );
    // Frozen, it still passes gradients through to the layers below it.
    let frozen_or = |trainable: bool| {
        let mut inner = Sequential::new();
        inner
            .add(Dense::new(4).activation("tanh").input_shape([5]))
            .unwrap();
        inner.add(Dense::new(2).activation("sigmoid")).unwrap();
        inner.trainable(trainable).into_layer()
    };
    let frozen = || frozen_or(false);
    let (mut layer, x) = build_random(&frozen, &[5], 3, 4);
    assert!(layer.trainable_params().is_empty());
    check_layer("frozen nested Sequential", layer.as_mut(), &x, true);
    let (mut layer, x) = build_random(&|| frozen_or(true), &[5], 3, 5);
    check_layer_logits("nested Sequential", layer.as_mut(), &x);
}
