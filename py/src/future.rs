//! asyncio futures settled from the library's threads, with one wake-up of their loop.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::errors::to_py;

/// `nowgg_payments.async_client._settle(future, error, value)`: run on the loop's own
/// thread, it sets the result unless the future is done (its task was cancelled).
static SETTLE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Hands a call's result to `future`, from the library thread that ran the call: the
/// value made by `convert` or the exception, through one `call_soon_threadsafe` on the
/// future's loop (asyncio futures may only be touched on their loop's thread).
pub(crate) fn settle<T>(
    future: Py<PyAny>,
    result: nowgg_payments::Result<T>,
    convert: fn(Python<'_>, T) -> PyResult<Py<PyAny>>,
) {
    // During interpreter shutdown nothing awaits any more: the result is dropped.
    Python::try_attach(|py| {
        let (error, value) = match result
            .map_err(|e| to_py(py, e))
            .and_then(|v| convert(py, v))
        {
            Ok(value) => (py.None(), value),
            Err(error) => (error.into_value(py).into_any(), py.None()),
        };
        let scheduled = SETTLE
            .import(py, "nowgg_payments.async_client", "_settle")
            .and_then(|settle| {
                let event_loop = future.bind(py).call_method0("get_loop")?;
                event_loop.call_method1("call_soon_threadsafe", (settle, &future, error, value))
            });
        // It fails only when the loop is closed, and the coroutine awaiting the future
        // went with it: nobody is left to tell.
        drop(scheduled);
    });
}
