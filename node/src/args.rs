//! Converting JavaScript arguments: strings (refused when not well-formed), numbers
//! (refused when not integers), secrets.
//!
//! Arguments arrive as `Unknown` and are checked here: a value of the wrong type is a
//! `TypeError` naming the argument (JavaScript's error for it, as Python's argument
//! conversion raises `TypeError`), never N-API's message-less conversion error.
//!
//! A string is read as UTF-16 (V8 knows its length without a scan) and converted with
//! `String::from_utf16`, which refuses lone surrogates: N-API's UTF-8 conversion would
//! replace each with U+FFFD, so that two different JavaScript strings (`'x\uD800'`,
//! `'x\uDFFF'`) became the same text. Python refuses them too.

use napi::JsString;
use napi::bindgen_prelude::*;

use crate::error::OrThrow;

/// A string argument, converted: borrow it with `as_str`.
pub(crate) struct Text(String);

impl Text {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

/// What `value` is, for messages: its `typeof`, or "an array".
fn type_of(value: &Unknown<'_>) -> Result<&'static str> {
    Ok(match value.get_type()? {
        ValueType::Undefined => "undefined",
        ValueType::Null => "null",
        ValueType::Boolean => "a boolean",
        ValueType::Number => "a number",
        ValueType::String => "a string",
        ValueType::Symbol => "a symbol",
        ValueType::Function => "a function",
        ValueType::BigInt => "a bigint",
        _ if value.is_array()? => "an array",
        _ => "an object",
    })
}

/// Throws `TypeError: `name` must be <expected>, not <what was given>`, with Node's own
/// code for it (`ERR_INVALID_ARG_TYPE`).
pub(crate) fn type_error<T>(
    env: &Env,
    name: &str,
    expected: &str,
    given: &Unknown<'_>,
) -> Result<T> {
    let message = format!("`{name}` must be {expected}, not {}", type_of(given)?);
    env.throw_type_error(&message, Some("ERR_INVALID_ARG_TYPE"))?;
    Err(napi::Error::from_status(Status::PendingException))
}

/// `value` as a JavaScript string, or a `TypeError` naming `name`.
pub(crate) fn string<'v>(env: &Env, name: &str, value: Unknown<'v>) -> Result<JsString<'v>> {
    if value.get_type()? == ValueType::String {
        JsString::from_unknown(value)
    } else {
        type_error(env, name, "a string", &value)
    }
}

/// `value` as a JavaScript number, or a `TypeError` naming `name`.
fn number(env: &Env, name: &str, value: Unknown<'_>) -> Result<f64> {
    if value.get_type()? == ValueType::Number {
        f64::from_unknown(value)
    } else {
        type_error(env, name, "a number", &value)
    }
}

/// A string argument: a `TypeError` naming `name` if it is not a string,
/// `invalid_argument` if it holds a lone surrogate.
pub(crate) fn text(env: &Env, name: &'static str, value: Unknown<'_>) -> Result<Text> {
    well_formed_text(env, name, string(env, name, value)?)
}

/// A string, refused with `invalid_argument` naming `name` if it holds a lone surrogate.
pub(crate) fn well_formed_text(env: &Env, name: &'static str, value: JsString<'_>) -> Result<Text> {
    match well_formed(value)? {
        Some(text) => Ok(text),
        None => Err(capsign::Error::invalid_argument(
            name,
            "is not well-formed UTF-16 (it holds a lone surrogate)",
        ))
        .or_throw(env),
    }
}

/// The text of a string, or `None` if it holds a lone surrogate.
fn well_formed(value: JsString<'_>) -> Result<Option<Text>> {
    let units = value.into_utf16()?;
    let units = units.as_slice();
    let units = units.strip_suffix(&[0]).unwrap_or(units);
    // Most strings here (tokens, paths, names) are ASCII: a unit per byte, nothing to
    // check. (Both loops run without early exits, so they vectorize.)
    if units.iter().fold(0u16, |all, &u| all | u) < 0x80 {
        let bytes: Vec<u8> = units.iter().map(|&u| u as u8).collect();
        return String::from_utf8(bytes)
            .map(|t| Some(Text(t)))
            .map_err(|_| napi::Error::from_reason("ASCII is UTF-8"));
    }
    Ok(String::from_utf16(units).ok().map(Text))
}

/// `value` unless it is `undefined` or `null` (an optional argument not given).
pub(crate) fn given(value: Unknown<'_>) -> Result<Option<Unknown<'_>>> {
    Ok(match value.get_type()? {
        ValueType::Undefined | ValueType::Null => None,
        _ => Some(value),
    })
}

/// An optional string argument (its type is read once: this is on every verification).
pub(crate) fn opt_text(env: &Env, name: &'static str, value: Unknown<'_>) -> Result<Option<Text>> {
    match value.get_type()? {
        ValueType::Undefined | ValueType::Null => Ok(None),
        ValueType::String => well_formed_text(env, name, JsString::from_unknown(value)?).map(Some),
        _ => type_error(env, name, "a string", &value),
    }
}

/// A list of strings.
pub(crate) fn texts(env: &Env, name: &'static str, values: Vec<Unknown<'_>>) -> Result<Vec<Text>> {
    values.into_iter().map(|v| text(env, name, v)).collect()
}

/// An optional list of strings.
pub(crate) fn opt_texts(
    env: &Env,
    name: &'static str,
    values: Option<Vec<Unknown<'_>>>,
) -> Result<Option<Vec<Text>>> {
    values.map(|v| texts(env, name, v)).transpose()
}

/// A list of strings given by the caller: a `TypeError` naming `name` if it is not an
/// array.
pub(crate) fn list(env: &Env, name: &'static str, value: Unknown<'_>) -> Result<Vec<Text>> {
    if value.is_array()? {
        texts(env, name, Vec::<Unknown<'_>>::from_unknown(value)?)
    } else {
        type_error(env, name, "an array of strings", &value)
    }
}

/// An optional boolean: a `TypeError` naming `name` if it is given and not a boolean.
pub(crate) fn flag(env: &Env, name: &'static str, value: Unknown<'_>) -> Result<bool> {
    match value.get_type()? {
        ValueType::Undefined | ValueType::Null => Ok(false),
        ValueType::Boolean => bool::from_unknown(value),
        _ => type_error(env, name, "a boolean", &value),
    }
}

/// Borrows every text of a list.
pub(crate) fn strs(texts: &[Text]) -> Vec<&str> {
    texts.iter().map(Text::as_str).collect()
}

/// A JavaScript number that must be a non-negative integer: a fraction, a negative, NaN or
/// an infinity is `invalid_argument` naming the argument, rather than being truncated.
/// Integers past `u64::MAX` saturate; ranges are the core's to check (a policy's integers
/// must be below 2^53: past it they are `invalid_policy`, as in every language).
pub(crate) fn integer(env: &Env, name: &'static str, value: Unknown<'_>) -> Result<u64> {
    let value = number(env, name, value)?;
    if let Some(n) = whole(value) {
        Ok(n)
    } else {
        Err(capsign::Error::invalid_argument(
            name,
            format!("{value} is not a non-negative integer"),
        ))
        .or_throw(env)
    }
}

/// `value` if it is a non-negative integer (saturating past `u64::MAX`).
fn whole(value: f64) -> Option<u64> {
    (value.is_finite() && value >= 0.0 && value.fract() == 0.0).then_some(value as u64)
}

/// An optional non-negative integer.
pub(crate) fn opt_integer(
    env: &Env,
    name: &'static str,
    value: Unknown<'_>,
) -> Result<Option<u64>> {
    given(value)?.map(|v| integer(env, name, v)).transpose()
}

/// A signed integer in (-2^53, 2^53) (a leeway, which the core then checks).
pub(crate) fn signed(env: &Env, name: &'static str, value: Unknown<'_>) -> Result<i64> {
    const LIMIT: f64 = 9_007_199_254_740_992.0;
    let value = number(env, name, value)?;
    if value.is_finite() && value.fract() == 0.0 && value.abs() < LIMIT {
        Ok(value as i64)
    } else {
        Err(capsign::Error::invalid_argument(
            name,
            format!("{value} is not an integer in (-2^53, 2^53)"),
        ))
        .or_throw(env)
    }
}

/// A request field that the application's `fields` function gave (its value often comes
/// from a JSON body): a well-formed string, else the core's `invalid_command` (400)
/// naming the field, as in Python.
pub(crate) fn field_text(
    env: &Env,
    name: &'static str,
    value: Option<Either<JsString<'_>, Unknown<'_>>>,
) -> Result<Option<Text>> {
    match value {
        None => Ok(None),
        Some(Either::A(s)) => match well_formed(s)? {
            Some(t) => Ok(Some(t)),
            None => Err(capsign::http::Fields::wrong_type(name)).or_throw(env),
        },
        Some(Either::B(_)) => Err(capsign::http::Fields::wrong_type(name)).or_throw(env),
    }
}

/// The `size` request field: a non-negative integer (not a boolean, a string, a fraction
/// or a negative), else `invalid_command` (400).
pub(crate) fn field_size(
    env: &Env,
    value: Option<Either<f64, Unknown<'_>>>,
) -> Result<Option<u64>> {
    let size = match value {
        None => return Ok(None),
        Some(Either::A(n)) => whole(n),
        Some(Either::B(_)) => None,
    };
    match size {
        Some(n) => Ok(Some(n)),
        None => Err(capsign::http::Fields::wrong_type("size")).or_throw(env),
    }
}

/// A secret: a string (its UTF-8 bytes are the key) or a `Buffer` (the caller's memory,
/// copied by the core). N-API's one copy of a string secret is moved into the core, which
/// zeroes it; a string holding U+FFFD is refused, since N-API writes a lone surrogate as
/// U+FFFD and the two could not be told apart without a second, unwiped copy.
pub(crate) fn secret(env: &Env, value: Either<Buffer, Unknown<'_>>) -> Result<capsign::Secret> {
    let text_value = match value {
        Either::A(buffer) => return Ok(capsign::Secret::from(&buffer[..])),
        Either::B(v) if v.get_type()? == ValueType::String => String::from_unknown(v)?,
        Either::B(other) => return type_error(env, "secret", "a string or a Buffer", &other),
    };
    if text_value.contains('\u{fffd}') {
        drop(capsign::Secret::from(text_value));
        return Err(capsign::Error::invalid_argument(
            "secret",
            "a string secret may not hold U+FFFD (a lone surrogate reads as U+FFFD); \
             give a Buffer",
        ))
        .or_throw(env);
    }
    Ok(capsign::Secret::from(text_value))
}
