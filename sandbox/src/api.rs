//! The Payments API itself: routing, the key check, and the envelope every answer wears.

use serde::Serialize;
use serde_json::Value;

use crate::purchases::{ConsumeError, ConsumeForm};
use crate::requests::RequestRecord;
use crate::state::State;

/// The verify path as the reference's prose (and the No Code page) writes it.
pub const VERIFY_PATH: &str = "/v2/seller/order/verifyPurchase";
/// The verify path as the reference's code samples write it.
pub const VERIFY_PATH_SAMPLES: &str = "/v2/sellers/order/verifyPurchase";
/// The consume path.
pub const CONSUME_PATH: &str = "/v2/order/consumePurchase";

/// The calls the API routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Call {
    Verify,
    Consume,
}

/// The call a path routes to, if any.
pub(crate) fn call_for_path(path: &str) -> Option<Call> {
    match path {
        VERIFY_PATH | VERIFY_PATH_SAMPLES => Some(Call::Verify),
        CONSUME_PATH => Some(Call::Consume),
        _ => None,
    }
}

const ERROR_CONSUMING_PRODUCT: i64 = 3800;
const INVALID_AUTHORIZATION_KEY: i64 = 3900;
const INVALID_PURCHASE_TOKEN: i64 = 3901;
const INTERFACE_NOT_EXIST: i64 = 150;

/// The documented `codeMsg` of an API code.
pub(crate) fn code_name(code: i64) -> Option<&'static str> {
    Some(match code {
        0 => "success",
        INTERFACE_NOT_EXIST => "interface not exist",
        ERROR_CONSUMING_PRODUCT => "ERROR_CONSUMING_PRODUCT",
        INVALID_AUTHORIZATION_KEY => "INVALID_AUTHORIZATION_KEY",
        INVALID_PURCHASE_TOKEN => "INVALID_PURCHASE_TOKEN",
        5014 => "MULTISTORE_UNKNOWN_ERROR",
        5015 => "MULTISTORE_AUTH_ERROR",
        _ => return None,
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<'a> {
    success: bool,
    code: i64,
    code_msg: &'a str,
    data: &'a Value,
}

fn envelope(code: i64, code_msg: &str, data: &Value) -> Vec<u8> {
    let envelope = Envelope {
        success: code == 0,
        code,
        code_msg,
        data,
    };
    serde_json::to_vec(&envelope).expect("an envelope always serialises")
}

/// A failure envelope with `data: {}`.
pub(crate) fn failure(code: i64, code_msg: &str) -> Vec<u8> {
    let envelope = Envelope {
        success: false,
        code,
        code_msg,
        data: &Value::Object(Default::default()),
    };
    serde_json::to_vec(&envelope).expect("an envelope always serialises")
}

fn failure_with_name(code: i64) -> (i64, Vec<u8>) {
    (code, failure(code, code_name(code).unwrap_or("error")))
}

/// Carries out the API request `record` describes (its effect included) and returns the
/// API code and the envelope to answer with (always HTTP 200).
pub(crate) fn answer(state: &State, record: &RequestRecord) -> (i64, Vec<u8>) {
    // The gateway routes before it authenticates: an unrouted path is 150 whatever the key.
    let call = match call_for_path(&record.path) {
        Some(call) if record.method == "POST" => call,
        _ => return failure_with_name(INTERFACE_NOT_EXIST),
    };
    if !record.authorized {
        return failure_with_name(INVALID_AUTHORIZATION_KEY);
    }
    let token = record
        .form
        .get("purchaseToken")
        .map(String::as_str)
        .unwrap_or("");
    match call {
        Call::Verify => state
            .purchases
            .with_data(token, |data| (0, envelope(0, "success", data)))
            .unwrap_or_else(|| failure_with_name(INVALID_PURCHASE_TOKEN)),
        Call::Consume => {
            let form = ConsumeForm {
                store_type: record.form.get("type").map(String::as_str),
                product_id: record.form.get("productId").map(String::as_str),
            };
            match state.purchases.consume(token, &form) {
                Ok(()) => (
                    0,
                    envelope(0, "success", &Value::Object(Default::default())),
                ),
                Err(ConsumeError::UnknownToken) => failure_with_name(INVALID_PURCHASE_TOKEN),
                Err(ConsumeError::Refused) => failure_with_name(ERROR_CONSUMING_PRODUCT),
            }
        }
    }
}
