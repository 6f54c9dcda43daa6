//! What the integration tests share: an in-process sandbox and its control API.

#![allow(dead_code)] // each test file uses its own part of this module

use serde_json::Value;

/// The API key every test sandbox accepts.
pub const KEY: &str = "sandbox-test-key";

/// A sandbox on a free loopback port, stopped when dropped.
pub fn sandbox(api_key: &str) -> nowgg_sandbox::Sandbox {
    nowgg_sandbox::Sandbox::start(nowgg_sandbox::Config::new(api_key)).expect("sandbox starts")
}

/// Whether a client at `url` (the TLS sandbox, or a path to it) that trusts the
/// sandbox's CA verifies a paid purchase.
pub fn trusting_client_verifies(sandbox: &nowgg_sandbox::Sandbox, url: &str) -> bool {
    let client = nowgg_payments::Client::builder(KEY)
        .base_url(url)
        .ca_certs_pem(sandbox.ca_pem().expect("a TLS sandbox"))
        .build()
        .unwrap();
    client
        .verify_purchase("-nowgg-sample-paid")
        .unwrap()
        .is_paid()
}

/// The sandbox's `/_sandbox/` control endpoints, over HTTP as other faces use them.
pub struct Control {
    agent: ureq::Agent,
    url: String,
}

impl Control {
    pub fn new(url: &str) -> Control {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(true)
            .build()
            .into();
        Control {
            agent,
            url: url.to_owned(),
        }
    }

    pub fn post(&self, path: &str, body: &Value) -> Value {
        let mut response = self
            .agent
            .post(format!("{}{path}", self.url))
            .header("content-type", "application/json")
            .send(body.to_string())
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        serde_json::from_slice(&response.body_mut().read_to_vec().unwrap()).unwrap()
    }

    pub fn requests(&self) -> Vec<Value> {
        let mut response = self
            .agent
            .get(format!("{}/_sandbox/requests", self.url))
            .call()
            .unwrap();
        serde_json::from_slice(&response.body_mut().read_to_vec().unwrap()).unwrap()
    }

    pub fn fault(&self, fault: Value) {
        self.post("/_sandbox/faults", &fault);
    }
}
