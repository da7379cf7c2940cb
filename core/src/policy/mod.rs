//! The policy object (`DESIGN.md` §2): what a credential allows.
//!
//! - [`field`]: the fields, each named once;
//! - [`call`]: the Filestack calls;
//! - [`decode`]: signed JSON to typed fields (strict, fail closed);
//! - `Policy::assemble` (here): the rules of §2 on typed fields, from JSON or from a signer;
//! - [`encode`]: the canonical and Python-compatible JSON a signer encodes;
//! - [`authorize`]: what a verified policy allows a request to do;
//! - [`compiled`]: the caches of compiled regexes and permission sets.
//!
//! Parsing fails closed: unknown fields, duplicate keys, wrong types, integers outside
//! `[0, 2^53)`, `minSize > maxSize`, unknown call names, regexes that do not compile and
//! permissions that do not parse all make the policy invalid, naming the field.

mod authorize;
pub(crate) mod call;
pub(crate) mod compiled;
pub(crate) mod decode;
mod encode;
pub(crate) mod field;

use std::borrow::Cow;
use std::sync::Arc;

use crate::capability::{Permission, PermissionSet};
use crate::error::{Error, Result};
use crate::keys::kid_problem;
use crate::limits::{MAX_INTEGER, MAX_JTI_LEN, MAX_USES};
use crate::pattern::Pattern;
pub use call::Call;
use call::DEFAULT_CALLS;
use compiled::Compiled;
use field::Field;
pub use field::FieldValue;

/// The fields of a policy with their types checked, from JSON or from issuing arguments.
#[derive(Default)]
pub(crate) struct Parts<'a> {
    pub(crate) expiry: Option<u64>,
    pub(crate) call: Option<Vec<Call>>,
    pub(crate) handle: Option<Cow<'a, str>>,
    pub(crate) url: Option<Cow<'a, str>>,
    pub(crate) path: Option<Cow<'a, str>>,
    pub(crate) container: Option<Cow<'a, str>>,
    pub(crate) max_size: Option<u64>,
    pub(crate) min_size: Option<u64>,
    /// The permission strings and JSON text of their array (the cache key).
    pub(crate) permissions: Option<(Vec<Cow<'a, str>>, Cow<'a, str>)>,
    pub(crate) kid: Option<Cow<'a, str>>,
    pub(crate) nbf: Option<u64>,
    pub(crate) jti: Option<Cow<'a, str>>,
    pub(crate) iat: Option<u64>,
    pub(crate) uses: Option<u64>,
}

/// A field's value, borrowed from a policy.
pub(crate) enum Item<'a> {
    Integer(u64),
    String(&'a str),
    Calls(&'a [Call]),
    Permissions(&'a PermissionSet),
}

/// A validated policy: what a credential allows.
#[derive(Clone, Debug)]
pub struct Policy {
    expiry: u64,
    call: Option<Vec<Call>>,
    allowed_calls: u16,
    handle: Option<Box<str>>,
    url: Option<Arc<Pattern>>,
    path: Option<Arc<Pattern>>,
    container: Option<Arc<Pattern>>,
    max_size: Option<u64>,
    min_size: Option<u64>,
    permissions: Option<Arc<PermissionSet>>,
    kid: Option<Box<str>>,
    nbf: Option<u64>,
    jti: Option<Box<str>>,
    iat: Option<u64>,
    uses: Option<u32>,
}

impl Policy {
    /// Checks every rule of §2 and compiles patterns and permissions (through `compiled`).
    pub(crate) fn assemble(parts: Parts<'_>, compiled: &Compiled) -> Result<Policy> {
        let expiry = integer(
            Field::Expiry,
            parts
                .expiry
                .ok_or_else(|| Error::policy(Field::Expiry.name(), "is required"))?,
        )?;
        let handle = parts
            .handle
            .map(|h| text(Field::Handle, &h, usize::MAX))
            .transpose()?;
        let pattern = |field, source: Option<Cow<'_, str>>| {
            source.map(|s| compiled.pattern(field, &s)).transpose()
        };
        let url = pattern(Field::Url, parts.url)?;
        let path = pattern(Field::Path, parts.path)?;
        let container = pattern(Field::Container, parts.container)?;
        let max_size = parts
            .max_size
            .map(|v| integer(Field::MaxSize, v))
            .transpose()?;
        let min_size = parts
            .min_size
            .map(|v| integer(Field::MinSize, v))
            .transpose()?;
        if let (Some(min), Some(max)) = (min_size, max_size)
            && min > max
        {
            return Err(Error::policy(
                Field::MinSize.name(),
                format!("minSize {min} is greater than maxSize {max}"),
            ));
        }
        let permissions = parts
            .permissions
            .map(|(items, key)| compiled.permissions(&key, &items))
            .transpose()?;
        let kid = match parts.kid {
            Some(kid) => match kid_problem(&kid) {
                Some(why) => return Err(Error::policy(Field::Kid.name(), why)),
                None => Some(kid.as_ref().into()),
            },
            None => None,
        };
        let nbf = parts.nbf.map(|v| integer(Field::Nbf, v)).transpose()?;
        if let Some(nbf) = nbf
            && nbf >= expiry
        {
            return Err(Error::policy(
                Field::Nbf.name(),
                format!("nbf {nbf} is not before expiry {expiry}"),
            ));
        }
        let jti = parts
            .jti
            .map(|j| text(Field::Jti, &j, MAX_JTI_LEN))
            .transpose()?;
        let iat = parts.iat.map(|v| integer(Field::Iat, v)).transpose()?;
        if let Some(iat) = iat
            && iat > expiry
        {
            return Err(Error::policy(
                Field::Iat.name(),
                format!("iat {iat} is after expiry {expiry}"),
            ));
        }
        let uses = parts.uses.map(|v| uses(v, jti.is_some())).transpose()?;
        let call = parts.call;
        let allowed_calls = match (&call, &permissions) {
            (Some(calls), _) => calls.iter().fold(0, |bits, c| bits | c.bit()),
            (None, Some(_)) => 0,
            (None, None) => DEFAULT_CALLS,
        };
        Ok(Policy {
            expiry,
            call,
            allowed_calls,
            handle,
            url,
            path,
            container,
            max_size,
            min_size,
            permissions,
            kid,
            nbf,
            jti,
            iat,
            uses,
        })
    }

    /// The value of `field`, if present.
    pub(crate) fn item(&self, field: Field) -> Option<Item<'_>> {
        fn pattern(p: &Option<Arc<Pattern>>) -> Option<Item<'_>> {
            p.as_deref().map(|p| Item::String(p.as_str()))
        }
        match field {
            Field::Call => self.call.as_deref().map(Item::Calls),
            Field::Container => pattern(&self.container),
            Field::Expiry => Some(Item::Integer(self.expiry)),
            Field::Handle => self.handle.as_deref().map(Item::String),
            Field::Iat => self.iat.map(Item::Integer),
            Field::Jti => self.jti.as_deref().map(Item::String),
            Field::Kid => self.kid.as_deref().map(Item::String),
            Field::MaxSize => self.max_size.map(Item::Integer),
            Field::MinSize => self.min_size.map(Item::Integer),
            Field::Nbf => self.nbf.map(Item::Integer),
            Field::Path => pattern(&self.path),
            Field::Permissions => self.permissions.as_deref().map(Item::Permissions),
            Field::Url => pattern(&self.url),
            Field::Uses => self.uses.map(|n| Item::Integer(u64::from(n))),
        }
    }

    /// The fields present, in sorted order.
    pub(crate) fn items(&self) -> impl Iterator<Item = (Field, Item<'_>)> {
        Field::ALL
            .into_iter()
            .filter_map(|field| self.item(field).map(|item| (field, item)))
    }

    /// The fields present, in sorted order.
    pub fn fields(&self) -> Vec<(&'static str, FieldValue<'_>)> {
        self.items()
            .map(|(field, item)| {
                let value = match item {
                    Item::Integer(v) => FieldValue::Integer(v),
                    Item::String(v) => FieldValue::String(v),
                    Item::Calls(calls) => {
                        FieldValue::Strings(calls.iter().map(|c| c.as_str()).collect())
                    }
                    Item::Permissions(set) => {
                        FieldValue::Strings(set.iter().map(Permission::as_str).collect())
                    }
                };
                (field.name(), value)
            })
            .collect()
    }

    /// `expiry`: Unix seconds; valid while `now < expiry + leeway`.
    pub fn expiry(&self) -> u64 {
        self.expiry
    }

    /// `call`, if present.
    pub fn call(&self) -> Option<&[Call]> {
        self.call.as_deref()
    }

    /// `handle`, if present.
    pub fn handle(&self) -> Option<&str> {
        self.handle.as_deref()
    }

    /// `url` (a full-match regex), if present.
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref().map(Pattern::as_str)
    }

    /// `path` (a full-match regex), if present.
    pub fn path(&self) -> Option<&str> {
        self.path.as_deref().map(Pattern::as_str)
    }

    /// `container` (a full-match regex), if present.
    pub fn container(&self) -> Option<&str> {
        self.container.as_deref().map(Pattern::as_str)
    }

    /// `maxSize` in bytes, if present.
    pub fn max_size(&self) -> Option<u64> {
        self.max_size
    }

    /// `minSize` in bytes, if present.
    pub fn min_size(&self) -> Option<u64> {
        self.min_size
    }

    /// `permissions`, if present.
    pub fn permissions(&self) -> Option<&PermissionSet> {
        self.permissions.as_deref()
    }

    /// `kid`, if present.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// `nbf`, if present.
    pub fn nbf(&self) -> Option<u64> {
        self.nbf
    }

    /// `jti`, if present.
    pub fn jti(&self) -> Option<&str> {
        self.jti.as_deref()
    }

    /// `iat` (issued at, Unix seconds), if present.
    pub fn iat(&self) -> Option<u64> {
        self.iat
    }

    /// `uses` (how many requests the credential may authorize), if present.
    pub fn uses(&self) -> Option<u32> {
        self.uses
    }

    /// Whether the policy allows `call` (Filestack's rules, including the `exif` exception
    /// and "a policy with `permissions` but no `call` grants no calls").
    pub fn allows_call(&self, call: Call) -> bool {
        self.allowed_calls & call.bit() != 0
    }

    /// Checks `expiry` and `nbf` against `now`, with `leeway` seconds of tolerance.
    pub(crate) fn check_time(&self, now: u64, leeway: u64) -> Result<()> {
        if now >= self.expiry.saturating_add(leeway) {
            return Err(Error::Expired {
                expiry: self.expiry,
                now,
            });
        }
        if let Some(nbf) = self.nbf
            && now < nbf.saturating_sub(leeway)
        {
            return Err(Error::NotYetValid { nbf, now });
        }
        // A credential issued in the future would escape every "issued before" revocation
        // until then: it is not valid yet.
        if let Some(iat) = self.iat
            && now < iat.saturating_sub(leeway)
        {
            return Err(Error::NotYetValid { nbf: iat, now });
        }
        Ok(())
    }
}

/// `uses`: 1 to [`MAX_USES`], and only with a `jti` (the counter's name).
fn uses(value: u64, has_jti: bool) -> Result<u32> {
    if !(1..=MAX_USES).contains(&value) {
        return Err(Error::policy(
            Field::Uses.name(),
            format!("{value} is outside [1, {MAX_USES}]"),
        ));
    }
    if !has_jti {
        return Err(Error::policy(
            Field::Uses.name(),
            "needs a jti to count the uses under",
        ));
    }
    u32::try_from(value).map_err(|_| Error::policy(Field::Uses.name(), "is too large"))
}

fn integer(field: Field, value: u64) -> Result<u64> {
    if value > MAX_INTEGER {
        return Err(Error::policy(
            field.name(),
            format!("{value} is outside [0, 2^53)"),
        ));
    }
    Ok(value)
}

/// A string field: non-empty, no control characters, at most `max_chars` characters.
fn text(field: Field, value: &str, max_chars: usize) -> Result<Box<str>> {
    if value.is_empty() {
        return Err(Error::policy(field.name(), "is empty"));
    }
    let mut chars = 0;
    for c in value.chars() {
        if c.is_control() {
            return Err(Error::policy(field.name(), "contains a control character"));
        }
        chars += 1;
    }
    if chars > max_chars {
        return Err(Error::policy(
            field.name(),
            format!("has {chars} characters, more than {max_chars}"),
        ));
    }
    Ok(value.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn policy(json: &str) -> Result<Policy> {
        decode::RawPolicy::parse(json)?.validate(&Compiled::new(), false)
    }

    fn field_of(json: &str) -> String {
        let err = policy(json).unwrap_err();
        assert_eq!(err.code(), "invalid_policy", "{json}: {err}");
        err.field().unwrap().to_owned()
    }

    #[test]
    fn every_field_parses_and_writes_back() {
        let p = policy(
            r#"{"call":["pick","store"],"container":"bucket-[0-9]+","expiry":100,
                "handle":"KW9EJhYtS6y48Whm2S6D","iat":40,"jti":"t-1","kid":"k1","maxSize":10,
                "minSize":1,"nbf":50,"path":"/u/.*","permissions":["pin add [-r] *"],
                "url":"https://example\\.com/.*","uses":3}"#,
        )
        .unwrap();
        assert_eq!(p.call(), Some(&[Call::Pick, Call::Store][..]));
        assert_eq!(p.handle(), Some("KW9EJhYtS6y48Whm2S6D"));
        assert_eq!(p.permissions().unwrap().len(), 1);
        assert_eq!(
            p.to_json(),
            r#"{"call":["pick","store"],"container":"bucket-[0-9]+","expiry":100,"handle":"KW9EJhYtS6y48Whm2S6D","iat":40,"jti":"t-1","kid":"k1","maxSize":10,"minSize":1,"nbf":50,"path":"/u/.*","permissions":["pin add [-r] *"],"url":"https://example\\.com/.*","uses":3}"#
        );
        assert_eq!(p.fields().len(), Field::COUNT);
    }

    #[test]
    fn rules_name_the_field() {
        assert_eq!(field_of(r#"{}"#), "expiry");
        assert_eq!(field_of(r#"{"expiry":9007199254740992}"#), "expiry");
        assert_eq!(field_of(r#"{"expiry":9,"handle":""}"#), "handle");
        assert_eq!(field_of(r#"{"expiry":9,"handle":"a\u0000"}"#), "handle");
        assert_eq!(field_of(r#"{"expiry":9,"handle":"a\u0085"}"#), "handle");
        assert_eq!(field_of(r#"{"expiry":9,"path":"("}"#), "path");
        assert_eq!(field_of(r#"{"expiry":9,"url":"a{1000}{1000}"}"#), "url");
        assert_eq!(field_of(r#"{"expiry":9,"container":"a)|(b"}"#), "container");
        assert_eq!(
            field_of(r#"{"expiry":9,"minSize":5,"maxSize":4}"#),
            "minSize"
        );
        assert_eq!(field_of(r#"{"expiry":9,"kid":""}"#), "kid");
        assert_eq!(
            field_of(&format!(r#"{{"expiry":9,"kid":"{}"}}"#, "k".repeat(65))),
            "kid"
        );
        assert_eq!(
            field_of(&format!(r#"{{"expiry":9,"jti":"{}"}}"#, "j".repeat(129))),
            "jti"
        );
        assert!(policy(&format!(r#"{{"expiry":9,"jti":"{}"}}"#, "j".repeat(128))).is_ok());
        assert_eq!(field_of(r#"{"expiry":9,"nbf":9}"#), "nbf");
    }

    #[test]
    fn time_checks() {
        let p = policy(r#"{"expiry":100,"nbf":50}"#).unwrap();
        assert!(p.check_time(99, 0).is_ok());
        assert_eq!(p.check_time(100, 0).unwrap_err().code(), "expired");
        assert!(p.check_time(104, 5).is_ok());
        assert_eq!(p.check_time(105, 5).unwrap_err().code(), "expired");
        assert_eq!(p.check_time(49, 0).unwrap_err().code(), "not_yet_valid");
        assert!(p.check_time(50, 0).is_ok());
        assert!(p.check_time(45, 5).is_ok());
        assert_eq!(p.check_time(44, 5).unwrap_err().code(), "not_yet_valid");
        let far = policy(r#"{"expiry":9007199254740991}"#).unwrap();
        assert!(far.check_time(u64::MAX - 1, 0).is_err());
        assert!(far.check_time(0, u64::MAX).is_ok());
    }

    #[test]
    fn calls_follow_filestack_defaults() {
        let default = policy(r#"{"expiry":9}"#).unwrap();
        assert!(default.allows_call(Call::Read));
        assert!(!default.allows_call(Call::Exif));
        let listed = policy(r#"{"expiry":9,"call":["exif"]}"#).unwrap();
        assert!(listed.allows_call(Call::Exif) && !listed.allows_call(Call::Read));
        let perms_only = policy(r#"{"expiry":9,"permissions":["id"]}"#).unwrap();
        assert!(!perms_only.allows_call(Call::Read));
    }
}
