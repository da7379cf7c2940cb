//! Reading a request's credentials: one method per request (RFC 6750 §2), never cookies.
//!
//! - `Authorization: Bearer <policy>.<signature>` (scheme case-insensitive), given once;
//! - `policy` and `signature` query parameters (Filestack style), each given once;
//! - on routes that opt in, Filestack's path task `security=p:<policy>,s:<signature>`
//!   (also `policy:`/`signature:`, either order, a value in double quotes when it holds
//!   `/` or `,`, as filestack-js writes it).
//!
//! Another `Authorization` scheme counts as no credentials. Two methods at once, a lone
//! `policy` or `signature`, repeated parameters or headers (also an `Authorization` value
//! holding a comma: the form a server gives repeated headers joined), an empty bearer
//! token and a `security` task that does not parse are `malformed`.

use std::borrow::Cow;

use crate::capability::mapping::{Encoded, percent_decode};
use crate::error::{Error, Result};

/// Credentials as a request presents them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Presented<'a> {
    /// `Authorization: Bearer <policy>.<signature>`.
    Token(&'a str),
    /// A policy and a signature from the query or a Filestack `security` task, decoded.
    Pair {
        /// The policy as sent (the string the signature covers).
        policy: Cow<'a, str>,
        /// The signature.
        signature: Cow<'a, str>,
    },
}

impl Presented<'_> {
    /// The credentials as one compact token, `<policy>.<signature>`.
    pub fn token(&self) -> String {
        match self {
            Presented::Token(token) => (*token).to_owned(),
            Presented::Pair { policy, signature } => format!("{policy}.{signature}"),
        }
    }
}

/// Reads a request's credentials from its `Authorization` header value and from every
/// value of its `policy` and `signature` query parameters (already decoded). `Ok(None)`:
/// no credentials.
pub fn read_credentials<'a>(
    authorization: Option<&'a str>,
    policy: &[&'a str],
    signature: &[&'a str],
) -> Result<Option<Presented<'a>>> {
    let query = pair(
        policy.iter().map(|p| Cow::Borrowed(*p)).collect(),
        signature.iter().map(|s| Cow::Borrowed(*s)).collect(),
    )?;
    choose(bearer(authorization.as_slice())?, query, None)
}

/// What [`read_from`] found: the credentials, and the request target to map to a command
/// (the target with a Filestack `security` task removed from its path).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Found<'a> {
    pub(crate) presented: Option<Presented<'a>>,
    pub(crate) target: Cow<'a, str>,
}

/// Reads the credentials of a request from its `Authorization` header values and its raw
/// target (the query, and the path when `security_task` is on).
pub(crate) fn read_from<'a>(
    authorization: &[&'a str],
    target: &'a str,
    security_task: bool,
) -> Result<Found<'a>> {
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target, None),
    };
    let mut policies = Vec::new();
    let mut signatures = Vec::new();
    for piece in query.unwrap_or("").split('&') {
        let (name, value) = piece.split_once('=').unwrap_or((piece, ""));
        // A name that does not decode is not a credential's (the mapping refuses it).
        let list = match percent_decode(name, Encoded::Query).as_deref() {
            Ok("policy") => &mut policies,
            Ok("signature") => &mut signatures,
            _ => continue,
        };
        list.push(Cow::Owned(percent_decode(value, Encoded::Query).map_err(
            |_| Error::malformed("a policy or signature parameter is not percent-encoded"),
        )?));
    }
    let query = pair(policies, signatures)?;
    let (task, rest) = if security_task {
        match find_security_task(path)? {
            Some((task, before, after)) => (Some(task), Some((before, after))),
            None => (None, None),
        }
    } else {
        (None, None)
    };
    let presented = choose(bearer(authorization)?, query, task)?;
    let target = match rest {
        None => Cow::Borrowed(target),
        Some((before, after)) => {
            let mut t = String::with_capacity(target.len());
            t.push_str(before);
            t.push_str(after);
            if let Some(q) = query_of(target) {
                t.push('?');
                t.push_str(q);
            }
            Cow::Owned(t)
        }
    };
    Ok(Found { presented, target })
}

fn query_of(target: &str) -> Option<&str> {
    target.split_once('?').map(|(_, q)| q)
}

/// The bearer token of the `Authorization` header, if it uses that scheme.
fn bearer<'a>(values: &[&'a str]) -> Result<Option<&'a str>> {
    let header = match values {
        [] => return Ok(None),
        // WSGI servers (and proxies) join a repeated header into one value with commas;
        // no Bearer or Basic value holds one.
        [one] if !one.contains(',') => one.trim_matches([' ', '\t']),
        [_] => {
            return Err(Error::malformed(
                "the Authorization header holds a comma: more than one value, joined",
            ));
        }
        _ => {
            return Err(Error::malformed(
                "the request carries more than one Authorization header",
            ));
        }
    };
    let (scheme, rest) = header.split_once([' ', '\t']).unwrap_or((header, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Ok(None);
    }
    match rest.trim_matches([' ', '\t']) {
        "" => Err(Error::malformed("the bearer token is empty")),
        token => Ok(Some(token)),
    }
}

fn pair<'a>(
    mut policy: Vec<Cow<'a, str>>,
    mut signature: Vec<Cow<'a, str>>,
) -> Result<Option<Presented<'a>>> {
    match (policy.len(), signature.len()) {
        (0, 0) => Ok(None),
        (1, 1) => Ok(Some(Presented::Pair {
            policy: policy.remove(0),
            signature: signature.remove(0),
        })),
        _ => Err(Error::malformed(
            "give exactly one policy and one signature parameter",
        )),
    }
}

/// One method per request.
fn choose<'a>(
    bearer: Option<&'a str>,
    query: Option<Presented<'a>>,
    task: Option<Presented<'a>>,
) -> Result<Option<Presented<'a>>> {
    match (bearer, query, task) {
        (None, None, None) => Ok(None),
        (Some(token), None, None) => Ok(Some(Presented::Token(token))),
        (None, Some(found), None) | (None, None, Some(found)) => Ok(Some(found)),
        _ => Err(Error::malformed(
            "credentials given in more than one way (header, query, security task)",
        )),
    }
}

/// Finds a `security=…` segment in a raw path: the credentials, and the path before and
/// after the segment (without it). More than one is `malformed`.
fn find_security_task(path: &str) -> Result<Option<(Presented<'_>, &str, &str)>> {
    let mut found = None;
    let mut search = 0;
    while let Some(at) = path[search..].find("/security=").map(|i| i + search) {
        let (task, end) = parse_security_task(&path[at + "/security=".len()..])?;
        if found.is_some() {
            return Err(Error::malformed("more than one security task in the path"));
        }
        let end = at + "/security=".len() + end;
        found = Some((task, &path[..at], &path[end..]));
        search = end;
    }
    Ok(found)
}

const QUOTE: [&str; 2] = ["\"", "%22"];

/// Parses the body of a `security=` task at the start of `text` (a raw path, percent-encoded):
/// `p:<policy>,s:<signature>` in either order, long names too, a value optionally in
/// double quotes (`"` or `%22`) inside which `/` and `,` are part of the value. Returns the
/// credentials and where the task ends (at `/` or the end of `text`).
fn parse_security_task(text: &str) -> Result<(Presented<'_>, usize)> {
    let bad = || Error::malformed("a security task is security=p:<policy>,s:<signature>");
    let (mut policy, mut signature) = (None, None);
    let mut at = 0;
    loop {
        let colon = text[at..].find(':').ok_or_else(bad)? + at;
        let slot = match &text[at..colon] {
            "p" | "policy" => &mut policy,
            "s" | "signature" => &mut signature,
            _ => return Err(bad()),
        };
        let start = colon + 1;
        let (value, end) = match QUOTE.iter().find(|q| text[start..].starts_with(**q)) {
            Some(open) => {
                let inner = start + open.len();
                let (close_at, close) = QUOTE
                    .iter()
                    .filter_map(|q| text[inner..].find(*q).map(|i| (inner + i, *q)))
                    .min()
                    .ok_or_else(bad)?;
                (&text[inner..close_at], close_at + close.len())
            }
            None => {
                let end = text[start..]
                    .find([',', '/'])
                    .map_or(text.len(), |i| start + i);
                (&text[start..end], end)
            }
        };
        if value.is_empty() || slot.is_some() {
            return Err(bad());
        }
        *slot = Some(percent_decode(value, Encoded::Credential).map_err(|_| bad())?);
        match text[end..].chars().next() {
            Some(',') => at = end + 1,
            None | Some('/') => {
                let (Some(policy), Some(signature)) = (policy, signature) else {
                    return Err(bad());
                };
                let presented = Presented::Pair {
                    policy: Cow::Owned(policy),
                    signature: Cow::Owned(signature),
                };
                return Ok((presented, end));
            }
            Some(_) => return Err(bad()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair<'a>(p: &'a str, s: &'a str) -> Option<Presented<'a>> {
        Some(Presented::Pair {
            policy: Cow::Borrowed(p),
            signature: Cow::Borrowed(s),
        })
    }

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
        assert_eq!(read_credentials(None, &["p"], &["s"]), Ok(pair("p", "s")));
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

    fn read(auth: &[&str], target: &str, task: bool) -> Result<Option<Presented<'static>>> {
        let target: &'static str = Box::leak(target.to_owned().into_boxed_str());
        let auth: Vec<&'static str> = auth
            .iter()
            .map(|a| &*Box::leak(a.to_string().into_boxed_str()))
            .collect();
        read_from(&auth, target, task).map(|f| f.presented)
    }

    #[test]
    fn from_a_raw_request() {
        assert_eq!(read(&[], "/x", false), Ok(None));
        assert_eq!(
            read(&["Bearer p.s"], "/x?a=1", false),
            Ok(Some(Presented::Token("p.s")))
        );
        assert_eq!(
            read(&[], "/x?policy=ab%2B%2F%3D&signature=cd&x=%zz", false),
            Ok(pair("ab+/=", "cd"))
        );
        // Form decoding, as every framework's query parser does: a raw `+` is a space.
        assert_eq!(
            read(&[], "/x?%70olicy=a+b&signature=c", false),
            Ok(pair("a b", "c"))
        );
        for (auth, target) in [
            (&["Bearer p.s", "Bearer p.s"][..], "/x"),
            (&["Bearer p.s", "Basic x"][..], "/x"),
            (&["Bearer p.s"][..], "/x?policy=p&signature=s"),
            (&[][..], "/x?policy=p&policy=p&signature=s"),
            (&[][..], "/x?policy=p"),
            (&[][..], "/x?policy=%zz&signature=s"),
        ] {
            assert_eq!(
                read(auth, target, false).unwrap_err().code(),
                "malformed",
                "{auth:?} {target}"
            );
        }
    }

    #[test]
    fn filestack_security_tasks_in_the_path() {
        let found = |target: &'static str| read_from(&[], target, true).unwrap();
        // filestack-js's transform URL: long names, policy first, a quoted value.
        let f =
            found(r#"/KEY/resize=width:100/security=policy:%22ey+J/9=%22,signature:ab12/HANDLE"#);
        assert_eq!(f.presented, pair("ey+J/9=", "ab12"));
        assert_eq!(f.target, "/KEY/resize=width:100/HANDLE");
        // Its download URL: signature first, unquoted.
        let f = found("/KEY/security=signature:ab12,policy:eyJ9/HANDLE?dl=true");
        assert_eq!(f.presented, pair("eyJ9", "ab12"));
        assert_eq!(f.target, "/KEY/HANDLE?dl=true");
        // filestack-python's short names; a raw `"` too; at the end of the path.
        assert_eq!(found("/security=p:eyJ9,s:ab").presented, pair("eyJ9", "ab"));
        assert_eq!(
            found(r#"/x/security=p:"a,b",s:"c"/h"#).presented,
            pair("a,b", "c")
        );
        // Off unless the route opts in: the segment is then just a path segment.
        assert_eq!(
            read_from(&[], "/security=p:a,s:b/h", false)
                .unwrap()
                .presented,
            None
        );
        for bad in [
            "/security=",
            "/security=p:a",
            "/security=p:a,s:",
            "/security=p:a,s:b,p:c",
            "/security=p:a,x:b",
            "/security=p:a;s:b",
            "/security=p:%22a,s:b",
            "/security=p:%22a%22x,s:b",
            "/security=p:a,s:b/security=p:a,s:b",
            "/security=p:%zz,s:b",
        ] {
            assert_eq!(
                read_from(&[], bad, true).unwrap_err().code(),
                "malformed",
                "{bad}"
            );
        }
        // One method per request.
        assert!(read_from(&["Bearer p.s"], "/security=p:a,s:b/h", true).is_err());
        assert!(read_from(&[], "/security=p:a,s:b/h?policy=a&signature=b", true).is_err());
    }
}
