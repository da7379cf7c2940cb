//! The one mapping from the core's errors to Python exceptions.
//!
//! The exception classes are defined in `capsign/exceptions.py`; `BY_CODE` there maps each
//! stable code to its class. The core's error picks the class (by its code), never the
//! method that failed or the message text.

use pyo3::exceptions::PyKeyError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyType};

/// A core error on its way to Python.
pub(crate) struct Failure(capsign::Error);

impl From<capsign::Error> for Failure {
    fn from(e: capsign::Error) -> Self {
        Failure(e)
    }
}

impl From<Failure> for PyErr {
    fn from(Failure(e): Failure) -> PyErr {
        Python::attach(|py| exception(py, &e).unwrap_or_else(|import_failed| import_failed))
    }
}

fn exception(py: Python<'_>, e: &capsign::Error) -> PyResult<PyErr> {
    static BY_CODE: PyOnceLock<Py<PyDict>> = PyOnceLock::new();
    let class = BY_CODE
        .import(py, "capsign.exceptions", "BY_CODE")?
        .get_item(e.code())?
        .ok_or_else(|| PyKeyError::new_err(e.code()))?
        .cast_into::<PyType>()?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("field", e.field())?;
    kwargs.set_item("position", e.position())?;
    kwargs.set_item("status", e.http_status())?;
    kwargs.set_item("challenge", e.www_authenticate())?;
    kwargs.set_item("body", e.http_body())?;
    let instance = class.call((e.to_string(),), Some(&kwargs))?;
    Ok(PyErr::from_value(instance))
}
