//! Core errors as JavaScript errors. Every rejection and every throw of the addon is an
//! `Error` carrying the core's kind name as `code`, plus `apiCode`, `httpStatus` and
//! `retryable`; the JavaScript layer copies them into a `NowggError`.

use napi::bindgen_prelude::{JsObjectValue, Object};
use napi::{Env, JsValue, Status};
use napi_derive::napi;
use nowgg_payments::{Error, ErrorKind};

/// The JavaScript error for a core error.
pub fn to_js(env: &Env, error: &Error) -> napi::Error {
    Fields::of(error).into_error(env)
}

/// The JavaScript error for a panic inside the core, caught before it could unwind into
/// Node. The core has no kind for its own bugs; `API_ERROR` (not retryable) is the one
/// that says "something failed that no retry will fix", and the message says the rest.
pub fn internal(env: &Env, panic: &str) -> napi::Error {
    let message = format!("internal error in nowgg-payments (a bug; please report it): {panic}");
    Fields {
        kind: ErrorKind::ApiError,
        message: &message,
        api_code: None,
        http_status: None,
        retryable: false,
    }
    .into_error(env)
}

/// The error a call rejects with when its `AbortSignal` fires.
///
/// The blocking call cannot be interrupted, so the promise rejects at once while the
/// request finishes on its pool thread. It is a `TIMEOUT`: an abort is the caller's own
/// deadline (most signals are `AbortSignal.timeout(ms)`), and like a timeout it leaves
/// the outcome of a consume unknown (verify the purchase before trying again).
#[napi(ts_return_type = "Error")]
pub fn aborted_error(env: &Env) -> napi::Result<Object<'_>> {
    let error = Error::Timeout {
        message: "aborted by its AbortSignal before the answer arrived; the request may \
                  still complete in the background"
            .into(),
    };
    Fields::of(&error).object(env)
}

/// An `INVALID_ARGUMENT` error for an argument only the JavaScript layer reads (the
/// caller's `AbortSignal`), with the kind still taken from the core's table.
#[napi(ts_return_type = "Error")]
pub fn invalid_argument_error(env: &Env, message: String) -> napi::Result<Object<'_>> {
    Fields::of(&Error::InvalidArgument { message }).object(env)
}

struct Fields<'a> {
    kind: ErrorKind,
    message: &'a str,
    api_code: Option<i64>,
    http_status: Option<u16>,
    retryable: bool,
}

impl Fields<'_> {
    fn of(error: &Error) -> Fields<'_> {
        Fields {
            kind: error.kind(),
            message: error.message(),
            api_code: error.api_code(),
            http_status: error.http_status(),
            retryable: error.is_retryable(),
        }
    }

    fn into_error(self, env: &Env) -> napi::Error {
        match self.object(env) {
            Ok(object) => napi::Error::from(object.to_unknown()),
            // Only when the environment is shutting down: nobody is left to read it.
            Err(error) => error,
        }
    }

    fn object<'env>(&self, env: &'env Env) -> napi::Result<Object<'env>> {
        let mut object =
            env.create_error(napi::Error::new(Status::GenericFailure, self.message))?;
        object.set_named_property("code", self.kind.name())?;
        object.set_named_property("apiCode", self.api_code)?;
        object.set_named_property("httpStatus", self.http_status.map(u32::from))?;
        object.set_named_property("retryable", self.retryable)?;
        Ok(object)
    }
}
