//! The response decoder: any body, under a success, a client-error and a retryable
//! status, becomes a purchase or a typed error. Beyond "no panic" it checks that only the
//! vendor's envelope shape (an integer `code` with a boolean `success` or a string
//! `codeMsg`) is read as an answer of the API, anything else being HTTP_STATUS or DECODE
//! by the status; that a decoded purchase keeps the answer's `data` object exactly and
//! survives a JSON round trip; and that no error ever shows the API key or the whole
//! purchase token, nor the start of one cut short, even when the server echoes them back,
//! and stays one short sentence however long the server's text.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use nowgg_payments::fuzzing::decode_purchase;
use nowgg_payments::{Error, ErrorKind, JsonMap, JsonValue, Purchase, StringField};

/// The secrets the decoder is handed: both also sit in `dict/decode_purchase.dict`, as
/// sent, percent-encoded and JSON-escaped, so the fuzzer plays a gateway that echoes them
/// into any part of an answer, as sent or quoted. Each has characters that encoding
/// changes, none of them in its first `START` characters.
const API_KEY: &str = "fz-api-key-5ecret/7f3a+\"q=";
const TOKEN: &str = "-nowgg-fuzz-token/0123+456789=";
/// How much of a secret's start must never show (a short token shows 10 characters).
const START: usize = 11;

/// One status per branch of the decoder: 2xx, 4xx, and a retryable 5xx.
const STATUSES: [u16; 3] = [200, 404, 503];
const RETRY_AFTER: Duration = Duration::from_secs(7);

/// Server text is quoted at most 120 characters long: a message around it stays short.
const MAX_MESSAGE_CHARS: usize = 400;

fuzz_target!(|body: &[u8]| {
    let code = envelope_code(body);
    for status in STATUSES {
        match decode_purchase(status, Some(RETRY_AFTER), body, API_KEY, TOKEN) {
            Ok(purchase) => {
                assert!(code.is_some(), "read an answer that is not an envelope");
                check_purchase(body, purchase)
            }
            Err(error) => {
                check_error(status, &error);
                check_shape(status, code, &error);
                check_secrets(body, &error);
            }
        }
    }
});

/// The envelope's code when `body` has the vendor's shape, as DESIGN.md states it: an
/// object with an integer `code` (an integral number, or a string holding an integer)
/// and a boolean `success` or a string `codeMsg`.
fn envelope_code(body: &[u8]) -> Option<i64> {
    let JsonValue::Object(object) = serde_json::from_slice(body).ok()? else {
        return None;
    };
    let code = match object.get("code")? {
        JsonValue::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e18)
                .map(|f| f as i64)
        })?,
        JsonValue::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    let shaped = matches!(object.get("success"), Some(JsonValue::Bool(_)))
        || matches!(object.get("codeMsg"), Some(JsonValue::String(_)));
    shaped.then_some(code)
}

/// An envelope's non-zero code is the error's, whatever the status; anything that is not
/// an envelope is HTTP_STATUS (non-2xx) or DECODE (2xx) and never carries an API code.
fn check_shape(status: u16, code: Option<i64>, error: &Error) {
    match code {
        Some(code) if code != 0 => assert_eq!(error.api_code(), Some(code), "{error:?}"),
        Some(_) => {}
        None => {
            assert_eq!(error.api_code(), None, "not an envelope: {error:?}");
            let expected = if (200..300).contains(&status) {
                ErrorKind::Decode
            } else {
                ErrorKind::HttpStatus
            };
            assert_eq!(error.kind(), expected, "{error:?}");
        }
    }
}

/// No secret survives in part where the body held it whole: a start of the key or the
/// token longer than a short token shows (10 characters) appears in the message only if
/// the body has it on its own, not as the start of the whole secret.
fn check_secrets(body: &[u8], error: &Error) {
    let text = error.to_string();
    assert!(text.chars().count() <= MAX_MESSAGE_CHARS, "{text:?}");
    let count = |needle: &str| {
        let needle = needle.as_bytes();
        body.windows(needle.len()).filter(|w| *w == needle).count()
    };
    for secret in [API_KEY, TOKEN] {
        // Where every copy of the start belongs to an echo of the whole secret, the
        // scrubbed message must not show it.
        let start = &secret[..START];
        let echoes: usize = echoes(secret).iter().map(|echo| count(echo)).sum();
        if count(start) == echoes {
            assert!(!text.contains(start), "the start of a secret in {text:?}");
        }
    }
}

/// The forms a gateway may echo `secret` in: as sent, percent-encoded (either hex case),
/// JSON-escaped (with `/` as is or as `\/`). Written here, apart from the library's own.
fn echoes(secret: &str) -> Vec<String> {
    let percent = |hex: fn(u8) -> String| -> String {
        secret
            .bytes()
            .map(|b| match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    char::from(b).to_string()
                }
                _ => hex(b),
            })
            .collect()
    };
    let json = secret.replace('\\', "\\\\").replace('"', "\\\"");
    let mut forms = vec![
        secret.to_owned(),
        percent(|b| format!("%{b:02X}")),
        percent(|b| format!("%{b:02x}")),
        json.replace('/', "\\/"),
        json,
    ];
    forms.sort();
    forms.dedup();
    forms
}

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

    for field in StringField::ALL {
        let (name, value) = (field.api_name(), purchase.string_field(field));
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
