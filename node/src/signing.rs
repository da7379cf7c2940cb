//! The native `Signer`.

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::args::{integer, opt_integer, opt_text, secret, text};
use crate::error::OrThrow;
use crate::pubkey::{PublicKey, SigningKey};

/// Signs policies with one secret (and an optional `kid`).
#[napi]
pub struct Signer {
    inner: capsign::Signer,
}

#[napi]
impl Signer {
    #[napi(constructor)]
    pub fn new(
        env: &Env,
        secret_value: Option<Either<Buffer, Unknown<'_>>>,
        signing_key: Option<&SigningKey>,
        kid: Unknown<'_>,
        min_secret_len: Unknown<'_>,
    ) -> Result<Self> {
        let mut builder = capsign::Signer::builder();
        if let Some(s) = secret_value {
            builder = builder.secret(secret(env, s)?);
        }
        if let Some(key) = signing_key {
            builder = builder.signing_key(key.inner.clone());
        }
        if let Some(kid) = opt_text(env, "kid", kid)? {
            builder = builder.kid(kid.as_str());
        }
        if let Some(min) = opt_integer(env, "minSecretLen", min_secret_len)? {
            builder = builder.min_secret_len(usize::try_from(min).unwrap_or(usize::MAX));
        }
        Ok(Signer {
            inner: builder.build().or_throw(env)?,
        })
    }

    /// The `kid` written into every policy.
    #[napi(getter)]
    pub fn kid(&self) -> Option<&str> {
        self.inner.kid()
    }

    /// The public key, for an Ed25519 signer.
    #[napi(getter)]
    pub fn public_key(&self) -> Option<PublicKey> {
        self.inner.public_key().map(|inner| PublicKey { inner })
    }

    /// Issues credentials as of `now` for claims given as one JSON object (written by
    /// `JSON.stringify` from the claims' own properties; the core reads and checks it):
    /// the token `<policy>.<signature>`. One string in, one out: each further argument or
    /// returned value would cost more than signing.
    #[napi]
    pub fn issue(&self, env: &Env, now: Unknown<'_>, claims: Unknown<'_>) -> Result<String> {
        let now = integer(env, "now", now)?;
        let claims = text(env, "claims", claims)?;
        let creds = self
            .inner
            .issue_json_at(claims.as_str(), now)
            .or_throw(env)?;
        Ok(creds.into_token())
    }

    /// A summary without key material.
    #[napi]
    pub fn describe(&self) -> String {
        match self.inner.kid() {
            Some(kid) => format!("Signer(kid={kid:?})"),
            None => "Signer()".to_owned(),
        }
    }
}
