//! The Payments API over real TCP: auth, verify, consume rules, unknown paths, keep-alive.

mod common;

use common::{connected, sandbox, Client, KEY};
use nowgg_sandbox::{NewPurchase, Store, CONSUME_PATH, VERIFY_PATH, VERIFY_PATH_SAMPLES};
use serde_json::{json, Value};

fn object(value: Value) -> serde_json::Map<String, Value> {
    value.as_object().expect("an object").clone()
}

#[test]
fn wrong_or_missing_key_is_3900() {
    let (_sb, mut client) = connected();
    let form = [("purchaseToken", "-nowgg-sample-paid")];
    for key in [None, Some("wrong-key"), Some("")] {
        let answer = client.api(VERIFY_PATH, key, &form).unwrap();
        assert_eq!(answer.code(), 3900, "key {key:?}");
        assert_eq!(
            answer.json(),
            json!({"success": false, "code": 3900, "codeMsg": "INVALID_AUTHORIZATION_KEY", "data": {}})
        );
    }
    let answer = client.api(CONSUME_PATH, Some("nope"), &form).unwrap();
    assert_eq!(answer.code(), 3900);
}

#[test]
fn verify_answers_on_both_paths_with_the_stored_data() {
    let (sb, mut client) = connected();
    for path in [VERIFY_PATH, VERIFY_PATH_SAMPLES] {
        let answer = client
            .api(path, Some(KEY), &[("purchaseToken", "onestore-sample-1")])
            .unwrap();
        assert_eq!(answer.header("content-type"), Some("application/json"));
        let envelope = answer.json();
        assert_eq!(envelope["success"], true);
        assert_eq!(envelope["code"], 0);
        assert_eq!(envelope["codeMsg"], "success");
        assert_eq!(envelope["data"], sb.purchase("onestore-sample-1").unwrap());
        // The multi-store shape keeps its nulls.
        assert_eq!(envelope["data"]["currency"], Value::Null);
        assert!(envelope["data"].as_object().unwrap().contains_key("kind"));
        assert_eq!(envelope["data"]["purchaseToken"], "onestore-sample-1");
    }
}

#[test]
fn unknown_token_is_3901() {
    let (_sb, mut client) = connected();
    assert_eq!(client.verify("-nowgg-no-such-token").unwrap().code(), 3901);
    let missing = client.api(VERIFY_PATH, Some(KEY), &[]).unwrap();
    assert_eq!(missing.json()["codeMsg"], "INVALID_PURCHASE_TOKEN");
    assert_eq!(
        client.consume(&[("purchaseToken", "nope")]).unwrap().code(),
        3901
    );
}

#[test]
fn unrouted_path_or_method_is_code_150_with_http_200() {
    let (_sb, mut client) = connected();
    let expected =
        json!({"success": false, "code": 150, "codeMsg": "interface not exist", "data": {}});
    let answer = client
        .api(
            "/v2/seller/order/verifyPurchases",
            Some(KEY),
            &[("purchaseToken", "x")],
        )
        .unwrap();
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json(), expected);
    // Routing comes before the key check, as on the real gateway.
    assert_eq!(client.api("/", None, &[]).unwrap().json(), expected);
    let get = client
        .request("GET", VERIFY_PATH, &[("Authorization", KEY)], b"")
        .unwrap();
    assert_eq!(get.json(), expected);
}

#[test]
fn consume_flips_consumption_state_once() {
    let (_sb, mut client) = connected();
    let token = [("purchaseToken", "-nowgg-sample-paid")];
    let first = client.consume(&token).unwrap();
    assert_eq!(
        first.json(),
        json!({"success": true, "code": 0, "codeMsg": "success", "data": {}})
    );
    let verified = client.verify("-nowgg-sample-paid").unwrap().json();
    assert_eq!(verified["data"]["consumptionState"], 1);
    let second = client.consume(&token).unwrap();
    assert_eq!(second.code(), 3800);
    assert_eq!(second.json()["codeMsg"], "ERROR_CONSUMING_PRODUCT");

    // Reset brings the fixture back unconsumed.
    client.control("/_sandbox/reset", Some("{}"));
    assert_eq!(client.consume(&token).unwrap().code(), 0);
}

#[test]
fn consume_refuses_unpaid_purchases() {
    let (sb, mut client) = connected();
    assert_eq!(
        client
            .consume(&[("purchaseToken", "-nowgg-sample-unpaid")])
            .unwrap()
            .code(),
        3800
    );
    assert_eq!(
        sb.purchase("-nowgg-sample-unpaid").unwrap()["consumptionState"],
        0
    );
}

#[test]
fn consume_refuses_client_side_stores() {
    let (sb, mut client) = connected();
    for store in [Store::Amazon, Store::Huawei] {
        let token = sb
            .add_purchase(NewPurchase {
                store,
                ..NewPurchase::new(object(
                    json!({"purchaseState": 1, "consumptionState": 0, "productId": "p"}),
                ))
            })
            .unwrap();
        for form in [
            vec![("purchaseToken", token.as_str())],
            vec![
                ("purchaseToken", token.as_str()),
                ("type", store.as_str()),
                ("productId", "p"),
            ],
        ] {
            assert_eq!(
                client.consume(&form).unwrap().code(),
                3800,
                "{store:?} {form:?}"
            );
        }
        assert_eq!(sb.purchase(&token).unwrap()["consumptionState"], 0);
    }
}

#[test]
fn consume_needs_the_purchase_store_as_type_and_its_product() {
    let (sb, mut client) = connected();
    let token = "xiaomi-sample-1";
    // Absent type means nowgg, which is not this purchase's store.
    assert_eq!(
        client.consume(&[("purchaseToken", token)]).unwrap().code(),
        3800
    );
    assert_eq!(
        client
            .consume(&[("purchaseToken", token), ("type", "onestore")])
            .unwrap()
            .code(),
        3800
    );
    let wrong_product = [
        ("purchaseToken", token),
        ("type", "xiaomi"),
        ("productId", "other"),
    ];
    assert_eq!(client.consume(&wrong_product).unwrap().code(), 3800);
    // A nowgg purchase consumed with a multi-store type is refused too.
    assert_eq!(
        client
            .consume(&[("purchaseToken", "-nowgg-sample-paid"), ("type", "xiaomi")])
            .unwrap()
            .code(),
        3800
    );
    let right = [
        ("purchaseToken", token),
        ("type", "xiaomi"),
        ("productId", "11223343"),
        ("currency", "EUR"),
    ];
    assert_eq!(client.consume(&right).unwrap().code(), 0);
    assert_eq!(sb.purchase(token).unwrap()["consumptionState"], 1);
}

#[test]
fn keep_alive_serves_many_requests_on_one_connection() {
    let (_sb, mut client) = connected();
    let first = client.verify("-nowgg-sample-paid").unwrap();
    assert_eq!(first.header("connection"), Some("keep-alive"));
    assert_eq!(client.verify("-nowgg-sample-nocode").unwrap().code(), 0);
    // Two pipelined requests in one write are answered in order.
    let body = "purchaseToken=xiaomi-sample-1";
    let one = format!(
        "POST {VERIFY_PATH} HTTP/1.1\r\nAuthorization: {KEY}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    client.send_raw(format!("{one}{one}").as_bytes()).unwrap();
    assert_eq!(
        client.receive().unwrap().json()["data"]["purchaseToken"],
        "xiaomi-sample-1"
    );
    assert_eq!(client.receive().unwrap().code(), 0);

    let last = client
        .request(
            "POST",
            VERIFY_PATH,
            &[("Authorization", KEY), ("Connection", "close")],
            b"purchaseToken=onestore-sample-1",
        )
        .unwrap();
    assert_eq!(last.code(), 0);
    assert_eq!(last.header("connection"), Some("close"));
    assert!(client.closed_without_answer());
}

#[test]
fn chunked_and_expect_continue_bodies_are_read() {
    let (_sb, mut client) = connected();
    let head = format!(
        "POST {VERIFY_PATH} HTTP/1.1\r\nAuthorization: {KEY}\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n"
    );
    client.send_raw(head.as_bytes()).unwrap();
    let interim = client.receive_continue();
    assert!(interim, "100 Continue expected before the body");
    client
        .send_raw(b"e\r\npurchaseToken=\r\n12\r\n-nowgg-sample-paid\r\n0\r\n\r\n")
        .unwrap();
    let answer = client.receive().unwrap();
    assert_eq!(answer.json()["data"]["purchaseToken"], "-nowgg-sample-paid");
}

#[test]
fn percent_encoded_tokens_are_decoded() {
    let sb = sandbox();
    let token = "-nowgg-a+b/c=d&e f%";
    sb.add_purchase(NewPurchase {
        token: Some(token.into()),
        ..NewPurchase::new(object(json!({"purchaseState": 1})))
    })
    .unwrap();
    let mut client = Client::connect(sb.addr());
    assert_eq!(
        client.verify(token).unwrap().json()["data"]["purchaseToken"],
        token
    );
    // Hand-encoded, with %2D for the dashes.
    let answer = client
        .request(
            "POST",
            VERIFY_PATH,
            &[
                ("Authorization", KEY),
                (
                    "Content-Type",
                    "application/x-www-form-urlencoded; charset=UTF-8",
                ),
            ],
            b"purchaseToken=%2Dnowgg%2Dsample%2Dpaid",
        )
        .unwrap();
    assert_eq!(answer.code(), 0);
}

#[test]
fn a_non_form_body_carries_no_token() {
    let (_sb, mut client) = connected();
    let answer = client
        .request(
            "POST",
            VERIFY_PATH,
            &[("Authorization", KEY), ("Content-Type", "application/json")],
            br#"{"purchaseToken":"-nowgg-sample-paid"}"#,
        )
        .unwrap();
    assert_eq!(answer.code(), 3901);
}

#[test]
fn latency_delays_every_api_answer_but_not_the_control_api() {
    let latency = std::time::Duration::from_millis(150);
    let sb =
        nowgg_sandbox::Sandbox::start(nowgg_sandbox::Config::new(KEY).latency(latency)).unwrap();
    let mut client = Client::connect(sb.addr());
    let form = [("purchaseToken", "-nowgg-sample-paid")];
    for path in [VERIFY_PATH, CONSUME_PATH] {
        let started = std::time::Instant::now();
        client.api(path, Some(KEY), &form).unwrap();
        // A lower bound only: the sleep guarantees it, whatever the machine's load.
        assert!(
            started.elapsed() >= latency,
            "{path}: {:?}",
            started.elapsed()
        );
    }
    assert_eq!(sb.requests().len(), 2);
}

#[test]
fn each_request_records_how_many_were_in_flight_on_arrival() {
    let latency = std::time::Duration::from_millis(300);
    let sb =
        nowgg_sandbox::Sandbox::start(nowgg_sandbox::Config::new(KEY).latency(latency)).unwrap();
    let form = [("purchaseToken", "-nowgg-sample-paid")];
    Client::connect(sb.addr())
        .api(VERIFY_PATH, Some(KEY), &form)
        .unwrap();
    assert_eq!(sb.requests()[0].in_flight, 1);
    let addr = sb.addr();
    let threads: Vec<_> = (0..4)
        .map(|_| {
            std::thread::spawn(move || {
                let form = [("purchaseToken", "-nowgg-sample-paid")];
                Client::connect(addr)
                    .api(VERIFY_PATH, Some(KEY), &form)
                    .unwrap();
            })
        })
        .collect();
    threads.into_iter().for_each(|t| t.join().unwrap());
    let most = sb.requests()[1..]
        .iter()
        .map(|r| r.in_flight)
        .max()
        .unwrap();
    // Four requests held 300 ms each overlap (at least two of them), never more than four.
    assert!((2..=4).contains(&most), "{most}");
}
