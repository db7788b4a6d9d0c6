//! `.npy` arrays of the dtypes Keras' dataset files hold: `uint8`, integers,
//! floats, and object arrays of lists of ints (a restricted pickle).

use super::npy::{self, Header};
use super::pickle::{self, ArrayData, Value};
use crate::error::{Error, Result};
use crate::shape::array_shape;
use ndarray::{Array, ArrayD, Dimension};

/// `a` with the fixed rank of `D`, or an error naming `what` (the file
/// and array) and the `expected` shape beside the shape it has.
pub(crate) fn with_rank<T, D: Dimension>(
    a: ArrayD<T>,
    what: &str,
    expected: &str,
) -> Result<Array<T, D>> {
    let got = array_shape(a.shape());
    a.into_dimensionality::<D>()
        .map_err(|_| Error::io(format!("{what} should have shape {expected}, got {got}")))
}

/// One array of a `.npy` file, by the kind of its elements.
#[derive(Clone, Debug, PartialEq)]
pub enum NpyArray {
    /// `uint8` (`|u1`): images.
    U8(ArrayD<u8>),
    /// Any integer dtype up to 64 bits (`<i8`, `<i4`, `|i1`, `<u2`, ...), widened.
    I64(ArrayD<i64>),
    /// `float64` or `float32` (`<f8`, `<f4`), widened.
    F64(ArrayD<f64>),
    /// A one-dimensional object array whose items are lists of ints, as
    /// the word-id sequences of `imdb.npz` and `reuters.npz`.
    Lists(Vec<Vec<i64>>),
}

impl NpyArray {
    /// The dtype in NumPy's words, for error messages.
    ///
    /// ```
    /// use kerust::datasets::npy_array::NpyArray;
    /// assert_eq!(NpyArray::Lists(vec![]).dtype(), "object");
    /// ```
    pub fn dtype(&self) -> &'static str {
        match self {
            NpyArray::U8(_) => "uint8",
            NpyArray::I64(_) => "int64",
            NpyArray::F64(_) => "float64",
            NpyArray::Lists(_) => "object",
        }
    }

    /// The shape, as NumPy gives it.
    ///
    /// ```
    /// use kerust::datasets::npy_array::NpyArray;
    /// assert_eq!(NpyArray::Lists(vec![vec![1], vec![2, 3]]).shape(), vec![2]);
    /// ```
    pub fn shape(&self) -> Vec<usize> {
        match self {
            NpyArray::U8(a) => a.shape().to_vec(),
            NpyArray::I64(a) => a.shape().to_vec(),
            NpyArray::F64(a) => a.shape().to_vec(),
            NpyArray::Lists(l) => vec![l.len()],
        }
    }
}

/// Parses the bytes of a `.npy` file of any dtype Keras' dataset files
/// hold. Object arrays are read with a restricted pickle reader that knows
/// only NumPy's arrays and lists of ints and refuses anything else (it
/// never runs code, unlike `np.load(allow_pickle=True)`).
///
/// ```
/// use kerust::datasets::npy_array::{parse, NpyArray};
/// let header = "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }";
/// let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
/// bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
/// bytes.extend_from_slice(header.as_bytes());
/// bytes.extend_from_slice(&7i64.to_le_bytes());
/// bytes.extend_from_slice(&(-1i64).to_le_bytes());
/// let NpyArray::I64(a) = parse(&bytes, "y.npy")? else { unreachable!() };
/// assert_eq!(a.as_slice(), Some(&[7i64, -1][..]));
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn parse(bytes: &[u8], name: &str) -> Result<NpyArray> {
    let (header, end) = npy::split(bytes, name)?;
    let data = &bytes[end..];
    let descr = header.descr.as_str();
    if descr.trim_start_matches(['|', '<', '>', '=']) == "O" {
        return objects(&header, data, name);
    }
    let (order, kind, size) = split_descr(descr).ok_or_else(|| unsupported(descr, name))?;
    let count = count(&header, name)?;
    let want = count.checked_mul(size);
    if want != Some(data.len()) {
        let n = want.map_or("too many".to_string(), |n| n.to_string());
        return Err(Error::io(format!(
            "{name}: the .npy header declares shape {} of '{descr}', that is {n} bytes of data, \
             but {} bytes follow the header",
            array_shape(&header.shape),
            data.len()
        )));
    }
    let word = |c: &[u8]| word(c, order == '>');
    match (kind, size) {
        ('u', 1) => Ok(NpyArray::U8(npy::shaped(&header, data.to_vec(), name)?)),
        ('i', 1 | 2 | 4 | 8) => {
            let shift = 64 - 8 * size as u32;
            let v = data
                .chunks_exact(size)
                .map(|c| ((word(c) << shift) as i64) >> shift)
                .collect();
            Ok(NpyArray::I64(npy::shaped(&header, v, name)?))
        }
        ('u', 2 | 4 | 8) => {
            let v: Vec<i64> = data.chunks_exact(size).map(|c| word(c) as i64).collect();
            if let Some(i) = v.iter().position(|&x| x < 0) {
                return Err(Error::io(format!(
                    "{name}: item {i} is larger than the largest int64; kerust reads uint64 \
                     values up to 2^63 - 1"
                )));
            }
            Ok(NpyArray::I64(npy::shaped(&header, v, name)?))
        }
        ('f', 8) => {
            let v = data
                .chunks_exact(8)
                .map(|c| f64::from_bits(word(c)))
                .collect();
            Ok(NpyArray::F64(npy::shaped(&header, v, name)?))
        }
        ('f', 4) => {
            let v = data
                .chunks_exact(4)
                .map(|c| f64::from(f32::from_bits(word(c) as u32)))
                .collect();
            Ok(NpyArray::F64(npy::shaped(&header, v, name)?))
        }
        _ => Err(unsupported(descr, name)),
    }
}

/// `('<', 'f', 8)` from `'<f8'`.
fn split_descr(descr: &str) -> Option<(char, char, usize)> {
    let mut chars = descr.chars();
    let first = chars.next()?;
    let (order, kind) = if matches!(first, '|' | '<' | '>' | '=') {
        (first, chars.next()?)
    } else {
        ('=', first)
    };
    let size = chars.as_str().parse().ok()?;
    Some((order, kind, size))
}

fn unsupported(descr: &str, name: &str) -> Error {
    Error::io(format!(
        "{name}: the array has dtype '{descr}'; kerust reads uint8, integer, float32/64 and \
         object arrays of lists of ints"
    ))
}

fn count(header: &Header, name: &str) -> Result<usize> {
    header
        .shape
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .ok_or_else(|| {
            Error::io(format!(
                "{name}: the .npy header declares shape {}, too large to be real data",
                array_shape(&header.shape)
            ))
        })
}

/// An object array: a pickled NumPy array whose items are lists of ints.
fn objects(header: &Header, data: &[u8], name: &str) -> Result<NpyArray> {
    let array = match pickle::load(data, name)? {
        Value::Array(a) => a,
        other => {
            return Err(Error::io(format!(
                "{name}: the object array's pickle holds {}, expected a NumPy array",
                other.kind()
            )))
        }
    };
    if array.shape.len() != 1 || header.shape.len() != 1 || array.shape != header.shape {
        return Err(Error::io(format!(
            "{name}: an object array of shape {} (header {}); kerust reads one-dimensional \
             object arrays of lists of ints",
            array_shape(&array.shape),
            array_shape(&header.shape)
        )));
    }
    let ArrayData::Objects(items) = array.data else {
        return Err(Error::io(format!(
            "{name}: the header says dtype object but the pickle holds raw '{}' data",
            array.dtype.name
        )));
    };
    if items.len() != array.shape[0] {
        return Err(Error::io(format!(
            "{name}: the object array declares {} items but holds {}",
            array.shape[0],
            items.len()
        )));
    }
    let mut lists = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        match item {
            Value::Ints(v) => lists.push(v),
            Value::Items(v) if v.is_empty() => lists.push(Vec::new()),
            Value::Array(a) => lists.push(int_array(a).ok_or_else(|| {
                Error::io(format!(
                    "{name}: item {i} of the object array is an array that is not a \
                     one-dimensional integer array"
                ))
            })?),
            other => {
                return Err(Error::io(format!(
                    "{name}: item {i} of the object array is {}; expected a list of ints",
                    match &other {
                        Value::Items(_) => "a list holding other things than ints",
                        o => o.kind(),
                    }
                )))
            }
        }
    }
    Ok(NpyArray::Lists(lists))
}

/// A one-dimensional integer array nested in an object array, as ids.
/// The unsigned integer in the bytes `c`, big-endian when `big`.
fn word(c: &[u8], big: bool) -> u64 {
    let f = |acc: u64, &b: &u8| (acc << 8) | u64::from(b);
    if big {
        c.iter().fold(0, f)
    } else {
        c.iter().rev().fold(0, f)
    }
}

fn int_array(a: pickle::Array) -> Option<Vec<i64>> {
    let (_, kind, size) = split_descr(&a.dtype.name)?;
    let ArrayData::Raw(raw) = a.data else {
        return None;
    };
    if a.shape.len() != 1 || raw.len() != a.shape[0].checked_mul(size)? {
        return None;
    }
    let word = |c: &[u8]| word(c, a.dtype.order == '>');
    let shift = 64 - 8 * size as u32;
    match (kind, size) {
        ('i', 1 | 2 | 4 | 8) => Some(
            raw.chunks_exact(size)
                .map(|c| ((word(c) << shift) as i64) >> shift)
                .collect(),
        ),
        ('u', 1 | 2 | 4) => Some(raw.chunks_exact(size).map(|c| word(c) as i64).collect()),
        _ => None,
    }
}
