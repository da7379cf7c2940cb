//! One error type for every refusal, with stable codes shared by all languages.
//!
//! The codes are the contract of `DESIGN.md` §5 (plus `invalid_argument`, see
//! `docs/decisions.md`). Messages say which check failed; they never contain key material,
//! and text copied from a credential is quoted and truncated so that it cannot forge log
//! lines.

use std::borrow::Cow;
use std::fmt;

/// `Result` with [`Error`] as the error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why capsign refused a credential, a policy, a permission, a command or a key.
///
/// Match on [`Error::code`] (stable across versions and languages) rather than on the
/// message text.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The credential cannot be decoded: bad base64, bad hex, not a JSON object, too long,
    /// or a `kid` that cannot select a key. Nothing in it was trusted.
    Malformed {
        /// What could not be decoded.
        reason: Cow<'static, str>,
    },
    /// The signature does not match the policy under the selected key.
    BadSignature,
    /// The policy names a `kid` the verifier does not hold, or names none and the verifier
    /// has no default secret.
    UnknownKey {
        /// The `kid` the policy named, if any.
        kid: Option<String>,
    },
    /// `now` is at or after `expiry + leeway`.
    Expired {
        /// The policy's `expiry`.
        expiry: u64,
        /// The time of the check.
        now: u64,
    },
    /// `now` is before `nbf - leeway`.
    NotYetValid {
        /// The policy's `nbf`.
        nbf: u64,
        /// The time of the check.
        now: u64,
    },
    /// The credential is genuine and current but does not allow the request.
    Denied {
        /// The policy field that refused: `call`, `handle`, `url`, `path`, `container`,
        /// `maxSize`, `minSize` or `permissions`.
        field: &'static str,
        /// What the request asked for that the field does not allow.
        reason: Cow<'static, str>,
    },
    /// The policy (signed, or about to be) breaks a rule of `DESIGN.md` §2.
    InvalidPolicy {
        /// The field at fault (for an unknown field, its name).
        field: Cow<'static, str>,
        /// The rule it breaks.
        reason: Cow<'static, str>,
    },
    /// A permission string does not follow the capability grammar (`DESIGN.md` §4).
    InvalidPermission {
        /// Byte offset in the permission string where the problem was found.
        position: usize,
        /// What was expected there.
        reason: Cow<'static, str>,
    },
    /// A request command, or the storage path a request names, is not well formed or not
    /// normalized (`DESIGN.md` §4; `docs/decisions.md`).
    InvalidCommand {
        /// What is wrong with it.
        reason: Cow<'static, str>,
    },
    /// A secret is empty or shorter than the minimum.
    WeakSecret {
        /// Why the secret was refused (its length, never its bytes).
        reason: Cow<'static, str>,
    },
    /// A configuration argument is out of its range (a negative or excessive leeway, a
    /// `kid` that cannot be a `kid`, a verifier with no key).
    InvalidArgument {
        /// The argument at fault.
        name: &'static str,
        /// The rule it breaks.
        reason: Cow<'static, str>,
    },
    /// An HTTP request carries no credentials at all (nothing was verified).
    MissingCredentials,
    /// A genuine, current credential that the store says was revoked (by its `jti`, by
    /// its key issued before a time, or everything issued before a time).
    Revoked {
        /// Which revocation applies: `jti`, `kid` or `before`.
        by: &'static str,
    },
    /// A genuine, current credential whose `uses` are all spent.
    UsedUp {
        /// The credential's `uses`.
        uses: u32,
    },
    /// The store could not answer (down, timed out, an unexpected reply): the request is
    /// refused, never allowed (fail closed).
    Unavailable {
        /// What went wrong, without the store's address or credentials.
        reason: Cow<'static, str>,
    },
}

impl Error {
    /// Every code, in the order of `DESIGN.md` §5.
    pub const CODES: [&'static str; 15] = [
        "malformed",
        "bad_signature",
        "unknown_key",
        "expired",
        "not_yet_valid",
        "denied",
        "invalid_policy",
        "invalid_permission",
        "invalid_command",
        "weak_secret",
        "invalid_argument",
        "missing_credentials",
        "revoked",
        "used_up",
        "unavailable",
    ];

    /// The stable identifier of this error, the same in Rust, Python, Node and the vectors.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Malformed { .. } => "malformed",
            Error::BadSignature => "bad_signature",
            Error::UnknownKey { .. } => "unknown_key",
            Error::Expired { .. } => "expired",
            Error::NotYetValid { .. } => "not_yet_valid",
            Error::Denied { .. } => "denied",
            Error::InvalidPolicy { .. } => "invalid_policy",
            Error::InvalidPermission { .. } => "invalid_permission",
            Error::InvalidCommand { .. } => "invalid_command",
            Error::WeakSecret { .. } => "weak_secret",
            Error::InvalidArgument { .. } => "invalid_argument",
            Error::MissingCredentials => "missing_credentials",
            Error::Revoked { .. } => "revoked",
            Error::UsedUp { .. } => "used_up",
            Error::Unavailable { .. } => "unavailable",
        }
    }

    /// The policy field (for `denied` and `invalid_policy`) or argument name (for
    /// `invalid_argument`) the error is about.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Denied { field, .. } => Some(field),
            Error::InvalidPolicy { field, .. } => Some(field),
            Error::InvalidArgument { name, .. } => Some(name),
            _ => None,
        }
    }

    /// The byte offset, for `invalid_permission`.
    pub fn position(&self) -> Option<usize> {
        match self {
            Error::InvalidPermission { position, .. } => Some(*position),
            _ => None,
        }
    }

    /// HTTP status for this error under RFC 6750, as both middlewares answer: 401 for a
    /// credential that is not good, 403 for a good one that does not allow the request,
    /// 400 for a request that cannot be expressed as a command, 503 when the store cannot
    /// answer, 500 otherwise (a server misconfiguration).
    pub fn http_status(&self) -> u16 {
        match self {
            Error::Malformed { .. }
            | Error::BadSignature
            | Error::UnknownKey { .. }
            | Error::Expired { .. }
            | Error::NotYetValid { .. }
            | Error::InvalidPolicy { .. }
            | Error::MissingCredentials
            | Error::Revoked { .. }
            | Error::UsedUp { .. } => 401,
            Error::Unavailable { .. } => 503,
            Error::Denied { .. } => 403,
            Error::InvalidCommand { .. } => 400,
            Error::InvalidPermission { .. }
            | Error::WeakSecret { .. }
            | Error::InvalidArgument { .. } => 500,
        }
    }

    /// The JSON body of the HTTP refusal for this error, as every adapter sends it:
    /// `{"error": code, "message": text}` (the message never holds key material).
    pub fn http_body(&self) -> String {
        serde_json::json!({"error": self.code(), "message": self.to_string()}).to_string()
    }

    /// The `WWW-Authenticate` header value to send with [`Error::http_status`] (RFC 6750):
    /// `error="invalid_token"` for 401, `"insufficient_scope"` for 403,
    /// `"invalid_request"` for 400.
    pub fn www_authenticate(&self) -> &'static str {
        if matches!(self, Error::MissingCredentials) {
            return crate::http::CHALLENGE;
        }
        match self.http_status() {
            401 => r#"Bearer realm="capsign", error="invalid_token""#,
            403 => r#"Bearer realm="capsign", error="insufficient_scope""#,
            400 => r#"Bearer realm="capsign", error="invalid_request""#,
            _ => r#"Bearer realm="capsign""#,
        }
    }

    pub(crate) fn malformed(reason: impl Into<Cow<'static, str>>) -> Self {
        Error::Malformed {
            reason: reason.into(),
        }
    }

    pub(crate) fn denied(field: &'static str, reason: impl Into<Cow<'static, str>>) -> Self {
        Error::Denied {
            field,
            reason: reason.into(),
        }
    }

    pub(crate) fn policy(
        field: impl Into<Cow<'static, str>>,
        reason: impl Into<Cow<'static, str>>,
    ) -> Self {
        Error::InvalidPolicy {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn permission(position: usize, reason: impl Into<Cow<'static, str>>) -> Self {
        Error::InvalidPermission {
            position,
            reason: reason.into(),
        }
    }

    pub(crate) fn command(reason: impl Into<Cow<'static, str>>) -> Self {
        Error::InvalidCommand {
            reason: reason.into(),
        }
    }

    /// An `invalid_argument` error, for bindings that check an argument of their own
    /// (such as "give one of command, rest and rpc").
    pub fn invalid_argument(name: &'static str, reason: impl Into<Cow<'static, str>>) -> Self {
        Error::argument(name, reason)
    }

    /// An `invalid_command` error (HTTP 400) for a request the adapters cannot check,
    /// such as a request field of the wrong type.
    pub fn invalid_request(reason: impl Into<Cow<'static, str>>) -> Self {
        Error::command(reason)
    }

    pub(crate) fn argument(name: &'static str, reason: impl Into<Cow<'static, str>>) -> Self {
        Error::InvalidArgument {
            name,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Malformed { reason } => write!(f, "malformed credentials: {reason}"),
            Error::BadSignature => f.write_str("the signature does not match the policy"),
            Error::UnknownKey { kid: Some(kid) } => {
                write!(f, "no key for kid {}", quote(kid))
            }
            Error::UnknownKey { kid: None } => {
                f.write_str("the policy names no kid and the verifier has no default secret")
            }
            Error::Expired { expiry, now } => {
                write!(f, "the policy expired at {expiry} (now {now})")
            }
            Error::NotYetValid { nbf, now } => {
                write!(f, "the policy is not valid before {nbf} (now {now})")
            }
            Error::Denied { field, reason } => write!(f, "denied by {field}: {reason}"),
            Error::InvalidPolicy { field, reason } => {
                write!(f, "invalid policy field {}: {reason}", quote(field))
            }
            Error::InvalidPermission { position, reason } => {
                write!(f, "invalid permission at byte {position}: {reason}")
            }
            Error::InvalidCommand { reason } => write!(f, "invalid command: {reason}"),
            Error::WeakSecret { reason } => write!(f, "weak secret: {reason}"),
            Error::InvalidArgument { name, reason } => {
                write!(f, "invalid argument {name}: {reason}")
            }
            Error::MissingCredentials => f.write_str("no credentials were presented"),
            Error::Revoked { by: "jti" } => f.write_str("the credential was revoked"),
            Error::Revoked { by: "kid" } => {
                f.write_str("every credential of this key issued before its revocation was revoked")
            }
            Error::Revoked { .. } => {
                f.write_str("every credential issued before the revocation was revoked")
            }
            Error::UsedUp { uses } => {
                write!(f, "the credential was used {uses} times, all it allows")
            }
            Error::Unavailable { reason } => {
                write!(f, "the revocation store cannot answer: {reason}")
            }
        }
    }
}

impl std::error::Error for Error {}

/// Longest stretch of untrusted text quoted into a message.
const QUOTE_MAX_CHARS: usize = 64;

/// Quotes untrusted text for a message: escapes control characters and quotes (so a log
/// line cannot be forged) and truncates long text.
pub(crate) fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(QUOTE_MAX_CHARS) + 8);
    out.push('"');
    for (count, c) in text.chars().enumerate() {
        if count == QUOTE_MAX_CHARS {
            out.push('…');
            break;
        }
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_listed() {
        let all = [
            Error::malformed("x"),
            Error::BadSignature,
            Error::UnknownKey { kid: None },
            Error::Expired { expiry: 1, now: 2 },
            Error::NotYetValid { nbf: 2, now: 1 },
            Error::denied("call", "x"),
            Error::policy("expiry", "x"),
            Error::permission(3, "x"),
            Error::command("x"),
            Error::WeakSecret { reason: "x".into() },
            Error::argument("leeway", "x"),
            Error::MissingCredentials,
            Error::Revoked { by: "jti" },
            Error::UsedUp { uses: 1 },
            Error::Unavailable { reason: "x".into() },
        ];
        let codes: Vec<_> = all.iter().map(Error::code).collect();
        assert_eq!(codes, Error::CODES);
    }

    #[test]
    fn quote_escapes_and_truncates() {
        assert_eq!(quote("a\"b\n"), "\"a\\\"b\\n\"");
        let long = "x".repeat(100);
        let q = quote(&long);
        assert!(q.ends_with("…\""));
        assert_eq!(q.chars().count(), QUOTE_MAX_CHARS + 3);
    }

    #[test]
    fn statuses_follow_rfc6750() {
        assert_eq!(Error::BadSignature.http_status(), 401);
        assert_eq!(Error::denied("call", "x").http_status(), 403);
        assert_eq!(Error::Expired { expiry: 1, now: 2 }.http_status(), 401);
        assert_eq!(
            Error::BadSignature.www_authenticate(),
            r#"Bearer realm="capsign", error="invalid_token""#
        );
        assert!(
            Error::denied("call", "x")
                .www_authenticate()
                .ends_with(r#"error="insufficient_scope""#)
        );
    }

    #[test]
    fn http_refusals() {
        let missing = Error::MissingCredentials;
        assert_eq!(missing.http_status(), 401);
        assert_eq!(missing.www_authenticate(), r#"Bearer realm="capsign""#);
        assert_eq!(
            missing.http_body(),
            r#"{"error":"missing_credentials","message":"no credentials were presented"}"#
        );
        let denied = Error::denied("handle", "the policy does not allow handle \"x\"");
        assert_eq!(
            denied.http_body(),
            r#"{"error":"denied","message":"denied by handle: the policy does not allow handle \"x\""}"#
        );
    }

    #[test]
    fn accessors() {
        assert_eq!(Error::denied("path", "x").field(), Some("path"));
        assert_eq!(Error::permission(7, "x").position(), Some(7));
        assert_eq!(Error::BadSignature.field(), None);
    }
}
