//! The native `Verifier`.
//!
//! A verification returns only the permission that allowed the request's command (a string
//! or `null`): creating any native object per call (a class instance, an external) costs
//! more than the verification. The JavaScript `Grant` keeps the token and the time of the
//! check; the first time it is asked for its policy, or to authorize another request, it
//! passes them back here, and the core verifies them again (a cache hit: the signature is
//! checked, nothing is decoded), so a JavaScript object can never be forged into a grant.

use napi::JsString;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::args::{
    Text, field_size, field_text, given, integer, list, opt_integer, opt_text, secret, signed,
    string, strs, text, texts, type_error, well_formed_text,
};
use crate::capability::Command;
use crate::error::OrThrow;
use crate::http::Route;
use crate::pubkey::PublicKey;

/// The `Authorization` header value, or every value when it was given more than once.
fn authorization_values(env: &Env, authorization: Unknown<'_>) -> Result<Vec<Text>> {
    match authorization.get_type()? {
        ValueType::Undefined | ValueType::Null => Ok(Vec::new()),
        ValueType::String => Ok(vec![well_formed_text(
            env,
            "authorization",
            JsString::from_unknown(authorization)?,
        )?]),
        _ if authorization.is_array()? => list(env, "authorization", authorization),
        _ => type_error(
            env,
            "authorization",
            "a string or an array of strings",
            &authorization,
        ),
    }
}

/// The parts of an HTTP request every HTTP check converts: the time, the method, the raw
/// target and the `Authorization` value(s).
fn http_parts(
    env: &Env,
    now: Unknown<'_>,
    method: Unknown<'_>,
    target: Unknown<'_>,
    authorization: Unknown<'_>,
) -> Result<(u64, Text, Text, Vec<Text>)> {
    Ok((
        integer(env, "now", now)?,
        text(env, "method", method)?,
        text(env, "target", target)?,
        authorization_values(env, authorization)?,
    ))
}

/// What a request names, converted (positional arguments: see `index.js`).
struct Fields {
    call: Option<Text>,
    handle: Option<Text>,
    url: Option<Text>,
    path: Option<Text>,
    container: Option<Text>,
    size: Option<u64>,
}

impl Fields {
    #[allow(clippy::too_many_arguments)]
    fn convert(
        env: &Env,
        call: Unknown<'_>,
        handle: Unknown<'_>,
        url: Unknown<'_>,
        path: Unknown<'_>,
        container: Unknown<'_>,
        size: Unknown<'_>,
    ) -> Result<Self> {
        Ok(Fields {
            call: opt_text(env, "call", call)?,
            handle: opt_text(env, "handle", handle)?,
            url: opt_text(env, "url", url)?,
            path: opt_text(env, "path", path)?,
            container: opt_text(env, "container", container)?,
            size: opt_integer(env, "size", size)?,
        })
    }

    fn request<'a>(&'a self, command: Option<capsign::CommandRef<'a>>) -> capsign::Request<'a> {
        capsign::Request {
            call: self.call.as_ref().map(Text::as_str),
            handle: self.handle.as_ref().map(Text::as_str),
            url: self.url.as_ref().map(Text::as_str),
            path: self.path.as_ref().map(Text::as_str),
            container: self.container.as_ref().map(Text::as_str),
            size: self.size,
            command,
        }
    }
}

/// A command argument: text, or a `Command`.
enum CommandText<'c> {
    Text(Text),
    Parsed(&'c Command),
}

impl<'c> CommandText<'c> {
    /// A command argument: text or a `Command` (text first: this is on every
    /// verification that names a command); anything else is a `TypeError`.
    fn convert(env: &Env, value: Either3<JsString<'_>, &'c Command, Unknown<'_>>) -> Result<Self> {
        match value {
            Either3::A(t) => Ok(CommandText::Text(well_formed_text(env, "command", t)?)),
            Either3::B(parsed) => Ok(CommandText::Parsed(parsed)),
            Either3::C(other) => type_error(env, "command", "a string or a Command", &other),
        }
    }

    /// An optional command argument.
    fn convert_opt(
        env: &Env,
        value: Option<Either3<JsString<'_>, &'c Command, Unknown<'_>>>,
    ) -> Result<Option<Self>> {
        value.map(|v| Self::convert(env, v)).transpose()
    }

    /// A command from the application's command function, which may pass on what the
    /// request gave: a value of the wrong type, or text that is not well-formed, is the
    /// request's fault (`invalid_command`, 400), as for the fields.
    fn from_request(
        env: &Env,
        value: Option<Either3<JsString<'_>, &'c Command, Unknown<'_>>>,
    ) -> Result<Option<Self>> {
        match value {
            None => Ok(None),
            Some(Either3::A(t)) => {
                Ok(field_text(env, "command", Some(Either::A(t)))?.map(CommandText::Text))
            }
            Some(Either3::B(parsed)) => Ok(Some(CommandText::Parsed(parsed))),
            Some(Either3::C(_)) => Err(capsign::http::Fields::wrong_type("command")).or_throw(env),
        }
    }

    fn as_ref(&self) -> capsign::CommandRef<'_> {
        match self {
            CommandText::Text(t) => capsign::CommandRef::Text(t.as_str()),
            CommandText::Parsed(c) => capsign::CommandRef::Parsed(c.inner()),
        }
    }
}

/// The request's command: text or `Command`, or the REST (`kind = "rest"`, `base` the
/// method) or RPC (`kind = "rpc"`, `base` the prefix) mapping of a `target`; more than one
/// way is `invalid_argument` (the core's `CommandRef::one_of`).
#[allow(clippy::too_many_arguments)]
fn with_request<T>(
    env: &Env,
    fields: &Fields,
    command: Option<&CommandText<'_>>,
    kind: Option<Text>,
    base: Option<Text>,
    target: Option<Text>,
    run: impl FnOnce(&capsign::Request<'_>) -> Result<T>,
) -> Result<T> {
    let base = base.as_ref().map_or("", Text::as_str);
    let target = target.as_ref().map_or("", Text::as_str);
    let (rest, rpc) = match kind.as_ref().map(Text::as_str) {
        None => (None, None),
        Some("rest") => (Some((base, target)), None),
        Some("rpc") => (None, Some((base, target))),
        Some(_) => (Some(("", "")), Some(("", ""))),
    };
    let command =
        capsign::CommandRef::one_of(command.map(CommandText::as_ref), rest, rpc).or_throw(env)?;
    run(&fields.request(command))
}

/// Verifies credentials: a default secret and/or secrets by `kid`.
#[napi]
pub struct Verifier {
    inner: capsign::Verifier,
}

impl Verifier {
    pub(crate) fn inner(&self) -> &capsign::Verifier {
        &self.inner
    }
}

#[napi]
impl Verifier {
    /// `kids` and `secrets` are parallel lists (the keys' own properties, read in
    /// JavaScript, so that nothing inherited is ever a key).
    #[napi(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        env: &Env,
        default_secret: Option<Either<Buffer, Unknown<'_>>>,
        kids: Option<Vec<Unknown<'_>>>,
        secrets: Option<Vec<Either<Buffer, Unknown<'_>>>>,
        public_kids: Option<Vec<Unknown<'_>>>,
        public_keys: Option<Vec<Either<&PublicKey, Unknown<'_>>>>,
        key_set: Unknown<'_>,
        leeway: Unknown<'_>,
        min_secret_len: Unknown<'_>,
    ) -> Result<Self> {
        let mut builder = capsign::Verifier::builder();
        if let Some(s) = default_secret {
            builder = builder.secret(secret(env, s)?);
        }
        let kids = texts(env, "keys", kids.unwrap_or_default())?;
        let secrets = secrets.unwrap_or_default();
        if kids.len() != secrets.len() {
            return Err(capsign::Error::invalid_argument(
                "keys",
                "give one secret for each kid",
            ))
            .or_throw(env);
        }
        let mut keys: Vec<(&str, Either<Buffer, Unknown<'_>>)> =
            strs(&kids).into_iter().zip(secrets).collect();
        keys.sort_by(|a, b| a.0.cmp(b.0));
        for (kid, s) in keys {
            builder = builder.key(kid, secret(env, s)?);
        }
        let public_kids = texts(env, "publicKeys", public_kids.unwrap_or_default())?;
        let public_keys = public_keys.unwrap_or_default();
        if public_kids.len() != public_keys.len() {
            return Err(capsign::Error::invalid_argument(
                "publicKeys",
                "give one key for each kid",
            ))
            .or_throw(env);
        }
        for (kid, key) in strs(&public_kids).into_iter().zip(public_keys) {
            builder = builder.public_key(kid, crate::pubkey::public_key(env, key)?);
        }
        if let Some(set) = opt_text(env, "keySet", key_set)? {
            builder = builder.key_set(set.as_str());
        }
        if let Some(leeway) = given(leeway)? {
            builder = builder.leeway(signed(env, "leeway", leeway)?);
        }
        if let Some(min) = opt_integer(env, "minSecretLen", min_secret_len)? {
            builder = builder.min_secret_len(usize::try_from(min).unwrap_or(usize::MAX));
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

    /// The verifier's public keys as a JWK Set, or `null` if it holds none.
    #[napi]
    pub fn key_set(&self) -> Option<String> {
        self.inner.key_set()
    }

    /// Verifies `token` as of `now` and authorizes the request the other arguments name:
    /// the permission that allowed its command, if any.
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn verify_token(
        &self,
        env: &Env,
        token: Unknown<'_>,
        now: Unknown<'_>,
        call: Unknown<'_>,
        handle: Unknown<'_>,
        url: Unknown<'_>,
        path: Unknown<'_>,
        container: Unknown<'_>,
        size: Unknown<'_>,
        command: Option<Either3<JsString<'_>, &Command, Unknown<'_>>>,
        kind: Unknown<'_>,
        base: Unknown<'_>,
        target: Unknown<'_>,
    ) -> Result<Option<String>> {
        let now = integer(env, "now", now)?;
        // The UTF-16 length is known without a scan: a huge token is refused uncopied.
        let token = string(env, "token", token)?;
        capsign::limits::check_token_len(token.utf16_len()?).or_throw(env)?;
        let token = well_formed_text(env, "token", token)?;
        let fields = Fields::convert(env, call, handle, url, path, container, size)?;
        let command = CommandText::convert_opt(env, command)?;
        let (kind, base, target) = (
            opt_text(env, "kind", kind)?,
            opt_text(env, "base", base)?,
            opt_text(env, "target", target)?,
        );
        with_request(
            env,
            &fields,
            command.as_ref(),
            kind,
            base,
            target,
            |request| {
                let grant = self
                    .inner
                    .verify_token_at(token.as_str(), request, now)
                    .or_throw(env)?;
                Ok(grant.matched().map(|p| p.as_str().to_owned()))
            },
        )
    }

    /// Reads an HTTP request's credentials (the `Authorization` header value, every
    /// `policy` and every `signature` query value): `null` if it carries none, otherwise
    /// the token `<policy>.<signature>` to pass to `verifyToken`.
    #[napi]
    pub fn read_credentials(
        &self,
        env: &Env,
        authorization: Unknown<'_>,
        policy: Unknown<'_>,
        signature: Unknown<'_>,
    ) -> Result<Option<String>> {
        let authorization = opt_text(env, "authorization", authorization)?;
        let policy = list(env, "policy", policy)?;
        let signature = list(env, "signature", signature)?;
        let presented = capsign::http::read_credentials(
            authorization.as_ref().map(Text::as_str),
            &strs(&policy),
            &strs(&signature),
        )
        .or_throw(env)?;
        Ok(presented.map(|p| p.token()))
    }

    /// Verifies an HTTP request's credentials for `route` as of `now` (its raw target and
    /// `Authorization` header value(s)), without mapping or authorizing the request: what
    /// an adapter checks before it runs the application's `fields` or `command` function.
    #[napi]
    pub fn authenticate_http(
        &self,
        env: &Env,
        route: &Route,
        now: Unknown<'_>,
        method: Unknown<'_>,
        target: Unknown<'_>,
        authorization: Unknown<'_>,
    ) -> Result<()> {
        let (now, method, target, authorization) =
            http_parts(env, now, method, target, authorization)?;
        let request = capsign::http::HttpRequest {
            method: method.as_str(),
            target: target.as_str(),
            authorization: &strs(&authorization),
            command: None,
        };
        self.inner
            .authenticate_http_at(route.inner(), &request, now)
            .or_throw(env)?;
        Ok(())
    }

    /// Checks an HTTP request against `route` as of `now`, in one call: its method, raw
    /// target, `Authorization` header value(s) (a list when the header was given more than
    /// once), the fields the application names and the route's per-request command.
    /// Returns the permission that allowed the command, if any. With `store`, the grant is
    /// then checked (and one use consumed) in the same call.
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn check_http(
        &self,
        env: &Env,
        route: &Route,
        now: Unknown<'_>,
        method: Unknown<'_>,
        target: Unknown<'_>,
        authorization: Unknown<'_>,
        handle: Option<Either<JsString<'_>, Unknown<'_>>>,
        url: Option<Either<JsString<'_>, Unknown<'_>>>,
        path: Option<Either<JsString<'_>, Unknown<'_>>>,
        container: Option<Either<JsString<'_>, Unknown<'_>>>,
        size: Option<Either<f64, Unknown<'_>>>,
        command: Option<Either3<JsString<'_>, &Command, Unknown<'_>>>,
        store: Option<&crate::store::MemoryStore>,
    ) -> Result<Option<String>> {
        let (now, method, target, authorization) =
            http_parts(env, now, method, target, authorization)?;
        let authorization = strs(&authorization);
        // The fields come from the application's `fields` function (often from a JSON
        // body): a value of the wrong type is the request's fault, a 400.
        let handle = field_text(env, "handle", handle)?;
        let url = field_text(env, "url", url)?;
        let path = field_text(env, "path", path)?;
        let container = field_text(env, "container", container)?;
        let size = field_size(env, size)?;
        let command = CommandText::from_request(env, command)?;
        let request = capsign::http::HttpRequest {
            method: method.as_str(),
            target: target.as_str(),
            authorization: &authorization,
            command: command.as_ref().map(CommandText::as_ref),
        };
        let fields = capsign::http::Fields {
            handle: handle.as_ref().map(Text::as_str),
            url: url.as_ref().map(Text::as_str),
            path: path.as_ref().map(Text::as_str),
            container: container.as_ref().map(Text::as_str),
            size,
        };
        let grant = self
            .inner
            .check_http_at(route.inner(), &request, &fields, now)
            .or_throw(env)?;
        // A memory store in the same call: last, once everything else holds.
        if let Some(store) = store {
            store.inner().check_at(&grant, now).or_throw(env)?;
        }
        Ok(grant.matched().map(|p| p.as_str().to_owned()))
    }

    /// The credentials an HTTP request presents, as one token `<policy>.<signature>`
    /// (with the route's rules: `securityTask` reads the path task too).
    #[napi]
    pub fn presented_token(
        &self,
        env: &Env,
        route: &Route,
        target: Unknown<'_>,
        authorization: Unknown<'_>,
    ) -> Result<Option<String>> {
        let target = text(env, "target", target)?;
        let authorization = authorization_values(env, authorization)?;
        let presented = route
            .inner()
            .presented(&strs(&authorization), target.as_str())
            .or_throw(env)?;
        Ok(presented.map(|p| p.token()))
    }

    /// The grant of `token`, verified as of `now` (the time of its first verification):
    /// `{expiry, kid, policy, permissions}`.
    #[napi(
        ts_return_type = "{ expiry: number; kid: string | null; policy: Record<string, number | string | string[]>; permissions: string[] | null }"
    )]
    pub fn inspect<'env>(
        &self,
        env: &'env Env,
        token: Unknown<'_>,
        now: Unknown<'_>,
    ) -> Result<Object<'env>> {
        let now = integer(env, "now", now)?;
        let token = text(env, "token", token)?;
        let grant = self
            .inner
            .verify_token_at(token.as_str(), &capsign::Request::new(), now)
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
        token: Unknown<'_>,
        now: Unknown<'_>,
        command: Either3<JsString<'_>, &Command, Unknown<'_>>,
    ) -> Result<bool> {
        let now = integer(env, "now", now)?;
        let token = text(env, "token", token)?;
        let command = CommandText::convert(env, command)?;
        let grant = self
            .inner
            .verify_token_at(token.as_str(), &capsign::Request::new(), now)
            .or_throw(env)?;
        grant.allows(command.as_ref()).or_throw(env)
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
