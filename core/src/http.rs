//! HTTP for the adapters (Flask, Express, ASGI, Fastify): reading a request's credentials,
//! and the refusal a request gets (`DESIGN.md` §5). The mappings of requests to commands
//! are [`rest`] and [`rpc`].

pub use crate::capability::mapping::{rest, rpc};
use crate::error::{Error, Result};

/// The `WWW-Authenticate` value for a request that carries no credentials (RFC 6750:
/// no error code).
pub const CHALLENGE: &str = r#"Bearer realm="capsign""#;

/// Credentials as a request presents them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presented<'a> {
    /// `Authorization: Bearer <policy>.<signature>`.
    Token(&'a str),
    /// `?policy=…&signature=…` (Filestack style).
    Pair {
        /// The `policy` query parameter.
        policy: &'a str,
        /// The `signature` query parameter.
        signature: &'a str,
    },
}

/// Reads a request's credentials the way both middlewares do: from an
/// `Authorization: Bearer` header (scheme case-insensitive), or from exactly one `policy`
/// and one `signature` query parameter (every value given for each is passed). Never from
/// cookies, which a browser attaches to cross-site requests on its own.
///
/// `Ok(None)`: no credentials (another `Authorization` scheme counts as none). Using both
/// ways at once, a lone `policy` or `signature`, repeated parameters or an empty bearer
/// token are `malformed` (RFC 6750 §2: one method per request).
pub fn read_credentials<'a>(
    authorization: Option<&'a str>,
    policy: &[&'a str],
    signature: &[&'a str],
) -> Result<Option<Presented<'a>>> {
    let bearer = authorization.and_then(|header| {
        let header = header.trim_matches([' ', '\t']);
        let (scheme, rest) = header.split_once([' ', '\t']).unwrap_or((header, ""));
        scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| rest.trim_matches([' ', '\t']))
    });
    let query = match (policy, signature) {
        ([], []) => None,
        ([p], [s]) => Some(Presented::Pair {
            policy: p,
            signature: s,
        }),
        _ => {
            return Err(Error::malformed(
                "give exactly one policy and one signature parameter",
            ));
        }
    };
    match (bearer, query) {
        (Some(_), Some(_)) => Err(Error::malformed(
            "credentials both in the Authorization header and in the query",
        )),
        (Some(""), None) => Err(Error::malformed("the bearer token is empty")),
        (Some(token), None) => Ok(Some(Presented::Token(token))),
        (None, query) => Ok(query),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_read_one_way() {
        let none: &[&str] = &[];
        assert_eq!(read_credentials(None, none, none), Ok(None));
        assert_eq!(
            read_credentials(Some("Bearer p.s"), none, none),
            Ok(Some(Presented::Token("p.s")))
        );
        assert_eq!(
            read_credentials(Some("bearer   p.s "), none, none),
            Ok(Some(Presented::Token("p.s")))
        );
        assert_eq!(
            read_credentials(Some("Basic dXNlcjpwYXNz"), none, none),
            Ok(None)
        );
        assert_eq!(
            read_credentials(None, &["p"], &["s"]),
            Ok(Some(Presented::Pair {
                policy: "p",
                signature: "s"
            }))
        );
        for (auth, p, s) in [
            (Some("Bearer"), none, none),
            (Some("Bearer  "), none, none),
            (Some("Bearer p.s"), &["p"][..], &["s"][..]),
            (None, &["p"][..], none),
            (None, none, &["s"][..]),
            (None, &["p", "q"][..], &["s"][..]),
        ] {
            assert_eq!(
                read_credentials(auth, p, s).unwrap_err().code(),
                "malformed",
                "{auth:?} {p:?} {s:?}"
            );
        }
    }
}
