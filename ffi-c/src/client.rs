//! `nowgg_client`: the shared client, and the blocking calls it makes.

use std::ffi::{c_char, CStr};

use nowgg::{Client, ConsumeOutcome, ConsumeRequest, Error, Purchase, Store};

use crate::config::nowgg_config;
use crate::error::nowgg_error;
use crate::handle::{borrow, out_slot, ArcHandle, BoxHandle};
use crate::purchase::nowgg_purchase;
use crate::status::nowgg_status;
use crate::text;

/// A client of the Payments API, with its pool of keep-alive connections.
///
/// Ownership: made by `nowgg_client_new`, freed with `nowgg_client_free` (at most once),
/// after every blocking call using it has returned. Async calls still running keep what
/// they need alive: the client may be freed while they are in flight (even from their
/// callbacks), and they complete normally.
///
/// Thread-safety: build one and share it. Every function taking a
/// `const nowgg_client*` may be called from any number of threads at once. Blocking
/// calls block the calling thread until they succeed or fail (within the config's
/// deadline); the `_async` calls run on the library's own threads.
pub struct nowgg_client {
    client: Client,
}

impl ArcHandle for nowgg_client {}

impl nowgg_client {
    pub(crate) fn client(&self) -> &Client {
        &self.client
    }
}

/// How a consume ended: both values mean the purchase is consumed, done.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum nowgg_consume_outcome {
    /// This request consumed the purchase.
    NOWGG_OUTCOME_CONSUMED = 1,
    /// The purchase was consumed before this call (now.gg answered 3800 and a verify
    /// shows it consumed), or this call's answer was lost and a verify shows it consumed.
    NOWGG_OUTCOME_ALREADY_CONSUMED = 2,
}

impl From<ConsumeOutcome> for nowgg_consume_outcome {
    fn from(outcome: ConsumeOutcome) -> nowgg_consume_outcome {
        match outcome {
            ConsumeOutcome::Consumed => nowgg_consume_outcome::NOWGG_OUTCOME_CONSUMED,
            ConsumeOutcome::AlreadyConsumed => {
                nowgg_consume_outcome::NOWGG_OUTCOME_ALREADY_CONSUMED
            }
        }
    }
}

/// Each outcome with its name, as `ConsumeOutcome::as_str` spells it (a test checks).
const OUTCOME_NAMES: [(nowgg_consume_outcome, &CStr); 2] = [
    (nowgg_consume_outcome::NOWGG_OUTCOME_CONSUMED, c"consumed"),
    (
        nowgg_consume_outcome::NOWGG_OUTCOME_ALREADY_CONSUMED,
        c"already_consumed",
    ),
];

/// The name of a consume outcome, as every face spells it: `"consumed"` or
/// `"already_consumed"`; NULL for a number that is no outcome.
///
/// The string is static: never free it. Thread-safe.
#[no_mangle]
pub extern "C" fn nowgg_consume_outcome_name(outcome: u32) -> *const c_char {
    ffi_panic_boundary! {
        OUTCOME_NAMES
            .iter()
            .find(|(value, _)| *value as u32 == outcome)
            .map_or(std::ptr::null(), |(_, name)| name.as_ptr())
    }
}

/// Builds a client from a config, checking every option (key, URL, timeouts, limits,
/// proxy, certificates): the only failure is `NOWGG_INVALID_ARGUMENT`. No I/O happens
/// here.
///
/// On success writes the new client to `*client_out`. The config is only read: free it
/// when convenient.
#[no_mangle]
pub unsafe extern "C" fn nowgg_client_new(
    config: *const nowgg_config,
    client_out: *mut *const nowgg_client,
    err_out: *mut *mut nowgg_error,
) -> nowgg_status {
    ffi_panic_boundary! { err_out = err_out;
        let config = borrow(config, "config")?;
        let out = out_slot(client_out, "client_out")?;
        let client = config.builder().clone().build()?;
        *out = nowgg_client { client }.into_raw();
        Ok(())
    }
}

/// Frees the caller's client. NULL is ignored. Call it at most once, when no blocking
/// call uses it any more; async calls in flight finish first, on their own, and the
/// connections close when the last of them is done.
#[no_mangle]
pub unsafe extern "C" fn nowgg_client_free(client: *const nowgg_client) {
    ffi_panic_boundary! {
        nowgg_client::free(client)
    }
}

/// Verifies a purchase token (NUL-terminated UTF-8) and returns the purchase.
///
/// Retried on timeouts, connection failures, HTTP 429/5xx and API code 5014, up to the
/// config's max retries, within its deadline. On success writes a new purchase to
/// `*purchase_out` (free it with `nowgg_purchase_free`).
///
/// A genuine token is not yet a reason to grant: `nowgg_verify_for_grant` also checks
/// that the purchase is paid, unconsumed, and your game's product.
///
/// Typical failures: `NOWGG_INVALID_PURCHASE_TOKEN` (forged or unknown token),
/// `NOWGG_INVALID_AUTHORIZATION_KEY` (wrong key), `NOWGG_TIMEOUT` and
/// `NOWGG_CONNECTION` (retry later).
#[no_mangle]
pub unsafe extern "C" fn nowgg_verify_purchase(
    client: *const nowgg_client,
    token: *const c_char,
    purchase_out: *mut *mut nowgg_purchase,
    err_out: *mut *mut nowgg_error,
) -> nowgg_status {
    ffi_panic_boundary! { err_out = err_out;
        verify_into(client, token, purchase_out, |c, token| c.verify_purchase(token))
    }
}

/// Checks the arguments of a blocking verify, runs `verify` with the token, and writes
/// the purchase to `*purchase_out`: `nowgg_verify_purchase` and `nowgg_verify_for_grant`.
pub(crate) unsafe fn verify_into(
    client: *const nowgg_client,
    token: *const c_char,
    purchase_out: *mut *mut nowgg_purchase,
    verify: impl FnOnce(&Client, &str) -> Result<Purchase, Error>,
) -> Result<(), Error> {
    let client = borrow(client, "client")?;
    let token = text::required(token, "token")?;
    let out = out_slot(purchase_out, "purchase_out")?;
    *out = nowgg_purchase::new(verify(&client.client, token)?).into_raw();
    Ok(())
}

/// The consume a C caller asks for, from its arguments (see `nowgg_consume_purchase`).
pub(crate) unsafe fn consume_request(
    token: *const c_char,
    store: *const c_char,
    product_id: *const c_char,
    currency: *const c_char,
    developer_payload: *const c_char,
) -> Result<ConsumeRequest, Error> {
    let mut request = ConsumeRequest::new(text::required(token, "token")?);
    if let Some(store) = text::optional(store, "store")? {
        request = request.store(store.parse::<Store>()?);
    }
    if let Some(product_id) = text::optional(product_id, "product_id")? {
        request = request.product_id(product_id);
    }
    if let Some(currency) = text::optional(currency, "currency")? {
        request = request.currency(currency);
    }
    if let Some(payload) = text::optional(developer_payload, "developer_payload")? {
        request = request.developer_payload(payload);
    }
    Ok(request)
}

/// Step 4 of a grant: makes sure a purchase is consumed, once the grant is recorded under
/// its order id and delivered. Always safe to call again.
///
/// - `token`: the purchase token (required).
/// - `store`: `"nowgg"` (the default when NULL), `"xiaomi"` or `"onestore"`, in any
///   case; `"amazon"` and `"huawei"` purchases are consumed on the client and give
///   `NOWGG_INVALID_ARGUMENT`.
/// - `product_id`: required for xiaomi and onestore; NULL when not sent.
/// - `currency`, `developer_payload`: optional (multi-store); NULL when not sent.
///
/// On success writes the outcome to `*outcome_out`: `NOWGG_OUTCOME_CONSUMED` or
/// `NOWGG_OUTCOME_ALREADY_CONSUMED`, both meaning done. `NOWGG_ERROR_CONSUMING_PRODUCT`
/// (3800) is left only for a purchase that is not consumed (not paid). A retryable error
/// means the answer was lost and nothing proves the purchase consumed: call again later
/// (a sweep over recorded, unconsumed orders). The request is never sent twice in one
/// call.
#[no_mangle]
pub unsafe extern "C" fn nowgg_consume_purchase(
    client: *const nowgg_client,
    token: *const c_char,
    store: *const c_char,
    product_id: *const c_char,
    currency: *const c_char,
    developer_payload: *const c_char,
    outcome_out: *mut nowgg_consume_outcome,
    err_out: *mut *mut nowgg_error,
) -> nowgg_status {
    ffi_panic_boundary! { err_out = err_out;
        let client = borrow(client, "client")?;
        let request = consume_request(token, store, product_id, currency, developer_payload)?;
        let out = out_slot(outcome_out, "outcome_out")?;
        *out = client.client.consume_purchase(&request)?.into();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_are_named_as_the_core_names_them() {
        for outcome in [ConsumeOutcome::Consumed, ConsumeOutcome::AlreadyConsumed] {
            let value = nowgg_consume_outcome::from(outcome) as u32;
            let name = unsafe { CStr::from_ptr(nowgg_consume_outcome_name(value)) };
            assert_eq!(name.to_str(), Ok(outcome.as_str()));
        }
        assert!(nowgg_consume_outcome_name(0).is_null());
    }
}
