//! Secrets: minimum length, `kid`s for rotation, generation, and hygiene.
//!
//! A secret is bytes (a string secret is its UTF-8). It travels as a [`Secret`], zeroed
//! when dropped, and is loaded once into an [`HmacKey`]: RustCrypto's `Hmac<Sha256>` keyed
//! once (its inner and outer SHA-256 states computed at load time) and cloned per message.
//! The states are as good as the key for forging; `sha2` zeroes them when they are dropped
//! (its `zeroize` feature), the clones included. Nothing here is ever printed.

use std::fmt;

use hmac::{KeyInit, Mac};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::limits::MAX_KID_LEN;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// Secret bytes on their way into a signer or verifier, zeroed when dropped. Made from
/// `&[u8]`, `&str`, `[u8; N]` references (copied) or from an owned `Vec<u8>` or `String`
/// (moved in, so the only copy is the one that gets wiped).
pub struct Secret(Zeroizing<Vec<u8>>);

impl Secret {
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl From<Vec<u8>> for Secret {
    fn from(bytes: Vec<u8>) -> Self {
        Secret(Zeroizing::new(bytes))
    }
}

impl From<String> for Secret {
    fn from(text: String) -> Self {
        Secret::from(text.into_bytes())
    }
}

impl From<&[u8]> for Secret {
    fn from(bytes: &[u8]) -> Self {
        Secret::from(bytes.to_vec())
    }
}

impl<const N: usize> From<&[u8; N]> for Secret {
    fn from(bytes: &[u8; N]) -> Self {
        Secret::from(&bytes[..])
    }
}

impl From<&str> for Secret {
    fn from(text: &str) -> Self {
        Secret::from(text.as_bytes())
    }
}

impl From<&String> for Secret {
    fn from(text: &String) -> Self {
        Secret::from(text.as_bytes())
    }
}

impl From<&Vec<u8>> for Secret {
    fn from(bytes: &Vec<u8>) -> Self {
        Secret::from(bytes.as_slice())
    }
}

/// A loaded HMAC-SHA256 key. Its `Debug` output never shows key material.
#[derive(Clone)]
pub(crate) struct HmacKey {
    keyed: HmacSha256,
}

impl HmacKey {
    /// Loads `secret`, refusing it if empty or shorter than `min_len` bytes.
    pub(crate) fn new(secret: &[u8], min_len: usize) -> Result<Self> {
        check_secret(secret, min_len)?;
        HmacKey::unchecked(secret)
    }

    /// Loads any secret, even an empty one (for `dangerous::sign_raw`).
    pub(crate) fn unchecked(secret: &[u8]) -> Result<Self> {
        // HMAC takes keys of every length: this never fails, but is not assumed not to.
        let keyed = <HmacSha256 as KeyInit>::new_from_slice(secret)
            .map_err(|_| Error::argument("secret", "HMAC refused the key's length"))?;
        Ok(HmacKey { keyed })
    }

    /// HMAC-SHA256 of `message`.
    pub(crate) fn sign(&self, message: &[u8]) -> [u8; 32] {
        let mut mac = self.keyed.clone();
        mac.update(message);
        mac.finalize().into_bytes().into()
    }

    /// Whether `tag` is the HMAC of `message`, compared in constant time.
    pub(crate) fn verify(&self, message: &[u8], tag: &[u8; 32]) -> bool {
        let mut mac = self.keyed.clone();
        mac.update(message);
        mac.verify_slice(tag).is_ok()
    }
}

// Its only field holds SHA-256 states that `sha2` zeroes on drop.
impl zeroize::ZeroizeOnDrop for HmacKey {}

impl fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HmacKey(<redacted>)")
    }
}

/// Refuses an empty secret, and one shorter than `min_len` bytes (callers lower `min_len`
/// explicitly, for example to verify a legacy Filestack secret).
pub(crate) fn check_secret(secret: &[u8], min_len: usize) -> Result<()> {
    if secret.is_empty() {
        return Err(Error::WeakSecret {
            reason: "the secret is empty".into(),
        });
    }
    if secret.len() < min_len {
        return Err(Error::WeakSecret {
            reason: format!(
                "the secret is {} bytes, fewer than the minimum of {min_len} \
                 (lower min_secret_len explicitly to accept it)",
                secret.len()
            )
            .into(),
        });
    }
    Ok(())
}

/// Whether `kid` is acceptable as a key id: 1 to 64 characters, none of them control
/// characters. The reason, if not.
pub(crate) fn kid_problem(kid: &str) -> Option<String> {
    let chars = kid.chars().count();
    if chars == 0 {
        Some("a kid is empty".into())
    } else if chars > MAX_KID_LEN {
        Some(format!(
            "a kid has {chars} characters, more than {MAX_KID_LEN}"
        ))
    } else if kid.chars().any(char::is_control) {
        Some("a kid contains a control character".into())
    } else {
        None
    }
}

/// Validates a `kid` given as a constructor argument.
pub(crate) fn check_kid(kid: &str) -> Result<()> {
    match kid_problem(kid) {
        Some(reason) => Err(Error::argument("kid", reason)),
        None => Ok(()),
    }
}

/// 32 bytes from the operating system's generator.
pub(crate) fn random_32() -> Result<Zeroizing<[u8; 32]>> {
    let mut bytes = Zeroizing::new([0u8; 32]);
    getrandom::fill(bytes.as_mut()).map_err(|e| {
        Error::argument(
            "secret",
            format!("the operating system's random generator failed: {e}"),
        )
    })?;
    Ok(bytes)
}

/// A new random secret: 32 bytes from the operating system's generator, as 43 characters
/// of unpadded URL-safe base64 (so it can live in an environment variable or a file).
pub fn generate_secret() -> Result<String> {
    let bytes = random_32()?;
    let mut out = String::with_capacity(43);
    crate::encoding::base64url_encode(bytes.as_ref(), &mut out);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn unhex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn secrets_are_checked() {
        assert_eq!(
            HmacKey::new(b"", 0).unwrap_err().code(),
            "weak_secret",
            "empty is refused even with the minimum lowered"
        );
        assert_eq!(
            HmacKey::new(b"short", 16).unwrap_err().code(),
            "weak_secret"
        );
        assert!(HmacKey::new(b"short", 5).is_ok());
        assert!(HmacKey::new(&[7u8; 16], 16).is_ok());
    }

    #[test]
    fn weak_secret_message_shows_length_not_bytes() {
        let err = HmacKey::new(b"hunter2", 16).unwrap_err().to_string();
        assert!(err.contains("7 bytes"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn keys_and_secrets_are_zeroed_on_drop() {
        fn zeroed_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        zeroed_on_drop::<HmacKey>();
        zeroed_on_drop::<Zeroizing<Vec<u8>>>();
    }

    #[test]
    fn debug_is_redacted() {
        let key = HmacKey::new(b"super-secret-value-123", 16).unwrap();
        assert!(!format!("{key:?}").contains("super"));
        let secret = Secret::from("super-secret-value-123");
        assert!(!format!("{secret:?}").contains("super"));
        assert_eq!(Secret::from(String::from("ab")).bytes(), b"ab");
        assert_eq!(Secret::from(&[1u8, 2]).bytes(), [1, 2]);
    }

    /// RFC 4231 §4.2–§4.8, HMAC-SHA-256 results (test case 5 is truncated and checked on
    /// its first 128 bits).
    #[test]
    fn rfc4231_known_answers() {
        let aa131 = vec![0xaau8; 131];
        let cases: Vec<(Vec<u8>, Vec<u8>, &str)> = vec![
            (
                vec![0x0b; 20],
                b"Hi There".to_vec(),
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            ),
            (
                b"Jefe".to_vec(),
                b"what do ya want for nothing?".to_vec(),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
            (
                vec![0xaa; 20],
                vec![0xdd; 50],
                "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
            ),
            (
                unhex("0102030405060708090a0b0c0d0e0f10111213141516171819"),
                vec![0xcd; 50],
                "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
            ),
            (
                aa131.clone(),
                b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            ),
            (
                aa131,
                b"This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".to_vec(),
                "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
            ),
        ];
        for (key, data, expected) in cases {
            assert_eq!(
                hex(&HmacKey::unchecked(&key).unwrap().sign(&data)),
                expected
            );
        }
        let truncated = HmacKey::unchecked(&[0x0c; 20])
            .unwrap()
            .sign(b"Test With Truncation");
        assert_eq!(hex(&truncated)[..32], *"a3b6167473100ee06e0c796c2955552b");
    }

    #[test]
    fn verify_is_exact_and_clones_do_not_share_state() {
        let key = HmacKey::new(b"0123456789abcdef", 16).unwrap();
        let tag = key.sign(b"message");
        assert_eq!(
            key.sign(b"message"),
            tag,
            "signing twice gives the same tag"
        );
        assert!(key.verify(b"message", &tag));
        let mut bad = tag;
        bad[31] ^= 1;
        assert!(!key.verify(b"message", &bad));
        assert!(!key.verify(b"messagf", &tag));
    }

    #[test]
    fn kids() {
        assert!(kid_problem("k1").is_none());
        assert!(kid_problem("").is_some());
        assert!(kid_problem(&"k".repeat(64)).is_none());
        assert!(kid_problem(&"k".repeat(65)).is_some());
        assert!(kid_problem("a\nb").is_some());
        assert_eq!(check_kid("").unwrap_err().code(), "invalid_argument");
    }

    #[test]
    fn generated_secrets_are_long_and_distinct() {
        let a = generate_secret().unwrap();
        let b = generate_secret().unwrap();
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
    }
}
