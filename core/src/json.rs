//! A strict JSON reader for policy objects, and the two writers capsign needs.
//!
//! Reading is RFC 8259 without extensions: no comments, no trailing commas, no lone
//! surrogates, no raw control characters in strings, and nesting bounded by
//! [`MAX_JSON_DEPTH`] so that hostile input can never exhaust the stack. Strings without
//! escapes borrow from the input. Numbers are kept as their source text, so that the
//! policy rules (integers below 2^53, zero fractions allowed) are applied exactly.
//!
//! Writing has two styles: canonical (compact separators, UTF-8, the escapes of Python's
//! `json.dumps(..., ensure_ascii=False)` and JavaScript's `JSON.stringify`), and
//! Python-compatible (`", "` and `": "` separators, `\uXXXX` for everything outside
//! printable ASCII), which is what filestack-python signs.

use std::borrow::Cow;

use crate::limits::MAX_JSON_DEPTH;

/// A parsed JSON value. Nested objects are never valid in a policy, so only their presence
/// is recorded.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value<'a> {
    Null,
    Bool(bool),
    /// The number's source text, already checked against the JSON grammar.
    Number(&'a str),
    String(Cow<'a, str>),
    Array(Vec<Value<'a>>),
    Object,
}

impl Value<'_> {
    /// The JSON type name, for error messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object => "an object",
        }
    }
}

/// A syntax error: what and where (byte offset in the decoded policy).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub(crate) what: &'static str,
    pub(crate) at: usize,
}

type Parsed<T> = Result<T, SyntaxError>;

/// Parses `text` as one JSON object and calls `member(key, value, raw)` for each member in
/// document order (duplicates included), where `raw` is the value's source text.
pub(crate) fn parse_object<'a>(
    text: &'a str,
    mut member: impl FnMut(Cow<'a, str>, Value<'a>, &'a str),
) -> Parsed<()> {
    let mut p = Reader { text, pos: 0 };
    p.whitespace();
    if p.peek() != Some(b'{') {
        return Err(p.error("the policy is not a JSON object"));
    }
    p.pos += 1;
    p.whitespace();
    if p.peek() == Some(b'}') {
        p.pos += 1;
    } else {
        loop {
            p.whitespace();
            if p.peek() != Some(b'"') {
                return Err(p.error("expected a member name"));
            }
            let key = p.string()?;
            p.whitespace();
            p.expect(b':', "expected ':'")?;
            p.whitespace();
            let start = p.pos;
            let value = p.value(1)?;
            member(key, value, &text[start..p.pos]);
            p.whitespace();
            match p.peek() {
                Some(b',') => p.pos += 1,
                Some(b'}') => {
                    p.pos += 1;
                    break;
                }
                _ => return Err(p.error("expected ',' or '}'")),
            }
        }
    }
    p.whitespace();
    if p.pos != text.len() {
        return Err(p.error("unexpected text after the policy object"));
    }
    Ok(())
}

struct Reader<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn error(&self, what: &'static str) -> SyntaxError {
        SyntaxError { what, at: self.pos }
    }

    fn expect(&mut self, byte: u8, what: &'static str) -> Parsed<()> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(what))
        }
    }

    fn whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Parsed<Value<'a>> {
        match self.peek() {
            Some(b'"') => Ok(Value::String(self.string()?)),
            Some(b'-' | b'0'..=b'9') => Ok(Value::Number(self.number()?)),
            Some(b'[') => self.array(depth + 1),
            Some(b'{') => self.object(depth + 1),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            _ => Err(self.error("expected a JSON value")),
        }
    }

    fn literal(&mut self, word: &'static str, value: Value<'a>) -> Parsed<Value<'a>> {
        if self.text.as_bytes()[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error("expected a JSON value"))
        }
    }

    fn array(&mut self, depth: usize) -> Parsed<Value<'a>> {
        if depth > MAX_JSON_DEPTH {
            return Err(self.error("JSON nested too deeply"));
        }
        self.pos += 1;
        let mut items = Vec::new();
        self.whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.whitespace();
            items.push(self.value(depth)?);
            self.whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.error("expected ',' or ']'")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Parsed<Value<'a>> {
        if depth > MAX_JSON_DEPTH {
            return Err(self.error("JSON nested too deeply"));
        }
        self.pos += 1;
        self.whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object);
        }
        loop {
            self.whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a member name"));
            }
            self.string()?;
            self.whitespace();
            self.expect(b':', "expected ':'")?;
            self.whitespace();
            self.value(depth)?;
            self.whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Object);
                }
                _ => return Err(self.error("expected ',' or '}'")),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Parsed<&'a str> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error("malformed number")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error("malformed number"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("malformed number"));
            }
        }
        Ok(&self.text[start..self.pos])
    }

    fn string(&mut self) -> Parsed<Cow<'a, str>> {
        let bytes = self.text.as_bytes();
        self.pos += 1;
        let start = self.pos;
        loop {
            match bytes.get(self.pos) {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Borrowed(&self.text[start..self.pos - 1]));
                }
                Some(b'\\') => break,
                Some(0..0x20) => return Err(self.error("control character in a string")),
                Some(_) => self.pos += 1,
            }
        }
        let mut out = String::with_capacity(self.pos - start + 16);
        out.push_str(&self.text[start..self.pos]);
        let mut run = self.pos;
        loop {
            match bytes.get(self.pos) {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    out.push_str(&self.text[run..self.pos]);
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    out.push_str(&self.text[run..self.pos]);
                    self.pos += 1;
                    self.escape(&mut out)?;
                    run = self.pos;
                }
                Some(0..0x20) => return Err(self.error("control character in a string")),
                Some(_) => self.pos += 1,
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Parsed<()> {
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let first = self.hex4()?;
                let code = match first {
                    0xd800..=0xdbff => {
                        if !self.text.as_bytes()[self.pos..].starts_with(b"\\u") {
                            return Err(self.error("lone surrogate in a string"));
                        }
                        self.pos += 2;
                        let second = self.hex4()?;
                        if !(0xdc00..=0xdfff).contains(&second) {
                            return Err(self.error("lone surrogate in a string"));
                        }
                        0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00)
                    }
                    0xdc00..=0xdfff => return Err(self.error("lone surrogate in a string")),
                    _ => first,
                };
                let c = char::from_u32(code).ok_or_else(|| self.error("bad \\u escape"))?;
                out.push(c);
                return Ok(());
            }
            _ => return Err(self.error("bad escape in a string")),
        };
        self.pos += 1;
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self) -> Parsed<u32> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = match self.peek() {
                Some(c @ b'0'..=b'9') => c - b'0',
                Some(c @ b'a'..=b'f') => c - b'a' + 10,
                Some(c @ b'A'..=b'F') => c - b'A' + 10,
                _ => return Err(self.error("bad \\u escape")),
            };
            v = (v << 4) | u32::from(d);
            self.pos += 1;
        }
        Ok(v)
    }
}

/// How a JSON object is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Style {
    /// `{"a":1,"b":["x"]}`, UTF-8: capsign's own output.
    Canonical,
    /// `{"a": 1, "b": ["x"]}` with `\uXXXX` for non-ASCII: Python's
    /// `json.dumps(obj, sort_keys=True)`, which filestack-python signs.
    Python,
}

impl Style {
    fn item_separator(self) -> &'static str {
        match self {
            Style::Canonical => ",",
            Style::Python => ", ",
        }
    }

    fn key_separator(self) -> &'static str {
        match self {
            Style::Canonical => ":",
            Style::Python => ": ",
        }
    }
}

/// Writes a JSON object member by member; keys must be given in sorted order.
pub(crate) struct ObjectWriter<'o> {
    out: &'o mut String,
    style: Style,
    first: bool,
}

impl<'o> ObjectWriter<'o> {
    pub(crate) fn new(out: &'o mut String, style: Style) -> Self {
        out.push('{');
        ObjectWriter {
            out,
            style,
            first: true,
        }
    }

    /// Keys are the policy's field names: ASCII identifiers that need no escaping.
    fn key(&mut self, key: &'static str) {
        debug_assert!(key.bytes().all(|b| b.is_ascii_alphanumeric()));
        if !self.first {
            self.out.push_str(self.style.item_separator());
        }
        self.first = false;
        self.out.push('"');
        self.out.push_str(key);
        self.out.push('"');
        self.out.push_str(self.style.key_separator());
    }

    pub(crate) fn integer(&mut self, key: &'static str, value: u64) {
        self.key(key);
        write_integer(self.out, value);
    }

    pub(crate) fn string(&mut self, key: &'static str, value: &str) {
        self.key(key);
        write_string(self.out, value, self.style);
    }

    pub(crate) fn strings<'s>(
        &mut self,
        key: &'static str,
        values: impl IntoIterator<Item = &'s str>,
    ) {
        self.key(key);
        write_string_array(self.out, values, self.style);
    }

    pub(crate) fn finish(self) {
        self.out.push('}');
    }
}

/// Writes `["a","b"]` in the given style.
pub(crate) fn write_string_array<'s>(
    out: &mut String,
    values: impl IntoIterator<Item = &'s str>,
    style: Style,
) {
    out.push('[');
    for (i, v) in values.into_iter().enumerate() {
        if i > 0 {
            out.push_str(style.item_separator());
        }
        write_string(out, v, style);
    }
    out.push(']');
}

/// Writes a JSON string literal in the given style.
pub(crate) fn write_string(out: &mut String, s: &str, style: Style) {
    let escapes =
        |b: u8| b == b'"' || b == b'\\' || b < 0x20 || (style == Style::Python && b >= 0x7f);
    out.reserve(s.len() + 2);
    out.push('"');
    let bytes = s.as_bytes();
    if !bytes.iter().any(|&b| escapes(b)) {
        out.push_str(s);
        out.push('"');
        return;
    }
    let (mut run, mut i) = (0, 0);
    while i < bytes.len() {
        let b = bytes[i];
        if !escapes(b) {
            i += 1;
            continue;
        }
        out.push_str(&s[run..i]);
        if b < 0x80 {
            match b {
                b'"' => out.push_str("\\\""),
                b'\\' => out.push_str("\\\\"),
                b'\n' => out.push_str("\\n"),
                b'\r' => out.push_str("\\r"),
                b'\t' => out.push_str("\\t"),
                0x08 => out.push_str("\\b"),
                0x0c => out.push_str("\\f"),
                _ => push_unicode_escape(out, u16::from(b)),
            }
            i += 1;
        } else {
            // Python style: a non-ASCII character, as UTF-16 escapes.
            let c = s[i..].chars().next().unwrap_or('\u{fffd}');
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                push_unicode_escape(out, *unit);
            }
            i += c.len_utf8();
        }
        run = i;
    }
    out.push_str(&s[run..]);
    out.push('"');
}

/// Appends `\uXXXX` with lowercase hex digits.
fn push_unicode_escape(out: &mut String, unit: u16) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push_str("\\u");
    for shift in [12, 8, 4, 0] {
        out.push(char::from(HEX[usize::from((unit >> shift) & 15)]));
    }
}

/// Appends the decimal digits of `value` without allocating.
pub(crate) fn write_integer(out: &mut String, mut value: u64) {
    let mut digits = [0u8; 20];
    let mut n = digits.len();
    loop {
        n -= 1;
        digits[n] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    if let Ok(text) = std::str::from_utf8(&digits[n..]) {
        out.push_str(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(text: &str) -> Parsed<Vec<(String, Value<'_>, String)>> {
        let mut out = Vec::new();
        parse_object(text, |k, v, raw| {
            out.push((k.into_owned(), v, raw.to_owned()))
        })?;
        Ok(out)
    }

    #[test]
    fn parses_members_in_order_with_raw_text() {
        let m = members(r#" {"b": [1, "x"], "a":"y", "b":null} "#).unwrap();
        assert_eq!(m.len(), 3);
        assert_eq!(m[0].0, "b");
        assert_eq!(
            m[0].1,
            Value::Array(vec![Value::Number("1"), Value::String("x".into())])
        );
        assert_eq!(m[0].2, r#"[1, "x"]"#);
        assert_eq!(m[1].1, Value::String("y".into()));
        assert_eq!(m[2].1, Value::Null);
    }

    #[test]
    fn strings_and_escapes() {
        let m = members(r#"{"s":"a\"b\\c\/d\n\u00e9\ud83d\ude00"}"#).unwrap();
        assert_eq!(m[0].1, Value::String("a\"b\\c/d\né😀".into()));
        for bad in [
            r#"{"s":"\ud83d"}"#,
            r#"{"s":"\ude00"}"#,
            r#"{"s":"\ud83d\u0041"}"#,
            r#"{"s":"\x"}"#,
            r#"{"s":"\u12"}"#,
            "{\"s\":\"a\nb\"}",
            r#"{"s":"abc}"#,
        ] {
            assert!(members(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn numbers_follow_the_grammar() {
        for good in ["0", "-0", "12", "1.5", "1e3", "1E+3", "1.0e-2", "-7"] {
            let text = format!(r#"{{"n":{good}}}"#);
            assert_eq!(members(&text).unwrap()[0].1, Value::Number(good), "{good}");
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
    }

    #[test]
    fn deep_nesting_is_refused_without_recursion_blowup() {
        let deep = format!(r#"{{"a":{}{}}}"#, "[".repeat(10_000), "]".repeat(10_000));
        let err = members(&deep).unwrap_err();
        assert_eq!(err.what, "JSON nested too deeply");
        let ok = format!(
            r#"{{"a":{}{}}}"#,
            "[".repeat(MAX_JSON_DEPTH - 1),
            "]".repeat(MAX_JSON_DEPTH - 1)
        );
        assert!(members(&ok).is_ok());
        let objects = format!(r#"{{"a":{}{}}}"#, "{\"b\":".repeat(50), "}".repeat(50));
        assert!(members(&objects).is_err());
    }

    #[test]
    fn canonical_writer() {
        let mut out = String::new();
        let mut w = ObjectWriter::new(&mut out, Style::Canonical);
        w.strings("call", ["pick", "store"]);
        w.integer("expiry", 1700000000);
        w.string("path", "é\"\\\n\u{1}\u{7f}");
        w.finish();
        assert_eq!(
            out,
            "{\"call\":[\"pick\",\"store\"],\"expiry\":1700000000,\"path\":\"é\\\"\\\\\\n\\u0001\u{7f}\"}"
        );
    }

    #[test]
    fn integers_are_written_in_decimal() {
        for v in [0, 7, 10, 1_700_000_000, u64::MAX] {
            let mut out = String::new();
            write_integer(&mut out, v);
            assert_eq!(out, v.to_string());
        }
    }

    #[test]
    fn every_control_character_is_escaped() {
        for style in [Style::Canonical, Style::Python] {
            for c in 0u8..0x20 {
                let mut out = String::new();
                write_string(&mut out, &char::from(c).to_string(), style);
                let expected = match c {
                    b'\n' => "\"\\n\"".to_owned(),
                    b'\r' => "\"\\r\"".to_owned(),
                    b'\t' => "\"\\t\"".to_owned(),
                    8 => "\"\\b\"".to_owned(),
                    12 => "\"\\f\"".to_owned(),
                    c => format!("\"\\u{c:04x}\""),
                };
                assert_eq!(out, expected);
            }
        }
    }

    #[test]
    fn python_writer_matches_json_dumps() {
        // json.dumps({"call": ["store"], "expiry": 1700000000, "path": "é😀\x7f"}, sort_keys=True)
        let mut out = String::new();
        let mut w = ObjectWriter::new(&mut out, Style::Python);
        w.strings("call", ["store"]);
        w.integer("expiry", 1700000000);
        w.string("path", "é😀\u{7f}");
        w.finish();
        assert_eq!(
            out,
            r#"{"call": ["store"], "expiry": 1700000000, "path": "\u00e9\ud83d\ude00\u007f"}"#
        );
    }
}
