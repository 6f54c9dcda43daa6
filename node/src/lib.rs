//! The Node face of nowgg-payments: a napi-rs addon over the sync Rust core.
//!
//! This crate only translates types. The npm package's thin JavaScript layer
//! (`index.js`) wraps what it exports into the public `Client` and `NowggError`:
//!
//! - [`client::NativeClient`] holds one core `Client` (and so the API key, which never
//!   reaches JavaScript) and starts each blocking call as a napi `AsyncTask` on the
//!   libuv thread pool ([`tasks`]);
//! - [`args`] reads the untyped JavaScript arguments into the core's types, so that a
//!   wrong type is the core's `INVALID_ARGUMENT`, never napi's own untyped error;
//! - [`error`] turns a core error into a JavaScript `Error` carrying the kind's name,
//!   the API code, the HTTP status and whether it is retryable;
//! - [`purchase`] is the verified purchase as a plain object, and its state enums.
#![deny(missing_docs)]

mod args;
pub mod client;
pub mod error;
pub mod purchase;
pub mod tasks;

use napi::bindgen_prelude::Unknown;
use napi_derive::napi;

/// Whether a token comes from now.gg's No Code Payment flow (it starts with `-nowgg-`);
/// false for anything that is not a string.
#[napi]
pub fn is_nowgg_token(#[napi(ts_arg_type = "string")] token: Unknown) -> bool {
    args::string(token).is_some_and(|t| nowgg_payments::is_nowgg_token(&t))
}
