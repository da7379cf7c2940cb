//! Revocation and use limits: the in-memory store, and the layout a Redis store follows
//! (the keys, the scripts and what their replies mean are the core's; `capsign.stores`
//! only carries them to the user's redis-py client).

use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

use crate::error::Failure;
use crate::verifying::Grant;
use crate::{Int, int};

fn now_or_clock(now: Option<Int<u64>>) -> u64 {
    int(now).unwrap_or_else(capsign::unix_now)
}

fn revocation<'a>(
    jti: Option<&'a str>,
    expiry: Option<u64>,
    kid: Option<&'a str>,
    before: Option<u64>,
) -> Result<capsign::store::Revocation<'a>, Failure> {
    Ok(capsign::store::Revocation::from_options(
        jti, expiry, kid, before,
    )?)
}

/// Revocations and use counts for one process (thread-safe).
#[pyclass(frozen, module = "capsign._native")]
pub(crate) struct MemoryStore(capsign::store::MemoryStore);

#[pymethods]
impl MemoryStore {
    /// `leeway`: how long entries outlive their credentials (at least the verifiers').
    #[new]
    #[pyo3(signature = (*, leeway=Int(3600)), text_signature = "(*, leeway=3600)")]
    fn new(leeway: Int<i64>) -> Result<Self, Failure> {
        let layout = capsign::store::Layout::new(capsign::store::DEFAULT_PREFIX, leeway.0)?;
        Ok(MemoryStore(capsign::store::MemoryStore::new(layout)))
    }

    /// Checks `grant` and consumes one of its uses; raises `Revoked` or `UsedUp`.
    #[pyo3(signature = (grant, *, now=None))]
    fn check(&self, grant: &Grant, now: Option<Int<u64>>) -> Result<(), Failure> {
        let now = now_or_clock(now);
        self.0.check_at(grant.inner(), now)?;
        Ok(())
    }

    /// Revokes one credential (`jti` with its `expiry`), a key's credentials issued before
    /// a time (`kid`, `before`), or everything issued before a time (`before`).
    #[pyo3(signature = (*, jti=None, expiry=None, kid=None, before=None, now=None))]
    fn revoke(
        &self,
        jti: Option<PyBackedStr>,
        expiry: Option<Int<u64>>,
        kid: Option<PyBackedStr>,
        before: Option<Int<u64>>,
        now: Option<Int<u64>>,
    ) -> Result<(), Failure> {
        let r = revocation(jti.as_deref(), int(expiry), kid.as_deref(), int(before))?;
        Ok(self.0.revoke_at(&r, now_or_clock(now))?)
    }

    /// Drops the entries whose credentials have expired.
    #[pyo3(signature = (*, now=None))]
    fn sweep(&self, now: Option<Int<u64>>) {
        self.0.sweep_at(now_or_clock(now));
    }

    fn __len__(&self) -> usize {
        self.0.len()
    }

    fn __repr__(&self) -> String {
        format!("MemoryStore(entries={})", self.0.len())
    }
}

/// One Redis script run: `EVALSHA sha1 len(keys) *keys *args`.
#[pyclass(frozen, get_all, module = "capsign._native")]
pub(crate) struct RedisCall {
    script: &'static str,
    sha1: &'static str,
    keys: Vec<String>,
    args: Vec<String>,
}

impl From<capsign::store::RedisCall> for RedisCall {
    fn from(c: capsign::store::RedisCall) -> Self {
        RedisCall {
            script: c.script,
            sha1: c.sha1,
            keys: c.keys,
            args: c.args,
        }
    }
}

/// The keys, scripts and decisions of a Redis store.
#[pyclass(frozen, module = "capsign._native")]
pub(crate) struct StoreLayout(capsign::store::Layout);

#[pymethods]
impl StoreLayout {
    #[new]
    #[pyo3(signature = (*, prefix="capsign:", leeway=Int(3600)),
           text_signature = "(*, prefix='capsign:', leeway=3600)")]
    fn new(prefix: &str, leeway: Int<i64>) -> Result<Self, Failure> {
        Ok(StoreLayout(capsign::store::Layout::new(prefix, leeway.0)?))
    }

    /// The key prefix.
    #[getter]
    fn prefix(&self) -> &str {
        self.0.prefix()
    }

    /// The leeway, in seconds.
    #[getter]
    fn leeway(&self) -> u64 {
        self.0.leeway()
    }

    /// The script run that checks `grant` and consumes one of its uses.
    fn check_call(&self, grant: &Grant) -> RedisCall {
        self.0.check_call(grant.inner()).into()
    }

    /// The script run that records a revocation (the arguments of `revoke`), refused if
    /// it would record nothing as of `now` (a credential already expired).
    #[pyo3(signature = (*, jti=None, expiry=None, kid=None, before=None, now=None))]
    fn revoke_call(
        &self,
        jti: Option<PyBackedStr>,
        expiry: Option<Int<u64>>,
        kid: Option<PyBackedStr>,
        before: Option<Int<u64>>,
        now: Option<Int<u64>>,
    ) -> Result<RedisCall, Failure> {
        let r = revocation(jti.as_deref(), int(expiry), kid.as_deref(), int(before))?;
        Ok(self.0.revoke_call(&r, now_or_clock(now))?.into())
    }

    /// What the store's `reply` to the check of `grant` means (`None`: it did not
    /// answer): returns for `ok`, raises `Revoked`, `UsedUp` or `Unavailable`.
    fn decide(&self, grant: &Grant, reply: Option<&str>) -> Result<(), Failure> {
        Ok(self.0.question(grant.inner()).decide(reply)?)
    }

    /// What the store's `reply` to a revocation means: returns for `ok`, raises
    /// `Unavailable` otherwise.
    fn confirm(&self, reply: Option<&str>) -> Result<(), Failure> {
        Ok(self.0.confirm(reply)?)
    }

    fn __repr__(&self) -> String {
        format!(
            "StoreLayout(prefix={:?}, leeway={})",
            self.0.prefix(),
            self.0.leeway()
        )
    }
}
