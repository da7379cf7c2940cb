//! Authorization (`DESIGN.md` §2): what a verified policy allows a request to do.

use super::Policy;
use super::call::Call;
use crate::capability::Command;
use crate::error::{Error, Result, quote};
use crate::request::{CommandRef, Request};

impl Policy {
    /// Authorizes `request` (§2): the request must name a call in the allowed list or a
    /// command a permission allows (or both), the handle if the policy restricts it, and
    /// whatever it names must satisfy the restrictions; a storing call must name every
    /// storage restriction. Returns the index of the permission that allowed the command.
    pub(crate) fn authorize(&self, request: &Request<'_>) -> Result<Option<usize>> {
        let parsed;
        let command = match request.command {
            None => None,
            Some(CommandRef::Parsed(c)) => Some(c),
            Some(CommandRef::Text(text)) => {
                parsed = Command::parse(text)?;
                Some(&parsed)
            }
            Some(CommandRef::Rest { method, target }) => {
                parsed = crate::http::rest(method, target)?;
                Some(&parsed)
            }
            Some(CommandRef::Rpc { prefix, target }) => {
                parsed = crate::http::rpc(prefix, target)?;
                Some(&parsed)
            }
        };
        if request.call.is_none() && command.is_none() {
            return Err(Error::denied(
                "call",
                "the request names no call and no command",
            ));
        }
        let mut storing = false;
        if let Some(name) = request.call {
            let call = Call::from_name(name).ok_or_else(|| {
                Error::denied("call", format!("{} is not a Filestack call", quote(name)))
            })?;
            if !self.allows_call(call) {
                return Err(Error::denied(
                    "call",
                    format!("the policy does not allow {call}"),
                ));
            }
            storing = call.is_storing();
        }
        let matched = match command {
            None => None,
            Some(command) => {
                let set = self
                    .permissions
                    .as_deref()
                    .ok_or_else(|| Error::denied("permissions", "the policy grants no commands"))?;
                Some(set.find(command).ok_or_else(|| {
                    Error::denied(
                        "permissions",
                        format!("no permission allows {}", quote(&command.to_string())),
                    )
                })?)
            }
        };
        if let Some(handle) = &self.handle {
            match request.handle {
                Some(h) if h == &**handle => {}
                Some(h) => {
                    return Err(Error::denied(
                        "handle",
                        format!("the policy does not allow handle {}", quote(h)),
                    ));
                }
                None => return Err(Error::denied("handle", "the request names no handle")),
            }
        }
        for (field, pattern, value) in [
            ("path", &self.path, request.path),
            ("container", &self.container, request.container),
            ("url", &self.url, request.url),
        ] {
            let Some(pattern) = pattern else { continue };
            match value {
                Some(v) if pattern.is_match(v) => {}
                Some(v) => {
                    return Err(Error::denied(
                        field,
                        format!("{} does not match the policy", quote(v)),
                    ));
                }
                None if storing => {
                    return Err(Error::denied(
                        field,
                        format!("a storing call must name its {field}"),
                    ));
                }
                None => {}
            }
        }
        if let Some(max) = self.max_size {
            match request.size {
                Some(size) if size > max => {
                    return Err(Error::denied(
                        "maxSize",
                        format!("{size} bytes is more than {max}"),
                    ));
                }
                None if storing => {
                    return Err(Error::denied(
                        "maxSize",
                        "a storing call must name its size",
                    ));
                }
                _ => {}
            }
        }
        if let Some(min) = self.min_size {
            match request.size {
                Some(size) if size < min => {
                    return Err(Error::denied(
                        "minSize",
                        format!("{size} bytes is less than {min}"),
                    ));
                }
                None if storing => {
                    return Err(Error::denied(
                        "minSize",
                        "a storing call must name its size",
                    ));
                }
                _ => {}
            }
        }
        Ok(matched)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::policy;
    use super::*;

    fn denied(p: &Policy, r: Request<'_>) -> &'static str {
        match p.authorize(&r) {
            Err(Error::Denied { field, .. }) => field,
            other => panic!("expected denied, got {other:?}"),
        }
    }

    #[test]
    fn calls() {
        let default = policy(r#"{"expiry":9}"#).unwrap();
        assert!(default.authorize(&Request::new().call(Call::Read)).is_ok());
        assert_eq!(denied(&default, Request::new().call(Call::Exif)), "call");
        assert_eq!(denied(&default, Request::new().call("delete")), "call");
        assert_eq!(denied(&default, Request::new().handle("x")), "call");
        let listed = policy(r#"{"expiry":9,"call":["exif"]}"#).unwrap();
        assert!(listed.authorize(&Request::new().call(Call::Exif)).is_ok());
        assert_eq!(denied(&listed, Request::new().call(Call::Read)), "call");
        let perms_only = policy(r#"{"expiry":9,"permissions":["id"]}"#).unwrap();
        assert_eq!(denied(&perms_only, Request::new().call(Call::Read)), "call");
        assert_eq!(
            perms_only
                .authorize(&Request::new().command_text("id"))
                .unwrap(),
            Some(0)
        );
        assert_eq!(
            denied(&default, Request::new().command_text("id")),
            "permissions"
        );
        assert_eq!(
            denied(&perms_only, Request::new().command_text("version")),
            "permissions"
        );
        assert_eq!(
            perms_only
                .authorize(&Request::new().command_text("cat /a/../b"))
                .unwrap_err()
                .code(),
            "invalid_command"
        );
    }

    #[test]
    fn filestack_restrictions() {
        let p = policy(
            r#"{"expiry":9,"call":["pick","read","store"],"handle":"H","path":"/uploads/user-42/.*",
                "container":"b1","url":"https://ok/.*","maxSize":100,"minSize":10}"#,
        )
        .unwrap();
        let full = Request::new()
            .call(Call::Store)
            .handle("H")
            .path("/uploads/user-42/a.png")
            .container("b1")
            .url("https://ok/x")
            .size(50);
        assert!(p.authorize(&full).is_ok());
        assert_eq!(denied(&p, full.handle("h")), "handle");
        assert_eq!(
            denied(
                &p,
                Request {
                    handle: None,
                    ..full
                }
            ),
            "handle"
        );
        assert_eq!(denied(&p, full.path("/uploads/user-43/a.png")), "path");
        assert_eq!(denied(&p, full.path("x/uploads/user-42/a")), "path");
        assert_eq!(denied(&p, Request { path: None, ..full }), "path");
        assert_eq!(denied(&p, full.container("b2")), "container");
        assert_eq!(
            denied(
                &p,
                Request {
                    container: None,
                    ..full
                }
            ),
            "container"
        );
        assert_eq!(denied(&p, full.url("https://evil/x")), "url");
        assert_eq!(denied(&p, Request { url: None, ..full }), "url");
        assert_eq!(denied(&p, full.size(101)), "maxSize");
        assert_eq!(denied(&p, full.size(9)), "minSize");
        assert_eq!(denied(&p, Request { size: None, ..full }), "maxSize");
        // A read names no storage restriction: allowed without them, checked if named.
        let read = Request::new().call(Call::Read).handle("H");
        assert!(p.authorize(&read).is_ok());
        assert_eq!(denied(&p, read.path("/elsewhere")), "path");
        // Unicode look-alikes are different bytes.
        assert_eq!(denied(&p, read.handle("Н")), "handle");
    }

    #[test]
    fn http_mappings_run_during_authorization() {
        let p = policy(r#"{"expiry":9,"permissions":["GET /files","pin add *"]}"#).unwrap();
        let rest = |method, target| Request {
            command: Some(CommandRef::Rest { method, target }),
            ..Request::default()
        };
        assert_eq!(p.authorize(&rest("GET", "/files/a%20b")).unwrap(), Some(0));
        assert_eq!(denied(&p, rest("PUT", "/files/a")), "permissions");
        assert_eq!(
            p.authorize(&rest("GET", "/files/%2e%2e/x"))
                .unwrap_err()
                .code(),
            "invalid_command"
        );
        let rpc = Request {
            command: Some(CommandRef::Rpc {
                prefix: "/api/v0",
                target: "/api/v0/pin/add?arg=Q",
            }),
            ..Request::default()
        };
        assert_eq!(p.authorize(&rpc).unwrap(), Some(1));
    }
}
