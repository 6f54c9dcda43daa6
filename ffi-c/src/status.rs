//! `nowgg_status`: the result of every fallible call, one value per error kind of the
//! core, numbered with the kind's stable `ErrorKind::code()`.

use std::ffi::{c_char, CString};
use std::sync::OnceLock;

use nowgg::ErrorKind;

/// The result of every fallible call: `NOWGG_OK` (0), or the kind of the failure.
///
/// The numbers are stable and never reused: API kinds carry the vendor's own code
/// (3800, 3900, ...), local kinds sit in bands below 1000 (1: bad input; 100-199:
/// transport; 200: other API errors; 300-399: grant refusals; 900: a bug in the
/// library). The type is a `uint32_t`: compare it with the constants, and expect numbers
/// this version does not list from a newer library.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum nowgg_status {
    /// Success.
    NOWGG_OK = 0,
    /// Bad input or configuration, found before any I/O: a NULL or non-UTF-8 argument,
    /// an empty token, an unknown store or region, a zero timeout...
    NOWGG_INVALID_ARGUMENT = 1,
    /// The connect or per-attempt timeout, or the call's deadline, passed. Retryable.
    NOWGG_TIMEOUT = 100,
    /// DNS failure, refused or reset connection: retryable. A refused TLS handshake (an
    /// untrusted certificate) is this kind too, but not retryable.
    NOWGG_CONNECTION = 101,
    /// A non-2xx answer without the vendor's envelope (a proxy's HTML page, a gateway's
    /// own JSON, a 404). Retryable for 429 and 5xx: see `nowgg_error_is_retryable`.
    NOWGG_HTTP_STATUS = 102,
    /// A body that is not JSON, a malformed envelope, or a body over the size cap.
    NOWGG_DECODE = 103,
    /// An API code the vendor does not document, or `success: false` with code 0.
    NOWGG_API_ERROR = 200,
    /// Grant check: the purchase is not paid (`purchaseState` is not 1).
    NOWGG_NOT_PAID = 300,
    /// Grant check: the purchase is already consumed (`consumptionState` is 1).
    NOWGG_ALREADY_CONSUMED = 301,
    /// Grant check: the purchase's `packageName` is not the policy's.
    NOWGG_PACKAGE_MISMATCH = 302,
    /// Grant check: the purchase's product (`productId`, else `sellerGoodsId`) is not
    /// one of the policy's.
    NOWGG_PRODUCT_MISMATCH = 303,
    /// Grant check: a test order, and the policy does not allow them.
    NOWGG_TEST_ORDER = 304,
    /// A bug in this library (a caught panic), please report it. The message is a fixed
    /// sentence; the call had no effect on the objects passed to it.
    NOWGG_INTERNAL = 900,
    /// API code 3800: the product could not be consumed. `nowgg_consume_purchase` gives
    /// it only for a purchase that is not consumed (not paid); one consumed before
    /// succeeds with the outcome `NOWGG_OUTCOME_ALREADY_CONSUMED`.
    NOWGG_ERROR_CONSUMING_PRODUCT = 3800,
    /// API code 3900: the Payments API key was refused.
    NOWGG_INVALID_AUTHORIZATION_KEY = 3900,
    /// API code 3901: the purchase token is unknown (forged, or from another app).
    NOWGG_INVALID_PURCHASE_TOKEN = 3901,
    /// API code 5014: a generic error of the multi-store backend. Retryable.
    NOWGG_MULTISTORE_UNKNOWN_ERROR = 5014,
    /// API code 5015: the multi-store backend could not authenticate.
    NOWGG_MULTISTORE_AUTH_ERROR = 5015,
}

use nowgg_status::*;

impl nowgg_status {
    /// The status of an error kind: the one numbered with the kind's code.
    pub(crate) const fn from_kind(kind: ErrorKind) -> nowgg_status {
        match kind {
            ErrorKind::InvalidArgument => NOWGG_INVALID_ARGUMENT,
            ErrorKind::Timeout => NOWGG_TIMEOUT,
            ErrorKind::Connection => NOWGG_CONNECTION,
            ErrorKind::HttpStatus => NOWGG_HTTP_STATUS,
            ErrorKind::Decode => NOWGG_DECODE,
            ErrorKind::ApiError => NOWGG_API_ERROR,
            ErrorKind::NotPaid => NOWGG_NOT_PAID,
            ErrorKind::AlreadyConsumed => NOWGG_ALREADY_CONSUMED,
            ErrorKind::PackageMismatch => NOWGG_PACKAGE_MISMATCH,
            ErrorKind::ProductMismatch => NOWGG_PRODUCT_MISMATCH,
            ErrorKind::TestOrder => NOWGG_TEST_ORDER,
            ErrorKind::Internal => NOWGG_INTERNAL,
            ErrorKind::ErrorConsumingProduct => NOWGG_ERROR_CONSUMING_PRODUCT,
            ErrorKind::InvalidAuthorizationKey => NOWGG_INVALID_AUTHORIZATION_KEY,
            ErrorKind::InvalidPurchaseToken => NOWGG_INVALID_PURCHASE_TOKEN,
            ErrorKind::MultistoreUnknownError => NOWGG_MULTISTORE_UNKNOWN_ERROR,
            ErrorKind::MultistoreAuthError => NOWGG_MULTISTORE_AUTH_ERROR,
            // `ErrorKind` is non_exhaustive, so another crate's match needs this arm. A
            // kind the core adds lands here and fails the build below.
            _ => NOWGG_INTERNAL,
        }
    }
}

// Compile-time proof that every kind of the core has its own status, numbered with the
// kind's code: a kind added to `ErrorKind::ALL` without a status here stops the build.
const _: () = {
    let mut i = 0;
    while i < ErrorKind::ALL.len() {
        let kind = ErrorKind::ALL[i];
        assert!(
            nowgg_status::from_kind(kind) as u32 == kind.code(),
            "an ErrorKind has no nowgg_status of its own number: add it above"
        );
        i += 1;
    }
};

/// The name of every status, NUL-terminated: `OK` and the core's kind names.
fn names() -> &'static [(u32, CString)] {
    static NAMES: OnceLock<Vec<(u32, CString)>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let kinds = ErrorKind::ALL.map(|kind| (kind.code(), kind.name()));
        [(NOWGG_OK as u32, "OK")]
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
    fn every_kind_has_its_status_and_name() {
        for kind in ErrorKind::ALL {
            let status = nowgg_status::from_kind(kind);
            assert_eq!(status as u32, kind.code(), "{kind}");
            assert_eq!(name(status as u32), Some(kind.name()));
            assert_eq!(format!("{status:?}"), format!("NOWGG_{}", kind.name()));
        }
    }

    #[test]
    fn ok_has_a_name_and_unknown_numbers_none() {
        assert_eq!(name(0), Some("OK"));
        assert_eq!(name(900), Some("INTERNAL"));
        assert_eq!(name(2), None);
        assert_eq!(name(u32::MAX), None);
    }
}
