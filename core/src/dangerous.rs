//! Operations that skip capsign's checks. Each has one legitimate use, named in its
//! documentation; none belongs on a request path.

use crate::encoding::{base64_decode, hex_encode};
use crate::error::{Error, Result};
use crate::json;
use crate::keys::HmacKey;
use crate::limits::MAX_POLICY_LEN;
use crate::policy::decode::RawPolicy;
use crate::pubkey::SigningKey;
use crate::store::Revocation;

/// Decodes a policy, or the policy part of a token, **without verifying its signature**,
/// and returns its JSON text. For inspecting a credential by hand (`capsign inspect`):
/// nothing in the result is authenticated.
pub fn decode_unverified(policy_or_token: &str) -> Result<String> {
    let policy = policy_or_token
        .split_once('.')
        .map_or(policy_or_token, |(p, _)| p);
    if policy.len() > MAX_POLICY_LEN {
        return Err(Error::malformed(format!(
            "the policy is longer than {MAX_POLICY_LEN} bytes"
        )));
    }
    let bytes = base64_decode(policy.as_bytes()).map_err(Error::malformed)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::malformed("the decoded policy is not UTF-8"))?;
    json::for_each_member(&text, |_, value| json::check(value))
        .map_err(|e| Error::malformed(format!("{} in the decoded policy", e.0)))?;
    Ok(text)
}

/// The `expiry` of a policy or token, **without verifying its signature**: for a binding
/// that hands back a token it just issued and reads the expiry only when asked.
pub fn expiry_unverified(policy_or_token: &str) -> Result<u64> {
    let text = decode_unverified(policy_or_token)?;
    RawPolicy::parse(&text)?.expiry()
}

/// The revocation of one credential, read from its policy or token **without verifying
/// its signature**: its `jti` until its `expiry`. For an operator revoking a credential
/// they hold (`capsign revoke --token`): a revocation can only take rights away, but a
/// token that a client sends can name any `jti`, so a service revoking on a client's
/// behalf verifies the token first. A policy without `jti` is `invalid_policy` (revoke
/// its key or a time instead); a repeated field, or a `jti` or `expiry` of the wrong
/// type, is `invalid_policy` as in a verification.
pub fn revocation_unverified(policy_or_token: &str) -> Result<Revocation<'static>> {
    let text = decode_unverified(policy_or_token)?;
    let raw = RawPolicy::parse(&text)?;
    let Some(jti) = raw.jti()? else {
        return Err(Error::policy(
            "jti",
            "is required to revoke one credential (revoke its kid, or a time, instead)",
        ));
    };
    let expiry = raw.expiry()?;
    Ok(Revocation::from_options(Some(jti), Some(expiry), None, None)?.into_owned())
}

/// Signs `policy` exactly as given, **without validating it**: the HMAC-SHA256 hex that a
/// verifier would accept for this string under `secret`. For building test vectors and
/// interoperability checks (a policy in another alphabet, a deliberately invalid policy).
pub fn sign_raw(secret: &[u8], policy: &str) -> String {
    let mut out = String::with_capacity(64);
    if let Ok(key) = HmacKey::unchecked(secret) {
        hex_encode(&key.sign(policy.as_bytes()), &mut out);
    }
    out
}

/// Signs `policy` exactly as given with an Ed25519 key, **without validating it**: the
/// 86-character signature a verifier holding the public key would accept for this string.
/// For test vectors and interoperability checks.
pub fn sign_raw_ed25519(key: &SigningKey, policy: &str) -> String {
    let mut out = String::with_capacity(86);
    crate::encoding::base64url_encode(&key.sign(policy.as_bytes()), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_without_verifying() {
        let json = decode_unverified("eyJleHBpcnkiOiAxNzAwMDAwMDAwfQ==.not-a-signature").unwrap();
        assert_eq!(json, r#"{"expiry": 1700000000}"#);
        assert_eq!(decode_unverified("!!!").unwrap_err().code(), "malformed");
        assert_eq!(
            decode_unverified("WzFd").unwrap_err().code(),
            "malformed",
            "[1]"
        );
    }

    #[test]
    fn reads_a_revocation_without_verifying() {
        use base64::Engine as _;
        let b64 = |t: &str| base64::engine::general_purpose::URL_SAFE.encode(t);
        let token = format!("{}.sig", b64(r#"{"expiry":1700000000.0,"jti":"j-1"}"#));
        assert_eq!(
            revocation_unverified(&token).unwrap(),
            Revocation::Jti {
                jti: "j-1".into(),
                expiry: 1_700_000_000
            }
        );
        for (policy, field) in [
            (r#"{"expiry":1700000000}"#, "jti"),
            (r#"{"expiry":1700000000,"jti":5}"#, "jti"),
            (r#"{"expiry":1700000000,"jti":"a","jti":"b"}"#, "jti"),
            (r#"{"expiry":"soon","jti":"a"}"#, "expiry"),
            (r#"{"expiry":1.5,"jti":"a"}"#, "expiry"),
            (r#"{"jti":"a"}"#, "expiry"),
        ] {
            let e = revocation_unverified(&b64(policy)).unwrap_err();
            assert_eq!(
                (e.code(), e.field()),
                ("invalid_policy", Some(field)),
                "{policy}"
            );
        }
        let e = revocation_unverified(&b64(r#"{"expiry":1,"jti":"\u0007"}"#)).unwrap_err();
        assert_eq!(e.code(), "invalid_argument");
        assert_eq!(revocation_unverified("!!").unwrap_err().code(), "malformed");
    }

    #[test]
    fn signs_raw_strings() {
        assert_eq!(
            sign_raw(b"SECURITY-SECRET", "eyJleHBpcnkiOiAxNzAwMDAwMDAwfQ=="),
            "2c06ba8bb0e51b8b25e0a3701d9d444399bffcdda956333fec136cefffcf6104"
        );
    }
}
