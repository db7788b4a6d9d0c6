//! Python's `str.format` for checkpoint file names (`"cp-{epoch:04d}-{val_loss:.2f}.kerust"`)
//! and Python's `repr` of a float, which Keras prints and writes in CSV files.

use super::Logs;
use crate::error::{Error, Result};

/// A value to format: Keras passes `epoch` (and `batch`) as Python ints and
/// the logs as Python floats.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Arg {
    Int(i64),
    Float(f64),
}

/// `template.format(epoch=epoch, **logs)` as Python does it, for the format
/// specifications numbers take (`[[fill]align][sign][0][width][.precision][type]`).
pub(crate) fn format_path(template: &str, ints: &[(&str, i64)], logs: &Logs) -> Result<String> {
    let fail = |reason: String| {
        Error::value(format!(
            "Failed to format this callback filepath: \"{template}\". Reason: {reason}"
        ))
    };
    let mut out = String::new();
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let brace = rest.as_bytes()[i];
        rest = &rest[i + 1..];
        if rest.as_bytes().first() == Some(&brace) {
            out.push(brace as char);
            rest = &rest[1..];
            continue;
        }
        if brace == b'}' {
            return Err(fail("single '}' encountered in format string".into()));
        }
        let end = rest
            .find('}')
            .ok_or_else(|| fail("expected '}' before end of string".into()))?;
        let field = &rest[..end];
        rest = &rest[end + 1..];
        let (name, spec) = field.split_once(':').unwrap_or((field, ""));
        if name.is_empty() || name.contains(['!', '.', '[', '{']) {
            return Err(fail(format!(
                "the field '{{{field}}}' is not supported: use a log name such as {{epoch:04d}} or {{val_loss:.2f}}"
            )));
        }
        let arg = match ints.iter().find(|(k, _)| *k == name) {
            Some(&(_, v)) => Arg::Int(v),
            None => match logs.get(name) {
                Some(v) => Arg::Float(f64::from(v)),
                None => {
                    let mut known: Vec<&str> = ints.iter().map(|(k, _)| *k).collect();
                    known.extend(logs.keys());
                    return Err(fail(format!(
                        "'{name}' is not in the logs (available: {})",
                        known.join(", ")
                    )));
                }
            },
        };
        out.push_str(&format_value(arg, spec).map_err(fail)?);
    }
    out.push_str(rest);
    Ok(out)
}

/// `format(value, spec)` as Python does it, for numbers.
pub(crate) fn format_value(arg: Arg, spec: &str) -> std::result::Result<String, String> {
    let chars: Vec<char> = spec.chars().collect();
    let mut i = 0;
    let (mut fill, mut align) = (' ', None);
    if chars.len() >= 2 && "<>=^".contains(chars[1]) {
        (fill, align) = (chars[0], Some(chars[1]));
        i = 2;
    } else if !chars.is_empty() && "<>=^".contains(chars[0]) {
        align = Some(chars[0]);
        i = 1;
    }
    let mut sign = '-';
    if i < chars.len() && "+- ".contains(chars[i]) {
        sign = chars[i];
        i += 1;
    }
    if i < chars.len() && chars[i] == '0' {
        if align.is_none() {
            (fill, align) = ('0', Some('='));
        }
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < chars.len() && chars[*i].is_ascii_digit() {
            *i += 1;
        }
        let s: String = chars[start..*i].iter().collect();
        s.parse::<usize>().ok()
    };
    let width = digits(&mut i).unwrap_or(0);
    let mut precision = None;
    if i < chars.len() && chars[i] == '.' {
        i += 1;
        precision = Some(digits(&mut i).ok_or("Format specifier missing precision")?);
    }
    let ty = chars.get(i).copied();
    if chars.len() > i + 1 || ty.is_some_and(|c| !"deEfFgG%".contains(c)) {
        return Err(format!(
            "the format specification '{spec}' is not supported \
             (supported: [[fill]align][sign][0][width][.precision][d|e|E|f|F|g|G|%])"
        ));
    }
    let (negative, body) = match arg {
        Arg::Int(v) if ty.is_none() || ty == Some('d') => {
            if precision.is_some() {
                return Err("Precision not allowed in integer format specifier".into());
            }
            (v < 0, v.unsigned_abs().to_string())
        }
        Arg::Float(_) if ty == Some('d') => {
            return Err("Unknown format code 'd' for object of type 'float'".into());
        }
        Arg::Int(v) => float_body(v as f64, ty, precision),
        Arg::Float(v) => float_body(v, ty, precision),
    };
    let sign = match (negative, sign) {
        (true, _) => "-",
        (false, '+') => "+",
        (false, ' ') => " ",
        _ => "",
    };
    let len = sign.chars().count() + body.chars().count();
    let pad = width.saturating_sub(len);
    let fillers = |n: usize| std::iter::repeat_n(fill, n).collect::<String>();
    Ok(match align.unwrap_or('>') {
        '<' => format!("{sign}{body}{}", fillers(pad)),
        '^' => format!("{}{sign}{body}{}", fillers(pad / 2), fillers(pad - pad / 2)),
        '=' => format!("{sign}{}{body}", fillers(pad)),
        _ => format!("{}{sign}{body}", fillers(pad)),
    })
}

/// The digits of `|v|` for a float presentation type; the sign comes apart.
fn float_body(v: f64, ty: Option<char>, precision: Option<usize>) -> (bool, String) {
    let negative = v.is_sign_negative() && !v.is_nan();
    let a = v.abs();
    let upper = matches!(ty, Some('E' | 'F' | 'G'));
    if !a.is_finite() {
        let s = if a.is_nan() { "nan" } else { "inf" };
        let s = if upper {
            s.to_uppercase()
        } else {
            s.to_string()
        };
        let s = if ty == Some('%') { s + "%" } else { s };
        return (negative, s);
    }
    let body = match ty {
        Some('f' | 'F') => format!("{a:.p$}", p = precision.unwrap_or(6)),
        Some('%') => format!("{:.p$}%", a * 100.0, p = precision.unwrap_or(6)),
        Some('e' | 'E') => sci(a, precision.unwrap_or(6)),
        Some(_) => general(a, precision.unwrap_or(6).max(1), false),
        None => match precision {
            None => repr_abs(a),
            Some(p) => general(a, p.max(1), true),
        },
    };
    (negative, if upper { body.to_uppercase() } else { body })
}

/// `a` in scientific notation with `p` decimals, Python's way (`1.50e+03`).
pub(crate) fn sci(a: f64, p: usize) -> String {
    let s = format!("{a:.p$e}");
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    format!(
        "{mantissa}e{}{:02}",
        if exp < 0 { '-' } else { '+' },
        exp.abs()
    )
}

/// Python's `g` with precision `p`; with `dot0` (no type and a precision)
/// fixed notation keeps one decimal and is used only while exp < p - 1.
fn general(a: f64, p: usize, dot0: bool) -> String {
    let rounded = format!("{a:.prec$e}", prec = p - 1);
    let exp: i32 = rounded
        .split_once('e')
        .and_then(|(_, e)| e.parse().ok())
        .unwrap_or(0);
    let limit = if dot0 { p as i32 - 1 } else { p as i32 };
    if (-4..limit).contains(&exp) {
        let decimals = (p as i32 - 1 - exp).max(0) as usize;
        let mut s = format!("{a:.decimals$}");
        if s.contains('.') {
            s = s.trim_end_matches('0').trim_end_matches('.').to_string();
        }
        if dot0 && !s.contains('.') {
            s.push_str(".0");
        }
        s
    } else {
        let s = sci(a, p - 1);
        let (m, e) = s.split_once('e').unwrap_or((&s, ""));
        let m = if m.contains('.') {
            m.trim_end_matches('0').trim_end_matches('.')
        } else {
            m
        };
        format!("{m}e{e}")
    }
}

/// Python's `repr(x)` of a float: the shortest digits that read back as
/// `x`, fixed notation for 1e-4 <= |x| < 1e16, else `1e-05` style.
///
/// Keras prints and logs `float(value)`, the f64 of an f32: `repr(0.1f32 as f64)`
/// is `0.10000000149011612`.
pub(crate) fn py_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    let sign = if x.is_sign_negative() { "-" } else { "" };
    format!("{sign}{}", repr_abs(x.abs()))
}

fn repr_abs(a: f64) -> String {
    if a.is_infinite() {
        return "inf".into();
    }
    let s = format!("{a:e}");
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    if (-4..16).contains(&exp) {
        let point = exp + 1;
        if point <= 0 {
            format!("0.{}{digits}", "0".repeat((-point) as usize))
        } else if point as usize >= digits.len() {
            format!("{digits}{}.0", "0".repeat(point as usize - digits.len()))
        } else {
            let (int, frac) = digits.split_at(point as usize);
            format!("{int}.{frac}")
        }
    } else {
        let m = if digits.len() > 1 {
            format!("{}.{}", &digits[..1], &digits[1..])
        } else {
            digits
        };
        format!("{m}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
    }
}

/// The Python float a user wrote for an `f32` argument: `0.2f32` is read
/// back as the decimal `0.2` (its shortest form), not as
/// `0.20000000298023224`, so arithmetic Keras does in Python floats with
/// the argument (ReduceLROnPlateau's `lr * factor`) gives Keras' digits.
pub(crate) fn typed(x: f32) -> f64 {
    x.to_string().parse().unwrap_or(f64::from(x))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected strings are what CPython 3 prints for the same call.
    #[test]
    fn format_specs_as_python() {
        let f = |v: f64, s: &str| format_value(Arg::Float(v), s).unwrap();
        let i = |v: i64, s: &str| format_value(Arg::Int(v), s).unwrap();
        assert_eq!(f(12.0, ".2"), "1.2e+01");
        assert_eq!(f(12.0, ".3"), "12.0");
        assert_eq!(f(2.0, ".2"), "2.0");
        assert_eq!(f(99.0, ".2"), "9.9e+01");
        assert_eq!(f(0.0001234, ".2"), "0.00012");
        assert_eq!(f(0.00001234, ".2"), "1.2e-05");
        assert_eq!(f(123456.0, ""), "123456.0");
        assert_eq!(f(1e16, ""), "1e+16");
        assert_eq!(f(100.0, ".3g"), "100");
        assert_eq!(f(1e-5, "g"), "1e-05");
        assert_eq!(f(0.25, ".1f"), "0.2");
        assert_eq!(f(3.0, "08.3f"), "0003.000");
        assert_eq!(f(-3.0, "08.3f"), "-003.000");
        assert_eq!(f(0.5, "+.2f"), "+0.50");
        assert_eq!(f(0.5, ".1%"), "50.0%");
        assert_eq!(f(0.5, "10"), "       0.5");
        assert_eq!(f(f64::NAN, ".2f"), "nan");
        assert_eq!(f(f64::INFINITY, "08.2f"), "00000inf");
        assert_eq!(f(12.0, ".0"), "1e+01");
        assert_eq!(f(0.0, ".2"), "0.0");
        assert_eq!(f(1.0, ".1"), "1e+00");
        assert_eq!(f(123.456, ".2e"), "1.23e+02");
        assert_eq!(i(5, "04"), "0005");
        assert_eq!(i(5, "04d"), "0005");
        assert_eq!(i(5, ".2f"), "5.00");
        assert_eq!(i(5, ">6"), "     5");
        assert_eq!(i(5, "x<4"), "5xxx");
        assert_eq!(i(5, "^5"), "  5  ");
        assert_eq!(i(5, "e"), "5.000000e+00");
        let e = format_value(Arg::Int(5), ".2").unwrap_err();
        assert_eq!(e, "Precision not allowed in integer format specifier");
        let e = format_value(Arg::Float(5.0), "d").unwrap_err();
        assert_eq!(e, "Unknown format code 'd' for object of type 'float'");
    }

    #[test]
    fn repr_as_python() {
        assert_eq!(py_repr(f64::from(0.1f32)), "0.10000000149011612");
        assert_eq!(py_repr(1e-5), "1e-05");
        assert_eq!(py_repr(f64::from(1e-5f32)), "9.999999747378752e-06");
        assert_eq!(py_repr(12345678.0), "12345678.0");
        assert_eq!(py_repr(0.5), "0.5");
        assert_eq!(py_repr(-0.0), "-0.0");
        assert_eq!(py_repr(1.0), "1.0");
        assert_eq!(py_repr(1e16), "1e+16");
        assert_eq!(py_repr(123.0e20), "1.23e+22");
        assert_eq!(py_repr(0.0001), "0.0001");
        assert_eq!(py_repr(f64::NEG_INFINITY), "-inf");
    }
}
