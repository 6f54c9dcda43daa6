//! The `_async` calls: each runs on one of the library's own threads (the core's
//! `Client::spawn`, at most `max_in_flight` at once, further calls queued in order) and
//! hands its result to a C callback on that thread, with the same ownership as the
//! blocking call's outputs.

use std::ffi::{c_char, c_void};
use std::ptr;

use nowgg::{Client, ConsumeOutcome, Error, Purchase};

use crate::client::{consume_request, nowgg_client, nowgg_consume_outcome};
use crate::error::nowgg_error;
use crate::grant::nowgg_grant_policy;
use crate::handle::{borrow, BoxHandle};
use crate::purchase::nowgg_purchase;
use crate::status::nowgg_status;
use crate::text;

/// Receives the result of `nowgg_verify_purchase_async` or `nowgg_verify_for_grant_async`,
/// once, on a library thread.
///
/// - `user_data`: the pointer given to the call, untouched.
/// - `status`: `NOWGG_OK`, or the kind of the failure.
/// - `purchase`: on success a new purchase, owned by the callback (free it with
///   `nowgg_purchase_free`, now or later, on any thread); NULL on failure.
/// - `error`: on failure a new error, owned by the callback (free it with
///   `nowgg_error_free`); NULL on success.
pub type nowgg_purchase_callback = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        status: nowgg_status,
        purchase: *mut nowgg_purchase,
        error: *mut nowgg_error,
    ),
>;

/// Receives the result of `nowgg_consume_purchase_async`, once, on a library thread.
///
/// - `user_data`: the pointer given to the call, untouched.
/// - `status`: `NOWGG_OK`, or the kind of the failure.
/// - `outcome`: on success points to the outcome (`NOWGG_OUTCOME_CONSUMED` or
///   `NOWGG_OUTCOME_ALREADY_CONSUMED`), valid during the callback; NULL on failure.
/// - `error`: on failure a new error, owned by the callback (free it with
///   `nowgg_error_free`); NULL on success.
pub type nowgg_consume_callback = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        status: nowgg_status,
        outcome: *const nowgg_consume_outcome,
        error: *mut nowgg_error,
    ),
>;

/// Where a result goes: the caller's callback and its pointer.
struct Reply<F> {
    callback: F,
    user_data: *mut c_void,
}

// SAFETY: the header asks for a `user_data` the callback may use on a library thread.
unsafe impl<F: Send> Send for Reply<F> {}

impl<F> Reply<F> {
    fn new(callback: Option<F>, user_data: *mut c_void) -> Result<Reply<F>, Error> {
        let callback = callback.ok_or_else(|| text::invalid("callback is NULL".into()))?;
        Ok(Reply {
            callback,
            user_data,
        })
    }
}

type PurchaseFn =
    unsafe extern "C" fn(*mut c_void, nowgg_status, *mut nowgg_purchase, *mut nowgg_error);
type ConsumeFn =
    unsafe extern "C" fn(*mut c_void, nowgg_status, *const nowgg_consume_outcome, *mut nowgg_error);

impl Reply<PurchaseFn> {
    fn send(self, result: Result<Purchase, Error>) {
        let (status, purchase, error) = match result {
            Ok(purchase) => (
                nowgg_status::NOWGG_OK,
                nowgg_purchase::new(purchase).into_raw(),
                ptr::null_mut(),
            ),
            Err(e) => {
                let (status, error) = nowgg_error::handed_out(&e);
                (status, ptr::null_mut(), error)
            }
        };
        // SAFETY: the caller gave a callback of this type, ready to be called once.
        unsafe { (self.callback)(self.user_data, status, purchase, error) }
    }
}

impl Reply<ConsumeFn> {
    fn send(self, result: Result<ConsumeOutcome, Error>) {
        let (status, outcome, error) = match result {
            Ok(outcome) => (
                nowgg_status::NOWGG_OK,
                Some(outcome.into()),
                ptr::null_mut(),
            ),
            Err(e) => {
                let (status, error) = nowgg_error::handed_out(&e);
                (status, None, error)
            }
        };
        let outcome = outcome.as_ref().map_or(ptr::null(), ptr::from_ref);
        // SAFETY: as above; `outcome` lives until the callback returns.
        unsafe { (self.callback)(self.user_data, status, outcome, error) }
    }
}

/// Queues `call` on the client's threads with a copy of the token; its purchase or error
/// goes to the callback. Checks the C arguments first, so nothing is queued when one is
/// wrong.
unsafe fn spawn_purchase(
    client: *const nowgg_client,
    token: *const c_char,
    callback: nowgg_purchase_callback,
    user_data: *mut c_void,
    call: impl FnOnce(&Client, &str) -> Result<Purchase, Error> + Send + 'static,
) -> Result<(), Error> {
    let client = borrow(client, "client")?.client();
    let token = text::required(token, "token")?.to_owned();
    let reply = Reply::new(callback, user_data)?;
    client.spawn(move |c| call(c, &token), move |result| reply.send(result))
}

/// `nowgg_verify_purchase` on a library thread: returns at once, and `callback` receives
/// the purchase or the error.
///
/// Returns `NOWGG_OK` when the call is queued: then `callback` is called exactly once,
/// with `user_data`. Returns `NOWGG_INVALID_ARGUMENT` for a NULL `client` or `callback`,
/// or a NULL or non-UTF-8 `token`, and `NOWGG_INTERNAL` when the system refuses to start
/// a thread and none of the library's is running: then `callback` is never called. The
/// token is copied before this returns; every other failure (the core's checks of the
/// token included) reaches the callback. The call's deadline starts now: one that waits
/// for a thread past it reaches the callback as `NOWGG_TIMEOUT`, unsent.
///
/// The callback runs on one of the library's threads (named `nowgg-payments`; at most
/// `max_in_flight` run calls at once), never on the caller's, and may run before this
/// function returns. It may call this library, free the client included, start another
/// async call and wait for it (a thread in a callback does not run calls: another takes
/// them), and owns what it receives. It must not unwind (no C++ exception or longjmp may
/// leave it), and `user_data` must be usable from that thread.
#[no_mangle]
pub unsafe extern "C" fn nowgg_verify_purchase_async(
    client: *const nowgg_client,
    token: *const c_char,
    callback: nowgg_purchase_callback,
    user_data: *mut c_void,
    err_out: *mut *mut nowgg_error,
) -> nowgg_status {
    ffi_panic_boundary! { err_out = err_out;
        spawn_purchase(client, token, callback, user_data, |c, token| c.verify_purchase(token))
    }
}

/// `nowgg_verify_for_grant` on a library thread, with the rules of
/// `nowgg_verify_purchase_async`. The policy is copied before this returns.
#[no_mangle]
pub unsafe extern "C" fn nowgg_verify_for_grant_async(
    client: *const nowgg_client,
    token: *const c_char,
    policy: *const nowgg_grant_policy,
    callback: nowgg_purchase_callback,
    user_data: *mut c_void,
    err_out: *mut *mut nowgg_error,
) -> nowgg_status {
    ffi_panic_boundary! { err_out = err_out;
        let policy = borrow(policy, "policy")?.policy().clone();
        spawn_purchase(client, token, callback, user_data, move |c, token| {
            c.verify_for_grant(token, &policy)
        })
    }
}

/// `nowgg_consume_purchase` on a library thread, with the rules of
/// `nowgg_verify_purchase_async`: `callback` receives the outcome or the error. Every
/// string is copied before this returns; a NULL or non-UTF-8 one (or an unknown store)
/// is `NOWGG_INVALID_ARGUMENT` at once.
#[no_mangle]
pub unsafe extern "C" fn nowgg_consume_purchase_async(
    client: *const nowgg_client,
    token: *const c_char,
    store: *const c_char,
    product_id: *const c_char,
    currency: *const c_char,
    developer_payload: *const c_char,
    callback: nowgg_consume_callback,
    user_data: *mut c_void,
    err_out: *mut *mut nowgg_error,
) -> nowgg_status {
    ffi_panic_boundary! { err_out = err_out;
        let client = borrow(client, "client")?.client();
        let request = consume_request(token, store, product_id, currency, developer_payload)?;
        let reply = Reply::new(callback, user_data)?;
        client.spawn(move |c| c.consume_purchase(&request), move |result| reply.send(result))
    }
}
