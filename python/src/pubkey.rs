//! `SigningKey`, `PublicKey` and `key_set`: Ed25519 keys.

use std::collections::BTreeMap;

use pyo3::prelude::*;
use pyo3::pybacked::{PyBackedBytes, PyBackedStr};

use crate::error::Failure;

/// A seed given as 32 `bytes`, or as its 43 characters of base64url (a key file's text).
#[derive(FromPyObject)]
pub(crate) enum SeedArg {
    Text(PyBackedStr),
    Bytes(PyBackedBytes),
}

/// An Ed25519 signing key (its seed never printed).
#[pyclass(frozen, module = "capsign._native")]
pub(crate) struct SigningKey(pub(crate) capsign::SigningKey);

#[pymethods]
impl SigningKey {
    #[new]
    fn new(seed: SeedArg) -> Result<Self, Failure> {
        Ok(SigningKey(match seed {
            SeedArg::Text(text) => capsign::SigningKey::from_text(&text)?,
            SeedArg::Bytes(bytes) => {
                let seed: &[u8; 32] = (*bytes).try_into().map_err(|_| {
                    capsign::Error::invalid_argument("signing_key", "a seed is 32 bytes")
                })?;
                capsign::SigningKey::from_seed(seed)
            }
        }))
    }

    /// A new key from the operating system's generator.
    #[staticmethod]
    fn generate() -> Result<Self, Failure> {
        Ok(SigningKey(capsign::SigningKey::generate()?))
    }

    /// The public key.
    #[getter]
    fn public_key(&self) -> PublicKey {
        PublicKey(self.0.public_key())
    }

    /// The seed as 43 characters of base64url, for a key file: **secret**.
    fn to_text(&self) -> String {
        self.0.to_text().to_string()
    }

    fn __repr__(&self) -> String {
        format!("{:?}", self.0)
    }
}

/// An Ed25519 public key: from 43 characters of base64url, a JWK, or a libp2p peer ID.
#[pyclass(frozen, eq, module = "capsign._native")]
#[derive(PartialEq)]
pub(crate) struct PublicKey(pub(crate) capsign::PublicKey);

#[pymethods]
impl PublicKey {
    #[new]
    fn new(text: &str) -> Result<Self, Failure> {
        Ok(PublicKey(capsign::PublicKey::parse(text)?))
    }

    /// The libp2p peer ID (`12D3KooW…`).
    #[getter]
    fn peer_id(&self) -> String {
        self.0.peer_id()
    }

    /// The key as 43 characters of unpadded base64url.
    fn to_base64url(&self) -> String {
        self.0.to_base64url()
    }

    /// The key as a JWK (RFC 8037), with `kid` if given.
    #[pyo3(signature = (kid=None))]
    fn jwk(&self, kid: Option<&str>) -> String {
        self.0.jwk(kid)
    }

    fn __repr__(&self) -> String {
        format!("PublicKey({:?})", self.0.peer_id())
    }
}

/// A public key given as a `PublicKey` or as text.
#[derive(FromPyObject)]
pub(crate) enum PublicKeyArg {
    Key(Py<PublicKey>),
    Text(PyBackedStr),
}

impl PublicKeyArg {
    pub(crate) fn key(&self) -> Result<capsign::PublicKey, Failure> {
        Ok(match self {
            PublicKeyArg::Key(key) => key.get().0,
            PublicKeyArg::Text(text) => capsign::PublicKey::parse(text)?,
        })
    }
}

/// A JWK Set (`{"keys":[…]}`) of public keys by `kid`.
#[pyfunction]
pub(crate) fn key_set(public_keys: BTreeMap<String, PublicKeyArg>) -> Result<String, Failure> {
    let keys = public_keys
        .iter()
        .map(|(kid, key)| Ok((kid.as_str(), key.key()?)))
        .collect::<Result<Vec<_>, Failure>>()?;
    Ok(capsign::key_set(keys.iter().map(|(kid, key)| (*kid, key))))
}
