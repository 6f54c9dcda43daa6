//! The request builder: the checks a token, an API key and a base URL pass before any
//! I/O, and the consumePurchase form, whose productId, currency and developerPayload
//! follow the token's rules (a refusal names the field). The input is up to seven fields separated by the
//! byte 0xFF (which never occurs in UTF-8, so seeds stay readable text): token, store,
//! productId, currency, developerPayload, API key, base URL. A missing field is absent.
#![no_main]

use std::borrow::Cow;
use std::net::IpAddr;

use libfuzzer_sys::fuzz_target;
use nowgg_payments::fuzzing::{consume_form, endpoint_urls, validate_api_key, validate_token};
use nowgg_payments::{ConsumeRequest, ErrorKind, Store};

const SEPARATOR: u8 = 0xFF;
const MAX_TOKEN_BYTES: usize = 4096;
/// productId, currency and developerPayload: each one's name in messages and its limit.
const FIELDS: [(&str, usize); 3] = [
    ("product_id", 256),
    ("currency", 16),
    ("developer_payload", 4096),
];
const API_PATHS: [&str; 3] = [
    "/v2/seller/order/verifyPurchase",
    "/v2/sellers/order/verifyPurchase",
    "/v2/order/consumePurchase",
];

fuzz_target!(|input: &[u8]| {
    let fields: Vec<Cow<str>> = input
        .split(|&b| b == SEPARATOR)
        .map(String::from_utf8_lossy)
        .collect();
    let field = |i: usize| fields.get(i).map(|f| &**f);
    let token = field(0).unwrap_or_default();
    check_token(token);
    if let Ok(store) = field(1).unwrap_or("nowgg").parse::<Store>() {
        check_form(token, store, field(2), field(3), field(4));
    }
    if let Some(key) = field(5) {
        check_api_key(key);
    }
    if let Some(url) = field(6) {
        check_base_url(url);
    }
});

fn check_token(token: &str) {
    match validate_token(token) {
        Ok(()) => {
            assert!(!token.is_empty());
            assert!(token.len() <= MAX_TOKEN_BYTES, "{} bytes", token.len());
            assert!(!token.chars().any(char::is_control), "{token:?}");
        }
        Err(e) => assert_eq!(e.kind(), ErrorKind::InvalidArgument),
    }
}

fn check_form(
    token: &str,
    store: Store,
    product_id: Option<&str>,
    currency: Option<&str>,
    payload: Option<&str>,
) {
    let mut request = ConsumeRequest::new(token).store(store);
    if let Some(p) = product_id {
        request = request.product_id(p);
    }
    if let Some(c) = currency {
        request = request.currency(c);
    }
    if let Some(d) = payload {
        request = request.developer_payload(d);
    }
    let given = [product_id, currency, payload];
    let form = match consume_form(&request) {
        Ok(form) => form,
        Err(e) => return check_refusal(token, store, given, &e.to_string(), e.kind()),
    };
    assert!(validate_token(token).is_ok(), "an unchecked token was sent");
    for ((name, max), value) in FIELDS.into_iter().zip(given) {
        if let Some(value) = value {
            assert!(follows_the_rules(value, max), "{name} {value:?} was sent");
        }
    }
    assert_eq!(form[0], ("purchaseToken", token));
    let value = |name: &str| {
        let mut values = form.iter().filter(|(n, _)| *n == name).map(|(_, v)| *v);
        let first = values.next();
        assert_eq!(values.next(), None, "{name} sent twice");
        first
    };
    assert_eq!(value("productId"), product_id);
    assert_eq!(value("currency"), currency);
    assert_eq!(value("developerPayload"), payload);
    match store {
        Store::Nowgg => assert_eq!(value("type"), None, "type sent for nowgg"),
        Store::Xiaomi | Store::Onestore => {
            assert_eq!(value("type"), Some(store.as_str()));
            assert!(product_id.is_some_and(|p| !p.is_empty()));
        }
        _ => panic!("a {store} purchase was consumed server-side"),
    }
}

/// Non-empty, at most `max` bytes, no control characters: the token's rules.
fn follows_the_rules(value: &str, max: usize) -> bool {
    !value.is_empty() && value.len() <= max && !value.chars().any(char::is_control)
}

/// A refused consume is INVALID_ARGUMENT; when the token and the store were fine, it was
/// refused for a missing product id or a field that broke the rules, which the message
/// names (the first one, in form order).
fn check_refusal(
    token: &str,
    store: Store,
    given: [Option<&str>; 3],
    message: &str,
    kind: ErrorKind,
) {
    assert_eq!(kind, ErrorKind::InvalidArgument);
    if validate_token(token).is_err() || matches!(store, Store::Amazon | Store::Huawei) {
        return;
    }
    let multistore = matches!(store, Store::Xiaomi | Store::Onestore);
    if multistore && given[0].is_none_or(str::is_empty) {
        return assert!(message.starts_with("product_id is required"), "{message}");
    }
    let broken = FIELDS
        .into_iter()
        .zip(given)
        .find(|((_, max), value)| value.is_some_and(|v| !follows_the_rules(v, *max)));
    let ((name, _), _) = broken.expect("a consume within the rules was refused");
    assert!(message.starts_with(name), "{name}: {message}");
}

fn check_api_key(key: &str) {
    match validate_api_key(key) {
        Ok(()) => {
            assert!(!key.is_empty());
            assert!(
                key.bytes().all(|b| b.is_ascii_graphic() || b == b' '),
                "{key:?}"
            );
        }
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::InvalidArgument);
            assert!(key.is_empty() || !e.to_string().contains(key), "key echoed");
        }
    }
}

/// An accepted base URL must send every call, as ureq parses the joined URL, to the
/// same scheme and host, on the API's own path, and plain HTTP only to loopback.
fn check_base_url(url: &str) {
    let urls = match endpoint_urls(url) {
        Ok(urls) => urls,
        Err(e) => return assert_eq!(e.kind(), ErrorKind::InvalidArgument),
    };
    let base: http::Uri = url.parse().expect("an accepted base URL parses");
    for (joined, path) in urls.iter().zip(API_PATHS) {
        let uri: http::Uri = joined.parse().expect("a joined URL parses");
        assert_eq!(uri.scheme(), base.scheme(), "{joined}");
        assert_eq!(uri.authority(), base.authority(), "{joined}");
        assert!(uri.path().ends_with(path), "{joined} does not call {path}");
        assert_eq!(uri.query(), None, "{joined}");
        if uri.scheme_str() != Some("https") {
            assert_eq!(uri.scheme_str(), Some("http"), "{joined}");
            let host = uri.host().unwrap_or_default();
            let host = host.trim_start_matches('[').trim_end_matches(']');
            assert!(
                host.eq_ignore_ascii_case("localhost")
                    || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback()),
                "plain http to {host}"
            );
        }
    }
}
