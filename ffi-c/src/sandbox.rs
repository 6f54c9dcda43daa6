//! `nowgg_sandbox`: the offline now.gg emulator (the `nowgg-sandbox` crate), in-process,
//! for a game team's own C and C++ tests. It serves on 127.0.0.1 and a free port until
//! freed; its methods act on the same state as its HTTP control API.

use std::ffi::{c_char, CString};
use std::ptr;

use ::nowgg_sandbox::{Config, Fault, NewPurchase, PurchaseSpec, Sandbox};
use nowgg::Error;
use serde_json::Map;

use crate::error::nowgg_error;
use crate::handle::{borrow, out_slot, BoxHandle};
use crate::status::nowgg_status;
use crate::text::{c_string, invalid, optional, required};

/// An in-process sandbox: an offline, stateful emulator of now.gg's Payments API, for
/// tests. Point a client at `nowgg_sandbox_url` with `nowgg_config_set_base_url` and the
/// same API key.
///
/// Ownership: made by `nowgg_sandbox_start`, freed with `nowgg_sandbox_free` (at most
/// once), which stops it and frees its port. Strings it lends (`nowgg_sandbox_url`,
/// `nowgg_sandbox_console_url`, `nowgg_sandbox_api_key`) live as long as it does.
///
/// Thread-safety: every function taking a `const nowgg_sandbox*` may be called from any
/// number of threads at once; free it once no one uses it.
pub struct nowgg_sandbox {
    sandbox: Sandbox,
    api_key: CString,
    url: CString,
    console_url: CString,
}

impl BoxHandle for nowgg_sandbox {}

// What the thread-safety above rests on, checked when this compiles.
const _: () = {
    const fn shared_across_threads<T: Send + Sync>() {}
    shared_across_threads::<nowgg_sandbox>();
};

/// What `nowgg_sandbox_add_purchase` stores: the common fields of a purchase, by name,
/// so that no test writes vendor JSON for the usual case.
///
/// Every field's zero is its default, so a C99 designated initializer names only what
/// differs: `nowgg_sandbox_purchase_spec spec = {.product_id = "gems_500", .unpaid = true};`
/// (`{0}` is a paid, unconsumed now.gg purchase of `gems_100` for `com.example.game`).
/// The strings are NUL-terminated UTF-8, borrowed for the call only; NULL means the
/// default.
#[repr(C)]
pub struct nowgg_sandbox_purchase_spec {
    /// `productId` and `sellerGoodsId`; NULL: `gems_100`.
    pub product_id: *const c_char,
    /// `packageName`; NULL: `com.example.game`.
    pub package_name: *const c_char,
    /// Not paid (`purchaseState` 0, `payStatusTxt` `Unpaid`); false: paid.
    pub unpaid: bool,
    /// Consumed already (`consumptionState` 1).
    pub consumed: bool,
    /// A test order (`isTestOrder`).
    pub test_order: bool,
    /// The store it was made in: `nowgg`, `xiaomi`, `onestore`, `amazon` or `huawei`;
    /// NULL: `nowgg`.
    pub store: *const c_char,
    /// The token; NULL: a new one (`-nowgg-` and 24 alphanumerics; for another store,
    /// its name, `-` and 24 hex digits). A purchase stored under the same token is
    /// replaced.
    pub token: *const c_char,
    /// `orderId`; NULL: a new one (`NOWGG.` and 20 random digits).
    pub order_id: *const c_char,
    /// A JSON object of raw verifyPurchase `data` fields, added last so that they
    /// override the others (e.g. `{"orderAmount": "4.99"}`); NULL: none.
    pub data_json: *const c_char,
}

/// Reads a spec (NULL: every default) into the sandbox's: a bad string, store or
/// `data_json` is `INVALID_ARGUMENT`, naming the field.
///
/// `spec` must be NULL or point to a spec whose strings are valid for the call.
unsafe fn read_spec(spec: *const nowgg_sandbox_purchase_spec) -> Result<PurchaseSpec, Error> {
    let defaults = PurchaseSpec::default();
    let Some(spec) = spec.as_ref() else {
        return Ok(defaults);
    };
    let text = |value, field| optional(value, field).map(|text| text.map(str::to_owned));
    let store = match optional(spec.store, "spec.store")? {
        None => defaults.store,
        Some(name) => name
            .parse()
            .map_err(|_| invalid(format!("spec.store is not a store: {name:?}")))?,
    };
    let data = match optional(spec.data_json, "spec.data_json")? {
        None => Map::new(),
        Some(text) => serde_json::from_str(text)
            .map_err(|e| invalid(format!("spec.data_json is not a JSON object: {e}")))?,
    };
    Ok(PurchaseSpec {
        product_id: text(spec.product_id, "spec.product_id")?.unwrap_or(defaults.product_id),
        package_name: text(spec.package_name, "spec.package_name")?
            .unwrap_or(defaults.package_name),
        paid: !spec.unpaid,
        consumed: spec.consumed,
        test_order: spec.test_order,
        store,
        token: text(spec.token, "spec.token")?,
        order_id: text(spec.order_id, "spec.order_id")?,
        data,
    })
}

/// A new C string the caller frees with `nowgg_sandbox_string_free`.
fn owned_string(text: &str) -> *mut c_char {
    c_string(text).into_raw()
}

/// Starts a sandbox on 127.0.0.1 and a free port, accepting `api_key` (NUL-terminated
/// UTF-8, not empty). It holds no purchase of yours until `nowgg_sandbox_add_purchase`
/// (the vendor's samples are there from the start); it answers without added latency.
///
/// On success writes the new sandbox to `*sandbox_out` (free it with
/// `nowgg_sandbox_free`). Fails with `NOWGG_INVALID_ARGUMENT` for a bad argument and
/// `NOWGG_CONNECTION` when no port can be bound.
#[no_mangle]
pub unsafe extern "C" fn nowgg_sandbox_start(
    api_key: *const c_char,
    sandbox_out: *mut *mut nowgg_sandbox,
    err_out: *mut *mut nowgg_error,
) -> nowgg_status {
    ffi_panic_boundary! { err_out = err_out;
        let api_key = required(api_key, "api_key")?;
        let out = out_slot(sandbox_out, "sandbox_out")?;
        if api_key.is_empty() {
            return Err(invalid("api_key is empty".into()));
        }
        let sandbox = Sandbox::start(Config::new(api_key)).map_err(|e| Error::Connection {
            message: format!("the sandbox could not start: {e}"),
        })?;
        let handle = nowgg_sandbox {
            api_key: c_string(api_key),
            url: c_string(&sandbox.url()),
            console_url: c_string(&sandbox.console_url()),
            sandbox,
        };
        *out = handle.into_raw();
        Ok(())
    }
}

/// Stops the sandbox and frees it and its port (free again when this returns). NULL is
/// ignored. Call it at most once, when no other call uses it; the strings it lent die
/// with it.
#[no_mangle]
pub unsafe extern "C" fn nowgg_sandbox_free(sandbox: *mut nowgg_sandbox) {
    ffi_panic_boundary! {
        nowgg_sandbox::free(sandbox)
    }
}

/// The sandbox's base URL, `http://127.0.0.1:PORT`: pass it to
/// `nowgg_config_set_base_url`. NULL when `sandbox` is NULL.
///
/// Lifetime: the string belongs to the sandbox, valid until `nowgg_sandbox_free`; never
/// free it.
#[no_mangle]
pub unsafe extern "C" fn nowgg_sandbox_url(sandbox: *const nowgg_sandbox) -> *const c_char {
    ffi_panic_boundary! {
        borrow(sandbox, "sandbox").map_or(ptr::null(), |s| s.url.as_ptr())
    }
}

/// The address of the sandbox's console, `http://127.0.0.1:PORT/_sandbox/`, a page
/// showing its purchases, request log and faults. NULL when `sandbox` is NULL.
///
/// Lifetime: the string belongs to the sandbox, valid until `nowgg_sandbox_free`; never
/// free it.
#[no_mangle]
pub unsafe extern "C" fn nowgg_sandbox_console_url(sandbox: *const nowgg_sandbox) -> *const c_char {
    ffi_panic_boundary! {
        borrow(sandbox, "sandbox").map_or(ptr::null(), |s| s.console_url.as_ptr())
    }
}

/// The API key the sandbox accepts (the one it was started with). NULL when `sandbox`
/// is NULL.
///
/// Lifetime: the string belongs to the sandbox, valid until `nowgg_sandbox_free`; never
/// free it.
#[no_mangle]
pub unsafe extern "C" fn nowgg_sandbox_api_key(sandbox: *const nowgg_sandbox) -> *const c_char {
    ffi_panic_boundary! {
        borrow(sandbox, "sandbox").map_or(ptr::null(), |s| s.api_key.as_ptr())
    }
}

/// Adds a purchase described by `spec` (NULL: every default; see
/// `nowgg_sandbox_purchase_spec`) and writes its token to `*token_out`: a new string the
/// caller frees with `nowgg_sandbox_string_free`. A verify of that token then answers
/// the purchase, shaped like the vendor's sample.
///
/// Fails with `NOWGG_INVALID_ARGUMENT` for a NULL `sandbox` or `token_out`, a string
/// that is not UTF-8, an unknown store, a `data_json` that is not a JSON object, or an
/// empty token; `*token_out` is then untouched.
#[no_mangle]
pub unsafe extern "C" fn nowgg_sandbox_add_purchase(
    sandbox: *const nowgg_sandbox,
    spec: *const nowgg_sandbox_purchase_spec,
    token_out: *mut *mut c_char,
    err_out: *mut *mut nowgg_error,
) -> nowgg_status {
    ffi_panic_boundary! { err_out = err_out;
        let sandbox = borrow(sandbox, "sandbox")?;
        let out = out_slot(token_out, "token_out")?;
        let purchase = NewPurchase::from(read_spec(spec)?);
        let token = sandbox
            .sandbox
            .add_purchase(purchase)
            .map_err(|e| invalid(format!("the sandbox refused the purchase: {e}")))?;
        *out = owned_string(&token);
        Ok(())
    }
}

/// Queues one fault, or several, for the next API requests: `fault_json` is the JSON
/// text the control API's `POST /_sandbox/faults` takes, one fault object or an array of
/// them. A fault has an `"action"`: `none`, `hang`, `drop_before`, `drop_after` (the call
/// takes effect, then the connection drops: a lost answer), `status` (with `status`,
/// `body`, `headers`, `content_type`), `json` (`status`, `body`), `api_code` (`code`,
/// `msg`, `status`), `malformed`, `empty` or `oversized` (`bytes`); and optionally
/// `"match"` (`"any"`, `"verify"`, `"consume"` or a path), `"count"` (how many requests
/// it hits, 1) and `"delay_ms"`. For example `{"action": "status", "status": 503}` or
/// `{"action": "drop_after", "match": "consume"}`.
///
/// `fault_json` is borrowed for the call only. Fails with `NOWGG_INVALID_ARGUMENT` when
/// it is NULL, not UTF-8, or not a valid fault (the message says why); nothing is queued
/// then.
#[no_mangle]
pub unsafe extern "C" fn nowgg_sandbox_add_fault(
    sandbox: *const nowgg_sandbox,
    fault_json: *const c_char,
    err_out: *mut *mut nowgg_error,
) -> nowgg_status {
    ffi_panic_boundary! { err_out = err_out;
        let sandbox = borrow(sandbox, "sandbox")?;
        let text = required(fault_json, "fault_json")?;
        let faults = Fault::parse_list(text.as_bytes())
            .map_err(|e| invalid(format!("fault_json is not a valid fault: {e}")))?;
        sandbox.sandbox.add_faults(faults);
        Ok(())
    }
}

/// The stored purchase with this token, as the JSON text of the `data` object
/// verifyPurchase answers with (the same state the control API shows: a consume shows
/// as `"consumptionState": 1`). `token` is borrowed for the call only.
///
/// On success writes to `*json_out` a new string the caller frees with
/// `nowgg_sandbox_string_free`, or NULL when no purchase has that token.
#[no_mangle]
pub unsafe extern "C" fn nowgg_sandbox_purchase(
    sandbox: *const nowgg_sandbox,
    token: *const c_char,
    json_out: *mut *mut c_char,
    err_out: *mut *mut nowgg_error,
) -> nowgg_status {
    ffi_panic_boundary! { err_out = err_out;
        let sandbox = borrow(sandbox, "sandbox")?;
        let token = required(token, "token")?;
        let out = out_slot(json_out, "json_out")?;
        *out = match sandbox.sandbox.purchase(token) {
            Some(data) => owned_string(&data.to_string()),
            None => ptr::null_mut(),
        };
        Ok(())
    }
}

/// The API requests received since the start or the last reset, oldest first, as the
/// JSON text of an array of the control API's request records (`method`, `path`,
/// `headers` without `authorization`, `form`, `call`, `token_start`, `code`, `status`,
/// `fault`...).
///
/// On success writes to `*json_out` a new string the caller frees with
/// `nowgg_sandbox_string_free`.
#[no_mangle]
pub unsafe extern "C" fn nowgg_sandbox_requests(
    sandbox: *const nowgg_sandbox,
    json_out: *mut *mut c_char,
    err_out: *mut *mut nowgg_error,
) -> nowgg_status {
    ffi_panic_boundary! { err_out = err_out;
        let sandbox = borrow(sandbox, "sandbox")?;
        let out = out_slot(json_out, "json_out")?;
        let log = serde_json::to_string(&sandbox.sandbox.requests())
            .map_err(|_| Error::internal("nowgg_sandbox_requests"))?;
        *out = owned_string(&log);
        Ok(())
    }
}

/// Puts the sandbox back as it started: the vendor's sample purchases only (those added
/// are gone), no fault queued, an empty request log. The URL and port stay.
#[no_mangle]
pub unsafe extern "C" fn nowgg_sandbox_reset(
    sandbox: *const nowgg_sandbox,
    err_out: *mut *mut nowgg_error,
) -> nowgg_status {
    ffi_panic_boundary! { err_out = err_out;
        borrow(sandbox, "sandbox")?.sandbox.reset();
        Ok(())
    }
}

/// Frees a string a `nowgg_sandbox_*` call handed out (a token, a JSON text). NULL is
/// ignored. Free each at most once, and only those strings.
#[no_mangle]
pub unsafe extern "C" fn nowgg_sandbox_string_free(text: *mut c_char) {
    ffi_panic_boundary! {
        if !text.is_null() {
            drop(CString::from_raw(text));
        }
    }
}

#[cfg(test)]
mod tests {
    use ::nowgg_sandbox::Store;
    use serde_json::json;

    use super::*;

    #[test]
    fn a_null_spec_is_a_paid_unconsumed_purchase() {
        let data = NewPurchase::from(unsafe { read_spec(ptr::null()) }.unwrap()).data;
        assert_eq!(data["purchaseState"], json!(1));
        assert_eq!(data["consumptionState"], json!(0));
        assert_eq!(data["productId"], json!("gems_100"));
        assert_eq!(data["payStatusTxt"], json!("Paid"));
    }

    #[test]
    fn spec_fields_apply_and_raw_data_overrides() {
        let spec = nowgg_sandbox_purchase_spec {
            product_id: c"gems_500".as_ptr(),
            package_name: ptr::null(),
            unpaid: true,
            consumed: false,
            test_order: true,
            store: c"xiaomi".as_ptr(),
            token: ptr::null(),
            order_id: ptr::null(),
            data_json: c"{\"orderAmount\": \"5.00\"}".as_ptr(),
        };
        let spec = unsafe { read_spec(&spec) }.unwrap();
        assert_eq!(spec.store, Store::Xiaomi);
        let data = NewPurchase::from(spec).data;
        assert_eq!(data["purchaseState"], json!(0));
        assert_eq!(data["isTestOrder"], json!(true));
        assert_eq!(data["sellerGoodsId"], json!("gems_500"));
        assert_eq!(data["orderAmount"], json!("5.00"));
    }
}
