//! The verified purchase as JavaScript sees it, and the constants for its states.
//!
//! The purchase crosses to JavaScript as the JSON text of the core's
//! `Purchase::to_json`, built on the library's thread and turned into a plain object by
//! `JSON.parse` in index.js: one string for napi instead of ~25 property sets plus a
//! property-by-property copy of `raw` on the event loop, and V8's parser builds the same
//! object faster. So the struct below is never built: it is the declaration of that
//! object in native.d.ts, generated from the core's field table so that a field added
//! there reaches the typings (and the doc text written there is the one users read).

use napi_derive::napi;
use nowgg_payments::StringField;

/// Declares `Purchase` from the core's string-field table (`for_each_string_field!`).
/// The doc and name tokens are matched as `tt`: napi-derive reads doc comments and
/// `js_name` only from plain literals, not from the invisible groups `literal` makes.
macro_rules! purchase_declaration {
    ($( $(#[doc = $doc:tt])* $field:ident / $variant:ident => $api:tt, )*) => {
        /// A verified purchase: the API's own field names, `null` where the API sent
        /// nothing, numbers as Numbers, the core's derived flags, and the whole `data`
        /// object as `raw`.
        #[napi(object, object_from_js = false, object_to_js = false, use_nullable = true)]
        pub struct Purchase {
            $(
                $(#[doc = $doc])*
                #[napi(js_name = $api)]
                pub $field: Option<String>,
            )*
            /// 0 unpaid, 1 paid, 2 failed (see `PurchaseState`); other values are kept as
            /// sent.
            pub purchase_state: Option<i64>,
            /// 0 not consumed, 1 consumed (see `ConsumptionState`).
            pub consumption_state: Option<i64>,
            /// True when the vendor marks this as a test order (`verifyForGrant` refuses
            /// them unless `allowTestOrders`).
            pub is_test_order: bool,
            /// The purchase time in milliseconds since the epoch, whatever unit the API
            /// used.
            pub purchase_time_ms: Option<i64>,
            /// True when the purchase is paid (`purchaseState` 1).
            pub is_paid: bool,
            /// True when the purchase has been consumed (`consumptionState` 1).
            pub is_consumed: bool,
            /// The `data` object exactly as the API sent it, unknown fields included.
            #[napi(ts_type = "{ [field: string]: import('./index').JsonValue }")]
            pub raw: nowgg_payments::JsonMap<String, nowgg_payments::JsonValue>,
        }
    };
}

nowgg_payments::for_each_string_field!(purchase_declaration);

/// One string field of a purchase, as the core's table describes it.
#[napi(object, object_from_js = false)]
pub struct FieldInfo {
    /// The field's name in the API and on the purchase object (`orderId`).
    pub name: &'static str,
    /// The field's documentation, as index.d.ts shows it.
    pub doc: &'static str,
}

/// The string fields of a purchase, in the vendor's order, from the core's table: what
/// the tests compare the purchase object and its declaration with.
#[napi]
pub fn string_fields() -> Vec<FieldInfo> {
    StringField::ALL
        .iter()
        .map(|field| FieldInfo {
            name: field.api_name(),
            doc: field.doc(),
        })
        .collect()
}

/// The values of `purchaseState`.
#[napi]
pub enum PurchaseState {
    /// 0: not paid (yet).
    Unpaid = 0,
    /// 1: paid.
    Paid = 1,
    /// 2: the payment failed.
    Failed = 2,
}

/// The values of `consumptionState`.
#[napi]
pub enum ConsumptionState {
    /// 0: not consumed yet.
    NotConsumed = 0,
    /// 1: consumed.
    Consumed = 1,
}

#[cfg(test)]
mod tests {
    use super::*;
    use nowgg_payments as core;

    #[test]
    fn state_constants_are_the_cores_codes() {
        let purchase = [
            (PurchaseState::Unpaid, core::PurchaseState::Unpaid),
            (PurchaseState::Paid, core::PurchaseState::Paid),
            (PurchaseState::Failed, core::PurchaseState::Failed),
        ];
        for (ours, theirs) in purchase {
            assert_eq!(ours as i64, theirs.code());
        }
        let consumption = [
            (
                ConsumptionState::NotConsumed,
                core::ConsumptionState::NotConsumed,
            ),
            (ConsumptionState::Consumed, core::ConsumptionState::Consumed),
        ];
        for (ours, theirs) in consumption {
            assert_eq!(ours as i64, theirs.code());
        }
    }
}
