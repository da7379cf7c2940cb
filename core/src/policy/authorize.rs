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
            Some(CommandRef::Mounted { mount, target }) => {
                parsed = mount.command(target)?;
                Some(&parsed)
            }
            Some(CommandRef::Rpc { prefix, target }) => {
                parsed = crate::http::rpc(prefix, target)?;
                Some(&parsed)
            }
        };
        if let Some(path) = request.path {
            check_storage_path(path)?;
        }
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

/// A storage path a request names must be normalized, whatever the policy says: an
/// application that stores at `/uploads/alice/../bob/x` (which `/uploads/alice/.*`
/// matches) would write outside the folder the policy meant. Refused: `.`/`..` segments
/// and their look-alikes, empty segments inside the path (`a//b`), backslashes, control
/// characters and percent-encoding (`%2e%2e`: a path is a key, already decoded once by
/// the application's framework, and a store or application that decoded it again would
/// see other segments than the ones checked). A `%` not followed by two hex digits
/// (`50%off.png`) is a character like any other. A leading `/` and a trailing `/`
/// (Filestack: "store in this folder") are fine.
fn check_storage_path(path: &str) -> Result<()> {
    let refuse = |why: &str| {
        Err(Error::command(format!(
            "storage path {}: {why}",
            quote(path)
        )))
    };
    if path.is_empty() {
        return refuse("empty path");
    }
    // One pass decides the common case (printable ASCII, no `//`, segments that start
    // with neither a dot nor a space); anything else gets the full check below.
    let mut after_slash = false;
    let mut segment_start = true;
    let mut suspicious = false;
    for &b in path.as_bytes() {
        if b == b'/' {
            if after_slash {
                return refuse("empty segment (`//`)");
            }
            after_slash = true;
            segment_start = true;
            continue;
        }
        let odd = !(0x20..0x7f).contains(&b) || b == b'\\' || b == b'%';
        if odd || (segment_start && (b == b'.' || b == b' ')) {
            suspicious = true;
        }
        after_slash = false;
        segment_start = false;
    }
    if !suspicious {
        return Ok(());
    }
    if path.contains('\\') || path.chars().any(char::is_control) {
        return refuse("backslash or control character in a path");
    }
    if path.contains(crate::capability::command::SLASHES) {
        return refuse("a character read as `/` or `\\` (full-width or small forms)");
    }
    // `%2e`, and IIS's `%u002e`.
    let hex = |b: &[u8]| b.iter().all(u8::is_ascii_hexdigit);
    let bytes = path.as_bytes();
    let encoded = (0..bytes.len()).any(|i| {
        bytes[i] == b'%'
            && (bytes.get(i + 1..i + 3).is_some_and(hex)
                || (matches!(bytes.get(i + 1), Some(b'u' | b'U'))
                    && bytes.get(i + 2..i + 6).is_some_and(hex)))
    });
    if encoded {
        return refuse("percent-encoding in a path (it is a key, decoded once already)");
    }
    let inner = path.strip_prefix('/').unwrap_or(path);
    let inner = inner.strip_suffix('/').unwrap_or(inner);
    if inner.split('/').any(crate::capability::command::dot_like) {
        return refuse("a segment that reads as `.` or `..`");
    }
    Ok(())
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
    fn storage_paths_must_be_normalized() {
        let p = policy(r#"{"expiry":9,"call":["store"],"path":"/uploads/alice/.*"}"#).unwrap();
        let store = |path| p.authorize(&Request::new().call(Call::Store).path(path));
        assert!(store("/uploads/alice/a.png").is_ok());
        assert!(store("/uploads/alice/dir/").is_ok());
        assert!(store("/uploads/alice/50%off.png").is_ok());
        assert!(store("/uploads/alice/100%").is_ok());
        assert!(store("/uploads/alice/%use").is_ok());
        assert!(store("/uploads/alice/caf\u{e9}.png").is_ok());
        for bad in [
            "/uploads/alice/../bob/evil.txt",
            "/uploads/alice/./x",
            "/uploads/alice//x",
            "/uploads/alice/..;/x",
            "/uploads/alice/.. /x",
            "/uploads/alice/a\\b",
            "/uploads/alice/a\nb",
            "/uploads/alice/%2e%2e/bob/x",
            "/uploads/alice/%2E%2e/bob/x",
            "/uploads/alice/..%2fbob",
            "/uploads/alice/a%5cb",
            "/uploads/alice/a%20b",
            "/uploads/alice/%u002e%u002e/bob",
            "/uploads/alice/\u{ff0e}\u{ff0e}\u{ff0f}bob/x",
            "/uploads/alice/..\u{ff0f}bob",
            "/uploads/alice/a\u{ff3c}..\u{ff3c}bob",
            "/uploads/alice/a\u{fe68}b",
            "",
            "//",
        ] {
            assert_eq!(store(bad).unwrap_err().code(), "invalid_command", "{bad:?}");
        }
        // Relative Filestack paths are fine, and checked the same way.
        let any = policy(r#"{"expiry":9}"#).unwrap();
        let named = |path| any.authorize(&Request::new().call(Call::Read).path(path));
        assert!(named("folder/file.png").is_ok());
        assert_eq!(named("folder/../x").unwrap_err().code(), "invalid_command");
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
