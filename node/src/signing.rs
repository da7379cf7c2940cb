//! The native `Signer`.

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::error::OrThrow;
use crate::{Secret, integer};

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
        secret: Either<String, Buffer>,
        kid: Option<String>,
        min_secret_len: Option<u32>,
    ) -> Result<Self> {
        let secret = Secret::new(secret);
        let mut builder = capsign::Signer::builder().secret(secret.bytes());
        if let Some(kid) = kid {
            builder = builder.kid(kid);
        }
        if let Some(min) = min_secret_len {
            builder = builder.min_secret_len(min as usize);
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

    /// Issues credentials as of `now`: `[policy, signature, expiry]`.
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn issue(
        &self,
        env: &Env,
        now: f64,
        expires_in: Option<f64>,
        expiry: Option<f64>,
        call: Option<Vec<String>>,
        handle: Option<String>,
        url: Option<String>,
        path: Option<String>,
        container: Option<String>,
        max_size: Option<f64>,
        min_size: Option<f64>,
        permissions: Option<Vec<String>>,
        nbf: Option<f64>,
        jti: Option<String>,
    ) -> Result<(String, String, f64)> {
        let call: Option<Vec<&str>> = call
            .as_ref()
            .map(|v| v.iter().map(String::as_str).collect());
        let permissions: Option<Vec<&str>> = permissions
            .as_ref()
            .map(|v| v.iter().map(String::as_str).collect());
        let claims = capsign::Claims {
            expires_in: integer(env, "expiresIn", expires_in)?,
            expiry: integer(env, "expiry", expiry)?,
            call: call.as_deref(),
            handle: handle.as_deref(),
            url: url.as_deref(),
            path: path.as_deref(),
            container: container.as_deref(),
            max_size: integer(env, "maxSize", max_size)?,
            min_size: integer(env, "minSize", min_size)?,
            permissions: permissions.as_deref(),
            nbf: integer(env, "nbf", nbf)?,
            jti: jti.as_deref(),
        };
        let now = capsign::limits::integer_from_f64("now", now).or_throw(env)?;
        let creds = self.inner.issue_at(&claims, now).or_throw(env)?;
        Ok((
            creds.policy().to_owned(),
            creds.signature().to_owned(),
            creds.expiry() as f64,
        ))
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
