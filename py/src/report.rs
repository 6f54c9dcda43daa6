//! `CallReport`: the core's report of one call as a Python object, and its delivery to
//! `nowgg_payments._otel` (OpenTelemetry spans and metrics, and the client's
//! `on_report`).
//!
//! A report is captured only when `_otel` says someone will read it, asked once per call
//! on the caller's thread (where the caller's OpenTelemetry context is current): with no
//! `on_report` and no OpenTelemetry provider, a call records nothing.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use nowgg_payments::report;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyTuple;

/// `nowgg_payments._otel._reporter`.
static REPORTER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// What one call did: its attempts, the waits between them, how it ended, and whether a
/// consume was reconciled by a verify. Times are wall-clock nanoseconds since the epoch
/// (`start_time`, `end_time`, as OpenTelemetry takes them) and durations seconds.
#[pyclass(frozen, module = "nowgg_payments")]
pub struct CallReport {
    /// `verify_purchase`, `verify_for_grant` or `consume_purchase`.
    #[pyo3(get)]
    call: &'static str,
    /// The start of the purchase token, never the whole token.
    #[pyo3(get)]
    token_start: String,
    /// When the call was made (an async call's queue time included).
    #[pyo3(get)]
    start_time: u64,
    /// When its answer came.
    #[pyo3(get)]
    end_time: u64,
    /// How long it took, in seconds.
    #[pyo3(get)]
    duration: f64,
    /// `ok`, `consumed`, `already_consumed`, or the error kind (`TIMEOUT`, `NOT_PAID`, ...).
    #[pyo3(get)]
    outcome: &'static str,
    /// True when a consume's answer was lost or was 3800, and a verify settled it.
    #[pyo3(get)]
    reconciled: bool,
    /// Its HTTP exchanges, in order (`Attempt` each).
    #[pyo3(get)]
    attempts: Py<PyTuple>,
    /// The waits between attempts (`Wait` each).
    #[pyo3(get)]
    waits: Py<PyTuple>,
    /// The human form, several lines (`str(report)`).
    text: String,
}

/// One HTTP exchange of a call.
#[pyclass(frozen, get_all, module = "nowgg_payments._native")]
pub struct Attempt {
    /// `verify` or `consume`.
    endpoint: &'static str,
    /// The URL called, which holds no secret.
    url: String,
    /// When it started, in nanoseconds since the epoch.
    start_time: u64,
    /// When it ended, in nanoseconds since the epoch.
    end_time: u64,
    /// When it started, in seconds from the call's start.
    offset: f64,
    /// How long it took, in seconds, connect and body included.
    duration: f64,
    /// The HTTP status of the answer, if one came.
    http_status: Option<u16>,
    /// The envelope's API code, if one came (0 on success).
    api_code: Option<i64>,
    /// The error kind it failed with, if it did.
    error: Option<&'static str>,
    /// Whether it used a pooled connection, made a new one, or failed before it knew.
    reused_connection: Option<bool>,
    /// How many attempts before it went to the same endpoint (OpenTelemetry's
    /// `http.request.resend_count`).
    resend_count: usize,
}

/// A wait between two attempts.
#[pyclass(frozen, get_all, module = "nowgg_payments._native")]
pub struct Wait {
    /// The index in `attempts` of the attempt it followed.
    after_attempt: usize,
    /// How long it lasted, in seconds.
    duration: f64,
    /// `backoff` or `retry_after`.
    reason: &'static str,
}

#[pymethods]
impl CallReport {
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "<CallReport {} {}: {} in {:.1} ms, {} attempt(s)>",
            self.call,
            self.token_start,
            self.outcome,
            self.duration * 1e3,
            self.attempts.bind(py).len()
        )
    }

    fn __str__(&self) -> &str {
        &self.text
    }
}

#[pymethods]
impl Attempt {
    fn __repr__(&self) -> String {
        let answer = match (self.http_status, self.error) {
            (Some(status), Some(kind)) => format!("HTTP {status} ({kind})"),
            (Some(status), None) => format!("HTTP {status}"),
            (None, Some(kind)) => kind.to_string(),
            (None, None) => "no answer".to_string(),
        };
        format!(
            "<Attempt POST {} -> {answer} in {:.1} ms>",
            self.url,
            self.duration * 1e3
        )
    }
}

#[pymethods]
impl Wait {
    fn __repr__(&self) -> String {
        format!("<Wait {:.1} ms ({})>", self.duration * 1e3, self.reason)
    }
}

impl CallReport {
    /// The Python form of the core's report.
    fn new(py: Python<'_>, report: &report::CallReport) -> PyResult<CallReport> {
        let start = nanos(report.started);
        let attempts = report.attempts.iter().enumerate().map(|(i, a)| {
            let offset = start + nanos_of(a.offset);
            Attempt {
                endpoint: a.endpoint.name(),
                url: a.url.clone(),
                start_time: offset,
                end_time: offset + nanos_of(a.duration),
                offset: a.offset.as_secs_f64(),
                duration: a.duration.as_secs_f64(),
                http_status: a.http_status,
                api_code: a.api_code,
                error: a.error.map(|k| k.name()),
                reused_connection: a.reused_connection,
                resend_count: report.resend_count(i),
            }
        });
        let attempts = attempts
            .map(|a| Py::new(py, a))
            .collect::<PyResult<Vec<_>>>()?;
        let waits = report
            .waits
            .iter()
            .map(|w| {
                Py::new(
                    py,
                    Wait {
                        after_attempt: w.after_attempt,
                        duration: w.duration.as_secs_f64(),
                        reason: w.reason.name(),
                    },
                )
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok(CallReport {
            call: report.call.name(),
            token_start: report.token_start.clone(),
            start_time: start,
            end_time: start + nanos_of(report.duration),
            duration: report.duration.as_secs_f64(),
            outcome: report.outcome.name(),
            reconciled: report.reconciled,
            attempts: PyTuple::new(py, attempts)?.unbind(),
            waits: PyTuple::new(py, waits)?.unbind(),
            text: report.to_string(),
        })
    }
}

/// Where this call's report goes: a callable `_otel` made for it (holding `on_report` and
/// the caller's OpenTelemetry context), or `None` when nobody listens and nothing is to
/// be recorded. Asked on the caller's thread before the call.
pub(crate) fn reporter(py: Python<'_>, on_report: Option<&Py<PyAny>>) -> Option<Py<PyAny>> {
    let asked = REPORTER
        .import(py, "nowgg_payments._otel", "_reporter")
        .and_then(|reporter| reporter.call1((on_report,)));
    match asked {
        Ok(reporter) if reporter.is_none() => None,
        Ok(reporter) => Some(reporter.unbind()),
        Err(err) => {
            // Our bug: the call goes on without its report.
            log::error!("bug: nowgg_payments._otel could not prepare a call's report: {err}");
            None
        }
    }
}

/// Hands a finished call's report to its `reporter`, with the GIL held; what goes wrong
/// there is logged, never raised into the call.
pub(crate) fn deliver(py: Python<'_>, reporter: &Py<PyAny>, report: &report::CallReport) {
    let delivered = CallReport::new(py, report)
        .and_then(|report| Py::new(py, report))
        .and_then(|report| reporter.call1(py, (report,)));
    if let Err(err) = delivered {
        log::error!("bug: a call's report could not be delivered: {err}");
    }
}

/// Nanoseconds since the epoch (0 for a clock set before it).
fn nanos(time: SystemTime) -> u64 {
    nanos_of(time.duration_since(UNIX_EPOCH).unwrap_or_default())
}

fn nanos_of(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}
