//! `nowgg_client`: the shared client, and the two calls it makes.

use std::ffi::c_char;

use nowgg::{Client, ConsumeRequest, Store};

use crate::config::nowgg_config;
use crate::error::nowgg_error;
use crate::handle::{borrow, out_slot, ArcHandle, BoxHandle};
use crate::purchase::nowgg_purchase;
use crate::status::nowgg_status;
use crate::text;

/// A client of the Payments API, with its pool of keep-alive connections.
///
/// Ownership: made by `nowgg_client_new`, freed with `nowgg_client_free` (at most once),
/// after every call using it has returned.
///
/// Thread-safety: build one and share it. Every function taking a
/// `const nowgg_client*` may be called from any number of threads at once. Calls block
/// the calling thread until they succeed or fail (see the config's timeouts).
pub struct nowgg_client {
    client: Client,
}

impl ArcHandle for nowgg_client {}

/// Builds a client from a config, checking every option (key, URL, timeouts, proxy,
/// certificates): the only failure is `NOWGG_INVALID_ARGUMENT`. No I/O happens here.
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

/// Frees a client and closes its connections. NULL is ignored. Call it at most once,
/// when no other thread uses the client any more.
#[no_mangle]
pub unsafe extern "C" fn nowgg_client_free(client: *const nowgg_client) {
    ffi_panic_boundary! {
        nowgg_client::free(client)
    }
}

/// Verifies a purchase token (NUL-terminated UTF-8) and returns the purchase.
///
/// Retried on timeouts, connection failures, HTTP 429/5xx and API code 5014, up to the
/// config's max retries. On success writes a new purchase to `*purchase_out` (free it
/// with `nowgg_purchase_free`). Before granting, check `nowgg_purchase_is_paid` and
/// `nowgg_purchase_is_consumed`.
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
        let client = borrow(client, "client")?;
        let token = text::required(token, "token")?;
        let out = out_slot(purchase_out, "purchase_out")?;
        let purchase = client.client.verify_purchase(token)?;
        *out = nowgg_purchase::new(purchase).into_raw();
        Ok(())
    }
}

/// Consumes (acknowledges) a purchase: call it once the product is granted.
///
/// - `token`: the purchase token (required).
/// - `store`: `"nowgg"` (the default when NULL), `"xiaomi"` or `"onestore"`, in any
///   case; `"amazon"` and `"huawei"` purchases are consumed on the client and give
///   `NOWGG_INVALID_ARGUMENT`.
/// - `product_id`: required for xiaomi and onestore; NULL when not sent.
/// - `currency`, `developer_payload`: optional (multi-store); NULL when not sent.
///
/// A consume is never re-sent blindly: when the outcome is unknown (a dropped
/// connection, a timeout, a gateway 5xx) the purchase is verified, and the call succeeds
/// if it is now consumed. `NOWGG_ERROR_CONSUMING_PRODUCT` (3800) means it was already
/// consumed or is not paid: do not grant it again.
#[no_mangle]
pub unsafe extern "C" fn nowgg_consume_purchase(
    client: *const nowgg_client,
    token: *const c_char,
    store: *const c_char,
    product_id: *const c_char,
    currency: *const c_char,
    developer_payload: *const c_char,
    err_out: *mut *mut nowgg_error,
) -> nowgg_status {
    ffi_panic_boundary! { err_out = err_out;
        let client = borrow(client, "client")?;
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
        client.client.consume_purchase(&request)
    }
}
