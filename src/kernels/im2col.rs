//! im2col and its adjoint col2im for 2-D convolutions over channels-last
//! images, in two layouts: rows `(images * oh * ow, kh * kw * c)`, and
//! transposed `(kh * kw * c, images * oh * ow)` for few channels, so that
//! the copies run along image rows instead of being a few scalars each.

use super::{add, Window2D};
use ndarray::ArrayView2;

/// Scalars of im2col columns plus outputs processed per matrix product
/// (128 KB, so that bias, activation and gradients are applied while the
/// chunk is in cache); batches are split into chunks of whole images.
const CHUNK_LIMIT: usize = 1 << 15;

/// The sizes of a convolution: its kernel's window over the input and the
/// number of filters `f` (output `(oh, ow, f)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Geom {
    pub win: Window2D,
    pub f: usize,
}

impl std::ops::Deref for Geom {
    type Target = Window2D;
    fn deref(&self) -> &Window2D {
        &self.win
    }
}

impl Window2D {
    /// This window as the kernel of a convolution with `f` filters.
    pub fn filters(self, f: usize) -> Geom {
        Geom { win: self, f }
    }
}

impl Geom {
    /// Length of one im2col row: `kh * kw * c`, the kernel's rows.
    pub fn k(&self) -> usize {
        self.kh * self.kw * self.c
    }
    /// A 1x1 kernel with stride 1: the columns are the input itself.
    pub fn is_pointwise(&self) -> bool {
        self.kh == 1 && self.kw == 1 && self.sh == 1 && self.sw == 1
    }
    /// Images per chunk of [`Geom::chunks`] (at least one).
    pub fn chunk_images(&self) -> usize {
        let per_image = (self.oh * self.ow * (self.k() + self.f)).max(1);
        (CHUNK_LIMIT / per_image).max(1)
    }
    /// Ranges of images `[n0, n1)` whose columns and outputs fit in
    /// [`CHUNK_LIMIT`] (at least one image).
    pub fn chunks(&self, n: usize) -> impl Iterator<Item = (usize, usize)> {
        let step = self.chunk_images();
        (0..n).step_by(step).map(move |n0| (n0, (n0 + step).min(n)))
    }
    /// Whether [`Geom::cols`] builds the columns transposed (few channels).
    pub fn transposed(&self) -> bool {
        !self.is_pointwise() && self.kw * self.c < 16
    }
    /// The im2col matrix `(images * oh * ow, kh * kw * c)` of images
    /// `[n0, n1)` of `x`, built in `scratch` (or `x` itself for a 1x1
    /// kernel); `None` when `x` holds fewer images.
    pub fn cols<'a>(
        &self,
        x: &'a [f32],
        n0: usize,
        n1: usize,
        scratch: &'a mut Vec<f32>,
    ) -> Option<ArrayView2<'a, f32>> {
        let img = self.h * self.w * self.c;
        let k = self.k();
        let rows = (n1 - n0) * self.oh * self.ow;
        let x = x.get(n0 * img..n1 * img)?;
        if self.is_pointwise() {
            return ArrayView2::from_shape((rows, k), x).ok();
        }
        scratch.resize(rows * k, 0.0);
        let cols = &mut scratch[..rows * k];
        if self.transposed() {
            self.gather_t(x, cols);
            return ArrayView2::from_shape((k, rows), &*cols)
                .ok()
                .map(|v| v.reversed_axes());
        }
        self.gather_rows(x, cols);
        ArrayView2::from_shape((rows, k), &*cols).ok()
    }
    /// Adds the gradients `dcols` of the columns of `images` images back
    /// onto their inputs `dx`, in the layout [`Geom::cols`] used.
    pub fn col2im_any(&self, dcols: &[f32], images: usize, dx: &mut [f32]) {
        if self.transposed() {
            self.col2im_t(dcols, images, dx);
        } else {
            self.col2im(dcols, images, dx);
        }
    }
    /// Fills `cols` with the rows layout, one row per output position.
    fn gather_rows(&self, x: &[f32], cols: &mut [f32]) {
        let img = self.h * self.w * self.c;
        let mut dst_rows = cols.chunks_exact_mut(self.k());
        for xi in x.chunks_exact(img) {
            for oy in 0..self.oh {
                for ox in 0..self.ow {
                    if let Some(row) = dst_rows.next() {
                        self.gather(xi, oy, ox, row);
                    }
                }
            }
        }
    }
    /// The outputs `ox` whose input column `ox * sw + j - pw` is inside the image.
    fn valid_ox(&self, j: usize) -> std::ops::Range<usize> {
        let lo = self.pw.saturating_sub(j).div_ceil(self.sw).min(self.ow);
        let hi = (self.w + self.pw)
            .saturating_sub(j)
            .div_ceil(self.sw)
            .clamp(lo, self.ow);
        lo..hi
    }
    /// Calls `f(segment, source, valid)` for each kernel position and
    /// channel `q`, image and output row: `segment` is where that image
    /// row starts in the transposed columns' row `q`, `valid` its outputs
    /// `ox` inside the image, `source` the input's first
    /// index for its valid outputs `ox` (then every `sw * c`), or `None`
    /// when the row falls in the padding.
    fn for_each_segment(
        &self,
        images: usize,
        mut f: impl FnMut(usize, Option<usize>, &std::ops::Range<usize>),
    ) {
        let rows = images * self.oh * self.ow;
        for i in 0..self.kh {
            for j in 0..self.kw {
                let valid = self.valid_ox(j);
                for ci in 0..self.c {
                    let q = (i * self.kw + j) * self.c + ci;
                    for b in 0..images {
                        for oy in 0..self.oh {
                            let seg = q * rows + (b * self.oh + oy) * self.ow;
                            let iy = (oy * self.sh + i) as isize - self.ph as isize;
                            let src = (iy >= 0 && (iy as usize) < self.h && !valid.is_empty())
                                .then(|| {
                                    let ix = valid.start * self.sw + j - self.pw;
                                    ((b * self.h + iy as usize) * self.w + ix) * self.c + ci
                                });
                            f(seg, src, &valid);
                        }
                    }
                }
            }
        }
    }
    /// Fills the transposed columns `(kh * kw * c, images * oh * ow)`.
    fn gather_t(&self, x: &[f32], cols: &mut [f32]) {
        let step = self.sw * self.c;
        let images = x.len() / (self.h * self.w * self.c).max(1);
        self.for_each_segment(images, |seg, src, valid| {
            let Some(dst) = cols.get_mut(seg..seg + self.ow) else {
                return;
            };
            let Some(src) = src else {
                dst.fill(0.0);
                return;
            };
            dst[..valid.start].fill(0.0);
            dst[valid.end..].fill(0.0);
            let d = &mut dst[valid.clone()];
            if step == 1 {
                d.copy_from_slice(&x[src..src + d.len()]);
            } else {
                for (v, s) in d.iter_mut().zip(x[src..].iter().step_by(step)) {
                    *v = *s;
                }
            }
        });
    }
    /// Adds transposed column gradients back onto the input (the
    /// transpose of [`Geom::gather_t`]).
    fn col2im_t(&self, dcols: &[f32], images: usize, dx: &mut [f32]) {
        let step = self.sw * self.c;
        self.for_each_segment(images, |seg, src, valid| {
            let (Some(src), Some(d)) = (src, dcols.get(seg + valid.start..seg + valid.end)) else {
                return;
            };
            if step == 1 {
                add(&mut dx[src..src + d.len()], d);
            } else {
                for (v, s) in dx[src..].iter_mut().step_by(step).zip(d) {
                    *v += *s;
                }
            }
        });
    }
    /// Copies the receptive field of output `(oy, ox)` of image `xi` into `row`.
    fn gather(&self, xi: &[f32], oy: usize, ox: usize, row: &mut [f32]) {
        let (c, span) = (self.c, self.kw * self.c);
        let x0 = (ox * self.sw) as isize - self.pw as isize;
        let inside = x0 >= 0 && x0 as usize + self.kw <= self.w;
        for (i, dst) in row.chunks_exact_mut(span).enumerate() {
            let iy = (oy * self.sh + i) as isize - self.ph as isize;
            if iy < 0 || iy as usize >= self.h {
                dst.fill(0.0);
                continue;
            }
            let line = iy as usize * self.w;
            if inside {
                let start = (line + x0 as usize) * c;
                dst.copy_from_slice(&xi[start..start + span]);
                continue;
            }
            for (j, d) in dst.chunks_exact_mut(c).enumerate() {
                let ix = x0 + j as isize;
                if ix < 0 || ix as usize >= self.w {
                    d.fill(0.0);
                } else {
                    let start = (line + ix as usize) * c;
                    d.copy_from_slice(&xi[start..start + c]);
                }
            }
        }
    }
    /// Adds the row-layout columns' gradients `dcols` of `images` images
    /// back onto their input positions in `dx` (the transpose of
    /// [`Geom::gather_rows`]).
    fn col2im(&self, dcols: &[f32], images: usize, dx: &mut [f32]) {
        let img = self.h * self.w * self.c;
        let per = self.oh * self.ow * self.k();
        let (c, span) = (self.c, self.kw * self.c);
        for (dxi, di) in dx
            .chunks_exact_mut(img)
            .zip(dcols.chunks_exact(per))
            .take(images)
        {
            let mut rows = di.chunks_exact(self.k());
            for oy in 0..self.oh {
                for ox in 0..self.ow {
                    let Some(row) = rows.next() else {
                        return;
                    };
                    let x0 = (ox * self.sw) as isize - self.pw as isize;
                    let inside = x0 >= 0 && x0 as usize + self.kw <= self.w;
                    for (i, src) in row.chunks_exact(span).enumerate() {
                        let iy = (oy * self.sh + i) as isize - self.ph as isize;
                        if iy < 0 || iy as usize >= self.h {
                            continue;
                        }
                        let line = iy as usize * self.w;
                        if inside {
                            let start = (line + x0 as usize) * c;
                            add(&mut dxi[start..start + span], src);
                            continue;
                        }
                        for (j, s) in src.chunks_exact(c).enumerate() {
                            let ix = x0 + j as isize;
                            if ix >= 0 && (ix as usize) < self.w {
                                let start = (line + ix as usize) * c;
                                add(&mut dxi[start..start + c], s);
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Geom, Window2D};
    use rand::{Rng as _, SeedableRng};

    fn dot(a: &[f32], b: &[f32]) -> f64 {
        a.iter()
            .zip(b)
            .map(|(&p, &q)| f64::from(p) * f64::from(q))
            .sum()
    }

    /// <im2col(x), d> = <x, col2im(d)> for both layouts, over random
    /// sizes, strides and paddings: col2im is im2col's adjoint.
    #[test]
    fn col2im_is_the_adjoint_of_im2col() {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(13);
        let mut checked = 0;
        while checked < 300 {
            let (h, w, c) = (
                rng.random_range(1..8),
                rng.random_range(1..8),
                rng.random_range(1..5),
            );
            let kernel = (rng.random_range(1..5), rng.random_range(1..5));
            let strides = (rng.random_range(1..4), rng.random_range(1..4));
            let same = rng.random_bool(0.5);
            let Some(g) =
                Window2D::new(&[h, w, c], kernel, strides, same).map(|win| win.filters(1))
            else {
                continue;
            };
            let images = rng.random_range(1..3);
            let x: Vec<f32> = (0..images * h * w * c)
                .map(|_| rng.random_range(-1.0..1.0))
                .collect();
            let (rows, k) = (images * g.oh * g.ow, g.k());
            let d: Vec<f32> = (0..rows * k).map(|_| rng.random_range(-1.0..1.0)).collect();
            // Rows layout, then transposed (d read as (k, rows)).
            type Gather = fn(&Geom, &[f32], &mut [f32]);
            type Scatter = fn(&Geom, &[f32], usize, &mut [f32]);
            let layouts: [(&str, Gather, Scatter); 2] = [
                ("rows", Geom::gather_rows, Geom::col2im),
                ("transposed", Geom::gather_t, Geom::col2im_t),
            ];
            for (layout, gather, scatter) in layouts {
                let mut cols = vec![f32::NAN; rows * k];
                gather(&g, &x, &mut cols);
                let mut dx = vec![0.0; x.len()];
                scatter(&g, &d, images, &mut dx);
                let (lhs, rhs) = (dot(&cols, &d), dot(&x, &dx));
                assert!(
                    (lhs - rhs).abs() < 1e-4 * (1.0 + lhs.abs()),
                    "{g:?} {layout}: {lhs} vs {rhs}"
                );
            }
            checked += 1;
        }
    }

    /// Both layouts hold the same columns, and a valid 1x1 kernel's
    /// columns are the input itself.
    #[test]
    fn layouts_agree() {
        let g = Window2D::new(&[5, 4, 2], (3, 2), (2, 1), true)
            .map(|win| win.filters(3))
            .unwrap();
        let x: Vec<f32> = (0..2 * 5 * 4 * 2).map(|v| v as f32).collect();
        let (rows, k) = (2 * g.oh * g.ow, g.k());
        let mut a = vec![0.0; rows * k];
        g.gather_rows(&x, &mut a);
        let mut t = vec![0.0; rows * k];
        g.gather_t(&x, &mut t);
        for r in 0..rows {
            for q in 0..k {
                assert_eq!(a[r * k + q], t[q * rows + r]);
            }
        }
        let p = Window2D::new(&[3, 3, 2], (1, 1), (1, 1), false)
            .map(|win| win.filters(4))
            .unwrap();
        let x: Vec<f32> = (0..18).map(|v| v as f32).collect();
        let mut scratch = Vec::new();
        let cols = p.cols(&x, 0, 1, &mut scratch).unwrap();
        assert_eq!(cols.as_slice().unwrap(), &x[..]);
    }
}
