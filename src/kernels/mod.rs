//! Numeric kernels the layers are made of, apart from the layers: im2col
//! and col2im for convolutions, pooling windows, and the threaded matrix
//! product. Each works on plain slices and has unit tests of its own; a
//! layer owns its weights and caches and calls these.

pub(crate) mod conv;
pub(crate) mod direct;
pub(crate) mod gemm;
pub(crate) mod im2col;
pub(crate) mod limit;
pub(crate) mod pool;
mod pool_tiled;

/// `dst += src`, element by element.
pub(crate) fn add(dst: &mut [f32], src: &[f32]) {
    for (d, &s) in dst.iter_mut().zip(src) {
        *d += s;
    }
}

/// The sizes of a window sliding over channels-last images (a convolution's
/// kernel or a pooling window): input `(h, w, c)`, window `(kh, kw)`,
/// strides, padding before each axis `(ph, pw)`, output `(oh, ow)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Window2D {
    pub h: usize,
    pub w: usize,
    pub c: usize,
    pub kh: usize,
    pub kw: usize,
    pub sh: usize,
    pub sw: usize,
    pub ph: usize,
    pub pw: usize,
    pub oh: usize,
    pub ow: usize,
}

impl Window2D {
    /// The geometry of `window` with `strides` over inputs `[h, w, c]`;
    /// `None` when the window does not fit or a size is 0.
    pub fn new(
        input: &[usize],
        window: (usize, usize),
        strides: (usize, usize),
        same: bool,
    ) -> Option<Window2D> {
        let &[h, w, c] = input else {
            return None;
        };
        let ((kh, kw), (sh, sw)) = (window, strides);
        let (oh, ph) = conv_out(h, kh, sh, same)?;
        let (ow, pw) = conv_out(w, kw, sw, same)?;
        Some(Window2D {
            h,
            w,
            c,
            kh,
            kw,
            sh,
            sw,
            ph,
            pw,
            oh,
            ow,
        })
    }
}

/// Output length and padding before, for one spatial axis of a
/// convolution or pooling window (TensorFlow's rules: 'same' puts
/// `total / 2` before and the rest after). `None` when the window does not
/// fit a 'valid' input or a size is 0.
pub(crate) fn conv_out(len: usize, k: usize, s: usize, same: bool) -> Option<(usize, usize)> {
    if len == 0 || s == 0 {
        None
    } else if same {
        let out = len.div_ceil(s);
        // Checked: kernel sizes come from the user and may be absurd.
        let total = (out - 1)
            .checked_mul(s)?
            .checked_add(k)?
            .saturating_sub(len);
        Some((out, total / 2))
    } else if len >= k {
        Some(((len - k) / s + 1, 0))
    } else {
        None
    }
}

/// Whether layer `layer`'s padding argument is 'same' (true) or 'valid'
/// (false); anything else is an error.
pub(crate) fn is_same_padding(layer: &str, padding: &str) -> crate::Result<bool> {
    match padding {
        "same" => Ok(true),
        "valid" => Ok(false),
        other => Err(crate::Error::value(format!(
            "layer {layer}: padding must be 'valid' or 'same', got '{other}'"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::conv_out;
    #[test]
    fn output_sizes_follow_tensorflow() {
        assert_eq!(conv_out(28, 3, 1, false), Some((26, 0)));
        assert_eq!(conv_out(28, 3, 2, true), Some((14, 0)));
        assert_eq!(conv_out(5, 3, 1, true), Some((5, 1)));
        assert_eq!(conv_out(2, 3, 1, false), None);
        assert_eq!(conv_out(4, usize::MAX, 2, true), None);
    }
}
