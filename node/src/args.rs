//! Converting JavaScript arguments: strings (refused when not well-formed), numbers
//! (refused when not integers), secrets.
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

/// A string argument, refused with `invalid_argument` naming `name` if it holds a lone
/// surrogate.
pub(crate) fn text(env: &Env, name: &'static str, value: JsString<'_>) -> Result<Text> {
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

/// An optional string argument.
pub(crate) fn opt_text(
    env: &Env,
    name: &'static str,
    value: Option<JsString<'_>>,
) -> Result<Option<Text>> {
    value.map(|v| text(env, name, v)).transpose()
}

/// A list of strings.
pub(crate) fn texts(env: &Env, name: &'static str, values: Vec<JsString<'_>>) -> Result<Vec<Text>> {
    values.into_iter().map(|v| text(env, name, v)).collect()
}

/// An optional list of strings.
pub(crate) fn opt_texts(
    env: &Env,
    name: &'static str,
    values: Option<Vec<JsString<'_>>>,
) -> Result<Option<Vec<Text>>> {
    values.map(|v| texts(env, name, v)).transpose()
}

/// Borrows every text of a list.
pub(crate) fn strs(texts: &[Text]) -> Vec<&str> {
    texts.iter().map(Text::as_str).collect()
}

/// A JavaScript number that must be a non-negative integer: a fraction, a negative, NaN or
/// an infinity is `invalid_argument` naming the argument, rather than being truncated.
/// Integers past `u64::MAX` saturate; ranges are the core's to check (a policy's integers
/// must be below 2^53: past it they are `invalid_policy`, as in every language).
pub(crate) fn integer(env: &Env, name: &'static str, value: f64) -> Result<u64> {
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
    value: Option<f64>,
) -> Result<Option<u64>> {
    value.map(|v| integer(env, name, v)).transpose()
}

/// A signed integer in (-2^53, 2^53) (a leeway, which the core then checks).
pub(crate) fn signed(env: &Env, name: &'static str, value: f64) -> Result<i64> {
    const LIMIT: f64 = 9_007_199_254_740_992.0;
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
pub(crate) fn secret(env: &Env, value: Either<String, Buffer>) -> Result<capsign::Secret> {
    match value {
        Either::A(text_value) if text_value.contains('\u{fffd}') => {
            let wiped = capsign::Secret::from(text_value);
            drop(wiped);
            Err(capsign::Error::invalid_argument(
                "secret",
                "a string secret may not hold U+FFFD (a lone surrogate reads as U+FFFD); \
                 give a Buffer",
            ))
            .or_throw(env)
        }
        Either::A(text_value) => Ok(capsign::Secret::from(text_value)),
        Either::B(buffer) => Ok(capsign::Secret::from(&buffer[..])),
    }
}
