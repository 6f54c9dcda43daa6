//! What the API and its faults put on the wire, shared by the modules that answer,
//! inject faults and log: the paths and the calls they route to, the API codes with
//! their documented names, and the envelope every answer wears.

use serde::Serialize;
use serde_json::Value;

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

/// A consume refused: the purchase is consumed already, or not paid.
pub(crate) const ERROR_CONSUMING_PRODUCT: i64 = 3800;
/// The `Authorization` header holds no key the sandbox accepts.
pub(crate) const INVALID_AUTHORIZATION_KEY: i64 = 3900;
/// No purchase has this token.
pub(crate) const INVALID_PURCHASE_TOKEN: i64 = 3901;
/// The gateway routes no call to this path.
pub(crate) const INTERFACE_NOT_EXIST: i64 = 150;

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

/// An envelope around `data`, successful for code 0.
pub(crate) fn envelope(code: i64, code_msg: &str, data: &Value) -> Vec<u8> {
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
