//! The log of API requests received, for tests to inspect what a client really sent and
//! for the console to show what the sandbox answered.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use nowgg_payments::short_token;
use serde::{Deserialize, Serialize};

use crate::http::Request;
use crate::wire::{self, Call};

/// How many requests the log keeps; past it the oldest go, so a long benchmark against
/// one sandbox does not grow without bound.
pub const REQUEST_LOG_LIMIT: usize = 100_000;

/// One API request as the sandbox received it, and how it was answered.
///
/// The answer's fields (`code` to `duration_ms`) are `None` until the sandbox has
/// answered (or dropped) the request; `status` and `code` stay `None` when no HTTP
/// answer or no API envelope went out. `fault` is set as soon as a fault hits it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestRecord {
    /// The method (`POST`).
    pub method: String,
    /// The path, without any query string.
    pub path: String,
    /// Headers by lower-case name (repeated ones joined with `", "`), never
    /// `authorization`.
    pub headers: BTreeMap<String, String>,
    /// Form fields of the body (the first value of a repeated field).
    pub form: BTreeMap<String, String>,
    /// Whether the `Authorization` header carried the right key.
    pub authorized: bool,
    /// How many API requests the sandbox was serving when this one arrived, itself
    /// included: the client's concurrency as the server saw it (e.g. to check a
    /// `max_in_flight` bound).
    #[serde(default)]
    pub in_flight: usize,
    /// When the request arrived (read whole), RFC 3339 in UTC with milliseconds
    /// (`2025-01-31T12:00:00.123Z`).
    #[serde(default)]
    pub time: String,
    /// The call its path names: `verify` (either verify path), `consume` or `other`.
    #[serde(default)]
    pub call: String,
    /// The start of the `purchaseToken` form field, as the client library shows tokens
    /// (half of it, at most 10 characters, then `…`); never the whole token.
    pub token_start: Option<String>,
    /// The API code of the envelope answered.
    pub code: Option<i64>,
    /// The code's documented name (`success` for 0, `INVALID_PURCHASE_TOKEN`, ...), else
    /// the answer's `codeMsg`.
    pub code_name: Option<String>,
    /// The HTTP status answered.
    pub status: Option<u16>,
    /// The action of the fault that hit this request (`status`, `drop_before`, ...).
    pub fault: Option<String>,
    /// Milliseconds (to the microsecond) from the request's arrival until its answer was
    /// ready to go out, or the connection was dropped or let go; latency and fault delays
    /// included.
    pub duration_ms: Option<f64>,
}

impl RequestRecord {
    /// Records `request`, checking its key against `api_key`; `in_flight` API requests
    /// were being served on its arrival, itself included.
    pub(crate) fn of(request: &Request, api_key: &str, in_flight: usize) -> RequestRecord {
        let mut headers = BTreeMap::new();
        for (name, value) in &request.headers {
            if name == "authorization" {
                continue;
            }
            headers
                .entry(name.clone())
                .and_modify(|joined: &mut String| {
                    joined.push_str(", ");
                    joined.push_str(value);
                })
                .or_insert_with(|| value.clone());
        }
        // The first Authorization header is the one that counts, as for any lookup here.
        let authorized = request.header("authorization") == Some(api_key);
        let mut form = BTreeMap::new();
        for (name, value) in request.form() {
            form.entry(name).or_insert(value);
        }
        let call = match wire::call_for_path(&request.path) {
            Some(Call::Verify) => "verify",
            Some(Call::Consume) => "consume",
            None => "other",
        };
        let token_start = form.get("purchaseToken").map(|t| short_token(t));
        RequestRecord {
            method: request.method.clone(),
            path: request.path.clone(),
            headers,
            form,
            authorized,
            in_flight,
            // Written when the log is read (see `Logged::snapshot`): formatting costs
            // nothing on the request's path.
            time: String::new(),
            call: call.to_owned(),
            token_start,
            code: None,
            code_name: None,
            status: None,
            fault: None,
            duration_ms: None,
        }
    }
}

/// What is known of a request's answer so far.
#[derive(Debug, Default)]
struct Answered {
    fault: Option<&'static str>,
    code: Option<(i64, String)>,
    status: Option<u16>,
    duration: Option<Duration>,
}

/// A logged request: what arrived, shared with its handler (logging costs no copy), and
/// its answer, filled in as the handler goes.
#[derive(Debug)]
pub(crate) struct Logged {
    pub(crate) record: RequestRecord,
    arrived: Instant,
    arrived_at: SystemTime,
    answered: Mutex<Answered>,
}

impl Logged {
    /// A request that has just arrived.
    pub(crate) fn new(record: RequestRecord) -> Logged {
        Logged {
            record,
            arrived: Instant::now(),
            arrived_at: SystemTime::now(),
            answered: Mutex::new(Answered::default()),
        }
    }

    fn answered(&self) -> std::sync::MutexGuard<'_, Answered> {
        // Each update is a single field write, so a poisoned lock is still consistent.
        self.answered.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A fault with this action hit the request.
    pub(crate) fn fault(&self, action: &'static str) {
        self.answered().fault = Some(action);
    }

    /// The answer carries this API code and code name.
    pub(crate) fn code(&self, code: i64, name: &str) {
        self.answered().code = Some((code, name.to_owned()));
    }

    /// The request is done with: answered with `status`, or (`None`) dropped or let go.
    pub(crate) fn finish(&self, status: Option<u16>) {
        let mut answered = self.answered();
        answered.status = status;
        answered.duration = Some(self.arrived.elapsed());
    }

    /// The record with what is known of its answer.
    fn snapshot(&self) -> RequestRecord {
        let mut record = self.record.clone();
        record.time = rfc3339(self.arrived_at);
        let answered = self.answered();
        record.fault = answered.fault.map(str::to_owned);
        if let Some((code, name)) = &answered.code {
            record.code = Some(*code);
            record.code_name = Some(name.clone());
        }
        record.status = answered.status;
        // Whole microseconds, so the value prints short and reads back exactly.
        record.duration_ms = answered
            .duration
            .map(|d| d.as_micros().min(u128::from(u64::MAX)) as f64 / 1000.0);
        record
    }
}

/// The requests since the last reset, oldest first.
#[derive(Default)]
pub(crate) struct RequestLog {
    records: Mutex<VecDeque<Arc<Logged>>>,
}

impl RequestLog {
    /// Appends a record, dropping the oldest past [`REQUEST_LOG_LIMIT`].
    pub(crate) fn push(&self, record: Arc<Logged>) {
        let mut records = self.lock();
        if records.len() == REQUEST_LOG_LIMIT {
            records.pop_front();
        }
        records.push_back(record);
    }

    /// A copy of the `last` most recent records (every one with `None`), oldest first.
    pub(crate) fn all(&self, last: Option<usize>) -> Vec<RequestRecord> {
        let records = self.lock();
        let skip = last.map_or(0, |n| records.len().saturating_sub(n));
        records.iter().skip(skip).map(|r| r.snapshot()).collect()
    }

    /// Empties the log.
    pub(crate) fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Arc<Logged>>> {
        // Each update is a single push or pop, so a poisoned log is still consistent.
        self.records.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// `time` as RFC 3339 in UTC with milliseconds.
pub(crate) fn rfc3339(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60,
        since.subsec_millis()
    )
}

/// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc3339_utc() {
        let at = |ms: u64| rfc3339(UNIX_EPOCH + Duration::from_millis(ms));
        assert_eq!(at(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(at(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(at(1_630_529_397_125), "2021-09-01T20:49:57.125Z");
        assert_eq!(at(4_102_444_799_999), "2099-12-31T23:59:59.999Z");
    }

    #[test]
    fn a_record_without_its_answer_reads_back_with_none() {
        let json =
            r#"{"method": "POST", "path": "/p", "headers": {}, "form": {}, "authorized": true}"#;
        let record: RequestRecord = serde_json::from_str(json).unwrap();
        assert_eq!(
            (record.code, record.status, record.duration_ms),
            (None, None, None)
        );
        assert_eq!(record.call, "");
    }
}
