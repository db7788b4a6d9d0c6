//! The values the restricted pickle reader ([`super::pickle`]) builds, and
//! its two interpreted calls: NumPy's `_reconstruct`/`dtype` (REDUCE) and
//! setting an array's or dtype's state (BUILD). Nothing here runs code.

use crate::error::{Error, Result};

/// A value read from a pickle.
#[derive(Clone, Debug)]
pub(crate) enum Value {
    None,
    Bool(bool),
    Int(i64),
    /// Python 2 `str` and Python 3 `bytes`.
    Bytes(Vec<u8>),
    Str(String),
    Tuple(Vec<Value>),
    /// A list of ints is kept compact; any other item turns it into `Items`.
    Ints(Vec<i64>),
    Items(Vec<Value>),
    Dict(Vec<(Value, Value)>),
    Global(Global),
    DType(DType),
    /// `_reconstruct(ndarray, (0,), b'b')` before its state is set.
    ArrayStub,
    Array(Array),
    /// A list or dict in the memo: reading it back is refused (shared
    /// references do not occur in the files kerust reads).
    Shared(&'static str),
}

/// The globals a pickle may name.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Global {
    Reconstruct,
    NdArray,
    DTypeClass,
}

/// A NumPy dtype: its kind and size (`u1`, `i8`, `f8`, `O8`) and byte order.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct DType {
    pub name: String,
    pub order: char,
}

/// A NumPy array: shape, dtype, and raw bytes in C order or objects.
#[derive(Clone, Debug)]
pub(crate) struct Array {
    pub shape: Vec<usize>,
    pub dtype: DType,
    pub fortran: bool,
    pub data: ArrayData,
}

#[derive(Clone, Debug)]
pub(crate) enum ArrayData {
    Raw(Vec<u8>),
    Objects(Vec<Value>),
}

impl Value {
    /// The items of a list (ints become `Value::Int`).
    pub(crate) fn into_items(self) -> Option<Vec<Value>> {
        match self {
            Value::Items(v) => Some(v),
            Value::Ints(v) => Some(v.into_iter().map(Value::Int).collect()),
            _ => None,
        }
    }

    /// A short description for error messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Value::None => "None",
            Value::Bool(_) => "a bool",
            Value::Int(_) => "an int",
            Value::Bytes(_) => "bytes",
            Value::Str(_) => "a str",
            Value::Tuple(_) => "a tuple",
            Value::Ints(_) | Value::Items(_) => "a list",
            Value::Dict(_) => "a dict",
            Value::Global(_) => "a class",
            Value::DType(_) => "a dtype",
            Value::ArrayStub => "an unfinished array",
            Value::Array(_) => "an array",
            Value::Shared(k) => k,
        }
    }
}

/// Scalars, short strings and small tuples of them: cheap to copy from the memo.
pub(crate) fn small(v: &Value, depth: usize) -> bool {
    match v {
        Value::Bytes(b) => b.len() <= 1024,
        Value::Str(s) => s.len() <= 1024,
        Value::Tuple(items) => {
            depth < 4 && items.len() <= 16 && items.iter().all(|i| small(i, depth + 1))
        }
        Value::Ints(_) | Value::Items(_) | Value::Dict(_) | Value::Array(_) | Value::ArrayStub => {
            false
        }
        _ => true,
    }
}

pub(crate) fn append_to(
    target: &mut Value,
    items: Vec<Value>,
    pos: usize,
    name: &str,
) -> Result<()> {
    if !matches!(target, Value::Ints(_) | Value::Items(_)) {
        return Err(Error::io(format!(
            "{name}: unreadable pickle at byte {pos}: APPEND to {}, expected a list",
            target.kind()
        )));
    }
    for item in items {
        match (&mut *target, item) {
            (Value::Ints(v), Value::Int(i)) => v.push(i),
            (Value::Items(v), item) => v.push(item),
            // A list of ints so far, and an item that is not one.
            (Value::Ints(v), item) => {
                let mut all: Vec<Value> = std::mem::take(v).into_iter().map(Value::Int).collect();
                all.push(item);
                *target = Value::Items(all);
            }
            (other, _) => return Err(Error::internal(format!("APPEND to {}", other.kind()))),
        }
    }
    Ok(())
}

pub(crate) fn set_items(
    target: &mut Value,
    items: Vec<Value>,
    pos: usize,
    name: &str,
) -> Result<()> {
    let Value::Dict(d) = target else {
        return Err(Error::io(format!(
            "{name}: unreadable pickle at byte {pos}: SETITEM on {}, expected a dict",
            target.kind()
        )));
    };
    if !items.len().is_multiple_of(2) {
        return Err(Error::io(format!(
            "{name}: unreadable pickle at byte {pos}: a key without a value"
        )));
    }
    let mut it = items.into_iter();
    while let (Some(k), Some(v)) = (it.next(), it.next()) {
        d.push((k, v));
    }
    Ok(())
}

pub(crate) fn text(v: &Value) -> Option<String> {
    match v {
        Value::Str(s) => Some(s.clone()),
        Value::Bytes(b) => Some(String::from_utf8_lossy(b).into_owned()),
        _ => None,
    }
}

/// Calls one of the allowed globals, without running any code.
pub(crate) fn reduce(f: Value, args: Value) -> std::result::Result<Value, String> {
    let Value::Tuple(args) = args else {
        return Err(format!("REDUCE with {} as arguments", args.kind()));
    };
    match (f, args.as_slice()) {
        (
            Value::Global(Global::Reconstruct),
            [Value::Global(Global::NdArray), Value::Tuple(_), _],
        ) => Ok(Value::ArrayStub),
        (Value::Global(Global::DTypeClass), [name, ..]) => {
            let name = text(name).ok_or("numpy.dtype called without a name")?;
            Ok(Value::DType(DType { name, order: '|' }))
        }
        (Value::Global(g), _) => Err(format!("{g:?} called with unexpected arguments")),
        (other, _) => Err(format!(
            "REDUCE on {}, expected a NumPy class",
            other.kind()
        )),
    }
}

/// Sets the state of a dtype or an array.
pub(crate) fn build(obj: Value, state: Value) -> std::result::Result<Value, String> {
    let Value::Tuple(state) = state else {
        return Err(format!("BUILD with {} as state", state.kind()));
    };
    match obj {
        Value::DType(mut d) => {
            let order = state
                .get(1)
                .and_then(text)
                .ok_or("a dtype state without byte order")?;
            d.order = order.chars().next().unwrap_or('|');
            Ok(Value::DType(d))
        }
        Value::ArrayStub => {
            let mut it = state.into_iter();
            let (_version, shape, dtype, fortran, data) =
                match (it.next(), it.next(), it.next(), it.next(), it.next()) {
                    (Some(a), Some(b), Some(c), Some(d), Some(e)) => (a, b, c, d, e),
                    _ => return Err("an array state of fewer than 5 items".into()),
                };
            let Value::Tuple(dims) = shape else {
                return Err("an array shape that is not a tuple".into());
            };
            let shape = dims
                .iter()
                .map(|d| match d {
                    Value::Int(n) if *n >= 0 => Ok(*n as usize),
                    _ => Err("an array dimension that is not a count".to_string()),
                })
                .collect::<std::result::Result<Vec<_>, _>>()?;
            let Value::DType(dtype) = dtype else {
                return Err(format!("an array whose dtype is {}", dtype.kind()));
            };
            let fortran = matches!(fortran, Value::Bool(true) | Value::Int(1));
            let data = match data {
                Value::Bytes(b) => ArrayData::Raw(b),
                Value::Str(s) => ArrayData::Raw(s.chars().map(|c| c as u32 as u8).collect()),
                Value::Ints(v) => ArrayData::Objects(v.into_iter().map(Value::Int).collect()),
                Value::Items(v) => ArrayData::Objects(v),
                other => return Err(format!("array data given as {}", other.kind())),
            };
            Ok(Value::Array(Array {
                shape,
                dtype,
                fortran,
                data,
            }))
        }
        other => Err(format!(
            "BUILD on {}, expected an array or dtype",
            other.kind()
        )),
    }
}
