//! HTTP, for every adapter (Flask, Express, ASGI/FastAPI, Fastify): what a route requires,
//! how a request's credentials are read, how a request becomes a command, and the refusal
//! a request gets. An adapter makes a [`Route`] at setup; for each request it passes the
//! method, the raw target and the `Authorization` header values to
//! [`Verifier::check_http_at`](crate::Verifier::check_http_at), and either attaches the
//! [`Grant`](crate::Grant) or writes the refusal the error describes:
//! [`Error::http_status`], [`Error::www_authenticate`], [`REFUSAL_HEADERS`] and
//! [`Error::http_body`].
//!
//! - **Credentials** ([`read_credentials`]): `Authorization: Bearer`, the `policy` and
//!   `signature` query parameters, or (on routes that opt in) Filestack's
//!   `security=p:…,s:…` path task; one method per request, never cookies.
//! - **Mappings** ([`rest`], [`rpc`], [`RpcMount`]): `GET /files/abc` → `GET /files/abc`;
//!   `POST /api/v0/pin/add?arg=QmX&recursive=true` → `pin add QmX --recursive`.
//! - **Refusals** (RFC 6750): no credentials → 401 with the bare [`CHALLENGE`]; bad ones →
//!   401 `invalid_token`; not allowed → 403 `insufficient_scope`; a request that cannot be
//!   a command → 400 `invalid_request`; the body is `{"error": code, "message": text}`.

mod credentials;
mod route;

pub use crate::capability::mapping::{KUBO_IGNORE, RpcMount, rest, rpc};
pub use credentials::{Presented, read_credentials};
pub use route::{Fields, HttpRequest, Route, RouteBuilder};

use crate::error::Error;

/// The `WWW-Authenticate` value for a request that carries no credentials (RFC 6750:
/// no error code).
pub const CHALLENGE: &str = r#"Bearer realm="capsign""#;

/// The headers every refusal carries besides `WWW-Authenticate`: it must not be cached,
/// and its body is JSON.
pub const REFUSAL_HEADERS: [(&str, &str); 2] = [
    ("Cache-Control", "no-store"),
    ("Content-Type", "application/json; charset=utf-8"),
];

/// Text from a request made safe for a log line: quoted, control characters escaped,
/// truncated (an adapter logs a refused request's path with it).
pub fn log_safe(text: &str) -> String {
    crate::error::quote(text)
}

/// A refusal as an adapter writes it: status, headers (with `WWW-Authenticate` first) and
/// body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The HTTP status.
    pub status: u16,
    /// Every header to set.
    pub headers: Vec<(&'static str, &'static str)>,
    /// The JSON body.
    pub body: String,
}

impl From<&Error> for Refusal {
    fn from(e: &Error) -> Refusal {
        let mut headers = vec![("WWW-Authenticate", e.www_authenticate())];
        headers.extend(REFUSAL_HEADERS);
        Refusal {
            status: e.http_status(),
            headers,
            body: e.http_body(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_follow_rfc6750() {
        let r = Refusal::from(&Error::MissingCredentials);
        assert_eq!(r.status, 401);
        assert_eq!(r.headers[0], ("WWW-Authenticate", CHALLENGE));
        assert_eq!(r.headers.len(), 3);
        let r = Refusal::from(&Error::denied("call", "no"));
        assert_eq!(r.status, 403);
        assert!(r.headers[0].1.contains("insufficient_scope"));
        assert!(r.body.starts_with(r#"{"error":"denied""#));
        assert_eq!(log_safe("/a\r\n\u{1b}[31m"), r#""/a\r\n\u{1b}[31m""#);
    }
}
