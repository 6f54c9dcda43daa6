//! Core errors raised as the exception classes of `nowgg_payments.exceptions`.

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;

/// `nowgg_payments.exceptions._BY_KIND`: the class of each kind name, looked up once.
static CLASSES: PyOnceLock<Py<PyDict>> = PyOnceLock::new();

/// The Python exception for a core error: the class of its kind, with its message,
/// `api_code`, `http_status` and `retryable`. The core's messages never hold the key.
pub(crate) fn to_py(py: Python<'_>, error: nowgg_payments::Error) -> PyErr {
    exception(py, &error).unwrap_or_else(|import_failed| import_failed)
}

fn exception(py: Python<'_>, error: &nowgg_payments::Error) -> PyResult<PyErr> {
    let classes = CLASSES.import(py, "nowgg_payments.exceptions", "_BY_KIND")?;
    let kind = error.kind().name();
    let class = classes.get_item(kind)?.ok_or_else(|| {
        PyRuntimeError::new_err(format!("nowgg_payments.exceptions has no class for {kind}"))
    })?;
    let instance = class.call1((
        error.message(),
        error.api_code(),
        error.http_status(),
        error.is_retryable(),
    ))?;
    Ok(PyErr::from_value(instance))
}

/// An `INVALID_ARGUMENT` error for a Python value the core's types cannot hold (a
/// negative timeout, a retry count past `u32`).
pub(crate) fn invalid(py: Python<'_>, message: impl Into<String>) -> PyErr {
    to_py(
        py,
        nowgg_payments::Error::InvalidArgument {
            message: message.into(),
        },
    )
}
