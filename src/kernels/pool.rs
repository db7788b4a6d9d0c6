//! Max pooling over channels-last images: the maximum of each window and
//! the position that won, and the adjoint that routes gradients back to it.

use crate::parallel::{for_each_units, Team, Units, MIN_SPLIT_LEN};
use std::ops::Range;

/// The sizes of a pooling layer: the window `(kh, kw)` is the pool size.
pub(crate) type PoolGeom = super::Window2D;

impl PoolGeom {
    /// The rows and columns of output `(oy, ox)`'s window that lie inside
    /// the input (padding never wins).
    fn window(&self, oy: usize, ox: usize) -> (Range<usize>, Range<usize>) {
        let clip = |o: usize, s: usize, pad: usize, k: usize, len: usize| {
            let start = (o * s).saturating_sub(pad);
            let end = (o * s + k).saturating_sub(pad).min(len);
            start..end.max(start)
        };
        (
            clip(oy, self.sh, self.ph, self.kh, self.h),
            clip(ox, self.sw, self.pw, self.kw, self.w),
        )
    }
    /// The maxima of `n` images `x` (`n * oh * ow * c` values) and, when
    /// `argmax`, for each the spatial index `iy * w + ix` that won (the
    /// first on ties); the caller checked that `h * w` fits in `u32`.
    /// Written whole into `out` and `arg`, whatever they held (buffers
    /// reused). Parts of the batch run on the team's threads.
    pub fn max_forward(
        &self,
        team: Team,
        x: &[f32],
        n: usize,
        argmax: bool,
        (mut out, mut arg): (Vec<f32>, Vec<u32>),
    ) -> (Vec<f32>, Vec<u32>) {
        let per = self.oh * self.ow * self.c;
        out.resize(n * per, 0.0);
        arg.resize(if argmax { out.len() } else { 0 }, 0);
        let img = self.h * self.w * self.c;
        let data = (
            Units(x, img),
            Units(&mut out[..], per),
            Units(&mut arg[..], per),
        );
        let tiled = self.tiled();
        let f = |_, (Units(x, _), Units(o, _), Units(a, _)): (Units<&[f32]>, _, _)| {
            if tiled {
                self.max_tiled(x, o, a)
            } else {
                self.max_images(x, o, a)
            }
        };
        for_each_units(team, n, self.min_images(), data, &f);
        (out, arg)
    }
    /// Images per part when a batch is split across threads.
    fn min_images(&self) -> usize {
        let img = (self.h * self.w).max(self.oh * self.ow) * self.c;
        MIN_SPLIT_LEN.div_ceil(img.max(1))
    }
    /// [`PoolGeom::max_forward`] of the images `x` into `out` and `arg`
    /// (empty when no winners are wanted).
    pub(super) fn max_images(&self, x: &[f32], out: &mut [f32], arg: &mut [u32]) {
        let c = self.c;
        let n = x.len() / (self.h * self.w * c).max(1);
        let mut out_rows = out.chunks_exact_mut(c.max(1));
        let mut arg_rows = arg.chunks_exact_mut(c.max(1));
        for b in 0..n {
            for oy in 0..self.oh {
                for ox in 0..self.ow {
                    let Some(o) = out_rows.next() else {
                        break;
                    };
                    let mut a = arg_rows.next();
                    let (win_y, win_x) = self.window(oy, ox);
                    let mut first = true;
                    for iy in win_y {
                        for ix in win_x.clone() {
                            let start = ((b * self.h + iy) * self.w + ix) * c;
                            let src = &x[start..start + c];
                            let pos = (iy * self.w + ix) as u32;
                            match a.as_deref_mut() {
                                Some(a) if first => a.fill(pos),
                                Some(a) => {
                                    // Branch-free selects, so that it vectorizes.
                                    for ((oi, ai), &v) in o.iter_mut().zip(a.iter_mut()).zip(src) {
                                        let m = 0u32.wrapping_sub(u32::from(v > *oi));
                                        *oi =
                                            f32::from_bits((oi.to_bits() & !m) | (v.to_bits() & m));
                                        *ai = (*ai & !m) | (pos & m);
                                    }
                                }
                                None if !first => {
                                    for (oi, &v) in o.iter_mut().zip(src) {
                                        let m = 0u32.wrapping_sub(u32::from(v > *oi));
                                        *oi =
                                            f32::from_bits((oi.to_bits() & !m) | (v.to_bits() & m));
                                    }
                                }
                                None => {}
                            }
                            if first {
                                o.copy_from_slice(src);
                                first = false;
                            }
                        }
                    }
                }
            }
        }
    }
    /// dL/d input of `n` images from dL/d output `grad` and the winners
    /// `arg` of [`PoolGeom::max_forward`]: each gradient goes to its winner.
    /// The result is written in `dx`, whatever it holds (a buffer reused).
    pub fn max_backward(
        &self,
        team: Team,
        grad: &[f32],
        arg: &[u32],
        n: usize,
        mut dx: Vec<f32>,
    ) -> Vec<f32> {
        let img = self.h * self.w * self.c;
        let per = self.oh * self.ow * self.c;
        let tiled = self.tiled();
        if !tiled || grad.len() != n * per || arg.len() != grad.len() {
            // Gradients are added onto zeros.
            dx.clear();
        }
        dx.resize(n * img, 0.0);
        if grad.len() != n * per || arg.len() != grad.len() {
            return dx;
        }
        let data = (Units(grad, per), Units(arg, per), Units(&mut dx[..], img));
        let f = |_, (Units(g, _), Units(a, _), Units(dx, _)): (Units<&[f32]>, _, _)| {
            if tiled {
                self.unmax_tiled(g, a, dx)
            } else {
                self.unmax_images(g, a, dx)
            }
        };
        for_each_units(team, n, self.min_images(), data, &f);
        dx
    }
    /// Adds each gradient of `grad` onto its winner in `dx`, image by image.
    pub(super) fn unmax_images(&self, grad: &[f32], arg: &[u32], dx: &mut [f32]) {
        let c = self.c.max(1);
        let img = self.h * self.w * self.c;
        let per = (self.oh * self.ow * self.c).max(1);
        for ((gi, ai), dxi) in grad
            .chunks(per)
            .zip(arg.chunks(per))
            .zip(dx.chunks_mut(img.max(1)))
        {
            for (grow, arow) in gi.chunks_exact(c).zip(ai.chunks_exact(c)) {
                for (ch, (&gv, &p)) in grow.iter().zip(arow).enumerate() {
                    if let Some(d) = dxi.get_mut(p as usize * self.c + ch) {
                        *d += gv;
                    }
                }
            }
        }
    }
}

impl PoolGeom {
    /// Calls `f(starts, count)` for each output position of `n` images, in
    /// row-major order (image, row, column): `starts` yields the offset in
    /// the input of each pixel of the window (padding excluded), `count` is
    /// how many there are.
    fn each_window(&self, n: usize, mut f: impl FnMut(&mut dyn Iterator<Item = usize>, f32)) {
        for b in 0..n {
            for oy in 0..self.oh {
                for ox in 0..self.ow {
                    let (win_y, win_x) = self.window(oy, ox);
                    let count = (win_y.len() * win_x.len()).max(1) as f32;
                    let mut starts = win_y.flat_map(|iy| {
                        win_x
                            .clone()
                            .map(move |ix| ((b * self.h + iy) * self.w + ix) * self.c)
                    });
                    f(&mut starts, count);
                }
            }
        }
    }
    /// The averages of `n` images `x` over each window's positions inside
    /// the input (TensorFlow's average pooling: padding is not counted).
    pub fn avg_forward(&self, x: &[f32], n: usize) -> Vec<f32> {
        let c = self.c;
        let mut out = vec![0.0f32; n * self.oh * self.ow * c];
        let mut rows = out.chunks_exact_mut(c.max(1));
        self.each_window(n, |starts, count| {
            let Some(o) = rows.next() else {
                return;
            };
            for start in starts {
                super::add(o, &x[start..start + c]);
            }
            for v in o.iter_mut() {
                *v /= count;
            }
        });
        out
    }
    /// dL/d input of `n` images from dL/d output of [`PoolGeom::avg_forward`]:
    /// each gradient shared equally by its window's positions.
    pub fn avg_backward(&self, grad: &[f32], n: usize) -> Vec<f32> {
        let c = self.c;
        let mut dx = vec![0.0f32; n * self.h * self.w * c];
        let mut rows = grad.chunks_exact(c.max(1));
        self.each_window(n, |starts, count| {
            let Some(g) = rows.next() else {
                return;
            };
            for start in starts {
                for (d, &gv) in dx[start..start + c].iter_mut().zip(g) {
                    *d += gv / count;
                }
            }
        });
        dx
    }
}

/// The mean (or, with `max`, the maximum) over the middle axis of `x`
/// seen as `(n, steps, c)`: global pooling. Returns `n * c` values and,
/// for the maximum, the step that won for each (the first on ties).
pub(crate) fn global_forward(
    x: &[f32],
    n: usize,
    steps: usize,
    c: usize,
    max: bool,
) -> (Vec<f32>, Vec<usize>) {
    let mut out = vec![0.0f32; n * c];
    let mut arg = vec![0usize; if max { n * c } else { 0 }];
    for b in 0..n {
        let o = &mut out[b * c..(b + 1) * c];
        for s in 0..steps {
            let row = &x[(b * steps + s) * c..(b * steps + s + 1) * c];
            if !max {
                super::add(o, row);
            } else if s == 0 {
                o.copy_from_slice(row);
            } else {
                for (j, (oi, &v)) in o.iter_mut().zip(row).enumerate() {
                    if v > *oi {
                        *oi = v;
                        arg[b * c + j] = s;
                    }
                }
            }
        }
        if !max {
            let count = steps.max(1) as f32;
            for v in o.iter_mut() {
                *v /= count;
            }
        }
    }
    (out, arg)
}

/// The adjoint of [`global_forward`]: dL/d input `(n, steps, c)` from dL/d
/// output `(n, c)`, shared equally (mean) or given to the winner (`arg`).
pub(crate) fn global_backward(
    grad: &[f32],
    n: usize,
    steps: usize,
    c: usize,
    arg: Option<&[usize]>,
) -> Vec<f32> {
    let mut dx = vec![0.0f32; n * steps * c];
    let count = steps.max(1) as f32;
    for b in 0..n {
        for j in 0..c {
            let g = grad[b * c + j];
            match arg {
                Some(a) => dx[(b * steps + a[b * c + j]) * c + j] = g,
                None => {
                    for s in 0..steps {
                        dx[(b * steps + s) * c + j] = g / count;
                    }
                }
            }
        }
    }
    dx
}

#[cfg(test)]
mod tests {
    use super::PoolGeom;
    use crate::parallel::{run, Team};

    /// Split across threads, max pooling gives the same maxima, winners
    /// and gradients as on one thread (with and without winners kept).
    #[test]
    fn parts_on_threads_equal_one_thread() {
        let g = PoolGeom::new(&[13, 11, 8], (2, 2), (2, 2), false).unwrap();
        let n = 64;
        let x: Vec<f32> = (0..n * 13 * 11 * 8)
            .map(|i| ((i * 37) % 101) as f32)
            .collect();
        let (out, arg) = g.max_forward(Team::one(), &x, n, true, Default::default());
        let d: Vec<f32> = (0..out.len()).map(|i| (i % 7) as f32 - 3.0).collect();
        let dx = g.max_backward(Team::one(), &d, &arg, n, Vec::new());
        run(1e9, |team| {
            assert_eq!(
                g.max_forward(team, &x, n, true, (vec![3.0; 7], vec![1; 9])),
                (out.clone(), arg.clone())
            );
            assert_eq!(
                g.max_forward(team, &x, n, false, (vec![3.0; out.len()], vec![1; 9])),
                (out.clone(), vec![])
            );
            assert_eq!(
                g.max_backward(team, &d, &arg, n, vec![9.0; dx.len() + 3]),
                dx
            );
        });
    }

    #[test]
    fn maxima_and_winners() {
        // One 3x3 image, 1 channel, 2x2 windows, stride 1.
        let g = PoolGeom::new(&[3, 3, 1], (2, 2), (1, 1), false).unwrap();
        let x = [1.0, 5.0, 2.0, 4.0, 3.0, 9.0, 0.0, 8.0, 7.0];
        let (out, arg) = g.max_forward(Team::one(), &x, 1, true, Default::default());
        assert_eq!(out, [5.0, 9.0, 8.0, 9.0]);
        assert_eq!(arg, [1, 5, 7, 5]);
        let dx = g.max_backward(Team::one(), &[1.0, 2.0, 3.0, 4.0], &arg, 1, Vec::new());
        assert_eq!(dx, [0.0, 1.0, 0.0, 0.0, 0.0, 6.0, 0.0, 3.0, 0.0]);
    }

    /// <pool_backward(d), x> sums d over each window's maximum: the
    /// adjoint of selecting the winners, with 'same' padding too.
    #[test]
    fn backward_is_the_adjoint_of_selection() {
        let g = PoolGeom::new(&[5, 4, 2], (2, 3), (2, 2), true).unwrap();
        let x: Vec<f32> = (0..2 * 5 * 4 * 2).map(|i| ((i * 37) % 23) as f32).collect();
        let (out, arg) = g.max_forward(Team::one(), &x, 2, true, Default::default());
        let d: Vec<f32> = (0..out.len()).map(|i| (i % 5) as f32 - 2.0).collect();
        let dx = g.max_backward(Team::one(), &d, &arg, 2, vec![f32::NAN; 3]);
        let lhs: f32 = out.iter().zip(&d).map(|(a, b)| a * b).sum();
        let rhs: f32 = x.iter().zip(&dx).map(|(a, b)| a * b).sum();
        assert_eq!(lhs, rhs);
    }

    /// <avg_backward(d), x> = <d, avg_forward(x)>, 'same' borders included.
    #[test]
    fn average_backward_is_the_adjoint() {
        let g = PoolGeom::new(&[5, 4, 2], (2, 3), (2, 2), true).unwrap();
        let x: Vec<f32> = (0..2 * 5 * 4 * 2).map(|i| ((i * 37) % 23) as f32).collect();
        let out = g.avg_forward(&x, 2);
        let d: Vec<f32> = (0..out.len()).map(|i| (i % 5) as f32 - 2.0).collect();
        let dx = g.avg_backward(&d, 2);
        let lhs: f64 = out.iter().zip(&d).map(|(a, b)| f64::from(a * b)).sum();
        let rhs: f64 = x.iter().zip(&dx).map(|(a, b)| f64::from(a * b)).sum();
        assert!((lhs - rhs).abs() < 1e-3 * lhs.abs().max(1.0), "{lhs} {rhs}");
    }

    #[test]
    fn global_mean_and_max() {
        // n = 1, 3 steps, 2 channels.
        let x = [1.0, 6.0, 5.0, 2.0, 3.0, 4.0];
        let (mean, _) = super::global_forward(&x, 1, 3, 2, false);
        assert_eq!(mean, [3.0, 4.0]);
        let (max, arg) = super::global_forward(&x, 1, 3, 2, true);
        assert_eq!((max, arg.clone()), (vec![5.0, 6.0], vec![1, 0]));
        let dx = super::global_backward(&[1.0, 2.0], 1, 3, 2, Some(&arg));
        assert_eq!(dx, [0.0, 2.0, 1.0, 0.0, 0.0, 0.0]);
    }
}
