//! A restricted reader for the Python pickles inside Keras' dataset files:
//! NumPy object arrays of lists of ints (`imdb.npz`, `reuters.npz`) and the
//! dicts of bytes, lists and `uint8` arrays of CIFAR-10's batches.
//!
//! This is not an unpickler: nothing is ever called. The reader knows the
//! opcodes Python 2's cPickle and Python 3's pickle (protocols 2 to 5) use
//! for those values, and the three globals Keras' own `RestrictedUnpickler`
//! allows (`numpy.ndarray`, `numpy.dtype`, `numpy[._]core.multiarray.
//! _reconstruct`), which it interprets itself. Any other opcode or global is
//! refused with an error naming it.

use super::pickle_value::Global;
use super::pickle_value::{append_to, build, reduce, set_items, small};
pub(crate) use super::pickle_value::{Array, ArrayData, Value};
use crate::error::{Error, Result};

/// Most values a pickle may hold; deeper or larger is refused.
const MAX_STACK: usize = 1 << 16;

/// Reads the pickle at the start of `bytes`; `name` says where it came from.
/// `append_to` or `set_items`: adds items to a list or dict, with the
/// position and file name for errors.
type Fill = fn(&mut Value, Vec<Value>, usize, &str) -> Result<()>;

pub(crate) fn load(bytes: &[u8], name: &str) -> Result<Value> {
    let mut m = Machine {
        bytes,
        pos: 0,
        stack: Vec::new(),
        marks: Vec::new(),
        memo: std::collections::HashMap::new(),
        name,
    };
    m.run()
}

struct Machine<'a> {
    bytes: &'a [u8],
    pos: usize,
    stack: Vec<Value>,
    marks: Vec<usize>,
    memo: std::collections::HashMap<u32, Value>,
    name: &'a str,
}

impl<'a> Machine<'a> {
    fn err(&self, what: impl std::fmt::Display) -> Error {
        Error::io(format!(
            "{}: unreadable pickle at byte {}: {what}; kerust reads only the NumPy arrays, \
             lists of ints and dicts Keras' dataset files hold",
            self.name, self.pos
        ))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let bytes: &'a [u8] = self.bytes;
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len());
        let Some(end) = end else {
            return Err(self.err(format!("truncated: {n} more bytes expected")));
        };
        let s = &bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn uint(&mut self, n: usize) -> Result<u64> {
        let b = self.take(n)?;
        Ok(b.iter()
            .rev()
            .fold(0u64, |acc, &x| (acc << 8) | u64::from(x)))
    }

    /// A number on a line of its own (the text protocol's memo keys).
    fn line_number<T: std::str::FromStr>(&mut self, what: &str) -> Result<T> {
        let line = self.line()?;
        line.trim().parse().map_err(|_| self.err(what))
    }
    fn line(&mut self) -> Result<String> {
        let rest = &self.bytes[self.pos..];
        let Some(n) = rest.iter().position(|&b| b == b'\n') else {
            return Err(self.err("a line without its end"));
        };
        let s = String::from_utf8_lossy(&rest[..n]).into_owned();
        self.pos += n + 1;
        Ok(s)
    }

    /// Pops the items above the mark into the new list or dict `empty`
    /// with `fill`, and pushes it.
    fn push_filled(&mut self, mut empty: Value, fill: Fill) -> Result<()> {
        let items = self.pop_mark()?;
        fill(&mut empty, items, self.pos, self.name)?;
        self.push(empty)
    }
    fn push(&mut self, v: Value) -> Result<()> {
        if self.stack.len() >= MAX_STACK {
            return Err(self.err("more nested values than a dataset file holds"));
        }
        self.stack.push(v);
        Ok(())
    }

    fn pop(&mut self) -> Result<Value> {
        let floor = self.marks.last().copied().unwrap_or(0);
        if self.stack.len() <= floor {
            return Err(self.err("a value is missing on the stack"));
        }
        self.stack.pop().ok_or_else(|| self.err("empty stack"))
    }

    fn pop_mark(&mut self) -> Result<Vec<Value>> {
        let Some(mark) = self.marks.pop() else {
            return Err(self.err("no MARK before a collection"));
        };
        Ok(self.stack.split_off(mark))
    }

    fn top(&mut self) -> Result<&mut Value> {
        let floor = self.marks.last().copied().unwrap_or(0);
        if self.stack.len() <= floor {
            return Err(self.err("a value is missing on the stack"));
        }
        let pos = self.pos;
        self.stack
            .last_mut()
            .ok_or_else(|| Error::io(format!("empty pickle stack at byte {pos}")))
    }

    fn memo_put(&mut self, key: u32) -> Result<()> {
        let v = match self.top()? {
            Value::Ints(_) | Value::Items(_) => Value::Shared("a shared list"),
            Value::Dict(_) => Value::Shared("a shared dict"),
            Value::Array(_) | Value::ArrayStub => Value::Shared("a shared array"),
            v if small(v, 0) => v.clone(),
            _ => Value::Shared("a shared large value"),
        };
        self.memo.insert(key, v);
        Ok(())
    }

    fn memo_get(&mut self, key: u64) -> Result<()> {
        let v = u32::try_from(key)
            .ok()
            .and_then(|k| self.memo.get(&k))
            .cloned();
        match v {
            Some(Value::Shared(kind)) => Err(self.err(format!(
                "a reference to {kind} (memo {key}); the files kerust reads share none"
            ))),
            Some(v) => self.push(v),
            None => Err(self.err(format!("memo entry {key} is not defined"))),
        }
    }

    fn run(&mut self) -> Result<Value> {
        loop {
            let at = self.pos;
            let op = self.take(1)?[0];
            match op {
                0x80 => {
                    let proto = self.uint(1)?;
                    if !(2..=5).contains(&proto) {
                        return Err(self.err(format!("pickle protocol {proto}; expected 2 to 5")));
                    }
                }
                0x95 => {
                    self.uint(8)?; // FRAME: only a length
                }
                b'.' => {
                    let v = self.pop()?;
                    if !self.stack.is_empty() || !self.marks.is_empty() {
                        return Err(self.err("values left on the stack at STOP"));
                    }
                    return Ok(v);
                }
                b'(' => self.marks.push(self.stack.len()),
                b'N' => self.push(Value::None)?,
                0x88 => self.push(Value::Bool(true))?,
                0x89 => self.push(Value::Bool(false))?,
                b'K' => {
                    let v = self.uint(1)? as i64;
                    self.push(Value::Int(v))?
                }
                b'M' => {
                    let v = self.uint(2)? as i64;
                    self.push(Value::Int(v))?
                }
                b'J' => {
                    let v = self.uint(4)? as u32 as i32;
                    self.push(Value::Int(i64::from(v)))?
                }
                0x8a => {
                    let n = self.uint(1)? as usize;
                    if n > 8 {
                        return Err(self.err(format!("an integer of {n} bytes; at most 8 fit")));
                    }
                    let raw = self.uint(n)?;
                    let v = if n == 0 {
                        0
                    } else {
                        let shift = 64 - 8 * n as u32;
                        ((raw << shift) as i64) >> shift
                    };
                    self.push(Value::Int(v))?
                }
                b'U' | b'C' => {
                    let n = self.uint(1)? as usize;
                    let b = self.take(n)?.to_vec();
                    self.push(Value::Bytes(b))?
                }
                b'T' | b'B' | 0x8e => {
                    let n = if op == 0x8e {
                        self.uint(8)?
                    } else {
                        self.uint(4)?
                    };
                    let b = self.take(n as usize)?.to_vec();
                    self.push(Value::Bytes(b))?
                }
                b'X' | 0x8c | 0x8d => {
                    let n = match op {
                        0x8c => self.uint(1)?,
                        b'X' => self.uint(4)?,
                        _ => self.uint(8)?,
                    };
                    let b = self.take(n as usize)?;
                    let s = std::str::from_utf8(b)
                        .map_err(|_| self.err("a string that is not UTF-8"))?
                        .to_string();
                    self.push(Value::Str(s))?
                }
                b')' => self.push(Value::Tuple(Vec::new()))?,
                b't' => {
                    let items = self.pop_mark()?;
                    self.push(Value::Tuple(items))?
                }
                0x85..=0x87 => {
                    let n = usize::from(op - 0x84);
                    let mut items = Vec::with_capacity(n);
                    for _ in 0..n {
                        items.push(self.pop()?);
                    }
                    items.reverse();
                    self.push(Value::Tuple(items))?
                }
                b']' => self.push(Value::Ints(Vec::new()))?,
                b'l' => self.push_filled(Value::Ints(Vec::new()), append_to)?,
                b'a' => {
                    let v = self.pop()?;
                    let pos = self.pos;
                    let name = self.name;
                    append_to(self.top()?, vec![v], pos, name)?
                }
                b'e' => {
                    let items = self.pop_mark()?;
                    let pos = self.pos;
                    let name = self.name;
                    append_to(self.top()?, items, pos, name)?
                }
                b'}' => self.push(Value::Dict(Vec::new()))?,
                b'd' => self.push_filled(Value::Dict(Vec::new()), set_items)?,
                b's' => {
                    let v = self.pop()?;
                    let k = self.pop()?;
                    let pos = self.pos;
                    let name = self.name;
                    set_items(self.top()?, vec![k, v], pos, name)?
                }
                b'u' => {
                    let items = self.pop_mark()?;
                    let pos = self.pos;
                    let name = self.name;
                    set_items(self.top()?, items, pos, name)?
                }
                b'q' => {
                    let k = self.uint(1)? as u32;
                    self.memo_put(k)?
                }
                b'r' => {
                    let k = self.uint(4)? as u32;
                    self.memo_put(k)?
                }
                0x94 => {
                    let k = self.memo.len() as u32;
                    self.memo_put(k)?
                }
                b'p' => {
                    let k = self.line_number("bad PUT")?;
                    self.memo_put(k)?
                }
                b'h' => {
                    let k = self.uint(1)?;
                    self.memo_get(k)?
                }
                b'j' => {
                    let k = self.uint(4)?;
                    self.memo_get(k)?
                }
                b'g' => {
                    let k = self.line_number("bad GET")?;
                    self.memo_get(k)?
                }
                b'c' => {
                    let module = self.line()?;
                    let name = self.line()?;
                    let g = self.global(&module, &name)?;
                    self.push(Value::Global(g))?
                }
                0x93 => {
                    let name = self.pop()?;
                    let module = self.pop()?;
                    let (Value::Str(module), Value::Str(name)) = (module, name) else {
                        return Err(self.err("STACK_GLOBAL without two strings"));
                    };
                    let g = self.global(&module, &name)?;
                    self.push(Value::Global(g))?
                }
                b'R' => {
                    let args = self.pop()?;
                    let f = self.pop()?;
                    let v = reduce(f, args).map_err(|why| self.err(why))?;
                    self.push(v)?
                }
                b'b' => {
                    let state = self.pop()?;
                    let obj = self.pop()?;
                    let v = build(obj, state).map_err(|why| self.err(why))?;
                    self.push(v)?
                }
                other => {
                    self.pos = at;
                    return Err(self.err(format!(
                        "opcode 0x{other:02x} ({}) is not in the subset kerust reads; \
                         refusing to go on",
                        opcode_name(other)
                    )));
                }
            }
        }
    }

    fn global(&self, module: &str, name: &str) -> Result<Global> {
        match (module, name) {
            ("numpy.core.multiarray" | "numpy._core.multiarray", "_reconstruct") => {
                Ok(Global::Reconstruct)
            }
            ("numpy", "ndarray") => Ok(Global::NdArray),
            ("numpy", "dtype") => Ok(Global::DTypeClass),
            _ => Err(Error::io(format!(
                "{}: refusing to deserialize `{module}.{name}` (pickle byte {}): kerust reads \
                 only NumPy arrays from dataset files; the file may be corrupted or malicious",
                self.name, self.pos
            ))),
        }
    }
}

fn opcode_name(op: u8) -> &'static str {
    match op {
        b'i' => "INST: creates an arbitrary object",
        b'o' => "OBJ: creates an arbitrary object",
        0x81 => "NEWOBJ: creates an arbitrary object",
        0x92 => "NEWOBJ_EX: creates an arbitrary object",
        b'P' | b'Q' => "a persistent id",
        0x82..=0x84 => "an extension-registry reference",
        b'F' | b'G' => "a float",
        b'I' | b'L' => "a text integer",
        b'S' | b'V' => "a text string",
        0x8f..=0x91 => "a set",
        0x96..=0x98 => "an out-of-band buffer",
        _ => "unknown",
    }
}
