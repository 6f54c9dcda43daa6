//! `_Sandbox`: the `nowgg-sandbox` crate's emulator, run in-process for
//! `nowgg_payments.testing.Sandbox` (the pure-Python wrapper builds purchases and faults
//! as JSON text, which this side parses with the sandbox's own rules).

use std::sync::Mutex;
use std::time::Duration;

use nowgg_sandbox::{Config, Fault, NewPurchase, PurchaseSpec, Sandbox, Store};
use pyo3::prelude::*;

use crate::errors::invalid;

/// A running sandbox on 127.0.0.1 and a free port, until `close()`.
///
/// `_Sandbox(api_key, latency_ms=0)`. The methods act on the sandbox's state directly,
/// as its HTTP control API does; purchases, faults and the request log cross as JSON text.
#[pyclass(frozen, module = "nowgg_payments._native", name = "_Sandbox")]
pub struct PySandbox {
    inner: Mutex<Option<Sandbox>>,
    url: String,
    console_url: String,
}

impl PySandbox {
    fn with<T>(&self, py: Python<'_>, f: impl FnOnce(&Sandbox) -> T) -> PyResult<T> {
        let guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        match guard.as_ref() {
            Some(sandbox) => Ok(f(sandbox)),
            None => Err(invalid(py, "the sandbox is closed")),
        }
    }
}

#[pymethods]
impl PySandbox {
    #[new]
    #[pyo3(signature = (api_key, latency_ms = 0))]
    fn new(py: Python<'_>, api_key: String, latency_ms: i64) -> PyResult<PySandbox> {
        let latency = u64::try_from(latency_ms)
            .map_err(|_| invalid(py, format!("latency_ms must be >= 0, not {latency_ms}")))?;
        let config = Config::new(api_key).latency(Duration::from_millis(latency));
        let sandbox = py
            .detach(|| Sandbox::start(config))
            .map_err(|e| invalid(py, format!("the sandbox could not start: {e}")))?;
        Ok(PySandbox {
            url: sandbox.url(),
            console_url: sandbox.console_url(),
            inner: Mutex::new(Some(sandbox)),
        })
    }

    /// The base URL, `http://127.0.0.1:PORT`.
    #[getter]
    fn url(&self) -> String {
        self.url.clone()
    }

    /// The console's address, `http://127.0.0.1:PORT/_sandbox/`.
    #[getter]
    fn console_url(&self) -> String {
        self.console_url.clone()
    }

    /// Whether `close()` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_none()
    }

    /// Stores the purchase `spec_json` describes (the JSON of the sandbox's
    /// `PurchaseSpec`: `productId`, `paid`, ...; its defaults for those left out) in
    /// `store`, under `token` or a generated one; returns the token.
    #[pyo3(signature = (spec_json, store = "nowgg", token = None))]
    fn add_purchase(
        &self,
        py: Python<'_>,
        spec_json: &str,
        store: &str,
        token: Option<String>,
    ) -> PyResult<String> {
        let spec: PurchaseSpec = serde_json::from_str(spec_json)
            .map_err(|e| invalid(py, format!("invalid purchase: {e}")))?;
        let store: Store = store.parse().map_err(|_| {
            invalid(
                py,
                format!(
                    "store must be \"nowgg\", \"xiaomi\", \"onestore\", \"amazon\" or \"huawei\", not {store:?}"
                ),
            )
        })?;
        let purchase = NewPurchase::from(PurchaseSpec {
            store,
            token,
            ..spec
        });
        self.with(py, |s| s.add_purchase(purchase))?
            .map_err(|e| invalid(py, format!("invalid purchase: {e}")))
    }

    /// Queues one fault, given in the control API's wire form (`POST /_sandbox/faults`).
    fn add_fault(&self, py: Python<'_>, fault_json: &str) -> PyResult<()> {
        let fault: Fault = serde_json::from_str(fault_json)
            .map_err(|e| invalid(py, format!("invalid fault: {e}")))?;
        self.with(py, |s| s.add_fault(fault))
    }

    /// The faults still queued, as JSON text (`GET /_sandbox/faults`).
    fn faults(&self, py: Python<'_>) -> PyResult<String> {
        let faults = self.with(py, |s| s.faults())?;
        Ok(serde_json::to_string(&faults).expect("faults always serialise"))
    }

    /// Drops every queued fault.
    fn clear_faults(&self, py: Python<'_>) -> PyResult<()> {
        self.with(py, |s| s.clear_faults())
    }

    /// The stored `data` of a purchase as JSON text, or None for an unknown token.
    fn purchase(&self, py: Python<'_>, token: &str) -> PyResult<Option<String>> {
        let data = self.with(py, |s| s.purchase(token))?;
        Ok(data.map(|d| d.to_string()))
    }

    /// The API requests received since the last reset, oldest first, as JSON text.
    fn requests(&self, py: Python<'_>) -> PyResult<String> {
        let log = self.with(py, |s| s.requests())?;
        Ok(serde_json::to_string(&log).expect("request records always serialise"))
    }

    /// Back to the default fixtures, with no faults and an empty request log.
    fn reset(&self, py: Python<'_>) -> PyResult<()> {
        self.with(py, |s| s.reset())
    }

    /// Stops serving and frees the port (with the GIL released); calling it again does
    /// nothing.
    fn close(&self, py: Python<'_>) {
        let sandbox = self.inner.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(sandbox) = sandbox {
            py.detach(move || drop(sandbox));
        }
    }
}
