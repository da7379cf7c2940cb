//! The Node addon of capsign (napi-rs): the native layer under `index.js`.
//!
//! Every export converts its arguments, makes one call into the core crate, and converts
//! the result; errors go through the one mapping in `error.rs`. No policy, JSON, base64 or
//! crypto logic lives here.
//!
//! The hot paths take positional primitives and return primitives: with N-API, every
//! object property read costs a key lookup and every class instance returned costs a
//! tracked reference, which would dominate a verification. `index.js` gives the public
//! API its objects and classes in plain JavaScript.

// napi-rs exports `pub` items from private modules: they are reachable, from JavaScript.
#![allow(unreachable_pub)]
// In test builds the export registration is compiled out, so the exports look unused.
#![cfg_attr(test, allow(dead_code))]

mod args;
mod capability;
mod error;
mod http;
mod pubkey;
mod signing;
mod store;
mod verifying;

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::args::text;
use crate::error::OrThrow;

/// A new random secret: 32 bytes from the OS, as 43 URL-safe base64 characters.
#[napi]
pub fn generate_secret(env: &Env) -> Result<String> {
    capsign::generate_secret().or_throw(env)
}

/// The JSON of a policy or token, **not verified**: for inspection only.
#[napi]
pub fn decode_unverified(env: &Env, policy_or_token: Unknown<'_>) -> Result<String> {
    let policy_or_token = text(env, "policy", policy_or_token)?;
    capsign::dangerous::decode_unverified(policy_or_token.as_str()).or_throw(env)
}

/// The expiry of credentials this package issued (read from the token, not verified).
#[napi]
pub fn credentials_expiry(env: &Env, token: Unknown<'_>) -> Result<f64> {
    let token = text(env, "token", token)?;
    let expiry = capsign::dangerous::expiry_unverified(token.as_str()).or_throw(env)?;
    Ok(expiry as f64)
}

/// Reads Filestack's `security=p:<policy>,s:<signature>` task: `[policy, signature]`.
#[napi]
pub fn parse_security_task(env: &Env, task: Unknown<'_>) -> Result<(String, String)> {
    let task = text(env, "task", task)?;
    let (p, s) = capsign::filestack::parse_security_task(task.as_str()).or_throw(env)?;
    Ok((p.to_owned(), s.to_owned()))
}

/// Text from a request made safe for a log line (quoted, control characters escaped).
#[napi]
pub fn log_safe(env: &Env, value: Unknown<'_>) -> Result<String> {
    Ok(capsign::http::log_safe(text(env, "text", value)?.as_str()))
}

/// Kubo's options that only shape transport and output: the RPC `ignore` preset.
#[napi]
pub fn kubo_ignore() -> Vec<&'static str> {
    capsign::http::KUBO_IGNORE.to_vec()
}

/// The headers every refusal carries besides `WWW-Authenticate`: `[name, value]` pairs.
#[napi]
pub fn refusal_headers() -> Vec<Vec<&'static str>> {
    capsign::http::REFUSAL_HEADERS
        .iter()
        .map(|(name, value)| vec![*name, *value])
        .collect()
}

/// Every stable error code.
#[napi]
pub fn error_codes() -> Vec<&'static str> {
    capsign::Error::CODES.to_vec()
}

/// The `WWW-Authenticate` value for a request without credentials.
#[napi]
pub fn challenge() -> &'static str {
    capsign::http::CHALLENGE
}

/// The core's limits.
#[napi(object)]
pub struct Limits {
    /// Longest policy string, in bytes.
    pub max_policy_len: u32,
    /// Longest compact token `<policy>.<signature>`, in bytes.
    pub max_token_len: u32,
    /// Most permissions in one policy.
    pub max_permissions: u32,
    /// Longest permission, in bytes.
    pub max_permission_len: u32,
    /// Most tokens in one permission.
    pub max_permission_tokens: u32,
    /// Longest command, in bytes.
    pub max_command_len: u32,
    /// Most tokens in one command.
    pub max_command_tokens: u32,
    /// Deepest JSON nesting in a policy.
    pub max_json_depth: u32,
    /// Shortest secret accepted by default, in bytes.
    pub min_secret_len: u32,
    /// Longest `kid`, in characters.
    pub max_kid_len: u32,
    /// Longest `jti`, in characters.
    pub max_jti_len: u32,
    /// Largest leeway, in seconds.
    pub max_leeway: u32,
    /// Largest timestamp or size (2^53 - 1).
    pub max_integer: f64,
    /// Lifetime when none is given, in seconds.
    pub default_lifetime: u32,
}

/// The core's limits, by name.
#[napi]
pub fn limits() -> Limits {
    use capsign::limits as l;
    let n = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
    let s = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
    Limits {
        max_policy_len: n(l::MAX_POLICY_LEN),
        max_token_len: n(l::MAX_TOKEN_LEN),
        max_permissions: n(l::MAX_PERMISSIONS),
        max_permission_len: n(l::MAX_PERMISSION_LEN),
        max_permission_tokens: n(l::MAX_PERMISSION_TOKENS),
        max_command_len: n(l::MAX_COMMAND_LEN),
        max_command_tokens: n(l::MAX_COMMAND_TOKENS),
        max_json_depth: n(l::MAX_JSON_DEPTH),
        min_secret_len: n(l::MIN_SECRET_LEN),
        max_kid_len: n(l::MAX_KID_LEN),
        max_jti_len: n(l::MAX_JTI_LEN),
        max_leeway: s(l::MAX_LEEWAY),
        max_integer: l::MAX_INTEGER as f64,
        default_lifetime: s(l::DEFAULT_LIFETIME),
    }
}
