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

/// Declares the string fields once: the struct members, their getters, the field enum
/// and the field table, so none of them can drift apart.
macro_rules! string_fields {
    ($( $(#[doc = $doc:literal])* $field:ident / $variant:ident => $api:literal, )*) => {
        /// The string fields of a purchase, `None` where absent or null.
        #[derive(Clone, Debug, Default, PartialEq, Eq)]
        struct Strings { $( $field: Option<String>, )* }

        impl Strings {
            fn read(data: &Map<String, Value>) -> Strings {
                Strings { $( $field: text(data.get($api)), )* }
            }
        }

        /// Names one string field of a purchase, for faces that look fields up by
        /// number (the C getters); [`StringField::ALL`] lists them in the vendor's order.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum StringField {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl StringField {
            /// Every string field, in the vendor's order.
            pub const ALL: [StringField; STRING_FIELD_COUNT] = [ $( StringField::$variant, )* ];

            /// The field's name in the API (`orderId`).
            pub const fn api_name(self) -> &'static str {
                match self { $( StringField::$variant => $api, )* }
            }

            /// The field's name in Rust and Python (`order_id`).
            pub const fn snake_name(self) -> &'static str {
                match self { $( StringField::$variant => stringify!($field), )* }
            }

            /// The field's documentation, the one text every face's docs show.
            pub const fn doc(self) -> &'static str {
                match self { $( StringField::$variant => concat!($($doc),*).trim_ascii(), )* }
            }
        }

        impl Purchase {
            /// The value of one string field, `None` where absent or null.
            pub fn string_field(&self, field: StringField) -> Option<&str> {
                match field { $( StringField::$variant => self.strings.$field.as_deref(), )* }
            }

            $(
                $(#[doc = $doc])*
                #[doc = concat!("\n\nThe vendor's `", $api, "`; `None` when absent or null.")]
                pub fn $field(&self) -> Option<&str> {
                    self.strings.$field.as_deref()
                }
            )*
        }
    };
}

/// Hands the purchase's string-field table to `$callback`, a `macro_rules!` macro of the
/// caller's: one entry per field, in the vendor's order, each
/// `$(#[doc = "..."])* rust_name / VariantName => "apiName",`. Faces generate their
/// getters from it, so a field added here reaches every face. The docs are plain string
/// literals, not `///` comments (which a macro hands on as raw strings, `r"..."`), so
/// that code generators reading the tokens, such as napi-derive, see the text itself.
///
/// ```
/// macro_rules! api_names {
///     ($( $(#[doc = $doc:literal])* $field:ident / $variant:ident => $api:literal, )*) => {
///         [$($api),*]
///     };
/// }
/// let names = nowgg_payments::for_each_string_field!(api_names);
/// assert_eq!(names.len(), nowgg_payments::STRING_FIELD_COUNT);
/// assert!(names.contains(&"orderId"));
/// ```
#[macro_export]
macro_rules! for_each_string_field {
    ($callback:ident) => {
        $callback! {
            #[doc = " The app's id (the same as its Payment ID)."]
            app_id / AppId => "appId",
            #[doc = " The buyer's country at purchase time; some stores send null."]
            country_code / CountryCode => "countryCode",
            #[doc = " The currency, e.g. `USD`."]
            currency / Currency => "currency",
            #[doc = " The string the game attached to the order."]
            developer_payload / DeveloperPayload => "developerPayload",
            #[doc = " `release` or `sandbox`."]
            environment / Environment => "environment",
            #[doc = " Always `nowgg#productPurchase` where sent."]
            kind / Kind => "kind",
            #[doc = " The amount, kept as text: money is never a float."]
            order_amount / OrderAmount => "orderAmount",
            #[doc = " The unique transaction id: the key to record a grant under."]
            order_id / OrderId => "orderId",
            #[doc = " The app's package name."]
            package_name / PackageName => "packageName",
            #[doc = " `Paid` or `Unpaid`."]
            pay_status_txt / PayStatusTxt => "payStatusTxt",
            #[doc = " When the payment happened, as the vendor formats it."]
            pay_time_txt / PayTimeTxt => "payTimeTxt",
            #[doc = " The product bought (absent in No Code purchases: see `sellerGoodsId`)."]
            product_id / ProductId => "productId",
            #[doc = " The product's name."]
            product_name / ProductName => "productName",
            #[doc = " The purchase time as sent: documented in seconds, sampled in milliseconds"]
            #[doc = " (the normalised value is `purchaseTimeMs`)."]
            purchase_time / PurchaseTime => "purchaseTime",
            #[doc = " Deprecated by the vendor in favour of `purchaseTime`."]
            purchase_time_millis / PurchaseTimeMillis => "purchaseTimeMillis",
            #[doc = " The purchase token."]
            purchase_token / PurchaseToken => "purchaseToken",
            #[doc = " The ISO 3166-1 alpha-2 billing region."]
            region_code / RegionCode => "regionCode",
            #[doc = " The product id as the seller set it up; No Code purchases carry only this."]
            seller_goods_id / SellerGoodsId => "sellerGoodsId",
        }
    };
}

/// How many string fields a purchase has (see [`StringField::ALL`]).
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

for_each_string_field!(string_fields);

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

    /// [`raw`](Purchase::raw) as JSON text, serialised straight from the purchase (no
    /// copy of the map): what the faces hand out as the raw `data`.
    pub fn raw_json(&self) -> String {
        serde_json::to_string(&self.raw).unwrap_or_else(|_| "{}".to_owned())
    }

    /// The purchase as one JSON object, the shape every face shows: each field under
    /// the API's own camelCase name (`null` where absent), `purchaseState` and
    /// `consumptionState` as integers, `isTestOrder`, the derived `purchaseTimeMs`,
    /// `isPaid` and `isConsumed`, and the vendor's whole `data` object under `raw`.
    /// The Node face parses it into its purchase object; `nowgg verify --json` prints it.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&Typed(self)).unwrap_or_else(|_| "{}".to_owned())
    }
}

/// The serialisable view behind [`Purchase::to_json`].
struct Typed<'a>(&'a Purchase);

impl serde::Serialize for Typed<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let p = self.0;
        let mut map = serializer.serialize_map(Some(STRING_FIELD_COUNT + 7))?;
        for field in StringField::ALL {
            map.serialize_entry(field.api_name(), &p.string_field(field))?;
        }
        map.serialize_entry("purchaseState", &p.purchase_state)?;
        map.serialize_entry("consumptionState", &p.consumption_state)?;
        map.serialize_entry("isTestOrder", &p.is_test_order())?;
        map.serialize_entry("purchaseTimeMs", &p.purchase_time_ms())?;
        map.serialize_entry("isPaid", &p.is_paid())?;
        map.serialize_entry("isConsumed", &p.is_consumed())?;
        map.serialize_entry("raw", &p.raw)?;
        map.end()
    }
}

/// Shows every field but the token only shortened, and not `raw` (which repeats it):
/// purchases end up in logs.
impl fmt::Debug for Purchase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("Purchase");
        for field in StringField::ALL {
            let (name, value) = (field.api_name(), self.string_field(field));
            match (field, value) {
                (StringField::PurchaseToken, Some(token)) => out.field(name, &short_token(token)),
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
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    /// A purchase from a JSON object literal (for this crate's tests).
    pub(crate) fn purchase(data: Value) -> Purchase {
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
    fn to_json_is_the_typed_purchase_with_raw_beside_it() {
        let p = purchase(json!({
            "orderAmount": 25.15, "purchaseState": "1", "purchaseTime": 1630529397,
            "newField": [1]
        }));
        let typed: Value = serde_json::from_str(&p.to_json()).unwrap();
        assert_eq!(typed["orderAmount"], "25.15");
        assert_eq!(typed["purchaseState"], 1);
        assert_eq!(typed["orderId"], Value::Null);
        assert_eq!(typed["isPaid"], true);
        assert_eq!(typed["isConsumed"], false);
        assert_eq!(typed["isTestOrder"], false);
        assert_eq!(typed["purchaseTimeMs"], 1_630_529_397_000_i64);
        assert_eq!(typed["raw"]["orderAmount"], 25.15);
        assert_eq!(typed["raw"]["newField"], json!([1]));
        assert_eq!(typed.as_object().unwrap().len(), STRING_FIELD_COUNT + 7);
        let raw: Value = serde_json::from_str(&p.raw_json()).unwrap();
        assert_eq!(&raw, &Value::Object(p.raw().clone()));
    }

    #[test]
    fn the_field_table_names_every_field_once() {
        let p = purchase(json!({"orderId": "o-1"}));
        assert_eq!(p.string_field(StringField::OrderId), Some("o-1"));
        let mut names: Vec<_> = StringField::ALL.iter().map(|f| f.api_name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), STRING_FIELD_COUNT);
        assert_eq!(StringField::OrderId.snake_name(), "order_id");
        assert!(StringField::ALL.iter().all(|f| !f.doc().is_empty()));
        assert!(StringField::OrderId
            .doc()
            .starts_with("The unique transaction id"));
    }
}
