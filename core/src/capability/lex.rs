//! Splitting a permission or command line into tokens, and writing tokens back.
//!
//! Tokens are separated by spaces. A token may be double-quoted to hold spaces; inside
//! quotes only `\"` and `\\` are escapes. A flag's value may be quoted on its own
//! (`--name="a b"`, `[--name="a b"]`). Control characters are refused anywhere.

use std::borrow::Cow;

/// A lexical error: byte offset and what was expected there.
pub(crate) type LexError = (usize, Cow<'static, str>);

/// One token as written.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Raw<'a> {
    /// An unquoted run of characters.
    Bare(&'a str),
    /// A double-quoted token, unescaped.
    Quoted(String),
    /// A flag whose value is quoted: `head` is `--name=` or `[--name=`, `value` is
    /// unescaped, `bracket` says whether `]` closed it.
    FlagQuoted {
        head: &'a str,
        value: String,
        bracket: bool,
    },
}

/// A token and the byte offset where it starts.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    pub(crate) raw: Raw<'a>,
    pub(crate) at: usize,
}

/// Splits `text` into tokens, refusing more than `max_tokens`.
pub(crate) fn lex(text: &str, max_tokens: usize) -> Result<Vec<Token<'_>>, LexError> {
    if let Some((at, c)) = text.char_indices().find(|(_, c)| c.is_control()) {
        return Err((
            at,
            format!("control character {} is not allowed", c.escape_default()).into(),
        ));
    }
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    loop {
        while bytes.get(i) == Some(&b' ') {
            i += 1;
        }
        if i == bytes.len() {
            break;
        }
        if tokens.len() == max_tokens {
            return Err((i, format!("more than {max_tokens} tokens").into()));
        }
        let start = i;
        let raw = if bytes[i] == b'"' {
            let (value, end) = quoted(text, i)?;
            i = end;
            Raw::Quoted(value)
        } else {
            while i < bytes.len() && bytes[i] != b' ' && bytes[i] != b'"' {
                i += 1;
            }
            if bytes.get(i) == Some(&b'"') {
                let head = &text[start..i];
                let is_flag_head =
                    head.ends_with('=') && (head.starts_with('-') || head.starts_with("[-"));
                if !is_flag_head {
                    return Err((i, "a quote may only start a token or a flag's value".into()));
                }
                let (value, end) = quoted(text, i)?;
                i = end;
                let bracket = head.starts_with('[');
                if bracket {
                    if bytes.get(i) != Some(&b']') {
                        return Err((i, "expected `]` after the quoted value".into()));
                    }
                    i += 1;
                }
                Raw::FlagQuoted {
                    head,
                    value,
                    bracket,
                }
            } else {
                Raw::Bare(&text[start..i])
            }
        };
        if i < bytes.len() && bytes[i] != b' ' {
            return Err((i, "expected a space after a quoted token".into()));
        }
        tokens.push(Token { raw, at: start });
    }
    Ok(tokens)
}

/// Reads the quoted string starting at `start` (a `"`): its value and the offset after
/// the closing quote.
fn quoted(text: &str, start: usize) -> Result<(String, usize), LexError> {
    let mut value = String::new();
    let mut chars = text[start + 1..].char_indices();
    while let Some((offset, c)) = chars.next() {
        match c {
            '"' => return Ok((value, start + 1 + offset + 1)),
            '\\' => match chars.next() {
                Some((_, e @ ('"' | '\\'))) => value.push(e),
                _ => {
                    return Err((
                        start + 1 + offset,
                        "only \\\" and \\\\ are escapes inside quotes".into(),
                    ));
                }
            },
            c => value.push(c),
        }
    }
    Err((start, "unclosed quote".into()))
}

/// Whether a positional value must be quoted to read back as the same literal.
pub(crate) fn literal_needs_quotes(value: &str) -> bool {
    value.is_empty()
        || value.starts_with(['-', '[', '/'])
        || value.contains([' ', '"', '*', '[', ']'])
}

/// Whether a flag's value must be quoted to read back as the same literal.
pub(crate) fn value_needs_quotes(value: &str) -> bool {
    value.is_empty() || value.contains([' ', '"', '*', '[', ']'])
}

/// Whether a path must be quoted to read back as one token.
pub(crate) fn path_needs_quotes(path: &str) -> bool {
    path.contains([' ', '"', '*', '[', ']'])
}

/// Appends `value` in double quotes, escaping `"` and `\`.
pub(crate) fn write_quoted(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bare<'a>(t: &'a Token<'a>) -> &'a str {
        match &t.raw {
            Raw::Bare(s) => s,
            other => panic!("not bare: {other:?}"),
        }
    }

    #[test]
    fn splits_on_spaces() {
        let t = lex("  pin  add [-r] * ", 64).unwrap();
        assert_eq!(
            t.iter().map(bare).collect::<Vec<_>>(),
            ["pin", "add", "[-r]", "*"]
        );
        assert_eq!(t[1].at, 7);
    }

    #[test]
    fn quotes_and_escapes() {
        let t = lex(r#"cat "a b" "q\"\\""#, 64).unwrap();
        assert_eq!(t[1].raw, Raw::Quoted("a b".into()));
        assert_eq!(t[2].raw, Raw::Quoted("q\"\\".into()));
        let t = lex(r#"x --name="a b" [--t="*"]"#, 64).unwrap();
        assert_eq!(
            t[1].raw,
            Raw::FlagQuoted {
                head: "--name=",
                value: "a b".into(),
                bracket: false
            }
        );
        assert_eq!(
            t[2].raw,
            Raw::FlagQuoted {
                head: "[--t=",
                value: "*".into(),
                bracket: true
            }
        );
    }

    #[test]
    fn errors_carry_positions() {
        assert_eq!(lex(r#"cat "abc"#, 64).unwrap_err().0, 4);
        assert_eq!(lex(r#"cat "a\nb""#, 64).unwrap_err().0, 6);
        assert_eq!(lex(r#"cat ab"c""#, 64).unwrap_err().0, 6);
        assert_eq!(lex(r#"cat "a"b"#, 64).unwrap_err().0, 7);
        assert_eq!(lex("cat\ta", 64).unwrap_err().0, 3);
        assert_eq!(lex("a\u{0}", 64).unwrap_err().0, 1);
        assert_eq!(lex(r#"[--n="x""#, 64).unwrap_err().0, 8);
        assert!(lex("a b c", 2).is_err());
        assert!(lex("a b", 2).is_ok());
    }

    #[test]
    fn quoting_rules() {
        for v in ["", "-r", "[x", "/p", "a b", "a\"b", "*", "**", "a*b", "a]"] {
            assert!(literal_needs_quotes(v), "{v}");
        }
        for v in ["pin", "QmX", "a=b", "a\\b", "é"] {
            assert!(!literal_needs_quotes(v), "{v}");
        }
        let mut out = String::new();
        write_quoted(&mut out, "a\"b\\c");
        assert_eq!(out, r#""a\"b\\c""#);
    }
}
