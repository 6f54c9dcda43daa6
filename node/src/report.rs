//! The core's call report as JavaScript sees it: plain data with camelCase fields and
//! times in milliseconds, which index.js puts on the call's `diagnostics_channel`
//! messages. Made only for a call started with `report` set (someone subscribed), on
//! the library thread that ran it.

use std::time::{Duration, UNIX_EPOCH};

use napi_derive::napi;
use nowgg_payments::report::{Attempt, CallReport, Wait};

/// What one call did, from its start to its answer (the core's `CallReport`).
#[napi(
    object,
    js_name = "CallReport",
    object_from_js = false,
    use_nullable = true
)]
pub struct Report {
    /// `verify_purchase`, `verify_for_grant` or `consume_purchase`.
    #[napi(ts_type = "'verify_purchase' | 'verify_for_grant' | 'consume_purchase'")]
    pub call: &'static str,
    /// The start of the purchase token, never the whole token.
    pub token_start: String,
    /// When the call was made, in milliseconds since the Unix epoch (its queue time
    /// included).
    pub started_ms: f64,
    /// How long it took until its answer, in milliseconds.
    pub duration_ms: f64,
    /// `ok`, `consumed`, `already_consumed`, or the error kind (`NowggError.code`).
    #[napi(ts_type = "'ok' | import('./index').ConsumeOutcome | import('./index').ErrorCode")]
    pub outcome: &'static str,
    /// True when a consume's answer was lost or was 3800, and a verify settled the outcome.
    pub reconciled: bool,
    /// Its HTTP exchanges, in order.
    #[napi(ts_type = "CallAttempt[]")]
    pub attempts: Vec<ReportAttempt>,
    /// The waits between attempts.
    #[napi(ts_type = "CallWait[]")]
    pub waits: Vec<ReportWait>,
}

/// One HTTP exchange of a call.
#[napi(
    object,
    js_name = "CallAttempt",
    object_from_js = false,
    use_nullable = true
)]
pub struct ReportAttempt {
    /// The endpoint called.
    #[napi(ts_type = "'verify' | 'consume'")]
    pub endpoint: &'static str,
    /// The URL, which holds no secret (the key and the token travel in the header and
    /// the form).
    pub url: String,
    /// When it started, in milliseconds from the call's start.
    pub offset_ms: f64,
    /// How long it took, connect and body included, in milliseconds.
    pub duration_ms: f64,
    /// The HTTP status of the answer, if one came.
    pub http_status: Option<u32>,
    /// The envelope's API code, if one came (0 on success).
    pub api_code: Option<i64>,
    /// The error kind it failed with, if it did.
    #[napi(ts_type = "import('./index').ErrorCode")]
    pub error: Option<&'static str>,
    /// Whether it used a pooled connection (true), made a new one (false), or failed
    /// before it knew (null).
    pub reused_connection: Option<bool>,
}

/// A wait between two attempts.
#[napi(
    object,
    js_name = "CallWait",
    object_from_js = false,
    use_nullable = true
)]
pub struct ReportWait {
    /// The attempt it followed (an index into `attempts`).
    pub after_attempt: u32,
    /// How long it lasted, in milliseconds.
    pub duration_ms: f64,
    /// `backoff`, or `retry_after` when the server's Retry-After set its length.
    #[napi(ts_type = "'backoff' | 'retry_after'")]
    pub reason: &'static str,
}

impl From<CallReport> for Report {
    fn from(report: CallReport) -> Report {
        // A clock before 1970 is not worth a failure: it reads as the epoch.
        let started = report
            .started
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        Report {
            call: report.call.name(),
            started_ms: ms(started),
            duration_ms: ms(report.duration),
            outcome: report.outcome.name(),
            reconciled: report.reconciled,
            attempts: report.attempts.iter().map(ReportAttempt::from).collect(),
            waits: report.waits.iter().map(ReportWait::from).collect(),
            token_start: report.token_start,
        }
    }
}

impl From<&Attempt> for ReportAttempt {
    fn from(attempt: &Attempt) -> ReportAttempt {
        ReportAttempt {
            endpoint: attempt.endpoint.name(),
            url: attempt.url.clone(),
            offset_ms: ms(attempt.offset),
            duration_ms: ms(attempt.duration),
            http_status: attempt.http_status.map(u32::from),
            api_code: attempt.api_code,
            error: attempt.error.map(|kind| kind.name()),
            reused_connection: attempt.reused_connection,
        }
    }
}

impl From<&Wait> for ReportWait {
    fn from(wait: &Wait) -> ReportWait {
        ReportWait {
            // An index into a short list: it fits.
            after_attempt: u32::try_from(wait.after_attempt).unwrap_or(u32::MAX),
            duration_ms: ms(wait.duration),
            reason: wait.reason.name(),
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
