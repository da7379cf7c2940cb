//! The native `Route`: what a route requires of every request, checked when it is made.

use napi::JsString;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::args::{opt_text, strs, texts};
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
        call: Option<JsString<'_>>,
        command: Option<JsString<'_>>,
        per_request: Option<bool>,
        rest: Option<bool>,
        rpc: Option<JsString<'_>>,
        ignore: Option<Vec<JsString<'_>>>,
        fields: Option<bool>,
        security_task: Option<bool>,
        authenticate_only: Option<bool>,
    ) -> Result<Self> {
        let mut builder = capsign::http::Route::builder()
            .fields(fields.unwrap_or(false))
            .security_task(security_task.unwrap_or(false));
        if let Some(call) = opt_text(env, "call", call)? {
            builder = builder.call(call.as_str());
        }
        if let Some(command) = opt_text(env, "command", command)? {
            builder = builder.command(command.as_str());
        }
        if per_request.unwrap_or(false) {
            builder = builder.command_per_request();
        }
        if rest.unwrap_or(false) {
            builder = builder.rest();
        }
        if let Some(prefix) = opt_text(env, "rpc", rpc)? {
            builder = builder.rpc(prefix.as_str());
        }
        if let Some(names) = ignore {
            builder = builder.ignore(strs(&texts(env, "ignore", names)?));
        }
        if authenticate_only.unwrap_or(false) {
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
