//! JSON for policies, by `serde_json`.
//!
//! Reading: a policy object member by member, in document order with duplicates kept (so
//! that a repeated field can be refused), each value as its exact source text
//! ([`RawValue`]), so that the policy rules apply to numbers as written (integers below
//! 2^53; a zero fraction is allowed, `1.0000000000000001` is not). The input must be one
//! RFC 8259 object: no comments, trailing commas, lone surrogates, raw control characters
//! or trailing text. Every member value is checked in full, strings unescaped and nesting
//! bounded by [`MAX_JSON_DEPTH`]: `serde_json` skips over a raw value without recursion, so
//! the bound is applied here, one level at a time, and stops at the limit.
//!
//! Writing: canonical (compact separators, UTF-8, the escapes of Python's
//! `json.dumps(..., ensure_ascii=False)` and JavaScript's `JSON.stringify`: `serde_json`'s
//! compact output), or Python-compatible (`", "` and `": "` separators, `\uXXXX` for
//! everything outside printable ASCII), which is what filestack-python signs.

use std::borrow::Cow;
use std::fmt;
use std::io;

use serde::Serialize;
use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
pub(crate) use serde_json::value::RawValue;

use crate::limits::MAX_JSON_DEPTH;

/// Why a decoded policy is not a JSON object (for `malformed`).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct SyntaxError(pub(crate) String);

impl From<serde_json::Error> for SyntaxError {
    fn from(e: serde_json::Error) -> Self {
        SyntaxError(e.to_string())
    }
}

/// A JSON string, borrowed from the input when it has no escapes.
pub(crate) struct Text<'a>(pub(crate) Cow<'a, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(V)
    }
}

/// The JSON type of a raw value, from its first byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    String,
    Number,
    Array,
    Object,
    Bool,
    Null,
}

impl Kind {
    pub(crate) fn of(raw: &RawValue) -> Kind {
        match raw.get().as_bytes().first() {
            Some(b'"') => Kind::String,
            Some(b'[') => Kind::Array,
            Some(b'{') => Kind::Object,
            Some(b't' | b'f') => Kind::Bool,
            Some(b'n') => Kind::Null,
            _ => Kind::Number,
        }
    }

    /// The type name, for error messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::String => "a string",
            Kind::Number => "a number",
            Kind::Array => "an array",
            Kind::Object => "an object",
            Kind::Bool => "a boolean",
            Kind::Null => "null",
        }
    }
}

/// Parses `text` as one JSON object and calls `member(key, value)` for each member in
/// document order (duplicates included). `member` must check each value in full, with
/// [`check`] or by parsing it: the object's own syntax is all that is checked here.
pub(crate) fn for_each_member<'a>(
    text: &'a str,
    member: impl FnMut(Cow<'a, str>, &'a RawValue) -> Result<(), String>,
) -> Result<(), SyntaxError> {
    struct Members<F>(F);
    impl<'de, F: FnMut(Cow<'de, str>, &'de RawValue) -> Result<(), String>> Visitor<'de>
        for Members<F>
    {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("the policy as a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
            while let Some(Text(key)) = map.next_key()? {
                let value: &'de RawValue = map.next_value()?;
                (self.0)(key, value).map_err(de::Error::custom)?;
            }
            Ok(())
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    de.deserialize_map(Members(member))?;
    de.end()?;
    Ok(())
}

/// Checks a member's value in full: strings unescape, and containers nest at most
/// [`MAX_JSON_DEPTH`] deep.
pub(crate) fn check(raw: &RawValue) -> Result<(), String> {
    check_value(raw, 1)
}

/// Checks a value at `depth` (a member value is at depth 1). Each level is parsed once,
/// and the walk stops at the limit, so the work is bounded by the limit times the length.
fn check_value(raw: &RawValue, depth: usize) -> Result<(), String> {
    let nested = |items: Vec<&RawValue>| -> Result<(), String> {
        items
            .into_iter()
            .try_for_each(|v| check_value(v, depth + 1))
    };
    match Kind::of(raw) {
        Kind::String => string(raw).map(drop),
        Kind::Array | Kind::Object if depth + 1 > MAX_JSON_DEPTH => {
            Err(format!("JSON nested more than {MAX_JSON_DEPTH} deep"))
        }
        Kind::Array if strings(raw).is_some() => Ok(()),
        Kind::Array => nested(serde_json::from_str(raw.get()).map_err(|e| e.to_string())?),
        Kind::Object => {
            let mut values = Vec::new();
            for_each_entry(raw.get(), |_, v| values.push(v)).map_err(|e| e.0)?;
            nested(values)
        }
        Kind::Number | Kind::Bool | Kind::Null => Ok(()),
    }
}

/// The members of a nested object, without checking their values.
fn for_each_entry<'a>(
    text: &'a str,
    entry: impl FnMut(Cow<'a, str>, &'a RawValue),
) -> Result<(), SyntaxError> {
    struct Entries<F>(F);
    impl<'de, F: FnMut(Cow<'de, str>, &'de RawValue)> Visitor<'de> for Entries<F> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
            while let Some(Text(key)) = map.next_key()? {
                (self.0)(key, map.next_value()?);
            }
            Ok(())
        }
    }
    serde_json::Deserializer::from_str(text).deserialize_map(Entries(entry))?;
    Ok(())
}

/// A string value: `None` for another type, an error for a string that does not
/// unescape.
pub(crate) fn string(raw: &RawValue) -> Result<Option<Cow<'_, str>>, String> {
    if Kind::of(raw) != Kind::String {
        return Ok(None);
    }
    // `serde_json` checked the string when it took the raw value: without an escape, its
    // text between the quotes is its value.
    let text = raw.get();
    if !text.contains('\\') {
        return Ok(text
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .map(Cow::Borrowed));
    }
    serde_json::from_str::<Text<'_>>(text)
        .map(|t| Some(t.0))
        .map_err(|e| e.to_string())
}

/// An array of strings, or `None` for anything else.
pub(crate) fn strings(raw: &RawValue) -> Option<Vec<Cow<'_, str>>> {
    serde_json::from_str::<Vec<Text<'_>>>(raw.get())
        .ok()
        .map(|items| items.into_iter().map(|t| t.0).collect())
}

/// How to write JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Style {
    /// Compact, UTF-8: what capsign signs.
    Canonical,
    /// `json.dumps(obj, sort_keys=True)`: what filestack-python signs.
    Python,
}

/// Appends `value` as JSON in `style` to `out`.
pub(crate) fn write(out: &mut Vec<u8>, value: &impl Serialize, style: Style) {
    // Writing to a Vec cannot fail, and the values capsign writes always serialize.
    let _ = match style {
        Style::Canonical => value.serialize(&mut serde_json::Serializer::new(&mut *out)),
        Style::Python => value.serialize(&mut serde_json::Serializer::with_formatter(
            &mut *out, Python,
        )),
    };
}

/// The separators and escapes of Python's `json.dumps` defaults (`ensure_ascii=True`).
struct Python;

impl serde_json::ser::Formatter for Python {
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    /// `serde_json` has already escaped `"`, `\` and control characters; the rest of
    /// what Python escapes is everything from DEL up, as UTF-16 `\uXXXX` (lowercase).
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (at, c) in fragment.char_indices() {
            if c < '\u{7f}' {
                continue;
            }
            w.write_all(&fragment.as_bytes()[start..at])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(w, "\\u{unit:04x}")?;
            }
            start = at + c.len_utf8();
        }
        w.write_all(&fragment.as_bytes()[start..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(text: &str) -> Result<Vec<(String, String)>, SyntaxError> {
        let mut out = Vec::new();
        for_each_member(text, |k, v| {
            check(v)?;
            out.push((k.into_owned(), v.get().to_owned()));
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn reads_members_in_order_with_duplicates_and_exact_text() {
        let got = members(r#"{ "b" : 1.50 , "a":"x\u0041", "b":[ "y" ],"c":{"d":null}}"#).unwrap();
        assert_eq!(
            got,
            [
                ("b".into(), "1.50".into()),
                ("a".into(), r#""x\u0041""#.into()),
                ("b".into(), r#"[ "y" ]"#.into()),
                ("c".into(), r#"{"d":null}"#.into()),
            ]
        );
        let raw: &RawValue = serde_json::from_str(r#""x\u0041""#).unwrap();
        assert_eq!(string(raw).unwrap().as_deref(), Some("xA"));
        assert_eq!(Kind::of(raw), Kind::String);
        let raw: &RawValue = serde_json::from_str(r#"["a","b\n"]"#).unwrap();
        assert_eq!(strings(raw).unwrap(), ["a", "b\n"]);
        let raw: &RawValue = serde_json::from_str(r#"["a",1]"#).unwrap();
        assert!(strings(raw).is_none());
        assert!(members(r#"{"k\u00e9":1}"#).unwrap()[0].0 == "ké");
    }

    #[test]
    fn strings_follow_rfc8259() {
        for bad in [
            r#"{"s":"\ud83d"}"#,
            r#"{"s":"\ude00"}"#,
            r#"{"s":"\ud83d\u0041"}"#,
            r#"{"s":"\x"}"#,
            r#"{"s":"\u12"}"#,
            "{\"s\":\"a\nb\"}",
            r#"{"s":"abc}"#,
            r#"{"s":["\ud800"]}"#,
            r#"{"s":{"\ud800":1}}"#,
            r#"{"\ud800":1}"#,
        ] {
            assert!(members(bad).is_err(), "{bad}");
        }
        assert!(members(r#"{"s":"\ud83d\ude00"}"#).is_ok());
    }

    #[test]
    fn numbers_follow_the_grammar() {
        for good in [
            "0", "-0", "12", "1.5", "1e3", "1E+3", "1.0e-2", "-7", "1e400",
        ] {
            let text = format!(r#"{{"n":{good}}}"#);
            assert_eq!(members(&text).unwrap()[0].1, good, "{good}");
        }
        for bad in [
            "01", "1.", ".5", "+1", "1e", "1e+", "--1", "0x10", "NaN", "Infinity",
        ] {
            let text = format!(r#"{{"n":{bad}}}"#);
            assert!(members(&text).is_err(), "{bad}");
        }
    }

    #[test]
    fn rejects_non_objects_and_trailing_text() {
        for bad in [
            "",
            "[]",
            "\"x\"",
            "{}x",
            "{,}",
            r#"{"a":1,}"#,
            r#"{"a" 1}"#,
            r#"{"a":1 "b":2}"#,
            "{\"a\":tru}",
            "\u{feff}{}",
            "{/*c*/}",
        ] {
            assert!(members(bad).is_err(), "{bad:?}");
        }
        assert!(members("{}").unwrap().is_empty());
        assert!(members(" {} \n").unwrap().is_empty());
    }

    #[test]
    fn deep_nesting_is_refused_without_recursion_blowup() {
        let deep = format!(r#"{{"a":{}{}}}"#, "[".repeat(100_000), "]".repeat(100_000));
        assert!(members(&deep).unwrap_err().0.contains("nested"));
        let at_limit = |n: usize| format!(r#"{{"a":{}{}}}"#, "[".repeat(n), "]".repeat(n));
        assert!(members(&at_limit(MAX_JSON_DEPTH - 1)).is_ok());
        assert!(members(&at_limit(MAX_JSON_DEPTH)).is_err());
        let objects = format!(r#"{{"a":{}1{}}}"#, "{\"b\":".repeat(50), "}".repeat(50));
        assert!(members(&objects).is_err());
        let objects = format!(r#"{{"a":{}1{}}}"#, "{\"b\":".repeat(7), "}".repeat(7));
        assert!(members(&objects).is_ok());
    }

    fn written(value: &impl Serialize, style: Style) -> String {
        let mut out = Vec::new();
        write(&mut out, value, style);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn canonical_and_python_styles() {
        let mut map = std::collections::BTreeMap::new();
        map.insert("call", serde_json::json!(["pick", "store"]));
        map.insert("expiry", serde_json::json!(1700000000));
        map.insert("path", serde_json::json!("é\"\\\n\u{1}\u{7f}😀"));
        assert_eq!(
            written(&map, Style::Canonical),
            "{\"call\":[\"pick\",\"store\"],\"expiry\":1700000000,\"path\":\"é\\\"\\\\\\n\\u0001\u{7f}😀\"}"
        );
        assert_eq!(
            written(&map, Style::Python),
            r#"{"call": ["pick", "store"], "expiry": 1700000000, "path": "\u00e9\"\\\n\u0001\u007f\ud83d\ude00"}"#
        );
    }
}
