//! The sandbox in the addon, for `nowgg-payments/testing`: one [`NativeSandbox`] holds
//! one in-process [`nowgg_sandbox::Sandbox`] (its own threads, 127.0.0.1, a free port).
//!
//! Every method is in-memory and returns at once, except the constructor (binds and
//! spawns the accept thread) and `close` (wakes and joins it), which take well under a
//! millisecond on loopback. The sandbox's threads are not libuv handles, so a sandbox
//! never holds the event loop open, closed or not. Values cross as JSON text; the thin
//! layer in `testing.js` builds and parses it.

use std::time::Duration;

use napi::{Error, Result, Status};
use napi_derive::napi;
use nowgg_sandbox::{Config, Fault, NewPurchase, PurchaseSpec, Sandbox};

fn invalid(message: String) -> Error {
    Error::new(Status::InvalidArg, message)
}

/// One running sandbox, until `close` (or until it is garbage collected).
#[napi]
pub struct NativeSandbox {
    sandbox: Option<Sandbox>,
    url: String,
    console_url: String,
}

#[napi]
impl NativeSandbox {
    /// Starts a sandbox that accepts `apiKey`, delaying each API answer by `latencyMs`
    /// milliseconds; binds and spawns its accept thread (well under a millisecond).
    #[napi(constructor)]
    pub fn new(api_key: String, latency_ms: u32) -> Result<NativeSandbox> {
        let config = Config::new(api_key).latency(Duration::from_millis(latency_ms.into()));
        let sandbox = Sandbox::start(config).map_err(|e| {
            Error::new(
                Status::GenericFailure,
                format!("the sandbox did not start: {e}"),
            )
        })?;
        Ok(NativeSandbox {
            url: sandbox.url(),
            console_url: sandbox.console_url(),
            sandbox: Some(sandbox),
        })
    }

    /// The base URL, `http://127.0.0.1:PORT`.
    #[napi(getter)]
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The console's address, `http://127.0.0.1:PORT/_sandbox/`.
    #[napi(getter)]
    pub fn console_url(&self) -> String {
        self.console_url.clone()
    }

    /// Whether `close` has run.
    #[napi(getter)]
    pub fn closed(&self) -> bool {
        self.sandbox.is_none()
    }

    fn running(&self) -> Result<&Sandbox> {
        self.sandbox
            .as_ref()
            .ok_or_else(|| Error::new(Status::GenericFailure, "the sandbox is closed".to_owned()))
    }

    /// Stores the purchase the JSON of a `PurchaseSpec` describes (`{productId?,
    /// packageName?, paid?, ...}`, the sandbox's defaults for those left out); returns
    /// its token.
    #[napi]
    pub fn add_purchase(&self, json: String) -> Result<String> {
        let sandbox = self.running()?;
        let spec: PurchaseSpec = serde_json::from_str(&json).map_err(|e| invalid(e.to_string()))?;
        sandbox
            .add_purchase(NewPurchase::from(spec))
            .map_err(|e| invalid(e.to_string()))
    }

    /// Queues the fault in the JSON of one control-API fault object.
    #[napi]
    pub fn add_fault(&self, json: String) -> Result<()> {
        let sandbox = self.running()?;
        let fault: Fault = serde_json::from_str(&json).map_err(|e| invalid(e.to_string()))?;
        sandbox.add_fault(fault);
        Ok(())
    }

    /// The JSON of a purchase's stored `data`, or null for an unknown token.
    #[napi]
    pub fn purchase(&self, token: String) -> Result<Option<String>> {
        Ok(self
            .running()?
            .purchase(&token)
            .map(|data| data.to_string()))
    }

    /// The JSON array of the API requests received since the last reset.
    #[napi]
    pub fn requests(&self) -> Result<String> {
        serde_json::to_string(&self.running()?.requests())
            .map_err(|e| Error::new(Status::GenericFailure, e.to_string()))
    }

    /// The JSON array of the faults still queued.
    #[napi]
    pub fn faults(&self) -> Result<String> {
        serde_json::to_string(&self.running()?.faults())
            .map_err(|e| Error::new(Status::GenericFailure, e.to_string()))
    }

    /// Back to the fixtures, with no faults and an empty request log.
    #[napi]
    pub fn reset(&self) -> Result<()> {
        self.running()?.reset();
        Ok(())
    }

    /// Stops serving and frees the port; does nothing the second time.
    #[napi]
    pub fn close(&mut self) {
        self.sandbox.take();
    }
}
