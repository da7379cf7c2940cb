//! Decoding a policy: JSON text to typed fields, strictly.
//!
//! [`RawPolicy::parse`] reads the JSON before the signature is checked and reports only
//! syntax (`malformed`); it records the first rule a member breaks (an unknown or repeated
//! field) to report once the signature holds. [`RawPolicy::kid`] is the one field read
//! before that, to select the key. [`RawPolicy::validate`] checks types and the rules of
//! §2.

use std::borrow::Cow;

use super::call::parse_calls;
use super::compiled::Compiled;
use super::field::{Field, Kind as FieldKind};
use super::{Parts, Policy};
use crate::error::{Error, Result};
use crate::json::{self, Kind, RawValue};
use crate::limits::MAX_INTEGER;

/// A member's value, parsed once when its type is the field's.
enum Member<'a> {
    /// A string, for a string field.
    Text(Cow<'a, str>),
    /// An array of strings and its JSON text, for an array field.
    Texts(Vec<Cow<'a, str>>, &'a str),
    /// Anything else, checked (a number for an integer field, or a wrong type).
    Other(&'a RawValue),
}

/// A decoded, **unverified** policy: its members by field, and the first problem found
/// (reported only once the signature holds).
pub(crate) struct RawPolicy<'a> {
    slots: [Option<Member<'a>>; Field::COUNT],
    problem: Option<Error>,
    kid_repeated: bool,
}

impl<'a> RawPolicy<'a> {
    /// Parses the decoded policy JSON. Only syntax errors are reported here (`malformed`).
    pub(crate) fn parse(text: &'a str) -> Result<Self> {
        let mut raw = RawPolicy {
            slots: Default::default(),
            problem: None,
            kid_repeated: false,
        };
        json::for_each_member(text, |key, value| {
            let Some(field) = Field::from_name(&key) else {
                raw.problem.get_or_insert_with(|| {
                    Error::policy(key.into_owned(), "is not a policy field")
                });
                return json::check(value);
            };
            let member = match field.kind() {
                FieldKind::String => match json::string(value)? {
                    Some(text) => Member::Text(text),
                    None => Member::Other(value),
                },
                FieldKind::Strings => match json::strings(value) {
                    Some(items) => Member::Texts(items, value.get()),
                    None => Member::Other(value),
                },
                FieldKind::Integer => Member::Other(value),
            };
            if let Member::Other(value) = member {
                json::check(value)?;
            }
            let slot = &mut raw.slots[field as usize];
            if slot.is_some() {
                raw.kid_repeated |= field == Field::Kid;
                raw.problem
                    .get_or_insert_with(|| Error::policy(field.name(), "appears more than once"));
            } else {
                *slot = Some(member);
            }
            Ok(())
        })
        .map_err(|e| Error::malformed(format!("{} in the decoded policy", e.0)))?;
        Ok(raw)
    }

    /// The `kid` that selects the key. A `kid` that is repeated or not a string cannot
    /// select one: `malformed`.
    pub(crate) fn kid(&self) -> Result<Option<&str>> {
        if self.kid_repeated {
            return Err(Error::malformed("the policy names more than one kid"));
        }
        match &self.slots[Field::Kid as usize] {
            None => Ok(None),
            Some(Member::Text(kid)) => Ok(Some(kid)),
            Some(_) => Err(Error::malformed("the policy's kid is not a string")),
        }
    }

    /// The `jti` member, read before the signature is checked (to revoke a credential one
    /// holds). A repeated or non-string `jti` is `invalid_policy`.
    pub(crate) fn jti(&self) -> Result<Option<&str>> {
        if let Some(problem) = &self.problem {
            return Err(problem.clone());
        }
        match &self.slots[Field::Jti as usize] {
            None => Ok(None),
            Some(Member::Text(jti)) => Ok(Some(jti)),
            Some(_) => Err(Error::policy(Field::Jti.name(), "must be a string")),
        }
    }

    /// The `expiry` member, as an integer (`invalid_policy` if absent or not one).
    pub(crate) fn expiry(&self) -> Result<u64> {
        match &self.slots[Field::Expiry as usize] {
            Some(Member::Other(raw)) => json_integer(Field::Expiry, raw, false),
            _ => Err(Error::policy(Field::Expiry.name(), "is required")),
        }
    }

    /// Checks the types and rules of every field. With `strict_integers`, numbers must be
    /// written as integers (`1.0` is refused), as filestack-python requires.
    pub(crate) fn validate(self, compiled: &Compiled, strict_integers: bool) -> Result<Policy> {
        if let Some(problem) = self.problem {
            return Err(problem);
        }
        let mut parts = Parts::default();
        for (field, slot) in Field::ALL.into_iter().zip(self.slots) {
            let Some(member) = slot else {
                continue;
            };
            match (field.kind(), member) {
                (FieldKind::Integer, Member::Other(raw)) => {
                    let value = Some(json_integer(field, raw, strict_integers)?);
                    match field {
                        Field::Expiry => parts.expiry = value,
                        Field::Iat => parts.iat = value,
                        Field::Nbf => parts.nbf = value,
                        Field::MaxSize => parts.max_size = value,
                        Field::Uses => parts.uses = value,
                        _ => parts.min_size = value,
                    }
                }
                (FieldKind::String, Member::Text(text)) => {
                    let value = Some(text);
                    match field {
                        Field::Handle => parts.handle = value,
                        Field::Url => parts.url = value,
                        Field::Path => parts.path = value,
                        Field::Container => parts.container = value,
                        Field::Kid => parts.kid = value,
                        _ => parts.jti = value,
                    }
                }
                (FieldKind::Strings, Member::Texts(items, source)) => {
                    if field == Field::Call {
                        parts.call = Some(parse_calls(items.iter().map(|n| n.as_ref()))?);
                    } else {
                        parts.permissions = Some((items, Cow::Borrowed(source)));
                    }
                }
                (kind, Member::Other(raw)) => {
                    let expected = match kind {
                        FieldKind::Integer => "an integer",
                        FieldKind::String => "a string",
                        FieldKind::Strings => "an array of strings",
                    };
                    return Err(Error::policy(
                        field.name(),
                        format!("must be {expected}, not {}", Kind::of(raw).name()),
                    ));
                }
                // A member is parsed as its field's type or kept as `Other`.
                (_, Member::Text(_) | Member::Texts(..)) => {
                    return Err(Error::policy(field.name(), "has the wrong type"));
                }
            }
        }
        Policy::assemble(parts, compiled).map_err(|e| match e {
            Error::InvalidPermission { position, reason } => Error::policy(
                Field::Permissions.name(),
                format!("{reason} (at byte {position})"),
            ),
            other => other,
        })
    }
}

/// A JSON number whose value is an integer in `[0, 2^53)`, judged from the number exactly
/// as written. A zero fraction (`1.0`, `1e3`) is accepted unless `strict`.
fn json_integer(field: Field, raw: &RawValue, strict: bool) -> Result<u64> {
    if Kind::of(raw) != Kind::Number {
        return Err(Error::policy(
            field.name(),
            format!("must be an integer, not {}", Kind::of(raw).name()),
        ));
    }
    number_integer(field, raw.get(), strict)
}

/// The integer value of JSON number text (already checked against the JSON grammar).
fn number_integer(field: Field, text: &str, strict: bool) -> Result<u64> {
    // Fast path: plain digits, the form every SDK writes.
    if !text.is_empty() && text.len() <= 16 && text.bytes().all(|b| b.is_ascii_digit()) {
        let v = text.bytes().fold(0u64, |v, b| v * 10 + u64::from(b - b'0'));
        if v <= MAX_INTEGER {
            return Ok(v);
        }
    }
    let out_of_range = || Error::policy(field.name(), format!("{text} is outside [0, 2^53)"));
    let not_integer = || Error::policy(field.name(), format!("{text} is not an integer"));
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if strict && (exponent.is_some() || !frac_part.is_empty() || negative) {
        return Err(if negative {
            out_of_range()
        } else {
            Error::policy(
                field.name(),
                format!("{text} must be written as an integer"),
            )
        });
    }
    // value = digits × 10^scale
    let digits: String = int_part.chars().chain(frac_part.chars()).collect();
    let digits = digits.trim_start_matches('0');
    if digits.is_empty() {
        return Ok(0);
    }
    if negative {
        return Err(out_of_range());
    }
    let exp: i64 = match exponent {
        None => 0,
        Some(e) => {
            let (sign, magnitude) = match e.as_bytes().first() {
                Some(b'-') => (-1, &e[1..]),
                Some(b'+') => (1, &e[1..]),
                _ => (1, e),
            };
            // Saturate: any exponent past a few dozen is out of range or fractional anyway.
            let magnitude = magnitude.trim_start_matches('0');
            let m: i64 = if magnitude.is_empty() {
                0
            } else {
                magnitude.parse().unwrap_or(i64::MAX / 2)
            };
            sign * m.min(i64::MAX / 2)
        }
    };
    let scale = exp - frac_part.len() as i64;
    let (significant, zeros) = if scale < 0 {
        let cut = usize::try_from(-scale).unwrap_or(usize::MAX);
        if cut > digits.len() || digits[digits.len() - cut..].bytes().any(|b| b != b'0') {
            return Err(not_integer());
        }
        (&digits[..digits.len() - cut], 0)
    } else {
        (digits, scale)
    };
    // 2^53 has 16 digits.
    if significant.len() as i64 + zeros > 16 {
        return Err(out_of_range());
    }
    let mut v: u64 = significant.parse().map_err(|_| out_of_range())?;
    for _ in 0..zeros {
        v = v.checked_mul(10).ok_or_else(out_of_range)?;
    }
    if v > MAX_INTEGER {
        return Err(out_of_range());
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::MAX_PERMISSIONS;

    fn policy(json: &str) -> Result<Policy> {
        RawPolicy::parse(json)?.validate(&Compiled::new(), false)
    }

    fn field_of(json: &str) -> String {
        let err = policy(json).unwrap_err();
        assert_eq!(err.code(), "invalid_policy", "{json}: {err}");
        err.field().unwrap().to_owned()
    }

    #[test]
    fn integers() {
        let ok = |n: &str| {
            number_integer(Field::Expiry, n, false).unwrap_or_else(|e| panic!("{n}: {e}"))
        };
        assert_eq!(ok("1700000000"), 1700000000);
        assert_eq!(ok("1700000000.0"), 1700000000);
        assert_eq!(ok("1700000000.000"), 1700000000);
        assert_eq!(ok("1.7e9"), 1700000000);
        assert_eq!(ok("17E+8"), 1700000000);
        assert_eq!(ok("170000000000e-2"), 1700000000);
        assert_eq!(ok("0"), 0);
        assert_eq!(ok("-0"), 0);
        assert_eq!(ok("0.0e5"), 0);
        assert_eq!(ok("9007199254740991"), MAX_INTEGER);
        let bad = |n: &str| number_integer(Field::Expiry, n, false).is_err();
        for n in [
            "-1",
            "1.5",
            "9007199254740992",
            "1e16",
            "1e400",
            "1e99999999999999999999",
            "123456789012345678901234567890",
            "1e-1",
            "15e-1",
            "1.0000000000000001",
        ] {
            assert!(bad(n), "{n}");
        }
        let strict = |n: &str| number_integer(Field::Expiry, n, true);
        assert!(strict("1700000000").is_ok());
        assert!(strict("1700000000.0").is_err());
        assert!(strict("1e3").is_err());
    }

    #[test]
    fn strictness_names_the_field() {
        assert_eq!(field_of(r#"{"expiry":1,"calls":["read"]}"#), "calls");
        assert_eq!(field_of(r#"{"expires":1}"#), "expires");
        assert_eq!(field_of(r#"{"expiry":1,"expiry":2}"#), "expiry");
        assert_eq!(field_of(r#"{"expiry":"1"}"#), "expiry");
        assert_eq!(field_of(r#"{"expiry":true}"#), "expiry");
        assert_eq!(field_of(r#"{"expiry":null}"#), "expiry");
        assert_eq!(field_of(r#"{"expiry":[1]}"#), "expiry");
        assert_eq!(field_of(r#"{"expiry":-1}"#), "expiry");
        assert_eq!(field_of(r#"{"expiry":1.5}"#), "expiry");
        assert_eq!(field_of(r#"{"expiry":9,"call":"read"}"#), "call");
        assert_eq!(field_of(r#"{"expiry":9,"call":["delete"]}"#), "call");
        assert_eq!(field_of(r#"{"expiry":9,"call":[1]}"#), "call");
        assert_eq!(
            field_of(r#"{"expiry":9,"permissions":["pin **  x"]}"#),
            "permissions"
        );
        assert_eq!(
            field_of(r#"{"expiry":9,"permissions":"pin"}"#),
            "permissions"
        );
        assert_eq!(field_of(r#"{"expiry":9,"nested":{"a":1}}"#), "nested");
        let many: Vec<String> = (0..=MAX_PERMISSIONS).map(|i| format!("\"p{i}\"")).collect();
        assert_eq!(
            field_of(&format!(
                r#"{{"expiry":9,"permissions":[{}]}}"#,
                many.join(",")
            )),
            "permissions"
        );
    }

    #[test]
    fn kid_selection_is_guarded() {
        let raw = RawPolicy::parse(r#"{"kid":"a","kid":"b","expiry":1}"#).unwrap();
        assert_eq!(raw.kid().unwrap_err().code(), "malformed");
        let raw = RawPolicy::parse(r#"{"kid":5,"expiry":1}"#).unwrap();
        assert_eq!(raw.kid().unwrap_err().code(), "malformed");
        let raw = RawPolicy::parse(r#"{"kid":"k\u00e9","expiry":1}"#).unwrap();
        assert_eq!(raw.kid().unwrap(), Some("ké"));
    }

    #[test]
    fn syntax_is_malformed() {
        for bad in [
            "",
            "[1]",
            r#"{"expiry":1,}"#,
            r#"{"expiry":01}"#,
            "{\"a\":\"\u{1}\"}",
        ] {
            assert_eq!(
                RawPolicy::parse(bad).err().map(|e| e.code()),
                Some("malformed"),
                "{bad:?}"
            );
        }
    }
}
