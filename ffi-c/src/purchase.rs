//! `nowgg_purchase`: a verified purchase, with a getter for every field. Each string is
//! copied to C on its first read and lent out from then on.

use std::ffi::{c_char, CString};
use std::ptr;
use std::sync::OnceLock;

use nowgg::{JsonValue, Purchase, STRING_FIELD_COUNT};

use crate::handle::{borrow, write_present, BoxHandle};
use crate::text::{self, c_string};

/// A verified purchase: the `data` object of a successful verifyPurchase.
///
/// Ownership: made by `nowgg_verify_purchase`, owned by the caller, freed with
/// `nowgg_purchase_free` (at most once).
///
/// Lifetime of strings: every `const char*` a `nowgg_purchase_*` getter returns is
/// NUL-terminated UTF-8 owned by the purchase, valid until `nowgg_purchase_free`; copy
/// it to keep it longer, never free it. Reading the same field again gives the same
/// pointer. A value holding a NUL character is cut there (`nowgg_purchase_raw_json`
/// keeps it, escaped).
///
/// Optional numbers use the has/value convention: the getter returns true and writes
/// `*out` when the value is present, false (leaving `*out` alone) when it is absent,
/// null or not a number. `out` may be NULL to test presence only.
///
/// Thread-safety: its values never change; every getter may be called from several
/// threads at once. NULL `purchase` gives NULL, or false.
pub struct nowgg_purchase {
    purchase: Purchase,
    /// The C copy of each string field, in `Purchase::string_fields` order.
    ///
    /// Made by the first getter that reads the field, not up front: callers often read
    /// a few fields or none (`nowgg_purchase_is_paid` needs no string), and copying all
    /// of them and serialising `raw_json` for every purchase cost a quarter of a
    /// verify's instructions. `OnceLock` lets racing first reads agree on
    /// one copy, and a filled cell is never replaced, so pointers lent out stay valid
    /// until the purchase is freed.
    strings: [OnceLock<Option<CString>>; STRING_FIELD_COUNT],
    /// The raw `data` object as JSON text, made on first read like `strings`.
    raw_json: OnceLock<CString>,
}

impl BoxHandle for nowgg_purchase {}

impl nowgg_purchase {
    pub(crate) fn new(purchase: Purchase) -> nowgg_purchase {
        nowgg_purchase {
            purchase,
            strings: [const { OnceLock::new() }; STRING_FIELD_COUNT],
            raw_json: OnceLock::new(),
        }
    }

    /// The C copy of the string field the vendor calls `api_name`, made on first read.
    fn string(&self, api_name: &str) -> Option<&CString> {
        let fields = self.purchase.string_fields();
        let index = fields.iter().position(|(name, _)| *name == api_name)?;
        self.strings[index]
            .get_or_init(|| fields[index].1.map(c_string))
            .as_ref()
    }

    /// The raw `data` object as C JSON text, made on first read.
    fn raw_json(&self) -> &CString {
        self.raw_json
            .get_or_init(|| c_string(&JsonValue::Object(self.purchase.raw().clone()).to_string()))
    }
}

/// The string field the vendor calls `api_name`, or NULL.
unsafe fn string_field(purchase: *const nowgg_purchase, api_name: &str) -> *const c_char {
    let Ok(purchase) = borrow(purchase, "purchase") else {
        return ptr::null();
    };
    purchase
        .string(api_name)
        .map_or(ptr::null(), |value| value.as_ptr())
}

/// Reads the Rust purchase behind `purchase`, or `None` when it is NULL.
unsafe fn with<T>(purchase: *const nowgg_purchase, read: impl FnOnce(&Purchase) -> T) -> Option<T> {
    borrow(purchase, "purchase").ok().map(|p| read(&p.purchase))
}

/// The `purchaseState` (0 unpaid, 1 paid, 2 failed; other values kept as sent), with
/// the has/value convention.
#[no_mangle]
pub unsafe extern "C" fn nowgg_purchase_purchase_state(
    purchase: *const nowgg_purchase,
    state_out: *mut i64,
) -> bool {
    ffi_panic_boundary! {
        let state = with(purchase, |p| p.purchase_state().map(|s| s.code())).flatten();
        write_present(state, state_out)
    }
}

/// The `consumptionState` (0 not consumed, 1 consumed; other values kept as sent), with
/// the has/value convention.
#[no_mangle]
pub unsafe extern "C" fn nowgg_purchase_consumption_state(
    purchase: *const nowgg_purchase,
    state_out: *mut i64,
) -> bool {
    ffi_panic_boundary! {
        let state = with(purchase, |p| p.consumption_state().map(|s| s.code())).flatten();
        write_present(state, state_out)
    }
}

/// The purchase time in milliseconds since the Unix epoch, with the has/value
/// convention. `purchaseTime` is documented in seconds but sampled in milliseconds:
/// values of 10^12 and more are taken as milliseconds, smaller ones as seconds; falls
/// back to `purchaseTimeMillis`.
#[no_mangle]
pub unsafe extern "C" fn nowgg_purchase_time_ms(
    purchase: *const nowgg_purchase,
    time_ms_out: *mut i64,
) -> bool {
    ffi_panic_boundary! {
        write_present(with(purchase, Purchase::purchase_time_ms).flatten(), time_ms_out)
    }
}

/// True when the purchase is paid (`purchaseState` 1): the product may be granted.
#[no_mangle]
pub unsafe extern "C" fn nowgg_purchase_is_paid(purchase: *const nowgg_purchase) -> bool {
    ffi_panic_boundary! { with(purchase, Purchase::is_paid).unwrap_or(false) }
}

/// True when the purchase is consumed (`consumptionState` 1): never grant it again.
#[no_mangle]
pub unsafe extern "C" fn nowgg_purchase_is_consumed(purchase: *const nowgg_purchase) -> bool {
    ffi_panic_boundary! { with(purchase, Purchase::is_consumed).unwrap_or(false) }
}

/// True when the vendor marks this as a test order (`isTestOrder`).
#[no_mangle]
pub unsafe extern "C" fn nowgg_purchase_is_test_order(purchase: *const nowgg_purchase) -> bool {
    ffi_panic_boundary! { with(purchase, Purchase::is_test_order).unwrap_or(false) }
}

/// The whole `data` object as the vendor sent it, unknown fields included, as compact
/// JSON text (key order may differ). Borrowed from `purchase`.
#[no_mangle]
pub unsafe extern "C" fn nowgg_purchase_raw_json(purchase: *const nowgg_purchase) -> *const c_char {
    ffi_panic_boundary! {
        borrow(purchase, "purchase").map_or(ptr::null(), |p| p.raw_json().as_ptr())
    }
}

/// Frees a purchase and every string it lent. NULL is ignored. Call it at most once.
#[no_mangle]
pub unsafe extern "C" fn nowgg_purchase_free(purchase: *mut nowgg_purchase) {
    ffi_panic_boundary! {
        nowgg_purchase::free(purchase)
    }
}

/// Whether a purchase token comes from now.gg's No Code Payment flow (it starts with
/// `"-nowgg-"`): how a backend taking several stores routes it here. False for NULL or
/// invalid UTF-8. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn nowgg_is_nowgg_token(token: *const c_char) -> bool {
    ffi_panic_boundary! {
        text::optional(token, "token").ok().flatten().is_some_and(nowgg::is_nowgg_token)
    }
}

/// The app's id (the same as its Payment ID).
///
/// The vendor's `appId`; NULL when absent or null. Borrowed from `purchase`.
#[no_mangle]
pub unsafe extern "C" fn nowgg_purchase_app_id(purchase: *const nowgg_purchase) -> *const c_char {
    ffi_panic_boundary! { string_field(purchase, "appId") }
}

/// The buyer's country at purchase time; some stores send null.
///
/// The vendor's `countryCode`; NULL when absent or null. Borrowed from `purchase`.
#[no_mangle]
pub unsafe extern "C" fn nowgg_purchase_country_code(
    purchase: *const nowgg_purchase,
) -> *const c_char {
    ffi_panic_boundary! { string_field(purchase, "countryCode") }
}

/// The currency, e.g. `"USD"`.
///
/// The vendor's `currency`; NULL when absent or null. Borrowed from `purchase`.
#[no_mangle]
pub unsafe extern "C" fn nowgg_purchase_currency(purchase: *const nowgg_purchase) -> *const c_char {
    ffi_panic_boundary! { string_field(purchase, "currency") }
}

/// The string the game attached to the order.
///
/// The vendor's `developerPayload`; NULL when absent or null. Borrowed from `purchase`.
#[no_mangle]
pub unsafe extern "C" fn nowgg_purchase_developer_payload(
    purchase: *const nowgg_purchase,
) -> *const c_char {
    ffi_panic_boundary! { string_field(purchase, "developerPayload") }
}

/// `"release"` or `"sandbox"`.
///
/// The vendor's `environment`; NULL when absent or null. Borrowed from `purchase`.
#[no_mangle]
pub unsafe extern "C" fn nowgg_purchase_environment(
    purchase: *const nowgg_purchase,
) -> *const c_char {
    ffi_panic_boundary! { string_field(purchase, "environment") }
}

/// Always `"nowgg#productPurchase"` where sent.
///
/// The vendor's `kind`; NULL when absent or null. Borrowed from `purchase`.
#[no_mangle]
pub unsafe extern "C" fn nowgg_purchase_kind(purchase: *const nowgg_purchase) -> *const c_char {
    ffi_panic_boundary! { string_field(purchase, "kind") }
}

/// The amount, kept as text (money is never a float), e.g. `"25.15"`.
///
/// The vendor's `orderAmount`; NULL when absent or null. Borrowed from `purchase`.
#[no_mangle]
pub unsafe extern "C" fn nowgg_purchase_order_amount(
    purchase: *const nowgg_purchase,
) -> *const c_char {
    ffi_panic_boundary! { string_field(purchase, "orderAmount") }
}

/// The unique transaction id.
///
/// The vendor's `orderId`; NULL when absent or null. Borrowed from `purchase`.
#[no_mangle]
pub unsafe extern "C" fn nowgg_purchase_order_id(purchase: *const nowgg_purchase) -> *const c_char {
    ffi_panic_boundary! { string_field(purchase, "orderId") }
}

/// The app's package name.
///
/// The vendor's `packageName`; NULL when absent or null. Borrowed from `purchase`.
#[no_mangle]
pub unsafe extern "C" fn nowgg_purchase_package_name(
    purchase: *const nowgg_purchase,
) -> *const c_char {
    ffi_panic_boundary! { string_field(purchase, "packageName") }
}

/// `"Paid"` or `"Unpaid"`.
///
/// The vendor's `payStatusTxt`; NULL when absent or null. Borrowed from `purchase`.
#[no_mangle]
pub unsafe extern "C" fn nowgg_purchase_pay_status_txt(
    purchase: *const nowgg_purchase,
) -> *const c_char {
    ffi_panic_boundary! { string_field(purchase, "payStatusTxt") }
}

/// When the payment happened, as the vendor formats it.
///
/// The vendor's `payTimeTxt`; NULL when absent or null. Borrowed from `purchase`.
#[no_mangle]
pub unsafe extern "C" fn nowgg_purchase_pay_time_txt(
    purchase: *const nowgg_purchase,
) -> *const c_char {
    ffi_panic_boundary! { string_field(purchase, "payTimeTxt") }
}

/// The product bought.
///
/// The vendor's `productId`; NULL when absent or null. Borrowed from `purchase`.
#[no_mangle]
pub unsafe extern "C" fn nowgg_purchase_product_id(
    purchase: *const nowgg_purchase,
) -> *const c_char {
    ffi_panic_boundary! { string_field(purchase, "productId") }
}

/// The product's name.
///
/// The vendor's `productName`; NULL when absent or null. Borrowed from `purchase`.
#[no_mangle]
pub unsafe extern "C" fn nowgg_purchase_product_name(
    purchase: *const nowgg_purchase,
) -> *const c_char {
    ffi_panic_boundary! { string_field(purchase, "productName") }
}

/// The purchase time as sent (seconds or milliseconds: prefer
/// `nowgg_purchase_time_ms`).
///
/// The vendor's `purchaseTime`; NULL when absent or null. Borrowed from `purchase`.
#[no_mangle]
pub unsafe extern "C" fn nowgg_purchase_purchase_time(
    purchase: *const nowgg_purchase,
) -> *const c_char {
    ffi_panic_boundary! { string_field(purchase, "purchaseTime") }
}

/// Deprecated by the vendor in favour of `purchaseTime`.
///
/// The vendor's `purchaseTimeMillis`; NULL when absent or null. Borrowed from `purchase`.
#[no_mangle]
pub unsafe extern "C" fn nowgg_purchase_purchase_time_millis(
    purchase: *const nowgg_purchase,
) -> *const c_char {
    ffi_panic_boundary! { string_field(purchase, "purchaseTimeMillis") }
}

/// The purchase token.
///
/// The vendor's `purchaseToken`; NULL when absent or null. Borrowed from `purchase`.
#[no_mangle]
pub unsafe extern "C" fn nowgg_purchase_purchase_token(
    purchase: *const nowgg_purchase,
) -> *const c_char {
    ffi_panic_boundary! { string_field(purchase, "purchaseToken") }
}

/// The ISO 3166-1 alpha-2 billing region.
///
/// The vendor's `regionCode`; NULL when absent or null. Borrowed from `purchase`.
#[no_mangle]
pub unsafe extern "C" fn nowgg_purchase_region_code(
    purchase: *const nowgg_purchase,
) -> *const c_char {
    ffi_panic_boundary! { string_field(purchase, "regionCode") }
}

/// The same as `productId`, kept by the vendor for older clients.
///
/// The vendor's `sellerGoodsId`; NULL when absent or null. Borrowed from `purchase`.
#[no_mangle]
pub unsafe extern "C" fn nowgg_purchase_seller_goods_id(
    purchase: *const nowgg_purchase,
) -> *const c_char {
    ffi_panic_boundary! { string_field(purchase, "sellerGoodsId") }
}

#[cfg(test)]
mod tests {
    use std::ffi::CStr;

    use super::*;

    type Getter = unsafe extern "C" fn(*const nowgg_purchase) -> *const c_char;

    /// Every string getter, with the vendor's name of the field it must return.
    const GETTERS: [(&str, Getter); STRING_FIELD_COUNT] = [
        ("appId", nowgg_purchase_app_id),
        ("countryCode", nowgg_purchase_country_code),
        ("currency", nowgg_purchase_currency),
        ("developerPayload", nowgg_purchase_developer_payload),
        ("environment", nowgg_purchase_environment),
        ("kind", nowgg_purchase_kind),
        ("orderAmount", nowgg_purchase_order_amount),
        ("orderId", nowgg_purchase_order_id),
        ("packageName", nowgg_purchase_package_name),
        ("payStatusTxt", nowgg_purchase_pay_status_txt),
        ("payTimeTxt", nowgg_purchase_pay_time_txt),
        ("productId", nowgg_purchase_product_id),
        ("productName", nowgg_purchase_product_name),
        ("purchaseTime", nowgg_purchase_purchase_time),
        ("purchaseTimeMillis", nowgg_purchase_purchase_time_millis),
        ("purchaseToken", nowgg_purchase_purchase_token),
        ("regionCode", nowgg_purchase_region_code),
        ("sellerGoodsId", nowgg_purchase_seller_goods_id),
    ];

    fn purchase(data: JsonValue) -> *mut nowgg_purchase {
        let JsonValue::Object(map) = data else {
            unreachable!("test data is an object")
        };
        nowgg_purchase::new(Purchase::from_data(map)).into_raw()
    }

    unsafe fn text(ptr: *const c_char) -> Option<String> {
        (!ptr.is_null()).then(|| CStr::from_ptr(ptr).to_str().unwrap().to_owned())
    }

    #[test]
    fn each_string_getter_returns_its_own_field() {
        let data = GETTERS
            .iter()
            .map(|(name, _)| {
                (
                    name.to_string(),
                    JsonValue::from(format!("value of {name}")),
                )
            })
            .collect();
        let p = purchase(JsonValue::Object(data));
        for (name, getter) in GETTERS {
            assert_eq!(unsafe { text(getter(p)) }, Some(format!("value of {name}")));
        }
        unsafe { nowgg_purchase_free(p) };
    }

    #[test]
    fn absent_values_are_null_or_false() {
        let p = purchase(serde_json_object(
            r#"{"purchaseState": null, "extra": "a\u0000b"}"#,
        ));
        unsafe {
            for (_, getter) in GETTERS {
                assert!(getter(p).is_null());
            }
            let mut state = -1;
            assert!(!nowgg_purchase_purchase_state(p, &mut state));
            assert_eq!(state, -1, "left alone when absent");
            assert!(!nowgg_purchase_time_ms(p, ptr::null_mut()));
            assert!(!nowgg_purchase_is_paid(p));
            assert_eq!(
                text(nowgg_purchase_raw_json(p)).unwrap(),
                r#"{"extra":"a\u0000b","purchaseState":null}"#
            );
            nowgg_purchase_free(p);
        }
    }

    #[test]
    fn numbers_follow_the_has_value_convention() {
        let p = purchase(serde_json_object(
            r#"{"purchaseState": "1", "consumptionState": 0, "purchaseTime": 1630529397}"#,
        ));
        let (mut state, mut consumed, mut time) = (0, -1, 0);
        unsafe {
            assert!(nowgg_purchase_purchase_state(p, &mut state));
            assert!(nowgg_purchase_consumption_state(p, &mut consumed));
            assert!(nowgg_purchase_time_ms(p, &mut time));
            assert!(nowgg_purchase_is_paid(p) && !nowgg_purchase_is_consumed(p));
            nowgg_purchase_free(p);
        }
        assert_eq!((state, consumed, time), (1, 0, 1_630_529_397_000));
    }

    #[test]
    fn strings_are_made_once_and_shared_by_racing_readers() {
        let p = purchase(serde_json_object(r#"{"orderId": "o-1", "extra": [1, 2]}"#));
        let address = p as usize;
        let read = move || unsafe {
            let p = address as *const nowgg_purchase;
            let pointers = GETTERS.map(|(_, getter)| getter(p) as usize);
            (pointers, nowgg_purchase_raw_json(p) as usize)
        };
        let readers: Vec<_> = (0..8).map(|_| std::thread::spawn(read)).collect();
        let seen: Vec<_> = readers.into_iter().map(|r| r.join().unwrap()).collect();
        assert!(
            seen.iter().all(|pointers| *pointers == seen[0]),
            "every reader is lent the same copies"
        );
        assert_eq!(read(), seen[0], "a later read is lent them again");
        unsafe {
            assert_eq!(text(nowgg_purchase_order_id(p)).as_deref(), Some("o-1"));
            assert!(nowgg_purchase_app_id(p).is_null());
            assert_eq!(
                text(nowgg_purchase_raw_json(p)).unwrap(),
                r#"{"extra":[1,2],"orderId":"o-1"}"#
            );
            nowgg_purchase_free(p);
        }
    }

    #[test]
    fn null_purchase_and_null_token() {
        unsafe {
            assert!(nowgg_purchase_app_id(ptr::null()).is_null());
            assert!(!nowgg_purchase_is_paid(ptr::null()));
            nowgg_purchase_free(ptr::null_mut());
            assert!(!nowgg_is_nowgg_token(ptr::null()));
            assert!(nowgg_is_nowgg_token(c"-nowgg-abc".as_ptr()));
        }
    }

    fn serde_json_object(json: &str) -> JsonValue {
        json.parse().unwrap()
    }
}
