//! Core errors as JavaScript sees them. An error crosses as a [`Failure`]: the core's kind
//! name (which becomes `NowggError.code`), its message, `apiCode`, `httpStatus` and
//! `retryable`; index.js makes the `NowggError` from it. Nothing here decides a kind.

use std::panic::{self, AssertUnwindSafe};

use napi::bindgen_prelude::{JsObjectValue, Object};
use napi::{Env, JsValue, Status};
use napi_derive::napi;
use nowgg_payments::{Error, ErrorKind, Result};

/// A core error as plain data, for index.js to turn into a `NowggError`.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct Failure {
    /// The kind's name from the core's table: `NowggError.code`.
    #[napi(ts_type = "import('./index').ErrorCode")]
    pub code: &'static str,
    /// What failed; never the API key, and a purchase token only shortened.
    pub message: String,
    /// The API's own code, when the error came in an API envelope.
    pub api_code: Option<i64>,
    /// The HTTP status of the answer, when one arrived.
    pub http_status: Option<u32>,
    /// Whether the same call may succeed if made again later.
    pub retryable: bool,
}

impl Failure {
    /// The failure for a core error.
    pub fn of(error: &Error) -> Failure {
        Failure {
            code: error.kind().name(),
            message: error.message().to_owned(),
            api_code: error.api_code(),
            http_status: error.http_status().map(u32::from),
            retryable: error.is_retryable(),
        }
    }
}

/// The JavaScript error a throw carries (only `new Client(options)` throws): an `Error`
/// with the [`Failure`]'s fields as properties, which index.js copies into a `NowggError`.
pub fn to_js(env: &Env, error: &Error) -> napi::Error {
    let failure = Failure::of(error);
    let thrown = || -> napi::Result<Object<'_>> {
        let mut object =
            env.create_error(napi::Error::new(Status::GenericFailure, &failure.message))?;
        object.set_named_property("code", failure.code)?;
        object.set_named_property("apiCode", failure.api_code)?;
        object.set_named_property("httpStatus", failure.http_status)?;
        object.set_named_property("retryable", failure.retryable)?;
        Ok(object)
    };
    match thrown() {
        Ok(object) => napi::Error::from(object.to_unknown()),
        // Only when the environment is shutting down: nobody is left to read it.
        Err(error) => error,
    }
}

/// Runs the face's own code for `place` (what JavaScript called), turning a panic into
/// the core's `INTERNAL` error: one must never unwind into Node, and its text (which may
/// hold data) never reaches a message.
pub(crate) fn guard<T>(place: &str, work: impl FnOnce() -> Result<T>) -> Result<T> {
    panic::catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|_| Err(Error::internal(place)))
}

/// The core error of a call whose `AbortSignal` fired.
///
/// A request on the wire cannot be interrupted, so the promise rejects at once while the
/// request finishes on its library thread. It is a `TIMEOUT`: an abort is the caller's
/// own deadline (most signals are `AbortSignal.timeout(ms)`), and like a timeout it
/// leaves the outcome of a consume unknown (consume again later: it is safe to repeat).
pub(crate) fn aborted_error() -> Error {
    Error::Timeout {
        message: "aborted by its AbortSignal before the answer arrived; the request may \
                  still complete in the background"
            .into(),
    }
}

/// The failure a call rejects with when its `AbortSignal` fires: a `TIMEOUT` (see
/// `aborted_error`).
#[napi]
pub fn aborted() -> Failure {
    Failure::of(&aborted_error())
}

/// An `INVALID_ARGUMENT` failure for an argument only the JavaScript layer reads (the
/// caller's `AbortSignal`), the kind still taken from the core's table.
#[napi]
pub fn invalid_argument(message: String) -> Failure {
    Failure::of(&Error::InvalidArgument { message })
}

/// The name of every error kind of the core, in the order of their numbers: the values
/// `NowggError.code` takes (the tests check index.d.ts's `ErrorCode` against it).
#[napi(ts_return_type = "Array<import('./index').ErrorCode>")]
pub fn error_kinds() -> Vec<&'static str> {
    ErrorKind::ALL.iter().map(|kind| kind.name()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_internal_and_its_text_stays_out() {
        let secret = "-nowgg-Zq8xTn4LwP2mVb7rKc1sYd6h";
        let error = guard::<()>("verifyPurchase", || panic!("token {secret}")).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Internal);
        assert!(!error.is_retryable());
        assert!(error.message().contains("verifyPurchase"), "{error}");
        assert!(!error.message().contains(secret), "{error}");
    }

    #[test]
    fn guard_passes_answers_and_errors_through() {
        assert_eq!(guard("x", || Ok(7)).unwrap(), 7);
        let refused = guard::<()>("x", || {
            Err(Error::InvalidArgument {
                message: "no".into(),
            })
        })
        .unwrap_err();
        assert_eq!(refused.kind(), ErrorKind::InvalidArgument);
    }

    #[test]
    fn a_failure_carries_the_cores_fields() {
        let failure = Failure::of(&aborted_error());
        assert_eq!(failure.code, "TIMEOUT");
        assert!(failure.retryable);
        assert_eq!(failure.api_code, None);
        assert_eq!(failure.http_status, None);
    }
}
