//! Every fault action, as a client sees it on the wire.

mod common;

use std::io::{self, Read};
use std::time::{Duration, Instant};

use common::{connected, sandbox, Client};
use nowgg_sandbox::{Action, Fault, Match, CONSUME_PATH, VERIFY_PATH, VERIFY_PATH_SAMPLES};
use serde_json::json;

const PAID: &str = "-nowgg-sample-paid";

#[test]
fn none_with_delay_serves_late() {
    let sb = sandbox();
    sb.add_fault(Fault::new(Action::None).delay(Duration::from_millis(300)));
    let mut client = Client::connect(sb.addr());
    let start = Instant::now();
    assert_eq!(client.verify(PAID).unwrap().code(), 0);
    assert!(start.elapsed() >= Duration::from_millis(300));
    let start = Instant::now();
    assert_eq!(client.verify(PAID).unwrap().code(), 0);
    assert!(
        start.elapsed() < Duration::from_millis(300),
        "count 1 hits once"
    );
}

#[test]
fn hang_never_answers_and_blocks_nobody_else() {
    let (sb, mut client) = connected();
    client.fault(r#"{"match": "consume", "action": "hang"}"#);
    client
        .tcp()
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let start = Instant::now();
    let err = client.consume(&[("purchaseToken", PAID)]).unwrap_err();
    assert!(
        matches!(
            err.kind(),
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
        ),
        "{err}"
    );
    assert!(start.elapsed() >= Duration::from_millis(450));
    // Meanwhile another connection is served, and the hung call had no effect.
    let mut other = Client::connect(sb.addr());
    assert_eq!(
        other.verify(PAID).unwrap().json()["data"]["consumptionState"],
        0
    );
    assert_eq!(sb.requests().len(), 2, "hung request is logged too");
}

/// Sends a consume of `PAID` on a connection of its own: whether it was closed with no
/// answer.
fn consume_closes_without_answer(sb: &nowgg_sandbox::Sandbox) -> bool {
    let mut client = Client::connect(sb.addr());
    let form = format!("purchaseToken={PAID}");
    let auth = [("Authorization", common::KEY)];
    client
        .send("POST", CONSUME_PATH, &auth, form.as_bytes())
        .unwrap();
    client.closed_without_answer()
}

#[test]
fn drop_before_closes_without_effect() {
    let sb = sandbox();
    sb.add_fault(Fault::new(Action::DropBefore).on(Match::Consume));
    assert!(consume_closes_without_answer(&sb));
    assert_eq!(sb.purchase(PAID).unwrap()["consumptionState"], 0);
}

#[test]
fn drop_after_applies_the_consume_then_closes() {
    let sb = sandbox();
    let mut control = Client::connect(sb.addr());
    control.fault(r#"[{"match": "consume", "action": "drop_after"}]"#);
    assert!(consume_closes_without_answer(&sb));
    assert_eq!(sb.purchase(PAID).unwrap()["consumptionState"], 1);
    // So a retried consume now fails, and a verify shows it happened.
    let mut again = Client::connect(sb.addr());
    assert_eq!(
        again.consume(&[("purchaseToken", PAID)]).unwrap().code(),
        3800
    );
    assert_eq!(
        again.verify(PAID).unwrap().json()["data"]["consumptionState"],
        1
    );
}

#[test]
fn status_answers_raw_with_headers() {
    let (sb, mut client) = connected();
    client.fault(r#"{"action": "status", "status": 503, "body": "<h1>busy</h1>", "headers": {"Retry-After": "1"}}"#);
    let answer = client.verify(PAID).unwrap();
    assert_eq!(answer.status, 503);
    assert_eq!(answer.body, b"<h1>busy</h1>");
    assert_eq!(answer.header("retry-after"), Some("1"));
    assert_eq!(answer.header("content-type"), Some("text/html"));

    sb.add_fault(Fault::new(Action::Status {
        status: 429,
        body: String::new(),
        headers: Default::default(),
        content_type: "text/plain".into(),
    }));
    let answer = client.verify(PAID).unwrap();
    assert_eq!((answer.status, answer.body.len()), (429, 0));
    assert_eq!(
        client.verify(PAID).unwrap().code(),
        0,
        "the connection is still usable"
    );
}

#[test]
fn json_answers_the_body_verbatim() {
    let (_sb, mut client) = connected();
    client.fault(r#"{"action": "json", "status": 502, "body": {"oops": [1, null]}}"#);
    let answer = client.verify(PAID).unwrap();
    assert_eq!(answer.status, 502);
    assert_eq!(answer.json(), json!({"oops": [1, null]}));
    client.fault(r#"{"action": "json", "body": "just a string"}"#);
    let answer = client.verify(PAID).unwrap();
    assert_eq!(
        (answer.status, answer.json()),
        (200, json!("just a string"))
    );
}

#[test]
fn api_code_answers_the_envelope_without_effect() {
    let (sb, mut client) = connected();
    client.fault(
        r#"[{"match": "consume", "action": "api_code", "code": 5014},
                 {"action": "api_code", "code": 4242},
                 {"action": "api_code", "code": 7, "msg": "custom", "status": 500}]"#,
    );
    let answer = client.consume(&[("purchaseToken", PAID)]).unwrap();
    assert_eq!(
        answer.json(),
        json!({"success": false, "code": 5014, "codeMsg": "MULTISTORE_UNKNOWN_ERROR", "data": {}})
    );
    assert_eq!(sb.purchase(PAID).unwrap()["consumptionState"], 0);
    assert_eq!(client.verify(PAID).unwrap().json()["codeMsg"], "error");
    let answer = client.verify(PAID).unwrap();
    assert_eq!(answer.status, 500);
    assert_eq!(answer.json()["codeMsg"], "custom");
}

#[test]
fn malformed_empty_and_oversized_bodies() {
    let sb = sandbox();
    sb.add_faults([
        Fault::new(Action::Malformed),
        Fault::new(Action::Empty),
        Fault::new(Action::Oversized { bytes: 3_000_000 }),
    ]);
    let mut client = Client::connect(sb.addr());
    let malformed = client.verify(PAID).unwrap();
    assert_eq!(malformed.status, 200);
    assert_eq!(malformed.header("content-type"), Some("application/json"));
    assert_eq!(malformed.body, br#"{"success": tru"#);
    let empty = client.verify(PAID).unwrap();
    assert_eq!(
        (empty.status, empty.header("content-length")),
        (200, Some("0"))
    );
    let big = client.verify(PAID).unwrap();
    assert_eq!(big.body.len(), 3_000_000);
    assert_eq!(big.json()["success"], true);

    client.fault(r#"{"action": "oversized"}"#);
    assert_eq!(client.verify(PAID).unwrap().body.len(), 2 * 1024 * 1024);
}

#[test]
fn match_verify_hits_both_paths_only_and_literal_paths_match_exactly() {
    let sb = sandbox();
    sb.add_faults([
        Fault::new(Action::Empty).on(Match::Verify).times(2),
        Fault::new(Action::Malformed).on(Match::Path("/v2/other".into())),
    ]);
    let mut client = Client::connect(sb.addr());
    let form = [("purchaseToken", PAID)];
    assert_eq!(
        client
            .api(CONSUME_PATH, Some(common::KEY), &[("purchaseToken", "x")])
            .unwrap()
            .code(),
        3901
    );
    assert!(client
        .api(VERIFY_PATH, Some(common::KEY), &form)
        .unwrap()
        .body
        .is_empty());
    assert!(client
        .api(VERIFY_PATH_SAMPLES, Some(common::KEY), &form)
        .unwrap()
        .body
        .is_empty());
    assert_eq!(client.verify(PAID).unwrap().code(), 0);
    assert_eq!(client.api("/v2/other/x", None, &[]).unwrap().code(), 150);
    assert_eq!(
        client.api("/v2/other?q=1", None, &[]).unwrap().body,
        br#"{"success": tru"#
    );
    // Control requests never take a fault.
    sb.add_fault(Fault::new(Action::DropBefore));
    assert_eq!(client.control("/_sandbox/requests", None).status, 200);
    let mut raw = Client::connect(sb.addr());
    raw.send("POST", "/anything", &[], b"").unwrap();
    let mut rest = Vec::new();
    let _ = raw.tcp().try_clone().unwrap().read_to_end(&mut rest);
    assert!(rest.is_empty());
}
