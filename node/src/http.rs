//! The native `Route`: what a route requires of every request, checked when it is made.

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::args::{flag, given, list, opt_text, strs};
use crate::error::OrThrow;

/// What a route requires: a call, a command (fixed, per request, REST or RPC), or only
/// authentication, said explicitly.
#[napi]
pub struct Route {
    inner: capsign::http::Route,
}

impl Route {
    pub(crate) fn inner(&self) -> &capsign::http::Route {
        &self.inner
    }
}

#[napi]
impl Route {
    #[napi(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        env: &Env,
        call: Unknown<'_>,
        command: Unknown<'_>,
        per_request: Unknown<'_>,
        rest: Unknown<'_>,
        rpc: Unknown<'_>,
        ignore: Unknown<'_>,
        fields: Unknown<'_>,
        security_task: Unknown<'_>,
        authenticate_only: Unknown<'_>,
    ) -> Result<Self> {
        let mut builder = capsign::http::Route::builder()
            .fields(flag(env, "fields", fields)?)
            .security_task(flag(env, "securityTask", security_task)?);
        if let Some(call) = opt_text(env, "call", call)? {
            builder = builder.call(call.as_str());
        }
        if let Some(command) = opt_text(env, "command", command)? {
            builder = builder.command(command.as_str());
        }
        if flag(env, "perRequest", per_request)? {
            builder = builder.command_per_request();
        }
        if flag(env, "rest", rest)? {
            builder = builder.rest();
        }
        if let Some(prefix) = opt_text(env, "rpc", rpc)? {
            builder = builder.rpc(prefix.as_str());
        }
        if let Some(names) = given(ignore)? {
            builder = builder.ignore(strs(&list(env, "ignore", names)?));
        }
        if flag(env, "authenticateOnly", authenticate_only)? {
            builder = builder.authenticate_only();
        }
        Ok(Route {
            inner: builder.build().or_throw(env)?,
        })
    }

    /// Whether the application gives each request's command.
    #[napi(getter)]
    pub fn per_request(&self) -> bool {
        self.inner.command_per_request()
    }
}
