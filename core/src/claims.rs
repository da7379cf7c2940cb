//! What a credential should allow: the claims a signer turns into a policy, given field
//! by field or (for bindings whose values are JSON-shaped, such as JavaScript's) as one
//! JSON object.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};

use crate::error::{Error, Result};
use crate::json::Text;

/// What a credential should allow: the fields of `DESIGN.md` §2, in Rust names, borrowed
/// from the caller. Leave a field `None` to leave it out of the policy.
///
/// Give `expires_in` (seconds from now) or `expiry` (Unix seconds), not both; with neither,
/// the credential lives [`DEFAULT_LIFETIME`](crate::limits::DEFAULT_LIFETIME) seconds (15 minutes).
///
/// ```
/// use capsign::Claims;
///
/// let claims = Claims {
///     expires_in: Some(15 * 60),
///     call: Some(&["pick"]),
///     path: Some("/uploads/user-42/.*"),
///     ..Claims::default()
/// };
/// # let _ = claims;
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Claims<'a> {
    /// Lifetime in seconds from the time of issue.
    pub expires_in: Option<u64>,
    /// Absolute expiry, Unix seconds.
    pub expiry: Option<u64>,
    /// Filestack calls allowed.
    pub call: Option<&'a [&'a str]>,
    /// The only file handle allowed.
    pub handle: Option<&'a str>,
    /// Full-match regex for source URLs.
    pub url: Option<&'a str>,
    /// Full-match regex for storage paths.
    pub path: Option<&'a str>,
    /// Full-match regex for storage containers.
    pub container: Option<&'a str>,
    /// Largest upload, in bytes.
    pub max_size: Option<u64>,
    /// Smallest upload, in bytes.
    pub min_size: Option<u64>,
    /// Commands allowed (capability strings).
    pub permissions: Option<&'a [&'a str]>,
    /// Not valid before, Unix seconds.
    pub nbf: Option<u64>,
    /// Token id, for revocation lists and audit logs.
    pub jti: Option<&'a str>,
    /// How many requests the credential may authorize (1 to
    /// [`MAX_USES`](crate::limits::MAX_USES); needs `jti`, and a verifier with a store).
    pub uses: Option<u64>,
}

/// Claims read from a JSON object with the JavaScript names (`expiresIn`, `expiry`,
/// `call`, `handle`, `url`, `path`, `container`, `maxSize`, `minSize`, `permissions`,
/// `nbf`, `jti`, `uses`), strings borrowed from the text where they have no escapes.
#[derive(Default)]
pub(crate) struct JsonClaims<'a> {
    expires_in: Option<u64>,
    expiry: Option<u64>,
    call: Option<Vec<Cow<'a, str>>>,
    handle: Option<Cow<'a, str>>,
    url: Option<Cow<'a, str>>,
    path: Option<Cow<'a, str>>,
    container: Option<Cow<'a, str>>,
    max_size: Option<u64>,
    min_size: Option<u64>,
    permissions: Option<Vec<Cow<'a, str>>>,
    nbf: Option<u64>,
    jti: Option<Cow<'a, str>>,
    uses: Option<u64>,
}

/// The claim names a JSON object may hold, and the error for each.
const NAMES: [&str; 13] = [
    "expiresIn",
    "expiry",
    "call",
    "handle",
    "url",
    "path",
    "container",
    "maxSize",
    "minSize",
    "permissions",
    "nbf",
    "jti",
    "uses",
];

impl<'a> JsonClaims<'a> {
    /// Reads `text`. Every value must have its claim's type: an integer (not negative, no
    /// fraction), a string, or a list of strings; `null` is refused (JSON writes `NaN` and
    /// the infinities as `null`, and a number that cannot be written must not pass for a
    /// claim left out). An unknown or repeated name is refused. Errors are
    /// `invalid_argument` naming the claim.
    pub(crate) fn parse(text: &'a str) -> Result<Self> {
        let mut de = serde_json::Deserializer::from_str(text);
        let parsed = de
            .deserialize_map(ClaimsVisitor)
            .and_then(|c| de.end().map(|()| c));
        parsed.map_err(|e| {
            // serde_json appends where it stopped; the claim's name says more.
            let message = e.to_string();
            let message = message
                .rsplit_once(" at line ")
                .map_or(message.as_str(), |(m, _)| m);
            match NAMES
                .iter()
                .find_map(|n| message.strip_prefix(&format!("{n}: ")).map(|m| (*n, m)))
            {
                Some((name, why)) => Error::argument(name, why.to_owned()),
                None => Error::argument("claims", message.to_owned()),
            }
        })
    }

    /// The claims, borrowing `self`, for [`crate::Signer::issue_at`].
    pub(crate) fn with<T>(&self, run: impl FnOnce(&Claims<'_>) -> T) -> T {
        fn list<'s>(l: &'s Option<Vec<Cow<'_, str>>>) -> Option<Vec<&'s str>> {
            l.as_ref()
                .map(|items| items.iter().map(AsRef::as_ref).collect())
        }
        let call = list(&self.call);
        let permissions = list(&self.permissions);
        run(&Claims {
            expires_in: self.expires_in,
            expiry: self.expiry,
            call: call.as_deref(),
            handle: self.handle.as_deref(),
            url: self.url.as_deref(),
            path: self.path.as_deref(),
            container: self.container.as_deref(),
            max_size: self.max_size,
            min_size: self.min_size,
            permissions: permissions.as_deref(),
            nbf: self.nbf,
            jti: self.jti.as_deref(),
            uses: self.uses,
        })
    }
}

struct ClaimsVisitor;

impl<'de> Visitor<'de> for ClaimsVisitor {
    type Value = JsonClaims<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the claims as an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JsonClaims<'de>, A::Error> {
        let mut c = JsonClaims::default();
        while let Some(Text(key)) = map.next_key()? {
            let name = NAMES.iter().copied().find(|n| *n == key).ok_or_else(|| {
                de::Error::custom(format!("{key:?} is not a claim ({})", NAMES.join(", ")))
            })?;
            let wrong = |expected: &str| de::Error::custom(format!("{name}: must be {expected}"));
            // Each claim once, of its type; `null` is not a value.
            macro_rules! set {
                ($slot:expr, $ty:ty, $expected:literal, $convert:expr) => {{
                    if $slot.is_some() {
                        return Err(de::Error::custom(format!("{name}: given more than once")));
                    }
                    let value: Option<$ty> =
                        map.next_value().map_err(|_: A::Error| wrong($expected))?;
                    $slot = Some($convert(value.ok_or_else(|| wrong($expected))?));
                }};
            }
            let text = |t: Text<'de>| t.0;
            let texts = |l: Vec<Text<'de>>| l.into_iter().map(|t| t.0).collect::<Vec<_>>();
            let int = |n: u64| n;
            match name {
                "expiresIn" => set!(c.expires_in, u64, "a non-negative integer", int),
                "expiry" => set!(c.expiry, u64, "a non-negative integer", int),
                "maxSize" => set!(c.max_size, u64, "a non-negative integer", int),
                "minSize" => set!(c.min_size, u64, "a non-negative integer", int),
                "nbf" => set!(c.nbf, u64, "a non-negative integer", int),
                "uses" => set!(c.uses, u64, "a non-negative integer", int),
                "handle" => set!(c.handle, Text<'de>, "a string", text),
                "url" => set!(c.url, Text<'de>, "a string", text),
                "path" => set!(c.path, Text<'de>, "a string", text),
                "container" => set!(c.container, Text<'de>, "a string", text),
                "jti" => set!(c.jti, Text<'de>, "a string", text),
                "call" => set!(c.call, Vec<Text<'de>>, "a list of strings", texts),
                _ => set!(c.permissions, Vec<Text<'de>>, "a list of strings", texts),
            }
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Result<JsonClaims<'_>> {
        JsonClaims::parse(text)
    }

    #[test]
    fn reads_the_javascript_names() {
        let c = parsed(
            r#"{"expiresIn":60,"call":["pick"],"handle":"H\u00e9","maxSize":10,"permissions":[]}"#,
        )
        .unwrap();
        c.with(|claims| {
            assert_eq!(claims.expires_in, Some(60));
            assert_eq!(claims.call, Some(&["pick"][..]));
            assert_eq!(claims.handle, Some("Hé"));
            assert_eq!(claims.max_size, Some(10));
            assert_eq!(claims.permissions, Some(&[][..]));
            assert_eq!(claims.jti, None);
        });
        assert!(parsed("{}").is_ok());
    }

    #[test]
    fn refuses_what_is_not_a_claim_value() {
        for (text, field) in [
            (r#"{"expiresIn":1.5}"#, "expiresIn"),
            (r#"{"expiresIn":-1}"#, "expiresIn"),
            (r#"{"expiresIn":1e3}"#, "expiresIn"),
            (r#"{"expiresIn":null}"#, "expiresIn"),
            (r#"{"expiresIn":"60"}"#, "expiresIn"),
            (r#"{"handle":5}"#, "handle"),
            (r#"{"handle":null}"#, "handle"),
            (r#"{"call":"pick"}"#, "call"),
            (r#"{"call":[1]}"#, "call"),
            (r#"{"jti":"a","jti":"b"}"#, "jti"),
            (r#"{"expiresin":60}"#, "claims"),
            (r#"{"now":0}"#, "claims"),
            ("[]", "claims"),
            ("{", "claims"),
            (r#"{"handle":"\ud800"}"#, "handle"),
        ] {
            let err = parsed(text)
                .err()
                .unwrap_or_else(|| panic!("{text} parsed"));
            assert_eq!(
                (err.code(), err.field()),
                ("invalid_argument", Some(field)),
                "{text}: {err}"
            );
        }
    }
}
