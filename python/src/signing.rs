//! `Signer` and `Credentials`.

use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::PyDict;

use crate::error::Failure;
use crate::pubkey::{PublicKey, SigningKey};
use crate::{Int, SecretArg, int};

/// Signs policies with one secret (and an optional `kid`).
#[pyclass(frozen, module = "capsign._native")]
pub(crate) struct Signer(capsign::Signer);

#[pymethods]
impl Signer {
    #[new]
    #[pyo3(signature = (secret=None, *, signing_key=None, kid=None, min_secret_len=None))]
    fn new(
        secret: Option<SecretArg>,
        signing_key: Option<PyRef<'_, SigningKey>>,
        kid: Option<String>,
        min_secret_len: Option<Int<usize>>,
    ) -> Result<Self, Failure> {
        let mut builder = capsign::Signer::builder();
        if let Some(secret) = &secret {
            builder = builder.secret(secret.as_ref());
        }
        if let Some(key) = signing_key {
            builder = builder.signing_key(key.0.clone());
        }
        if let Some(kid) = kid {
            builder = builder.kid(kid);
        }
        if let Some(min) = int(min_secret_len) {
            builder = builder.min_secret_len(min);
        }
        Ok(Signer(builder.build()?))
    }

    /// The `kid` written into every policy.
    #[getter]
    fn kid(&self) -> Option<&str> {
        self.0.kid()
    }

    /// The public key, for an Ed25519 signer.
    #[getter]
    fn public_key(&self) -> Option<PublicKey> {
        self.0.public_key().map(PublicKey)
    }

    /// Issues credentials. Give `expires_in` or `expiry` (default: 900 seconds).
    #[pyo3(signature = (*, expires_in=None, expiry=None, call=None, handle=None, url=None,
                        path=None, container=None, max_size=None, min_size=None,
                        permissions=None, nbf=None, jti=None, uses=None, now=None))]
    #[allow(clippy::too_many_arguments)]
    fn issue(
        &self,
        expires_in: Option<Int<u64>>,
        expiry: Option<Int<u64>>,
        call: Option<Vec<PyBackedStr>>,
        handle: Option<PyBackedStr>,
        url: Option<PyBackedStr>,
        path: Option<PyBackedStr>,
        container: Option<PyBackedStr>,
        max_size: Option<Int<u64>>,
        min_size: Option<Int<u64>>,
        permissions: Option<Vec<PyBackedStr>>,
        nbf: Option<Int<u64>>,
        jti: Option<PyBackedStr>,
        uses: Option<Int<u64>>,
        now: Option<Int<u64>>,
    ) -> Result<Credentials, Failure> {
        let call: Option<Vec<&str>> = call.as_ref().map(|v| v.iter().map(|s| &**s).collect());
        let permissions: Option<Vec<&str>> = permissions
            .as_ref()
            .map(|v| v.iter().map(|s| &**s).collect());
        let claims = capsign::Claims {
            expires_in: int(expires_in),
            expiry: int(expiry),
            call: call.as_deref(),
            handle: handle.as_deref(),
            url: url.as_deref(),
            path: path.as_deref(),
            container: container.as_deref(),
            max_size: int(max_size),
            min_size: int(min_size),
            permissions: permissions.as_deref(),
            nbf: int(nbf),
            jti: jti.as_deref(),
            uses: int(uses),
        };
        let now = int(now).unwrap_or_else(capsign::unix_now);
        Ok(Credentials(self.0.issue_at(&claims, now)?))
    }

    fn __repr__(&self) -> String {
        match self.0.kid() {
            Some(kid) => format!("Signer(kid={kid:?})"),
            None => "Signer()".to_owned(),
        }
    }
}

/// A policy and signature pair, and the compact token.
#[pyclass(frozen, module = "capsign._native")]
pub(crate) struct Credentials(capsign::Credentials);

#[pymethods]
impl Credentials {
    /// The base64 policy (URL-safe alphabet, padded).
    #[getter]
    fn policy(&self) -> &str {
        self.0.policy()
    }

    /// The lowercase hex HMAC-SHA256 of the policy.
    #[getter]
    fn signature(&self) -> &str {
        self.0.signature()
    }

    /// `<policy>.<signature>`.
    #[getter]
    fn token(&self) -> &str {
        self.0.token()
    }

    /// The policy's expiry, Unix seconds.
    #[getter]
    fn expiry(&self) -> u64 {
        self.0.expiry()
    }

    /// `{"policy", "signature", "token", "expiry"}`, ready for `jsonify`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("policy", self.0.policy())?;
        d.set_item("signature", self.0.signature())?;
        d.set_item("token", self.0.token())?;
        d.set_item("expiry", self.0.expiry())?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "Credentials(expiry={}, policy={:?})",
            self.0.expiry(),
            self.0.policy()
        )
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<Credentials>()
            .is_ok_and(|o| o.get().0 == self.0)
    }
}
