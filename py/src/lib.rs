//! `nowgg_payments._native`: the Rust core as Python types.
//!
//! This crate only translates: Python arguments into core calls (blocking ones with the
//! GIL released, async ones on the core's own threads, settling an asyncio future), core
//! results into `Purchase` objects, core errors into the exception classes
//! `nowgg_payments.exceptions` builds from the module's `KINDS`, call reports into
//! `CallReport` objects. The pure-Python part of the package (`py/python/nowgg_payments/`)
//! adds the exception classes, the enums, `AsyncClient`, and the OpenTelemetry spans made
//! from reports (`_otel.py`).
#![deny(missing_docs)]

use pyo3::prelude::*;

mod client;
mod errors;
mod future;
mod grant;
mod logging;
mod purchase;
mod report;
mod testing;

/// The Python module.
#[pymodule]
mod _native {
    use pyo3::prelude::*;
    use pyo3::types::PyTuple;

    #[pymodule_export]
    use crate::client::Client;
    #[pymodule_export]
    use crate::future::Inbox;
    #[pymodule_export]
    use crate::purchase::Purchase;
    #[pymodule_export]
    use crate::report::{Attempt, CallReport, Wait};
    #[pymodule_export]
    use crate::testing::PySandbox;

    /// Whether `token` comes from now.gg's No Code Payment flow (it starts with
    /// `-nowgg-`), which is how a backend that accepts several stores routes it here.
    #[pyfunction]
    fn is_nowgg_token(token: &str) -> bool {
        nowgg_payments::is_nowgg_token(token)
    }

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        let py = m.py();
        // The error kind table, `(name, code, retryable)` per kind: the exception classes
        // are built from it, so they cannot drift from the core.
        let kinds = nowgg_payments::ErrorKind::ALL.map(|k| (k.name(), k.code(), k.is_retryable()));
        m.add("KINDS", PyTuple::new(py, kinds)?)?;
        let refusals = nowgg_payments::ErrorKind::GRANT_REFUSALS.map(|k| k.name());
        m.add("GRANT_REFUSALS", PyTuple::new(py, refusals)?)?;
        // `(attribute, API name, doc)` of each string field: the tests hold the stubs to it.
        let fields = crate::purchase::string_fields();
        m.add("STRING_FIELDS", PyTuple::new(py, fields)?)?;
        // The core's option defaults, which `Client`'s signature also reads.
        m.add("DEFAULTS", crate::client::defaults(py)?)?;
        m.add("__version__", env!("CARGO_PKG_VERSION"))?;
        crate::logging::install(py)
    }
}
