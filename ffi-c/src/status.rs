//! `nowgg_status`: the result of every fallible call, one value per error kind of the
//! core, numbered with the kind's stable `ErrorKind::code()`.

use std::ffi::{c_char, CString};
use std::sync::OnceLock;

use nowgg::ErrorKind;

/// The result of every fallible call: `NOWGG_OK` (0), or the kind of the failure.
///
/// The numbers are stable and never reused: API kinds carry the vendor's own code
/// (3800, 3900, ...), local kinds sit in bands below 1000 (1: bad input; 100-199:
/// transport; 200: other API errors; 900-999: conditions of the C library itself).
/// The type is a `uint32_t`: compare it with the constants, and expect numbers this
/// version does not list from a newer library.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum nowgg_status {
    /// Success.
    NOWGG_OK = 0,
    /// Bad input or configuration, found before any I/O: a NULL or non-UTF-8 argument,
    /// an empty token, an unknown store or region, a zero timeout...
    NOWGG_INVALID_ARGUMENT = 1,
    /// The connect or per-attempt deadline passed. Retryable.
    NOWGG_TIMEOUT = 100,
    /// DNS failure, refused or reset connection, TLS failure. Retryable.
    NOWGG_CONNECTION = 101,
    /// A non-2xx answer without a JSON envelope (a proxy's HTML page, a 404). Retryable
    /// for 429 and 5xx: see `nowgg_error_is_retryable`.
    NOWGG_HTTP_STATUS = 102,
    /// A body that is not JSON, a malformed envelope, or a body over the size cap.
    NOWGG_DECODE = 103,
    /// An API code the vendor does not document, or `success: false` with code 0.
    NOWGG_API_ERROR = 200,
    /// A Rust panic was caught at the boundary: a bug in this library, please report it.
    /// The call had no effect on the objects passed to it.
    NOWGG_PANIC = 900,
    /// API code 3800: the product could not be consumed (already consumed, or not paid).
    NOWGG_ERROR_CONSUMING_PRODUCT = 3800,
    /// API code 3900: the Payments API key was refused.
    NOWGG_INVALID_AUTHORIZATION_KEY = 3900,
    /// API code 3901: the purchase token is unknown.
    NOWGG_INVALID_PURCHASE_TOKEN = 3901,
    /// API code 5014: a generic error of the multi-store backend. Retryable.
    NOWGG_MULTISTORE_UNKNOWN_ERROR = 5014,
    /// API code 5015: the multi-store backend could not authenticate.
    NOWGG_MULTISTORE_AUTH_ERROR = 5015,
}

use nowgg_status::*;

/// Every status but the two the C library adds, in `ErrorKind::ALL`'s order.
const KIND_STATUSES: [nowgg_status; 11] = [
    NOWGG_INVALID_ARGUMENT,
    NOWGG_TIMEOUT,
    NOWGG_CONNECTION,
    NOWGG_HTTP_STATUS,
    NOWGG_DECODE,
    NOWGG_API_ERROR,
    NOWGG_ERROR_CONSUMING_PRODUCT,
    NOWGG_INVALID_AUTHORIZATION_KEY,
    NOWGG_INVALID_PURCHASE_TOKEN,
    NOWGG_MULTISTORE_UNKNOWN_ERROR,
    NOWGG_MULTISTORE_AUTH_ERROR,
];

impl nowgg_status {
    /// The status of an error kind: the one with the kind's number.
    pub(crate) fn from_kind(kind: ErrorKind) -> nowgg_status {
        KIND_STATUSES
            .into_iter()
            .find(|status| *status as u32 == kind.code())
            // Unreachable while `every_kind_has_its_status` passes: a kind added to the
            // core needs its status here first.
            .unwrap_or(NOWGG_API_ERROR)
    }
}

/// The name of every status, NUL-terminated: the core's kind names plus `OK` and `PANIC`.
fn names() -> &'static [(u32, CString)] {
    static NAMES: OnceLock<Vec<(u32, CString)>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let kinds = ErrorKind::ALL.map(|kind| (kind.code(), kind.name()));
        [(NOWGG_OK as u32, "OK"), (NOWGG_PANIC as u32, "PANIC")]
            .into_iter()
            .chain(kinds)
            .map(|(code, name)| (code, crate::text::c_string(name)))
            .collect()
    })
}

/// The name of a status without its `NOWGG_` prefix, e.g. `"INVALID_PURCHASE_TOKEN"`:
/// the same kind names as the Rust, Python and Node faces use. NULL for a number that is
/// no status.
///
/// The string is static: never free it. Thread-safe.
#[no_mangle]
pub extern "C" fn nowgg_status_name(status: u32) -> *const c_char {
    ffi_panic_boundary! {
        names()
            .iter()
            .find(|(code, _)| *code == status)
            .map_or(std::ptr::null(), |(_, name)| name.as_ptr())
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::CStr;

    use super::*;

    fn name(status: u32) -> Option<&'static str> {
        let ptr = nowgg_status_name(status);
        (!ptr.is_null()).then(|| unsafe { CStr::from_ptr(ptr) }.to_str().unwrap())
    }

    #[test]
    fn every_kind_has_its_status() {
        for (kind, status) in ErrorKind::ALL.into_iter().zip(KIND_STATUSES) {
            assert_eq!(status as u32, kind.code(), "{kind}");
            assert_eq!(nowgg_status::from_kind(kind), status);
            assert_eq!(name(status as u32), Some(kind.name()));
            assert_eq!(format!("{status:?}"), format!("NOWGG_{}", kind.name()));
        }
    }

    #[test]
    fn the_c_only_statuses_have_names_and_unknown_numbers_none() {
        assert_eq!(name(0), Some("OK"));
        assert_eq!(name(900), Some("PANIC"));
        assert_eq!(name(2), None);
        assert_eq!(name(u32::MAX), None);
    }
}
