//! Runs every case of `tests/conformance/cases.json` against the sandbox, through the
//! Rust API. The C, Python and Node faces run the same file, so the four agree.

use std::time::{Duration, Instant};

use nowgg_payments::{Client, ConsumeRequest, Error, GrantPolicy};
use serde_json::{json, Map, Value};

mod common;
use common::Control;

#[test]
fn every_conformance_case_passes() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/conformance/cases.json"
    );
    let file: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let api_key = file["api_key"].as_str().unwrap();
    let sandbox = common::sandbox(api_key);
    let control = Control::new(&sandbox.url());
    let cases = file["cases"].as_array().unwrap();
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let name = case["name"].as_str().unwrap();
            run_case(&control, &sandbox.url(), api_key, case)
                .err()
                .map(|why| format!("{name}: {why}"))
        })
        .collect();
    println!(
        "conformance: {} passed, {} failed",
        cases.len() - failures.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "failed cases:\n{}",
        failures.join("\n")
    );
}

fn run_case(control: &Control, url: &str, api_key: &str, case: &Value) -> Result<(), String> {
    control.post("/_sandbox/reset", &json!({}));
    for purchase in case["setup"]["purchases"].as_array().into_iter().flatten() {
        control.post("/_sandbox/purchases", purchase);
    }
    let client = client_for(url, api_key, &case["client"])?;
    for step in case["steps"].as_array().into_iter().flatten() {
        call(&client, step).map_err(|e| format!("step {step} failed: {e}"))?;
    }
    let before = control.requests().len();
    if let Some(faults) = case["setup"].get("faults") {
        control.post("/_sandbox/faults", faults);
    }
    let started = Instant::now();
    let outcome = call(&client, &case["call"]);
    let elapsed = started.elapsed();
    check(&case["expect"], &outcome)?;
    if let Some(max) = case["max_elapsed_ms"].as_u64() {
        if elapsed > Duration::from_millis(max) {
            return Err(format!("took {elapsed:?}, over {max} ms"));
        }
    }
    let logged = &control.requests()[before..];
    if let Some(expected) = case.get("expect_paths") {
        let paths: Vec<Value> = logged.iter().map(|r| r["path"].clone()).collect();
        if &Value::Array(paths.clone()) != expected {
            return Err(format!("requests were {paths:?}, expected {expected}"));
        }
    }
    if let Some(expected) = case.get("expect_forms") {
        let forms: Vec<Value> = logged.iter().map(|r| r["form"].clone()).collect();
        if &Value::Array(forms.clone()) != expected {
            return Err(format!("forms sent were {forms:?}, expected {expected}"));
        }
    }
    for (i, then) in case["then"].as_array().into_iter().flatten().enumerate() {
        check(&then["expect"], &call(&client, &then["call"]))
            .map_err(|why| format!("then[{i}]: {why}"))?;
    }
    Ok(())
}

fn client_for(url: &str, api_key: &str, options: &Value) -> Result<Client, String> {
    let ms =
        |name: &str, default: u64| Duration::from_millis(options[name].as_u64().unwrap_or(default));
    let mut builder = Client::builder(options["api_key"].as_str().unwrap_or(api_key))
        .base_url(format!(
            "{url}{}",
            options["base_url_suffix"].as_str().unwrap_or("")
        ))
        .timeout(ms("timeout_ms", 5000))
        .connect_timeout(ms("connect_timeout_ms", 5000))
        .max_retries(options["max_retries"].as_u64().unwrap_or(0) as u32);
    if let Some(deadline) = options["deadline_ms"].as_u64() {
        builder = builder.deadline(Duration::from_millis(deadline));
    }
    if let Some(bytes) = options["max_response_bytes"].as_u64() {
        builder = builder.max_response_bytes(bytes);
    }
    builder.build().map_err(|e| format!("client: {e}"))
}

/// Makes a call as the case describes it; a verify's purchase comes back as its JSON
/// object, a consume's outcome as `{"outcome": ...}`.
fn call(client: &Client, call: &Value) -> Result<Option<Map<String, Value>>, Error> {
    let token = call["token"].as_str().unwrap();
    let typed = |json: String| serde_json::from_str(&json).ok();
    match call["op"].as_str().unwrap() {
        "verify" => client.verify_purchase(token).map(|p| typed(p.to_json())),
        "verify_for_grant" => {
            let spec = &call["policy"];
            let mut policy = GrantPolicy::new()
                .allow_test_orders(spec["allow_test_orders"].as_bool().unwrap_or(false))
                .product_ids(
                    spec["product_ids"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|id| id.as_str().unwrap()),
                );
            if let Some(name) = spec["package_name"].as_str() {
                policy = policy.package_name(name);
            }
            client
                .verify_for_grant(token, &policy)
                .map(|p| typed(p.to_json()))
        }
        "consume" => {
            let mut request = ConsumeRequest::new(token);
            if let Some(store) = call["store"].as_str() {
                request = request.store(store.parse()?);
            }
            let text = |name: &str| call[name].as_str().map(str::to_owned);
            if let Some(v) = text("product_id") {
                request = request.product_id(v);
            }
            if let Some(v) = text("currency") {
                request = request.currency(v);
            }
            if let Some(v) = text("developer_payload") {
                request = request.developer_payload(v);
            }
            client
                .consume_purchase(&request)
                .map(|outcome| typed(json!({ "outcome": outcome.as_str() }).to_string()))
        }
        op => panic!("unknown op {op}"),
    }
}

fn check(
    expect: &Value,
    outcome: &Result<Option<Map<String, Value>>, Error>,
) -> Result<(), String> {
    match (expect.get("error"), outcome) {
        (None, Err(e)) => Err(format!("expected success, got {}: {e}", e.kind())),
        (Some(want), Ok(_)) => Err(format!("expected {want}, got success")),
        (Some(want), Err(e)) => {
            let got = json!({
                "kind": e.kind().name(),
                "api_code": e.api_code(),
                "http_status": e.http_status(),
                "retryable": e.is_retryable(),
            });
            match want
                .as_object()
                .unwrap()
                .iter()
                .find(|(k, v)| got[k.as_str()] != **v)
            {
                Some((k, v)) => Err(format!("{k}: expected {v}, got {} ({e})", got[k.as_str()])),
                None => Ok(()),
            }
        }
        (None, Ok(answer)) => {
            let answer = answer.as_ref().ok_or("the call gave nothing back")?;
            if let Some(outcome) = expect.get("outcome") {
                if &answer["outcome"] != outcome {
                    return Err(format!(
                        "outcome: expected {outcome}, got {}",
                        answer["outcome"]
                    ));
                }
            }
            let Some(fields) = expect["purchase"].as_object() else {
                return Ok(());
            };
            let purchase = answer;
            for (key, want) in fields {
                let got = &purchase[key];
                let ok = if key == "raw" {
                    want.as_object().unwrap().iter().all(|(k, v)| &got[k] == v)
                } else {
                    got == want
                };
                if !ok {
                    return Err(format!("{key}: expected {want}, got {got}"));
                }
            }
            Ok(())
        }
    }
}
