//! Figures: each one renders a real picture (decodes as PNG, right size,
//! not blank), colours mean what they should, saving works, and wrong
//! input gives an error that says what was expected.
//!
//! `samples_for_review` also writes every kind of figure to
//! /tmp/kerust_plots/ for a person to look at (real MNIST digits when the
//! IDX files are at /tmp/mn/package/data/).

use kerust::model::History;
use kerust::prelude::*;

use std::path::PathBuf;

mod plot_support;
use plot_support::*;

/// A 28x28 "digit": a ring of ink.
fn fake_digit(shift: usize) -> Array2<u8> {
    Array2::from_shape_fn((28, 28), |(i, j)| {
        let (di, dj) = (i as f32 - 14.0, j as f32 - 14.0 - shift as f32 * 0.5);
        let r = (di * di + dj * dj).sqrt();
        if (6.0..10.0).contains(&r) {
            255
        } else {
            0
        }
    })
}

#[test]
fn imshow_binary_maps_0_to_white_and_255_to_black() {
    let mut x = Array2::<u8>::zeros((28, 28));
    x[[5, 7]] = 255;
    x[[20, 20]] = 128;
    let fig = plot::imshow(x.view()).cmap("binary").figure().unwrap();
    // 28 cells of 10 px, with row numbers left (38 px) and column numbers
    // below (30 px)
    assert_eq!((fig.width(), fig.height()), (38 + 280 + 14, 10 + 280 + 30));
    let (l, t) = (38, 10);
    let img = decode(&fig.to_png());
    let at = |i: u32, j: u32| img.get_pixel(l + j * 10 + 5, t + i * 10 + 5).0;
    assert_eq!(at(0, 0), [255, 255, 255]);
    assert_eq!(at(5, 7), [0, 0, 0]);
    let mid = at(20, 20);
    assert!(mid[0] > 100 && mid[0] < 160 && mid[0] == mid[2], "{mid:?}");
    // every cell is a 10x10 square: neighbours of the ink cell's corner pixels
    assert_eq!(img.get_pixel(l + 70, t + 50).0, [0, 0, 0]);
    assert_eq!(img.get_pixel(l + 79, t + 59).0, [0, 0, 0]);
    assert_eq!(img.get_pixel(l + 80, t + 59).0, [255, 255, 255]);

    let gray = plot::imshow(&x).cmap("gray").figure().unwrap();
    assert_eq!(gray.pixel(l + 5, t + 5), [0, 0, 0]);
    assert_eq!(gray.pixel(l + 75, t + 55), [255, 255, 255]);

    // the row and column numbers 0, 5, ..., 25 are written
    let below = img.crop(l, t + 280 + 4, 280, 24);
    let left = img.crop(0, t, l - 6, 280);
    let dark = |p: [u8; 3]| p[0] < 100;
    assert!(count(&below, dark) > 6 * 10, "column numbers");
    assert!(count(&left, dark) > 6 * 10, "row numbers");
}

#[test]
fn imshow_takes_normalized_f32_slices_of_3d_arrays() {
    let x = ndarray::stack(Axis(0), &[fake_digit(0).view(), fake_digit(4).view()]).unwrap();
    let x = utils::normalize(&x, 1);
    let fig = plot::imshow(x.slice(s![1, .., ..]))
        .cmap("binary")
        .figure()
        .unwrap();
    let img = assert_drawn(&fig, 1);
    assert!(count(&img, |p| p == [0, 0, 0]) > 1000, "ink is drawn");
    // the default colour map is matplotlib's viridis: 0 is dark purple
    let fig = plot::imshow(x.slice(s![0, .., ..])).figure().unwrap();
    assert_eq!(fig.pixel(38 + 5, 15), [0x44, 0x01, 0x54]);
}

#[test]
fn imshow_says_what_shape_it_expects() {
    let x = Array3::<u8>::zeros((2, 28, 28));
    let e = plot::imshow(&x).figure().unwrap_err();
    assert!(e.to_string().contains("2-D array (height, width)"), "{e}");
    assert!(e.to_string().contains("(2, 28, 28)"), "{e}");
    let flat = Array1::<f32>::zeros(784);
    let e = plot::imshow(&flat).figure().unwrap_err();
    assert!(e.to_string().contains("(28, 28)"), "{e}");
    let e = plot::imshow(fake_digit(0))
        .cmap("binaryy")
        .figure()
        .unwrap_err();
    assert!(e.to_string().contains("'binary'"), "{e}");
    // (h, w, 1) is shown as (h, w)
    let x = Array3::<f32>::ones((4, 6, 1));
    assert!(plot::imshow(&x).figure().is_ok());
}

#[test]
fn images_grid_labels_and_marks_wrong_predictions() {
    let digits: Vec<_> = (0..30).map(fake_digit).collect();
    let views: Vec<_> = digits.iter().map(|d| d.view()).collect();
    let x = ndarray::stack(Axis(0), &views).unwrap();
    let labels = Array1::from_shape_fn(30, |i| (i % 10) as u8);
    let grid = plot::images(&x, &labels).figure().unwrap();
    // 5 x 5 digits of 112 px (28 x 4) by default
    assert!(grid.width() >= 5 * 112 && grid.width() < 5 * 112 + 100);
    assert!(grid.height() >= 5 * 112);
    let img = assert_drawn(&grid, 2);
    let red = |p: [u8; 3]| p[0] > 180 && p[1] < 80 && p[2] < 80;
    assert_eq!(count(&img, red), 0, "no red without predictions");

    let mut pred = labels.clone();
    pred[3] = 7;
    let marked = plot::images(&x, &labels)
        .predictions(&pred)
        .figure()
        .unwrap();
    let img = decode(&marked.to_png());
    assert!(count(&img, red) > 200, "the wrong one is framed in red");

    // predictions as the (n, classes) output of predict
    let probs = Array2::from_shape_fn((30, 10), |(i, c)| if c == i % 10 { 0.9f32 } else { 0.01 });
    let all_right = plot::images(&x, &labels)
        .predictions(&probs)
        .figure()
        .unwrap();
    assert_eq!(count(&decode(&all_right.to_png()), red), 0);

    // a mistake beyond the first 25 images is not in the grid, but
    // wrong_first() puts it there
    let mut late = labels.clone();
    late[28] = 3;
    let plain = plot::images(&x, &labels)
        .predictions(&late)
        .figure()
        .unwrap();
    assert_eq!(count(&decode(&plain.to_png()), red), 0);
    let first = plot::images(&x, &labels)
        .predictions(&late)
        .wrong_first()
        .figure()
        .unwrap();
    let img = decode(&first.to_png());
    assert!(count(&img, red) > 200, "the wrong one is shown, in red");
    // ... as the first image: its frame is red
    assert_eq!(img.get_pixel(10, 10 + 24 + 40).0, [0xd6, 0x27, 0x28]);
    let e = plot::images(&x, &labels)
        .wrong_first()
        .figure()
        .unwrap_err();
    assert!(e.to_string().contains("predictions"), "{e}");

    let e = plot::images(&x, labels.slice(s![..10]))
        .figure()
        .unwrap_err();
    assert!(e.to_string().contains("30 images but labels has 10"), "{e}");
    let e = plot::images(&x, &labels)
        .predictions(pred.slice(s![..3]))
        .figure()
        .unwrap_err();
    assert!(e.to_string().contains("30 images but 3 predictions"), "{e}");
}

fn sample_history(epochs: usize, with_val: bool) -> History {
    let mut h = History::default();
    let curve = |a: f32, b: f32| (0..epochs).map(|e| a + b * (e as f32 + 1.0).ln()).collect();
    h.history.push(("loss".into(), curve(0.7, -0.2)));
    h.history.push(("accuracy".into(), curve(0.6, 0.12)));
    if with_val {
        h.history.push(("val_loss".into(), curve(0.72, -0.15)));
        h.history.push(("val_accuracy".into(), curve(0.58, 0.1)));
    }
    h.epoch = (0..epochs).collect();
    h
}

#[test]
fn history_has_one_panel_per_metric_with_train_and_val_curves() {
    let fig = plot::history(&sample_history(10, true));
    assert_eq!(fig.width(), 2 * 440);
    let img = assert_drawn(&fig, 10);
    // tab:blue (train) and tab:orange (validation) lines are both there
    let blue = |p: [u8; 3]| p == [0x1f, 0x77, 0xb4];
    let orange = |p: [u8; 3]| p == [0xff, 0x7f, 0x0e];
    assert!(count(&img, blue) > 200);
    assert!(count(&img, orange) > 200);
    // in both panels
    let left = img.crop(0, 0, 440, 320);
    let right = img.crop(440, 0, 440, 320);
    for panel in [&left, &right] {
        assert!(count(panel, blue) > 50 && count(panel, orange) > 50);
    }

    let no_val = plot::history(&sample_history(1, false));
    let img = assert_drawn(&no_val, 5);
    assert_eq!(count(&img, orange), 0);
    let empty = plot::history(&History::default());
    assert_drawn(&empty, 1);
}

#[test]
fn network_draws_neurons_for_small_nets_and_blocks_for_large_ones() {
    clear_session();
    let mut small = Sequential::new();
    small
        .add(Dense::new(10).input_shape([2]).activation("relu"))
        .unwrap();
    small.add(Dense::new(5).activation("relu")).unwrap();
    small.add(Dense::new(1)).unwrap();
    let fig = plot::network(&small);
    let img = assert_drawn(&fig, 10);
    // neuron outlines: green inputs, blue hidden, orange output
    let green = |p: [u8; 3]| p == [0x2c, 0xa0, 0x2c];
    let orange = |p: [u8; 3]| p == [0xff, 0x7f, 0x0e];
    assert!(count(&img, green) > 50 && count(&img, orange) > 20);
    let with_bias = plot::network_with_bias(&small);
    assert!(with_bias.height() > fig.height());

    let mut large = Sequential::new();
    large.add(Flatten::new().input_shape([28, 28])).unwrap();
    large.add(Dense::new(128).activation("relu")).unwrap();
    large.add(Dense::new(10).activation("softmax")).unwrap();
    let blocks = plot::network(&large);
    let img = assert_drawn(&blocks, 5);
    assert!(
        blocks.height() > blocks.width() / 2,
        "a vertical stack of boxes"
    );
    assert_eq!(count(&img, green), 0, "no neurons drawn");

    let input = Input::new([3]);
    let x = Dense::new(4).activation("relu").call(&input).unwrap();
    let out = Dense::new(2).activation("softmax").call(&x).unwrap();
    let functional = Model::new(&input, &out).unwrap();
    assert_drawn(&plot::network(&functional), 10);
}

/// Two clusters split by the line x0 = x1, and a model that computes
/// sigmoid(x0 - x1).
fn diagonal_problem() -> (Array2<f32>, Array1<u8>, Sequential) {
    let mut x = Array2::<f32>::zeros((40, 2));
    let mut y = Array1::<u8>::zeros(40);
    for i in 0..40 {
        let t = i as f32 / 40.0;
        if i % 2 == 0 {
            x[[i, 0]] = 0.2 + t;
            x[[i, 1]] = 1.0 + t;
        } else {
            x[[i, 0]] = 1.0 + t;
            x[[i, 1]] = 0.2 + t;
            y[i] = 1;
        }
    }
    let mut model = Sequential::new();
    model
        .add(Dense::new(1).input_shape([2]).activation("sigmoid"))
        .unwrap();
    model
        .set_weights(&[
            array![[4.0f32], [-4.0]].into_dyn(),
            array![0.0f32].into_dyn(),
        ])
        .unwrap();
    (x, y, model)
}

/// Points around three centres, and a softmax model whose class c
/// scores high near centre c.
fn three_class_problem() -> (Array2<f32>, Array1<u8>, Sequential) {
    let centres = [(0.0f32, 0.0f32), (2.0, 0.0), (1.0, 1.8)];
    let x = Array2::from_shape_fn((30, 2), |(i, f)| {
        let (cx, cy) = centres[i % 3];
        let wobble = ((i * 7 + f * 3) % 5) as f32 * 0.12 - 0.24;
        if f == 0 {
            cx + wobble
        } else {
            cy - wobble
        }
    });
    let y = Array1::from_shape_fn(30, |i| (i % 3) as u8);
    let mut model = Sequential::new();
    model
        .add(Dense::new(3).input_shape([2]).activation("softmax"))
        .unwrap();
    // score_c = 2 (centre_c . x) - |centre_c|^2: the nearest centre wins
    let w = Array2::from_shape_fn((2, 3), |(f, c)| {
        2.0 * if f == 0 { centres[c].0 } else { centres[c].1 }
    });
    let b = Array1::from_shape_fn(3, |c| -(centres[c].0.powi(2) + centres[c].1.powi(2)));
    model.set_weights(&[w.into_dyn(), b.into_dyn()]).unwrap();
    (x, y, model)
}

#[test]
fn decision_boundary_fills_each_side_with_its_class() {
    let (x, y, model) = diagonal_problem();
    let fig = plot::decision_boundary(&model, &x, &y).unwrap();
    let img = assert_drawn(&fig, 10);
    // top left of the plot area: x0 small, x1 large -> class 0 (blue tint);
    // bottom right: x0 large, x1 small -> class 1 (orange tint)
    let frame = plot_frame(&img);
    let top_left = img.get_pixel(frame.0 + 20, frame.2 + 20).0;
    let bottom_right = img.get_pixel(frame.1 - 20, frame.3 - 20).0;
    assert!(
        top_left[2] > top_left[0],
        "class 0 region is blue: {top_left:?}"
    );
    assert!(
        bottom_right[0] > bottom_right[2],
        "class 1 region is orange: {bottom_right:?}"
    );
    // the model is unchanged and still usable
    assert_eq!(model.count_params(), 3);

    let mut wide = Sequential::new();
    wide.add(Dense::new(1).input_shape([3])).unwrap();
    let e = plot::decision_boundary(&wide, &x, &y).unwrap_err();
    assert!(e.to_string().contains("2 input features"), "{e}");
    let e = plot::decision_boundary(&model, &x, y.slice(s![..5])).unwrap_err();
    assert!(
        e.to_string().contains("5 labels but there are 40 points"),
        "{e}"
    );
}

#[test]
fn scatter_colours_points_by_label() {
    let (x, y, _) = diagonal_problem();
    let fig = plot::scatter(&x, &y).unwrap();
    let img = assert_drawn(&fig, 10);
    let blue = |p: [u8; 3]| p == [0x1f, 0x77, 0xb4];
    let orange = |p: [u8; 3]| p == [0xff, 0x7f, 0x0e];
    assert!(count(&img, blue) > 200 && count(&img, orange) > 200);
    let e = plot::scatter(Array2::<f32>::zeros((4, 3)), &y).unwrap_err();
    assert!(e.to_string().contains("(n, 2)"), "{e}");
    assert!(e.to_string().contains("(4, 3)"), "{e}");
    let e = plot::scatter(&x, &array![0.5f32, 2.5]).unwrap_err();
    assert!(e.to_string().contains("class labels"), "{e}");
}

#[test]
fn confusion_matrix_shades_cells_by_count() {
    let y_true = array![0u8, 0, 0, 0, 1, 1, 2, 2, 2];
    let y_pred = array![0u8, 0, 0, 0, 1, 2, 2, 2, 1];
    let fig = plot::confusion_matrix(&y_true, &y_pred).unwrap();
    let img = assert_drawn(&fig, 10);
    // the largest count (4, true 0 predicted 0) has the darkest blue of
    // matplotlib's Blues; empty cells the lightest
    let darkest = |p: [u8; 3]| p == [0x08, 0x30, 0x6b];
    let lightest = |p: [u8; 3]| p == [0xf7, 0xfb, 0xff];
    assert!(count(&img, darkest) > 1000);
    assert!(count(&img, lightest) > 3 * 1000);
    // probabilities from predict are read by their largest entry
    let probs = array![[0.9f32, 0.1], [0.2, 0.8]];
    assert!(plot::confusion_matrix(&array![0, 1], &probs).is_ok());
    let e = plot::confusion_matrix(&y_true, y_pred.slice(s![..4])).unwrap_err();
    assert!(
        e.to_string()
            .contains("y_true has 9 labels but y_pred has 4"),
        "{e}"
    );
}

#[test]
fn figures_save_as_png_and_svg_and_refuse_other_extensions() {
    let fig = plot::imshow(fake_digit(0)).cmap("binary").figure().unwrap();
    let png = tmp("digit.png");
    fig.save(&png).unwrap();
    let back = decode(&std::fs::read(&png).unwrap());
    assert_eq!((back.width(), back.height()), (fig.width(), fig.height()));
    let svg = tmp("digit.SVG");
    fig.save(&svg).unwrap();
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(
        text.starts_with("<svg") && text.contains("<rect"),
        "{}",
        &text[..80]
    );

    let hist = plot::history(&sample_history(5, true));
    hist.save(tmp("history.svg")).unwrap();
    let text = std::fs::read_to_string(tmp("history.svg")).unwrap();
    assert!(text.contains("accuracy") && text.contains("validation"));

    let e = fig.save(tmp("digit.jpg")).unwrap_err();
    assert!(e.to_string().contains(".png or .svg"), "{e}");
    let e = fig.save(tmp("digit")).unwrap_err();
    assert!(e.to_string().contains(".png or .svg"), "{e}");
    let e = fig
        .save("/nonexistent-kerust-dir/sub/digit.png")
        .unwrap_err();
    assert_eq!(e.kind(), kerust::ErrorKind::Io);
    assert!(
        e.to_string()
            .contains("/nonexistent-kerust-dir/sub/digit.png"),
        "{e}"
    );
    // builders save too, and report their input's mistakes there
    plot::imshow(fake_digit(1))
        .save(tmp("builder.png"))
        .unwrap();
    assert!(plot::imshow(Array1::<u8>::zeros(3))
        .save(tmp("bad.png"))
        .is_err());
}

#[test]
fn model_html_table_explains_every_count() {
    let mut model = Sequential::new();
    model
        .add(Dense::new(2).input_shape([3]).activation("relu"))
        .unwrap();
    model.add(Dense::new(1)).unwrap();
    let html = model.summary_html();
    for needle in [
        "Layer (type)",
        "Output Shape",
        "Param #",
        "(Dense)",
        "(None, 2)",
        "(None, 1)",
        "3 inputs x 2 units + 2 biases = 8",
        "2 inputs x 1 unit + 1 bias = 3",
        "Total params: <b>11</b>",
    ] {
        assert!(html.contains(needle), "missing {needle:?} in {html}");
    }
    // seed 001's functional model: 784*32 + 32 + 32*10 + 10 = 25,450
    let input = Input::new([784]);
    let x = Dense::new(32).activation("relu").call(&input).unwrap();
    let out = Dense::new(10).activation("softmax").call(&x).unwrap();
    let m = Model::new(&input, &out).unwrap();
    let html = m.summary_html();
    assert!(html.contains("(InputLayer)") && html.contains("(None, 784)"));
    assert!(
        html.contains(">25,120<"),
        "784 x 32 + 32 params, with a separator"
    );
    assert!(html.contains("Total params: <b>25,450</b>"), "{html}");
}

fn mnist_sample(n: usize) -> Option<(Array3<u8>, Array1<u8>)> {
    let dir = std::path::Path::new("/tmp/mn/package/data");
    let images = std::fs::read(dir.join("t10k-images-idx3-ubyte")).ok()?;
    let labels = std::fs::read(dir.join("t10k-labels-idx1-ubyte")).ok()?;
    let x = Array3::from_shape_vec((n, 28, 28), images.get(16..16 + n * 784)?.to_vec()).ok()?;
    let y = Array1::from_vec(labels.get(8..8 + n)?.to_vec());
    Some((x, y))
}

#[test]
fn samples_for_review() {
    let out = PathBuf::from("/tmp/kerust_plots");
    std::fs::create_dir_all(&out).unwrap();
    let (x, y) = mnist_sample(40).unwrap_or_else(|| {
        let digits: Vec<_> = (0..40).map(fake_digit).collect();
        let views: Vec<_> = digits.iter().map(|d| d.view()).collect();
        (
            ndarray::stack(Axis(0), &views).unwrap(),
            Array1::from_shape_fn(40, |i| (i % 10) as u8),
        )
    });
    plot::imshow(x.slice(s![0, .., ..]))
        .cmap("binary")
        .save(out.join("imshow_binary.png"))
        .unwrap();
    plot::imshow(x.slice(s![0, .., ..]))
        .save(out.join("imshow_default.png"))
        .unwrap();
    let xn = utils::normalize(&x, 1);
    plot::imshow(xn.slice(s![1, .., ..]))
        .cmap("gray")
        .save(out.join("imshow_gray_normalized.png"))
        .unwrap();
    plot::images(&x, &y).save(out.join("images.png")).unwrap();
    let mut pred = y.clone();
    pred[2] = (pred[2] + 1) % 10;
    pred[7] = (pred[7] + 3) % 10;
    plot::images(&x, &y)
        .predictions(&pred)
        .save(out.join("images_predictions.png"))
        .unwrap();
    let mut late = y.clone();
    late[31] = (late[31] + 1) % 10;
    late[36] = (late[36] + 5) % 10;
    plot::images(&x, &y)
        .predictions(&late)
        .wrong_first()
        .limit(10)
        .save(out.join("images_wrong_first.png"))
        .unwrap();
    plot::images(x.slice(s![0..1, .., ..]), y.slice(s![0..1]))
        .predictions(late.slice(s![0..1]))
        .save(out.join("images_one.png"))
        .unwrap();
    plot::history(&History::default())
        .save(out.join("history_empty.png"))
        .unwrap();
    let (bx, by, three) = three_class_problem();
    plot::decision_boundary(&three, &bx, &by)
        .unwrap()
        .save(out.join("decision_boundary_3_classes.png"))
        .unwrap();
    plot::history(&sample_history(10, true))
        .save(out.join("history.png"))
        .unwrap();
    plot::history(&sample_history(1, false))
        .save(out.join("history_one_epoch.png"))
        .unwrap();
    clear_session();
    let mut small = Sequential::new();
    small
        .add(Dense::new(10).input_shape([2]).activation("relu"))
        .unwrap();
    small.add(Dense::new(5).activation("relu")).unwrap();
    small.add(Dense::new(1)).unwrap();
    plot::network(&small).save(out.join("network.png")).unwrap();
    plot::network_with_bias(&small)
        .save(out.join("network_bias.png"))
        .unwrap();
    let mut perceptron = Sequential::new();
    perceptron.add(Input::new([2])).unwrap();
    perceptron.add(Dense::new(1)).unwrap();
    perceptron.add(Activation::new("sigmoid")).unwrap();
    plot::network(&perceptron)
        .save(out.join("network_perceptron.png"))
        .unwrap();
    let mut large = Sequential::new();
    large.add(Flatten::new().input_shape([28, 28])).unwrap();
    large.add(Dense::new(128).activation("relu")).unwrap();
    large.add(Dropout::new(0.2)).unwrap();
    large.add(Dense::new(10).activation("softmax")).unwrap();
    plot::network(&large)
        .save(out.join("network_blocks.png"))
        .unwrap();
    let (px, py, model) = diagonal_problem();
    plot::decision_boundary(&model, &px, &py)
        .unwrap()
        .save(out.join("decision_boundary.png"))
        .unwrap();
    plot::scatter(&px, &py)
        .unwrap()
        .save(out.join("scatter.png"))
        .unwrap();
    let y_pred = Array1::from_shape_fn(40, |i| if i % 7 == 3 { (y[i] + 1) % 10 } else { y[i] });
    plot::confusion_matrix(&y, &y_pred)
        .unwrap()
        .save(out.join("confusion_matrix.png"))
        .unwrap();
    std::fs::write(out.join("model.html"), large.summary_html()).unwrap();

    // the tutorials after the lessons: colour pictures with class names,
    // a colour bar, a prediction's bars, curves, a histogram, a row
    use kerust::datasets::fashion_mnist::CLASS_NAMES as NAMES;
    let rgb = Array4::from_shape_fn((12, 32, 32, 3), |(k, i, j, c)| {
        let r = ((i as f32 - 16.0).powi(2) + (j as f32 - 16.0).powi(2)).sqrt();
        let base = [(k * 23) % 256, (k * 71) % 256, (255 - k * 19) % 256][c];
        if r < 6.0 + k as f32 / 2.0 {
            (255 - base) as u8
        } else {
            ((base + i * 3) % 256) as u8
        }
    });
    let rgb_labels = Array1::from_shape_fn(12, |k| (k % 10) as u8);
    plot::imshow(rgb.slice(s![3, .., .., ..]))
        .save(out.join("imshow_rgb.png"))
        .unwrap();
    plot::images(&rgb, &rgb_labels)
        .class_names(&NAMES)
        .limit(10)
        .save(out.join("images_rgb_names.png"))
        .unwrap();
    let mut rgb_pred = rgb_labels.clone();
    rgb_pred[1] = 9;
    plot::images(&rgb, &rgb_labels)
        .predictions(&rgb_pred)
        .class_names(&NAMES)
        .limit(10)
        .save(out.join("images_rgb_predictions.png"))
        .unwrap();
    plot::imshow(xn.slice(s![1, .., ..]))
        .colorbar(true)
        .save(out.join("imshow_colorbar.png"))
        .unwrap();
    let probs = array![0.02f32, 0.05, 0.6, 0.03, 0.2, 0.02, 0.03, 0.02, 0.02, 0.01];
    let wrong = plot::bar(&probs).true_label(4u8).class_names(&NAMES);
    wrong.save(out.join("bar_wrong.png")).unwrap();
    plot::bar(&probs)
        .true_label(2)
        .save(out.join("bar_right.png"))
        .unwrap();
    plot::bar([3.0f32, -1.0, 2.0])
        .title("any values")
        .xlabel("feature")
        .ylabel("weight")
        .save(out.join("bar_plain.png"))
        .unwrap();
    let mae: Vec<f32> = (0..40).map(|e| 2.2 + 3.0 / (1.0 + e as f32)).collect();
    let val: Vec<f32> = (0..40)
        .map(|e| 2.5 + 3.0 / (1.0 + e as f32) + 0.02 * e as f32)
        .collect();
    plot::line(&mae)
        .label("training MAE")
        .line(&val)
        .label("validation MAE")
        .ylabel("MAE")
        .title("Mean absolute error per epoch")
        .save(out.join("lines.png"))
        .unwrap();
    plot::line(&val)
        .ylabel("validation MAE")
        .save(out.join("line_unlabelled.png"))
        .unwrap();
    let prices: Vec<f32> = (0..404)
        .map(|i| 5.0 + 45.0 * ((i * 37 % 101) as f32 / 100.0).powi(2))
        .collect();
    plot::hist(&prices)
        .bins(20)
        .xlabel("price (k$)")
        .title("Boston housing targets")
        .save(out.join("hist.png"))
        .unwrap();
    let one = plot::images(rgb.slice(s![1..2, .., .., ..]), rgb_labels.slice(s![1..2]))
        .predictions(rgb_pred.slice(s![1..2]))
        .class_names(&NAMES);
    plot::row(&[&one, &wrong])
        .save(out.join("row_image_and_bars.png"))
        .unwrap();
}

#[test]
fn text_is_laid_out_by_the_fonts_advance_widths() {
    // a figure holding one line of text
    let empty = decode(&plot::history(&History::default()).to_png());
    let all = (0, empty.width(), 0, empty.height());
    assert_laid_out(
        &empty,
        all,
        "History is empty: fit ran no epochs",
        BLACK_INK,
    );

    // the legend of a scatter plot (right of the data)
    let (x, y, _) = diagonal_problem();
    let fig = plot::scatter(&x, &y).unwrap();
    let img = decode(&fig.to_png());
    let side = fig.width() - 110 + 26;
    let rows = text_rows(&img, (side, fig.width(), 0, fig.height() / 2), BLACK_INK);
    assert_eq!(rows.len(), 2, "two legend lines: {rows:?}");
    for ((top, bottom), label) in rows.into_iter().zip(["class 0", "class 1"]) {
        let found = labels_in_row(&img, (side, fig.width()), (top, bottom), BLACK_INK, 12);
        assert_eq!(found.len(), 1, "{found:?}");
        let rect = (found[0].0, found[0].1, top, bottom);
        assert_laid_out(&img, rect, label, BLACK_INK);
    }

    // the names under a network's columns (black) and what they hold (grey)
    let mut net = Sequential::new();
    net.add(
        Dense::new(3)
            .input_shape([2])
            .named("hidden")
            .activation("relu"),
    )
    .unwrap();
    net.add(Dense::new(1).named("output")).unwrap();
    let fig = plot::network(&net);
    let img = decode(&fig.to_png());
    let bottom = (0, fig.width(), fig.height() - 62, fig.height());
    let grey = [80, 80, 80];
    let rows = text_rows(&img, bottom, grey);
    assert_eq!(
        rows.len(),
        2,
        "a line of names and a line of sizes: {rows:?}"
    );
    let whole = (0, fig.width());
    let names = labels_in_row(&img, whole, rows[0], BLACK_INK, 12);
    let sizes = labels_in_row(&img, whole, rows[1], grey, 12);
    let want_names = ["input", "hidden", "output"];
    let want_sizes = ["2 inputs", "3 units, relu", "1 unit, linear"];
    assert_eq!((names.len(), sizes.len()), (3, 3), "{names:?} {sizes:?}");
    for ((x0, x1), label) in names.into_iter().zip(want_names) {
        assert_laid_out(&img, (x0, x1, rows[0].0, rows[0].1), label, BLACK_INK);
    }
    for ((x0, x1), label) in sizes.into_iter().zip(want_sizes) {
        assert_laid_out(&img, (x0, x1, rows[1].0, rows[1].1), label, grey);
    }

    // the line under a grid of digits
    let digits: Vec<_> = (0..30).map(fake_digit).collect();
    let views: Vec<_> = digits.iter().map(|d| d.view()).collect();
    let stack = ndarray::stack(Axis(0), &views).unwrap();
    let labels = Array1::from_shape_fn(30, |i| (i % 10) as u8);
    let mut predicted = labels.clone();
    predicted[27] = 1;
    let fig = plot::images(&stack, &labels)
        .predictions(&predicted)
        .figure()
        .unwrap();
    let img = decode(&fig.to_png());
    let note_ink = [70, 70, 70];
    let footer = (0, fig.width(), fig.height() - 30, fig.height());
    let rows = text_rows(&img, footer, note_ink);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_laid_out(
        &img,
        (0, fig.width(), rows[0].0, rows[0].1),
        "the first 25 of 30 images; 1 of the 30 predictions are wrong (in red)",
        note_ink,
    );
}

/// A one-unit sigmoid model whose output is `p` everywhere.
fn constant_model(p: f32) -> Sequential {
    let mut model = Sequential::new();
    model
        .add(Dense::new(1).input_shape([2]).activation("sigmoid"))
        .unwrap();
    model
        .set_weights(&[
            Array2::<f32>::zeros((2, 1)).into_dyn(),
            array![(p / (1.0 - p)).ln()].into_dyn(),
        ])
        .unwrap();
    model
}

#[test]
fn legends_sit_right_of_the_data() {
    let (x, y, model) = diagonal_problem();
    let figures = [
        ("scatter", plot::scatter(&x, &y).unwrap()),
        (
            "decision_boundary",
            plot::decision_boundary(&model, &x, &y).unwrap(),
        ),
    ];
    for (what, fig) in figures {
        let img = decode(&fig.to_png());
        let frame = plot_frame(&img);
        let legend =
            framed_box(&img, [180, 180, 180], 0).unwrap_or_else(|| panic!("{what}: no legend box"));
        assert!(
            legend.0 > frame.1,
            "{what}: the legend starts at x = {} but the data reach x = {}",
            legend.0,
            frame.1
        );
        // it shows a marker of each class
        let inside = img.crop(legend.0, legend.2, legend.1 - legend.0, legend.3 - legend.2);
        assert!(count(&inside, |p| p == [0x1f, 0x77, 0xb4]) > 20, "{what}");
        assert!(count(&inside, |p| p == [0xff, 0x7f, 0x0e]) > 20, "{what}");
    }
}

#[test]
fn decision_boundary_colour_scale_says_which_colour_is_which_probability() {
    let (x, y, diagonal) = diagonal_problem();
    for p in [0.12f32, 0.37, 0.62, 0.83, 0.97] {
        let fig = plot::decision_boundary(&constant_model(p), &x, &y).unwrap();
        let img = decode(&fig.to_png());
        let frame = plot_frame(&img);
        // the fill: the most common colour inside the frame
        let mut tally: std::collections::HashMap<[u8; 3], usize> = Default::default();
        for yy in frame.2 + 2..frame.3 - 1 {
            for xx in frame.0 + 2..frame.1 - 1 {
                *tally.entry(img.get_pixel(xx, yy).0).or_default() += 1;
            }
        }
        let (&fill, _) = tally.iter().max_by_key(|(_, &n)| n).unwrap();
        // a constant output has no 0.5 line
        assert!(
            !tally.keys().any(|&c| is_black(c)),
            "p = {p}: a line is drawn"
        );
        // the bar: framed in grey right of the chart
        let bar = framed_box(&img, [120, 120, 120], frame.1 + 1).expect("a colour bar");
        let mid = (bar.0 + bar.1) / 2;
        let rows: Vec<u32> = (bar.2 + 1..bar.3)
            .filter(|&r| img.get_pixel(mid, r).0 == fill)
            .collect();
        assert!(
            !rows.is_empty(),
            "p = {p}: the fill {fill:?} is not on the scale"
        );
        let row = rows.iter().sum::<u32>() as f32 / rows.len() as f32;
        let at = (bar.3 as f32 - row) / (bar.3 - bar.2) as f32;
        assert!(
            (at - p).abs() <= 0.05,
            "p = {p}: the fill colour sits at {at:.3} of the colour scale"
        );
        // the 0.5 mark: black across the bar halfway up
        let half = (bar.2 + bar.3) / 2;
        assert!(
            (half - 2..=half + 2).any(|r| is_black(img.get_pixel(bar.0 - 2, r).0)),
            "p = {p}: no mark at 0.5"
        );
    }

    // sigmoid(4 (x0 - x1)) is 0.5 on the diagonal: a black line there,
    // class 0's colour left of it and class 1's right of it
    let fig = plot::decision_boundary(&diagonal, &x, &y).unwrap();
    let img = decode(&fig.to_png());
    let (left, right, top, bottom) = plot_frame(&img);
    let mut rows_with_line = 0;
    for yy in top + 3..bottom - 3 {
        let black: Vec<u32> = (left + 3..right - 3)
            .filter(|&xx| is_black(img.get_pixel(xx, yy).0))
            .collect();
        let (Some(&a), Some(&b)) = (black.first(), black.last()) else {
            continue;
        };
        rows_with_line += 1;
        assert!(
            b - a < 8,
            "row {yy}: one thin line, got black from {a} to {b}"
        );
        let before = img.get_pixel(a.saturating_sub(6).max(left + 1), yy).0;
        let after = img.get_pixel((b + 6).min(right - 1), yy).0;
        if a > left + 8 {
            assert!(
                before[2] > before[0],
                "row {yy}: left of the line is class 0: {before:?}"
            );
        }
        if b + 8 < right {
            assert!(
                after[0] > after[2],
                "row {yy}: right of the line is class 1: {after:?}"
            );
        }
    }
    assert!(
        rows_with_line as u32 > (bottom - top) / 2,
        "the 0.5 line crosses {rows_with_line} of {} rows",
        bottom - top
    );
}
