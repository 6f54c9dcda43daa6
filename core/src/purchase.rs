//! The purchase that verifyPurchase returns, read tolerantly: every field may be absent
//! or null, numbers may come as strings and strings as numbers, and the original `data`
//! object is kept whole so fields the vendor adds later still reach users.

use std::fmt;

use serde_json::{Map, Value};

use crate::redact::short_token;

/// Whether a purchase token comes from now.gg's No Code Payment flow (it starts with
/// `-nowgg-`), which is how a backend that takes several stores routes it here.
///
/// ```
/// assert!(nowgg_payments::is_nowgg_token("-nowgg-4f1c"));
/// assert!(!nowgg_payments::is_nowgg_token("GPA.3345-1234"));
/// ```
pub fn is_nowgg_token(token: &str) -> bool {
    token.starts_with("-nowgg-")
}

/// The `purchaseState` of a purchase.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PurchaseState {
    /// 0: not paid (yet).
    Unpaid,
    /// 1: paid: the product may be granted.
    Paid,
    /// 2: the payment failed.
    Failed,
    /// A value the vendor has not documented, kept as sent.
    Unknown(i64),
}

impl PurchaseState {
    /// The state for a raw `purchaseState` value.
    pub fn from_code(code: i64) -> PurchaseState {
        match code {
            0 => PurchaseState::Unpaid,
            1 => PurchaseState::Paid,
            2 => PurchaseState::Failed,
            n => PurchaseState::Unknown(n),
        }
    }

    /// The raw value.
    pub fn code(self) -> i64 {
        match self {
            PurchaseState::Unpaid => 0,
            PurchaseState::Paid => 1,
            PurchaseState::Failed => 2,
            PurchaseState::Unknown(n) => n,
        }
    }
}

/// The `consumptionState` of a purchase.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConsumptionState {
    /// 0: not consumed yet.
    NotConsumed,
    /// 1: consumed: it must not be granted again.
    Consumed,
    /// A value the vendor has not documented, kept as sent.
    Unknown(i64),
}

impl ConsumptionState {
    /// The state for a raw `consumptionState` value.
    pub fn from_code(code: i64) -> ConsumptionState {
        match code {
            0 => ConsumptionState::NotConsumed,
            1 => ConsumptionState::Consumed,
            n => ConsumptionState::Unknown(n),
        }
    }

    /// The raw value.
    pub fn code(self) -> i64 {
        match self {
            ConsumptionState::NotConsumed => 0,
            ConsumptionState::Consumed => 1,
            ConsumptionState::Unknown(n) => n,
        }
    }
}

/// Declares the string fields once: the struct members, their getters and how they are
/// read from `data`, so the three can never drift apart.
macro_rules! string_fields {
    ($( $(#[$doc:meta])* $field:ident => $api:literal, )*) => {
        /// The string fields of a purchase, `None` where absent or null.
        #[derive(Clone, Debug, Default, PartialEq, Eq)]
        struct Strings { $( $field: Option<String>, )* }

        impl Strings {
            fn read(data: &Map<String, Value>) -> Strings {
                Strings { $( $field: text(data.get($api)), )* }
            }
        }

        impl Purchase {
            /// The API name and value of every string field, in the vendor's order.
            pub fn string_fields(&self) -> [(&'static str, Option<&str>); STRING_FIELD_COUNT] {
                [ $( ($api, self.strings.$field.as_deref()), )* ]
            }

            $(
                $(#[$doc])*
                #[doc = concat!("\n\nThe vendor's `", $api, "`; `None` when absent or null.")]
                pub fn $field(&self) -> Option<&str> {
                    self.strings.$field.as_deref()
                }
            )*
        }
    };
}

/// How many string fields a purchase has (see [`Purchase::string_fields`]).
pub const STRING_FIELD_COUNT: usize = 18;

/// A verified purchase: the `data` object of a successful verifyPurchase.
///
/// ```
/// # fn demo(client: &nowgg_payments::Client) -> nowgg_payments::Result<()> {
/// let purchase = client.verify_purchase("-nowgg-sample-paid")?;
/// if purchase.is_paid() && !purchase.is_consumed() {
///     // grant purchase.product_id() to the player, then consume
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, PartialEq)]
pub struct Purchase {
    strings: Strings,
    purchase_state: Option<i64>,
    consumption_state: Option<i64>,
    is_test_order: Option<bool>,
    raw: Map<String, Value>,
}

string_fields! {
    /// The app's id (the same as its Payment ID).
    app_id => "appId",
    /// The buyer's country at purchase time; some stores send null.
    country_code => "countryCode",
    /// The currency, e.g. `USD`.
    currency => "currency",
    /// The string the game attached to the order.
    developer_payload => "developerPayload",
    /// `release` or `sandbox`.
    environment => "environment",
    /// Always `nowgg#productPurchase` where sent.
    kind => "kind",
    /// The amount, kept as text: money is never a float.
    order_amount => "orderAmount",
    /// The unique transaction id.
    order_id => "orderId",
    /// The app's package name.
    package_name => "packageName",
    /// `Paid` or `Unpaid`.
    pay_status_txt => "payStatusTxt",
    /// When the payment happened, as the vendor formats it.
    pay_time_txt => "payTimeTxt",
    /// The product bought.
    product_id => "productId",
    /// The product's name.
    product_name => "productName",
    /// The purchase time as sent (documented in seconds, sampled in milliseconds; see
    /// [`Purchase::purchase_time_ms`]).
    purchase_time => "purchaseTime",
    /// Deprecated by the vendor in favour of `purchaseTime`.
    purchase_time_millis => "purchaseTimeMillis",
    /// The purchase token.
    purchase_token => "purchaseToken",
    /// The ISO 3166-1 alpha-2 billing region.
    region_code => "regionCode",
    /// The same as `productId`, kept by the vendor for older clients.
    seller_goods_id => "sellerGoodsId",
}

impl Purchase {
    /// Reads a purchase from a verifyPurchase `data` object. Never fails: what cannot be
    /// read as its documented type is `None`, and stays available in [`Purchase::raw`].
    pub fn from_data(raw: Map<String, Value>) -> Purchase {
        Purchase {
            strings: Strings::read(&raw),
            purchase_state: integer(raw.get("purchaseState")),
            consumption_state: integer(raw.get("consumptionState")),
            is_test_order: boolean(raw.get("isTestOrder")),
            raw,
        }
    }

    /// The `purchaseState`, `None` when absent or not a number.
    pub fn purchase_state(&self) -> Option<PurchaseState> {
        self.purchase_state.map(PurchaseState::from_code)
    }

    /// The `consumptionState`, `None` when absent or not a number.
    pub fn consumption_state(&self) -> Option<ConsumptionState> {
        self.consumption_state.map(ConsumptionState::from_code)
    }

    /// The `isTestOrder` flag, `None` when absent.
    pub fn test_order(&self) -> Option<bool> {
        self.is_test_order
    }

    /// The purchase time in milliseconds since the epoch. `purchaseTime` is documented in
    /// seconds but sampled in milliseconds, so values of 10^12 and more are taken as
    /// milliseconds and smaller ones as seconds; falls back to `purchaseTimeMillis`.
    pub fn purchase_time_ms(&self) -> Option<i64> {
        let as_ms = |v: i64| {
            if v >= 1_000_000_000_000 {
                v
            } else {
                v.saturating_mul(1000)
            }
        };
        integer(self.raw.get("purchaseTime"))
            .or_else(|| integer(self.raw.get("purchaseTimeMillis")))
            .map(as_ms)
    }

    /// True when the purchase is paid (`purchaseState` 1).
    pub fn is_paid(&self) -> bool {
        self.purchase_state() == Some(PurchaseState::Paid)
    }

    /// True when the purchase has been consumed (`consumptionState` 1).
    pub fn is_consumed(&self) -> bool {
        self.consumption_state() == Some(ConsumptionState::Consumed)
    }

    /// True when the vendor marks this as a test order.
    pub fn is_test_order(&self) -> bool {
        self.is_test_order == Some(true)
    }

    /// The whole `data` object as the vendor sent it, unknown fields included.
    pub fn raw(&self) -> &Map<String, Value> {
        &self.raw
    }
}

/// Shows every field but the token only shortened, and not `raw` (which repeats it):
/// purchases end up in logs.
impl fmt::Debug for Purchase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("Purchase");
        for (name, value) in self.string_fields() {
            match (name, value) {
                ("purchaseToken", Some(token)) => out.field(name, &short_token(token)),
                _ => out.field(name, &value),
            };
        }
        out.field("purchaseState", &self.purchase_state())
            .field("consumptionState", &self.consumption_state())
            .field("isTestOrder", &self.is_test_order)
            .finish_non_exhaustive()
    }
}

/// A string field: strings as they are, numbers and booleans as their JSON text.
fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// An integer field: integers, integral floats, and strings holding an integer.
pub(crate) fn integer(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e18)
                .map(|f| f as i64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A boolean field: booleans, 0/1, and the strings "true"/"false" in any case.
pub(crate) fn boolean(value: Option<&Value>) -> Option<bool> {
    match value? {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_i64() {
            Some(0) => Some(false),
            Some(1) => Some(true),
            _ => None,
        },
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn purchase(data: Value) -> Purchase {
        match data {
            Value::Object(map) => Purchase::from_data(map),
            _ => unreachable!("test data is an object"),
        }
    }

    #[test]
    fn tolerates_numbers_as_strings_and_strings_as_numbers() {
        let p = purchase(json!({
            "purchaseState": "1", "consumptionState": 0.0, "orderAmount": 25.15,
            "appId": 11001, "isTestOrder": "TRUE", "purchaseTime": 1630529397
        }));
        assert_eq!(p.purchase_state(), Some(PurchaseState::Paid));
        assert_eq!(p.consumption_state(), Some(ConsumptionState::NotConsumed));
        assert_eq!(p.order_amount(), Some("25.15"));
        assert_eq!(p.app_id(), Some("11001"));
        assert!(p.is_test_order());
        assert_eq!(p.purchase_time_ms(), Some(1_630_529_397_000));
    }

    #[test]
    fn nulls_and_unknown_values_are_kept_not_errors() {
        let p = purchase(json!({"purchaseState": 7, "currency": null, "newField": [1]}));
        assert_eq!(p.purchase_state(), Some(PurchaseState::Unknown(7)));
        assert_eq!(p.currency(), None);
        assert!(!p.is_paid());
        assert_eq!(p.raw()["newField"], json!([1]));
    }

    #[test]
    fn purchase_time_prefers_purchase_time_and_normalises_units() {
        let ms = purchase(json!({"purchaseTime": "1763642919000"}));
        assert_eq!(ms.purchase_time_ms(), Some(1_763_642_919_000));
        let fallback =
            purchase(json!({"purchaseTime": null, "purchaseTimeMillis": "1630529397125"}));
        assert_eq!(fallback.purchase_time_ms(), Some(1_630_529_397_125));
        assert_eq!(purchase(json!({})).purchase_time_ms(), None);
    }

    #[test]
    fn debug_shows_the_token_only_shortened() {
        let p = purchase(json!({"purchaseToken": "-nowgg-0123456789abcdef", "orderId": "o-1"}));
        let debug = format!("{p:?}");
        assert!(
            debug.contains("-nowgg-012…") && debug.contains("o-1"),
            "{debug}"
        );
        assert!(!debug.contains("0123456789abcdef"), "{debug}");
    }

    #[test]
    fn string_fields_lists_every_field_once() {
        let p = purchase(json!({"orderId": "o-1"}));
        let fields = p.string_fields();
        assert_eq!(fields.len(), STRING_FIELD_COUNT);
        assert!(fields.contains(&("orderId", Some("o-1"))));
    }
}
