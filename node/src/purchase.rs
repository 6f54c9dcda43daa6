//! The verified purchase as a plain JavaScript object, and the constants for its states.

use napi_derive::napi;
use nowgg_payments::{JsonMap, JsonValue};

/// A verified purchase: the API's own field names, `null` where the API sent nothing,
/// numbers as Numbers, the core's derived flags, and the whole `data` object as `raw`.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct Purchase {
    /// The app's id (the same as its Payment ID).
    pub app_id: Option<String>,
    /// The buyer's country at purchase time; some stores send null.
    pub country_code: Option<String>,
    /// The currency, e.g. `USD`.
    pub currency: Option<String>,
    /// The string the game attached to the order.
    pub developer_payload: Option<String>,
    /// `release` or `sandbox`.
    pub environment: Option<String>,
    /// Always `nowgg#productPurchase` where sent.
    pub kind: Option<String>,
    /// The amount as text: money is never a float.
    pub order_amount: Option<String>,
    /// The unique transaction id.
    pub order_id: Option<String>,
    /// The app's package name.
    pub package_name: Option<String>,
    /// `Paid` or `Unpaid`.
    pub pay_status_txt: Option<String>,
    /// When the payment happened, as the vendor formats it.
    pub pay_time_txt: Option<String>,
    /// The product bought.
    pub product_id: Option<String>,
    /// The product's name.
    pub product_name: Option<String>,
    /// The purchase time as sent (seconds or milliseconds: see `purchaseTimeMs`).
    pub purchase_time: Option<String>,
    /// Deprecated by the vendor in favour of `purchaseTime`.
    pub purchase_time_millis: Option<String>,
    /// The purchase token.
    pub purchase_token: Option<String>,
    /// The ISO 3166-1 alpha-2 billing region.
    pub region_code: Option<String>,
    /// The same as `productId`, kept by the vendor for older clients.
    pub seller_goods_id: Option<String>,
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
    pub raw: JsonMap<String, JsonValue>,
}

impl From<nowgg_payments::Purchase> for Purchase {
    fn from(p: nowgg_payments::Purchase) -> Purchase {
        let text = |field: Option<&str>| field.map(str::to_owned);
        Purchase {
            app_id: text(p.app_id()),
            country_code: text(p.country_code()),
            currency: text(p.currency()),
            developer_payload: text(p.developer_payload()),
            environment: text(p.environment()),
            kind: text(p.kind()),
            order_amount: text(p.order_amount()),
            order_id: text(p.order_id()),
            package_name: text(p.package_name()),
            pay_status_txt: text(p.pay_status_txt()),
            pay_time_txt: text(p.pay_time_txt()),
            product_id: text(p.product_id()),
            product_name: text(p.product_name()),
            purchase_time: text(p.purchase_time()),
            purchase_time_millis: text(p.purchase_time_millis()),
            purchase_token: text(p.purchase_token()),
            region_code: text(p.region_code()),
            seller_goods_id: text(p.seller_goods_id()),
            purchase_state: p.purchase_state().map(|s| s.code()),
            consumption_state: p.consumption_state().map(|s| s.code()),
            purchase_time_ms: p.purchase_time_ms(),
            is_paid: p.is_paid(),
            is_consumed: p.is_consumed(),
            is_test_order: p.is_test_order(),
            raw: p.raw().clone(),
        }
    }
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
        let p = Purchase::from(core::Purchase::from_data(data));
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
            assert_eq!(value.as_deref(), Some(name));
        }
    }
}
