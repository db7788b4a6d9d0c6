//! Figures: each one renders a real picture (decodes as PNG, right size,
//! not blank), colours mean what they should, saving works, and wrong
//! input gives an error that says what was expected.
//!
//! `samples_for_review` also writes every kind of figure to
//! /tmp/kerust_plots/ for a person to look at (real MNIST digits when the
//! IDX files are at /tmp/mn/package/data/).

use kerust::model::History;
use kerust::prelude::*;
use std::collections::HashSet;
use std::path::PathBuf;

/// A decoded 8-bit RGB picture.
struct Rgb {
    width: u32,
    height: u32,
    data: Vec<u8>,
}

/// One pixel: `.0` is red, green, blue.
struct Px([u8; 3]);

impl Rgb {
    fn width(&self) -> u32 {
        self.width
    }
    fn height(&self) -> u32 {
        self.height
    }
    fn get_pixel(&self, x: u32, y: u32) -> Px {
        assert!(x < self.width && y < self.height, "({x}, {y}) is outside");
        let i = (y as usize * self.width as usize + x as usize) * 3;
        Px([self.data[i], self.data[i + 1], self.data[i + 2]])
    }
    fn pixels(&self) -> impl Iterator<Item = Px> + '_ {
        self.data.chunks_exact(3).map(|p| Px([p[0], p[1], p[2]]))
    }
    /// The `w` x `h` rectangle whose top left corner is (`x`, `y`).
    fn crop(&self, x: u32, y: u32, w: u32, h: u32) -> Rgb {
        let mut data = Vec::with_capacity(w as usize * h as usize * 3);
        for row in y..y + h {
            for col in x..x + w {
                data.extend_from_slice(&self.get_pixel(col, row).0);
            }
        }
        Rgb {
            width: w,
            height: h,
            data,
        }
    }
}

/// Decodes PNG bytes, which must be 8-bit RGB (what figures write).
fn decode(png: &[u8]) -> Rgb {
    let mut reader = png::Decoder::new(std::io::Cursor::new(png))
        .read_info()
        .expect("valid PNG");
    let mut data = vec![0; reader.output_buffer_size().expect("a sane size")];
    let info = reader.next_frame(&mut data).expect("valid PNG data");
    assert_eq!(
        (info.color_type, info.bit_depth),
        (png::ColorType::Rgb, png::BitDepth::Eight)
    );
    data.truncate(info.buffer_size());
    Rgb {
        width: info.width,
        height: info.height,
        data,
    }
}

/// A decoded figure with more than `min` distinct colours.
fn assert_drawn(fig: &plot::Figure, min: usize) -> Rgb {
    let img = decode(&fig.to_png());
    assert_eq!((img.width(), img.height()), (fig.width(), fig.height()));
    // the PNG holds exactly the figure's pixels
    assert_eq!(img.data, fig.rgb());
    let colors: HashSet<[u8; 3]> = img.pixels().map(|p| p.0).collect();
    assert!(
        colors.len() > min,
        "expected a drawn picture, got {} colours",
        colors.len()
    );
    img
}

fn count(img: &Rgb, pred: impl Fn([u8; 3]) -> bool) -> usize {
    img.pixels().filter(|p| pred(p.0)).count()
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join("kerust_plot_tests");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

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
    // 28 cells of 10 px plus a 10 px margin on each side
    assert_eq!((fig.width(), fig.height()), (300, 300));
    let img = decode(&fig.to_png());
    let at = |i: u32, j: u32| img.get_pixel(10 + j * 10 + 5, 10 + i * 10 + 5).0;
    assert_eq!(at(0, 0), [255, 255, 255]);
    assert_eq!(at(5, 7), [0, 0, 0]);
    let mid = at(20, 20);
    assert!(mid[0] > 100 && mid[0] < 160 && mid[0] == mid[2], "{mid:?}");
    // every cell is a 10x10 square: neighbours of the ink cell's corner pixels
    assert_eq!(img.get_pixel(10 + 70, 10 + 50).0, [0, 0, 0]);
    assert_eq!(img.get_pixel(10 + 79, 10 + 59).0, [0, 0, 0]);
    assert_eq!(img.get_pixel(10 + 80, 10 + 59).0, [255, 255, 255]);

    let gray = plot::imshow(&x).cmap("gray").figure().unwrap();
    assert_eq!(gray.pixel(15, 15), [0, 0, 0]);
    assert_eq!(gray.pixel(10 + 75, 10 + 55), [255, 255, 255]);
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
    assert_eq!(fig.pixel(15, 15), [0x44, 0x01, 0x54]);
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
    let (w, h) = (fig.width(), fig.height());
    // top left of the plot area: x0 small, x1 large -> class 0 (blue tint);
    // bottom right: x0 large, x1 small -> class 1 (orange tint)
    let top_left = img.get_pixel(90, 60).0;
    let bottom_right = img.get_pixel(w - 40, h - 70).0;
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
    assert_eq!((back.width(), back.height()), (300, 300));
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
        .predictions(&late.slice(s![0..1]))
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
}
