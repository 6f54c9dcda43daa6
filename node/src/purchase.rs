//! The verified purchase as a plain JavaScript object, and the constants for its states.
//!
//! The purchase crosses to JavaScript as JSON text, built on the pool thread and turned
//! into the object by `JSON.parse` in index.js: one string for napi instead of ~25
//! property sets plus a property-by-property copy of `raw` on the event loop (the
//! largest share of a call in bench/results/profile.md), and V8's parser builds the
//! same plain object faster.

use napi_derive::napi;
use nowgg_payments::{JsonMap, JsonValue};
use serde::Serialize;

/// A verified purchase: the API's own field names, `null` where the API sent nothing,
/// numbers as Numbers, the core's derived flags, and the whole `data` object as `raw`.
// It borrows from the core's purchase and is only ever serialised (`to_json`); napi-rs
// reads it for the declaration of `Purchase` in native.d.ts, so the serde names must be
// napi's (both camelCase the Rust names).
#[napi(
    object,
    object_from_js = false,
    object_to_js = false,
    use_nullable = true
)]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Purchase<'a> {
    /// The app's id (the same as its Payment ID).
    pub app_id: Option<&'a str>,
    /// The buyer's country at purchase time; some stores send null.
    pub country_code: Option<&'a str>,
    /// The currency, e.g. `USD`.
    pub currency: Option<&'a str>,
    /// The string the game attached to the order.
    pub developer_payload: Option<&'a str>,
    /// `release` or `sandbox`.
    pub environment: Option<&'a str>,
    /// Always `nowgg#productPurchase` where sent.
    pub kind: Option<&'a str>,
    /// The amount as text: money is never a float.
    pub order_amount: Option<&'a str>,
    /// The unique transaction id.
    pub order_id: Option<&'a str>,
    /// The app's package name.
    pub package_name: Option<&'a str>,
    /// `Paid` or `Unpaid`.
    pub pay_status_txt: Option<&'a str>,
    /// When the payment happened, as the vendor formats it.
    pub pay_time_txt: Option<&'a str>,
    /// The product bought.
    pub product_id: Option<&'a str>,
    /// The product's name.
    pub product_name: Option<&'a str>,
    /// The purchase time as sent (seconds or milliseconds: see `purchaseTimeMs`).
    pub purchase_time: Option<&'a str>,
    /// Deprecated by the vendor in favour of `purchaseTime`.
    pub purchase_time_millis: Option<&'a str>,
    /// The purchase token.
    pub purchase_token: Option<&'a str>,
    /// The ISO 3166-1 alpha-2 billing region.
    pub region_code: Option<&'a str>,
    /// The same as `productId`, kept by the vendor for older clients.
    pub seller_goods_id: Option<&'a str>,
    /// 0 unpaid, 1 paid, 2 failed (see `PurchaseState`); other values are kept as sent.
    pub purchase_state: Option<i64>,
    /// 0 not consumed, 1 consumed (see `ConsumptionState`).
    pub consumption_state: Option<i64>,
    /// The purchase time in milliseconds since the epoch, whatever unit the API used.
    pub purchase_time_ms: Option<i64>,
    /// True when the purchase is paid: it may be granted (after a successful consume).
    pub is_paid: bool,
    /// True when the purchase has been consumed: it must not be granted again.
    pub is_consumed: bool,
    /// True when the vendor marks this as a test order.
    pub is_test_order: bool,
    /// The `data` object exactly as the API sent it, unknown fields included.
    #[napi(ts_type = "{ [field: string]: import('./index').JsonValue }")]
    pub raw: &'a JsonMap<String, JsonValue>,
}

impl<'a> From<&'a nowgg_payments::Purchase> for Purchase<'a> {
    fn from(p: &'a nowgg_payments::Purchase) -> Purchase<'a> {
        Purchase {
            app_id: p.app_id(),
            country_code: p.country_code(),
            currency: p.currency(),
            developer_payload: p.developer_payload(),
            environment: p.environment(),
            kind: p.kind(),
            order_amount: p.order_amount(),
            order_id: p.order_id(),
            package_name: p.package_name(),
            pay_status_txt: p.pay_status_txt(),
            pay_time_txt: p.pay_time_txt(),
            product_id: p.product_id(),
            product_name: p.product_name(),
            purchase_time: p.purchase_time(),
            purchase_time_millis: p.purchase_time_millis(),
            purchase_token: p.purchase_token(),
            region_code: p.region_code(),
            seller_goods_id: p.seller_goods_id(),
            purchase_state: p.purchase_state().map(|s| s.code()),
            consumption_state: p.consumption_state().map(|s| s.code()),
            purchase_time_ms: p.purchase_time_ms(),
            is_paid: p.is_paid(),
            is_consumed: p.is_consumed(),
            is_test_order: p.is_test_order(),
            raw: p.raw(),
        }
    }
}

/// The purchase as the JSON text of its JavaScript object (see the module's docs).
pub fn to_json(purchase: &nowgg_payments::Purchase) -> String {
    // Strings, integers, booleans and a map with string keys: nothing here can fail.
    serde_json::to_string(&Purchase::from(purchase)).expect("a purchase serialises to JSON")
}

/// The values of `purchaseState`.
#[napi]
pub enum PurchaseState {
    /// 0: not paid (yet).
    Unpaid = 0,
    /// 1: paid: the product may be granted.
    Paid = 1,
    /// 2: the payment failed.
    Failed = 2,
}

/// The values of `consumptionState`.
#[napi]
pub enum ConsumptionState {
    /// 0: not consumed yet.
    NotConsumed = 0,
    /// 1: consumed: it must not be granted again.
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

    #[test]
    fn every_string_field_of_the_core_is_carried_from_its_own_key() {
        // Each field holds its own API name, so a field read from the wrong key shows.
        let names = core::Purchase::from_data(JsonMap::new())
            .string_fields()
            .map(|(n, _)| n);
        let data = names
            .iter()
            .map(|n| (n.to_string(), JsonValue::from(*n)))
            .collect();
        let purchase = core::Purchase::from_data(data);
        let p = Purchase::from(&purchase);
        let ours = [
            (p.app_id, "appId"),
            (p.country_code, "countryCode"),
            (p.currency, "currency"),
            (p.developer_payload, "developerPayload"),
            (p.environment, "environment"),
            (p.kind, "kind"),
            (p.order_amount, "orderAmount"),
            (p.order_id, "orderId"),
            (p.package_name, "packageName"),
            (p.pay_status_txt, "payStatusTxt"),
            (p.pay_time_txt, "payTimeTxt"),
            (p.product_id, "productId"),
            (p.product_name, "productName"),
            (p.purchase_time, "purchaseTime"),
            (p.purchase_time_millis, "purchaseTimeMillis"),
            (p.purchase_token, "purchaseToken"),
            (p.region_code, "regionCode"),
            (p.seller_goods_id, "sellerGoodsId"),
        ];
        assert_eq!(
            ours.len(),
            names.len(),
            "a string field of the core is missing"
        );
        for (value, name) in ours {
            assert_eq!(value, Some(name));
        }
    }

    #[test]
    fn the_json_has_every_field_with_null_where_absent_and_raw_as_sent() {
        let data = serde_json::json!({"orderId": "GPA.1", "purchaseState": 1, "extra": [1.5]});
        let JsonValue::Object(data) = data else {
            unreachable!()
        };
        let json = to_json(&core::Purchase::from_data(data.clone()));
        let JsonValue::Object(object) = serde_json::from_str(&json).unwrap() else {
            panic!("not an object: {json}")
        };
        assert_eq!(object["orderId"], "GPA.1");
        assert_eq!(object["purchaseState"], 1);
        assert_eq!(object["currency"], JsonValue::Null);
        assert_eq!(object["isPaid"], true);
        assert_eq!(object["raw"], JsonValue::Object(data));
        assert_eq!(object.len(), 25, "a field is missing or extra: {json}");
    }
}
