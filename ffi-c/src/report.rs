//! `nowgg_call_report`: what one call did (its attempts, the waits between them and why,
//! its outcome), handed to the report callback of `nowgg_config_set_report_callback`.

use std::ffi::{c_char, c_void, CString};
use std::sync::OnceLock;

use nowgg::{CallName, CallReport, Endpoint, Outcome, WaitReason};

use crate::handle::write_present;
use crate::status::{nowgg_status, nowgg_status_name};
use crate::text;

/// The report of one call, borrowed by the report callback: valid only while the callback
/// runs, and so are the strings its getters return. Copy what you keep.
///
/// Every getter accepts NULL (and an index out of range) and then answers 0, false or
/// NULL. Durations are in microseconds; attempts and waits are numbered from 0 in the
/// order they happened.
pub struct nowgg_call_report {
    report: CallReport,
    token_start: CString,
    urls: Vec<CString>,
}

/// Receives the report of every call made by a client built from the config, on the
/// thread that finished the call (for `_async` calls, the library's thread, before the
/// result's callback), possibly on several threads at once.
///
/// - `user_data`: the pointer given to `nowgg_config_set_report_callback`, untouched; it
///   must be safe to use from any thread until its `free_user_data` runs.
/// - `report`: borrowed, valid only during the callback.
///
/// It should return quickly: the call's result waits for it. It must not unwind (a C++
/// exception must be caught inside it).
pub type nowgg_report_callback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, report: *const nowgg_call_report)>;

/// Frees the `user_data` of a report callback, once: when no client or config can call
/// the callback any more (the last client built with it is freed and its `_async` calls
/// are over, and the config is freed or given another callback).
pub type nowgg_user_data_free = Option<unsafe extern "C" fn(user_data: *mut c_void)>;

/// The caller's `user_data`, handed to its `free_user_data` when dropped.
struct UserData {
    ptr: *mut c_void,
    free: nowgg_user_data_free,
}

impl Drop for UserData {
    fn drop(&mut self) {
        if let Some(free) = self.free {
            // SAFETY: the header's contract for `free_user_data`; called once, here.
            unsafe { free(self.ptr) }
        }
    }
}

/// The caller's callback and its pointer, called from any thread.
pub(crate) struct Listener {
    callback: unsafe extern "C" fn(*mut c_void, *const nowgg_call_report),
    user_data: UserData,
}

// SAFETY: the header asks for a `user_data` the callback and `free_user_data` may use on
// any thread.
unsafe impl Send for Listener {}
unsafe impl Sync for Listener {}

impl Listener {
    /// The listener for `callback` (NULL is `INVALID_ARGUMENT`, and `user_data` is freed
    /// at once then, as on every failure).
    pub(crate) fn new(
        callback: nowgg_report_callback,
        user_data: *mut c_void,
        free_user_data: nowgg_user_data_free,
    ) -> Result<Listener, nowgg::Error> {
        let user_data = UserData {
            ptr: user_data,
            free: free_user_data,
        };
        let callback = callback.ok_or_else(|| text::invalid("callback is NULL".into()))?;
        Ok(Listener {
            callback,
            user_data,
        })
    }

    /// Hands `report` to the callback, for the duration of the call.
    pub(crate) fn hear(&self, report: &CallReport) {
        let view = nowgg_call_report {
            report: report.clone(),
            token_start: text::c_string(&report.token_start),
            urls: report
                .attempts
                .iter()
                .map(|a| text::c_string(&a.url))
                .collect(),
        };
        // SAFETY: the callback's contract in the header; `view` outlives the call.
        unsafe { (self.callback)(self.user_data.ptr, &view) }
    }
}

/// The NUL-terminated form of the report's fixed names (calls, outcomes, endpoints,
/// wait reasons); error kinds are `nowgg_status_name`'s.
fn name(name: &'static str) -> *const c_char {
    static NAMES: OnceLock<Vec<(&'static str, CString)>> = OnceLock::new();
    let names = NAMES.get_or_init(|| {
        let calls = [
            CallName::VerifyPurchase,
            CallName::VerifyForGrant,
            CallName::ConsumePurchase,
        ]
        .map(CallName::name);
        let outcomes =
            [Outcome::Ok, Outcome::Consumed, Outcome::AlreadyConsumed].map(Outcome::name);
        let endpoints = [Endpoint::Verify, Endpoint::Consume].map(Endpoint::name);
        let reasons = [WaitReason::Backoff, WaitReason::RetryAfter].map(WaitReason::name);
        calls
            .into_iter()
            .chain(outcomes)
            .chain(endpoints)
            .chain(reasons)
            .map(|n| (n, text::c_string(n)))
            .collect()
    });
    names
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(std::ptr::null(), |(_, c)| c.as_ptr())
}

fn kind_name(kind: nowgg::ErrorKind) -> *const c_char {
    nowgg_status_name(nowgg_status::from_kind(kind) as u32)
}

/// The report behind `report`, if it is not NULL.
///
/// `report` must be NULL or the pointer given to a report callback that is running.
unsafe fn get<'a>(report: *const nowgg_call_report) -> Option<&'a nowgg_call_report> {
    report.as_ref()
}

fn micros(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

/// The call: `"verify_purchase"`, `"verify_for_grant"` or `"consume_purchase"`. Static.
#[no_mangle]
pub unsafe extern "C" fn nowgg_call_report_call(report: *const nowgg_call_report) -> *const c_char {
    ffi_panic_boundary! {
        get(report).map_or(std::ptr::null(), |r| name(r.report.call.name()))
    }
}

/// The start of the call's purchase token, never the whole token.
#[no_mangle]
pub unsafe extern "C" fn nowgg_call_report_token_start(
    report: *const nowgg_call_report,
) -> *const c_char {
    ffi_panic_boundary! {
        get(report).map_or(std::ptr::null(), |r| r.token_start.as_ptr())
    }
}

/// When the call was made (an `_async` call: when it was queued), in milliseconds since
/// the Unix epoch.
#[no_mangle]
pub unsafe extern "C" fn nowgg_call_report_started_unix_ms(
    report: *const nowgg_call_report,
) -> u64 {
    ffi_panic_boundary! {
        get(report)
            .and_then(|r| r.report.started.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }
}

/// How long the call took, from when it was made to its answer, in microseconds.
#[no_mangle]
pub unsafe extern "C" fn nowgg_call_report_duration_us(report: *const nowgg_call_report) -> u64 {
    ffi_panic_boundary! {
        get(report).map_or(0, |r| micros(r.report.duration))
    }
}

/// How the call ended: `"ok"`, `"consumed"`, `"already_consumed"`, or the failure's
/// kind as `nowgg_status_name` spells it (`"TIMEOUT"`, `"NOT_PAID"`, ...). Static.
#[no_mangle]
pub unsafe extern "C" fn nowgg_call_report_outcome(
    report: *const nowgg_call_report,
) -> *const c_char {
    ffi_panic_boundary! {
        get(report).map_or(std::ptr::null(), |r| match r.report.outcome {
            Outcome::Failed(kind) => kind_name(kind),
            other => name(other.name()),
        })
    }
}

/// True when a consume's answer was lost (or was code 3800) and a verify settled the
/// outcome.
#[no_mangle]
pub unsafe extern "C" fn nowgg_call_report_reconciled(report: *const nowgg_call_report) -> bool {
    ffi_panic_boundary! {
        get(report).is_some_and(|r| r.report.reconciled)
    }
}

/// How many HTTP exchanges the call made.
#[no_mangle]
pub unsafe extern "C" fn nowgg_call_report_attempt_count(
    report: *const nowgg_call_report,
) -> usize {
    ffi_panic_boundary! {
        get(report).map_or(0, |r| r.report.attempts.len())
    }
}

/// The attempt numbered `index`, with its URL.
unsafe fn attempt<'a>(
    report: *const nowgg_call_report,
    index: usize,
) -> Option<(&'a nowgg::Attempt, &'a CString)> {
    let r = get(report)?;
    Some((r.report.attempts.get(index)?, r.urls.get(index)?))
}

/// The endpoint an attempt called: `"verify"` or `"consume"`. Static.
#[no_mangle]
pub unsafe extern "C" fn nowgg_call_report_attempt_endpoint(
    report: *const nowgg_call_report,
    index: usize,
) -> *const c_char {
    ffi_panic_boundary! {
        attempt(report, index).map_or(std::ptr::null(), |(a, _)| name(a.endpoint.name()))
    }
}

/// The URL an attempt posted to (it holds no secret).
#[no_mangle]
pub unsafe extern "C" fn nowgg_call_report_attempt_url(
    report: *const nowgg_call_report,
    index: usize,
) -> *const c_char {
    ffi_panic_boundary! {
        attempt(report, index).map_or(std::ptr::null(), |(_, url)| url.as_ptr())
    }
}

/// When an attempt started, in microseconds from the call's start.
#[no_mangle]
pub unsafe extern "C" fn nowgg_call_report_attempt_offset_us(
    report: *const nowgg_call_report,
    index: usize,
) -> u64 {
    ffi_panic_boundary! {
        attempt(report, index).map_or(0, |(a, _)| micros(a.offset))
    }
}

/// How long an attempt took, connect and body included, in microseconds.
#[no_mangle]
pub unsafe extern "C" fn nowgg_call_report_attempt_duration_us(
    report: *const nowgg_call_report,
    index: usize,
) -> u64 {
    ffi_panic_boundary! {
        attempt(report, index).map_or(0, |(a, _)| micros(a.duration))
    }
}

/// The HTTP status of an attempt's answer, or 0 when none came.
#[no_mangle]
pub unsafe extern "C" fn nowgg_call_report_attempt_http_status(
    report: *const nowgg_call_report,
    index: usize,
) -> u16 {
    ffi_panic_boundary! {
        attempt(report, index).and_then(|(a, _)| a.http_status).unwrap_or(0)
    }
}

/// The API code of an attempt's answer (0 on success): true and `*code_out` set when
/// an envelope came, false otherwise. `code_out` may be NULL.
#[no_mangle]
pub unsafe extern "C" fn nowgg_call_report_attempt_api_code(
    report: *const nowgg_call_report,
    index: usize,
    code_out: *mut i64,
) -> bool {
    ffi_panic_boundary! {
        write_present(attempt(report, index).and_then(|(a, _)| a.api_code), code_out)
    }
}

/// How an attempt failed, as `nowgg_status_name` spells the kind, or NULL when it did
/// not. Static.
#[no_mangle]
pub unsafe extern "C" fn nowgg_call_report_attempt_error(
    report: *const nowgg_call_report,
    index: usize,
) -> *const c_char {
    ffi_panic_boundary! {
        attempt(report, index)
            .and_then(|(a, _)| a.error)
            .map_or(std::ptr::null(), kind_name)
    }
}

/// Whether an attempt used a pooled connection: 1, a new one: 0, not known (it failed
/// before it knew): -1.
#[no_mangle]
pub unsafe extern "C" fn nowgg_call_report_attempt_reused_connection(
    report: *const nowgg_call_report,
    index: usize,
) -> i32 {
    ffi_panic_boundary! {
        match attempt(report, index).and_then(|(a, _)| a.reused_connection) {
            Some(true) => 1,
            Some(false) => 0,
            None => -1,
        }
    }
}

/// How many earlier attempts went to the same endpoint as this one (OpenTelemetry's
/// `http.request.resend_count`).
#[no_mangle]
pub unsafe extern "C" fn nowgg_call_report_attempt_resend_count(
    report: *const nowgg_call_report,
    index: usize,
) -> usize {
    ffi_panic_boundary! {
        match get(report) {
            Some(r) if index < r.report.attempts.len() => r.report.resend_count(index),
            _ => 0,
        }
    }
}

/// How many waits the call made between attempts.
#[no_mangle]
pub unsafe extern "C" fn nowgg_call_report_wait_count(report: *const nowgg_call_report) -> usize {
    ffi_panic_boundary! {
        get(report).map_or(0, |r| r.report.waits.len())
    }
}

/// The wait numbered `index`.
unsafe fn wait<'a>(report: *const nowgg_call_report, index: usize) -> Option<&'a nowgg::Wait> {
    get(report)?.report.waits.get(index)
}

/// The attempt a wait followed (its index).
#[no_mangle]
pub unsafe extern "C" fn nowgg_call_report_wait_after_attempt(
    report: *const nowgg_call_report,
    index: usize,
) -> usize {
    ffi_panic_boundary! {
        wait(report, index).map_or(0, |w| w.after_attempt)
    }
}

/// How long a wait lasted, in microseconds.
#[no_mangle]
pub unsafe extern "C" fn nowgg_call_report_wait_duration_us(
    report: *const nowgg_call_report,
    index: usize,
) -> u64 {
    ffi_panic_boundary! {
        wait(report, index).map_or(0, |w| micros(w.duration))
    }
}

/// Why the call waited: `"backoff"` (exponential, with jitter) or `"retry_after"` (the
/// server's `Retry-After`). Static.
#[no_mangle]
pub unsafe extern "C" fn nowgg_call_report_wait_reason(
    report: *const nowgg_call_report,
    index: usize,
) -> *const c_char {
    ffi_panic_boundary! {
        wait(report, index).map_or(std::ptr::null(), |w| name(w.reason.name()))
    }
}
