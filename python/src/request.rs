//! What a request names: the keyword arguments of `verify`, `verify_token`,
//! `verify_http` and `Grant.authorize`, read in one place.

use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

use crate::capability::CommandArg;
use crate::error::Failure;

/// The request keyword arguments (`call`, `handle`, `url`, `path`, `container`, `size`,
/// `command`, `rest`, `rpc`), named once in [`request_methods!`]. `None` counts as not
/// given.
pub(crate) struct RequestArgs {
    pub(crate) call: Option<PyBackedStr>,
    pub(crate) handle: Option<PyBackedStr>,
    pub(crate) url: Option<PyBackedStr>,
    pub(crate) path: Option<PyBackedStr>,
    pub(crate) container: Option<PyBackedStr>,
    pub(crate) size: Option<crate::Int<u64>>,
    pub(crate) command: Option<CommandArg>,
    pub(crate) rest: Option<(PyBackedStr, PyBackedStr)>,
    pub(crate) rpc: Option<(PyBackedStr, PyBackedStr)>,
}

impl RequestArgs {
    /// The core's request.
    pub(crate) fn request(&self) -> Result<capsign::Request<'_>, Failure> {
        fn pair(p: &Option<(PyBackedStr, PyBackedStr)>) -> Option<(&str, &str)> {
            p.as_ref().map(|(a, b)| (a.as_ref(), b.as_ref()))
        }
        let command = capsign::CommandRef::one_of(
            self.command.as_ref().map(CommandArg::as_ref),
            pair(&self.rest),
            pair(&self.rpc),
        )?;
        Ok(capsign::Request {
            call: self.call.as_deref(),
            handle: self.handle.as_deref(),
            url: self.url.as_deref(),
            path: self.path.as_deref(),
            container: self.container.as_deref(),
            size: self.size.as_ref().map(|s| s.0),
            command,
        })
    }
}

/// The methods that take a request as keyword arguments (`Verifier.verify`,
/// `verify_token`, `verify_http`, `Grant.authorize`), with the request's names and types
/// written once, in the invocation below. (Keyword arguments declared to pyo3 are read
/// from the call's vector directly; `**request` would build a dict on every call, which
/// measured +0.5 µs on a 0.7 µs verification.)
macro_rules! request_methods {
    ($($field:ident: $ty:ty),* $(,)?) => {
        #[pymethods]
        impl crate::verifying::Verifier {
            /// Verifies a policy and signature pair, then authorizes the request named by
            /// the keyword arguments (if any).
            #[pyo3(signature = (policy, signature, *, now=None, $($field=None),*))]
            #[allow(clippy::too_many_arguments)]
            fn verify(
                &self,
                policy: PyBackedStr,
                signature: PyBackedStr,
                now: Option<crate::Int<u64>>,
                $($field: Option<$ty>),*
            ) -> Result<crate::verifying::Grant, Failure> {
                self.verify_pair(&policy, &signature, now, &RequestArgs { $($field),* })
            }

            /// Verifies a compact token `<policy>.<signature>`, then authorizes the request.
            #[pyo3(signature = (token, *, now=None, $($field=None),*))]
            #[allow(clippy::too_many_arguments)]
            fn verify_token(
                &self,
                token: PyBackedStr,
                now: Option<crate::Int<u64>>,
                $($field: Option<$ty>),*
            ) -> Result<crate::verifying::Grant, Failure> {
                self.verify_compact(&token, now, &RequestArgs { $($field),* })
            }

            /// Verifies an HTTP request's credentials (`Authorization` header value, every
            /// `policy` and `signature` query value); `None` if it carries none.
            #[pyo3(signature = (authorization, policy, signature, *, now=None, $($field=None),*))]
            #[allow(clippy::too_many_arguments)]
            fn verify_http(
                &self,
                authorization: Option<PyBackedStr>,
                policy: Vec<PyBackedStr>,
                signature: Vec<PyBackedStr>,
                now: Option<crate::Int<u64>>,
                $($field: Option<$ty>),*
            ) -> Result<Option<crate::verifying::Grant>, Failure> {
                self.verify_presented(
                    authorization.as_deref(),
                    &policy,
                    &signature,
                    now,
                    &RequestArgs { $($field),* },
                )
            }
        }

        #[pymethods]
        impl crate::verifying::Grant {
            /// Authorizes another request; returns the permission that allowed its command.
            #[pyo3(signature = (*, $($field=None),*))]
            #[allow(clippy::too_many_arguments)]
            fn authorize(&self, $($field: Option<$ty>),*) -> Result<Option<String>, Failure> {
                self.authorize_request(&RequestArgs { $($field),* })
            }
        }
    };
}

request_methods!(
    call: PyBackedStr,
    handle: PyBackedStr,
    url: PyBackedStr,
    path: PyBackedStr,
    container: PyBackedStr,
    size: crate::Int<u64>,
    command: CommandArg,
    rest: (PyBackedStr, PyBackedStr),
    rpc: (PyBackedStr, PyBackedStr),
);

/// The request fields an application's `fields` function gives a middleware: only
/// `handle`, `url`, `path`, `container` and `size` are read (never `now`, `call` or a
/// command, which come from the route and the clock).
#[derive(Default)]
pub(crate) struct FieldArgs {
    handle: Option<PyBackedStr>,
    url: Option<PyBackedStr>,
    path: Option<PyBackedStr>,
    container: Option<PyBackedStr>,
    size: Option<u64>,
}

/// The `size` field: an `int` (never a `bool`), or a `float` with no fraction, as a JSON
/// body may write it (`5.0`, `1e1`: JavaScript cannot tell them from `5` and `10`, so
/// Node reads them so too). The core refuses a size of 2^53 or more.
fn size(value: Option<Bound<'_, PyAny>>) -> PyResult<Option<u64>> {
    let Some(value) = value else {
        return Ok(None);
    };
    let wrong = || PyErr::from(Failure::from(capsign::http::Fields::wrong_type("size")));
    if let Ok(float) = value.cast::<pyo3::types::PyFloat>() {
        let f = float.value();
        return if f.is_finite() && f >= 0.0 && f.fract() == 0.0 {
            Ok(Some(f as u64))
        } else {
            Err(wrong())
        };
    }
    match value.extract::<crate::Int<u64>>() {
        Ok(crate::Int(n)) => Ok(Some(n)),
        Err(_) => Err(wrong()),
    }
}

impl FieldArgs {
    pub(crate) fn extract(fields: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let mut args = FieldArgs::default();
        let Some(fields) = fields.filter(|f| !f.is_none()) else {
            return Ok(args);
        };
        let get = |name: &str| -> PyResult<Option<Bound<'_, PyAny>>> {
            match fields.get_item(name) {
                Ok(value) if !value.is_none() => Ok(Some(value)),
                Ok(_) => Ok(None),
                Err(e) if e.is_instance_of::<pyo3::exceptions::PyKeyError>(fields.py()) => Ok(None),
                Err(e) => Err(e),
            }
        };
        // A value of the wrong type comes from the request: a 400, not a server error.
        fn typed<'py, T: FromPyObjectOwned<'py>>(
            name: &str,
            value: Option<Bound<'py, PyAny>>,
        ) -> PyResult<Option<T>> {
            value
                .map(|v| {
                    v.extract().map_err(|_| {
                        PyErr::from(Failure::from(capsign::http::Fields::wrong_type(name)))
                    })
                })
                .transpose()
        }
        args.handle = typed("handle", get("handle")?)?;
        args.url = typed("url", get("url")?)?;
        args.path = typed("path", get("path")?)?;
        args.container = typed("container", get("container")?)?;
        args.size = size(get("size")?)?;
        Ok(args)
    }

    pub(crate) fn fields(&self) -> capsign::http::Fields<'_> {
        capsign::http::Fields {
            handle: self.handle.as_deref(),
            url: self.url.as_deref(),
            path: self.path.as_deref(),
            container: self.container.as_deref(),
            size: self.size,
        }
    }
}
