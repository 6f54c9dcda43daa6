//! `nowgg_grant_policy`: what a purchase must be for this game's server to grant it, and
//! the two calls that check it.

use std::ffi::c_char;
use std::mem;

use nowgg::{Error, GrantPolicy};

use crate::client::{nowgg_client, verify_into};
use crate::error::nowgg_error;
use crate::handle::{borrow, borrow_mut, out_slot, BoxHandle};
use crate::purchase::nowgg_purchase;
use crate::status::nowgg_status;
use crate::text;

/// A grant policy: a package name, the accepted product ids, whether test orders may be
/// granted. A new policy only asks for a paid, unconsumed, real (not test) purchase.
///
/// Ownership: made by `nowgg_grant_policy_new`, owned by the caller, freed with
/// `nowgg_grant_policy_free` (at most once). The calls taking it only read it, and the
/// async ones copy it before they return: free it whenever convenient.
///
/// Thread-safety: calls that read it (`const nowgg_grant_policy*`) may share it between
/// threads; change it from one thread at a time, while no call reads it.
pub struct nowgg_grant_policy {
    policy: GrantPolicy,
}

impl BoxHandle for nowgg_grant_policy {}

impl nowgg_grant_policy {
    pub(crate) fn policy(&self) -> &GrantPolicy {
        &self.policy
    }
}

/// Applies one change to the policy behind `policy` (NULL is `INVALID_ARGUMENT`).
unsafe fn update(
    policy: *mut nowgg_grant_policy,
    change: impl FnOnce(GrantPolicy) -> GrantPolicy,
) -> Result<(), Error> {
    let policy = borrow_mut(policy, "policy")?;
    policy.policy = change(mem::take(&mut policy.policy));
    Ok(())
}

/// Starts a policy that asks for a paid, unconsumed, real purchase of any product of any
/// package; narrow it with the `nowgg_grant_policy_*` setters. On success writes it to
/// `*policy_out`.
#[no_mangle]
pub unsafe extern "C" fn nowgg_grant_policy_new(
    policy_out: *mut *mut nowgg_grant_policy,
    err_out: *mut *mut nowgg_error,
) -> nowgg_status {
    ffi_panic_boundary! { err_out = err_out;
        let out = out_slot(policy_out, "policy_out")?;
        *out = nowgg_grant_policy { policy: GrantPolicy::new() }.into_raw();
        Ok(())
    }
}

/// The purchase's `packageName` must be `package_name` (your game's), else
/// `NOWGG_PACKAGE_MISMATCH`. The string is copied.
#[no_mangle]
pub unsafe extern "C" fn nowgg_grant_policy_set_package_name(
    policy: *mut nowgg_grant_policy,
    package_name: *const c_char,
    err_out: *mut *mut nowgg_error,
) -> nowgg_status {
    ffi_panic_boundary! { err_out = err_out;
        let name = text::required(package_name, "package_name")?;
        update(policy, |p| p.package_name(name))
    }
}

/// Accepts `product_id` (call once per product; with none, any product passes). A
/// purchase's product is its `productId`, or its `sellerGoodsId` where `productId` is
/// absent (No Code purchases); any other is `NOWGG_PRODUCT_MISMATCH`. The string is
/// copied.
#[no_mangle]
pub unsafe extern "C" fn nowgg_grant_policy_add_product_id(
    policy: *mut nowgg_grant_policy,
    product_id: *const c_char,
    err_out: *mut *mut nowgg_error,
) -> nowgg_status {
    ffi_panic_boundary! { err_out = err_out;
        let id = text::required(product_id, "product_id")?;
        update(policy, |p| p.product_id(id))
    }
}

/// Whether test orders (`isTestOrder` true) may be granted; by default they are refused
/// with `NOWGG_TEST_ORDER`.
#[no_mangle]
pub unsafe extern "C" fn nowgg_grant_policy_allow_test_orders(
    policy: *mut nowgg_grant_policy,
    allow: bool,
    err_out: *mut *mut nowgg_error,
) -> nowgg_status {
    ffi_panic_boundary! { err_out = err_out;
        update(policy, |p| p.allow_test_orders(allow))
    }
}

/// Frees a policy. NULL is ignored. Call it at most once.
#[no_mangle]
pub unsafe extern "C" fn nowgg_grant_policy_free(policy: *mut nowgg_grant_policy) {
    ffi_panic_boundary! {
        nowgg_grant_policy::free(policy)
    }
}

/// Step 1 of a grant: verifies a purchase token (like `nowgg_verify_purchase`), then
/// checks the purchase against `policy` (like `nowgg_purchase_check`).
///
/// On success writes the purchase to `*purchase_out` (free it with
/// `nowgg_purchase_free`). Next: record the grant under `nowgg_purchase_order_id` in
/// your own database, a unique key (an existing row means it was delivered already:
/// stop); grant, in the same transaction where you can; then `nowgg_consume_purchase`.
///
/// Refusals: `NOWGG_NOT_PAID`, `NOWGG_ALREADY_CONSUMED`, `NOWGG_PACKAGE_MISMATCH`,
/// `NOWGG_PRODUCT_MISMATCH`, `NOWGG_TEST_ORDER` (no purchase is written then), besides
/// the failures of `nowgg_verify_purchase`.
#[no_mangle]
pub unsafe extern "C" fn nowgg_verify_for_grant(
    client: *const nowgg_client,
    token: *const c_char,
    policy: *const nowgg_grant_policy,
    purchase_out: *mut *mut nowgg_purchase,
    err_out: *mut *mut nowgg_error,
) -> nowgg_status {
    ffi_panic_boundary! { err_out = err_out;
        let policy = borrow(policy, "policy")?;
        verify_into(client, token, purchase_out, |c, token| {
            c.verify_for_grant(token, policy.policy())
        })
    }
}

/// Checks a purchase already verified against `policy`, without any I/O: `NOWGG_OK`, or
/// the first refusal of `NOWGG_NOT_PAID`, `NOWGG_ALREADY_CONSUMED`,
/// `NOWGG_PACKAGE_MISMATCH`, `NOWGG_PRODUCT_MISMATCH`, `NOWGG_TEST_ORDER`, in that order.
#[no_mangle]
pub unsafe extern "C" fn nowgg_purchase_check(
    purchase: *const nowgg_purchase,
    policy: *const nowgg_grant_policy,
    err_out: *mut *mut nowgg_error,
) -> nowgg_status {
    ffi_panic_boundary! { err_out = err_out;
        let purchase = borrow(purchase, "purchase")?;
        let policy = borrow(policy, "policy")?;
        purchase.purchase().check(policy.policy())
    }
}
