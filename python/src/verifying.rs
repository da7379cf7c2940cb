//! `Verifier` and `Grant`.

use std::collections::{BTreeMap, HashMap};

use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyDict, PyList};

use crate::capability::CommandArg;
use crate::error::Failure;
use crate::http::Route;
use crate::pubkey::PublicKeyArg;
use crate::request::{FieldArgs, RequestArgs};
use crate::{Int, SecretArg, int};

/// Verifies credentials: a default secret and/or secrets by `kid`.
#[pyclass(frozen, module = "capsign._native")]
pub(crate) struct Verifier(capsign::Verifier);

#[pymethods]
impl Verifier {
    #[new]
    #[pyo3(signature = (secret=None, *, keys=None, public_keys=None, key_set=None, leeway=Int(0),
                        min_secret_len=None),
           text_signature = "(secret=None, *, keys=None, public_keys=None, key_set=None, leeway=0, \
                             min_secret_len=None)")]
    fn new(
        secret: Option<SecretArg>,
        keys: Option<HashMap<String, SecretArg>>,
        public_keys: Option<BTreeMap<String, PublicKeyArg>>,
        key_set: Option<String>,
        leeway: Int<i64>,
        min_secret_len: Option<Int<usize>>,
    ) -> Result<Self, Failure> {
        let mut builder = capsign::Verifier::builder().leeway(leeway.0);
        if let Some(secret) = &secret {
            builder = builder.secret(secret.as_ref());
        }
        let mut keys: Vec<(String, SecretArg)> = keys.unwrap_or_default().into_iter().collect();
        keys.sort_by(|a, b| a.0.cmp(&b.0));
        for (kid, secret) in keys {
            builder = builder.key(kid, secret.as_ref());
        }
        for (kid, key) in public_keys.iter().flatten() {
            builder = builder.public_key(kid.as_str(), key.key()?);
        }
        if let Some(set) = key_set {
            builder = builder.key_set(set);
        }
        if let Some(min) = int(min_secret_len) {
            builder = builder.min_secret_len(min);
        }
        Ok(Verifier(builder.build()?))
    }

    /// The verifier's public keys as a JWK Set, or `None` if it holds none.
    fn key_set(&self) -> Option<String> {
        self.0.key_set()
    }

    /// Seconds of clock tolerance.
    #[getter]
    fn leeway(&self) -> u64 {
        self.0.leeway()
    }

    /// Verifies an HTTP request's credentials for a route (its raw target and every
    /// `Authorization` header value), without mapping or authorizing the request: what an
    /// adapter checks before it runs the application's `fields` or `command` function.
    /// Raises the refusal.
    #[pyo3(signature = (route, method, target, authorization, *, now=None))]
    fn authenticate_http(
        &self,
        route: &Route,
        method: PyBackedStr,
        target: PyBackedStr,
        authorization: Vec<PyBackedStr>,
        now: Option<Int<u64>>,
    ) -> Result<(), Failure> {
        let authorization: Vec<&str> = authorization.iter().map(|s| &**s).collect();
        let request = capsign::http::HttpRequest {
            method: &method,
            target: &target,
            authorization: &authorization,
            command: None,
        };
        let now = int(now).unwrap_or_else(capsign::unix_now);
        self.0.authenticate_http_at(&route.0, &request, now)?;
        Ok(())
    }

    /// Checks an HTTP request against a route: its method, raw target and every
    /// `Authorization` header value; `fields` (a mapping: only `handle`, `url`, `path`,
    /// `container` and `size` are read) and the route's per-request `command`. Raises the
    /// refusal (its `status`, `challenge` and `body` are the answer).
    #[pyo3(signature = (route, method, target, authorization, *, fields=None, command=None, now=None))]
    #[allow(clippy::too_many_arguments)]
    fn check_http(
        &self,
        route: &Route,
        method: PyBackedStr,
        target: PyBackedStr,
        authorization: Vec<PyBackedStr>,
        fields: Option<&Bound<'_, PyAny>>,
        command: Option<&Bound<'_, PyAny>>,
        now: Option<Int<u64>>,
    ) -> PyResult<Grant> {
        let fields = FieldArgs::extract(fields)?;
        // The command function may pass on what the request gave: a value of the wrong
        // type is the request's fault (400), as for the fields.
        let command: Option<CommandArg> = command
            .filter(|c| !c.is_none())
            .map(|c| {
                c.extract().map_err(|_| {
                    PyErr::from(Failure::from(capsign::http::Fields::wrong_type("command")))
                })
            })
            .transpose()?;
        let authorization: Vec<&str> = authorization.iter().map(|s| &**s).collect();
        let request = capsign::http::HttpRequest {
            method: &method,
            target: &target,
            authorization: &authorization,
            command: command.as_ref().map(CommandArg::as_ref),
        };
        let now = int(now).unwrap_or_else(capsign::unix_now);
        let grant = self
            .0
            .check_http_at(&route.0, &request, &fields.fields(), now)
            .map_err(Failure::from)?;
        Ok(Grant(grant))
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

/// What the request methods of `request.rs` call.
impl Verifier {
    pub(crate) fn verify_pair(
        &self,
        policy: &str,
        signature: &str,
        now: Option<Int<u64>>,
        args: &RequestArgs,
    ) -> Result<Grant, Failure> {
        let now = int(now).unwrap_or_else(capsign::unix_now);
        Ok(Grant(self.0.verify_at(
            policy,
            signature,
            &args.request()?,
            now,
        )?))
    }

    pub(crate) fn verify_compact(
        &self,
        token: &str,
        now: Option<Int<u64>>,
        args: &RequestArgs,
    ) -> Result<Grant, Failure> {
        let now = int(now).unwrap_or_else(capsign::unix_now);
        Ok(Grant(self.0.verify_token_at(
            token,
            &args.request()?,
            now,
        )?))
    }

    pub(crate) fn verify_presented(
        &self,
        authorization: Option<&str>,
        policy: &[PyBackedStr],
        signature: &[PyBackedStr],
        now: Option<Int<u64>>,
        args: &RequestArgs,
    ) -> Result<Option<Grant>, Failure> {
        let policy: Vec<&str> = policy.iter().map(|s| &**s).collect();
        let signature: Vec<&str> = signature.iter().map(|s| &**s).collect();
        let now = int(now).unwrap_or_else(capsign::unix_now);
        let grant =
            self.0
                .verify_http_at(authorization, &policy, &signature, &args.request()?, now)?;
        Ok(grant.map(Grant))
    }
}

/// A verified, current policy.
#[pyclass(frozen, module = "capsign._native")]
pub(crate) struct Grant(capsign::Grant);

impl Grant {
    pub(crate) fn inner(&self) -> &capsign::Grant {
        &self.0
    }

    pub(crate) fn authorize_request(&self, args: &RequestArgs) -> Result<Option<String>, Failure> {
        let matched = self.0.authorize(&args.request()?)?;
        Ok(matched.map(|p| p.as_str().to_owned()))
    }
}

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
