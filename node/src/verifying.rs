//! The native `Verifier`.

use std::collections::HashMap;

use napi::JsString;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::capability::Command;
use crate::error::OrThrow;
use crate::{Secret, integer};

/// What a request names, as positional arguments (see `index.js`).
struct Fields<'a> {
    call: Option<String>,
    handle: Option<String>,
    url: Option<String>,
    path: Option<String>,
    container: Option<String>,
    size: Option<f64>,
    command: Option<Either<String, &'a Command>>,
    rest: Option<(String, String)>,
    rpc: Option<(String, String)>,
}

fn pair(p: &Option<(String, String)>) -> Option<(&str, &str)> {
    p.as_ref().map(|(a, b)| (a.as_str(), b.as_str()))
}

impl Fields<'_> {
    fn request(&self, env: &Env) -> Result<capsign::Request<'_>> {
        let command = self.command.as_ref().map(|c| match c {
            Either::A(text) => capsign::CommandRef::Text(text),
            Either::B(parsed) => capsign::CommandRef::Parsed(parsed.inner()),
        });
        let command = capsign::CommandRef::one_of(command, pair(&self.rest), pair(&self.rpc))
            .or_throw(env)?;
        Ok(capsign::Request {
            call: self.call.as_deref(),
            handle: self.handle.as_deref(),
            url: self.url.as_deref(),
            path: self.path.as_deref(),
            container: self.container.as_deref(),
            size: integer(env, "size", self.size)?,
            command,
        })
    }
}

impl<'a> Fields<'a> {
    #[allow(clippy::too_many_arguments)]
    fn mapped(
        env: &Env,
        kind: String,
        base: String,
        target: String,
        call: Option<String>,
        handle: Option<String>,
        url: Option<String>,
        path: Option<String>,
        container: Option<String>,
        size: Option<f64>,
        command: Option<Either<String, &'a Command>>,
    ) -> Result<Self> {
        let (rest, rpc) = match kind.as_str() {
            "rest" => (Some((base, target)), None),
            "rpc" => (None, Some((base, target))),
            _ => {
                return Err(capsign::Error::invalid_argument(
                    "kind",
                    "a mapping is rest or rpc",
                ))
                .or_throw(env);
            }
        };
        Ok(Fields {
            call,
            handle,
            url,
            path,
            container,
            size,
            command,
            rest,
            rpc,
        })
    }
}

/// Verifies credentials: a default secret and/or secrets by `kid`.
#[napi]
pub struct Verifier {
    inner: capsign::Verifier,
}

#[napi]
impl Verifier {
    #[napi(constructor)]
    pub fn new(
        env: &Env,
        secret: Option<Either<String, Buffer>>,
        keys: Option<HashMap<String, Either<String, Buffer>>>,
        leeway: Option<f64>,
        min_secret_len: Option<u32>,
    ) -> Result<Self> {
        let secret = secret.map(Secret::new);
        let mut keys: Vec<(String, Secret)> = keys
            .unwrap_or_default()
            .into_iter()
            .map(|(kid, secret)| (kid, Secret::new(secret)))
            .collect();
        let mut builder = capsign::Verifier::builder();
        if let Some(secret) = &secret {
            builder = builder.secret(secret.bytes());
        }
        if let Some(leeway) = leeway {
            builder =
                builder.leeway(capsign::limits::signed_from_f64("leeway", leeway).or_throw(env)?);
        }
        if let Some(min) = min_secret_len {
            builder = builder.min_secret_len(min as usize);
        }
        keys.sort_by(|a, b| a.0.cmp(&b.0));
        for (kid, secret) in &keys {
            builder = builder.key(kid.as_str(), secret.bytes());
        }
        Ok(Verifier {
            inner: builder.build().or_throw(env)?,
        })
    }

    /// Seconds of clock tolerance.
    #[napi(getter)]
    pub fn leeway(&self) -> u32 {
        u32::try_from(self.inner.leeway()).unwrap_or(u32::MAX)
    }

    /// Verifies `token` as of `now` and authorizes the request the other arguments name.
    /// Returns the permission that allowed its command, if any.
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn verify_token(
        &self,
        env: &Env,
        token: JsString<'_>,
        now: f64,
        call: Option<String>,
        handle: Option<String>,
        url: Option<String>,
        path: Option<String>,
        container: Option<String>,
        size: Option<f64>,
        command: Option<Either<String, &Command>>,
    ) -> Result<Option<String>> {
        let fields = Fields {
            call,
            handle,
            url,
            path,
            container,
            size,
            command,
            rest: None,
            rpc: None,
        };
        self.check(env, token, now, &fields)
    }

    /// `verifyToken` for a request whose command is the REST (`kind = "rest"`, `base` the
    /// method) or RPC (`kind = "rpc"`, `base` the prefix) mapping of an HTTP `target`.
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn verify_token_mapped(
        &self,
        env: &Env,
        token: JsString<'_>,
        now: f64,
        kind: String,
        base: String,
        target: String,
        call: Option<String>,
        handle: Option<String>,
        url: Option<String>,
        path: Option<String>,
        container: Option<String>,
        size: Option<f64>,
        command: Option<Either<String, &Command>>,
    ) -> Result<Option<String>> {
        let fields = Fields::mapped(
            env, kind, base, target, call, handle, url, path, container, size, command,
        )?;
        self.check(env, token, now, &fields)
    }

    /// Reads an HTTP request's credentials (the `Authorization` header value, every
    /// `policy` and every `signature` query value): `null` if it carries none, otherwise
    /// the token `<policy>.<signature>` to pass to `verifyToken`.
    #[napi]
    pub fn read_credentials(
        &self,
        env: &Env,
        authorization: Option<String>,
        policy: Vec<String>,
        signature: Vec<String>,
    ) -> Result<Option<String>> {
        let policies: Vec<&str> = policy.iter().map(String::as_str).collect();
        let signatures: Vec<&str> = signature.iter().map(String::as_str).collect();
        let presented =
            capsign::http::read_credentials(authorization.as_deref(), &policies, &signatures)
                .or_throw(env)?;
        Ok(match presented {
            None => None,
            Some(capsign::http::Presented::Token(token)) => Some(token.to_owned()),
            Some(capsign::http::Presented::Pair { policy, signature }) => {
                Some(format!("{policy}.{signature}"))
            }
        })
    }

    /// The grant of `token`, verified as of `now` (the time of its first verification):
    /// `{expiry, kid, policy, permissions}`.
    #[napi(
        ts_return_type = "{ expiry: number; kid: string | null; policy: Record<string, number | string | string[]>; permissions: string[] | null }"
    )]
    pub fn inspect<'env>(&self, env: &'env Env, token: String, now: f64) -> Result<Object<'env>> {
        let now = capsign::limits::integer_from_f64("now", now).or_throw(env)?;
        let grant = self
            .inner
            .verify_token_at(&token, &capsign::Request::new(), now)
            .or_throw(env)?;
        let mut policy = Object::new(env)?;
        for (name, value) in grant.policy().fields() {
            match value {
                capsign::FieldValue::Integer(n) => policy.set(name, n as f64)?,
                capsign::FieldValue::String(s) => policy.set(name, s)?,
                capsign::FieldValue::Strings(list) => policy.set(name, list)?,
            }
        }
        let mut info = Object::new(env)?;
        info.set("expiry", grant.expiry() as f64)?;
        info.set("kid", grant.kid())?;
        info.set("policy", policy)?;
        info.set(
            "permissions",
            grant.permissions().map(|set| {
                set.iter()
                    .map(capsign::Permission::as_str)
                    .collect::<Vec<_>>()
            }),
        )?;
        Ok(info)
    }

    /// Whether the grant of `token` (verified as of `now`) allows `command` on its own.
    #[napi]
    pub fn allows(
        &self,
        env: &Env,
        token: String,
        now: f64,
        command: Either<String, &Command>,
    ) -> Result<bool> {
        let now = capsign::limits::integer_from_f64("now", now).or_throw(env)?;
        let grant = self
            .inner
            .verify_token_at(&token, &capsign::Request::new(), now)
            .or_throw(env)?;
        let command = match &command {
            Either::A(text) => capsign::CommandRef::Text(text),
            Either::B(parsed) => capsign::CommandRef::Parsed(parsed.inner()),
        };
        grant.allows(command).or_throw(env)
    }

    fn check(
        &self,
        env: &Env,
        token: JsString<'_>,
        now: f64,
        fields: &Fields<'_>,
    ) -> Result<Option<String>> {
        let now = capsign::limits::integer_from_f64("now", now).or_throw(env)?;
        // The UTF-16 length is known without a scan: a huge token is refused uncopied.
        capsign::limits::check_token_len(token.utf16_len()?).or_throw(env)?;
        let token = token.into_utf8()?;
        let grant = self
            .inner
            .verify_token_at(token.as_str()?, &fields.request(env)?, now)
            .or_throw(env)?;
        Ok(grant.matched().map(|p| p.as_str().to_owned()))
    }

    /// A summary without key material.
    #[napi]
    pub fn describe(&self) -> String {
        format!(
            "Verifier(defaultSecret={}, kids={:?}, leeway={})",
            self.inner.has_default_secret(),
            self.inner.kids(),
            self.inner.leeway()
        )
    }
}
