//! Helpers the figure tests share: decoding a figure, finding its frame,
//! legend and text, and checking that text is laid out by the font.
#![allow(dead_code)]

use kerust::prelude::*;
use std::collections::HashSet;
use std::path::PathBuf;

/// A decoded 8-bit RGB picture.
pub struct Rgb {
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
}

/// One pixel: `.0` is red, green, blue.
pub struct Px(pub [u8; 3]);

impl Rgb {
    pub fn width(&self) -> u32 {
        self.width
    }
    pub fn height(&self) -> u32 {
        self.height
    }
    pub fn get_pixel(&self, x: u32, y: u32) -> Px {
        assert!(x < self.width && y < self.height, "({x}, {y}) is outside");
        let i = (y as usize * self.width as usize + x as usize) * 3;
        Px([self.data[i], self.data[i + 1], self.data[i + 2]])
    }
    pub fn pixels(&self) -> impl Iterator<Item = Px> + '_ {
        self.data.chunks_exact(3).map(|p| Px([p[0], p[1], p[2]]))
    }
    /// The `w` x `h` rectangle whose top left corner is (`x`, `y`).
    pub fn crop(&self, x: u32, y: u32, w: u32, h: u32) -> Rgb {
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
pub fn decode(png: &[u8]) -> Rgb {
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
pub fn assert_drawn(fig: &plot::Figure, min: usize) -> Rgb {
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

pub fn count(img: &Rgb, pred: impl Fn([u8; 3]) -> bool) -> usize {
    img.pixels().filter(|p| pred(p.0)).count()
}

pub fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join("kerust_plot_tests");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

// ------------------------------------------------------------ text layout

pub static FONT: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

/// How much of `ink` a pixel holds, drawn on white: 0 is white, 1 is the
/// ink colour.
pub fn ink_amount(p: [u8; 3], ink: [u8; 3]) -> f32 {
    let lo = f32::from(*p.iter().min().unwrap());
    let ink_lo = f32::from(*ink.iter().min().unwrap());
    ((255.0 - lo) / (255.0 - ink_lo)).clamp(0.0, 1.0)
}

/// The runs `[start, end)` of `true`, `offset` added.
pub fn runs(cols: &[bool], offset: i32) -> Vec<(i32, i32)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, &c) in cols.iter().chain([&false]).enumerate() {
        match (c, start) {
            (true, None) => start = Some(i as i32),
            (false, Some(s)) => {
                out.push((s + offset, i as i32 + offset));
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// The most ink in each column `x0..x1` of rows `y0..y1`.
pub fn column_ink(img: &Rgb, (x0, x1, y0, y1): (u32, u32, u32, u32), ink: [u8; 3]) -> Vec<f32> {
    (x0..x1)
        .map(|x| {
            (y0..y1)
                .map(|y| ink_amount(img.get_pixel(x, y).0, ink))
                .fold(0.0, f32::max)
        })
        .collect()
}

/// Columns `x0..x1` of rows `y0..y1`: does each hold at least half a
/// pixel of `ink`?
pub fn inked_columns(img: &Rgb, rect: (u32, u32, u32, u32), ink: [u8; 3]) -> Vec<bool> {
    column_ink(img, rect, ink)
        .into_iter()
        .map(|a| a >= 0.5)
        .collect()
}

/// The rows `y0..y1` holding ink in columns `x0..x1`, as bands.
pub fn text_rows(
    img: &Rgb,
    (x0, x1, y0, y1): (u32, u32, u32, u32),
    ink: [u8; 3],
) -> Vec<(u32, u32)> {
    let rows: Vec<bool> = (y0..y1)
        .map(|y| (x0..x1).any(|x| ink_amount(img.get_pixel(x, y).0, ink) >= 0.5))
        .collect();
    runs(&rows, y0 as i32)
        .into_iter()
        .map(|(a, b)| (a as u32, b as u32))
        .collect()
}

/// `text` laid out by the font alone: the pen starts at 0 and moves by
/// each glyph's advance width plus kerning; each glyph's outline is
/// placed at the pen (so its side bearings are kept). Returns the first
/// column, the most ink in each column from there, and the width of a
/// space.
pub fn font_layout(text: &str, size: f32) -> (i32, Vec<f32>, f32) {
    use ab_glyph::{point, Font, FontRef, PxScale, ScaleFont};
    let font = FontRef::try_from_slice(FONT).unwrap();
    let scaled = font.as_scaled(PxScale::from(size));
    let mut coverage: std::collections::HashMap<(i32, i32), f32> = Default::default();
    let (mut pen, mut prev) = (0.0f32, None);
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            pen += scaled.kern(p, id);
        }
        let glyph = id.with_scale_and_position(size, point(pen, scaled.ascent()));
        if let Some(outline) = font.outline_glyph(glyph) {
            let b = outline.px_bounds();
            outline.draw(|x, y, a| {
                let key = (b.min.x as i32 + x as i32, b.min.y as i32 + y as i32);
                let v = coverage.entry(key).or_default();
                *v = (*v + a).min(1.0);
            });
        }
        pen += scaled.h_advance(id);
        prev = Some(id);
    }
    let lo = coverage.keys().map(|k| k.0).min().unwrap_or(0);
    let hi = coverage.keys().map(|k| k.0).max().unwrap_or(-1);
    let mut columns = vec![0.0f32; (hi - lo + 1).max(0) as usize];
    for (&(x, _), &a) in &coverage {
        let c = &mut columns[(x - lo) as usize];
        *c = c.max(a);
    }
    (lo, columns, scaled.h_advance(scaled.glyph_id(' ')))
}

/// Checks that the only text in the box `rect` of `img` is `text`, drawn in
/// `ink`, with its letters where the font puts them: at some size, the
/// ink of every column matches the font's own layout (within 0.2 of a
/// pixel's ink), and a gap as wide as a space appears between words only.
pub fn assert_laid_out(img: &Rgb, rect: (u32, u32, u32, u32), text: &str, ink: [u8; 3]) {
    let got = column_ink(img, rect, ink);
    let first = got.iter().position(|&a| a >= 0.5);
    let Some(first) = first else {
        panic!("no ink where {text:?} should be")
    };
    let mut best: Option<(f32, f32)> = None;
    for tenths in (80..=260).step_by(5) {
        let size = tenths as f32 / 10.0;
        let (lo, want, _) = font_layout(text, size);
        let Some(want_first) = want.iter().position(|&a| a >= 0.5) else {
            continue;
        };
        for nudge in -1..=1 {
            // column x of the figure is column x - shift of the layout
            let shift = first as i32 - want_first as i32 - lo + nudge;
            let width = got
                .len()
                .max((want.len() as i32 + lo + shift).max(0) as usize);
            let err = (0..width as i32)
                .map(|x| {
                    let g = got.get(x as usize).copied().unwrap_or(0.0);
                    let w = usize::try_from(x - shift - lo)
                        .ok()
                        .and_then(|i| want.get(i).copied())
                        .unwrap_or(0.0);
                    (g - w).abs()
                })
                .fold(0.0, f32::max);
            if best.is_none_or(|(e, _)| err < e) {
                best = Some((err, size));
            }
        }
    }
    let (err, size) = best.unwrap_or((1.0, 0.0));
    assert!(
        err <= 0.2,
        "{text:?} is not where the font puts its letters: at the closest size ({size}), a column's ink differs by {err:.2}"
    );
    let (_, _, space) = font_layout(text, size);
    let ink_runs = runs(&inked_columns(img, rect, ink), rect.0 as i32);
    let wide: Vec<i32> = ink_runs
        .windows(2)
        .map(|p| p[1].0 - p[0].1)
        .filter(|&gap| gap as f32 >= space)
        .collect();
    assert_eq!(
        wide.len(),
        text.matches(' ').count(),
        "{text:?} at size {size}: gaps as wide as a space ({space:.1} px) are {wide:?}; ink runs {ink_runs:?}"
    );
}

/// Splits the ink of `band` (rows) into labels separated by more than
/// `gap` blank columns, as column ranges.
pub fn labels_in_row(
    img: &Rgb,
    (x0, x1): (u32, u32),
    band: (u32, u32),
    ink: [u8; 3],
    gap: i32,
) -> Vec<(u32, u32)> {
    let cols = inked_columns(img, (x0, x1, band.0, band.1), ink);
    let mut out: Vec<(i32, i32)> = Vec::new();
    for r in runs(&cols, x0 as i32) {
        match out.last_mut() {
            Some(last) if r.0 - last.1 <= gap => last.1 = r.1,
            _ => out.push(r),
        }
    }
    out.into_iter()
        .map(|(a, b)| ((a - 2).max(0) as u32, (b + 2) as u32))
        .collect()
}

pub const BLACK_INK: [u8; 3] = [0, 0, 0];

// ------------------------------------------------------ legends and scales

/// Near black: an axis, or a contour line.
pub fn is_black(p: [u8; 3]) -> bool {
    p.iter().all(|&v| v < 40)
}

/// The chart's frame from its axes: the left one (a vertical black line
/// longer than a third of the picture, the leftmost) and the bottom one
/// (the longest horizontal black line): `(left, right, top, bottom)`.
pub fn plot_frame(img: &Rgb) -> (u32, u32, u32, u32) {
    let mut bottom = (0, 0, 0);
    for y in 0..img.height() {
        let row: Vec<bool> = (0..img.width())
            .map(|x| is_black(img.get_pixel(x, y).0))
            .collect();
        for (a, b) in runs(&row, 0) {
            if b - a > bottom.1 - bottom.0 {
                bottom = (a, b, y as i32);
            }
        }
    }
    for x in 0..img.width() {
        let col: Vec<bool> = (0..img.height())
            .map(|y| is_black(img.get_pixel(x, y).0))
            .collect();
        if let Some(&(top, _)) = runs(&col, 0)
            .iter()
            .find(|(a, b)| (b - a) as u32 > img.height() / 3)
        {
            return (x, bottom.1 as u32 - 1, top as u32, bottom.2 as u32);
        }
    }
    panic!("no axes found")
}

/// The rectangle drawn in exactly `color` right of column `from`: the
/// outermost columns and rows holding a run of at least 12 such pixels
/// (its sides), `(left, right, top, bottom)`.
pub fn framed_box(img: &Rgb, color: [u8; 3], from: u32) -> Option<(u32, u32, u32, u32)> {
    let long = |cells: Vec<bool>| runs(&cells, 0).iter().any(|(a, b)| b - a >= 12);
    let cols: Vec<u32> = (from..img.width())
        .filter(|&x| {
            long(
                (0..img.height())
                    .map(|y| img.get_pixel(x, y).0 == color)
                    .collect(),
            )
        })
        .collect();
    let rows: Vec<u32> = (0..img.height())
        .filter(|&y| {
            long(
                (from..img.width())
                    .map(|x| img.get_pixel(x, y).0 == color)
                    .collect(),
            )
        })
        .collect();
    Some((*cols.first()?, *cols.last()?, *rows.first()?, *rows.last()?))
}
