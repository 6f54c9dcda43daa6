//! `nowgg_status`: the result of every fallible call, one value per error kind of the
//! core, numbered with the kind's stable `ErrorKind::code()`.

use std::ffi::{c_char, CString};
use std::sync::OnceLock;

use nowgg::ErrorKind;

/// The result of every fallible call: `NOWGG_OK` (0), or the kind of the failure,
/// numbered with the kind's code.
///
/// The header declares this enum from the core's kind table, each value with the kind's
/// doc (`cargo xtask codegen`; cbindgen.toml excludes this one), so the docs here only
/// name the kind. The compile-time check below holds the numbers to the table.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum nowgg_status {
    /// Success.
    NOWGG_OK = 0,
    /// `ErrorKind::InvalidArgument`.
    NOWGG_INVALID_ARGUMENT = 1,
    /// `ErrorKind::Timeout`.
    NOWGG_TIMEOUT = 100,
    /// `ErrorKind::Connection`.
    NOWGG_CONNECTION = 101,
    /// `ErrorKind::HttpStatus`.
    NOWGG_HTTP_STATUS = 102,
    /// `ErrorKind::Decode`.
    NOWGG_DECODE = 103,
    /// `ErrorKind::ApiError`.
    NOWGG_API_ERROR = 200,
    /// `ErrorKind::NotPaid`.
    NOWGG_NOT_PAID = 300,
    /// `ErrorKind::AlreadyConsumed`.
    NOWGG_ALREADY_CONSUMED = 301,
    /// `ErrorKind::PackageMismatch`.
    NOWGG_PACKAGE_MISMATCH = 302,
    /// `ErrorKind::ProductMismatch`.
    NOWGG_PRODUCT_MISMATCH = 303,
    /// `ErrorKind::TestOrder`.
    NOWGG_TEST_ORDER = 304,
    /// `ErrorKind::Internal`.
    NOWGG_INTERNAL = 900,
    /// `ErrorKind::ErrorConsumingProduct`.
    NOWGG_ERROR_CONSUMING_PRODUCT = 3800,
    /// `ErrorKind::InvalidAuthorizationKey`.
    NOWGG_INVALID_AUTHORIZATION_KEY = 3900,
    /// `ErrorKind::InvalidPurchaseToken`.
    NOWGG_INVALID_PURCHASE_TOKEN = 3901,
    /// `ErrorKind::MultistoreUnknownError`.
    NOWGG_MULTISTORE_UNKNOWN_ERROR = 5014,
    /// `ErrorKind::MultistoreAuthError`.
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

    /// The header names each status `NOWGG_` and the kind's name: so must this enum.
    #[test]
    fn each_status_is_named_as_the_header_names_it() {
        for kind in ErrorKind::ALL {
            let status = nowgg_status::from_kind(kind);
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
