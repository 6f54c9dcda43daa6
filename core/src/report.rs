//! One report per call, for the caller's tracing and metrics: the attempts a call made,
//! the waits between them and why, how it ended, and whether a consume had to be
//! reconciled by a verify.
//!
//! A report is built only when someone will read it: a listener set with
//! [`ClientBuilder::on_report`](crate::ClientBuilder::on_report), or [`capture`] around
//! the call. Otherwise recording is a branch on `None` per step, and nothing is
//! allocated. (`tracing` subscribers get live spans instead, made as the call runs.)

use std::cell::{Cell, RefCell};
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use tracing::{field, Span};

use crate::consume::ConsumeOutcome;
use crate::error::{Error, ErrorKind};
use crate::redact::short_token;

/// A listener for call reports, called on the thread that finished the call.
pub(crate) type Listener = Arc<dyn Fn(&CallReport) + Send + Sync>;

/// Which call a report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallName {
    /// [`Client::verify_purchase`](crate::Client::verify_purchase).
    VerifyPurchase,
    /// [`Client::verify_for_grant`](crate::Client::verify_for_grant).
    VerifyForGrant,
    /// [`Client::consume_purchase`](crate::Client::consume_purchase).
    ConsumePurchase,
}

impl CallName {
    /// The call's name as the Rust and Python faces spell it: `verify_purchase`,
    /// `verify_for_grant`, `consume_purchase`. Spans are named `nowgg.` and this.
    pub const fn name(self) -> &'static str {
        match self {
            CallName::VerifyPurchase => "verify_purchase",
            CallName::VerifyForGrant => "verify_for_grant",
            CallName::ConsumePurchase => "consume_purchase",
        }
    }
}

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// A verify answered with the purchase (and, for `verify_for_grant`, it may be granted).
    Ok,
    /// This consume consumed the purchase.
    Consumed,
    /// The purchase was consumed before, or by this call's own request whose answer was
    /// lost (see [`CallReport::reconciled`]).
    AlreadyConsumed,
    /// The call failed with an error of this kind.
    Failed(ErrorKind),
}

impl Outcome {
    /// `ok`, `consumed`, `already_consumed`, or the error kind's name (`TIMEOUT`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Consumed => "consumed",
            Outcome::AlreadyConsumed => "already_consumed",
            Outcome::Failed(kind) => kind.name(),
        }
    }
}

/// Which endpoint an attempt called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// verifyPurchase (on either of its two paths).
    Verify,
    /// consumePurchase.
    Consume,
}

impl Endpoint {
    /// `verify` or `consume`.
    pub const fn name(self) -> &'static str {
        match self {
            Endpoint::Verify => "verify",
            Endpoint::Consume => "consume",
        }
    }
}

/// One HTTP exchange of a call.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Attempt {
    /// The endpoint called.
    pub endpoint: Endpoint,
    /// The URL, which holds no secret (the key and the token travel in the header and
    /// the form).
    pub url: String,
    /// When it started, from the call's start.
    pub offset: Duration,
    /// How long it took, connect and body included.
    pub duration: Duration,
    /// The HTTP status of the answer, if one came.
    pub http_status: Option<u16>,
    /// The envelope's API code, if one came (0 on success).
    pub api_code: Option<i64>,
    /// How it failed, if it did.
    pub error: Option<ErrorKind>,
    /// Whether it used a pooled connection (`Some(true)`), made a new one
    /// (`Some(false)`), or failed before it knew.
    pub reused_connection: Option<bool>,
}

/// Why a call waited before its next attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WaitReason {
    /// Exponential backoff with jitter after a retryable failure.
    Backoff,
    /// The server's `Retry-After`.
    RetryAfter,
}

impl WaitReason {
    /// `backoff` or `retry_after`.
    pub const fn name(self) -> &'static str {
        match self {
            WaitReason::Backoff => "backoff",
            WaitReason::RetryAfter => "retry_after",
        }
    }
}

/// A wait between two attempts.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Wait {
    /// The attempt it followed (an index into [`CallReport::attempts`]).
    pub after_attempt: usize,
    /// How long it lasted.
    pub duration: Duration,
    /// Why.
    pub reason: WaitReason,
}

/// What one call did, from its start to its answer.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CallReport {
    /// The call.
    pub call: CallName,
    /// The start of the purchase token ([`short_token`]), never the whole token.
    pub token_start: String,
    /// When the call was made, by the wall clock (an async call's queue time included).
    pub started: SystemTime,
    /// How long it took until its answer.
    pub duration: Duration,
    /// How it ended.
    pub outcome: Outcome,
    /// Its HTTP exchanges, in order.
    pub attempts: Vec<Attempt>,
    /// The waits between attempts.
    pub waits: Vec<Wait>,
    /// True when a consume's answer was lost or was 3800, and a verify settled the
    /// outcome.
    pub reconciled: bool,
}

impl CallReport {
    /// How many times the request was sent again after the first attempt at its
    /// endpoint (OpenTelemetry's `http.request.resend_count` of the last attempt).
    pub fn resend_count(&self, attempt: usize) -> usize {
        let endpoint = self.attempts[attempt].endpoint;
        self.attempts[..attempt]
            .iter()
            .filter(|a| a.endpoint == endpoint)
            .count()
    }
}

impl fmt::Display for CallReport {
    /// Several lines a person reads: the call, then each attempt and wait in order.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} {}: {} in {:.1} ms{}",
            self.call.name(),
            self.token_start,
            self.outcome.name(),
            ms(self.duration),
            if self.reconciled {
                " (reconciled by a verify)"
            } else {
                ""
            }
        )?;
        for (i, a) in self.attempts.iter().enumerate() {
            let answer = match (a.http_status, a.api_code, a.error) {
                (_, _, Some(kind)) if a.http_status.is_none() => kind.name().to_string(),
                (Some(status), Some(code), error) => format!(
                    "HTTP {status}, code {code}{}",
                    error.map(|k| format!(" ({k})")).unwrap_or_default()
                ),
                (Some(status), None, error) => format!(
                    "HTTP {status}{}",
                    error.map(|k| format!(" ({k})")).unwrap_or_default()
                ),
                _ => "no answer".to_string(),
            };
            let connection = match a.reused_connection {
                Some(true) => ", pooled connection",
                Some(false) => ", new connection",
                None => "",
            };
            writeln!(
                f,
                "  attempt {} at +{:.1} ms: POST {} -> {answer} in {:.1} ms{connection}",
                i + 1,
                ms(a.offset),
                a.url,
                ms(a.duration)
            )?;
            for w in self.waits.iter().filter(|w| w.after_attempt == i) {
                writeln!(f, "  wait {:.1} ms ({})", ms(w.duration), w.reason.name())?;
            }
        }
        Ok(())
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

thread_local! {
    /// Set by [`capture`] while its closure runs: calls on this thread record a report.
    static CAPTURING: Cell<bool> = const { Cell::new(false) };
    /// The last report finished on this thread while capturing.
    static CAPTURED: RefCell<Option<CallReport>> = const { RefCell::new(None) };
}

/// Runs `f` and returns what it returned with the report of the last call it made on
/// this thread (none if it made none). For faces and frameworks that need the report of
/// one particular call, such as a span or a diagnostics message for one promise; a
/// listener on the client sees every call instead.
///
/// ```no_run
/// # let client = nowgg_payments::Client::builder("key").build().unwrap();
/// let (result, report) = nowgg_payments::report::capture(|| client.verify_purchase("-nowgg-..."));
/// if let Some(report) = report {
///     eprint!("{report}");
/// }
/// ```
pub fn capture<T>(f: impl FnOnce() -> T) -> (T, Option<CallReport>) {
    let outer = CAPTURING.replace(true);
    let value = f();
    CAPTURING.set(outer);
    (value, CAPTURED.take())
}

/// A call in progress: its live `tracing` span, and its report when someone will read it.
pub(crate) struct Recorder {
    report: Option<Box<(CallReport, Instant)>>,
    /// `nowgg.<call>`, disabled (and free) when no subscriber wants it.
    span: Span,
}

/// An attempt begun with [`Recorder::begin`], ended by [`Recorder::attempt`].
pub(crate) struct AttemptStart {
    began: Option<Instant>,
    /// `POST`, a child of the call's span.
    span: Span,
}

impl Recorder {
    /// Starts recording a call made at `made` (an async call's enqueue time), when a
    /// listener or a capture will read it.
    pub(crate) fn start(
        call: CallName,
        token: &str,
        made: Instant,
        listener: Option<&Listener>,
    ) -> Recorder {
        // Span names are static, hence one macro per call; field values are only
        // evaluated when a subscriber wants the span.
        macro_rules! call_span {
            ($name:literal) => {
                tracing::info_span!(
                    target: "nowgg_payments",
                    $name,
                    nowgg.token_start = %short_token(token),
                    nowgg.outcome = field::Empty,
                    nowgg.reconciled = field::Empty,
                    error.type = field::Empty,
                )
            };
        }
        let span = match call {
            CallName::VerifyPurchase => call_span!("nowgg.verify_purchase"),
            CallName::VerifyForGrant => call_span!("nowgg.verify_for_grant"),
            CallName::ConsumePurchase => call_span!("nowgg.consume_purchase"),
        };
        let wanted = listener.is_some() || CAPTURING.get();
        let report = wanted.then(|| {
            let started = SystemTime::now() - made.elapsed();
            Box::new((
                CallReport {
                    call,
                    token_start: short_token(token),
                    started,
                    duration: Duration::ZERO,
                    outcome: Outcome::Ok,
                    attempts: Vec::new(),
                    waits: Vec::new(),
                    reconciled: false,
                },
                made,
            ))
        });
        Recorder { report, span }
    }

    /// Starts an attempt at `url`: its span, and its start time when recording.
    pub(crate) fn begin(&self, url: &str) -> AttemptStart {
        let span = tracing::info_span!(
            target: "nowgg_payments",
            parent: &self.span,
            "POST",
            otel.kind = "client",
            http.request.method = "POST",
            url.full = url,
            http.response.status_code = field::Empty,
            nowgg.api_code = field::Empty,
            nowgg.reused_connection = field::Empty,
            error.type = field::Empty,
        );
        AttemptStart {
            began: self.report.as_ref().map(|_| Instant::now()),
            span,
        }
    }

    /// Ends the attempt begun with `start`, at `endpoint` and `url`, with its answer.
    pub(crate) fn attempt(
        &mut self,
        start: AttemptStart,
        endpoint: Endpoint,
        url: &str,
        answer: AttemptAnswer<'_>,
    ) {
        let (http_status, api_code, error) = match answer.error {
            None => (answer.http_status, Some(0), None),
            Some(e) => (
                e.http_status().or(answer.http_status),
                e.api_code(),
                Some(e.kind()),
            ),
        };
        let span = start.span;
        if !span.is_disabled() {
            span.record("http.response.status_code", http_status);
            span.record("nowgg.api_code", api_code);
            span.record("nowgg.reused_connection", answer.reused_connection);
            span.record("error.type", error.map(ErrorKind::name));
        }
        let (Some((report, made)), Some(began)) = (self.report.as_deref_mut(), start.began) else {
            return;
        };
        report.attempts.push(Attempt {
            endpoint,
            url: url.to_string(),
            offset: began.saturating_duration_since(*made),
            duration: began.elapsed(),
            http_status,
            api_code,
            error,
            reused_connection: answer.reused_connection,
        });
    }

    /// Records a wait after the last attempt (and a `tracing` event for it).
    pub(crate) fn wait(&mut self, duration: Duration, reason: WaitReason) {
        tracing::info!(
            target: "nowgg_payments",
            parent: &self.span,
            wait_ms = duration.as_millis() as u64,
            reason = reason.name(),
            "waiting before the next attempt"
        );
        if let Some((report, _)) = self.report.as_deref_mut() {
            let after_attempt = report.attempts.len().saturating_sub(1);
            report.waits.push(Wait {
                after_attempt,
                duration,
                reason,
            });
        }
    }

    /// Notes that a verify settled a consume's outcome.
    pub(crate) fn reconciled(&mut self) {
        self.span.record("nowgg.reconciled", true);
        if let Some((report, _)) = self.report.as_deref_mut() {
            report.reconciled = true;
        }
    }

    /// Ends the call with `outcome` and hands the report to the listener and any capture.
    pub(crate) fn finish(self, outcome: Outcome, listener: Option<&Listener>) {
        if !self.span.is_disabled() {
            self.span.record("nowgg.outcome", outcome.name());
            if let Outcome::Failed(kind) = outcome {
                self.span.record("error.type", kind.name());
            }
        }
        let Some(boxed) = self.report else { return };
        let (mut report, made) = *boxed;
        report.outcome = outcome;
        report.duration = made.elapsed();
        if let Some(listener) = listener {
            // The listener's bug must not change the call's result: catch it, say so.
            if panic::catch_unwind(AssertUnwindSafe(|| listener(&report))).is_err() {
                log::error!("bug: the on_report listener panicked (the call was not affected)");
            }
        }
        if CAPTURING.get() {
            CAPTURED.set(Some(report));
        }
    }
}

/// What an attempt's exchange answered.
pub(crate) struct AttemptAnswer<'a> {
    /// The status of a successful answer (a failed one carries its own).
    pub http_status: Option<u16>,
    /// The failure, if any.
    pub error: Option<&'a Error>,
    /// Whether the connection came from the pool.
    pub reused_connection: Option<bool>,
}

impl Outcome {
    /// The outcome of a verify's result.
    pub(crate) fn of_verify<T>(result: &Result<T, Error>) -> Outcome {
        match result {
            Ok(_) => Outcome::Ok,
            Err(e) => Outcome::Failed(e.kind()),
        }
    }

    /// The outcome of a consume's result.
    pub(crate) fn of_consume(result: &Result<ConsumeOutcome, Error>) -> Outcome {
        match result {
            Ok(ConsumeOutcome::Consumed) => Outcome::Consumed,
            Ok(ConsumeOutcome::AlreadyConsumed) => Outcome::AlreadyConsumed,
            Err(e) => Outcome::Failed(e.kind()),
        }
    }
}
