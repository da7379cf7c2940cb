//! Secrets: minimum length, `kid`s for rotation, generation, and hygiene.
//!
//! A secret is bytes (a string secret is its UTF-8). It is loaded once into a [`Key`] that
//! keeps only the derived HMAC states, zeroed on drop, and never printed.

use std::fmt;

use crate::error::{Error, Result};
use crate::limits::MAX_KID_LEN;
use crate::mac::MacKey;

/// A loaded signing key. Its `Debug` output never shows key material.
pub(crate) struct Key {
    mac: MacKey,
}

impl Key {
    /// Loads `secret`, refusing it if empty or shorter than `min_len` bytes.
    pub(crate) fn new(secret: &[u8], min_len: usize) -> Result<Self> {
        check_secret(secret, min_len)?;
        Ok(Key {
            mac: MacKey::new(secret),
        })
    }

    pub(crate) fn sign(&self, message: &[u8]) -> [u8; 32] {
        self.mac.sign(message)
    }

    pub(crate) fn verify(&self, message: &[u8], tag: &[u8; 32]) -> bool {
        self.mac.verify(message, tag)
    }
}

// Its only field zeroes itself on drop.
impl zeroize::ZeroizeOnDrop for Key {}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key(<redacted>)")
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

/// A new random secret: 32 bytes from the operating system's generator, as 43 characters
/// of unpadded URL-safe base64 (so it can live in an environment variable or a file).
pub fn generate_secret() -> Result<String> {
    let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
    getrandom::fill(bytes.as_mut()).map_err(|e| {
        Error::argument(
            "secret",
            format!("the operating system's random generator failed: {e}"),
        )
    })?;
    let mut out = String::with_capacity(44);
    crate::encoding::base64_encode(bytes.as_ref(), &mut out);
    out.truncate(43);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_checked() {
        assert_eq!(
            Key::new(b"", 0).unwrap_err().code(),
            "weak_secret",
            "empty is refused even with the minimum lowered"
        );
        assert_eq!(Key::new(b"short", 16).unwrap_err().code(), "weak_secret");
        assert!(Key::new(b"short", 5).is_ok());
        assert!(Key::new(&[7u8; 16], 16).is_ok());
    }

    #[test]
    fn weak_secret_message_shows_length_not_bytes() {
        let err = Key::new(b"hunter2", 16).unwrap_err().to_string();
        assert!(err.contains("7 bytes"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn keys_are_zeroed_on_drop() {
        fn zeroed_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        zeroed_on_drop::<Key>();
    }

    #[test]
    fn debug_is_redacted() {
        let key = Key::new(b"super-secret-value-123", 16).unwrap();
        let shown = format!("{key:?}");
        assert!(!shown.contains("super"), "{shown}");
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
