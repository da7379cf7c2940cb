//! The native `SigningKey` and `PublicKey`: Ed25519 keys.

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::args::{opt_text, strs, text, texts};
use crate::error::OrThrow;

/// An Ed25519 signing key (its seed never printed).
#[napi]
pub struct SigningKey {
    pub(crate) inner: capsign::SigningKey,
}

#[napi]
impl SigningKey {
    /// From a seed: 32 bytes (a `Buffer`), or its 43 characters of base64url.
    #[napi(constructor)]
    pub fn new(env: &Env, seed: Either<Buffer, Unknown<'_>>) -> Result<Self> {
        let inner = match seed {
            Either::B(t) => capsign::SigningKey::from_text(text(env, "signingKey", t)?.as_str()),
            Either::A(bytes) => match <&[u8; 32]>::try_from(&bytes[..]) {
                Ok(seed) => Ok(capsign::SigningKey::from_seed(seed)),
                Err(_) => Err(capsign::Error::invalid_argument(
                    "signingKey",
                    "a seed is 32 bytes",
                )),
            },
        }
        .or_throw(env)?;
        Ok(SigningKey { inner })
    }

    /// A new key from the operating system's generator.
    #[napi(factory)]
    pub fn generate(env: &Env) -> Result<Self> {
        Ok(SigningKey {
            inner: capsign::SigningKey::generate().or_throw(env)?,
        })
    }

    /// The public key.
    #[napi(getter)]
    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            inner: self.inner.public_key(),
        }
    }

    /// The seed as 43 characters of base64url, for a key file: **secret**.
    #[napi]
    pub fn to_text(&self) -> String {
        self.inner.to_text().to_string()
    }

    /// A summary without key material.
    #[napi]
    pub fn describe(&self) -> String {
        format!("{:?}", self.inner)
    }
}

/// An Ed25519 public key: from 43 characters of base64url, a JWK, or a libp2p peer ID.
#[napi]
pub struct PublicKey {
    pub(crate) inner: capsign::PublicKey,
}

#[napi]
impl PublicKey {
    #[napi(constructor)]
    pub fn new(env: &Env, key: Unknown<'_>) -> Result<Self> {
        Ok(PublicKey {
            inner: capsign::PublicKey::parse(text(env, "publicKey", key)?.as_str())
                .or_throw(env)?,
        })
    }

    /// The libp2p peer ID (`12D3KooW…`).
    #[napi(getter)]
    pub fn peer_id(&self) -> String {
        self.inner.peer_id()
    }

    /// The key as 43 characters of unpadded base64url.
    #[napi]
    pub fn to_base64url(&self) -> String {
        self.inner.to_base64url()
    }

    /// The key as a JWK (RFC 8037), with `kid` if given.
    #[napi]
    pub fn jwk(&self, env: &Env, kid: Unknown<'_>) -> Result<String> {
        let kid = opt_text(env, "kid", kid)?;
        Ok(self.inner.jwk(kid.as_ref().map(crate::args::Text::as_str)))
    }

    /// Whether `other` is the same key.
    #[napi]
    pub fn equals(&self, other: &PublicKey) -> bool {
        self.inner == other.inner
    }
}

/// A public key argument: a `PublicKey`, or text.
pub(crate) fn public_key(
    env: &Env,
    key: Either<&PublicKey, Unknown<'_>>,
) -> Result<capsign::PublicKey> {
    match key {
        Either::A(key) => Ok(key.inner),
        Either::B(t) => {
            capsign::PublicKey::parse(text(env, "publicKey", t)?.as_str()).or_throw(env)
        }
    }
}

/// A JWK Set (`{"keys":[…]}`) of public keys: parallel lists of kids and keys (the
/// object's own properties, read in JavaScript).
#[napi]
pub fn key_set(
    env: &Env,
    kids: Vec<Unknown<'_>>,
    keys: Vec<Either<&PublicKey, Unknown<'_>>>,
) -> Result<String> {
    let kids = texts(env, "kid", kids)?;
    let keys = keys
        .into_iter()
        .map(|k| public_key(env, k))
        .collect::<Result<Vec<_>>>()?;
    Ok(capsign::key_set(strs(&kids).into_iter().zip(keys.iter())))
}
