//! `Permission`, `Command`, `covers` and the HTTP mappings.

use std::collections::HashMap;

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::error::OrThrow;

/// A compiled permission such as `pin add [-r] *`.
#[napi]
pub struct Permission {
    inner: capsign::Permission,
}

#[napi]
impl Permission {
    #[napi(constructor)]
    pub fn new(env: &Env, text: String) -> Result<Self> {
        Ok(Permission {
            inner: capsign::Permission::parse(&text).or_throw(env)?,
        })
    }

    /// The permission as written.
    #[napi(getter)]
    pub fn source(&self) -> &str {
        self.inner.as_str()
    }

    /// Whether it allows `command` (text or `Command`).
    #[napi]
    pub fn matches(&self, env: &Env, command: Either<String, &Command>) -> Result<bool> {
        Ok(match command {
            Either::A(text) => self
                .inner
                .matches(&capsign::Command::parse(&text).or_throw(env)?),
            Either::B(parsed) => self.inner.matches(&parsed.inner),
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
    pub fn new(env: &Env, text: String) -> Result<Self> {
        Ok(Command {
            inner: capsign::Command::parse(&text).or_throw(env)?,
        })
    }

    /// Builds a command from positionals and flags (`{"--name": "value" or null}`).
    #[napi(factory)]
    pub fn build(
        env: &Env,
        args: Vec<String>,
        flags: Option<HashMap<String, Option<String>>>,
    ) -> Result<Self> {
        let flags = flags.iter().flatten();
        Ok(Command {
            inner: capsign::Command::from_parts(
                args.iter().map(String::as_str),
                flags.map(|(name, value)| (name.as_str(), value.as_deref())),
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

fn items(list: &Either<String, Vec<String>>) -> Vec<&str> {
    match list {
        Either::A(one) => vec![one.as_str()],
        Either::B(many) => many.iter().map(String::as_str).collect(),
    }
}

/// Whether every command `b` allows, `a` allows too (each one permission or a list).
#[napi]
pub fn covers(
    env: &Env,
    a: Either<String, Vec<String>>,
    b: Either<String, Vec<String>>,
) -> Result<bool> {
    capsign::covers_text(&items(&a), &items(&b)).or_throw(env)
}

/// `<METHOD> <path>` for a REST request (the target still percent-encoded).
#[napi]
pub fn rest_command(env: &Env, method: String, target: String) -> Result<Command> {
    Ok(Command {
        inner: capsign::http::rest(&method, &target).or_throw(env)?,
    })
}

/// The command of an RPC request under `prefix` (such as `/api/v0`).
#[napi]
pub fn rpc_command(env: &Env, prefix: String, target: String) -> Result<Command> {
    Ok(Command {
        inner: capsign::http::rpc(&prefix, &target).or_throw(env)?,
    })
}
