//! A purchase named by its usual fields, as every face's `add_purchase` helper takes it,
//! made here into the `data` now.gg answers with, so that no face builds vendor JSON of
//! its own and no test writes it for the usual case.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::purchases::{store_name, NewPurchase};
use crate::requests::rfc3339;
use crate::Store;

/// A purchase for a test: paid, unconsumed, a real order of `gems_100` for
/// `com.example.game` in now.gg's store unless told otherwise. JSON spells the fields in
/// camelCase (`productId`); every field may be left out.
///
/// ```
/// use nowgg_sandbox::{NewPurchase, PurchaseSpec};
/// let spec = PurchaseSpec { product_id: "gems_500".into(), paid: false, ..PurchaseSpec::default() };
/// let purchase = NewPurchase::from(spec);
/// assert_eq!(purchase.data["purchaseState"], 0);
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct PurchaseSpec {
    /// `productId` and `sellerGoodsId`.
    pub product_id: String,
    /// `packageName`.
    pub package_name: String,
    /// Paid (`purchaseState` 1, `payStatusTxt` `Paid`, `payTimeTxt` now), or not
    /// (`purchaseState` 0, `Unpaid`, no `payTimeTxt`).
    pub paid: bool,
    /// Consumed already (`consumptionState` 1).
    pub consumed: bool,
    /// A test order (`isTestOrder`).
    pub test_order: bool,
    /// The store it was made in.
    #[serde(with = "store_name")]
    pub store: Store,
    /// The token; `None` generates one: `-nowgg-` and 24 alphanumerics in now.gg's store,
    /// the store's name, `-` and 24 hex digits in another (whose tokens never look like
    /// now.gg's).
    pub token: Option<String>,
    /// `orderId`; `None`: a new one, `NOWGG.` and 20 random digits.
    pub order_id: Option<String>,
    /// Raw `data` fields set last, over the others (`null` included).
    pub data: Map<String, Value>,
}

impl Default for PurchaseSpec {
    fn default() -> PurchaseSpec {
        PurchaseSpec {
            product_id: "gems_100".into(),
            package_name: "com.example.game".into(),
            paid: true,
            consumed: false,
            test_order: false,
            store: Store::Nowgg,
            token: None,
            order_id: None,
            data: Map::new(),
        }
    }
}

impl From<PurchaseSpec> for NewPurchase {
    /// The purchase with the fields of the vendor's verifyPurchase sample, timed now.
    fn from(spec: PurchaseSpec) -> NewPurchase {
        let now = SystemTime::now();
        let millis = now
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis();
        // `2024-10-30 06:08:01`, as the vendor writes payTimeTxt, in UTC.
        let pay_time = spec.paid.then(|| rfc3339(now)[..19].replacen('T', " ", 1));
        let mut data = json!({
            "kind": "nowgg#productPurchase",
            "appId": "11001",
            "packageName": spec.package_name,
            "productId": spec.product_id,
            "sellerGoodsId": spec.product_id,
            "orderId": spec.order_id.unwrap_or_else(|| format!("NOWGG.{}", digits(20, 10))),
            "orderAmount": "0.99",
            "currency": "USD",
            "regionCode": "US",
            "developerPayload": "",
            "purchaseState": u8::from(spec.paid),
            "payStatusTxt": if spec.paid { "Paid" } else { "Unpaid" },
            "payTimeTxt": pay_time,
            "consumptionState": u8::from(spec.consumed),
            "isTestOrder": spec.test_order,
            "purchaseTime": (millis / 1000).to_string(),
            "purchaseTimeMillis": millis.to_string(),
        });
        let Value::Object(fields) = &mut data else {
            unreachable!("an object literal")
        };
        fields.extend(spec.data);
        let token = match (spec.token, spec.store) {
            (None, Store::Nowgg) => None,
            (None, store) => Some(format!("{}-{}", store.as_str(), digits(24, 16))),
            (token, _) => token,
        };
        NewPurchase {
            token,
            store: spec.store,
            data: std::mem::take(fields),
        }
    }
}

/// `len` random digits in `radix` (at most 16).
fn digits(len: usize, radix: u32) -> String {
    std::iter::repeat_with(|| char::from_digit(fastrand::u32(..radix), radix).unwrap_or('0'))
        .take(len)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_a_paid_unconsumed_real_order_timed_now() {
        let purchase = NewPurchase::from(PurchaseSpec::default());
        let data = &purchase.data;
        assert_eq!(purchase.token, None);
        assert_eq!(
            (
                data["purchaseState"].clone(),
                data["consumptionState"].clone()
            ),
            (json!(1), json!(0))
        );
        assert_eq!(data["productId"], "gems_100");
        assert_eq!(data["sellerGoodsId"], "gems_100");
        assert_eq!(data["packageName"], "com.example.game");
        assert_eq!(data["isTestOrder"], false);
        let order = data["orderId"].as_str().unwrap();
        assert!(order.starts_with("NOWGG.") && order.len() == 26, "{order}");
        assert!(order[6..].bytes().all(|b| b.is_ascii_digit()), "{order}");
        let pay_time = data["payTimeTxt"].as_str().unwrap();
        assert_eq!((pay_time.len(), &pay_time[10..11]), (19, " "), "{pay_time}");
        let seconds: u64 = data["purchaseTime"].as_str().unwrap().parse().unwrap();
        let millis: u64 = data["purchaseTimeMillis"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(seconds, millis / 1000);
    }

    #[test]
    fn fields_and_raw_data_apply_raw_data_last() {
        let spec = PurchaseSpec {
            paid: false,
            consumed: true,
            test_order: true,
            order_id: Some("GPA.1".into()),
            data: json!({"orderAmount": "4.99", "regionCode": null})
                .as_object()
                .unwrap()
                .clone(),
            ..PurchaseSpec::default()
        };
        let data = NewPurchase::from(spec).data;
        assert_eq!(data["purchaseState"], 0);
        assert_eq!(data["payStatusTxt"], "Unpaid");
        assert_eq!(data["payTimeTxt"], Value::Null);
        assert_eq!(data["consumptionState"], 1);
        assert_eq!(data["isTestOrder"], true);
        assert_eq!(data["orderId"], "GPA.1");
        assert_eq!(data["orderAmount"], "4.99");
        assert_eq!(data["regionCode"], Value::Null);
    }

    #[test]
    fn another_stores_generated_token_is_not_nowggs() {
        let spec = PurchaseSpec {
            store: Store::Xiaomi,
            ..PurchaseSpec::default()
        };
        let token = NewPurchase::from(spec).token.unwrap();
        assert!(
            token.starts_with("xiaomi-") && token.len() == 7 + 24,
            "{token}"
        );
        let given = PurchaseSpec {
            store: Store::Xiaomi,
            token: Some("t".into()),
            ..PurchaseSpec::default()
        };
        assert_eq!(NewPurchase::from(given).token.as_deref(), Some("t"));
    }

    #[test]
    fn json_names_the_fields_in_camel_case_and_refuses_others() {
        let spec: PurchaseSpec =
            serde_json::from_str(r#"{"productId": "p", "testOrder": true, "store": "onestore"}"#)
                .unwrap();
        assert_eq!(
            (spec.product_id.as_str(), spec.test_order, spec.store),
            ("p", true, Store::Onestore)
        );
        assert!(spec.paid, "left out: the default");
        assert!(serde_json::from_str::<PurchaseSpec>(r#"{"product_id": "p"}"#).is_err());
    }
}
