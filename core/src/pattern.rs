//! Policy regexes (`url`, `path`, `container`) and the bounded cache that keeps compiled
//! forms, so that a hot verification path never recompiles.
//!
//! Patterns use the syntax of Rust's `regex` crate (linear time, no backreferences) and are
//! **full matches**: `pat` is compiled as `\A(?:pat)\z`. The pattern is first parsed on its
//! own, so it cannot close the wrapping group early (`a)|(b` is refused rather than turned
//! into an unanchored alternative).

use std::fmt;
use std::sync::Arc;

use regex::{Regex, RegexBuilder};

use crate::limits::{REGEX_DFA_LIMIT, REGEX_NEST_LIMIT, REGEX_SIZE_LIMIT};

/// A compiled, fully anchored policy regex together with its source text.
#[derive(Clone)]
pub struct Pattern {
    source: Arc<str>,
    regex: Regex,
}

impl Pattern {
    /// Compiles `source` as a full-match pattern. The error says why it cannot be used.
    pub fn new(source: &str) -> Result<Self, String> {
        regex_syntax::ast::parse::ParserBuilder::new()
            .nest_limit(REGEX_NEST_LIMIT)
            .build()
            .parse(source)
            .map_err(|e| format!("not a valid regex: {}", e.kind()))?;
        let regex = RegexBuilder::new(&format!(r"\A(?:{source})\z"))
            .size_limit(REGEX_SIZE_LIMIT)
            .dfa_size_limit(REGEX_DFA_LIMIT)
            .nest_limit(REGEX_NEST_LIMIT + 1)
            .build()
            .map_err(|e| match e {
                regex::Error::CompiledTooBig(limit) => {
                    format!("the regex compiles to more than {limit} bytes")
                }
                other => format!("not a valid regex: {other}"),
            })?;
        Ok(Pattern {
            source: source.into(),
            regex,
        })
    }

    /// The pattern as written in the policy.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the whole of `text` matches.
    pub fn is_match(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Pattern").field(&self.source).finish()
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn full_match_semantics() {
        let p = Pattern::new("/uploads/user-42/.*").unwrap();
        assert!(p.is_match("/uploads/user-42/a.png"));
        assert!(!p.is_match("x/uploads/user-42/a.png"));
        assert!(!p.is_match("/uploads/user-42"));
        let anchored = Pattern::new("^/avatars/[0-9]+/?$").unwrap();
        assert!(anchored.is_match("/avatars/12/"));
        assert!(!anchored.is_match("/avatars/12/x"));
        let alt = Pattern::new("a|b").unwrap();
        assert!(alt.is_match("a") && alt.is_match("b") && !alt.is_match("ab"));
        assert!(!Pattern::new("a").unwrap().is_match("a\n"));
    }

    #[test]
    fn cannot_escape_the_anchor_group() {
        assert!(Pattern::new("a)|(b").is_err());
        assert!(Pattern::new("a)").is_err());
        assert!(Pattern::new("(a").is_err());
        // Verbose mode cannot comment out the closing anchor either.
        match Pattern::new("(?x)a#") {
            Err(_) => {}
            Ok(p) => assert!(!p.is_match("ab")),
        }
    }

    #[test]
    fn refuses_what_rust_regex_refuses() {
        assert!(Pattern::new(r"(a)\1").is_err(), "backreferences");
        assert!(Pattern::new("(?=a)").is_err(), "lookahead");
        assert!(Pattern::new("[").is_err());
    }

    #[test]
    fn huge_patterns_fail_fast() {
        let start = Instant::now();
        let err = Pattern::new("a{1000}{1000}").unwrap_err();
        assert!(err.contains("regex"), "{err}");
        assert!(start.elapsed() < Duration::from_secs(1));
        assert!(Pattern::new(&"(".repeat(200)).is_err());
    }

    #[test]
    fn backtracking_patterns_are_linear() {
        let p = Pattern::new("(a+)+$").unwrap();
        let text = format!("{}!", "a".repeat(10_000));
        let start = Instant::now();
        assert!(!p.is_match(&text));
        assert!(start.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn unicode_classes_fit_the_size_limit() {
        assert!(Pattern::new(r"\w+/[\p{L}\d_-]+\.(png|jpe?g)").is_ok());
    }
}
