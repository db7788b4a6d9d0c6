//! Max pooling when the windows tile the input (no padding, no overlap,
//! as Keras' default 2x2 pooling): the same maxima and winners as the
//! general loops, with no window clipping and no copies per window, and a
//! backward pass that writes every input gradient once instead of adding
//! onto zeros.

use super::pool::PoolGeom;

/// `if m { a } else { b }` on bits, branch-free so that it vectorizes.
#[inline(always)]
fn select(m: bool, a: u32, b: u32) -> u32 {
    let m = 0u32.wrapping_sub(u32::from(m));
    (a & m) | (b & !m)
}

impl PoolGeom {
    /// Whether the windows tile the input: no padding, strides at least
    /// the window, every window inside the input, at least two positions.
    pub(super) fn tiled(&self) -> bool {
        self.ph == 0
            && self.pw == 0
            && self.sh >= self.kh
            && self.sw >= self.kw
            && self.kh * self.kw >= 2
            && self.oh.saturating_sub(1) * self.sh + self.kh <= self.h
            && self.ow.saturating_sub(1) * self.sw + self.kw <= self.w
    }
    /// The maxima of the images `x` into `out` and their winners into `arg`
    /// (empty when not wanted), for [`PoolGeom::tiled`] windows: each
    /// window's positions in row-major order, the first maximum winning.
    pub(super) fn max_tiled(&self, x: &[f32], out: &mut [f32], arg: &mut [u32]) {
        let c = self.c;
        let img = self.h * self.w * c;
        // Spatial offsets of the window's positions from its first.
        let offsets: Vec<usize> = (0..self.kh)
            .flat_map(|i| (0..self.kw).map(move |j| i * self.w + j))
            .collect();
        let (d1, rest) = (offsets[1], &offsets[2..]);
        for (b, xi) in x.chunks_exact(img).enumerate() {
            for oy in 0..self.oh {
                for ox in 0..self.ow {
                    let at = ((b * self.oh + oy) * self.ow + ox) * c;
                    let o = &mut out[at..at + c];
                    let p0 = oy * self.sh * self.w + ox * self.sw;
                    let (s0, s1) = (&xi[p0 * c..][..c], &xi[(p0 + d1) * c..][..c]);
                    let (q0, q1) = (p0 as u32, (p0 + d1) as u32);
                    if let Some(a) = arg.get_mut(at..at + c) {
                        for (((oi, ai), &v0), &v1) in o.iter_mut().zip(a.iter_mut()).zip(s0).zip(s1)
                        {
                            let m = v1 > v0;
                            *oi = f32::from_bits(select(m, v1.to_bits(), v0.to_bits()));
                            *ai = select(m, q1, q0);
                        }
                        for &d in rest {
                            let (src, q) = (&xi[(p0 + d) * c..][..c], (p0 + d) as u32);
                            for ((oi, ai), &v) in o.iter_mut().zip(a.iter_mut()).zip(src) {
                                let m = v > *oi;
                                *oi = f32::from_bits(select(m, v.to_bits(), oi.to_bits()));
                                *ai = select(m, q, *ai);
                            }
                        }
                    } else {
                        for ((oi, &v0), &v1) in o.iter_mut().zip(s0).zip(s1) {
                            *oi = f32::from_bits(select(v1 > v0, v1.to_bits(), v0.to_bits()));
                        }
                        for &d in rest {
                            for (oi, &v) in o.iter_mut().zip(&xi[(p0 + d) * c..][..c]) {
                                *oi = f32::from_bits(select(v > *oi, v.to_bits(), oi.to_bits()));
                            }
                        }
                    }
                }
            }
        }
    }
    /// dL/d input of the images of `grad` (dL/d output) and their winners
    /// `arg`, for [`PoolGeom::tiled`] windows: every value of `dx` is
    /// written, its window's gradient where it won (added onto 0, as the
    /// general loops do) and 0 elsewhere.
    pub(super) fn unmax_tiled(&self, grad: &[f32], arg: &[u32], dx: &mut [f32]) {
        let c = self.c;
        let (img, per) = (self.h * self.w * c, self.oh * self.ow * c);
        for ((gi, ai), dxi) in grad
            .chunks_exact(per)
            .zip(arg.chunks_exact(per))
            .zip(dx.chunks_exact_mut(img))
        {
            for (iy, row) in dxi.chunks_exact_mut(self.w * c).enumerate() {
                let (oy, i) = (iy / self.sh, iy % self.sh);
                if oy >= self.oh || i >= self.kh {
                    row.fill(0.0);
                    continue;
                }
                // Output column `ox` and column `j` in its window.
                let (mut ox, mut j) = (0, 0);
                for (ix, d) in row.chunks_exact_mut(c).enumerate() {
                    if ox < self.ow && j < self.kw {
                        let at = (oy * self.ow + ox) * c;
                        let pos = (iy * self.w + ix) as u32;
                        for ((dv, &g), &a) in d.iter_mut().zip(&gi[at..at + c]).zip(&ai[at..at + c])
                        {
                            let m = 0u32.wrapping_sub(u32::from(a == pos));
                            *dv = f32::from_bits((0.0 + g).to_bits() & m);
                        }
                    } else {
                        d.fill(0.0);
                    }
                    j += 1;
                    if j == self.sw {
                        (ox, j) = (ox + 1, 0);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::PoolGeom;

    /// The tiled loops give the general loops' maxima, winners (ties and
    /// NaN included) and gradients, with windows that leave rows and
    /// columns out and strides larger than the window, over a stale `dx`.
    #[test]
    fn tiled_loops_equal_the_general_loops() {
        let cases = [
            ([13, 11, 8], (2, 2), (2, 2)),
            ([9, 10, 3], (2, 3), (3, 4)),
            ([4, 6, 1], (1, 2), (1, 2)),
        ];
        for (shape, pool, strides) in cases {
            let g = PoolGeom::new(&shape, pool, strides, false).unwrap();
            assert!(g.tiled(), "{g:?}");
            let n = 3;
            let mut x: Vec<f32> = (0..n * shape.iter().product::<usize>())
                .map(|i| ((i * 37) % 7) as f32 - 3.0)
                .collect();
            x[5] = f32::NAN;
            x[17] = f32::NAN;
            let per = g.oh * g.ow * g.c;
            let (mut o1, mut a1) = (vec![0.0; n * per], vec![0; n * per]);
            let (mut o2, mut a2) = (vec![1.0; n * per], vec![1; n * per]);
            g.max_images(&x, &mut o1, &mut a1);
            g.max_tiled(&x, &mut o2, &mut a2);
            let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
            assert_eq!((bits(&o1), &a1), (bits(&o2), &a2), "{g:?}");
            let mut o3 = vec![1.0; n * per];
            g.max_tiled(&x, &mut o3, &mut []);
            assert_eq!(bits(&o3), bits(&o1));
            let d: Vec<f32> = (0..n * per).map(|i| (i % 5) as f32 - 2.0).collect();
            let mut dx1 = vec![0.0; x.len()];
            g.unmax_images(&d, &a1, &mut dx1);
            let mut dx2 = vec![f32::NAN; x.len()];
            g.unmax_tiled(&d, &a1, &mut dx2);
            assert_eq!(bits(&dx1), bits(&dx2), "{g:?}");
        }
        // Overlapping, padded or single-position windows do not tile.
        for (pool, strides, same) in [
            ((2, 2), (1, 1), false),
            ((3, 3), (3, 3), true),
            ((1, 1), (1, 1), false),
        ] {
            assert!(!PoolGeom::new(&[5, 5, 2], pool, strides, same)
                .unwrap()
                .tiled());
        }
    }
}
