//! Server-side client for now.gg's Payments API: verify an in-app purchase, grant it,
//! consume it, without a double grant.
//!
//! ```no_run
//! use nowgg_payments::{Client, ConsumeRequest, ErrorKind};
//!
//! let client = Client::builder("your-payments-api-key").build()?;
//! let token = "-nowgg-...";
//! let purchase = client.verify_purchase(token)?;
//! if purchase.is_paid() && !purchase.is_consumed() {
//!     // grant purchase.product_id() to the player, then:
//!     match client.consume_purchase(&ConsumeRequest::new(token)) {
//!         Ok(()) => {}
//!         // someone consumed it first: do not grant twice
//!         Err(e) if e.kind() == ErrorKind::ErrorConsumingProduct => {}
//!         Err(e) => return Err(e),
//!     }
//! }
//! # Ok::<(), nowgg_payments::Error>(())
//! ```
//!
//! One `Client` is shared by every thread; calls block. Errors carry one of the kinds of
//! [`ErrorKind`], the same in the C, Python and Node faces of this library. Neither the
//! API key nor a whole purchase token ever appears in an error or in this crate's log
//! lines (target `nowgg_payments`).
//!
//! One caution for the logger you install: at `trace` level the HTTP layer underneath
//! (target `ureq_proto`) hex-dumps raw requests, `Authorization` header included. Keep
//! `ureq_proto` and `ureq` at `debug` or below in production.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod client;
mod config;
mod consume;
mod endpoint;
mod envelope;
mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod purchase;
mod redact;
mod resolver;
mod retry;
mod tcp;
mod transport;
mod validate;

pub use client::Client;
pub use config::{
    ClientBuilder, Region, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT,
};
pub use consume::{ConsumeRequest, Store};
pub use error::{Error, ErrorKind, Result};
pub use purchase::{is_nowgg_token, ConsumptionState, Purchase, PurchaseState, STRING_FIELD_COUNT};
pub use redact::short_token;
/// The JSON types [`Purchase::raw`] is made of.
pub use serde_json::{Map as JsonMap, Value as JsonValue};
