//! Server-side client for now.gg's Payments API: verify an in-app purchase, grant it
//! once, consume it.
//!
//! A consume alone cannot make a grant happen exactly once (its answer can be lost, and a
//! verify cannot tell whose consume took effect), so the lock is a record in your own
//! database, keyed by the purchase's `orderId`:
//!
//! ```no_run
//! use nowgg_payments::{Client, ConsumeOutcome, ConsumeRequest, GrantPolicy};
//!
//! let client = Client::builder("your-payments-api-key").build()?;
//! let token = "-nowgg-...";
//! // 1. Verify for grant: paid, not consumed, this game's package and product.
//! let policy = GrantPolicy::new().package_name("com.example.game").product_id("gems_100");
//! let purchase = client.verify_for_grant(token, &policy)?;
//! // 2. Record the grant under purchase.order_id() (a unique key). If the row exists,
//! //    the purchase was delivered already: answer "already delivered" and stop.
//! // 3. Grant the product, in the same transaction as the record where you can.
//! // 4. Consume. Both outcomes mean done; a retryable error means "try again later"
//! //    (a sweep over recorded, unconsumed orders), and repeating is always safe.
//! match client.consume_purchase(&ConsumeRequest::new(token))? {
//!     ConsumeOutcome::Consumed | ConsumeOutcome::AlreadyConsumed => {}
//! }
//! # Ok::<(), nowgg_payments::Error>(())
//! ```
//!
//! One `Client` is shared by every thread; calls block, and [`Client::spawn`] runs one on
//! the library's own threads for async callers. Errors carry one of the kinds of
//! [`ErrorKind`], the same in the C, Python and Node faces of this library. Neither the
//! API key nor a whole purchase token ever appears in an error or in this crate's log
//! lines (target `nowgg_payments`).
//!
//! Each call can be watched: [`ClientBuilder::on_report`] and [`report::capture`] give
//! its [`CallReport`] (attempts, the waits between them and why, the outcome), and a
//! `tracing` subscriber sees live spans `nowgg.verify_purchase`, `nowgg.verify_for_grant`
//! and `nowgg.consume_purchase` with a `POST` child span per attempt (target
//! `nowgg_payments`). Nobody watching costs nothing measurable.
//!
//! One caution for the logger you install: at `trace` level the HTTP layer underneath
//! (target `ureq_proto`) hex-dumps raw requests, `Authorization` header included. Keep
//! `ureq_proto` and `ureq` at `debug` or below in production.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod client;
mod config;
mod consume;
mod dispatch;
mod endpoint;
mod envelope;
mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod grant;
mod options;
mod policy;
mod process;
mod purchase;
mod redact;
pub mod report;
mod resolver;
mod retry;
mod socket;
mod transport;
mod validate;
mod values;

pub use client::Client;
pub use config::{ClientBuilder, Region};
pub use consume::{ConsumeOutcome, ConsumeRequest, Store};
pub use error::{Error, ErrorKind, Result, KIND_COUNT};
pub use grant::GrantPolicy;
pub use options::{
    ClientOption, OptionDefault, OptionRange, OptionUnit, OptionValue, DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_DEADLINE, DEFAULT_MAX_IN_FLIGHT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT, MAX_DURATION, MAX_IN_FLIGHT_LIMIT, MAX_RETRIES_LIMIT, MAX_SAFE_INTEGER,
    OPTIONS,
};
pub use purchase::{
    is_nowgg_token, ConsumptionState, Purchase, PurchaseState, StringField, STRING_FIELD_COUNT,
};
pub use redact::short_token;
pub use report::{Attempt, CallName, CallReport, Endpoint, Outcome, Wait, WaitReason};
/// The JSON types [`Purchase::raw`] is made of.
pub use serde_json::{Map as JsonMap, Value as JsonValue};
pub use values::StateValue;
