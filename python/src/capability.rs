//! `Permission`, `Command`, `covers` and the HTTP mappings.

use std::collections::BTreeMap;

use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

use crate::error::Failure;

/// A command given as text or as a `Command`.
#[derive(FromPyObject)]
pub(crate) enum CommandArg {
    Text(PyBackedStr),
    Parsed(Py<Command>),
}

impl CommandArg {
    pub(crate) fn as_ref(&self) -> capsign::CommandRef<'_> {
        match self {
            CommandArg::Text(t) => capsign::CommandRef::Text(t),
            CommandArg::Parsed(c) => capsign::CommandRef::Parsed(&c.get().0),
        }
    }
}

/// One permission string or a list of them.
#[derive(FromPyObject)]
pub(crate) enum PermissionsArg {
    One(PyBackedStr),
    Many(Vec<PyBackedStr>),
}

impl PermissionsArg {
    fn items(&self) -> Vec<&str> {
        match self {
            PermissionsArg::One(s) => vec![&**s],
            PermissionsArg::Many(v) => v.iter().map(|s| &**s).collect(),
        }
    }
}

/// A compiled permission such as `pin add [-r] *`.
#[pyclass(frozen, module = "capsign._native")]
pub(crate) struct Permission(capsign::Permission);

#[pymethods]
impl Permission {
    #[new]
    fn new(text: &str) -> Result<Self, Failure> {
        Ok(Permission(capsign::Permission::parse(text)?))
    }

    /// The permission as written.
    #[getter]
    fn source(&self) -> &str {
        self.0.as_str()
    }

    /// Whether it allows `command` (text or `Command`).
    fn matches(&self, command: CommandArg) -> Result<bool, Failure> {
        Ok(match &command {
            CommandArg::Parsed(c) => self.0.matches(&c.get().0),
            CommandArg::Text(t) => self.0.matches(&capsign::Command::parse(t)?),
        })
    }

    /// The canonical text.
    fn __str__(&self) -> String {
        self.0.to_string()
    }

    fn __repr__(&self) -> String {
        format!("Permission({:?})", self.0.to_string())
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<Permission>()
            .is_ok_and(|o| o.get().0 == self.0)
    }
}

/// A validated request command.
#[pyclass(frozen, module = "capsign._native")]
pub(crate) struct Command(pub(crate) capsign::Command);

#[pymethods]
impl Command {
    #[new]
    fn new(text: &str) -> Result<Self, Failure> {
        Ok(Command(capsign::Command::parse(text)?))
    }

    /// Builds a command from positionals and flags (`{"--name": "value" or None}`).
    #[staticmethod]
    #[pyo3(signature = (args, flags=None))]
    fn build(
        args: Vec<PyBackedStr>,
        flags: Option<BTreeMap<String, Option<PyBackedStr>>>,
    ) -> Result<Self, Failure> {
        let flags = flags.iter().flatten();
        Ok(Command(capsign::Command::from_parts(
            args.iter().map(|a| &**a),
            flags.map(|(name, value)| (name.as_str(), value.as_deref())),
        )?))
    }

    /// The positionals, in order.
    #[getter]
    fn args(&self) -> Vec<&str> {
        self.0.args().collect()
    }

    /// The flags, sorted by name: `(name, value or None)`.
    #[getter]
    fn flags(&self) -> Vec<(&str, Option<&str>)> {
        self.0.flags().collect()
    }

    /// The canonical text.
    fn __str__(&self) -> String {
        self.0.to_string()
    }

    fn __repr__(&self) -> String {
        format!("Command({:?})", self.0.to_string())
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<Command>().is_ok_and(|o| o.get().0 == self.0)
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.0.hash(&mut h);
        h.finish()
    }
}

/// Whether every command `b` allows, `a` allows too (each one permission or a list).
#[pyfunction]
pub(crate) fn covers(a: PermissionsArg, b: PermissionsArg) -> Result<bool, Failure> {
    Ok(capsign::covers_text(&a.items(), &b.items())?)
}

/// `<METHOD> <path>` for a REST request (the target still percent-encoded).
#[pyfunction]
pub(crate) fn rest_command(method: &str, target: &str) -> Result<Command, Failure> {
    Ok(Command(capsign::http::rest(method, target)?))
}

/// The command of an RPC request under `prefix` (such as `/api/v0`).
#[pyfunction]
pub(crate) fn rpc_command(prefix: &str, target: &str) -> Result<Command, Failure> {
    Ok(Command(capsign::http::rpc(prefix, target)?))
}
