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

mod capability;
mod error;
mod signing;
mod verifying;

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::error::OrThrow;

/// A secret argument: a string (its UTF-8 bytes are the key) or a `Buffer`. (Spelled out
/// as `Either<String, Buffer>` in signatures, so that the generated declarations name the
/// types.) The binding's own copy of a string secret is zeroed on drop; a `Buffer` is the
/// caller's memory and is left alone.
pub(crate) struct Secret(Either<capsign::Zeroizing<String>, Buffer>);

impl Secret {
    pub(crate) fn new(secret: Either<String, Buffer>) -> Self {
        Secret(match secret {
            Either::A(text) => Either::A(capsign::Zeroizing::new(text)),
            Either::B(buffer) => Either::B(buffer),
        })
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        match &self.0 {
            Either::A(text) => text.as_bytes(),
            Either::B(buffer) => buffer,
        }
    }
}

/// A JavaScript number that must be an integer in [0, 2^53).
pub(crate) fn integer(env: &Env, name: &'static str, value: Option<f64>) -> Result<Option<u64>> {
    value
        .map(|v| capsign::limits::integer_from_f64(name, v).or_throw(env))
        .transpose()
}

/// A new random secret: 32 bytes from the OS, as 43 URL-safe base64 characters.
#[napi]
pub fn generate_secret(env: &Env) -> Result<String> {
    capsign::generate_secret().or_throw(env)
}

/// The JSON of a policy or token, **not verified**: for inspection only.
#[napi]
pub fn decode_unverified(env: &Env, policy_or_token: String) -> Result<String> {
    capsign::dangerous::decode_unverified(&policy_or_token).or_throw(env)
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
