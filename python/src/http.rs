//! `Route`: what a route of a web application requires of every request.

use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

use crate::error::Failure;

/// What a route requires: a call, a command (fixed, per request, REST or RPC), or only
/// authentication, said explicitly. Checked when it is made.
#[pyclass(frozen, module = "capsign._native")]
pub(crate) struct Route(pub(crate) capsign::http::Route);

#[pymethods]
impl Route {
    #[new]
    #[pyo3(signature = (*, call=None, command=None, per_request=false, rest=false, rpc=None,
                        ignore=None, fields=false, security_task=false, authenticate_only=false))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        call: Option<PyBackedStr>,
        command: Option<PyBackedStr>,
        per_request: bool,
        rest: bool,
        rpc: Option<PyBackedStr>,
        ignore: Option<Vec<PyBackedStr>>,
        fields: bool,
        security_task: bool,
        authenticate_only: bool,
    ) -> Result<Self, Failure> {
        let mut builder = capsign::http::Route::builder()
            .fields(fields)
            .security_task(security_task);
        if let Some(call) = &call {
            builder = builder.call(call);
        }
        if let Some(command) = &command {
            builder = builder.command(command);
        }
        if per_request {
            builder = builder.command_per_request();
        }
        if rest {
            builder = builder.rest();
        }
        if let Some(prefix) = &rpc {
            builder = builder.rpc(prefix);
        }
        if let Some(names) = &ignore {
            builder = builder.ignore(names.iter().map(|n| &**n));
        }
        if authenticate_only {
            builder = builder.authenticate_only();
        }
        Ok(Route(builder.build()?))
    }

    fn __repr__(&self) -> String {
        format!("Route({:?})", self.0)
    }
}
