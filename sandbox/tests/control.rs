//! The `/_sandbox/` control API over real TCP, and the Rust methods sharing its state.

mod common;

use common::{connected, sandbox, KEY};
use nowgg_sandbox::{Fixture, NewPurchase, RequestRecord, Sandbox, Store, VERIFY_PATH};
use serde_json::{json, Value};

#[test]
fn purchases_added_over_http_are_served_and_readable() {
    let (sb, mut client) = connected();
    let added = client.control(
        "/_sandbox/purchases",
        Some(r#"{"data": {"purchaseState": 1, "consumptionState": 0, "orderAmount": null}}"#),
    );
    assert_eq!(added.status, 200);
    let token = added.json()["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("-nowgg-") && token.len() == 31, "{token}");
    assert!(token[7..].chars().all(|c| c.is_ascii_alphanumeric()));

    let stored = client.control(&format!("/_sandbox/purchases/{token}"), None);
    assert_eq!(
        stored.json(),
        json!({"purchaseState": 1, "consumptionState": 0, "orderAmount": null, "purchaseToken": token})
    );
    assert_eq!(client.verify(&token).unwrap().json()["data"], stored.json());
    assert_eq!(
        client.consume(&[("purchaseToken", &token)]).unwrap().code(),
        0
    );
    // The Rust API sees the same state.
    assert_eq!(sb.purchase(&token).unwrap()["consumptionState"], 1);
}

#[test]
fn a_given_token_and_purchase_token_are_kept() {
    let (sb, mut client) = connected();
    let added = client.control(
        "/_sandbox/purchases",
        Some(r#"{"token": "one-1", "store": "onestore", "data": {"purchaseToken": "elsewhere"}}"#),
    );
    assert_eq!(added.json(), json!({"token": "one-1"}));
    assert_eq!(
        sb.purchase("one-1").unwrap(),
        json!({"purchaseToken": "elsewhere"})
    );
    let unknown = client.control("/_sandbox/purchases/nope", None);
    assert_eq!(unknown.status, 404);
    assert!(unknown.json()["error"].is_string());
    // Percent-encoded token in the path.
    assert_eq!(
        client
            .control("/_sandbox/purchases/%2Dnowgg%2Dsample%2Dpaid", None)
            .status,
        200
    );
}

#[test]
fn bad_control_requests_get_json_errors() {
    let (_sb, mut client) = connected();
    let unknown = client.control("/_sandbox/nothing", Some("{}"));
    assert_eq!(unknown.status, 404);
    assert!(unknown.json()["error"]
        .as_str()
        .unwrap()
        .contains("/_sandbox/nothing"));

    for (path, body, needle) in [
        ("/_sandbox/purchases", "{not json", "bad purchase"),
        ("/_sandbox/purchases", r#"{"data": [1]}"#, "map"),
        (
            "/_sandbox/purchases",
            r#"{"data": {}, "store": "steam"}"#,
            "steam",
        ),
        (
            "/_sandbox/purchases",
            r#"{"token": "", "data": {}}"#,
            "empty",
        ),
        ("/_sandbox/faults", r#"{"action": "explode"}"#, "explode"),
        ("/_sandbox/faults", "[", "bad fault"),
    ] {
        let answer = client.control(path, Some(body));
        assert_eq!(answer.status, 400, "{body}");
        let message = answer.json()["error"].as_str().unwrap().to_owned();
        assert!(message.contains(needle), "{body}: {message}");
    }
    let wrong_method = client.control("/_sandbox/reset", None);
    assert_eq!(wrong_method.status, 405);
    assert_eq!(wrong_method.header("allow"), Some("POST"));
}

#[test]
fn requests_log_lists_api_requests_without_the_key() {
    let (sb, mut client) = connected();
    client.verify("-nowgg-sample-paid").unwrap();
    client
        .api(
            VERIFY_PATH,
            Some("wrong"),
            &[("purchaseToken", "t"), ("productId", "p")],
        )
        .unwrap();
    client.control("/_sandbox/purchases/-nowgg-sample-paid", None);
    let listed = client.control("/_sandbox/requests", None).json();
    let listed = listed.as_array().unwrap();
    assert_eq!(
        listed.len(),
        2,
        "control requests are not logged: {listed:?}"
    );
    assert_eq!(listed[0]["method"], "POST");
    assert_eq!(listed[0]["path"], VERIFY_PATH);
    assert_eq!(listed[0]["authorized"], true);
    assert_eq!(
        listed[0]["form"],
        json!({"purchaseToken": "-nowgg-sample-paid"})
    );
    assert_eq!(
        listed[0]["headers"]["content-type"],
        "application/x-www-form-urlencoded"
    );
    assert_eq!(listed[0]["headers"]["user-agent"], "raw-test");
    assert_eq!(listed[1]["authorized"], false);
    assert_eq!(listed[1]["form"]["productId"], "p");
    for entry in listed {
        let headers = entry["headers"].as_object().unwrap();
        assert!(!headers.contains_key("authorization"), "{entry}");
        assert!(!entry.to_string().contains(KEY), "{entry}");
    }
    // The Rust view is the same log.
    let records: Vec<RequestRecord> = serde_json::from_value(Value::Array(listed.clone())).unwrap();
    assert_eq!(sb.requests(), records);
}

#[test]
fn reset_restores_fixtures_and_clears_faults_and_log() {
    let (sb, mut client) = connected();
    let token = sb
        .add_purchase(NewPurchase {
            token: Some("temp".into()),
            ..NewPurchase::new(serde_json::Map::new())
        })
        .unwrap();
    client
        .consume(&[("purchaseToken", "-nowgg-sample-paid")])
        .unwrap();
    client.fault(r#"{"action": "empty", "count": 5}"#);
    assert_eq!(
        client.control("/_sandbox/reset", Some("")).json(),
        json!({})
    );
    assert!(sb.requests().is_empty());
    assert_eq!(sb.purchase(&token), None);
    assert_eq!(
        sb.purchase("-nowgg-sample-paid").unwrap()["consumptionState"],
        0
    );
    assert_eq!(
        client.verify("-nowgg-sample-paid").unwrap().code(),
        0,
        "fault was cleared"
    );
}

#[test]
fn custom_fixtures_replace_the_samples() {
    let fixture = Fixture::new("mine", Store::Xiaomi, serde_json::Map::new());
    let sb = Sandbox::start(nowgg_sandbox::Config::new(KEY).fixtures(vec![fixture])).unwrap();
    assert_eq!(sb.purchase("-nowgg-sample-paid"), None);
    assert_eq!(
        sb.purchase("mine").unwrap(),
        json!({"purchaseToken": "mine"})
    );
}

#[test]
fn default_fixtures_copy_the_vendor_samples() {
    let sb = sandbox();
    let unpaid = sb.purchase("-nowgg-sample-unpaid").unwrap();
    assert_eq!(unpaid["purchaseTime"], "1630529397");
    assert_eq!(unpaid["payStatusTxt"], "Unpaid");
    assert_eq!(unpaid.as_object().unwrap().len(), 18);
    let paid = sb.purchase("-nowgg-sample-paid").unwrap();
    assert_eq!(
        (paid["purchaseState"].clone(), paid["payStatusTxt"].clone()),
        (json!(1), json!("Paid"))
    );
    let nocode = sb.purchase("-nowgg-sample-nocode").unwrap();
    assert!(nocode.get("appId").is_none());
    assert_eq!(nocode["purchaseTime"], "1630529397125");
    let xiaomi = sb.purchase("xiaomi-sample-1").unwrap();
    assert_eq!(xiaomi["developerPayload"], Value::Null);
    assert_eq!(xiaomi["countryCode"], "FR");
    let onestore = sb.purchase("onestore-sample-1").unwrap();
    assert_eq!(onestore["regionCode"], Value::Null);
    assert_eq!(onestore["payStatusTxt"], "Paid");
}

#[test]
fn dropping_the_sandbox_frees_the_port() {
    let sb = sandbox();
    let addr = sb.addr();
    drop(sb);
    assert!(std::net::TcpListener::bind(addr).is_ok());
}
