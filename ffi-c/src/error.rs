//! `nowgg_error`: the details of a failed call (message, API code, HTTP status,
//! retryable), handed to the caller through an optional `err_out` parameter.

use std::ffi::{c_char, CString};
use std::ptr;
use std::thread;

use nowgg::Error;

use crate::handle::{borrow, write_present, BoxHandle};
use crate::status::nowgg_status;
use crate::text::c_string;

/// The details of a failed call. Made by the library, owned by the caller.
///
/// Ownership: a fallible call whose `err_out` is not NULL writes a new error to
/// `*err_out` when (and only when) it fails; free it with `nowgg_error_free`, at most
/// once. Set the pointer to NULL before the call, and free or reset it before reusing it.
///
/// Thread-safety: immutable; may be read from several threads at once and freed from any
/// thread once no one reads it. The message never holds the API key nor a whole token.
pub struct nowgg_error {
    status: nowgg_status,
    message: CString,
    api_code: Option<i64>,
    http_status: Option<u16>,
    retryable: bool,
}

impl BoxHandle for nowgg_error {}

impl nowgg_error {
    fn from_core(error: &Error) -> nowgg_error {
        nowgg_error {
            status: nowgg_status::from_kind(error.kind()),
            message: c_string(error.message()),
            api_code: error.api_code(),
            http_status: error.http_status(),
            retryable: error.is_retryable(),
        }
    }

    /// A core error as C receives it: its status, and a new `nowgg_error` C owns.
    pub(crate) fn handed_out(error: &Error) -> (nowgg_status, *mut nowgg_error) {
        let error = nowgg_error::from_core(error);
        (error.status, error.into_raw())
    }
}

/// Turns the outcome of a fallible export's body into its status, writing the error to
/// `*err_out` on failure when the caller asked for it.
pub(crate) fn report(
    outcome: thread::Result<Result<(), Error>>,
    err_out: *mut *mut nowgg_error,
) -> nowgg_status {
    let error = match outcome {
        Ok(Ok(())) => return nowgg_status::NOWGG_OK,
        Ok(Err(error)) => nowgg_error::from_core(&error),
        // The panic's own text may hold data: the core's INTERNAL error never carries it.
        Err(_panic) => nowgg_error::from_core(&Error::internal("a nowgg_* function")),
    };
    let status = error.status;
    if !err_out.is_null() {
        // SAFETY: the header asks for NULL or a writable `nowgg_error*`.
        unsafe { *err_out = error.into_raw() };
    }
    status
}

/// The error's kind as a status (never `NOWGG_OK`). `NOWGG_INVALID_ARGUMENT` when
/// `error` is NULL.
#[no_mangle]
pub unsafe extern "C" fn nowgg_error_status(error: *const nowgg_error) -> nowgg_status {
    ffi_panic_boundary! {
        borrow(error, "error").map_or(nowgg_status::NOWGG_INVALID_ARGUMENT, |e| e.status)
    }
}

/// A sentence saying what went wrong, for logs. NULL when `error` is NULL.
///
/// Lifetime: the string belongs to `error` and lives as long as it: do not free it, copy
/// it to keep it after `nowgg_error_free`.
#[no_mangle]
pub unsafe extern "C" fn nowgg_error_message(error: *const nowgg_error) -> *const c_char {
    ffi_panic_boundary! {
        borrow(error, "error").map_or(ptr::null(), |e| e.message.as_ptr())
    }
}

/// The vendor's API code, for errors that came in an API envelope (3901, 5014, 150...).
///
/// Returns true and writes the code to `*code_out` (when `code_out` is not NULL) if the
/// error has one; returns false and leaves `*code_out` alone otherwise, or when `error`
/// is NULL.
#[no_mangle]
pub unsafe extern "C" fn nowgg_error_api_code(
    error: *const nowgg_error,
    code_out: *mut i64,
) -> bool {
    ffi_panic_boundary! {
        write_present(borrow(error, "error").ok().and_then(|e| e.api_code), code_out)
    }
}

/// The HTTP status of the response, when one arrived (`200` for most API errors).
///
/// Returns true and writes the status to `*status_out` (when `status_out` is not NULL)
/// if there is one; returns false and leaves `*status_out` alone otherwise, or when
/// `error` is NULL.
#[no_mangle]
pub unsafe extern "C" fn nowgg_error_http_status(
    error: *const nowgg_error,
    status_out: *mut u16,
) -> bool {
    ffi_panic_boundary! {
        write_present(borrow(error, "error").ok().and_then(|e| e.http_status), status_out)
    }
}

/// Whether the same call may succeed if made again later (timeouts, connection
/// failures, HTTP 429 and 5xx, API code 5014). False when `error` is NULL.
#[no_mangle]
pub unsafe extern "C" fn nowgg_error_is_retryable(error: *const nowgg_error) -> bool {
    ffi_panic_boundary! {
        borrow(error, "error").is_ok_and(|e| e.retryable)
    }
}

/// Frees an error. NULL is ignored. Call it at most once per error; the strings it
/// handed out die with it.
#[no_mangle]
pub unsafe extern "C" fn nowgg_error_free(error: *mut nowgg_error) {
    ffi_panic_boundary! {
        nowgg_error::free(error)
    }
}
