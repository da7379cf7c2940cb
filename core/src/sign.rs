//! Issuing credentials: a [`Signer`] turns [`Claims`] into a signed policy.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;

use crate::claims::Claims;
use crate::encoding::{base64_encode, base64url_encode, hex_encode};
use crate::error::{Error, Result};
use crate::json::Style;
use crate::keys::{HmacKey, Secret, check_kid};
use crate::limits::{DEFAULT_LIFETIME, MAX_INTEGER, MAX_POLICY_LEN, MIN_SECRET_LEN};
use crate::policy::call::parse_calls;
use crate::policy::compiled::Compiled;
use crate::policy::{Parts, Policy};
use crate::pubkey::{PublicKey, SigningKey};

/// A signed credential: the policy and signature pair, and the compact token.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    token: String,
    dot: usize,
    expiry: u64,
}

impl Credentials {
    /// The base64 policy (URL-safe alphabet, padded), as Filestack expects it.
    pub fn policy(&self) -> &str {
        &self.token[..self.dot]
    }

    /// The lowercase hex HMAC-SHA256 of the policy string.
    pub fn signature(&self) -> &str {
        &self.token[self.dot + 1..]
    }

    /// `<policy>.<signature>`, for `Authorization: Bearer`, command lines and config files.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The policy's `expiry`.
    pub fn expiry(&self) -> u64 {
        self.expiry
    }

    /// The token, without copying it.
    pub fn into_token(self) -> String {
        self.token
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("policy", &self.policy())
            .field("expiry", &self.expiry)
            .finish_non_exhaustive()
    }
}

/// How a signer signs: an HMAC secret, or an Ed25519 signing key.
enum SignKey {
    Hmac(HmacKey),
    Ed25519(SigningKey),
}

/// Signs policies with one key — an HMAC secret, or an Ed25519 signing key — optionally
/// naming it with a `kid` (written into every policy, so verifiers can rotate keys; an
/// Ed25519 signer's `kid` defaults to its peer ID). Cheap to share: issuing takes `&self`.
pub struct Signer {
    key: SignKey,
    kid: Option<String>,
    compiled: Compiled,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// A signer for `secret` (at least [`MIN_SECRET_LEN`] bytes), without a `kid`.
    pub fn new(secret: impl Into<Secret>) -> Result<Signer> {
        Signer::builder().secret(secret).build()
    }

    /// Options: the secret, a `kid`, or a lower minimum secret length.
    pub fn builder() -> SignerBuilder {
        SignerBuilder {
            secret: None,
            signing_key: None,
            kid: None,
            min_secret_len: MIN_SECRET_LEN,
        }
    }

    /// The public key, for an Ed25519 signer.
    pub fn public_key(&self) -> Option<PublicKey> {
        match &self.key {
            SignKey::Ed25519(key) => Some(key.public_key()),
            SignKey::Hmac(_) => None,
        }
    }

    /// The `kid` written into every policy, if any.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// Issues credentials for `claims`, valid from the system clock's now.
    pub fn issue(&self, claims: &Claims<'_>) -> Result<Credentials> {
        self.issue_at(claims, crate::unix_now())
    }

    /// Issues credentials for claims given as a JSON object with the JavaScript names
    /// (`{"expiresIn": 900, "call": ["pick"], …}`; see `docs/decisions.md`), as of `now`.
    /// A value of the wrong type, `null`, an unknown or repeated name is `invalid_argument`
    /// naming the claim.
    pub fn issue_json_at(&self, claims: &str, now: u64) -> Result<Credentials> {
        crate::claims::JsonClaims::parse(claims)?.with(|c| self.issue_at(c, now))
    }

    /// Issues credentials for `claims` as of `now` (Unix seconds). Refuses an expiry that
    /// is not after `now`, and any field that breaks §2.
    pub fn issue_at(&self, claims: &Claims<'_>, now: u64) -> Result<Credentials> {
        let expiry = match (claims.expires_in, claims.expiry) {
            (Some(_), Some(_)) => {
                return Err(Error::policy(
                    "expiry",
                    "give expires_in or expiry, not both",
                ));
            }
            (Some(lifetime), None) => now
                .checked_add(lifetime)
                .filter(|e| *e <= MAX_INTEGER)
                .ok_or_else(|| {
                    Error::policy("expiry", format!("expires_in {lifetime} goes past 2^53"))
                })?,
            (None, Some(expiry)) => expiry,
            (None, None) => now.saturating_add(DEFAULT_LIFETIME),
        };
        if expiry <= now {
            return Err(Error::policy(
                "expiry",
                format!("expiry {expiry} is not after now ({now})"),
            ));
        }
        let permissions = claims.permissions.map(|items| {
            let mut key = Vec::new();
            crate::json::write(&mut key, &items, Style::Canonical);
            (
                items.iter().map(|s| Cow::Borrowed(*s)).collect(),
                Cow::Owned(String::from_utf8(key).unwrap_or_default()),
            )
        });
        let parts = Parts {
            expiry: Some(expiry),
            call: claims
                .call
                .map(|c| parse_calls(c.iter().copied()))
                .transpose()?,
            handle: claims.handle.map(Cow::Borrowed),
            url: claims.url.map(Cow::Borrowed),
            path: claims.path.map(Cow::Borrowed),
            container: claims.container.map(Cow::Borrowed),
            max_size: claims.max_size,
            min_size: claims.min_size,
            permissions,
            kid: self.kid.as_deref().map(Cow::Borrowed),
            nbf: claims.nbf,
            jti: claims.jti.map(Cow::Borrowed),
            // Every credential says when it was issued: revocation "before a time" reads it.
            iat: Some(now),
            uses: claims.uses,
        };
        let policy = Policy::assemble(parts, &self.compiled)?;
        self.sign_policy(&policy, Style::Canonical)
    }

    /// Encodes `policy` in `style` and signs it.
    pub(crate) fn sign_policy(&self, policy: &Policy, style: Style) -> Result<Credentials> {
        thread_local! {
            // The JSON of the policy being signed (not secret), reused between calls.
            static JSON: RefCell<Vec<u8>> = RefCell::new(Vec::with_capacity(256));
        }
        JSON.with_borrow_mut(|json| {
            json.clear();
            policy.write_into(json, style);
            let mut token = String::with_capacity(json.len().div_ceil(3) * 4 + 65);
            base64_encode(json, &mut token);
            if json.capacity() > 16 * 1024 {
                *json = Vec::new(); // do not keep a huge buffer per thread
            }
            if token.len() > MAX_POLICY_LEN {
                return Err(Error::policy(
                    "policy",
                    format!(
                        "the encoded policy is {} bytes, more than {MAX_POLICY_LEN}",
                        token.len()
                    ),
                ));
            }
            let dot = token.len();
            match &self.key {
                SignKey::Hmac(key) => {
                    let mac = key.sign(token.as_bytes());
                    token.push('.');
                    hex_encode(&mac, &mut token);
                }
                SignKey::Ed25519(key) => {
                    let signature = key.sign(token.as_bytes());
                    token.push('.');
                    base64url_encode(&signature, &mut token);
                }
            }
            Ok(Credentials {
                token,
                dot,
                expiry: policy.expiry(),
            })
        })
    }
}

/// Options for a [`Signer`]: `Signer::builder().secret(…).kid(…).build()`.
pub struct SignerBuilder {
    secret: Option<Secret>,
    signing_key: Option<SigningKey>,
    kid: Option<String>,
    min_secret_len: usize,
}

impl fmt::Debug for SignerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignerBuilder")
            .field("secret", &self.secret.is_some())
            .field("signing_key", &self.signing_key.is_some())
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SignerBuilder {
    /// The secret to sign with (at least [`MIN_SECRET_LEN`] bytes).
    pub fn secret(mut self, secret: impl Into<Secret>) -> Self {
        self.secret = Some(secret.into());
        self
    }

    /// The Ed25519 key to sign with (instead of a secret): verifiers then need only its
    /// public key. The `kid` defaults to the key's peer ID.
    pub fn signing_key(mut self, key: SigningKey) -> Self {
        self.signing_key = Some(key);
        self
    }

    /// Writes `kid` (1–64 characters) into every policy.
    pub fn kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// Accepts secrets shorter than [`MIN_SECRET_LEN`] bytes (never empty ones). For
    /// existing short secrets only: a short secret can be guessed.
    pub fn min_secret_len(mut self, min: usize) -> Self {
        self.min_secret_len = min;
        self
    }

    /// The signer, or why the options cannot make one.
    pub fn build(self) -> Result<Signer> {
        if let Some(kid) = &self.kid {
            check_kid(kid)?;
        }
        let (key, kid) = match (self.secret, self.signing_key) {
            (Some(secret), None) => (
                SignKey::Hmac(HmacKey::new(secret.bytes(), self.min_secret_len)?),
                self.kid,
            ),
            (None, Some(key)) => {
                let kid = self.kid.unwrap_or_else(|| key.public_key().peer_id());
                (SignKey::Ed25519(key), Some(kid))
            }
            (None, None) => {
                return Err(Error::argument(
                    "secret",
                    "a signer needs a secret or a signing key",
                ));
            }
            (Some(_), Some(_)) => {
                return Err(Error::argument(
                    "secret",
                    "give a secret or a signing key, not both",
                ));
            }
        };
        Ok(Signer {
            key,
            kid,
            compiled: Compiled::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123";

    #[test]
    fn issues_canonical_policies() {
        let signer = Signer::new(SECRET).unwrap();
        let creds = signer
            .issue_at(
                &Claims {
                    call: Some(&["pick"]),
                    ..Claims::default()
                },
                1000,
            )
            .unwrap();
        assert_eq!(creds.expiry(), 1900);
        let json = crate::encoding::base64_decode(creds.policy().as_bytes()).unwrap();
        assert_eq!(json, br#"{"call":["pick"],"expiry":1900,"iat":1000}"#);
        assert_eq!(creds.signature().len(), 64);
        assert_eq!(
            creds.token(),
            format!("{}.{}", creds.policy(), creds.signature())
        );
    }

    #[test]
    fn same_input_same_bytes() {
        let claims = Claims {
            expires_in: Some(60),
            permissions: Some(&["pin add [-r] *", "cat /ipfs/QmA"]),
            path: Some("/u/.*"),
            ..Claims::default()
        };
        let a = Signer::new(SECRET).unwrap().issue_at(&claims, 5).unwrap();
        let b = Signer::new(SECRET).unwrap().issue_at(&claims, 5).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn refuses_bad_expiry() {
        let signer = Signer::new(SECRET).unwrap();
        let at = |claims: Claims| signer.issue_at(&claims, 1000).unwrap_err();
        assert_eq!(
            at(Claims {
                expiry: Some(1000),
                ..Claims::default()
            })
            .field(),
            Some("expiry")
        );
        assert_eq!(
            at(Claims {
                expires_in: Some(0),
                ..Claims::default()
            })
            .code(),
            "invalid_policy"
        );
        assert_eq!(
            at(Claims {
                expires_in: Some(5),
                expiry: Some(5000),
                ..Claims::default()
            })
            .code(),
            "invalid_policy"
        );
        assert_eq!(
            at(Claims {
                expires_in: Some(u64::MAX),
                ..Claims::default()
            })
            .code(),
            "invalid_policy"
        );
    }

    #[test]
    fn refuses_bad_fields_with_their_codes() {
        let signer = Signer::new(SECRET).unwrap();
        let err = signer
            .issue_at(
                &Claims {
                    permissions: Some(&["pin ** x"]),
                    ..Claims::default()
                },
                0,
            )
            .unwrap_err();
        assert_eq!(err.code(), "invalid_permission");
        assert_eq!(err.position(), Some(4));
        let err = signer
            .issue_at(
                &Claims {
                    call: Some(&["upload"]),
                    ..Claims::default()
                },
                0,
            )
            .unwrap_err();
        assert_eq!(err.field(), Some("call"));
    }

    #[test]
    fn kid_and_secret_options() {
        let signer = Signer::builder().secret(SECRET).kid("k1").build().unwrap();
        let creds = signer.issue_at(&Claims::default(), 0).unwrap();
        let json = crate::encoding::base64_decode(creds.policy().as_bytes()).unwrap();
        assert_eq!(json, br#"{"expiry":900,"iat":0,"kid":"k1"}"#);
        assert_eq!(Signer::new(b"short").unwrap_err().code(), "weak_secret");
        assert!(
            Signer::builder()
                .secret(b"short")
                .min_secret_len(5)
                .build()
                .is_ok()
        );
        assert_eq!(
            Signer::builder()
                .secret(SECRET)
                .kid("")
                .build()
                .unwrap_err()
                .code(),
            "invalid_argument"
        );
    }

    #[test]
    fn debug_hides_the_key() {
        let shown = format!("{:?}", Signer::new(SECRET).unwrap());
        assert!(!shown.contains("0123456789"), "{shown}");
    }

    #[test]
    fn oversized_policies_are_refused() {
        let signer = Signer::new(SECRET).unwrap();
        let err = signer
            .issue_at(
                &Claims {
                    handle: Some(&"h".repeat(7000)),
                    ..Claims::default()
                },
                0,
            )
            .unwrap_err();
        assert_eq!(err.field(), Some("policy"));
    }
}
