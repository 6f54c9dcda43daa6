//! `nowgg_purchase`: a verified purchase, with a getter for every field. Each string is
//! copied to C on its first read and lent out from then on. The named string getters
//! (`nowgg_purchase_order_id`...) are generated from the core's field table in
//! `fields.rs`.

use std::ffi::{c_char, CString};
use std::ptr;
use std::sync::OnceLock;

use nowgg::{Purchase, StringField, STRING_FIELD_COUNT};

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
    /// The C copy of each string field, in `StringField::ALL` order.
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

    /// The C copy of the string field at `index` of `StringField::ALL`, made on first
    /// read; `None` when the field is absent or null, or the index is out of range.
    fn string(&self, index: usize) -> Option<&CString> {
        let field = *StringField::ALL.get(index)?;
        self.strings[index]
            .get_or_init(|| self.purchase.string_field(field).map(c_string))
            .as_ref()
    }

    /// The raw `data` object as C JSON text, made on first read.
    fn raw_json(&self) -> &CString {
        self.raw_json
            .get_or_init(|| c_string(&self.purchase.raw_json()))
    }

    /// The Rust purchase, for the grant check.
    pub(crate) fn purchase(&self) -> &Purchase {
        &self.purchase
    }
}

/// The string field at `index` of `StringField::ALL` (see `nowgg_field_name`), or NULL.
unsafe fn string_at(purchase: *const nowgg_purchase, index: usize) -> *const c_char {
    borrow(purchase, "purchase")
        .ok()
        .and_then(|p| p.string(index))
        .map_or(ptr::null(), |value| value.as_ptr())
}

/// One string field of `purchase`, for the generated getters.
pub(crate) unsafe fn string_field(
    purchase: *const nowgg_purchase,
    field: StringField,
) -> *const c_char {
    match StringField::ALL.iter().position(|f| *f == field) {
        Some(index) => string_at(purchase, index),
        None => ptr::null(),
    }
}

/// The string field number `field` (0 to `NOWGG_FIELD_COUNT - 1`, in the order
/// `nowgg_field_name` names them) of `purchase`: the same string its named getter
/// (`nowgg_purchase_order_id`...) lends. NULL when the field is absent or null, `field`
/// is out of range, or `purchase` is NULL. Borrowed from `purchase`.
///
/// For code that handles every field alike (serialisers, test runners); the named
/// getters read better everywhere else.
#[no_mangle]
pub unsafe extern "C" fn nowgg_purchase_field(
    purchase: *const nowgg_purchase,
    field: u32,
) -> *const c_char {
    ffi_panic_boundary! {
        usize::try_from(field).map_or(ptr::null(), |index| string_at(purchase, index))
    }
}

/// The vendor's name of string field number `field` (`"appId"`, `"orderId"`...), for
/// 0 to `NOWGG_FIELD_COUNT - 1`; NULL past the end.
///
/// The string is static: never free it. Thread-safe.
#[no_mangle]
pub extern "C" fn nowgg_field_name(field: u32) -> *const c_char {
    ffi_panic_boundary! {
        static NAMES: OnceLock<Vec<CString>> = OnceLock::new();
        let names = NAMES.get_or_init(|| StringField::ALL.map(|f| c_string(f.api_name())).into());
        usize::try_from(field)
            .ok()
            .and_then(|index| names.get(index))
            .map_or(ptr::null(), |name| name.as_ptr())
    }
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

/// True when the purchase is paid (`purchaseState` 1). `nowgg_purchase_check` checks
/// this and the rest of a grant policy.
#[no_mangle]
pub unsafe extern "C" fn nowgg_purchase_is_paid(purchase: *const nowgg_purchase) -> bool {
    ffi_panic_boundary! { with(purchase, Purchase::is_paid).unwrap_or(false) }
}

/// True when the purchase is consumed (`consumptionState` 1).
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

#[cfg(test)]
mod tests {
    use std::ffi::CStr;

    use nowgg::JsonValue;

    use super::*;
    use crate::fields::{nowgg_purchase_app_id, nowgg_purchase_order_id, GETTERS};

    fn purchase(json: &str) -> *mut nowgg_purchase {
        let Ok(JsonValue::Object(map)) = json.parse() else {
            unreachable!("test data is an object")
        };
        nowgg_purchase::new(Purchase::from_data(map)).into_raw()
    }

    unsafe fn text(ptr: *const c_char) -> Option<String> {
        (!ptr.is_null()).then(|| CStr::from_ptr(ptr).to_str().unwrap().to_owned())
    }

    #[test]
    fn each_string_getter_returns_its_own_field_and_so_does_its_number() {
        let data: nowgg::JsonMap<String, JsonValue> = StringField::ALL
            .iter()
            .map(|f| {
                (
                    f.api_name().to_owned(),
                    format!("value of {}", f.api_name()).into(),
                )
            })
            .collect();
        let p = purchase(&JsonValue::Object(data).to_string());
        for (index, (field, getter)) in GETTERS.into_iter().enumerate() {
            let want = Some(format!("value of {}", field.api_name()));
            let number = u32::try_from(index).unwrap();
            unsafe {
                assert_eq!(text(getter(p)), want);
                assert_eq!(text(nowgg_purchase_field(p, number)), want);
                assert_eq!(getter(p), nowgg_purchase_field(p, number), "one copy lent");
                assert_eq!(
                    text(nowgg_field_name(number)).as_deref(),
                    Some(field.api_name())
                );
            }
        }
        let past_the_end = u32::try_from(STRING_FIELD_COUNT).unwrap();
        unsafe {
            assert!(nowgg_purchase_field(p, past_the_end).is_null());
            assert!(nowgg_field_name(past_the_end).is_null());
            nowgg_purchase_free(p);
        }
    }

    #[test]
    fn absent_values_are_null_or_false() {
        let p = purchase(r#"{"purchaseState": null, "extra": "a\u0000b"}"#);
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
        let p = purchase(
            r#"{"purchaseState": "1", "consumptionState": 0, "purchaseTime": 1630529397}"#,
        );
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
        let p = purchase(r#"{"orderId": "o-1", "extra": [1, 2]}"#);
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
            assert!(nowgg_purchase_field(ptr::null(), 0).is_null());
            assert!(!nowgg_purchase_is_paid(ptr::null()));
            nowgg_purchase_free(ptr::null_mut());
            assert!(!nowgg_is_nowgg_token(ptr::null()));
            assert!(nowgg_is_nowgg_token(c"-nowgg-abc".as_ptr()));
        }
    }
}
