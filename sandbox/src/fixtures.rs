//! The purchases the sandbox starts with (and returns to on reset): the vendor's printed
//! samples by default, or a JSON file's.

use std::io;
use std::path::Path;

use nowgg_payments::Store;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::purchases::{store_name, NewPurchase};

/// A purchase the sandbox holds from the start and restores on reset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    /// Its purchase token.
    pub token: String,
    /// The store it was made in.
    #[serde(with = "store_name")]
    pub store: Store,
    /// The `data` object verifyPurchase answers with (a missing `purchaseToken` is set to
    /// the token).
    pub data: Map<String, Value>,
}

impl Fixture {
    /// A fixture from its parts.
    pub fn new(token: impl Into<String>, store: Store, data: Map<String, Value>) -> Fixture {
        Fixture {
            token: token.into(),
            store,
            data,
        }
    }

    /// Reads a JSON array of fixtures from `path` (the `--fixtures` file).
    pub fn load(path: &Path) -> io::Result<Vec<Fixture>> {
        let text = std::fs::read_to_string(path)?;
        serde_json::from_str(&text).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("fixtures file {}: {e}", path.display()),
            )
        })
    }

    /// The vendor's printed samples, each under a token of its own (see the README's
    /// "Default fixtures" table). Field values are copied from the vendor's pages as
    /// printed, nulls included; only `purchaseToken` is set to the fixture's token.
    pub fn defaults() -> Vec<Fixture> {
        // verifyPurchase reference, now.gg sample.
        let unpaid = json!({
            "appId": "11001",
            "consumptionState": 0,
            "currency": "USD",
            "developerPayload": "<developer_payload>",
            "isTestOrder": false,
            "kind": "nowgg#productPurchase",
            "orderAmount": "25.15",
            "orderId": "<orderId>",
            "packageName": "<package_name>",
            "payStatusTxt": "Unpaid",
            "payTimeTxt": "2024 - 10 - 3006: 08: 01",
            "productId": "11223343",
            "purchaseState": 0,
            "purchaseTime": "1630529397",
            "purchaseTimeMillis": "1630529397125",
            "purchaseToken": "241028222221SGP61717",
            "regionCode": "US",
            "sellerGoodsId": "11223343"
        });
        let paid = varied(&unpaid, json!({"purchaseState": 1, "payStatusTxt": "Paid"}));
        // No Code Payment page sample: no appId, no productId, purchaseTime in ms.
        let nocode = json!({
            "purchaseTimeMillis": "1630529397125",
            "purchaseTime": "1630529397125",
            "purchaseState": 0,
            "consumptionState": 0,
            "developerPayload": "<developer_payload>",
            "orderId": "<orderId_here>",
            "kind": "nowgg#productPurchase",
            "regionCode": "US",
            "currency": "USD",
            "packageName": "<package_name>",
            "payStatusTxt": "Paid",
            "orderAmount": "25.15",
            "isTestOrder": false,
            "payTimeTxt": "2024 - 10 - 3006: 08: 01",
            "sellerGoodsId": "11223343"
        });
        // verifyPurchase reference, ONEStore sample.
        let onestore = json!({
            "appId": "11001",
            "consumptionState": 0,
            "countryCode": null,
            "currency": null,
            "developerPayload": "<developer_payload>",
            "environment": "release",
            "isTestOrder": false,
            "kind": null,
            "orderAmount": null,
            "orderId": "<orderId>",
            "packageName": "<package_name>",
            "payStatusTxt": "Paid",
            "payTimeTxt": null,
            "productId": "11223343",
            "productName": "<product_name>",
            "purchaseState": 1,
            "purchaseTime": "1763642919000",
            "purchaseTimeMillis": "1763642919000",
            "purchaseToken": "241028222221SGP61717",
            "regionCode": null,
            "sellerGoodsId": "11223343"
        });
        // verifyPurchase reference, Xiaomi sample: the ONEStore one's fields, these values.
        let xiaomi = varied(
            &onestore,
            json!({
                "appId": "10362",
                "countryCode": "FR",
                "developerPayload": null,
                "payStatusTxt": null,
                "purchaseTime": "1763643382000",
                "purchaseTimeMillis": "1763643382000",
                "purchaseToken": "PFR251120205611111111395373223875",
                "regionCode": "FR"
            }),
        );
        [
            ("-nowgg-sample-unpaid", Store::Nowgg, unpaid),
            ("-nowgg-sample-paid", Store::Nowgg, paid),
            ("-nowgg-sample-nocode", Store::Nowgg, nocode),
            ("onestore-sample-1", Store::Onestore, onestore),
            ("xiaomi-sample-1", Store::Xiaomi, xiaomi),
        ]
        .into_iter()
        .map(|(token, store, data)| {
            let Value::Object(mut data) = data else {
                unreachable!("every sample above is an object")
            };
            data.insert("purchaseToken".into(), Value::from(token));
            Fixture::new(token, store, data)
        })
        .collect()
    }
}

/// `sample` with the fields of `changes` set over its own.
fn varied(sample: &Value, changes: Value) -> Value {
    let mut varied = sample.clone();
    if let (Value::Object(fields), Value::Object(changes)) = (&mut varied, changes) {
        fields.extend(changes);
    }
    varied
}

impl From<Fixture> for NewPurchase {
    fn from(fixture: Fixture) -> NewPurchase {
        NewPurchase {
            token: Some(fixture.token),
            store: fixture.store,
            data: fixture.data,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_carry_their_own_tokens() {
        for fixture in Fixture::defaults() {
            assert_eq!(fixture.data["purchaseToken"], fixture.token.as_str());
        }
    }

    #[test]
    fn load_reports_the_file_on_bad_json() {
        let path = std::env::temp_dir().join(format!("nowgg-fixtures-{}.json", fastrand::u64(..)));
        std::fs::write(&path, r#"[{"token": "t", "store": "nowhere", "data": {}}]"#).unwrap();
        let err = Fixture::load(&path).unwrap_err();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(err.to_string().contains("nowhere"), "{err}");
    }
}
