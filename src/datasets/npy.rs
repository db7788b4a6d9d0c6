//! NumPy's `.npy` format (one array), as found inside Keras' `mnist.npz`.
//!
//! A `.npy` file is the magic string `\x93NUMPY`, a version (1, 2 or 3), the
//! length of a header, the header (a Python dict literal with `descr`,
//! `fortran_order` and `shape`), then the raw data. kerust reads arrays of
//! unsigned bytes (`descr` `'|u1'`), which is what MNIST is.

use crate::error::{Error, Result};
use crate::shape::array_shape;
use ndarray::{ArrayD, IxDyn, ShapeBuilder};

const MAGIC: &[u8] = b"\x93NUMPY";

/// Parses the bytes of a `.npy` file holding an array of `uint8` into an
/// array of its shape (C or Fortran order). `name` says where the bytes came
/// from in error messages.
///
/// The header's shape is checked against the data before anything is
/// allocated: truncated data, extra bytes, a wrong magic string, an unknown
/// version, another dtype or a malformed header are errors.
///
/// ```
/// use kerust::datasets::npy;
/// let header = "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }";
/// let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
/// bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
/// bytes.extend_from_slice(header.as_bytes());
/// bytes.extend_from_slice(&[1, 2, 3, 4, 5, 6]);
/// let a = npy::parse(&bytes, "a.npy")?;
/// assert_eq!(a.shape(), &[2, 3]);
/// assert_eq!(a[[1, 0]], 4);
/// assert!(npy::parse(&bytes[..bytes.len() - 1], "a.npy").is_err()); // truncated
/// # Ok::<(), kerust::Error>(())
/// ```
pub fn parse(bytes: &[u8], name: &str) -> Result<ArrayD<u8>> {
    let (header, end) = split(bytes, name)?;
    if !matches!(header.descr.as_str(), "|u1" | "<u1" | ">u1" | "=u1" | "u1") {
        return Err(Error::io(format!(
            "{name}: the array has dtype '{}'; kerust reads uint8 arrays ('|u1') here",
            header.descr
        )));
    }
    let data = &bytes[end..];
    super::check_data_len(name, ".npy", &header.shape, data.len(), "the header")?;
    shaped(&header, data.to_vec(), name)
}

/// An array of `header`'s shape and order from its elements in file order.
pub(crate) fn shaped<T: Clone>(header: &Header, data: Vec<T>, name: &str) -> Result<ArrayD<T>> {
    let shape = array_shape(&header.shape);
    let dims = IxDyn(&header.shape);
    let made = if header.fortran_order {
        ArrayD::from_shape_vec(dims.f(), data).map(|a| a.as_standard_layout().into_owned())
    } else {
        ArrayD::from_shape_vec(dims, data)
    };
    made.map_err(|e| Error::io(format!("{name}: cannot shape the data as {shape}: {e}")))
}

/// Parses the magic string, version and header of a `.npy` file; returns
/// the header and where the data starts.
pub(crate) fn split(bytes: &[u8], name: &str) -> Result<(Header, usize)> {
    if bytes.len() < MAGIC.len() + 2 || !bytes.starts_with(MAGIC) {
        let start = &bytes[..bytes.len().min(MAGIC.len())];
        return Err(Error::io(format!(
            "{name}: not a .npy file: expected the magic string \\x93NUMPY, got {}",
            super::idx::hex(start)
        )));
    }
    let (major, minor) = (bytes[6], bytes[7]);
    let (len_size, utf8) = match major {
        1 => (2, false),
        2 => (4, false),
        3 => (4, true),
        _ => {
            return Err(Error::io(format!(
            "{name}: .npy format version {major}.{minor}; kerust reads versions 1.0, 2.0 and 3.0"
        )))
        }
    };
    let start = 8 + len_size;
    if bytes.len() < start {
        return Err(Error::io(format!(
            "{name}: truncated .npy file: it ends inside the header length field"
        )));
    }
    let header_len = if len_size == 2 {
        usize::from(u16::from_le_bytes([bytes[8], bytes[9]]))
    } else {
        u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize
    };
    let end = start.checked_add(header_len).filter(|&e| e <= bytes.len());
    let Some(end) = end else {
        return Err(Error::io(format!(
            "{name}: truncated .npy file: the header claims {header_len} bytes, only {} follow",
            bytes.len() - start
        )));
    };
    let header_bytes = &bytes[start..end];
    let header = if utf8 {
        std::str::from_utf8(header_bytes)
            .map_err(|_| Error::io(format!("{name}: the .npy header is not valid UTF-8")))?
            .to_string()
    } else {
        // latin-1: every byte is a char
        header_bytes.iter().map(|&b| char::from(b)).collect()
    };
    let header = Header::parse(&header).map_err(|why| {
        Error::io(format!(
            "{name}: malformed .npy header ({why}): {}",
            header.trim_end()
        ))
    })?;
    Ok((header, end))
}

/// The three fields of a `.npy` header.
#[derive(Debug)]
pub(crate) struct Header {
    pub(crate) descr: String,
    pub(crate) fortran_order: bool,
    pub(crate) shape: Vec<usize>,
}

/// A Python literal in a `.npy` header.
#[derive(Debug)]
enum Lit {
    Str(String),
    Bool(bool),
    Int(usize),
    Tuple(Vec<Lit>),
}

impl Header {
    fn parse(text: &str) -> std::result::Result<Header, String> {
        let mut p = Parser {
            chars: text.chars().collect(),
            pos: 0,
        };
        p.skip_ws();
        p.expect('{')?;
        let (mut descr, mut fortran, mut shape) = (None, None, None);
        loop {
            p.skip_ws();
            if p.eat('}') {
                break;
            }
            let key = match p.literal(0)? {
                Lit::Str(s) => s,
                other => return Err(format!("expected a string key, got {other:?}")),
            };
            p.skip_ws();
            p.expect(':')?;
            p.skip_ws();
            let value = p.literal(0)?;
            match (key.as_str(), value) {
                ("descr", Lit::Str(s)) => descr = Some(s),
                ("fortran_order", Lit::Bool(b)) => fortran = Some(b),
                ("shape", Lit::Tuple(items)) => {
                    let mut dims = Vec::with_capacity(items.len().min(64));
                    for item in items {
                        match item {
                            Lit::Int(d) => dims.push(d),
                            other => {
                                return Err(format!("shape holds {other:?}, expected integers"))
                            }
                        }
                    }
                    shape = Some(dims);
                }
                (k @ ("descr" | "fortran_order" | "shape"), v) => {
                    return Err(format!("'{k}' has the unexpected value {v:?}"))
                }
                (k, _) => return Err(format!("unknown key '{k}'")),
            }
            p.skip_ws();
            if !p.eat(',') {
                p.skip_ws();
                p.expect('}')?;
                break;
            }
        }
        p.skip_ws();
        if p.pos != p.chars.len() {
            return Err("text after the closing brace".into());
        }
        Ok(Header {
            descr: descr.ok_or("no 'descr' key")?,
            fortran_order: fortran.ok_or("no 'fortran_order' key")?,
            shape: shape.ok_or("no 'shape' key")?,
        })
    }
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }
    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }
    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn expect(&mut self, c: char) -> std::result::Result<(), String> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(match self.peek() {
                Some(got) => format!("expected '{c}' at character {}, got '{got}'", self.pos),
                None => format!("expected '{c}', the header ended"),
            })
        }
    }
    fn literal(&mut self, depth: usize) -> std::result::Result<Lit, String> {
        if depth > 8 {
            return Err("nested too deeply".into());
        }
        match self.peek() {
            Some(q @ ('\'' | '"')) => {
                self.pos += 1;
                let mut s = String::new();
                loop {
                    match self.peek() {
                        None => return Err("unterminated string".into()),
                        Some(c) if c == q => {
                            self.pos += 1;
                            return Ok(Lit::Str(s));
                        }
                        Some('\\') => return Err("escapes in strings are not supported".into()),
                        Some(c) => {
                            s.push(c);
                            self.pos += 1;
                        }
                    }
                }
            }
            Some('(') => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_ws();
                    if self.eat(')') {
                        return Ok(Lit::Tuple(items));
                    }
                    items.push(self.literal(depth + 1)?);
                    self.skip_ws();
                    if !self.eat(',') {
                        self.skip_ws();
                        self.expect(')')?;
                        return Ok(Lit::Tuple(items));
                    }
                }
            }
            Some(c) if c.is_ascii_digit() => {
                let mut n: usize = 0;
                while let Some(d) = self.peek().and_then(|c| c.to_digit(10)) {
                    n = n
                        .checked_mul(10)
                        .and_then(|n| n.checked_add(d as usize))
                        .ok_or("a dimension too large to be real")?;
                    self.pos += 1;
                }
                // Python 2 era headers may write long integers as `60000L`.
                self.eat('L');
                Ok(Lit::Int(n))
            }
            Some(c) if c.is_alphabetic() => {
                let start = self.pos;
                while self.peek().is_some_and(char::is_alphanumeric) {
                    self.pos += 1;
                }
                let word: String = self.chars[start..self.pos].iter().collect();
                match word.as_str() {
                    "True" => Ok(Lit::Bool(true)),
                    "False" => Ok(Lit::Bool(false)),
                    _ => Err(format!("unexpected word '{word}'")),
                }
            }
            Some(c) => Err(format!("unexpected '{c}' at character {}", self.pos)),
            None => Err("the header ended early".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_forms() {
        let h = Header::parse(
            "{'descr': '|u1', 'fortran_order': False, 'shape': (60000, 28, 28), }      \n",
        )
        .unwrap();
        assert_eq!(h.shape, vec![60000, 28, 28]);
        assert!(!h.fortran_order);
        let h = Header::parse("{\"descr\":\"<u1\",\"fortran_order\":True,\"shape\":(5,)}").unwrap();
        assert_eq!(h.shape, vec![5]);
        assert!(h.fortran_order);
        let h = Header::parse("{'descr': '|u1', 'fortran_order': False, 'shape': ()}").unwrap();
        assert!(h.shape.is_empty());
        assert!(Header::parse("{'descr': '|u1', 'shape': (1,)}").is_err());
        assert!(Header::parse("{'descr': '|u1', 'fortran_order': Nope, 'shape': (1,)}").is_err());
        assert!(
            Header::parse("{'descr': '|u1', 'fortran_order': False, 'shape': (1,)} x").is_err()
        );
        assert!(Header::parse(
            "{'descr': '|u1', 'fortran_order': False, 'shape': (99999999999999999999999,)}"
        )
        .is_err());
    }
}
