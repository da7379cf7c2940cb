//! Options for a [`Verifier`]: `Verifier::builder().secret(…).key(kid, …)
//! .public_key(kid, …).key_set(…).leeway(…).build()`.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use super::{Inner, Key, Verifier};
use crate::cache::Cache;
use crate::error::{Error, Result, quote};
use crate::keys::{HmacKey, Secret, check_kid};
use crate::limits::{MAX_LEEWAY, MIN_SECRET_LEN};
use crate::policy::compiled::Compiled;
use crate::pubkey::{PublicKey, parse_key_set};

/// Options for a [`Verifier`].
pub struct VerifierBuilder {
    default: Option<Secret>,
    secrets: Vec<(String, Secret)>,
    public_keys: Vec<(String, PublicKey)>,
    key_sets: Vec<String>,
    leeway: i64,
    min_secret_len: usize,
}

impl Default for VerifierBuilder {
    fn default() -> Self {
        VerifierBuilder {
            default: None,
            secrets: Vec::new(),
            public_keys: Vec::new(),
            key_sets: Vec::new(),
            leeway: 0,
            min_secret_len: MIN_SECRET_LEN,
        }
    }
}

impl fmt::Debug for VerifierBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifierBuilder")
            .field("default_secret", &self.default.is_some())
            .field(
                "kids",
                &self
                    .secrets
                    .iter()
                    .map(|(k, _)| k)
                    .chain(self.public_keys.iter().map(|(k, _)| k))
                    .collect::<Vec<_>>(),
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

    /// The HMAC secret for policies whose `kid` is `kid`. Lookup is by `kid` only: a
    /// policy naming a `kid` never falls back to the default secret.
    pub fn key(mut self, kid: impl Into<String>, secret: impl Into<Secret>) -> Self {
        self.secrets.push((kid.into(), secret.into()));
        self
    }

    /// The Ed25519 public key for policies whose `kid` is `kid` (often its peer ID).
    pub fn public_key(mut self, kid: impl Into<String>, key: PublicKey) -> Self {
        self.public_keys.push((kid.into(), key));
        self
    }

    /// Every key of a JWK Set (`{"keys":[…]}`, each with its `kid`).
    pub fn key_set(mut self, json: impl Into<String>) -> Self {
        self.key_sets.push(json.into());
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

    /// The verifier, or why the options cannot make one. A `kid` given twice — as two
    /// secrets, two public keys, or one of each — is refused: a `kid` names one key.
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
        let default = self
            .default
            .as_ref()
            .map(|s| HmacKey::new(s.bytes(), self.min_secret_len).map(Key::Hmac))
            .transpose()?;
        let mut keys = HashMap::new();
        let mut add = |kid: String, key: Key| -> Result<()> {
            check_kid(&kid)?;
            if keys.contains_key(&kid) {
                return Err(Error::argument(
                    "keys",
                    format!("kid {} is given twice", quote(&kid)),
                ));
            }
            keys.insert(kid, key);
            Ok(())
        };
        for (kid, secret) in &self.secrets {
            add(
                kid.clone(),
                Key::Hmac(HmacKey::new(secret.bytes(), self.min_secret_len)?),
            )?;
        }
        for (kid, key) in self.public_keys {
            add(kid, Key::Ed25519(key))?;
        }
        for set in &self.key_sets {
            for (kid, key) in parse_key_set(set)? {
                add(kid, Key::Ed25519(key))?;
            }
        }
        if default.is_none() && keys.is_empty() {
            return Err(Error::argument(
                "secret",
                "a verifier needs a default secret, keys by kid, or public keys",
            ));
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
