//! Verifying credentials, in the order of `DESIGN.md` §5:
//! `decode → select key → check signature → validate policy → check time → authorize`.
//!
//! Nothing in the policy is trusted before the signature holds: before that point the only
//! possible errors are `malformed`, `unknown_key` and `bad_signature`.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::cache::Cache;
use crate::capability::{Permission, PermissionSet};
use crate::encoding::{base64_decode, hex_decode_32};
use crate::error::{Error, Result};
use crate::http::Presented;
use crate::keys::{HmacKey, Secret, check_kid};
use crate::limits::{MAX_LEEWAY, MAX_POLICY_LEN, MIN_SECRET_LEN};
use crate::policy::Policy;
use crate::policy::compiled::Compiled;
use crate::policy::decode::RawPolicy;
use crate::request::{CommandRef, Request};

/// Verifies credentials against a default secret and/or secrets by `kid`.
///
/// `Send + Sync`; cloning is cheap (the keys and the compiled-pattern cache are shared).
#[derive(Clone)]
pub struct Verifier {
    inner: Arc<Inner>,
}

struct Inner {
    default: Option<HmacKey>,
    keys: HashMap<String, HmacKey>,
    leeway: u64,
    compiled: Compiled,
    /// Policies already decoded and validated, by the policy string as transmitted. A hit
    /// skips decoding and validation, never the signature check. Only policies whose
    /// signature held are inserted, so traffic without valid credentials cannot fill it.
    verified: Cache<Policy>,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("default_secret", &self.has_default_secret())
            .field("kids", &self.kids())
            .field("leeway", &self.inner.leeway)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier for policies signed with `secret` (no `kid`, as Filestack's are), with
    /// no leeway.
    pub fn new(secret: impl Into<Secret>) -> Result<Verifier> {
        Verifier::builder().secret(secret).build()
    }

    /// Options: a default secret, secrets by `kid`, leeway, minimum secret length.
    pub fn builder() -> VerifierBuilder {
        VerifierBuilder {
            default: None,
            keys: Vec::new(),
            leeway: 0,
            min_secret_len: MIN_SECRET_LEN,
        }
    }

    /// The clock tolerance, in seconds.
    pub fn leeway(&self) -> u64 {
        self.inner.leeway
    }

    /// Whether the verifier holds a secret for policies without a `kid`.
    pub fn has_default_secret(&self) -> bool {
        self.inner.default.is_some()
    }

    /// The `kid`s the verifier holds secrets for, sorted.
    pub fn kids(&self) -> Vec<&str> {
        let mut kids: Vec<&str> = self.inner.keys.keys().map(String::as_str).collect();
        kids.sort_unstable();
        kids
    }

    /// Verifies a policy and signature pair by the system clock, then authorizes `request`
    /// unless it is empty (see [`Verifier::verify_at`]).
    pub fn verify(&self, policy: &str, signature: &str, request: &Request<'_>) -> Result<Grant> {
        self.verify_at(policy, signature, request, crate::unix_now())
    }

    /// Verifies a policy and signature pair as of `now` (Unix seconds): decodes, selects
    /// the key by `kid`, checks the signature in constant time, validates the policy,
    /// checks `expiry` and `nbf`, and authorizes `request`.
    ///
    /// An empty `request` (naming nothing) skips authorization: the grant is genuine and
    /// current, and [`Grant::authorize`] checks requests against it later.
    pub fn verify_at(
        &self,
        policy: &str,
        signature: &str,
        request: &Request<'_>,
        now: u64,
    ) -> Result<Grant> {
        if policy.len() > MAX_POLICY_LEN {
            return Err(Error::malformed(format!(
                "the policy is longer than {MAX_POLICY_LEN} bytes"
            )));
        }
        let tag = hex_decode_32(signature.as_bytes()).map_err(Error::malformed)?;
        if let Some(known) = self.inner.verified.get(policy) {
            // Same string, so decoding would select the same key and validate the same way.
            let key = self.select(known.kid())?;
            if !key.verify(policy.as_bytes(), &tag) {
                return Err(Error::BadSignature);
            }
            return self.grant(known, request, now);
        }
        let decoded = base64_decode(policy.as_bytes()).map_err(Error::malformed)?;
        let json = std::str::from_utf8(&decoded)
            .map_err(|_| Error::malformed("the decoded policy is not UTF-8"))?;
        let raw = RawPolicy::parse(json)?;
        let key = self.select(raw.kid()?)?;
        if !key.verify(policy.as_bytes(), &tag) {
            return Err(Error::BadSignature);
        }
        let validated = Arc::new(raw.validate(&self.inner.compiled, false)?);
        self.inner.verified.insert(policy, Arc::clone(&validated));
        self.grant(validated, request, now)
    }

    /// The last two steps: time, then the request.
    fn grant(&self, policy: Arc<Policy>, request: &Request<'_>, now: u64) -> Result<Grant> {
        policy.check_time(now, self.inner.leeway)?;
        let matched = if request.is_empty() {
            None
        } else {
            policy.authorize(request)?
        };
        Ok(Grant { policy, matched })
    }

    /// Verifies a compact token `<policy>.<signature>` by the system clock.
    pub fn verify_token(&self, token: &str, request: &Request<'_>) -> Result<Grant> {
        self.verify_token_at(token, request, crate::unix_now())
    }

    /// Verifies a compact token `<policy>.<signature>` as of `now`.
    pub fn verify_token_at(&self, token: &str, request: &Request<'_>, now: u64) -> Result<Grant> {
        crate::limits::check_token_len(token.len())?;
        let (policy, signature) = split_token(token)?;
        self.verify_at(policy, signature, request, now)
    }

    /// Verifies the credentials of an HTTP request as of `now`: reads them with
    /// [`crate::http::read_credentials`], then verifies. `Ok(None)`: the request carries
    /// no credentials (answer 401 with [`crate::http::CHALLENGE`]).
    pub fn verify_http_at(
        &self,
        authorization: Option<&str>,
        policy: &[&str],
        signature: &[&str],
        request: &Request<'_>,
        now: u64,
    ) -> Result<Option<Grant>> {
        match crate::http::read_credentials(authorization, policy, signature)? {
            None => Ok(None),
            Some(Presented::Token(token)) => self.verify_token_at(token, request, now).map(Some),
            Some(Presented::Pair { policy, signature }) => {
                self.verify_at(&policy, &signature, request, now).map(Some)
            }
        }
    }

    fn select(&self, kid: Option<&str>) -> Result<&HmacKey> {
        match kid {
            Some(kid) => self.inner.keys.get(kid).ok_or_else(|| Error::UnknownKey {
                kid: Some(kid.to_owned()),
            }),
            None => self
                .inner
                .default
                .as_ref()
                .ok_or(Error::UnknownKey { kid: None }),
        }
    }
}

/// Splits `<policy>.<signature>`; anything else is `malformed`.
pub(crate) fn split_token(token: &str) -> Result<(&str, &str)> {
    match token.split_once('.') {
        Some((policy, signature)) if !signature.contains('.') => Ok((policy, signature)),
        _ => Err(Error::malformed(
            "a token is <policy>.<signature>, with exactly one `.`",
        )),
    }
}

/// Options for a [`Verifier`].
pub struct VerifierBuilder {
    default: Option<Secret>,
    keys: Vec<(String, Secret)>,
    leeway: i64,
    min_secret_len: usize,
}

impl fmt::Debug for VerifierBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifierBuilder")
            .field("default_secret", &self.default.is_some())
            .field(
                "kids",
                &self.keys.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field("leeway", &self.leeway)
            .finish_non_exhaustive()
    }
}

impl VerifierBuilder {
    /// The secret for policies without a `kid`.
    pub fn secret(mut self, secret: impl Into<Secret>) -> Self {
        self.default = Some(secret.into());
        self
    }

    /// The secret for policies whose `kid` is `kid`. Lookup is by `kid` only: a policy
    /// naming a `kid` never falls back to the default secret.
    pub fn key(mut self, kid: impl Into<String>, secret: impl Into<Secret>) -> Self {
        self.keys.push((kid.into(), secret.into()));
        self
    }

    /// Seconds of clock tolerance for `expiry` and `nbf`, from 0 (the default) to
    /// [`MAX_LEEWAY`].
    pub fn leeway(mut self, seconds: i64) -> Self {
        self.leeway = seconds;
        self
    }

    /// Accepts secrets shorter than [`MIN_SECRET_LEN`] bytes (never empty ones): for
    /// existing short secrets only, such as some Filestack apps'.
    pub fn min_secret_len(mut self, min: usize) -> Self {
        self.min_secret_len = min;
        self
    }

    /// The verifier, or why the options cannot make one.
    pub fn build(self) -> Result<Verifier> {
        let leeway = u64::try_from(self.leeway)
            .ok()
            .filter(|l| *l <= MAX_LEEWAY)
            .ok_or_else(|| {
                Error::argument(
                    "leeway",
                    format!("{} is outside [0, {MAX_LEEWAY}] seconds", self.leeway),
                )
            })?;
        if self.default.is_none() && self.keys.is_empty() {
            return Err(Error::argument(
                "secret",
                "a verifier needs a default secret or keys by kid",
            ));
        }
        let default = self
            .default
            .as_ref()
            .map(|s| HmacKey::new(s.bytes(), self.min_secret_len))
            .transpose()?;
        let mut keys = HashMap::with_capacity(self.keys.len());
        for (kid, secret) in &self.keys {
            check_kid(kid)?;
            let key = HmacKey::new(secret.bytes(), self.min_secret_len)?;
            if keys.insert(kid.clone(), key).is_some() {
                return Err(Error::argument(
                    "keys",
                    format!("kid {} is given twice", crate::error::quote(kid)),
                ));
            }
        }
        Ok(Verifier {
            inner: Arc::new(Inner {
                default,
                keys,
                leeway,
                compiled: Compiled::new(),
                verified: Cache::new(),
            }),
        })
    }
}

/// A verified, current policy: the only thing requests are authorized against.
#[derive(Clone, Debug)]
pub struct Grant {
    policy: Arc<Policy>,
    matched: Option<usize>,
}

impl Grant {
    /// The decoded policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The policy's `expiry`.
    pub fn expiry(&self) -> u64 {
        self.policy.expiry()
    }

    /// The `kid` of the key that signed it, if any.
    pub fn kid(&self) -> Option<&str> {
        self.policy.kid()
    }

    /// The policy's permissions, if any.
    pub fn permissions(&self) -> Option<&PermissionSet> {
        self.policy.permissions()
    }

    /// The permission that allowed the command of the request given at verification, for
    /// audit logs.
    pub fn matched(&self) -> Option<&Permission> {
        self.matched
            .and_then(|i| self.policy.permissions().and_then(|set| set.get(i)))
    }

    /// Authorizes a further request against this grant (time is not checked again).
    /// Returns the permission that allowed the request's command, if it named one.
    pub fn authorize(&self, request: &Request<'_>) -> Result<Option<&Permission>> {
        let index = self.policy.authorize(request)?;
        Ok(index.and_then(|i| self.policy.permissions().and_then(|set| set.get(i))))
    }

    /// Whether this grant allows `command` as a request of its own (the same answer a
    /// middleware would give). A command that is not valid is an error, not a "no".
    pub fn allows<'c>(&self, command: impl Into<CommandRef<'c>>) -> Result<bool> {
        let request = Request {
            command: Some(command.into()),
            ..Request::default()
        };
        match self.policy.authorize(&request) {
            Ok(_) => Ok(true),
            Err(Error::Denied { .. }) => Ok(false),
            Err(other) => Err(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capability::Command;
    use crate::claims::Claims;
    use crate::sign::Signer;

    const SECRET: &[u8] = b"0123456789abcdef0123";

    fn issue(claims: &Claims) -> String {
        Signer::new(SECRET)
            .unwrap()
            .issue_at(claims, 1000)
            .unwrap()
            .token()
            .to_owned()
    }

    #[test]
    fn round_trip_and_time() {
        let token = issue(&Claims::default());
        let v = Verifier::new(SECRET).unwrap();
        let grant = v.verify_token_at(&token, &Request::new(), 1000).unwrap();
        assert_eq!(grant.expiry(), 1900);
        assert_eq!(
            v.verify_token_at(&token, &Request::new(), 1900)
                .unwrap_err()
                .code(),
            "expired"
        );
        let lenient = Verifier::builder()
            .secret(SECRET)
            .leeway(10)
            .build()
            .unwrap();
        assert!(
            lenient
                .verify_token_at(&token, &Request::new(), 1909)
                .is_ok()
        );
    }

    #[test]
    fn order_of_checks() {
        let token = issue(&Claims::default());
        let v = Verifier::new(SECRET).unwrap();
        let (policy, signature) = split_token(&token).unwrap();
        let mut bad_sig = signature.to_owned();
        bad_sig.replace_range(0..1, if bad_sig.starts_with('0') { "1" } else { "0" });
        // A bad signature wins over expiry: nothing is trusted before it holds.
        assert_eq!(
            v.verify_at(policy, &bad_sig, &Request::new(), u64::MAX)
                .unwrap_err()
                .code(),
            "bad_signature"
        );
        assert_eq!(
            v.verify_at("", signature, &Request::new(), 0)
                .unwrap_err()
                .code(),
            "malformed"
        );
        assert_eq!(
            v.verify_at(policy, "zz", &Request::new(), 0)
                .unwrap_err()
                .code(),
            "malformed"
        );
        assert_eq!(
            v.verify_at(policy, &signature.to_uppercase(), &Request::new(), 1000)
                .map(|g| g.expiry()),
            Ok(1900)
        );
    }

    #[test]
    fn keys_by_kid() {
        let k1 = Signer::builder().secret(SECRET).kid("k1").build().unwrap();
        let token = k1.issue_at(&Claims::default(), 0).unwrap();
        let rotated = Verifier::builder()
            .key("k1", SECRET)
            .key("k2", b"another-secret-0123")
            .build()
            .unwrap();
        let grant = rotated
            .verify_token_at(token.token(), &Request::new(), 0)
            .unwrap();
        assert_eq!(grant.kid(), Some("k1"));
        // A kid never falls back to the default secret.
        let default_only = Verifier::new(SECRET).unwrap();
        assert_eq!(
            default_only
                .verify_token_at(token.token(), &Request::new(), 0)
                .unwrap_err(),
            Error::UnknownKey {
                kid: Some("k1".into())
            }
        );
        // No kid and no default secret.
        let plain = issue(&Claims::default());
        assert_eq!(
            rotated
                .verify_token_at(&plain, &Request::new(), 1000)
                .unwrap_err(),
            Error::UnknownKey { kid: None }
        );
        // A kid pointing at another key: the signature does not hold.
        let wrong = Verifier::builder()
            .key("k1", b"another-secret-0123")
            .build()
            .unwrap();
        assert_eq!(
            wrong
                .verify_token_at(token.token(), &Request::new(), 0)
                .unwrap_err(),
            Error::BadSignature
        );
    }

    #[test]
    fn builder_checks() {
        let code = |b: VerifierBuilder| b.build().unwrap_err().code();
        assert_eq!(code(Verifier::builder()), "invalid_argument");
        assert_eq!(
            code(Verifier::builder().secret(SECRET).leeway(-1)),
            "invalid_argument"
        );
        assert_eq!(
            code(
                Verifier::builder()
                    .secret(SECRET)
                    .leeway(MAX_LEEWAY as i64 + 1)
            ),
            "invalid_argument"
        );
        assert_eq!(code(Verifier::builder().secret(b"")), "weak_secret");
        assert_eq!(code(Verifier::builder().secret(b"short")), "weak_secret");
        assert_eq!(
            code(Verifier::builder().key("", SECRET)),
            "invalid_argument"
        );
        assert_eq!(
            code(Verifier::builder().key("a", SECRET).key("a", SECRET)),
            "invalid_argument"
        );
        assert!(
            Verifier::builder()
                .secret(b"short")
                .min_secret_len(5)
                .build()
                .is_ok()
        );
    }

    #[test]
    fn authorizes_when_asked() {
        let token = issue(&Claims {
            permissions: Some(&["pin add [-r] *"]),
            ..Claims::default()
        });
        let v = Verifier::new(SECRET).unwrap();
        let grant = v
            .verify_token_at(&token, &Request::new().command_text("pin add -r QmX"), 1000)
            .unwrap();
        assert_eq!(grant.matched().unwrap().as_str(), "pin add [-r] *");
        let err = v
            .verify_token_at(&token, &Request::new().command_text("pin rm QmX"), 1000)
            .unwrap_err();
        assert_eq!(err.field(), Some("permissions"));
        assert_eq!(
            grant.allows(&Command::parse("pin add QmY").unwrap()),
            Ok(true)
        );
        assert_eq!(grant.allows("pin rm QmY"), Ok(false));
        assert_eq!(
            grant.allows("cat /a/../b").unwrap_err().code(),
            "invalid_command"
        );
        assert!(grant.authorize(&Request::new().call("read")).is_err());
    }

    #[test]
    fn http_credentials() {
        let token = issue(&Claims::default());
        let (p, s) = split_token(&token).unwrap();
        let v = Verifier::new(SECRET).unwrap();
        let r = Request::new();
        let bearer = format!("Bearer {token}");
        assert!(
            v.verify_http_at(Some(&bearer), &[], &[], &r, 1000)
                .unwrap()
                .is_some()
        );
        assert!(
            v.verify_http_at(None, &[p], &[s], &r, 1000)
                .unwrap()
                .is_some()
        );
        assert!(
            v.verify_http_at(None, &[], &[], &r, 1000)
                .unwrap()
                .is_none()
        );
        assert!(
            v.verify_http_at(Some("Basic x"), &[], &[], &r, 1000)
                .unwrap()
                .is_none()
        );
        assert_eq!(
            v.verify_http_at(Some(&bearer), &[p], &[s], &r, 1000)
                .unwrap_err()
                .code(),
            "malformed"
        );
    }

    #[test]
    fn tokens_split_on_one_dot() {
        assert!(split_token("a.b").is_ok());
        assert_eq!(split_token("ab").unwrap_err().code(), "malformed");
        assert_eq!(split_token("a.b.c").unwrap_err().code(), "malformed");
    }

    #[test]
    fn shared_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Verifier>();
        assert_send_sync::<Signer>();
        assert_send_sync::<Grant>();
    }

    #[test]
    fn debug_hides_secrets() {
        let v = Verifier::builder()
            .secret(b"default-secret-value")
            .key("k", b"keyed-secret-value-x")
            .build()
            .unwrap();
        let shown = format!("{v:?}");
        assert!(!shown.contains("secret-value"), "{shown}");
        assert!(shown.contains("\"k\""), "{shown}");
    }
}
