//! `Client`: the core client behind a Python constructor with keyword options; its calls
//! block with the GIL released, or (for `AsyncClient`) run on the library's own threads
//! and settle an asyncio future.

use std::panic::{self, AssertUnwindSafe};
use std::time::Duration;

use nowgg_payments::report::capture;
use nowgg_payments::{
    ClientBuilder, ClientOption, ConsumeOutcome, ConsumeRequest, Error, OptionDefault, OPTIONS,
};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyString, PyType};
use pyo3::{PyTraverseError, PyVisit};

use crate::errors::{invalid, to_py};
use crate::future::{self, Inbox};
use crate::grant::ProductIds;
use crate::purchase::Purchase;
use crate::report;

/// `nowgg_payments.outcome.ConsumeOutcome`, the str enum a consume returns.
static CONSUME_OUTCOME: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// A client of now.gg's Payments API. Build one per process and share it: it is
/// thread-safe and keeps one pool of keep-alive connections. Calls block, but release the
/// GIL while they wait, so other threads run (use `AsyncClient` from asyncio code).
///
/// `Client(api_key, *, **options)`: the options, their defaults (`DEFAULTS`, the core's)
/// and their ranges are listed in the package's stubs and README. Times are in seconds.
/// Bad options raise `InvalidArgument`. `on_report=callable` is called with each call's
/// `CallReport`, on the calling thread once the call is over.
#[pyclass(frozen, module = "nowgg_payments")]
pub struct Client {
    inner: nowgg_payments::Client,
    /// Called with each call's `CallReport` (`on_report=`), if given.
    on_report: Option<Py<PyAny>>,
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
    // The defaults are the core's option table's, read when the call is made.
    #[pyo3(signature = (
        api_key, *, region = default_text("region"), base_url = None,
        timeout = default_seconds("timeout"), connect_timeout = default_seconds("connect_timeout"),
        max_retries = default_count("max_retries"), deadline = default_seconds("deadline"),
        max_in_flight = default_count("max_in_flight"), user_agent = None, proxy = None,
        ca_certs = None, max_response_bytes = Some(default_count("max_response_bytes")),
        on_report = None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        api_key: String,
        region: String,
        base_url: Option<String>,
        timeout: f64,
        connect_timeout: f64,
        max_retries: i64,
        deadline: f64,
        max_in_flight: i64,
        user_agent: Option<String>,
        proxy: Option<String>,
        ca_certs: Option<Pem>,
        max_response_bytes: Option<i64>,
        on_report: Option<Py<PyAny>>,
    ) -> PyResult<Client> {
        // Only what the core's types cannot hold is refused here; the core checks the
        // ranges, the same in every face.
        let max_retries = count(py, "max_retries", max_retries)?;
        let builder = nowgg_payments::Client::builder(api_key)
            .region(region.parse().map_err(|e| to_py(py, e))?)
            .timeout(seconds(py, "timeout", timeout)?)
            .connect_timeout(seconds(py, "connect_timeout", connect_timeout)?)
            .deadline(seconds(py, "deadline", deadline)?)
            .max_retries(max_retries)
            .max_in_flight(count(py, "max_in_flight", max_in_flight)?);
        let builder = given(builder, base_url, ClientBuilder::base_url);
        let builder = given(builder, user_agent, ClientBuilder::user_agent);
        let mut builder = given(builder, proxy, ClientBuilder::proxy);
        match ca_certs {
            Some(Pem::Text(pem)) => builder = builder.ca_certs_pem(pem),
            Some(Pem::Bytes(pem)) => builder = builder.ca_certs_pem(pem),
            None => {}
        }
        // `None`, as before the default was spelled out, still means the default.
        if let Some(bytes) = max_response_bytes {
            builder = builder.max_response_bytes(count(py, "max_response_bytes", bytes)?);
        }
        Ok(Client {
            inner: builder.build().map_err(|e| to_py(py, e))?,
            on_report,
            timeout,
            max_retries,
        })
    }

    /// Verifies a purchase token and returns the `Purchase`. Retried on timeouts,
    /// connection failures, HTTP 429/5xx and API code 5014, up to `max_retries` times
    /// within `deadline`. A genuine token is not yet a reason to grant: see
    /// `verify_for_grant`.
    fn verify_purchase(&self, py: Python<'_>, token: String) -> PyResult<Purchase> {
        self.block(py, "verify_purchase", move |c| c.verify_purchase(&token))
            .map(Purchase::from)
    }

    /// Verifies a purchase token, then checks it may be granted (`Purchase.check`):
    /// raises `NotPaid`, `AlreadyConsumed`, `PackageMismatch`, `ProductMismatch` or
    /// `TestOrder` (all `NotGrantable`) when it must not be. Next, record the grant under
    /// its `order_id` in your own database (an existing row: already delivered, stop),
    /// grant, then `consume_purchase`.
    #[pyo3(signature = (token, *, package_name = None, product_ids = ProductIds::default(), allow_test_orders = false))]
    fn verify_for_grant(
        &self,
        py: Python<'_>,
        token: String,
        package_name: Option<String>,
        product_ids: ProductIds,
        allow_test_orders: bool,
    ) -> PyResult<Purchase> {
        let policy = product_ids.policy(package_name, allow_test_orders);
        self.block(py, "verify_for_grant", move |c| {
            c.verify_for_grant(&token, &policy)
        })
        .map(Purchase::from)
    }

    /// Makes sure a purchase is consumed: the last step, once its grant is recorded and
    /// delivered. Returns `ConsumeOutcome.CONSUMED` (this call consumed it) or
    /// `ALREADY_CONSUMED` (it was consumed before, or this call's answer was lost and a
    /// verify shows it consumed): both mean done. A retryable error means try again
    /// later; calling again is always safe. `ErrorConsumingProduct` means now.gg refuses
    /// it (not paid). `store` is where it was bought: "nowgg" (default), "xiaomi" or
    /// "onestore" (these two need `product_id`); "amazon" and "huawei" purchases are
    /// consumed on the client.
    #[pyo3(signature = (token, *, store = "nowgg", product_id = None, currency = None, developer_payload = None))]
    fn consume_purchase(
        &self,
        py: Python<'_>,
        token: String,
        store: &str,
        product_id: Option<String>,
        currency: Option<String>,
        developer_payload: Option<String>,
    ) -> PyResult<Py<PyAny>> {
        let request = consume_request(py, token, store, product_id, currency, developer_payload)?;
        let outcome = self.block(py, "consume_purchase", move |c| {
            c.consume_purchase(&request)
        })?;
        outcome_object(py, outcome)
    }

    /// `verify_purchase` for `AsyncClient`: runs on the library's threads, then settles
    /// `future` through the `inbox` of its loop.
    fn _verify_purchase_async(
        &self,
        py: Python<'_>,
        inbox: Py<Inbox>,
        future: Py<PyAny>,
        token: String,
    ) -> PyResult<()> {
        self.spawn(
            py,
            inbox,
            future,
            move |c| c.verify_purchase(&token),
            purchase_object,
        )
    }

    /// `verify_for_grant` for `AsyncClient`.
    #[pyo3(signature = (inbox, future, token, *, package_name = None, product_ids = ProductIds::default(), allow_test_orders = false))]
    #[allow(clippy::too_many_arguments)]
    fn _verify_for_grant_async(
        &self,
        py: Python<'_>,
        inbox: Py<Inbox>,
        future: Py<PyAny>,
        token: String,
        package_name: Option<String>,
        product_ids: ProductIds,
        allow_test_orders: bool,
    ) -> PyResult<()> {
        let policy = product_ids.policy(package_name, allow_test_orders);
        self.spawn(
            py,
            inbox,
            future,
            move |c| c.verify_for_grant(&token, &policy),
            purchase_object,
        )
    }

    /// `consume_purchase` for `AsyncClient`; a bad `store` raises at once.
    #[pyo3(signature = (inbox, future, token, *, store = "nowgg", product_id = None, currency = None, developer_payload = None))]
    #[allow(clippy::too_many_arguments)]
    fn _consume_purchase_async(
        &self,
        py: Python<'_>,
        inbox: Py<Inbox>,
        future: Py<PyAny>,
        token: String,
        store: &str,
        product_id: Option<String>,
        currency: Option<String>,
        developer_payload: Option<String>,
    ) -> PyResult<()> {
        let request = consume_request(py, token, store, product_id, currency, developer_payload)?;
        self.spawn(
            py,
            inbox,
            future,
            move |c| c.consume_purchase(&request),
            outcome_object,
        )
    }

    /// Shows `on_report` to the garbage collector: a listener that holds the client (a
    /// method of the object that owns it) makes a cycle, which is then collected.
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        if let Some(listener) = &self.on_report {
            visit.call(listener)?;
        }
        Ok(())
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

impl Client {
    /// Runs `call` on this thread with the GIL released. A panic in the core is caught
    /// here and raised as `Internal`, never as pyo3's `PanicException` (which is no
    /// `NowggError`), and without its text, which may hold data. When someone listens
    /// (`on_report`, OpenTelemetry), the call's report is captured and, once the GIL is
    /// back, handed to them.
    fn block<T: Send>(
        &self,
        py: Python<'_>,
        place: &str,
        call: impl FnOnce(&nowgg_payments::Client) -> nowgg_payments::Result<T> + Send,
    ) -> PyResult<T> {
        let guarded = || {
            panic::catch_unwind(AssertUnwindSafe(|| call(&self.inner)))
                .unwrap_or_else(|_| Err(Error::internal(place)))
        };
        let result = match report::reporter(py, self.on_report.as_ref()) {
            None => py.detach(guarded),
            Some(reporter) => {
                let (result, captured) = py.detach(|| capture(guarded));
                if let Some(captured) = captured {
                    report::deliver(py, &reporter, &captured);
                }
                result
            }
        };
        result.map_err(|e| to_py(py, e))
    }

    /// Runs `call` on the library's threads (the core catches its panics as `Internal`)
    /// and settles `future` with its result, made a Python object by `convert`. Raises
    /// `Internal` at once when no thread could take the call. When someone listens, the
    /// report is captured on the library's thread and travels with the result to the
    /// loop, where it is handed to them before the future is settled.
    fn spawn<T: Send + 'static>(
        &self,
        py: Python<'_>,
        inbox: Py<Inbox>,
        future: Py<PyAny>,
        call: impl FnOnce(&nowgg_payments::Client) -> nowgg_payments::Result<T> + Send + 'static,
        convert: fn(Python<'_>, T) -> PyResult<Py<PyAny>>,
    ) -> PyResult<()> {
        let spawned = match report::reporter(py, self.on_report.as_ref()) {
            None => self.inner.spawn(call, move |result| {
                future::settle(inbox, future, result, None, convert)
            }),
            // The job returns the call's result and report as its value: a call that
            // never ran (its deadline passed in the queue) has no report.
            Some(reporter) => self.inner.spawn(
                move |client| {
                    Ok(capture(|| {
                        panic::catch_unwind(AssertUnwindSafe(|| call(client)))
                            .unwrap_or_else(|_| Err(Error::internal("an async call")))
                    }))
                },
                move |ran| {
                    let (result, captured) = ran.unwrap_or_else(|e| (Err(e), None));
                    let report = captured.map(|captured| (reporter, captured));
                    future::settle(inbox, future, result, report, convert)
                },
            ),
        };
        spawned.map_err(|e| to_py(py, e))
    }
}

/// A consume request from the keyword arguments; a bad store raises `InvalidArgument`.
fn consume_request(
    py: Python<'_>,
    token: String,
    store: &str,
    product_id: Option<String>,
    currency: Option<String>,
    developer_payload: Option<String>,
) -> PyResult<ConsumeRequest> {
    let request = ConsumeRequest::new(token).store(store.parse().map_err(|e| to_py(py, e))?);
    let request = given(request, product_id, ConsumeRequest::product_id);
    let request = given(request, currency, ConsumeRequest::currency);
    Ok(given(
        request,
        developer_payload,
        ConsumeRequest::developer_payload,
    ))
}

/// `builder` with `set` applied to `value` when Python gave one, as it was when not.
fn given<B, T>(builder: B, value: Option<T>, set: impl FnOnce(B, T) -> B) -> B {
    match value {
        Some(value) => set(builder, value),
        None => builder,
    }
}

fn purchase_object(py: Python<'_>, purchase: nowgg_payments::Purchase) -> PyResult<Py<PyAny>> {
    Ok(Py::new(py, Purchase::from(purchase))?.into_any())
}

fn outcome_object(py: Python<'_>, outcome: ConsumeOutcome) -> PyResult<Py<PyAny>> {
    let class = CONSUME_OUTCOME.import(py, "nowgg_payments.outcome", "ConsumeOutcome")?;
    Ok(class.call1((outcome.as_str(),))?.unbind())
}

/// Seconds from Python as a duration; negative, NaN and overflowing values cannot be one.
fn seconds(py: Python<'_>, name: &str, value: f64) -> PyResult<Duration> {
    Duration::try_from_secs_f64(value).map_err(|_| {
        invalid(
            py,
            format!("{name} must be a positive number of seconds, not {value}"),
        )
    })
}

/// The core's option `name`, which the signature above names.
fn option(name: &str) -> &'static ClientOption {
    ClientOption::named(name).expect("the core's option table has every option Client takes")
}

/// The core's default of a text option.
fn default_text(name: &str) -> String {
    match option(name).default {
        OptionDefault::Text(text) => text.to_owned(),
        _ => String::new(),
    }
}

/// The core's default of a duration option, in seconds.
fn default_seconds(name: &str) -> f64 {
    option(name).default_duration().as_secs_f64()
}

/// The core's default of a count option.
fn default_count(name: &str) -> i64 {
    i64::try_from(option(name).default_count()).unwrap_or(i64::MAX)
}

/// `_native.DEFAULTS`: the core's default of every option that has one, in Python's
/// units (seconds for times).
pub(crate) fn defaults(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let dict = PyDict::new(py);
    for option in &OPTIONS {
        match option.default {
            OptionDefault::Text(text) => dict.set_item(option.name, text)?,
            OptionDefault::Duration(d) => dict.set_item(option.name, d.as_secs_f64())?,
            OptionDefault::Count(n) => dict.set_item(option.name, n)?,
            _ => {}
        }
    }
    Ok(dict)
}

/// A count from Python in the core's integer type; negative ones cannot be one.
fn count<T: TryFrom<i64>>(py: Python<'_>, name: &str, value: i64) -> PyResult<T> {
    T::try_from(value).map_err(|_| {
        let why = if value < 0 {
            "must not be negative"
        } else {
            "is too large"
        };
        invalid(py, format!("{name} {why}, not {value}"))
    })
}
