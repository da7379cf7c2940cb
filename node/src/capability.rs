//! `Permission`, `Command`, `covers` and the HTTP mappings.

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::args::{opt_texts, strs, text, texts};
use crate::error::OrThrow;

/// A compiled permission such as `pin add [-r] *`.
#[napi]
pub struct Permission {
    inner: capsign::Permission,
}

#[napi]
impl Permission {
    #[napi(constructor)]
    pub fn new(env: &Env, permission: Unknown<'_>) -> Result<Self> {
        Ok(Permission {
            inner: capsign::Permission::parse(text(env, "permission", permission)?.as_str())
                .or_throw(env)?,
        })
    }

    /// The permission as written.
    #[napi(getter)]
    pub fn source(&self) -> &str {
        self.inner.as_str()
    }

    /// Whether it allows `command` (text or `Command`).
    #[napi]
    pub fn matches(&self, env: &Env, command: Either<&Command, Unknown<'_>>) -> Result<bool> {
        Ok(match command {
            Either::A(parsed) => self.inner.matches(&parsed.inner),
            Either::B(t) => self.inner.matches(
                &capsign::Command::parse(text(env, "command", t)?.as_str()).or_throw(env)?,
            ),
        })
    }

    /// Whether `other` is the same permission (however it was spaced or quoted).
    #[napi]
    pub fn equals(&self, other: &Permission) -> bool {
        self.inner == other.inner
    }

    /// The canonical text.
    #[napi]
    pub fn describe(&self) -> String {
        self.inner.to_string()
    }
}

/// One flag of a command.
#[napi(object)]
pub struct Flag {
    /// The name with its dashes (`-r`, `--recursive`).
    pub name: String,
    /// The value, or `null` for a flag without one.
    pub value: Option<String>,
}

/// A validated request command.
#[napi]
pub struct Command {
    pub(crate) inner: capsign::Command,
}

impl Command {
    pub(crate) fn inner(&self) -> &capsign::Command {
        &self.inner
    }
}

#[napi]
impl Command {
    #[napi(constructor)]
    pub fn new(env: &Env, command: Unknown<'_>) -> Result<Self> {
        Ok(Command {
            inner: capsign::Command::parse(text(env, "command", command)?.as_str())
                .or_throw(env)?,
        })
    }

    /// Builds a command from positionals and flags: parallel lists of names (with dashes)
    /// and values (`null` for a flag without one), read from the flags object's own
    /// properties in JavaScript.
    #[napi(factory)]
    pub fn build(
        env: &Env,
        args: Vec<Unknown<'_>>,
        flag_names: Option<Vec<Unknown<'_>>>,
        flag_values: Option<Vec<Option<Unknown<'_>>>>,
    ) -> Result<Self> {
        let args = texts(env, "args", args)?;
        let names = opt_texts(env, "flags", flag_names)?.unwrap_or_default();
        let values = flag_values
            .unwrap_or_default()
            .into_iter()
            .map(|v| v.map(|v| text(env, "flags", v)).transpose())
            .collect::<Result<Vec<_>>>()?;
        if names.len() != values.len() {
            return Err(capsign::Error::invalid_argument(
                "flags",
                "give one value (or null) for each flag name",
            ))
            .or_throw(env);
        }
        Ok(Command {
            inner: capsign::Command::from_parts(
                strs(&args),
                strs(&names).into_iter().zip(
                    values
                        .iter()
                        .map(|v| v.as_ref().map(crate::args::Text::as_str)),
                ),
            )
            .or_throw(env)?,
        })
    }

    /// The positionals, in order.
    #[napi(getter)]
    pub fn args(&self) -> Vec<&str> {
        self.inner.args().collect()
    }

    /// The flags, sorted by name.
    #[napi(getter)]
    pub fn flags(&self) -> Vec<Flag> {
        self.inner
            .flags()
            .map(|(name, value)| Flag {
                name: name.to_owned(),
                value: value.map(str::to_owned),
            })
            .collect()
    }

    /// Whether `other` is the same command.
    #[napi]
    pub fn equals(&self, other: &Command) -> bool {
        self.inner == other.inner
    }

    /// The canonical text.
    #[napi]
    pub fn describe(&self) -> String {
        self.inner.to_string()
    }
}

fn items(env: &Env, list: Either<Vec<Unknown<'_>>, Unknown<'_>>) -> Result<Vec<crate::args::Text>> {
    match list {
        Either::A(many) => texts(env, "permission", many),
        Either::B(one) => Ok(vec![text(env, "permission", one)?]),
    }
}

/// Whether every command `b` allows, `a` allows too (each one permission or a list).
#[napi]
pub fn covers(
    env: &Env,
    a: Either<Vec<Unknown<'_>>, Unknown<'_>>,
    b: Either<Vec<Unknown<'_>>, Unknown<'_>>,
) -> Result<bool> {
    capsign::covers_text(&strs(&items(env, a)?), &strs(&items(env, b)?)).or_throw(env)
}

/// `<METHOD> <path>` for a REST request (the target still percent-encoded).
#[napi]
pub fn rest_command(env: &Env, method: Unknown<'_>, target: Unknown<'_>) -> Result<Command> {
    let method = text(env, "method", method)?;
    let target = text(env, "target", target)?;
    Ok(Command {
        inner: capsign::http::rest(method.as_str(), target.as_str()).or_throw(env)?,
    })
}

/// The command of an RPC request under `prefix` (such as `/api/v0`).
#[napi]
pub fn rpc_command(env: &Env, prefix: Unknown<'_>, target: Unknown<'_>) -> Result<Command> {
    let prefix = text(env, "prefix", prefix)?;
    let target = text(env, "target", target)?;
    Ok(Command {
        inner: capsign::http::rpc(prefix.as_str(), target.as_str()).or_throw(env)?,
    })
}
