//! The figures of the tutorials after the lessons: colour pictures with
//! class names, a colour bar, one prediction's bar chart, curves per
//! epoch, a histogram, and figures side by side. Each renders, its sizes
//! and colours mean what they should, and its text is laid out by the font.

mod plot_support;
use kerust::prelude::*;
use plot_support::*;

use kerust::datasets::cifar10::CLASS_NAMES as CIFAR_NAMES;
use kerust::datasets::fashion_mnist::CLASS_NAMES;

/// `n` 32x32 colour pictures: picture k is a quarter red, a quarter green,
/// a quarter blue and a quarter of grey level 20 k (u8, as CIFAR-10's).
fn cifar_like(n: usize) -> Array4<u8> {
    Array4::from_shape_fn((n, 32, 32, 3), |(k, i, j, c)| match (i < 16, j < 16) {
        (true, true) => [255, 0, 0][c],
        (true, false) => [0, 255, 0][c],
        (false, true) => [0, 0, 255][c],
        (false, false) => (20 * k % 256) as u8,
    })
}

/// Writes `fig` under /tmp/plots-review/ for a person to look at.
fn review(name: &str, fig: &plot::Figure) {
    let dir = std::path::Path::new("/tmp/plots-review");
    std::fs::create_dir_all(dir).unwrap();
    fig.save(dir.join(name)).unwrap();
}

#[test]
fn imshow_draws_rgb_pictures_in_their_colours() {
    let x = cifar_like(2);
    let fig = plot::imshow(x.slice(s![1, .., .., ..])).figure().unwrap();
    // 32 pixels scaled by 280 / 32 = 8
    assert_eq!((fig.width(), fig.height()), (38 + 256 + 14, 10 + 256 + 30));
    let at = |i: u32, j: u32| fig.pixel(38 + j * 8 + 4, 10 + i * 8 + 4);
    assert_eq!(at(3, 3), [255, 0, 0]);
    assert_eq!(at(3, 20), [0, 255, 0]);
    assert_eq!(at(20, 3), [0, 0, 255]);
    assert_eq!(at(20, 20), [20, 20, 20]);
    // the same picture as floats in 0..1 (and as (1, h, w, 3))
    let f = x.slice(s![1..2, .., .., ..]).mapv(|v| f32::from(v) / 255.0);
    let g = plot::imshow(&f).figure().unwrap();
    assert_eq!(g.rgb(), fig.rgb());
    // floats beyond 1 are an error that says what to do, not a white picture
    let err = plot::imshow(x.slice(s![1, .., .., ..]).mapv(f32::from))
        .figure()
        .unwrap_err()
        .to_string();
    assert!(err.contains("0..=1") && err.contains("255"), "{err}");
    // a colour picture has no colour map to show
    let err = plot::imshow(x.slice(s![0, .., .., ..]))
        .colorbar(true)
        .figure()
        .unwrap_err()
        .to_string();
    assert!(err.contains("colour bar"), "{err}");
    review("imshow_rgb.png", &fig);
}

#[test]
fn imshow_colorbar_shows_which_colour_is_which_value() {
    // rows 0..28 hold 0..=27: the colour of row r is the value r
    let x = Array2::from_shape_fn((28, 28), |(i, _)| i as f32);
    let plain = plot::imshow(&x).figure().unwrap();
    let fig = plot::imshow(&x).colorbar(true).figure().unwrap();
    review("imshow_colorbar.png", &fig);
    assert_eq!(fig.width(), plain.width() + 86);
    assert_eq!(fig.height(), plain.height());
    let img = decode(&fig.to_png());
    // the bar: framed in grey right of the picture
    let bar = framed_box(&img, [120, 120, 120], plain.width()).expect("a colour bar");
    assert!(bar.2 >= 8 && bar.3 <= 10 + 280 + 1, "{bar:?}");
    let mid = (bar.0 + bar.1) / 2;
    for value in [3u32, 14, 25] {
        let fill = fig.pixel(38 + 140, 10 + value * 10 + 5);
        // the bar's row of the nearest colour
        let distance = |c: [u8; 3]| (0..3).map(|k| c[k].abs_diff(fill[k]) as u32).sum::<u32>();
        let row = (bar.2 + 1..bar.3)
            .min_by_key(|&r| distance(img.get_pixel(mid, r).0))
            .unwrap();
        let d = distance(img.get_pixel(mid, row).0);
        assert!(
            d <= 6,
            "value {value}: {fill:?} is not on the bar (nearest differs by {d})"
        );
        let row = row as f32 + 0.5;
        let at = (bar.3 as f32 - row) / (bar.3 - bar.2) as f32 * 27.0;
        assert!(
            (at - value as f32).abs() < 0.6,
            "value {value} sits at {at:.2} on the bar"
        );
    }
    // its numbers: 0, 5, ..., 25 beside it, the top one laid out by the font
    // (the ticks reach 4 pixels right of the bar)
    let numbers = bar.1 + 5;
    let rows = text_rows(&img, (numbers, fig.width(), 0, fig.height()), BLACK_INK);
    assert_eq!(rows.len(), 6, "{rows:?}");
    let top = rows[0];
    let found = labels_in_row(&img, (numbers, fig.width()), top, BLACK_INK, 8);
    assert_laid_out(
        &img,
        (found[0].0, found[0].1, top.0, top.1),
        "25",
        BLACK_INK,
    );
}

#[test]
fn images_grid_of_rgb_pictures_with_class_names() {
    let x = cifar_like(6);
    let y = array![[0u8], [1], [2], [3], [8], [9]];
    let grid = plot::images(&x, &y).class_names(&CIFAR_NAMES);
    let fig = grid.figure().unwrap();
    review("images_rgb_names.png", &fig);
    let img = decode(&fig.to_png());
    // each picture in its colours: 3 red, green, blue and grey quarters
    let red = count(&img, |p| p == [255, 0, 0]);
    assert!(red >= 6 * 48 * 48, "{red} red pixels");
    assert!(count(&img, |p| p == [0, 0, 255]) >= 6 * 48 * 48);
    // labels: the names, each where the font puts it
    let rows = text_rows(&img, (0, fig.width(), 0, 32), BLACK_INK);
    assert_eq!(rows.len(), 1, "{rows:?}");
    let found = labels_in_row(&img, (0, fig.width()), rows[0], BLACK_INK, 12);
    assert_eq!(found.len(), 5, "{found:?}");
    for ((x0, x1), name) in found
        .into_iter()
        .zip(["airplane", "automobile", "bird", "cat", "ship"])
    {
        assert_laid_out(&img, (x0, x1, rows[0].0, rows[0].1), name, BLACK_INK);
    }
    // a wrong prediction: "bird (true cat)" in red, and a column wide
    // enough for it
    let wrong = plot::images(x.slice(s![..2, .., .., ..]), array![3u8, 7])
        .predictions(&array![2u8, 7])
        .class_names(&CIFAR_NAMES)
        .figure()
        .unwrap();
    review("images_rgb_wrong.png", &wrong);
    let img = decode(&wrong.to_png());
    let red_ink = [0xd6, 0x27, 0x28];
    let rows = text_rows(&img, (0, wrong.width(), 0, 30), red_ink);
    assert_eq!(rows.len(), 1, "{rows:?}");
    let found = labels_in_row(&img, (0, wrong.width()), rows[0], red_ink, 12);
    assert_eq!(found.len(), 2, "{found:?}");
    // the first label is red, the second ("horse", right) black
    let reddish = |(x0, x1): (u32, u32)| {
        let label = img.crop(x0, rows[0].0, x1 - x0, rows[0].1 - rows[0].0);
        count(&label, |p| p[0] > 150 && p[1] < 100)
    };
    assert!(reddish(found[0]) > 30 && reddish(found[1]) == 0);
    assert_laid_out(
        &img,
        (found[1].0, found[1].1, rows[0].0, rows[0].1),
        "horse",
        BLACK_INK,
    );
    assert_laid_out(
        &img,
        (found[0].0, found[0].1, rows[0].0, rows[0].1),
        "bird (true cat)",
        red_ink,
    );
    // names missing for a label: an error naming the class
    let err = plot::images(&x, &y)
        .class_names(&CIFAR_NAMES[..5])
        .figure()
        .unwrap_err()
        .to_string();
    assert!(err.contains("class 8 has no name"), "{err}");
}

#[test]
fn bar_colours_the_true_class_blue_and_a_wrong_prediction_red() {
    let p = array![0.02f32, 0.05, 0.6, 0.03, 0.2, 0.02, 0.03, 0.02, 0.02, 0.01];
    // predicted 2, true 4: wrong
    let fig = plot::bar(&p).true_label(4u8).figure().unwrap();
    let img = decode(&fig.to_png());
    let frame = plot_frame(&img);
    let slot = (frame.1 - frame.0) as f32 / 10.2;
    let bar_x = |c: usize| (frame.0 as f32 + slot * (c as f32 + 0.1 + 0.5)) as u32;
    let just_above_axis = frame.3 - 3;
    assert_eq!(img.get_pixel(bar_x(2), just_above_axis).0, [255, 0, 0]);
    assert_eq!(img.get_pixel(bar_x(4), just_above_axis).0, [0, 0, 255]);
    assert_eq!(
        img.get_pixel(bar_x(0), just_above_axis).0,
        [0x77, 0x77, 0x77]
    );
    // heights on a 0..1 axis: the 0.6 bar reaches 60% of the way up
    let height = |c: usize| {
        (frame.2..frame.3)
            .filter(|&y| img.get_pixel(bar_x(c), y).0 != [255, 255, 255])
            .filter(|&y| !is_black(img.get_pixel(bar_x(c), y).0))
            .count() as f32
            / (frame.3 - frame.2) as f32
    };
    assert!((height(2) - 0.6).abs() < 0.02, "{}", height(2));
    assert!((height(4) - 0.2).abs() < 0.02, "{}", height(4));
    // the legend, right of the data, says which colour is which
    let legend = framed_box(&img, [180, 180, 180], 0).expect("a legend");
    assert!(legend.0 > frame.1);
    let rows = text_rows(
        &img,
        (legend.0 + 30, legend.1, legend.2, legend.3),
        BLACK_INK,
    );
    assert_eq!(rows.len(), 2, "{rows:?}");
    for (band, label) in rows.into_iter().zip(["true class", "predicted (wrong)"]) {
        let found = labels_in_row(&img, (legend.0 + 30, legend.1), band, BLACK_INK, 12);
        assert_laid_out(
            &img,
            (found[0].0, found[0].1, band.0, band.1),
            label,
            BLACK_INK,
        );
    }
    // the verdict above, in red
    let rows = text_rows(&img, (0, frame.1, 0, frame.2 - 10), [255, 0, 0]);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_laid_out(
        &img,
        (0, frame.1, rows[0].0, rows[0].1),
        "predicted 2 60%, true 4",
        [255, 0, 0],
    );

    // right: the predicted bar is the true one, blue, and nothing is red
    let right = plot::bar(&p).true_label(2).figure().unwrap();
    let img = decode(&right.to_png());
    assert_eq!(img.get_pixel(bar_x(2), just_above_axis).0, [0, 0, 255]);
    assert_eq!(count(&img, |c| c == [255, 0, 0]), 0);

    // bad true labels and shapes say what was expected
    let err = plot::bar(&p)
        .true_label(10)
        .figure()
        .unwrap_err()
        .to_string();
    assert!(err.contains("0 to 9"), "{err}");
    let two = Array2::<f32>::zeros((2, 10));
    let err = plot::bar(&two).figure().unwrap_err().to_string();
    assert!(err.contains("predictions.row(i)"), "{err}");
    review("bar_wrong.png", &fig);
    review("bar_right.png", &right);
}

#[test]
fn bar_writes_class_names_upright_under_the_bars() {
    let p = Array1::from_shape_fn(10, |i| if i == 9 { 0.91f32 } else { 0.01 });
    let fig = plot::bar(&p)
        .true_label(9)
        .class_names(&CLASS_NAMES)
        .figure()
        .unwrap();
    let img = decode(&fig.to_png());
    let frame = plot_frame(&img);
    // the longest name, "T-shirt/top", under bar 0, read bottom to top:
    // turned back, it is laid out by the font
    let slot = (frame.1 - frame.0) as f32 / 10.2;
    let x = (frame.0 as f32 + slot * 0.6) as u32;
    let (x0, x1) = (x - 12, x + 12);
    let below = (frame.3 + 7, fig.height());
    let ink_rows: Vec<u32> = (below.0..below.1)
        .filter(|&y| (x0..x1).any(|xx| img.get_pixel(xx, y).0[0] < 128))
        .collect();
    let (top, bottom) = (ink_rows[0], *ink_rows.last().unwrap() + 1);
    // turn the crop a quarter to the right: the text reads left to right
    let crop = img.crop(x0, top, x1 - x0, bottom - top);
    let (w, h) = (crop.width, crop.height);
    let turned = Rgb {
        width: h,
        height: w,
        data: (0..w)
            .flat_map(|yy| (0..h).map(move |xx| (yy, h - 1 - xx)))
            .flat_map(|(cx, cy)| crop.get_pixel(cx, cy).0)
            .collect(),
    };
    let all = (0, turned.width, 0, turned.height);
    assert_laid_out(&turned, all, "T-shirt/top", BLACK_INK);
    review("bar_names.png", &fig);
}

#[test]
fn line_draws_each_curve_in_its_colour_with_a_legend_outside_the_data() {
    let loss = vec![4.0f32, 3.0, 2.5, 2.2, 2.1, 2.0];
    let val_loss = vec![4.2f32, 3.4, 3.1, 3.0, 3.05, 3.2];
    let fig = plot::line(&loss)
        .label("loss")
        .line(&val_loss)
        .label("val_loss")
        .ylabel("Error [MPG]")
        .figure()
        .unwrap();
    let img = assert_drawn(&fig, 10);
    let frame = plot_frame(&img);
    let blue = [0x1f, 0x77, 0xb4];
    let orange = [0xff, 0x7f, 0x0e];
    let inside = img.crop(
        frame.0 + 1,
        frame.2,
        frame.1 - frame.0 - 1,
        frame.3 - frame.2,
    );
    assert!(count(&inside, |p| p == blue) > 100);
    assert!(count(&inside, |p| p == orange) > 100);
    // the first point of each curve: the loss (4.0) lies below val_loss (4.2),
    // and the last val_loss point (3.2) above the last loss (2.0)
    let first_column = |color: [u8; 3]| {
        (0..inside.width())
            .find_map(|x| {
                (0..inside.height())
                    .find(|&y| inside.get_pixel(x, y).0 == color)
                    .map(|y| (x, y))
            })
            .unwrap()
    };
    let (bx, by) = first_column(blue);
    let (ox, oy) = first_column(orange);
    assert!(
        bx.abs_diff(ox) <= 2 && oy < by,
        "blue at {bx},{by}, orange at {ox},{oy}"
    );
    // the legend right of the data: a box whose lines are the two curves'
    // colours and whose names are laid out by the font
    let legend = framed_box(&img, [180, 180, 180], 0).expect("a legend");
    assert!(legend.0 > frame.1, "legend {legend:?}, data to {}", frame.1);
    let keys = img.crop(legend.0, legend.2, 30, legend.3 - legend.2);
    assert!(count(&keys, |p| p == blue) > 20 && count(&keys, |p| p == orange) > 20);
    // (the underscore of "val_loss" is a band of its own: joined to its line)
    let mut rows: Vec<(u32, u32)> = Vec::new();
    for band in text_rows(
        &img,
        (legend.0 + 30, legend.1, legend.2, legend.3),
        BLACK_INK,
    ) {
        match rows.last_mut() {
            Some(last) if band.0 - last.1 <= 2 => last.1 = band.1,
            _ => rows.push(band),
        }
    }
    assert_eq!(rows.len(), 2, "{rows:?}");
    for (band, name) in rows.into_iter().zip(["loss", "val_loss"]) {
        let found = labels_in_row(&img, (legend.0 + 30, legend.1), band, BLACK_INK, 12);
        assert_laid_out(
            &img,
            (found[0].0, found[0].1, band.0, band.1),
            name,
            BLACK_INK,
        );
    }
    // the axis label under the chart: "epoch"
    assert_x_label(&img, frame, fig.height(), "epoch");
    // no names, no legend
    let plain = plot::line(&loss).figure().unwrap();
    assert_eq!(plain.width(), 520);
    // a matrix is not a row of values
    let err = plot::line(Array2::<f32>::zeros((3, 4)))
        .figure()
        .unwrap_err()
        .to_string();
    assert!(err.contains("(n,)") && err.contains("(3, 4)"), "{err}");
    review("lines.png", &fig);
}

#[test]
fn hist_counts_values_into_equal_bins_and_draws_them() {
    // 0..100: 10 bins of 10 values each, the largest in the last bin
    let values: Vec<u8> = (0..100).collect();
    let h = plot::hist(&values);
    assert_eq!(h.counts().unwrap(), vec![10; 10]);
    let skewed = array![0.0f32, 0.1, 0.2, 0.3, 1.0];
    let h = plot::hist(&skewed).bins(2).xlabel("value");
    assert_eq!(h.counts().unwrap(), vec![4, 1]);
    let fig = h.figure().unwrap();
    let img = decode(&fig.to_png());
    let frame = plot_frame(&img);
    let blue = [0x1f, 0x77, 0xb4];
    // the bars: the first 4 times as tall as the second
    let columns: Vec<usize> = (frame.0 + 1..frame.1)
        .map(|x| {
            (frame.2..frame.3)
                .filter(|&y| img.get_pixel(x, y).0 == blue)
                .count()
        })
        .filter(|&n| n > 0)
        .collect();
    let tallest = *columns.iter().max().unwrap() as f32;
    let shortest = *columns.iter().min().unwrap() as f32;
    assert!(
        (tallest / shortest - 4.0).abs() < 0.1,
        "{tallest} / {shortest}"
    );
    assert_x_label(&img, frame, fig.height(), "value");
    // one value: a bin around it (numpy's value +- 0.5)
    assert_eq!(plot::hist([3.0f32]).bins(2).counts().unwrap(), vec![0, 1]);
    assert!(plot::hist(Vec::<f32>::new()).figure().is_err());
    review("hist.png", &fig);
}

#[test]
fn row_puts_figures_side_by_side_pixel_for_pixel() {
    let digit = Array2::from_shape_fn((28, 28), |(i, j)| ((i * 28 + j) % 256) as u8);
    let image = plot::imshow(&digit).cmap("binary");
    let bars = plot::bar([0.1f32, 0.7, 0.2]).true_label(2);
    let history_like = plot::line([1.0f32, 0.5, 0.4]).label("loss");
    let row = plot::row(&[&image, &bars, &history_like]);
    let fig = row.figure().unwrap();
    let parts = [
        image.figure().unwrap(),
        bars.figure().unwrap(),
        history_like.figure().unwrap(),
    ];
    assert_eq!(
        fig.width(),
        parts.iter().map(|f| f.width()).sum::<u32>() + 2 * 16
    );
    assert_eq!(
        fig.height(),
        parts.iter().map(|f| f.height()).max().unwrap()
    );
    // each part is drawn exactly as on its own, at its place
    let mut left = 0;
    for part in &parts {
        for y in 0..part.height() {
            for x in 0..part.width() {
                assert_eq!(
                    fig.pixel(left + x, y),
                    part.pixel(x, y),
                    "({x}, {y}) of a part"
                );
            }
        }
        // white between the parts and below the shorter ones
        for y in 0..fig.height() {
            for x in part.width()..part.width() + 16 {
                if left + x < fig.width() {
                    assert_eq!(fig.pixel(left + x, y), [255, 255, 255]);
                }
            }
        }
        for y in part.height()..fig.height() {
            assert_eq!(fig.pixel(left + part.width() / 2, y), [255, 255, 255]);
        }
        left += part.width() + 16;
    }
    // it saves as PNG and SVG, and a part's mistake is the row's
    let svg = row.figure().unwrap().to_svg().unwrap();
    assert!(svg.contains("true class") || svg.contains("true = predicted"));
    let bad = plot::row(&[&image, &plot::bar([0.5f32, 0.5]).true_label(7)]);
    assert!(bad.figure().unwrap_err().to_string().contains("0 to 1"));
    assert!(plot::row(&[]).figure().is_err());
    review("row.png", &fig);
}

#[test]
fn class_names_come_as_arrays_slices_or_strings() {
    let x = cifar_like(2);
    let y = array![1u8, 0];
    let owned: Vec<String> = CIFAR_NAMES.iter().map(|s| s.to_string()).collect();
    let a = plot::images(&x, &y)
        .class_names(&CIFAR_NAMES)
        .figure()
        .unwrap();
    let b = plot::images(&x, &y).class_names(&owned).figure().unwrap();
    let c = plot::images(&x, &y)
        .class_names(&owned[..])
        .figure()
        .unwrap();
    assert_eq!(a.rgb(), b.rgb());
    assert_eq!(a.rgb(), c.rgb());
    // the same pictures as floats in 0..1
    let xf = x.mapv(|v| f32::from(v) / 255.0);
    let g = plot::images(&xf, &y)
        .class_names(&CIFAR_NAMES)
        .figure()
        .unwrap();
    assert_eq!(a.rgb(), g.rgb());
    let err = plot::images(x.mapv(f32::from), &y).figure().unwrap_err();
    assert!(err.to_string().contains("0..=1"), "{err}");
    let p = array![0.3f32, 0.7];
    let d = plot::bar(&p).class_names(&owned).figure().unwrap();
    let e = plot::bar(&p)
        .class_names(&["airplane", "automobile"])
        .figure()
        .unwrap();
    let f = plot::bar(&p).class_names(&["cat", "dog"]).figure().unwrap();
    assert!(f.height() < d.height()); // room for the names shown, not for all
    assert_eq!(d.rgb(), e.rgb());
    // fewer names than bars: an error
    let err = plot::bar(&p).class_names(&["cat"]).figure().unwrap_err();
    assert!(err.to_string().contains("2 bars"), "{err}");
}

#[test]
fn images_draws_a_permuted_stack_as_the_same_pictures() {
    // (h, w, n) with the image axis moved to the front: kernels and
    // feature maps are drawn this way, and the array is not row-major.
    let maps =
        Array3::<f32>::from_shape_fn((5, 4, 3), |(i, j, k)| (i * 4 + j) as f32 * (k + 1) as f32);
    let permuted = maps.clone().permuted_axes([2, 0, 1]);
    assert!(!permuted.is_standard_layout());
    let labels = array![0u8, 1, 2];
    let got = plot::images(&permuted, &labels).figure().unwrap();
    let want = plot::images(permuted.as_standard_layout().to_owned(), &labels)
        .figure()
        .unwrap();
    assert_eq!(got.rgb(), want.rgb());
}

/// The one line of text under a chart's frame reads `text` (the x axis label).
fn assert_x_label(img: &Rgb, frame: (u32, u32, u32, u32), height: u32, text: &str) {
    let rows = text_rows(img, (frame.0, frame.1, frame.3 + 24, height), BLACK_INK);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_laid_out(
        img,
        (frame.0, frame.1, rows[0].0, rows[0].1),
        text,
        BLACK_INK,
    );
}
