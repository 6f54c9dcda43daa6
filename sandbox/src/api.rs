//! The Payments API itself: routing, the key check, and each call's effect and answer.

use serde_json::Value;

use crate::purchases::{ConsumeError, ConsumeForm};
use crate::requests::RequestRecord;
use crate::state::State;
use crate::wire::{
    call_for_path, code_name, envelope, failure, Call, ERROR_CONSUMING_PRODUCT,
    INTERFACE_NOT_EXIST, INVALID_AUTHORIZATION_KEY, INVALID_PURCHASE_TOKEN,
};

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
