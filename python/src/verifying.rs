//! `Verifier` and `Grant`.

use std::collections::HashMap;

use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyDict, PyList};

use crate::SecretArg;
use crate::capability::CommandArg;
use crate::error::Failure;

/// What a request names, as keyword arguments.
struct RequestArgs<'a> {
    call: Option<&'a str>,
    handle: Option<&'a str>,
    url: Option<&'a str>,
    path: Option<&'a str>,
    container: Option<&'a str>,
    size: Option<u64>,
    command: Option<&'a CommandArg>,
    rest: Option<&'a (PyBackedStr, PyBackedStr)>,
    rpc: Option<&'a (PyBackedStr, PyBackedStr)>,
}

impl<'a> RequestArgs<'a> {
    fn request(&self) -> Result<capsign::Request<'a>, Failure> {
        let pair = |p: Option<&'a (PyBackedStr, PyBackedStr)>| p.map(|(a, b)| (&**a, &**b));
        let command = capsign::CommandRef::one_of(
            self.command.map(CommandArg::as_ref),
            pair(self.rest),
            pair(self.rpc),
        )?;
        Ok(capsign::Request {
            call: self.call,
            handle: self.handle,
            url: self.url,
            path: self.path,
            container: self.container,
            size: self.size,
            command,
        })
    }
}

/// Verifies credentials: a default secret and/or secrets by `kid`.
#[pyclass(frozen, module = "capsign._native")]
pub(crate) struct Verifier(capsign::Verifier);

#[pymethods]
impl Verifier {
    #[new]
    #[pyo3(signature = (secret=None, *, keys=None, leeway=0, min_secret_len=None))]
    fn new(
        secret: Option<SecretArg>,
        keys: Option<HashMap<String, SecretArg>>,
        leeway: i64,
        min_secret_len: Option<usize>,
    ) -> Result<Self, Failure> {
        let mut builder = capsign::Verifier::builder().leeway(leeway);
        if let Some(secret) = secret {
            builder = builder.secret(secret.as_ref());
        }
        let mut keys: Vec<(String, SecretArg)> = keys.unwrap_or_default().into_iter().collect();
        keys.sort_by(|a, b| a.0.cmp(&b.0));
        for (kid, secret) in keys {
            builder = builder.key(kid, secret.as_ref());
        }
        if let Some(min) = min_secret_len {
            builder = builder.min_secret_len(min);
        }
        Ok(Verifier(builder.build()?))
    }

    /// Seconds of clock tolerance.
    #[getter]
    fn leeway(&self) -> u64 {
        self.0.leeway()
    }

    /// Verifies a policy and signature pair, then authorizes the request named by the
    /// keyword arguments (if any).
    #[pyo3(signature = (policy, signature, *, call=None, handle=None, url=None, path=None,
                        container=None, size=None, command=None, rest=None, rpc=None, now=None))]
    #[allow(clippy::too_many_arguments)]
    fn verify(
        &self,
        policy: PyBackedStr,
        signature: PyBackedStr,
        call: Option<PyBackedStr>,
        handle: Option<PyBackedStr>,
        url: Option<PyBackedStr>,
        path: Option<PyBackedStr>,
        container: Option<PyBackedStr>,
        size: Option<u64>,
        command: Option<CommandArg>,
        rest: Option<(PyBackedStr, PyBackedStr)>,
        rpc: Option<(PyBackedStr, PyBackedStr)>,
        now: Option<u64>,
    ) -> Result<Grant, Failure> {
        let args = RequestArgs {
            call: call.as_deref(),
            handle: handle.as_deref(),
            url: url.as_deref(),
            path: path.as_deref(),
            container: container.as_deref(),
            size,
            command: command.as_ref(),
            rest: rest.as_ref(),
            rpc: rpc.as_ref(),
        };
        let now = now.unwrap_or_else(capsign::unix_now);
        Ok(Grant(self.0.verify_at(
            &policy,
            &signature,
            &args.request()?,
            now,
        )?))
    }

    /// Verifies a compact token `<policy>.<signature>`, then authorizes the request.
    #[pyo3(signature = (token, *, call=None, handle=None, url=None, path=None,
                        container=None, size=None, command=None, rest=None, rpc=None, now=None))]
    #[allow(clippy::too_many_arguments)]
    fn verify_token(
        &self,
        token: PyBackedStr,
        call: Option<PyBackedStr>,
        handle: Option<PyBackedStr>,
        url: Option<PyBackedStr>,
        path: Option<PyBackedStr>,
        container: Option<PyBackedStr>,
        size: Option<u64>,
        command: Option<CommandArg>,
        rest: Option<(PyBackedStr, PyBackedStr)>,
        rpc: Option<(PyBackedStr, PyBackedStr)>,
        now: Option<u64>,
    ) -> Result<Grant, Failure> {
        let args = RequestArgs {
            call: call.as_deref(),
            handle: handle.as_deref(),
            url: url.as_deref(),
            path: path.as_deref(),
            container: container.as_deref(),
            size,
            command: command.as_ref(),
            rest: rest.as_ref(),
            rpc: rpc.as_ref(),
        };
        let now = now.unwrap_or_else(capsign::unix_now);
        Ok(Grant(self.0.verify_token_at(
            &token,
            &args.request()?,
            now,
        )?))
    }

    /// Verifies an HTTP request's credentials (`Authorization` header value, every
    /// `policy` and `signature` query value); `None` if it carries none.
    #[pyo3(signature = (authorization, policy, signature, *, call=None, handle=None, url=None,
                        path=None, container=None, size=None, command=None, rest=None, rpc=None, now=None))]
    #[allow(clippy::too_many_arguments)]
    fn verify_http(
        &self,
        authorization: Option<PyBackedStr>,
        policy: Vec<PyBackedStr>,
        signature: Vec<PyBackedStr>,
        call: Option<PyBackedStr>,
        handle: Option<PyBackedStr>,
        url: Option<PyBackedStr>,
        path: Option<PyBackedStr>,
        container: Option<PyBackedStr>,
        size: Option<u64>,
        command: Option<CommandArg>,
        rest: Option<(PyBackedStr, PyBackedStr)>,
        rpc: Option<(PyBackedStr, PyBackedStr)>,
        now: Option<u64>,
    ) -> Result<Option<Grant>, Failure> {
        let args = RequestArgs {
            call: call.as_deref(),
            handle: handle.as_deref(),
            url: url.as_deref(),
            path: path.as_deref(),
            container: container.as_deref(),
            size,
            command: command.as_ref(),
            rest: rest.as_ref(),
            rpc: rpc.as_ref(),
        };
        let policy: Vec<&str> = policy.iter().map(|s| &**s).collect();
        let signature: Vec<&str> = signature.iter().map(|s| &**s).collect();
        let now = now.unwrap_or_else(capsign::unix_now);
        let grant = self.0.verify_http_at(
            authorization.as_deref(),
            &policy,
            &signature,
            &args.request()?,
            now,
        )?;
        Ok(grant.map(Grant))
    }

    fn __repr__(&self) -> String {
        format!(
            "Verifier(default_secret={}, kids={:?}, leeway={})",
            if self.0.has_default_secret() {
                "True"
            } else {
                "False"
            },
            self.0.kids(),
            self.0.leeway()
        )
    }
}

/// A verified, current policy.
#[pyclass(frozen, module = "capsign._native")]
pub(crate) struct Grant(capsign::Grant);

#[pymethods]
impl Grant {
    /// The decoded policy, as a dict.
    #[getter]
    fn policy<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (name, value) in self.0.policy().fields() {
            match value {
                capsign::FieldValue::Integer(n) => d.set_item(name, n)?,
                capsign::FieldValue::String(s) => d.set_item(name, s)?,
                capsign::FieldValue::Strings(list) => d.set_item(name, PyList::new(py, list)?)?,
            }
        }
        Ok(d)
    }

    /// The policy's expiry, Unix seconds.
    #[getter]
    fn expiry(&self) -> u64 {
        self.0.expiry()
    }

    /// The `kid` of the key that signed it.
    #[getter]
    fn kid(&self) -> Option<&str> {
        self.0.kid()
    }

    /// The permissions, as written, or `None`.
    #[getter]
    fn permissions(&self) -> Option<Vec<&str>> {
        self.0
            .permissions()
            .map(|set| set.iter().map(capsign::Permission::as_str).collect())
    }

    /// The permission that allowed the command named at verification.
    #[getter]
    fn matched(&self) -> Option<&str> {
        self.0.matched().map(capsign::Permission::as_str)
    }

    /// Authorizes another request; returns the permission that allowed its command.
    #[pyo3(signature = (*, call=None, handle=None, url=None, path=None, container=None,
                        size=None, command=None, rest=None, rpc=None))]
    #[allow(clippy::too_many_arguments)]
    fn authorize(
        &self,
        call: Option<PyBackedStr>,
        handle: Option<PyBackedStr>,
        url: Option<PyBackedStr>,
        path: Option<PyBackedStr>,
        container: Option<PyBackedStr>,
        size: Option<u64>,
        command: Option<CommandArg>,
        rest: Option<(PyBackedStr, PyBackedStr)>,
        rpc: Option<(PyBackedStr, PyBackedStr)>,
    ) -> Result<Option<String>, Failure> {
        let args = RequestArgs {
            call: call.as_deref(),
            handle: handle.as_deref(),
            url: url.as_deref(),
            path: path.as_deref(),
            container: container.as_deref(),
            size,
            command: command.as_ref(),
            rest: rest.as_ref(),
            rpc: rpc.as_ref(),
        };
        let matched = self.0.authorize(&args.request()?)?;
        Ok(matched.map(|p| p.as_str().to_owned()))
    }

    /// Whether this grant allows `command` on its own.
    fn allows(&self, command: CommandArg) -> Result<bool, Failure> {
        Ok(self.0.allows(command.as_ref())?)
    }

    fn __repr__(&self) -> String {
        format!(
            "Grant(expiry={}, kid={:?}, policy={})",
            self.0.expiry(),
            self.0.kid(),
            self.0.policy().to_json()
        )
    }
}
