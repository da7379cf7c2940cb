//! HTTP requests as commands (`DESIGN.md` §4), shared by both middlewares.
//!
//! - **REST**: `<METHOD> <path>`, the path percent-decoded once and then required to be
//!   normalized: `GET /files/abc%20x` → `GET "/files/abc x"`. The query is ignored.
//! - **RPC** (IPFS style, at a prefix such as `/api/v0`): the path segments after the prefix
//!   are literals, each `arg` query parameter is a positional in order, other parameters
//!   are flags (`name=true` or a bare `name` → `--name`, otherwise `--name=value`):
//!   `/api/v0/pin/add?arg=QmX&recursive=true` → `pin add QmX --recursive`.
//!
//! Both take the request target as sent (path and optional `?query`, still encoded). An
//! encoded slash (`%2F`), a `%` left after decoding (double encoding such as `%252e`),
//! `//`, `.` and `..` segments, backslashes and control characters all make the request
//! an `invalid_command`: it is refused, never matched.

use super::command::{self, Command};
use crate::error::{Error, Result, quote};
use crate::limits::MAX_COMMAND_LEN;

/// Maps a REST request to `<METHOD> <path>`.
pub fn rest(method: &str, target: &str) -> Result<Command> {
    check_method(method)?;
    let (path, _query) = split_target(target)?;
    let path = decode_path(path)?;
    Command::builder().arg(method).arg(&path).build()
}

/// Maps an RPC request under `prefix` (such as `/api/v0`, or `""` for the root) to a
/// command, ignoring no option (see [`RpcMount`]).
pub fn rpc(prefix: &str, target: &str) -> Result<Command> {
    RpcMount::new(prefix)?.command(target)
}

/// Kubo's options that only shape transport and output, never what a command may do: the
/// `ignore` preset for a Kubo-like API ([`RpcMount::kubo`]). `encoding`/`enc` and
/// `stream-channels` choose the response encoding, `timeout` bounds the request,
/// `cid-base` how CIDs are printed; `stream`, `progress`, `quiet`, `quieter`, `silent` and
/// `names` switch output details (Kubo's command reference, `go-ipfs-cmds`).
pub const KUBO_IGNORE: [&str; 11] = [
    "cid-base",
    "enc",
    "encoding",
    "names",
    "progress",
    "quiet",
    "quieter",
    "silent",
    "stream",
    "stream-channels",
    "timeout",
];

/// Spellings Go's `strconv.ParseBool` reads as true: the bare flag.
const TRUE: [&str; 6] = ["1", "t", "T", "TRUE", "true", "True"];
/// Spellings it reads as false: the same request as one without the flag.
const FALSE: [&str; 6] = ["0", "f", "F", "FALSE", "false", "False"];

/// Where an RPC API is mounted and which of its options authorization ignores. Made once
/// (at setup), used for every request.
///
/// The path segments after the prefix are literals; each `arg` query parameter is a
/// positional, in order; every other parameter is a flag: `--name` for a value Go's
/// `ParseBool` reads as true (or no value), nothing for one it reads as false (a request
/// without the flag was always matched that way, so this never widens a permission),
/// `--name=value` otherwise. The `policy` and `signature` parameters are credentials,
/// never flags, and the names in the `ignore` list are dropped too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RpcMount {
    prefix: String,
    ignore: Vec<String>,
}

impl RpcMount {
    /// A mount at `prefix`: a normalized path without a trailing `/`, or `""` for the root.
    pub fn new(prefix: &str) -> Result<RpcMount> {
        if !prefix.is_empty() && (prefix.ends_with('/') || command::check_path(prefix).is_err()) {
            return Err(Error::argument(
                "prefix",
                format!(
                    "{} is not a normalized path without a trailing `/`",
                    quote(prefix)
                ),
            ));
        }
        Ok(RpcMount {
            prefix: prefix.to_owned(),
            ignore: Vec::new(),
        })
    }

    /// A mount at `prefix` that ignores [`KUBO_IGNORE`].
    pub fn kubo(prefix: &str) -> Result<RpcMount> {
        RpcMount::new(prefix)?.ignore(KUBO_IGNORE)
    }

    /// Also ignores these parameter names (without dashes). `arg` cannot be ignored: it is
    /// what a command acts on.
    pub fn ignore<S: AsRef<str>>(mut self, names: impl IntoIterator<Item = S>) -> Result<Self> {
        for name in names {
            let name = name.as_ref();
            if matches!(name, "arg" | "policy" | "signature") {
                return Err(Error::argument(
                    "ignore",
                    format!("{} cannot be ignored", quote(name)),
                ));
            }
            command::check_flag_name(&format!("--{name}"))
                .map_err(|why| Error::argument("ignore", why))?;
            if !self.ignore.iter().any(|n| n == name) {
                self.ignore.push(name.to_owned());
            }
        }
        self.ignore.sort_unstable();
        Ok(self)
    }

    /// The prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The ignored names, sorted.
    pub fn ignored(&self) -> &[String] {
        &self.ignore
    }

    /// The command of a request `target` (as sent: path and optional `?query`, encoded).
    pub fn command(&self, target: &str) -> Result<Command> {
        let (path, query) = split_target(target)?;
        let prefix = self.prefix.as_str();
        let rest = path
            .strip_prefix(prefix)
            .and_then(|r| r.strip_prefix('/'))
            .filter(|r| !r.is_empty())
            .ok_or_else(|| {
                Error::command(format!(
                    "{} is not a command under {}",
                    quote(path),
                    quote(prefix)
                ))
            })?;
        let mut builder = Command::builder();
        for segment in rest.split('/') {
            let segment = percent_decode(segment, Encoded::Path)?;
            command::check_segment(&segment)
                .map_err(|why| Error::command(format!("{}: {why}", quote(path))))?;
            builder = builder.arg(&segment);
        }
        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (name, value) = match pair.split_once('=') {
                Some((n, v)) => (
                    percent_decode(n, Encoded::Query)?,
                    Some(percent_decode(v, Encoded::Query)?),
                ),
                None => (percent_decode(pair, Encoded::Query)?, None),
            };
            if name == "arg" {
                builder = builder.arg(value.as_deref().unwrap_or(""));
                continue;
            }
            if matches!(name.as_str(), "policy" | "signature")
                || self.ignore.binary_search(&name).is_ok()
            {
                continue;
            }
            let flag = format!("--{name}");
            builder = match value.as_deref() {
                None => builder.flag(&flag),
                Some(v) if TRUE.contains(&v) => builder.flag(&flag),
                Some(v) if FALSE.contains(&v) => builder.absent_flag(&flag),
                Some(v) => builder.flag_value(&flag, v),
            };
        }
        builder.build()
    }
}

fn check_method(method: &str) -> Result<()> {
    let tchar = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if method.is_empty() || !method.chars().all(tchar) {
        return Err(Error::command(format!(
            "{} is not an HTTP method",
            quote(method)
        )));
    }
    Ok(())
}

/// A request target is ASCII (RFC 3986: every other byte is percent-encoded) and has no
/// fragment (RFC 9112). A WSGI server hands raw non-ASCII bytes on as Latin-1 text, so
/// what was checked would not be what the application sees; a `#` hides the rest of the
/// target from the application's router (and credentials after it from the application).
pub(crate) fn check_target_chars(target: &str) -> Result<()> {
    if target.is_ascii() && !target.contains('#') {
        Ok(())
    } else {
        Err(Error::command(
            "the request target must be ASCII, without a fragment (#)",
        ))
    }
}

/// Splits the request target into path and query, refusing anything that is not an
/// origin-form target.
pub(crate) fn split_target(target: &str) -> Result<(&str, Option<&str>)> {
    if target.len() > MAX_COMMAND_LEN {
        return Err(Error::command(format!(
            "the request target is longer than {MAX_COMMAND_LEN} bytes"
        )));
    }
    check_target_chars(target)?;
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target, None),
    };
    if !path.starts_with('/') {
        return Err(Error::command(format!(
            "{} is not an absolute path",
            quote(path)
        )));
    }
    Ok((path, query))
}

/// Decodes the path once and checks it is normalized.
fn decode_path(raw: &str) -> Result<String> {
    let path = percent_decode(raw, Encoded::Path)?;
    command::check_path(&path).map_err(Error::command)?;
    Ok(path)
}

/// Where percent-encoded text comes from, which decides how it is decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Encoded {
    /// A path segment: an encoded `/` (`%2F`) is refused, since decoding it would change
    /// the segments.
    Path,
    /// A query name or value (`application/x-www-form-urlencoded`): `+` is a space.
    Query,
    /// A credential carried in a path segment (Filestack's `security=` task): `+` stays
    /// `+` (base64) and `%2F` is a `/`.
    Credential,
}

/// Percent-decodes once, with the `percent-encoding` crate. It passes a malformed escape
/// (`%zz`, a trailing `%4`) through as literal text, so escapes are checked here first:
/// every `%` must start two hex digits.
pub(crate) fn percent_decode(raw: &str, how: Encoded) -> Result<String> {
    let plus_is_space = how == Encoded::Query;
    if !(raw.contains('%') || plus_is_space && raw.contains('+')) {
        return Ok(raw.to_owned());
    }
    let bytes = raw.as_bytes();
    for (at, _) in raw.match_indices('%') {
        let Some(digits) = bytes.get(at + 1..at + 3) else {
            return Err(bad_escape(raw));
        };
        if !digits.iter().all(u8::is_ascii_hexdigit) {
            return Err(bad_escape(raw));
        }
        if how == Encoded::Path && digits.eq_ignore_ascii_case(b"2f") {
            return Err(Error::command(format!(
                "encoded slash (%2F) in {}",
                quote(raw)
            )));
        }
    }
    let spaced;
    let raw = if plus_is_space && raw.contains('+') {
        spaced = raw.replace('+', " ");
        &spaced
    } else {
        raw
    };
    percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .map(|text| text.into_owned())
        .map_err(|_| Error::command(format!("{} does not decode to UTF-8", quote(raw))))
}

fn bad_escape(raw: &str) -> Error {
    Error::command(format!("bad percent-encoding in {}", quote(raw)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rest_ok(method: &str, target: &str) -> String {
        rest(method, target)
            .unwrap_or_else(|e| panic!("{target}: {e}"))
            .to_string()
    }

    fn rest_bad(target: &str) {
        let err = rest("GET", target).unwrap_err();
        assert_eq!(err.code(), "invalid_command", "{target}");
    }

    fn rpc_ok(target: &str) -> String {
        rpc("/api/v0", target)
            .unwrap_or_else(|e| panic!("{target}: {e}"))
            .to_string()
    }

    #[test]
    fn rest_mapping() {
        assert_eq!(rest_ok("GET", "/files/abc"), "GET /files/abc");
        assert_eq!(rest_ok("GET", "/files/abc?x=1"), "GET /files/abc");
        assert_eq!(rest_ok("GET", "/files/a%20b"), r#"GET "/files/a b""#);
        assert_eq!(rest_ok("PUT", "/files/caf%C3%A9"), "PUT /files/café");
        assert_eq!(rest_ok("GET", "/a+b"), "GET /a+b");
        assert_eq!(rest_ok("GET", "/"), "GET /");
        assert_eq!(rest_ok("DELETE", "/x/%2A"), r#"DELETE "/x/*""#);
    }

    #[test]
    fn rest_refuses_traversal_in_every_encoding() {
        for bad in [
            "/files/../etc/passwd",
            "/files/%2e%2e/etc",
            "/files/%2E%2E/etc",
            "/files/.%2e/etc",
            "/files/%252e%252e/etc",
            "/files/a%2fb",
            "/files/a%2Fb",
            "/files/..%2f..",
            "//files",
            "/files//a",
            "/files/",
            "/files/..",
            "/files/.",
            "/files/..;/x",
            "/files/.;/",
            "/files/..%20/",
            "/files/.../",
            "/files/%2e%2e;/x",
            "/files/%E2%80%A5/x",
            "/files/%EF%BC%8E%EF%BC%8E/x",
            "/files/a%5cb",
            "/files/a\\b",
            "/files/%00",
            "/files/%zz",
            "/files/%4",
            "/files/%ff",
            "files",
            "",
            "*",
        ] {
            rest_bad(bad);
        }
        assert!(rest("GE T", "/").is_err());
        assert!(rest("", "/").is_err());
    }

    #[test]
    fn rpc_mapping() {
        assert_eq!(
            rpc_ok("/api/v0/pin/add?arg=QmX&recursive=true"),
            "pin add QmX --recursive"
        );
        assert_eq!(rpc_ok("/api/v0/pin/ls"), "pin ls");
        assert_eq!(
            rpc_ok("/api/v0/cat?arg=/ipfs/QmA/b.txt"),
            "cat /ipfs/QmA/b.txt"
        );
        assert_eq!(
            rpc_ok("/api/v0/cat?arg=%2Fipfs%2FQmA&offset=10&length=5"),
            "cat /ipfs/QmA --length=5 --offset=10"
        );
        assert_eq!(rpc_ok("/api/v0/x?arg=a+b&arg=c"), r#"x "a b" c"#);
        assert_eq!(rpc_ok("/api/v0/x?quiet"), "x --quiet");
        for no in ["false", "False", "FALSE", "f", "F", "0"] {
            assert_eq!(rpc_ok(&format!("/api/v0/x?recursive={no}&arg=a")), "x a");
        }
        for yes in ["true", "True", "TRUE", "t", "T", "1"] {
            assert_eq!(
                rpc_ok(&format!("/api/v0/x?recursive={yes}")),
                "x --recursive"
            );
        }
        assert_eq!(rpc_ok("/api/v0/x?recursive=tRUE"), "x --recursive=tRUE");
        assert_eq!(rpc_ok("/api/v0/x?recursive=yes"), "x --recursive=yes");
        assert_eq!(rpc_ok("/api/v0/x?arg=-r"), r#"x "-r""#);
        assert_eq!(rpc_ok("/api/v0/x?arg="), r#"x """#);
        assert_eq!(rpc_ok("/api/v0/x?&&a=2&"), "x --a=2");
        assert_eq!(rpc_ok("/api/v0/x?&&a=1&"), "x --a");
        // Credentials are never command input.
        assert_eq!(
            rpc_ok("/api/v0/version?policy=eyJ9&signature=ab&arg=x"),
            "version x"
        );
        assert_eq!(rpc("", "/pin/add?arg=Q").unwrap().to_string(), "pin add Q");
    }

    #[test]
    fn rpc_mounts_ignore_what_they_are_told_to() {
        let kubo = RpcMount::kubo("/api/v0").unwrap();
        let map = |target: &str| kubo.command(target).unwrap().to_string();
        // What kubo-rpc-client, ipfs-http-client and ipfshttpclient send by default.
        assert_eq!(
            map("/api/v0/pin/add?recursive=true&stream=true&arg=QmX"),
            "pin add QmX --recursive"
        );
        assert_eq!(
            map("/api/v0/add?stream-channels=true&progress=false"),
            "add"
        );
        assert_eq!(map("/api/v0/version?timeout=5000ms"), "version");
        assert_eq!(
            map("/api/v0/pin/add?stream-channels=true&recursive=True&arg=QmX"),
            "pin add QmX --recursive"
        );
        assert_eq!(map("/api/v0/pin/ls?names=false&stream=true"), "pin ls");
        assert_eq!(
            map("/api/v0/pin/ls?stream-channels=true&type=all"),
            "pin ls --type=all"
        );
        // Everything not ignored still counts.
        assert_eq!(
            map("/api/v0/add?pin=false&cid-version=1&only-hash=true"),
            "add --cid-version --only-hash"
        );
        assert_eq!(map("/api/v0/cat?arg=QmX&offset=10"), "cat QmX --offset=10");
        // Without the preset nothing is ignored.
        assert_eq!(
            rpc_ok("/api/v0/pin/add?recursive=true&stream=true&arg=QmX"),
            "pin add QmX --recursive --stream"
        );
        let custom = RpcMount::new("/api/v0")
            .unwrap()
            .ignore(["a", "b", "a"])
            .unwrap();
        assert_eq!(custom.ignored(), ["a", "b"]);
        assert_eq!(
            custom.command("/api/v0/x?a=1&b=c&c=d").unwrap().to_string(),
            "x --c=d"
        );
        for bad in ["arg", "policy", "signature", "", "-x", "a b"] {
            assert_eq!(
                RpcMount::new("").unwrap().ignore([bad]).unwrap_err().code(),
                "invalid_argument",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn rpc_refusals() {
        for bad in [
            "/api/v0",
            "/api/v0/",
            "/api/v1/pin/ls",
            "/api/v0x/pin",
            "/api/v0/pin//ls",
            "/api/v0/pin/%2e%2e",
            "/api/v0/pin%2Fls",
            "/api/v0/cat?arg=/ipfs/QmA/../QmB",
            "/api/v0/cat?arg=%2Fipfs%2F..%2Fx",
            "/api/v0/cat?arg=/ipfs/%252e%252e",
            "/api/v0/cat?arg=QmA/../x",
            "/api/v0/cat?arg=..",
            "/api/v0/cat?arg=.",
            "/api/v0/cat?arg=..%3B",
            "/api/v0/cat?arg=/ipfs/QmA/..;/QmB",
            "/api/v0/../cat",
            "/api/v0/.../cat",
            "/api/v0/x?a=1&a=2",
            "/api/v0/x?a=true&a=false",
            "/api/v0/x?a=false&a=true",
            "/api/v0/x?a=false&a=0",
            "/api/v0/x?=1",
            "/api/v0/x?a%00=1",
            "/api/v0/x?a=%0a",
            "/api/v0/x?bad!name=1",
        ] {
            let err = rpc("/api/v0", bad).unwrap_err();
            assert_eq!(err.code(), "invalid_command", "{bad}");
        }
        assert_eq!(
            rpc("/api/v0/", "/api/v0/x").unwrap_err().code(),
            "invalid_argument"
        );
        assert_eq!(rpc("api", "/api/x").unwrap_err().code(), "invalid_argument");
    }
}
