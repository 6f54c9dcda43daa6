//! `Client`: the core client behind a Python constructor with keyword options.

use std::time::Duration;

use nowgg_payments::{
    ConsumeRequest, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT,
};
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::errors::{invalid, to_py};
use crate::purchase::Purchase;

// The defaults spelled in the Python signature below are the core's.
const _: () = assert!(DEFAULT_TIMEOUT.as_millis() == 10_000);
const _: () = assert!(DEFAULT_CONNECT_TIMEOUT.as_millis() == 3_000);
const _: () = assert!(DEFAULT_MAX_RETRIES == 2);

/// A client of now.gg's Payments API. Build one per process and share it: it is
/// thread-safe and keeps one pool of keep-alive connections. Calls block, but release the
/// GIL while they wait, so other threads run (use `AsyncClient` from asyncio code).
///
/// `Client(api_key, *, region="global", base_url=None, timeout=10.0, connect_timeout=3.0,
/// max_retries=2, user_agent=None, proxy=None, ca_certs=None, max_response_bytes=None)`
///
/// Timeouts are in seconds (`timeout` bounds one attempt, connect included);
/// `max_retries` applies to verify only; `ca_certs` is PEM text (str or bytes) trusted in
/// addition to the built-in roots; `max_response_bytes=None` means 1 MiB. Bad options
/// raise `InvalidArgument`.
#[pyclass(frozen, module = "nowgg_payments")]
pub struct Client {
    inner: nowgg_payments::Client,
    timeout: f64,
    max_retries: u32,
}

/// PEM certificates as Python users hold them: text, or the bytes of a file.
#[derive(FromPyObject)]
enum Pem {
    Text(String),
    Bytes(Vec<u8>),
}

#[pymethods]
impl Client {
    #[new]
    #[pyo3(signature = (
        api_key, *, region = "global", base_url = None, timeout = 10.0, connect_timeout = 3.0,
        max_retries = 2, user_agent = None, proxy = None, ca_certs = None,
        max_response_bytes = None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        api_key: String,
        region: &str,
        base_url: Option<String>,
        timeout: f64,
        connect_timeout: f64,
        max_retries: i64,
        user_agent: Option<String>,
        proxy: Option<String>,
        ca_certs: Option<Pem>,
        max_response_bytes: Option<i64>,
    ) -> PyResult<Client> {
        let max_retries = u32::try_from(max_retries).map_err(|_| {
            invalid(
                py,
                format!("max_retries must be 0 or more, not {max_retries}"),
            )
        })?;
        let mut builder = nowgg_payments::Client::builder(api_key)
            .region(region.parse().map_err(|e| to_py(py, e))?)
            .timeout(seconds(py, "timeout", timeout)?)
            .connect_timeout(seconds(py, "connect_timeout", connect_timeout)?)
            .max_retries(max_retries);
        if let Some(url) = base_url {
            builder = builder.base_url(url);
        }
        if let Some(suffix) = user_agent {
            builder = builder.user_agent(suffix);
        }
        if let Some(url) = proxy {
            builder = builder.proxy(url);
        }
        match ca_certs {
            Some(Pem::Text(pem)) => builder = builder.ca_certs_pem(pem),
            Some(Pem::Bytes(pem)) => builder = builder.ca_certs_pem(pem),
            None => {}
        }
        if let Some(bytes) = max_response_bytes {
            let bytes = u64::try_from(bytes).map_err(|_| {
                invalid(
                    py,
                    format!("max_response_bytes must be positive, not {bytes}"),
                )
            })?;
            builder = builder.max_response_bytes(bytes);
        }
        Ok(Client {
            inner: builder.build().map_err(|e| to_py(py, e))?,
            timeout,
            max_retries,
        })
    }

    /// Verifies a purchase token and returns the `Purchase`. Retried on timeouts,
    /// connection failures, HTTP 429/5xx and API code 5014, up to `max_retries` times.
    /// Check `is_paid` and `is_consumed` before granting.
    fn verify_purchase(&self, py: Python<'_>, token: String) -> PyResult<Purchase> {
        py.detach(|| self.inner.verify_purchase(&token))
            .map(Purchase::from)
            .map_err(|e| to_py(py, e))
    }

    /// Consumes a purchase once its product is granted. `store` is where it was bought:
    /// "nowgg" (default), "xiaomi" or "onestore" (these two need `product_id`); "amazon"
    /// and "huawei" purchases are consumed on the client. Never re-sent blindly: after an
    /// ambiguous failure the purchase is verified instead. An already consumed purchase
    /// raises `ErrorConsumingProduct`.
    #[pyo3(signature = (token, *, store = "nowgg", product_id = None, currency = None, developer_payload = None))]
    fn consume_purchase(
        &self,
        py: Python<'_>,
        token: String,
        store: &str,
        product_id: Option<String>,
        currency: Option<String>,
        developer_payload: Option<String>,
    ) -> PyResult<()> {
        let mut request =
            ConsumeRequest::new(token).store(store.parse().map_err(|e| to_py(py, e))?);
        if let Some(id) = product_id {
            request = request.product_id(id);
        }
        if let Some(currency) = currency {
            request = request.currency(currency);
        }
        if let Some(payload) = developer_payload {
            request = request.developer_payload(payload);
        }
        py.detach(|| self.inner.consume_purchase(&request))
            .map_err(|e| to_py(py, e))
    }

    /// The base URL calls go to.
    #[getter]
    fn base_url(&self) -> &str {
        self.inner.base_url()
    }

    /// Shows where calls go and how, never the key.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let base_url = PyString::new(py, self.inner.base_url()).repr()?;
        Ok(format!(
            "Client(base_url={base_url}, timeout={:?}, max_retries={})",
            self.timeout, self.max_retries
        ))
    }
}

/// Seconds from Python as a duration; the core refuses zero itself.
fn seconds(py: Python<'_>, name: &str, value: f64) -> PyResult<Duration> {
    Duration::try_from_secs_f64(value).map_err(|_| {
        invalid(
            py,
            format!("{name} must be a positive number of seconds, not {value}"),
        )
    })
}
