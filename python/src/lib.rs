//! `capsign._native`: the pyo3 layer of capsign. Every function converts its arguments,
//! makes one call into the core crate, and converts the result; errors go through the one
//! mapping in `error.rs`. No policy, JSON, base64 or crypto logic lives here.

mod capability;
mod error;
mod http;
mod pubkey;
mod request;
mod signing;
mod store;
mod verifying;

use pyo3::prelude::*;
use pyo3::pybacked::{PyBackedBytes, PyBackedStr};
use pyo3::types::PyDict;

/// A secret given as `str` (its UTF-8 bytes are the key) or `bytes`.
#[derive(FromPyObject)]
pub(crate) enum SecretArg {
    Text(PyBackedStr),
    Bytes(PyBackedBytes),
}

impl AsRef<[u8]> for SecretArg {
    fn as_ref(&self) -> &[u8] {
        match self {
            SecretArg::Text(s) => s.as_bytes(),
            SecretArg::Bytes(b) => b,
        }
    }
}

/// An integer argument: an `int`, never a `bool` (Python counts `True` as the int 1, so
/// `uses=True` or a JSON body's `"size": true` would be read as 1, where Node refuses
/// `true`). A `bool` is a `TypeError`, like any other value that is not an `int`.
pub(crate) struct Int<T>(pub(crate) T);

impl<'a, 'py, T: FromPyObject<'a, 'py>> FromPyObject<'a, 'py> for Int<T> {
    type Error = PyErr;

    fn extract(obj: pyo3::Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if obj.is_instance_of::<pyo3::types::PyBool>() {
            return Err(pyo3::exceptions::PyTypeError::new_err(
                "expected an int, not a bool",
            ));
        }
        obj.extract().map(Int).map_err(Into::into)
    }
}

/// The value of an optional [`Int`].
pub(crate) fn int<T>(value: Option<Int<T>>) -> Option<T> {
    value.map(|Int(v)| v)
}

/// A new random secret: 32 bytes from the OS, as 43 URL-safe base64 characters.
#[pyfunction]
fn generate_secret() -> Result<String, error::Failure> {
    Ok(capsign::generate_secret()?)
}

/// filestack-python's `security` for a policy given as JSON text: `(policy, signature)`.
#[pyfunction]
fn filestack_security(
    policy_json: &str,
    secret: SecretArg,
) -> Result<(String, String), error::Failure> {
    let c = capsign::filestack::security(policy_json, secret.as_ref())?;
    Ok((c.policy().to_owned(), c.signature().to_owned()))
}

/// Reads `security=p:<policy>,s:<signature>`: `(policy, signature)`.
#[pyfunction]
fn parse_security_task(task: &str) -> Result<(String, String), error::Failure> {
    let (p, s) = capsign::filestack::parse_security_task(task)?;
    Ok((p.to_owned(), s.to_owned()))
}

/// The JSON of a policy or token, **not verified**.
#[pyfunction]
fn decode_unverified(policy_or_token: &str) -> Result<String, error::Failure> {
    Ok(capsign::dangerous::decode_unverified(policy_or_token)?)
}

/// The `(jti, expiry)` that revoke the credential `policy_or_token`, **not verified**.
#[pyfunction]
fn revocation_unverified(policy_or_token: &str) -> Result<(String, u64), error::Failure> {
    match capsign::dangerous::revocation_unverified(policy_or_token)? {
        capsign::store::Revocation::Jti { jti, expiry } => Ok((jti.into_owned(), expiry)),
        _ => Err(capsign::Error::invalid_argument("token", "names no credential").into()),
    }
}

/// Text from a request made safe for a log line (quoted, control characters escaped).
#[pyfunction]
fn log_safe(text: &str) -> String {
    capsign::http::log_safe(text)
}

/// The limits of the core, by name.
fn limits(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    use capsign::limits as l;
    let d = PyDict::new(py);
    for (name, value) in [
        ("MAX_POLICY_LEN", l::MAX_POLICY_LEN as u64),
        ("MAX_TOKEN_LEN", l::MAX_TOKEN_LEN as u64),
        ("MAX_PERMISSIONS", l::MAX_PERMISSIONS as u64),
        ("MAX_PERMISSION_LEN", l::MAX_PERMISSION_LEN as u64),
        ("MAX_PERMISSION_TOKENS", l::MAX_PERMISSION_TOKENS as u64),
        ("MAX_COMMAND_LEN", l::MAX_COMMAND_LEN as u64),
        ("MAX_COMMAND_TOKENS", l::MAX_COMMAND_TOKENS as u64),
        ("MAX_JSON_DEPTH", l::MAX_JSON_DEPTH as u64),
        ("MIN_SECRET_LEN", l::MIN_SECRET_LEN as u64),
        ("MAX_KID_LEN", l::MAX_KID_LEN as u64),
        ("MAX_JTI_LEN", l::MAX_JTI_LEN as u64),
        ("MAX_USES", l::MAX_USES),
        ("MAX_LEEWAY", l::MAX_LEEWAY),
        ("MAX_INTEGER", l::MAX_INTEGER),
        ("DEFAULT_LIFETIME", l::DEFAULT_LIFETIME),
    ] {
        d.set_item(name, value)?;
    }
    Ok(d)
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<signing::Signer>()?;
    m.add_class::<signing::Credentials>()?;
    m.add_class::<verifying::Verifier>()?;
    m.add_class::<verifying::Grant>()?;
    m.add_class::<http::Route>()?;
    m.add_class::<store::MemoryStore>()?;
    m.add_class::<store::StoreLayout>()?;
    m.add_class::<store::RedisCall>()?;
    m.add_class::<pubkey::SigningKey>()?;
    m.add_class::<pubkey::PublicKey>()?;
    m.add_function(wrap_pyfunction!(pubkey::key_set, m)?)?;
    m.add_class::<capability::Permission>()?;
    m.add_class::<capability::Command>()?;
    m.add_function(wrap_pyfunction!(capability::covers, m)?)?;
    m.add_function(wrap_pyfunction!(capability::rest_command, m)?)?;
    m.add_function(wrap_pyfunction!(capability::rpc_command, m)?)?;
    m.add_function(wrap_pyfunction!(generate_secret, m)?)?;
    m.add_function(wrap_pyfunction!(filestack_security, m)?)?;
    m.add_function(wrap_pyfunction!(parse_security_task, m)?)?;
    m.add_function(wrap_pyfunction!(decode_unverified, m)?)?;
    m.add_function(wrap_pyfunction!(revocation_unverified, m)?)?;
    m.add_function(wrap_pyfunction!(log_safe, m)?)?;
    m.add("KUBO_IGNORE", capsign::http::KUBO_IGNORE.to_vec())?;
    m.add("REFUSAL_HEADERS", capsign::http::REFUSAL_HEADERS.to_vec())?;
    m.add("ERROR_CODES", capsign::Error::CODES.to_vec())?;
    m.add("CHALLENGE", capsign::http::CHALLENGE)?;
    m.add("LIMITS", limits(m.py())?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
