//! What a request asks to do, to be authorized against a policy.

use crate::capability::Command;
use crate::capability::mapping::RpcMount;
use crate::error::{Error, Result};

/// A command in a request: text to parse, already parsed, or an HTTP request to map.
///
/// The mappings run during authorization, after the credentials have been checked: a
/// request that cannot be a command is `invalid_command`, but only once its credentials
/// are known to be good.
#[derive(Clone, Copy, Debug)]
pub enum CommandRef<'a> {
    /// A command line such as `pin add -r QmX`.
    Text(&'a str),
    /// A command built with [`Command::parse`], [`Command::builder`] or the HTTP mappings.
    Parsed(&'a Command),
    /// A REST request: [`crate::http::rest`] of its method and target.
    Rest {
        /// The HTTP method.
        method: &'a str,
        /// The request target as sent (path still percent-encoded, optional query).
        target: &'a str,
    },
    /// An RPC request: [`crate::http::rpc`] under `prefix`.
    Rpc {
        /// Where the RPC API is mounted, such as `/api/v0`.
        prefix: &'a str,
        /// The request target as sent.
        target: &'a str,
    },
    /// An RPC request under a mount made once (its prefix checked, its `ignore` list
    /// applied): [`RpcMount::command`].
    Mounted {
        /// The mount.
        mount: &'a RpcMount,
        /// The request target as sent.
        target: &'a str,
    },
}

impl<'a> CommandRef<'a> {
    /// The command of a request given in at most one of three ways — a command, a REST
    /// request `(method, target)` or an RPC request `(prefix, target)` — as the bindings'
    /// keyword arguments take it. None given: `Ok(None)`; more than one:
    /// `invalid_argument` naming `command`.
    pub fn one_of(
        command: Option<CommandRef<'a>>,
        rest: Option<(&'a str, &'a str)>,
        rpc: Option<(&'a str, &'a str)>,
    ) -> Result<Option<CommandRef<'a>>> {
        match (command, rest, rpc) {
            (command, None, None) => Ok(command),
            (None, Some((method, target)), None) => Ok(Some(CommandRef::Rest { method, target })),
            (None, None, Some((prefix, target))) => Ok(Some(CommandRef::Rpc { prefix, target })),
            _ => Err(Error::invalid_argument(
                "command",
                "give one of command, rest and rpc",
            )),
        }
    }
}

impl<'a> From<&'a str> for CommandRef<'a> {
    fn from(text: &'a str) -> Self {
        CommandRef::Text(text)
    }
}

impl<'a> From<&'a Command> for CommandRef<'a> {
    fn from(command: &'a Command) -> Self {
        CommandRef::Parsed(command)
    }
}

/// What a request asks to do, to be authorized against a policy. Name only what the
/// request does; a restriction it does not address denies (§2).
#[derive(Clone, Copy, Debug, Default)]
pub struct Request<'a> {
    /// The Filestack call (`pick`, `read`, …).
    pub call: Option<&'a str>,
    /// The file handle the request acts on.
    pub handle: Option<&'a str>,
    /// The source URL of a store-from-URL or transformation.
    pub url: Option<&'a str>,
    /// The storage path.
    pub path: Option<&'a str>,
    /// The storage container or bucket.
    pub container: Option<&'a str>,
    /// The size of the stored upload, in bytes.
    pub size: Option<u64>,
    /// The command (IPFS style).
    pub command: Option<CommandRef<'a>>,
}

impl<'a> Request<'a> {
    /// An empty request (it names nothing).
    pub fn new() -> Self {
        Request::default()
    }

    /// Names the call (`Call::Store` or `"store"`).
    pub fn call(mut self, call: impl Into<&'a str>) -> Self {
        self.call = Some(call.into());
        self
    }

    /// Names the handle.
    pub fn handle(mut self, handle: &'a str) -> Self {
        self.handle = Some(handle);
        self
    }

    /// Names the source URL.
    pub fn url(mut self, url: &'a str) -> Self {
        self.url = Some(url);
        self
    }

    /// Names the storage path.
    pub fn path(mut self, path: &'a str) -> Self {
        self.path = Some(path);
        self
    }

    /// Names the storage container.
    pub fn container(mut self, container: &'a str) -> Self {
        self.container = Some(container);
        self
    }

    /// Names the upload size.
    pub fn size(mut self, size: u64) -> Self {
        self.size = Some(size);
        self
    }

    /// Names a parsed command.
    pub fn command(mut self, command: &'a Command) -> Self {
        self.command = Some(CommandRef::Parsed(command));
        self
    }

    /// Names a command by its text (parsed during authorization).
    pub fn command_text(mut self, text: &'a str) -> Self {
        self.command = Some(CommandRef::Text(text));
        self
    }

    /// Whether the request names nothing at all.
    pub fn is_empty(&self) -> bool {
        self.call.is_none()
            && self.handle.is_none()
            && self.url.is_none()
            && self.path.is_none()
            && self.container.is_none()
            && self.size.is_none()
            && self.command.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_names_its_command_one_way() {
        assert!(CommandRef::one_of(None, None, None).unwrap().is_none());
        assert!(matches!(
            CommandRef::one_of(Some("cat /x".into()), None, None),
            Ok(Some(CommandRef::Text("cat /x")))
        ));
        assert!(matches!(
            CommandRef::one_of(None, Some(("GET", "/x")), None),
            Ok(Some(CommandRef::Rest { method: "GET", .. }))
        ));
        assert!(matches!(
            CommandRef::one_of(None, None, Some(("/api/v0", "/api/v0/id"))),
            Ok(Some(CommandRef::Rpc {
                prefix: "/api/v0",
                ..
            }))
        ));
        let both = CommandRef::one_of(Some("id".into()), Some(("GET", "/x")), None).unwrap_err();
        assert_eq!(
            (both.code(), both.field()),
            ("invalid_argument", Some("command"))
        );
        assert!(CommandRef::one_of(None, Some(("GET", "/x")), Some(("", "/id"))).is_err());
    }

    #[test]
    fn request_emptiness() {
        assert!(Request::new().is_empty());
        assert!(!Request::new().size(0).is_empty());
    }
}
