//! Text in PNG figures, laid out and rasterized here with ab_glyph.
//!
//! plotters 0.3.7 draws ab_glyph text with each glyph's ink box placed at
//! the pen position (the glyph's left side bearing is dropped) and the pen
//! rounded down to whole pixels, so the gaps between letters vary with the
//! letters: "inp uts", "lin ear", "class" read as "dass". [`PngBackend`]
//! wraps plotters' bitmap backend and draws every text itself: each glyph
//! at its exact (sub-pixel) pen position, advancing by the font's advance
//! width plus kerning, its coverage accumulated into one bitmap that is
//! then blended onto the picture. Shapes go to plotters unchanged. SVG
//! output keeps text as `<text>` for the viewer's own layout.

use ab_glyph::{point, Font, FontRef, GlyphId, PxScale, ScaleFont};
use plotters::prelude::*;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};

/// The font every figure draws its text with (DejaVu Sans, embedded; see
/// `assets/DejaVuSans-LICENSE.txt`).
pub(crate) static FONT: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

/// The embedded font (`None` only on a broken build).
pub(crate) fn font() -> Option<FontRef<'static>> {
    FontRef::try_from_slice(FONT).ok()
}

/// A line of text as coverage (0..=1) per pixel.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rendered {
    /// The layout box: the advance widths and kerning summed, and the
    /// height from the font's ascent to its descent, in pixels (rounded up).
    pub(crate) box_size: (u32, u32),
    /// Where `coverage`'s first column and row are, relative to the layout
    /// box's top-left corner (ink may stick out of the box a little).
    pub(crate) origin: (i32, i32),
    /// Columns and rows of `coverage`.
    pub(crate) size: (usize, usize),
    /// Ink coverage, row by row.
    pub(crate) coverage: Vec<f32>,
}

/// The pen positions of `text`: one `(glyph, x)` per character, and the
/// total advance (`size` is the height from ascent to descent in pixels,
/// as plotters' text sizes mean).
fn layout(font: &FontRef<'static>, size: f32, text: &str) -> (Vec<(GlyphId, f32)>, f32) {
    let scaled = font.as_scaled(PxScale::from(size));
    let mut pen = 0.0f32;
    let mut prev: Option<GlyphId> = None;
    let mut glyphs = Vec::with_capacity(text.len());
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            pen += scaled.kern(p, id);
        }
        glyphs.push((id, pen));
        pen += scaled.h_advance(id);
        prev = Some(id);
    }
    (glyphs, pen)
}

/// The layout box of `text` at `size`: width (the advances and kerning)
/// and height (ascent to descent), in whole pixels.
pub(crate) fn measure(font: &FontRef<'static>, size: f32, text: &str) -> (u32, u32) {
    let scaled = font.as_scaled(PxScale::from(size));
    let (_, width) = layout(font, size, text);
    let height = scaled.ascent() - scaled.descent();
    (width.ceil().max(0.0) as u32, height.ceil().max(0.0) as u32)
}

/// Rasterizes one line of `text` at `size`, baseline at the font's ascent
/// below the layout box's top.
pub(crate) fn rasterize(font: &FontRef<'static>, size: f32, text: &str) -> Rendered {
    let scaled = font.as_scaled(PxScale::from(size));
    let ascent = scaled.ascent();
    let (glyphs, _) = layout(font, size, text);
    let outlined: Vec<_> = glyphs
        .into_iter()
        .filter_map(|(id, x)| {
            font.outline_glyph(id.with_scale_and_position(size, point(x, ascent)))
        })
        .collect();
    let box_size = measure(font, size, text);
    if outlined.is_empty() {
        return Rendered {
            box_size,
            origin: (0, 0),
            size: (0, 0),
            coverage: Vec::new(),
        };
    }
    let (mut x0, mut y0, mut x1, mut y1) = (i32::MAX, i32::MAX, i32::MIN, i32::MIN);
    for g in &outlined {
        let b = g.px_bounds();
        x0 = x0.min(b.min.x as i32);
        y0 = y0.min(b.min.y as i32);
        x1 = x1.max(b.max.x as i32);
        y1 = y1.max(b.max.y as i32);
    }
    let (w, h) = ((x1 - x0).max(0) as usize, (y1 - y0).max(0) as usize);
    let mut coverage = vec![0.0f32; w * h];
    for g in &outlined {
        let b = g.px_bounds();
        let (gx, gy) = (b.min.x as i32 - x0, b.min.y as i32 - y0);
        g.draw(|x, y, c| {
            let (px, py) = (gx + x as i32, gy + y as i32);
            if px >= 0 && py >= 0 && (px as usize) < w && (py as usize) < h {
                let cell = &mut coverage[py as usize * w + px as usize];
                *cell = (*cell + c).min(1.0);
            }
        });
    }
    Rendered {
        box_size,
        origin: (x0, y0),
        size: (w, h),
        coverage,
    }
}

/// plotters' bitmap backend with text drawn by [`rasterize`].
pub(crate) struct PngBackend<'a> {
    inner: BitMapBackend<'a>,
    font: Option<FontRef<'static>>,
}

impl<'a> PngBackend<'a> {
    /// Draws into `rgb` (three bytes a pixel, `size.0` x `size.1` pixels).
    pub(crate) fn new(rgb: &'a mut [u8], size: (u32, u32)) -> Self {
        PngBackend {
            inner: BitMapBackend::with_buffer(rgb, size),
            font: font(),
        }
    }
}

type BitmapError = <BitMapBackend<'static> as DrawingBackend>::ErrorType;
type Drawn = Result<(), DrawingErrorKind<BitmapError>>;

#[derive(Debug)]
struct NoFont;
impl std::fmt::Display for NoFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the embedded font could not be read")
    }
}
impl std::error::Error for NoFont {}

impl DrawingBackend for PngBackend<'_> {
    type ErrorType = BitmapError;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }
    fn ensure_prepared(&mut self) -> Drawn {
        self.inner.ensure_prepared()
    }
    fn present(&mut self) -> Drawn {
        self.inner.present()
    }
    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Drawn {
        self.inner.draw_pixel(point, color)
    }
    fn draw_line<S: BackendStyle>(&mut self, from: BackendCoord, to: BackendCoord, s: &S) -> Drawn {
        self.inner.draw_line(from, to, s)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Drawn {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Drawn {
        self.inner.draw_path(path, style)
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Drawn {
        self.inner.draw_circle(center, radius, style, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Drawn {
        self.inner.fill_polygon(vert, style)
    }
    fn blit_bitmap(&mut self, pos: BackendCoord, size: (u32, u32), src: &[u8]) -> Drawn {
        self.inner.blit_bitmap(pos, size, src)
    }

    fn draw_text<T: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &T,
        pos: BackendCoord,
    ) -> Drawn {
        let color = style.color();
        if color.alpha == 0.0 || text.is_empty() {
            return Ok(());
        }
        let Some(font) = &self.font else {
            return Err(DrawingErrorKind::FontError(Box::new(NoFont)));
        };
        let r = rasterize(font, style.size() as f32, text);
        let (bw, bh) = (r.box_size.0 as i32, r.box_size.1 as i32);
        let anchor = style.anchor();
        let dx = match anchor.h_pos {
            HPos::Left => 0,
            HPos::Center => -bw / 2,
            HPos::Right => -bw,
        };
        let dy = match anchor.v_pos {
            VPos::Top => 0,
            VPos::Center => -bh / 2,
            VPos::Bottom => -bh,
        };
        let turn = style.transform();
        for row in 0..r.size.1 {
            for col in 0..r.size.0 {
                let a = r.coverage[row * r.size.0 + col];
                if a <= 0.0 {
                    continue;
                }
                let x = r.origin.0 + col as i32 + dx;
                let y = r.origin.1 + row as i32 + dy;
                let (x, y) = turn.transform(x, y);
                let ink = BackendColor {
                    alpha: color.alpha * f64::from(a),
                    rgb: color.rgb,
                };
                self.inner.draw_pixel((pos.0 + x, pos.1 + y), ink)?;
            }
        }
        Ok(())
    }

    fn estimate_text_size<T: BackendTextStyle>(
        &self,
        text: &str,
        style: &T,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        match &self.font {
            Some(font) => Ok(measure(font, style.size() as f32, text)),
            None => Err(DrawingErrorKind::FontError(Box::new(NoFont))),
        }
    }
}
