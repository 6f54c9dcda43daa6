//! What the console needs: the request log's answer fields, the purchase and fault
//! endpoints, the page itself, the control key, and the binary's two address lines.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{address_of, connected, sandbox, spawn_binary, Client, KEY};
use nowgg_sandbox::{Action, Config, Fault, Match, Sandbox, CONSUME_PATH, VERIFY_PATH};
use serde_json::{json, Value};

const CONTROL_KEY: &str = "console-secret";

#[test]
fn the_log_tells_how_each_request_was_answered() {
    let (sb, mut client) = connected();
    client.verify("-nowgg-sample-paid").unwrap();
    client
        .consume(&[("purchaseToken", "-nowgg-sample-unpaid")])
        .unwrap();
    client.api("/v2/elsewhere", Some(KEY), &[]).unwrap();
    sb.add_faults([
        Fault::new(Action::Status {
            status: 503,
            body: "down".into(),
            headers: Default::default(),
            content_type: "text/plain".into(),
        }),
        Fault::new(Action::ApiCode {
            code: 5014,
            msg: Some("busy".into()),
            status: 200,
        })
        .delay(Duration::from_millis(30)),
    ]);
    assert_eq!(
        client.verify("-nowgg-0123456789abcdef").unwrap().status,
        503
    );
    assert_eq!(client.verify("t").unwrap().code(), 5014);
    sb.add_fault(Fault::new(Action::DropBefore).on(Match::Consume));
    let mut dropped = Client::connect(sb.addr());
    dropped
        .send(
            "POST",
            CONSUME_PATH,
            &[("Authorization", KEY)],
            b"purchaseToken=x",
        )
        .unwrap();
    assert!(dropped.closed_without_answer());

    let listed = client.control("/_sandbox/requests", None).json();
    let seen: Vec<Value> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            json!([
                r["call"],
                r["token_start"],
                r["code"],
                r["code_name"],
                r["status"],
                r["fault"]
            ])
        })
        .collect();
    assert_eq!(
        seen,
        [
            json!(["verify", "-nowgg-sa…", 0, "success", 200, null]),
            json!([
                "consume",
                "-nowgg-sam…",
                3800,
                "ERROR_CONSUMING_PRODUCT",
                200,
                null
            ]),
            json!(["other", null, 150, "interface not exist", 200, null]),
            json!(["verify", "-nowgg-012…", null, null, 503, "status"]),
            json!([
                "verify",
                "…",
                5014,
                "MULTISTORE_UNKNOWN_ERROR",
                200,
                "api_code"
            ]),
            json!(["consume", "…", null, null, null, "drop_before"]),
        ]
    );
    for record in listed.as_array().unwrap() {
        let time = record["time"].as_str().unwrap();
        assert!(
            time.len() == 24 && time.ends_with('Z') && &time[10..11] == "T",
            "{time}"
        );
        assert!(record["duration_ms"].as_f64().unwrap() >= 0.0, "{record}");
        // The whole token only ever in `form`, which the tests of every face read.
        let token = record["form"]["purchaseToken"].as_str().unwrap_or("");
        if token.len() > 2 {
            assert!(!record["token_start"].as_str().unwrap().contains(token));
        }
    }
    assert!(listed[4]["duration_ms"].as_f64().unwrap() >= 30.0);
    let last_two = client.control("/_sandbox/requests?limit=2", None).json();
    assert_eq!(
        last_two.as_array().unwrap()[..],
        listed.as_array().unwrap()[4..]
    );
    assert_eq!(
        client.control("/_sandbox/requests?limit=x", None).status,
        400
    );
}

#[test]
fn a_request_in_progress_is_listed_without_its_answer() {
    let sb = sandbox();
    sb.add_fault(Fault::new(Action::Hang));
    let mut hung = Client::connect(sb.addr());
    hung.send(
        "POST",
        VERIFY_PATH,
        &[("Authorization", KEY)],
        b"purchaseToken=abc",
    )
    .unwrap();
    let record = common::eventually("the hung request's record", || sb.requests().pop());
    assert_eq!(record.fault.as_deref(), Some("hang"));
    assert_eq!(
        (record.code, record.status, record.duration_ms),
        (None, None, None)
    );
    drop(hung);
    // Let go once the client closes: done, with no HTTP answer.
    let record = common::eventually("the hung request's end", || {
        sb.requests()
            .pop()
            .filter(|record| record.duration_ms.is_some())
    });
    assert_eq!(record.status, None);
}

#[test]
fn purchases_are_listed_and_changed() {
    let (sb, mut client) = connected();
    let added = client.control(
        "/_sandbox/purchases",
        Some(r#"{"token": "t-1", "store": "xiaomi", "data": {"purchaseState": 0, "payStatusTxt": "Unpaid"}}"#),
    );
    assert_eq!(added.status, 200);
    let listed = client.control("/_sandbox/purchases", None).json();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 6, "the five samples, then the new one");
    assert_eq!(listed[0]["token"], "-nowgg-sample-unpaid");
    assert_eq!(
        listed[5],
        json!({"token": "t-1", "store": "xiaomi",
            "data": {"purchaseState": 0, "payStatusTxt": "Unpaid", "purchaseToken": "t-1"}})
    );

    let patch = |client: &mut Client<_>, path: &str, body: &str| {
        client
            .request(
                "PATCH",
                path,
                &[("Content-Type", "application/json")],
                body.as_bytes(),
            )
            .unwrap()
    };
    let changed = patch(
        &mut client,
        "/_sandbox/purchases/t-1",
        r#"{"paid": true, "consumed": true, "test_order": true, "data": {"productId": "p"}}"#,
    );
    assert_eq!(changed.status, 200);
    assert_eq!(
        changed.json(),
        json!({"purchaseState": 1, "payStatusTxt": "Paid", "purchaseToken": "t-1",
            "consumptionState": 1, "isTestOrder": true, "productId": "p"})
    );
    assert_eq!(sb.purchase("t-1").unwrap(), changed.json());
    // POST does the same, for clients without PATCH; the API sees the change.
    let unconsumed = client.control("/_sandbox/purchases/t-1", Some(r#"{"consumed": false}"#));
    assert_eq!(unconsumed.json()["consumptionState"], 0);
    assert_eq!(
        client
            .consume(&[("purchaseToken", "t-1"), ("type", "xiaomi")])
            .unwrap()
            .code(),
        0
    );
    assert_eq!(
        patch(&mut client, "/_sandbox/purchases/nope", "{}").status,
        404
    );
    let bad = patch(&mut client, "/_sandbox/purchases/t-1", r#"{"payd": true}"#);
    assert_eq!(bad.status, 400);
    assert!(bad.json()["error"].as_str().unwrap().contains("payd"));
    let wrong = client
        .request("DELETE", "/_sandbox/purchases", &[], b"")
        .unwrap();
    assert_eq!(
        (wrong.status, wrong.header("allow")),
        (405, Some("GET, POST"))
    );
}

#[test]
fn faults_are_listed_and_cleared() {
    let (sb, mut client) = connected();
    client.fault(
        r#"[{"match": "consume", "action": "api_code", "code": 3900, "count": 2},
                 {"action": "oversized", "bytes": 100, "delay_ms": 5}]"#,
    );
    client
        .consume(&[("purchaseToken", "-nowgg-sample-paid")])
        .unwrap();
    let listed = client.control("/_sandbox/faults", None).json();
    assert_eq!(
        listed,
        json!([
            {"match": "consume", "count": 1, "delay_ms": 0, "action": "api_code", "code": 3900, "status": 200},
            {"match": "any", "count": 1, "delay_ms": 5, "action": "oversized", "bytes": 100}
        ])
    );
    assert_eq!(serde_json::to_value(sb.faults()).unwrap(), listed);
    let cleared = client
        .request("DELETE", "/_sandbox/faults", &[], b"")
        .unwrap();
    assert_eq!((cleared.status, cleared.json()), (200, json!({})));
    assert!(sb.faults().is_empty());
    sb.add_fault(Fault::new(Action::Empty));
    sb.clear_faults();
    assert_eq!(
        client
            .consume(&[("purchaseToken", "-nowgg-sample-paid")])
            .unwrap()
            .code(),
        0
    );
}

#[test]
fn the_console_is_one_self_contained_page() {
    let sb = sandbox();
    assert_eq!(sb.console_url(), format!("{}/_sandbox/", sb.url()));
    let mut client = Client::connect(sb.addr());
    for path in ["/_sandbox/", "/_sandbox"] {
        let page = client.control(path, None);
        assert_eq!(page.status, 200, "{path}");
        assert_eq!(
            page.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        let csp = page.header("content-security-policy").unwrap();
        assert!(csp.contains("default-src 'none'") && csp.contains("connect-src 'self'"));
        let html = String::from_utf8(page.body).unwrap();
        for id in [r#"id="purchases""#, r#"id="requests""#, r#"id="faults""#] {
            assert!(html.contains(id), "{id}");
        }
        assert!(html.contains("test data"));
        // Nothing fetched from elsewhere: no external addresses, no src or href at all.
        for needle in ["http://", "https://", "src=", "href=", "@import"] {
            assert!(!html.contains(needle), "the page holds {needle}");
        }
    }
    let post = client.control("/_sandbox/", Some("{}"));
    assert_eq!(post.status, 405);
}

#[test]
fn another_sites_page_cannot_drive_the_control_api() {
    let (_sb, mut client) = connected();
    // The test client sends `Host: localhost`: a page served from there may.
    for (origin, status) in [("http://evil.example", 403), ("http://localhost", 200)] {
        let answer = client
            .request("POST", "/_sandbox/reset", &[("Origin", origin)], b"{}")
            .unwrap();
        assert_eq!(answer.status, status, "{origin}");
    }
}

fn keyed_sandbox() -> Sandbox {
    Sandbox::start(Config::new(KEY).control_key(CONTROL_KEY)).unwrap()
}

#[test]
fn a_control_key_guards_every_control_request() {
    let sb = keyed_sandbox();
    let mut client = Client::connect(sb.addr());
    for (method, path) in [
        ("GET", "/_sandbox/requests"),
        ("GET", "/_sandbox/purchases"),
        ("GET", "/_sandbox/purchases/-nowgg-sample-paid"),
        ("POST", "/_sandbox/purchases"),
        ("POST", "/_sandbox/faults"),
        ("DELETE", "/_sandbox/faults"),
        ("POST", "/_sandbox/reset"),
        ("GET", "/_sandbox/nothing"),
    ] {
        for headers in [vec![], vec![("X-Sandbox-Key", "wrong")]] {
            let answer = client.request(method, path, &headers, b"{}").unwrap();
            assert_eq!(answer.status, 401, "{method} {path} {headers:?}");
            assert!(answer.json()["error"]
                .as_str()
                .unwrap()
                .contains("X-Sandbox-Key"));
        }
    }
    let wrong_query = client
        .request("GET", "/_sandbox/requests?key=nope", &[], b"")
        .unwrap();
    assert_eq!(wrong_query.status, 401);
    // Nothing was changed by the refused requests.
    assert!(sb.faults().is_empty());

    let with_header = client
        .request(
            "POST",
            "/_sandbox/faults",
            &[("X-Sandbox-Key", CONTROL_KEY)],
            br#"{"action": "empty"}"#,
        )
        .unwrap();
    assert_eq!(with_header.status, 200);
    assert_eq!(sb.faults().len(), 1);
    let with_query = client
        .request("GET", "/_sandbox/faults?key=console-secret", &[], b"")
        .unwrap();
    assert_eq!(with_query.status, 200);
    assert_eq!(with_query.json().as_array().unwrap().len(), 1);

    // The Payments API itself is untouched by the control key.
    let answer = client.verify("-nowgg-sample-paid").unwrap();
    assert_eq!(
        (answer.status, answer.body.len()),
        (200, 0),
        "the empty fault"
    );
    assert_eq!(client.verify("-nowgg-sample-paid").unwrap().code(), 0);
}

#[test]
fn without_the_key_the_console_page_asks_for_it() {
    let sb = keyed_sandbox();
    let mut client = Client::connect(sb.addr());
    let locked = client.request("GET", "/_sandbox/", &[], b"").unwrap();
    assert_eq!(locked.status, 401);
    let html = String::from_utf8(locked.body).unwrap();
    assert!(html.contains("Control key"), "the page prompts for the key");
    assert!(!html.contains("-nowgg-sample"), "and holds no data");
    let open = client
        .request("GET", "/_sandbox/?key=console-secret", &[], b"")
        .unwrap();
    assert_eq!(open.status, 200);
    assert!(Sandbox::start(Config::new(KEY).control_key("")).is_err());
}

/// Starts the binary with `args`; returns its first two stdout lines and its stderr
/// (read once the process is killed).
fn run_binary(args: &[&str]) -> (String, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nowgg-sandbox"))
        .args(["--port", "0", "--api-key", KEY])
        .args(args)
        .env_remove("NOWGG_SANDBOX_CONTROL_KEY")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let (mut first, mut second) = (String::new(), String::new());
    stdout.read_line(&mut first).unwrap();
    stdout.read_line(&mut second).unwrap();
    child.kill().unwrap();
    let output = child.wait_with_output().unwrap();
    (
        first,
        second,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_binary_prints_the_console_address_second() {
    let (first, second, stderr) = run_binary(&[]);
    let url = first
        .strip_prefix("listening on ")
        .unwrap()
        .trim_end()
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{first}");
    assert_eq!(second, format!("console on {url}/_sandbox/\n"));
    assert_eq!(stderr, "", "no warning on loopback");
}

#[test]
fn a_shared_host_without_a_control_key_is_warned_about() {
    let (first, _, stderr) = run_binary(&["--host", "0.0.0.0"]);
    assert!(first.starts_with("listening on http://0.0.0.0:"), "{first}");
    assert!(
        stderr.contains("unauthenticated") && stderr.contains("--control-key"),
        "{stderr}"
    );
    let (_, _, stderr) = run_binary(&["--host", "0.0.0.0", "--control-key", CONTROL_KEY]);
    assert_eq!(stderr, "");
}

#[test]
fn the_binary_takes_the_control_key() {
    let (_running, line) = spawn_binary(&["--port", "0", "--control-key", CONTROL_KEY]);
    let mut client = Client::connect(address_of(&line));
    let refused = client.control("/_sandbox/requests", None).status;
    let allowed = client
        .request(
            "GET",
            "/_sandbox/requests",
            &[("X-Sandbox-Key", CONTROL_KEY)],
            b"",
        )
        .unwrap()
        .status;
    assert_eq!((refused, allowed), (401, 200));
}

#[test]
fn a_harness_may_close_the_pipe_after_the_first_line() {
    use std::io::Read;
    let mut child = Command::new(env!("CARGO_BIN_EXE_nowgg-sandbox"))
        .args(["--port", "0", "--api-key", KEY])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // Byte by byte up to the first newline, as a harness that reads no further may.
    let mut stdout = child.stdout.take().unwrap();
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while stdout.read(&mut byte).unwrap() == 1 && byte[0] != b'\n' {
        line.push(byte[0]);
    }
    // `cli::run` writes both lines in one write of less than PIPE_BUF bytes, which has
    // returned by the time the first newline can be read: closing now is closing after
    // the sandbox's last write, and nothing is left to wait for.
    drop(stdout);
    let line = String::from_utf8(line).unwrap();
    let addr = line
        .strip_prefix("listening on http://")
        .unwrap()
        .parse()
        .unwrap();
    let still_up = Client::connect(addr)
        .verify("-nowgg-sample-paid")
        .map(|a| a.code());
    let exited = child.try_wait().unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!((exited, still_up.ok()), (None, Some(0)));
}
