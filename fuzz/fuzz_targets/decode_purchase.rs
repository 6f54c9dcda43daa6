//! The response decoder: any body, under a success, a client-error and a retryable
//! status, becomes a purchase or a typed error. Beyond "no panic" it checks that a
//! decoded purchase keeps the answer's `data` object exactly and survives a JSON round
//! trip, and that no error ever shows the API key or the whole purchase token, even when
//! the server echoes them back.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use nowgg_payments::fuzzing::decode_purchase;
use nowgg_payments::{Error, ErrorKind, JsonMap, JsonValue, Purchase};

/// The secrets the decoder is handed: both also sit in `dict/decode_purchase.dict`, so
/// the fuzzer plays a gateway that echoes them into any part of an answer.
const API_KEY: &str = "fz-api-key-5ecret-7f3a";
const TOKEN: &str = "-nowgg-fuzz-token-0123456789";

/// One status per branch of the decoder: 2xx, 4xx, and a retryable 5xx.
const STATUSES: [u16; 3] = [200, 404, 503];
const RETRY_AFTER: Duration = Duration::from_secs(7);

fuzz_target!(|body: &[u8]| {
    for status in STATUSES {
        match decode_purchase(status, Some(RETRY_AFTER), body, API_KEY, TOKEN) {
            Ok(purchase) => check_purchase(body, purchase),
            Err(error) => check_error(status, &error),
        }
    }
});

fn check_purchase(body: &[u8], purchase: Option<Purchase>) {
    let envelope: JsonMap<String, JsonValue> =
        serde_json::from_slice(body).expect("decoded a non-object");
    let data = envelope.get("data");
    let Some(purchase) = purchase else {
        assert!(!matches!(data, Some(JsonValue::Object(_))), "data was lost");
        return;
    };
    assert_eq!(
        data,
        Some(&JsonValue::Object(purchase.raw().clone())),
        "data changed"
    );

    let reread = Purchase::from_data(purchase.raw().clone());
    assert_eq!(reread, purchase, "reading raw again gives another purchase");
    let json = serde_json::to_vec(purchase.raw()).expect("raw serialises");
    let reparsed: JsonMap<String, JsonValue> =
        serde_json::from_slice(&json).expect("raw's JSON parses");
    assert_eq!(Purchase::from_data(reparsed), purchase, "JSON round trip");

    for (name, value) in purchase.string_fields() {
        if let Some(JsonValue::String(text)) = purchase.raw().get(name) {
            assert_eq!(value, Some(text.as_str()), "{name}");
        }
        if matches!(purchase.raw().get(name), None | Some(JsonValue::Null)) {
            assert_eq!(value, None, "{name}");
        }
    }
    assert_eq!(
        purchase.is_paid(),
        purchase.purchase_state().map(|s| s.code()) == Some(1)
    );
    let _ = purchase.purchase_time_ms();
}

fn check_error(status: u16, error: &Error) {
    for text in [error.to_string(), format!("{error:?}")] {
        assert!(!text.contains(API_KEY), "API key in {text:?}");
        assert!(!text.contains(TOKEN), "whole token in {text:?}");
    }
    assert_eq!(error.http_status(), Some(status), "{error:?}");
    match error.kind() {
        ErrorKind::HttpStatus => {
            assert!(!(200..300).contains(&status));
            assert_eq!(error.is_retryable(), status == 429 || status >= 500);
        }
        ErrorKind::Decode => {}
        ErrorKind::Timeout | ErrorKind::Connection | ErrorKind::InvalidArgument => {
            panic!("the decoder made a {} error", error.kind())
        }
        api => {
            let code = error.api_code().expect("API errors carry their code");
            assert_eq!(api, ErrorKind::from_api_code(code));
        }
    }
}
