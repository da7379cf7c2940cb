//! Verifying credentials, in the order of `DESIGN.md` §5:
//! `decode → select key → check signature → validate policy → check time → authorize`.
//!
//! Nothing in the policy is trusted before the signature holds: before that point the only
//! possible errors are `malformed`, `unknown_key` and `bad_signature`.
//!
//! **The key decides the algorithm, never the token** (§8). Each `kid` is bound to exactly
//! one key of one kind, an HMAC secret or an Ed25519 public key; a policy without `kid`
//! uses the default HMAC secret only. A signature in the other kind's form (64 hex digits
//! for HMAC, 86 base64url characters for Ed25519) is `malformed`.

mod builder;
mod grant;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use subtle::ConstantTimeEq;

use crate::cache::Cache;
use crate::encoding::{base64_decode, base64url_decode, hex_decode_32};
use crate::error::{Error, Result};
use crate::http::Presented;
use crate::keys::HmacKey;
use crate::policy::Policy;
use crate::policy::compiled::Compiled;
use crate::policy::decode::RawPolicy;
use crate::pubkey::PublicKey;
use crate::request::Request;
pub use builder::VerifierBuilder;
pub use grant::Grant;

/// A key a verifier holds, of exactly one kind.
enum Key {
    Hmac(HmacKey),
    Ed25519(PublicKey),
}

/// A signature as presented, by its form.
enum Signature {
    /// 64 hex digits: HMAC-SHA256.
    Hmac([u8; 32]),
    /// 86 characters of unpadded base64url: Ed25519.
    Ed25519([u8; 64]),
}

impl Signature {
    fn decode(text: &str) -> Result<Signature> {
        match text.len() {
            64 => hex_decode_32(text.as_bytes())
                .map(Signature::Hmac)
                .map_err(Error::malformed),
            86 => base64url_decode(text)
                .map(Signature::Ed25519)
                .ok_or_else(|| Error::malformed("the Ed25519 signature is not base64url")),
            _ => Err(Error::malformed(
                "the signature is neither 64 hex digits (HMAC-SHA256) nor 86 base64url \
                 characters (Ed25519)",
            )),
        }
    }
}

/// A policy whose signature held, kept by the policy string as transmitted. For an
/// Ed25519 policy the signature that verified is kept too: the same bytes again are the
/// same verification (compared in constant time), and an Ed25519 check costs some 50 µs.
struct Verified {
    policy: Arc<Policy>,
    ed25519: Option<[u8; 64]>,
}

/// Verifies credentials against a default secret and/or keys by `kid`: HMAC secrets and
/// Ed25519 public keys.
///
/// `Send + Sync`; cloning is cheap (the keys and the compiled-pattern cache are shared).
#[derive(Clone)]
pub struct Verifier {
    inner: Arc<Inner>,
}

struct Inner {
    /// The default secret (always `Key::Hmac`): for policies without a `kid`.
    default: Option<Key>,
    keys: HashMap<String, Key>,
    leeway: u64,
    compiled: Compiled,
    /// Policies already decoded and validated, by the policy string as transmitted. A hit
    /// skips decoding and validation, never the signature check. Only policies whose
    /// signature held are inserted, so traffic without valid credentials cannot fill it.
    verified: Cache<Verified>,
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
    pub fn new(secret: impl Into<crate::keys::Secret>) -> Result<Verifier> {
        Verifier::builder().secret(secret).build()
    }

    /// Options: a default secret, secrets and public keys by `kid`, a key set, leeway,
    /// minimum secret length.
    pub fn builder() -> VerifierBuilder {
        VerifierBuilder::default()
    }

    /// The clock tolerance, in seconds.
    pub fn leeway(&self) -> u64 {
        self.inner.leeway
    }

    /// Whether the verifier holds a secret for policies without a `kid`.
    pub fn has_default_secret(&self) -> bool {
        self.inner.default.is_some()
    }

    /// The `kid`s the verifier holds keys for, sorted.
    pub fn kids(&self) -> Vec<&str> {
        let mut kids: Vec<&str> = self.inner.keys.keys().map(String::as_str).collect();
        kids.sort_unstable();
        kids
    }

    /// The verifier's public keys as a JWK Set (what a service publishes at
    /// `/.well-known/capsign-keys.json`), or `None` if it holds none. Never a secret.
    pub fn key_set(&self) -> Option<String> {
        let mut keys: Vec<(&str, &PublicKey)> = self
            .inner
            .keys
            .iter()
            .filter_map(|(kid, key)| match key {
                Key::Ed25519(public) => Some((kid.as_str(), public)),
                Key::Hmac(_) => None,
            })
            .collect();
        keys.sort_by(|a, b| a.0.cmp(b.0));
        (!keys.is_empty()).then(|| crate::pubkey::key_set(keys))
    }

    /// Verifies a policy and signature pair by the system clock, then authorizes `request`
    /// unless it is empty (see [`Verifier::verify_at`]).
    pub fn verify(&self, policy: &str, signature: &str, request: &Request<'_>) -> Result<Grant> {
        self.verify_at(policy, signature, request, crate::unix_now())
    }

    /// Verifies a policy and signature pair as of `now` (Unix seconds): decodes, selects
    /// the key by `kid`, checks the signature (HMAC in constant time; Ed25519 strictly),
    /// validates the policy, checks `expiry` and `nbf`, and authorizes `request`.
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
        if policy.len() > crate::limits::MAX_POLICY_LEN {
            return Err(Error::malformed(format!(
                "the policy is longer than {} bytes",
                crate::limits::MAX_POLICY_LEN
            )));
        }
        let signature = Signature::decode(signature)?;
        if let Some(known) = self.inner.verified.get(policy) {
            // Same string, so decoding would select the same key and validate the same way.
            let key = self.select(known.policy.kid())?;
            self.check(key, policy, &signature, known.ed25519.as_ref())?;
            return self.grant(Arc::clone(&known.policy), request, now);
        }
        let decoded = base64_decode(policy.as_bytes()).map_err(Error::malformed)?;
        let json = std::str::from_utf8(&decoded)
            .map_err(|_| Error::malformed("the decoded policy is not UTF-8"))?;
        let raw = RawPolicy::parse(json)?;
        let key = self.select(raw.kid()?)?;
        self.check(key, policy, &signature, None)?;
        let validated = Arc::new(raw.validate(&self.inner.compiled, false)?);
        let ed25519 = match signature {
            Signature::Ed25519(bytes) => Some(bytes),
            Signature::Hmac(_) => None,
        };
        let entry = Verified {
            policy: Arc::clone(&validated),
            ed25519,
        };
        self.inner.verified.insert(policy, Arc::new(entry));
        self.grant(validated, request, now)
    }

    /// Checks `signature` over `policy` with `key`: the key's kind decides which form is
    /// acceptable. `seen` is an Ed25519 signature that verified this policy before.
    fn check(
        &self,
        key: &Key,
        policy: &str,
        signature: &Signature,
        seen: Option<&[u8; 64]>,
    ) -> Result<()> {
        let holds = match (key, signature) {
            (Key::Hmac(key), Signature::Hmac(tag)) => key.verify(policy.as_bytes(), tag),
            (Key::Ed25519(key), Signature::Ed25519(bytes)) => {
                seen.is_some_and(|seen| bool::from(seen.ct_eq(bytes)))
                    || key.verify(policy.as_bytes(), bytes)
            }
            (Key::Hmac(_), Signature::Ed25519(_)) => {
                return Err(Error::malformed(
                    "an Ed25519 signature for a kid that names an HMAC secret",
                ));
            }
            (Key::Ed25519(_), Signature::Hmac(_)) => {
                return Err(Error::malformed(
                    "an HMAC signature for a kid that names an Ed25519 public key",
                ));
            }
        };
        if holds {
            Ok(())
        } else {
            Err(Error::BadSignature)
        }
    }

    /// The last two steps: time, then the request.
    fn grant(&self, policy: Arc<Policy>, request: &Request<'_>, now: u64) -> Result<Grant> {
        policy.check_time(now, self.inner.leeway)?;
        let matched = if request.is_empty() {
            None
        } else {
            policy.authorize(request)?
        };
        Ok(Grant {
            policy,
            matched,
            leeway: self.inner.leeway,
        })
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

    fn select(&self, kid: Option<&str>) -> Result<&Key> {
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
#[cfg(test)]
mod tests {
    use super::*;
    use crate::capability::Command;
    use crate::claims::Claims;
    use crate::limits::MAX_LEEWAY;
    use crate::pubkey::PublicKey;
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

    fn ed25519_signer() -> (Signer, PublicKey) {
        let key = crate::pubkey::SigningKey::from_seed(&[7u8; 32]);
        let public = key.public_key();
        (Signer::builder().signing_key(key).build().unwrap(), public)
    }

    #[test]
    fn ed25519_verifiers_cannot_mint() {
        let (signer, public) = ed25519_signer();
        assert_eq!(signer.kid(), Some(public.peer_id().as_str()));
        let creds = signer.issue_at(&Claims::default(), 1000).unwrap();
        assert_eq!(creds.signature().len(), 86);
        let verifier = Verifier::builder()
            .public_key(public.peer_id(), public)
            .secret(SECRET)
            .build()
            .unwrap();
        let grant = verifier
            .verify_token_at(creds.token(), &Request::new(), 1000)
            .unwrap();
        assert_eq!(grant.kid(), Some(public.peer_id().as_str()));
        // Twice: the second is the cache's constant-time comparison.
        assert!(
            verifier
                .verify_token_at(creds.token(), &Request::new(), 1000)
                .is_ok()
        );
        // A changed signature, even after a hit, is checked in full.
        let (policy, signature) = split_token(creds.token()).unwrap();
        let mut other = signature.to_owned();
        other.replace_range(10..11, if &other[10..11] == "A" { "B" } else { "A" });
        assert_eq!(
            verifier
                .verify_at(policy, &other, &Request::new(), 1000)
                .unwrap_err(),
            Error::BadSignature
        );
        assert_eq!(
            verifier.key_set().unwrap(),
            crate::pubkey::key_set([(public.peer_id().as_str(), &public)])
        );
        assert!(Verifier::new(SECRET).unwrap().key_set().is_none());
    }

    #[test]
    fn the_key_decides_the_algorithm() {
        let (signer, public) = ed25519_signer();
        let kid = public.peer_id();
        let verifier = Verifier::builder()
            .public_key(kid.clone(), public)
            .key("hmac", SECRET)
            .build()
            .unwrap();
        // An HMAC signature (with the public key's bytes as the secret) for the Ed25519 kid.
        let forged = Signer::builder()
            .secret(&public.to_bytes())
            .kid(kid.clone())
            .build()
            .unwrap()
            .issue_at(&Claims::default(), 1000)
            .unwrap();
        assert_eq!(
            verifier
                .verify_token_at(forged.token(), &Request::new(), 1000)
                .unwrap_err()
                .code(),
            "malformed"
        );
        // An Ed25519 signature for the HMAC kid.
        let ed = Signer::builder()
            .signing_key(crate::pubkey::SigningKey::from_seed(&[7u8; 32]))
            .kid("hmac")
            .build()
            .unwrap()
            .issue_at(&Claims::default(), 1000)
            .unwrap();
        assert_eq!(
            verifier
                .verify_token_at(ed.token(), &Request::new(), 1000)
                .unwrap_err()
                .code(),
            "malformed"
        );
        // A policy without a kid never reaches an Ed25519 key.
        let bare = signer.issue_at(&Claims::default(), 1000).unwrap();
        let (policy, signature) = split_token(bare.token()).unwrap();
        let no_kid = Verifier::new(SECRET).unwrap();
        assert_eq!(
            no_kid
                .verify_at(policy, signature, &Request::new(), 1000)
                .unwrap_err()
                .code(),
            "unknown_key"
        );
        // A kid given as a secret and as a public key is refused.
        assert_eq!(
            Verifier::builder()
                .key("k", SECRET)
                .public_key("k", public)
                .build()
                .unwrap_err()
                .code(),
            "invalid_argument"
        );
        assert_eq!(
            Signer::builder()
                .secret(SECRET)
                .signing_key(crate::pubkey::SigningKey::from_seed(&[1u8; 32]))
                .build()
                .unwrap_err()
                .code(),
            "invalid_argument"
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
