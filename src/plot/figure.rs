//! `Figure`: a rendered picture that shows itself inline in evcxr and
//! saves as PNG or SVG.

use crate::error::{Error, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use std::path::Path;
use std::sync::{Arc, Once};

use super::text::{PngBackend, FONT};

/// The family name the embedded font is registered under.
pub(crate) const FAMILY: &str = "sans-serif";

static REGISTER: Once = Once::new();

/// Registers the embedded font with plotters, once per process (plotters
/// measures text with it for SVG; PNG text is drawn by [`PngBackend`]).
fn register_font() {
    REGISTER.call_once(|| {
        // The font is compiled in, so this cannot fail on a good build; if
        // it did, text drawing would report the missing font as an error.
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, FONT);
    });
}

/// A text style in the embedded font.
pub(crate) fn text(size: f64) -> TextStyle<'static> {
    (FAMILY, size).into_font().into()
}

/// Draws a chart's axes with their titles `(x, y)` and the look every
/// chart shares: the label and title sizes, no minor grid lines, major
/// ones in the grey `grid`.
pub(crate) fn draw_mesh<X, Y, XT, YT, DB>(
    mesh: &mut plotters::chart::MeshStyle<'_, '_, X, Y, DB>,
    (x, y): (&str, &str),
    grid: u8,
) -> DrawResult
where
    X: plotters::coord::ranged1d::Ranged<ValueType = XT>
        + plotters::coord::ranged1d::ValueFormatter<XT>,
    Y: plotters::coord::ranged1d::Ranged<ValueType = YT>
        + plotters::coord::ranged1d::ValueFormatter<YT>,
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    mesh.x_desc(x)
        .y_desc(y)
        .label_style(text(14.5))
        .axis_desc_style(text(15.0))
        .light_line_style(TRANSPARENT)
        .bold_line_style(RGBColor(grid, grid, grid))
        .draw()?;
    Ok(())
}

/// Where a figure is drawn: the pixel buffer or an SVG document.
pub(crate) enum Canvas<'a, 'b> {
    /// RGB pixels.
    Bitmap(&'a DrawingArea<PngBackend<'b>, Shift>),
    /// An SVG string.
    Svg(&'a DrawingArea<SVGBackend<'b>, Shift>),
}

/// What a drawing function returns.
pub(crate) type DrawResult = std::result::Result<(), Box<dyn std::error::Error>>;

type Painter = dyn Fn(Canvas<'_, '_>) -> DrawResult + Send + Sync;

/// A painter closure from a drawing function generic over the backend and
/// the data it draws: `painter!(draw, data)`.
macro_rules! painter {
    ($draw:path, $data:expr) => {{
        let data = $data;
        move |c: $crate::plot::figure::Canvas<'_, '_>| match c {
            $crate::plot::figure::Canvas::Bitmap(a) => $draw(a, &data),
            $crate::plot::figure::Canvas::Svg(a) => $draw(a, &data),
        }
    }};
}
pub(crate) use painter;

/// A rendered figure: RGB pixels, and the drawing itself to write SVG.
/// Every `plot::` function returns one (or a builder that makes one); as the
/// last expression of an evcxr cell it shows itself inline.
///
/// ```
/// use kerust::prelude::*;
/// let x = array![[0.0f32, 0.0], [1.0, 1.0], [0.0, 1.0]];
/// let y = array![0, 1, 1];
/// let fig = plot::scatter(&x, &y)?;
/// assert!(fig.width() > 100);
/// let png = fig.to_png();
/// assert_eq!(&png[1..4], b"PNG");
/// # Ok::<(), kerust::Error>(())
/// ```
#[derive(Clone)]
pub struct Figure {
    width: u32,
    height: u32,
    rgb: Vec<u8>,
    painter: Arc<Painter>,
}

impl std::fmt::Debug for Figure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Figure({}x{} px)", self.width, self.height)
    }
}

fn draw_error(what: &str, e: impl std::fmt::Display) -> Error {
    Error::value(format!("could not draw the {what}: {e}"))
}

impl Figure {
    /// Draws a figure of `width` x `height` pixels with `painter`.
    pub(crate) fn new<F>(width: u32, height: u32, painter: F) -> Result<Figure>
    where
        F: Fn(Canvas<'_, '_>) -> DrawResult + Send + Sync + 'static,
    {
        register_font();
        let (w, h) = (width.max(1), height.max(1));
        let mut rgb = vec![255u8; w as usize * h as usize * 3];
        {
            let root = PngBackend::new(&mut rgb, (w, h)).into_drawing_area();
            root.fill(&WHITE).map_err(|e| draw_error("figure", e))?;
            painter(Canvas::Bitmap(&root)).map_err(|e| draw_error("figure", e))?;
            root.present().map_err(|e| draw_error("figure", e))?;
        }
        Ok(Figure {
            width: w,
            height: h,
            rgb,
            painter: Arc::new(painter),
        })
    }

    /// Draws a figure whose input cannot be wrong; if drawing fails anyway
    /// (it does not on a good build: the font is compiled in), the error is
    /// printed and the figure is left white.
    pub(crate) fn new_or_blank<F>(width: u32, height: u32, painter: F) -> Figure
    where
        F: Fn(Canvas<'_, '_>) -> DrawResult + Send + Sync + 'static,
    {
        match Figure::new(width, height, painter) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("Error: {e}");
                let (w, h) = (width.max(1), height.max(1));
                Figure {
                    width: w,
                    height: h,
                    rgb: vec![255u8; w as usize * h as usize * 3],
                    painter: Arc::new(|_| Ok(())),
                }
            }
        }
    }

    /// Draws the figure again onto `canvas` (an area of its size).
    pub(crate) fn paint(&self, canvas: Canvas<'_, '_>) -> DrawResult {
        (self.painter)(canvas)
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }
    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }
    /// The pixels, row by row, three bytes (red, green, blue) each.
    pub fn rgb(&self) -> &[u8] {
        &self.rgb
    }
    /// The colour at column `x`, row `y` (white outside the picture).
    pub fn pixel(&self, x: u32, y: u32) -> [u8; 3] {
        if x >= self.width || y >= self.height {
            return [255, 255, 255];
        }
        let i = (y as usize * self.width as usize + x as usize) * 3;
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }

    /// The figure as PNG file bytes.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let fig = plot::imshow(Array2::<u8>::zeros((28, 28))).figure()?;
    /// assert_eq!(&fig.to_png()[..4], b"\x89PNG");
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn to_png(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match encode_png(&mut out, &self.rgb, self.width, self.height) {
            Ok(()) => out,
            // An in-memory encode of a buffer of the right size does not
            // fail; an empty result is the honest answer if it ever did.
            Err(_) => Vec::new(),
        }
    }

    /// The figure as an SVG document (text stays text, shapes stay shapes).
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let x = array![[0.0f32, 0.0], [1.0, 1.0]];
    /// let svg = plot::scatter(&x, &array![0, 1])?.to_svg()?;
    /// assert!(svg.starts_with("<svg"));
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn to_svg(&self) -> Result<String> {
        register_font();
        let mut s = String::new();
        {
            let root =
                SVGBackend::with_string(&mut s, (self.width, self.height)).into_drawing_area();
            root.fill(&WHITE).map_err(|e| draw_error("SVG", e))?;
            (self.painter)(Canvas::Svg(&root)).map_err(|e| draw_error("SVG", e))?;
            root.present().map_err(|e| draw_error("SVG", e))?;
        }
        Ok(s)
    }

    /// Saves the figure; the file name's extension picks the format:
    /// `.png` or `.svg`.
    ///
    /// ```
    /// use kerust::prelude::*;
    /// let x = array![[0.0f32, 0.0], [1.0, 1.0]];
    /// let fig = plot::scatter(&x, &array![0, 1])?;
    /// let path = std::env::temp_dir().join("kerust_doc_scatter.png");
    /// fig.save(&path)?;
    /// assert!(fig.save("scatter.jpg").is_err());
    /// # Ok::<(), kerust::Error>(())
    /// ```
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let bytes = match ext.as_deref() {
            Some("png") => self.to_png(),
            Some("svg") => self.to_svg()?.into_bytes(),
            _ => {
                return Err(Error::value(format!(
                    "cannot save a figure as '{}': the file name must end in .png or .svg",
                    path.display()
                )))
            }
        };
        std::fs::write(path, bytes).map_err(|e| {
            Error::io(format!(
                "could not write the figure to '{}': {e}",
                path.display()
            ))
        })
    }

    /// Shows the figure inline (evcxr calls this for a cell's last expression).
    pub fn evcxr_display(&self) {
        crate::display::emit_png(&self.to_png());
    }
}

/// Encodes 8-bit RGB pixels as PNG into `out` (fast compression, adaptive
/// filtering: the settings `image`'s PNG encoder used).
fn encode_png(
    out: &mut Vec<u8>,
    rgb: &[u8],
    width: u32,
    height: u32,
) -> std::result::Result<(), png::EncodingError> {
    let mut encoder = png::Encoder::new(out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    encoder.set_filter(png::Filter::Adaptive);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()
}

/// Save, PNG and inline display for a builder whose `figure()` can fail.
macro_rules! builder_output {
    ($t:ty) => {
        impl $t {
            /// Saves the picture as `.png` or `.svg` (by the file name's extension).
            pub fn save(&self, path: impl AsRef<std::path::Path>) -> $crate::Result<()> {
                self.figure()?.save(path)
            }
            /// The picture as PNG file bytes.
            pub fn to_png(&self) -> $crate::Result<Vec<u8>> {
                Ok(self.figure()?.to_png())
            }
            /// Shows the picture inline (evcxr calls this for a cell's last
            /// expression); a mistake in the input is printed instead.
            pub fn evcxr_display(&self) {
                match self.figure() {
                    Ok(f) => f.evcxr_display(),
                    Err(e) => eprintln!("Error: {e}"),
                }
            }
        }
        impl $crate::plot::ToFigure for $t {
            fn to_figure(&self) -> $crate::Result<$crate::plot::Figure> {
                self.figure()
            }
        }
    };
}
pub(crate) use builder_output;
