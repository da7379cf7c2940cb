//! Revocation and use limits: the in-memory store, and the layout a Redis store follows.
//! Grants are named by the native verifier, the token and the time of their check (see
//! `verifying.rs`), and re-verified here (a cache hit) before the store is asked.

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::args::{Text, given, integer, opt_integer, opt_text, signed, text};
use crate::error::OrThrow;
use crate::verifying::Verifier;

fn layout(env: &Env, prefix: Option<Text>, leeway: Unknown<'_>) -> Result<capsign::store::Layout> {
    let leeway = match given(leeway)? {
        None => capsign::limits::MAX_LEEWAY as i64,
        Some(l) => signed(env, "leeway", l)?,
    };
    capsign::store::Layout::new(
        prefix
            .as_ref()
            .map_or(capsign::store::DEFAULT_PREFIX, |p| p.as_str()),
        leeway,
    )
    .or_throw(env)
}

/// The store's reply, if it is text: anything else is no answer (never an error here).
fn reply_text(reply: Unknown<'_>) -> Result<Option<String>> {
    if reply.get_type()? == ValueType::String {
        String::from_unknown(reply).map(Some)
    } else {
        Ok(None)
    }
}

fn grant(
    env: &Env,
    verifier: &Verifier,
    token: Unknown<'_>,
    at: Unknown<'_>,
) -> Result<capsign::Grant> {
    let at = integer(env, "now", at)?;
    let token = text(env, "token", token)?;
    verifier
        .inner()
        .verify_token_at(token.as_str(), &capsign::Request::new(), at)
        .or_throw(env)
}

/// The options of a revocation, converted (`expiry` and `before` are Unix seconds).
fn revoke_with<T>(
    env: &Env,
    jti: Unknown<'_>,
    expiry: Unknown<'_>,
    kid: Unknown<'_>,
    before: Unknown<'_>,
    run: impl FnOnce(&capsign::store::Revocation<'_>) -> T,
) -> Result<T> {
    let jti = opt_text(env, "jti", jti)?;
    let kid = opt_text(env, "kid", kid)?;
    let expiry = opt_integer(env, "expiry", expiry)?;
    let before = opt_integer(env, "before", before)?;
    let revocation = capsign::store::Revocation::from_options(
        jti.as_ref().map(|t| t.as_str()),
        expiry,
        kid.as_ref().map(|t| t.as_str()),
        before,
    )
    .or_throw(env)?;
    Ok(run(&revocation))
}

/// Revocations and use counts for one process.
#[napi]
pub struct MemoryStore {
    inner: capsign::store::MemoryStore,
}

impl MemoryStore {
    pub(crate) fn inner(&self) -> &capsign::store::MemoryStore {
        &self.inner
    }
}

#[napi]
impl MemoryStore {
    /// `leeway`: how long entries outlive their credentials (default 3600 seconds).
    #[napi(constructor)]
    pub fn new(env: &Env, leeway: Unknown<'_>) -> Result<Self> {
        Ok(MemoryStore {
            inner: capsign::store::MemoryStore::new(layout(env, None, leeway)?),
        })
    }

    /// Checks the grant of `token` (verified by `verifier` as of `at`) as of `now`, and
    /// consumes one of its uses: throws `revoked` or `used_up`.
    #[napi]
    pub fn check(
        &self,
        env: &Env,
        verifier: &Verifier,
        token: Unknown<'_>,
        at: Unknown<'_>,
        now: Unknown<'_>,
    ) -> Result<()> {
        let grant = grant(env, verifier, token, at)?;
        let now = integer(env, "now", now)?;
        self.inner.check_at(&grant, now).or_throw(env)
    }

    /// Records a revocation as of `now`.
    #[napi]
    pub fn revoke(
        &self,
        env: &Env,
        jti: Unknown<'_>,
        expiry: Unknown<'_>,
        kid: Unknown<'_>,
        before: Unknown<'_>,
        now: Unknown<'_>,
    ) -> Result<()> {
        let now = integer(env, "now", now)?;
        revoke_with(env, jti, expiry, kid, before, |r| {
            self.inner.revoke_at(r, now)
        })?
        .or_throw(env)
    }

    /// Drops the entries whose credentials have expired as of `now`.
    #[napi]
    pub fn sweep(&self, env: &Env, now: Unknown<'_>) -> Result<()> {
        self.inner.sweep_at(integer(env, "now", now)?);
        Ok(())
    }

    /// How many `jti` entries the store holds.
    #[napi(getter)]
    pub fn size(&self) -> u32 {
        u32::try_from(self.inner.len()).unwrap_or(u32::MAX)
    }
}

/// One Redis script run: `EVALSHA sha1 keys.length ...keys ...args`.
#[napi(object)]
pub struct RedisCall {
    /// The script's text (for `EVAL` when the server does not know it yet).
    pub script: String,
    /// Its SHA-1, hex.
    pub sha1: String,
    /// The keys it touches.
    pub keys: Vec<String>,
    /// Its arguments.
    pub args: Vec<String>,
}

impl From<capsign::store::RedisCall> for RedisCall {
    fn from(c: capsign::store::RedisCall) -> Self {
        RedisCall {
            script: c.script.to_owned(),
            sha1: c.sha1.to_owned(),
            keys: c.keys,
            args: c.args,
        }
    }
}

/// The keys, scripts and decisions of a Redis store.
#[napi]
pub struct StoreLayout {
    inner: capsign::store::Layout,
}

#[napi]
impl StoreLayout {
    /// `prefix` (default `capsign:`) and `leeway` (default 3600 seconds).
    #[napi(constructor)]
    pub fn new(env: &Env, prefix: Unknown<'_>, leeway: Unknown<'_>) -> Result<Self> {
        Ok(StoreLayout {
            inner: layout(env, opt_text(env, "prefix", prefix)?, leeway)?,
        })
    }

    /// The key prefix.
    #[napi(getter)]
    pub fn prefix(&self) -> String {
        self.inner.prefix().to_owned()
    }

    /// The leeway, in seconds.
    #[napi(getter)]
    pub fn leeway(&self) -> u32 {
        u32::try_from(self.inner.leeway()).unwrap_or(u32::MAX)
    }

    /// The script run that checks the grant of `token` (verified as of `at`).
    #[napi]
    pub fn check_call(
        &self,
        env: &Env,
        verifier: &Verifier,
        token: Unknown<'_>,
        at: Unknown<'_>,
    ) -> Result<RedisCall> {
        let grant = grant(env, verifier, token, at)?;
        Ok(self.inner.check_call(&grant).into())
    }

    /// What the store's `reply` to that check means: returns for `ok`, throws `revoked`,
    /// `used_up` or `unavailable` (`reply` null: the store did not answer).
    #[napi]
    pub fn decide(
        &self,
        env: &Env,
        verifier: &Verifier,
        token: Unknown<'_>,
        at: Unknown<'_>,
        reply: Unknown<'_>,
    ) -> Result<()> {
        let grant = grant(env, verifier, token, at)?;
        let reply = reply_text(reply)?;
        self.inner
            .question(&grant)
            .decide(reply.as_deref())
            .or_throw(env)
    }

    /// The script run that records a revocation, refused if it would record nothing as
    /// of `now` (a credential already expired).
    #[napi]
    pub fn revoke_call(
        &self,
        env: &Env,
        jti: Unknown<'_>,
        expiry: Unknown<'_>,
        kid: Unknown<'_>,
        before: Unknown<'_>,
        now: Unknown<'_>,
    ) -> Result<RedisCall> {
        let now = integer(env, "now", now)?;
        let call = revoke_with(env, jti, expiry, kid, before, |r| {
            self.inner.revoke_call(r, now)
        })?;
        Ok(call.or_throw(env)?.into())
    }

    /// What the store's reply to a revocation means: throws `unavailable` unless `ok`.
    #[napi]
    pub fn confirm(&self, env: &Env, reply: Unknown<'_>) -> Result<()> {
        let reply = reply_text(reply)?;
        self.inner.confirm(reply.as_deref()).or_throw(env)
    }
}
