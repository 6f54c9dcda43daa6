//! The Node face of nowgg-payments: a napi-rs addon over the sync Rust core.
//!
//! This crate only translates types. The npm package's thin JavaScript layer
//! (`index.js`) wraps what it exports into the public `Client` and `NowggError`:
//!
//! - [`client::NativeClient`] holds one core `Client` (and so the API key, which never
//!   reaches JavaScript) and reads each call's arguments into the core's types;
//! - [`calls`] runs each call on the library's own threads (the core's `Client::spawn`,
//!   never libuv's pool) and hands its answer back to the JavaScript thread;
//! - [`args`] reads untyped JavaScript values, so that a wrong type is the core's
//!   `INVALID_ARGUMENT`, never napi's own untyped error;
//! - [`report`] carries a call's report to JavaScript, for its `diagnostics_channel`
//!   messages;
//! - [`error`] carries a core error to JavaScript as a [`error::Failure`]: the kind's
//!   name, the message, the API code, the HTTP status and whether it is retryable;
//! - [`purchase`] declares the purchase object (generated from the core's field table)
//!   and its state enums;
//! - [`testing`] runs the sandbox in process, for `nowgg-payments/testing`.
#![deny(missing_docs)]

mod args;
mod calls;
pub mod client;
pub mod error;
pub mod purchase;
pub mod report;
pub mod testing;

use napi::bindgen_prelude::Unknown;
use napi_derive::napi;

/// Whether a token comes from now.gg's No Code Payment flow (it starts with `-nowgg-`);
/// false for anything that is not a string.
#[napi]
pub fn is_nowgg_token(#[napi(ts_arg_type = "string")] token: Unknown) -> bool {
    args::string(token).is_some_and(|t| nowgg_payments::is_nowgg_token(&t))
}
