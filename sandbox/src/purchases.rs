//! The purchases the sandbox knows, by token, and the rules for consuming them.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::RwLock;

use nowgg_payments::Store;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A [`Store`] in JSON: its name as the API's `type` field spells it (`"xiaomi"`).
pub(crate) mod store_name {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::Store;

    pub(crate) fn serialize<S: Serializer>(
        store: &Store,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(store.as_str())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Store, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

/// A purchase to add, as `POST /_sandbox/purchases` takes it.
///
/// ```
/// use nowgg_sandbox::{NewPurchase, Store};
/// let data = serde_json::json!({"purchaseState": 1}).as_object().unwrap().clone();
/// let purchase = NewPurchase {
///     token: Some("my-token".into()),
///     store: Store::Xiaomi,
///     data,
/// };
/// # let _ = purchase;
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPurchase {
    /// The token; `None` generates one (`-nowgg-` and 24 random alphanumerics).
    #[serde(default)]
    pub token: Option<String>,
    /// The store it was made in.
    #[serde(default, with = "store_name")]
    pub store: Store,
    /// The `data` object verifyPurchase answers with, stored verbatim except that a
    /// missing `purchaseToken` is set to the token.
    pub data: Map<String, Value>,
}

impl NewPurchase {
    /// A now.gg purchase with a generated token.
    pub fn new(data: Map<String, Value>) -> NewPurchase {
        NewPurchase {
            token: None,
            store: Store::Nowgg,
            data,
        }
    }
}

/// A purchase the sandbox refused to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidPurchase(String);

impl fmt::Display for InvalidPurchase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InvalidPurchase {}

impl InvalidPurchase {
    pub(crate) fn new(message: String) -> InvalidPurchase {
        InvalidPurchase(message)
    }
}

/// What a consume request asks for, from its form fields.
pub(crate) struct ConsumeForm<'a> {
    /// The `type` field; `None` (or empty) means nowgg.
    pub(crate) store_type: Option<&'a str>,
    /// The `productId` field, if sent.
    pub(crate) product_id: Option<&'a str>,
}

/// Why a consume failed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ConsumeError {
    /// No purchase has that token (3901).
    UnknownToken,
    /// The purchase cannot be consumed this way or now (3800).
    Refused,
}

/// Fields to change in a stored purchase, as `PATCH /_sandbox/purchases/{token}` takes
/// them: `data`'s fields are set first (a `null` sets the field to null), then the flags.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PurchaseUpdate {
    /// `purchaseState` 1 or 0 (and `payStatusTxt` "Paid" or "Unpaid", if it has one).
    #[serde(default)]
    pub(crate) paid: Option<bool>,
    /// `consumptionState` 1 or 0.
    #[serde(default)]
    pub(crate) consumed: Option<bool>,
    /// `isTestOrder`.
    #[serde(default)]
    pub(crate) test_order: Option<bool>,
    /// Fields set verbatim.
    #[serde(default)]
    pub(crate) data: Option<Map<String, Value>>,
}

/// A stored purchase, as `GET /_sandbox/purchases` lists it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Listed {
    pub(crate) token: String,
    #[serde(with = "store_name")]
    pub(crate) store: Store,
    pub(crate) data: Value,
}

struct Entry {
    store: Store,
    data: Value,
    /// When it was stored, to list purchases in that order.
    added: u64,
}

/// The purchases by token. Reads (verify) share the lock; nothing holds it across I/O.
#[derive(Default)]
pub(crate) struct Purchases {
    by_token: RwLock<HashMap<String, Entry>>,
    added: AtomicU64,
}

impl Purchases {
    /// Stores a purchase, replacing any with the same token; returns the token.
    pub(crate) fn insert(&self, purchase: NewPurchase) -> Result<String, InvalidPurchase> {
        let token = match purchase.token {
            Some(t) if t.is_empty() => return Err(InvalidPurchase::new("token is empty".into())),
            Some(t) => t,
            None => generate_token(),
        };
        let mut data = purchase.data;
        data.entry("purchaseToken")
            .or_insert_with(|| Value::String(token.clone()));
        let entry = Entry {
            store: purchase.store,
            data: Value::Object(data),
            added: self.added.fetch_add(1, Ordering::Relaxed),
        };
        self.write().insert(token.clone(), entry);
        Ok(token)
    }

    /// Forgets every purchase.
    pub(crate) fn clear(&self) {
        self.write().clear();
    }

    /// Runs `f` on the stored `data` of `token`, under the read lock (so a verify can
    /// serialise it without a copy).
    pub(crate) fn with_data<R>(&self, token: &str, f: impl FnOnce(&Value) -> R) -> Option<R> {
        let map = self.by_token.read().unwrap_or_else(|e| e.into_inner());
        map.get(token).map(|entry| f(&entry.data))
    }

    /// Every purchase, oldest first.
    pub(crate) fn list(&self) -> Vec<Listed> {
        let map = self.by_token.read().unwrap_or_else(|e| e.into_inner());
        let mut entries: Vec<(&String, &Entry)> = map.iter().collect();
        entries.sort_by_key(|(_, entry)| entry.added);
        entries
            .into_iter()
            .map(|(token, entry)| Listed {
                token: token.clone(),
                store: entry.store,
                data: entry.data.clone(),
            })
            .collect()
    }

    /// Changes a stored purchase; returns its new `data`, or `None` if no purchase has
    /// that token.
    pub(crate) fn update(&self, token: &str, update: PurchaseUpdate) -> Option<Value> {
        let mut map = self.write();
        let Value::Object(data) = &mut map.get_mut(token)?.data else {
            unreachable!("purchase data is always an object");
        };
        data.extend(update.data.unwrap_or_default());
        if let Some(paid) = update.paid {
            data.insert("purchaseState".into(), Value::from(u8::from(paid)));
            if let Some(text) = data.get_mut("payStatusTxt") {
                *text = Value::from(if paid { "Paid" } else { "Unpaid" });
            }
        }
        if let Some(consumed) = update.consumed {
            data.insert("consumptionState".into(), Value::from(u8::from(consumed)));
        }
        if let Some(test_order) = update.test_order {
            data.insert("isTestOrder".into(), Value::from(test_order));
        }
        Some(Value::Object(data.clone()))
    }

    /// Applies the consume rules and, if they pass, sets `consumptionState` to 1.
    pub(crate) fn consume(&self, token: &str, form: &ConsumeForm<'_>) -> Result<(), ConsumeError> {
        let mut map = self.write();
        let entry = map.get_mut(token).ok_or(ConsumeError::UnknownToken)?;
        if matches!(entry.store, Store::Amazon | Store::Huawei) {
            return Err(ConsumeError::Refused);
        }
        let asked_store = form.store_type.filter(|t| !t.is_empty()).unwrap_or("nowgg");
        if asked_store != entry.store.as_str() {
            return Err(ConsumeError::Refused);
        }
        if let Some(product_id) = form.product_id {
            if text_of(entry.data.get("productId")).as_deref() != Some(product_id) {
                return Err(ConsumeError::Refused);
            }
        }
        if int_of(entry.data.get("purchaseState")) != Some(1) {
            return Err(ConsumeError::Refused);
        }
        if int_of(entry.data.get("consumptionState")) == Some(1) {
            return Err(ConsumeError::Refused);
        }
        if let Value::Object(data) = &mut entry.data {
            data.insert("consumptionState".into(), Value::from(1));
        }
        Ok(())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<String, Entry>> {
        // A panic elsewhere while holding the lock cannot leave a half-written entry
        // (each write is a single insert), so a poisoned lock is still usable.
        self.by_token.write().unwrap_or_else(|e| e.into_inner())
    }
}

/// A fresh No Code style token: `-nowgg-` and 24 random alphanumerics.
fn generate_token() -> String {
    let mut token = String::from("-nowgg-");
    token.extend(std::iter::repeat_with(fastrand::alphanumeric).take(24));
    token
}

/// A field as text, whether stored as a string or a number.
fn text_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A field as an integer, whether stored as a number or a numeric string.
fn int_of(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn purchases_with(store: Store, data: Value) -> Purchases {
        let purchases = Purchases::default();
        let data = data.as_object().unwrap().clone();
        purchases
            .insert(NewPurchase {
                token: Some("t".into()),
                store,
                data,
            })
            .unwrap();
        purchases
    }

    const NOWGG: ConsumeForm<'static> = ConsumeForm {
        store_type: None,
        product_id: None,
    };

    #[test]
    fn generated_tokens_look_like_no_code_tokens() {
        let token = generate_token();
        assert!(token.starts_with("-nowgg-"));
        assert_eq!(token.len(), 7 + 24);
        assert!(token[7..].chars().all(|c| c.is_ascii_alphanumeric()));
    }

    #[test]
    fn insert_sets_a_missing_purchase_token_only() {
        let purchases = purchases_with(Store::Nowgg, json!({"a": null}));
        let data = purchases.with_data("t", Value::clone).unwrap();
        assert_eq!(data, json!({"a": null, "purchaseToken": "t"}));

        let kept = NewPurchase::new(
            json!({"purchaseToken": "other"})
                .as_object()
                .unwrap()
                .clone(),
        );
        let token = purchases.insert(kept).unwrap();
        assert_eq!(
            purchases.with_data(&token, |d| d["purchaseToken"].clone()),
            Some(json!("other"))
        );
    }

    #[test]
    fn consume_accepts_numeric_strings_and_flips_once() {
        let purchases = purchases_with(Store::Nowgg, json!({"purchaseState": "1", "productId": 7}));
        let with_product = ConsumeForm {
            store_type: Some(""),
            product_id: Some("7"),
        };
        assert_eq!(purchases.consume("t", &with_product), Ok(()));
        assert_eq!(purchases.consume("t", &NOWGG), Err(ConsumeError::Refused));
        assert_eq!(
            purchases.consume("x", &NOWGG),
            Err(ConsumeError::UnknownToken)
        );
    }

    #[test]
    fn updates_set_fields_and_flags() {
        let purchases = purchases_with(
            Store::Nowgg,
            json!({"purchaseState": 0, "payStatusTxt": "Unpaid", "x": 1}),
        );
        let update = PurchaseUpdate {
            paid: Some(true),
            consumed: Some(true),
            test_order: Some(false),
            data: Some(json!({"x": null, "y": "z"}).as_object().unwrap().clone()),
        };
        assert_eq!(
            purchases.update("t", update),
            Some(
                json!({"purchaseState": 1, "payStatusTxt": "Paid", "x": null, "y": "z",
                "consumptionState": 1, "isTestOrder": false, "purchaseToken": "t"})
            )
        );
        assert_eq!(purchases.update("nope", PurchaseUpdate::default()), None);
        purchases
            .insert(NewPurchase {
                token: Some("a".into()),
                ..NewPurchase::new(Map::new())
            })
            .unwrap();
        let tokens: Vec<String> = purchases.list().into_iter().map(|p| p.token).collect();
        assert_eq!(tokens, ["t", "a"]);
    }

    #[test]
    fn consume_refuses_a_wrong_product() {
        let purchases = purchases_with(Store::Nowgg, json!({"purchaseState": 1, "productId": "a"}));
        let form = ConsumeForm {
            store_type: None,
            product_id: Some("b"),
        };
        assert_eq!(purchases.consume("t", &form), Err(ConsumeError::Refused));
    }
}
