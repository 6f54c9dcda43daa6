//! An offline, stateful emulator of now.gg's Payments API, for integration tests.
//!
//! It serves both verifyPurchase paths and consumePurchase faithfully (key check,
//! unknown tokens, consumption state, the multi-store rules), plus a control API under
//! `/_sandbox/` to add purchases, inject faults and list the requests received, and a
//! console page over it at `/_sandbox/` ([`Sandbox::console_url`]). The contract is the
//! crate's README.
//!
//! ```
//! let sandbox = nowgg_sandbox::Sandbox::start(nowgg_sandbox::Config::new("test-key"))?;
//! assert!(sandbox.url().starts_with("http://127.0.0.1:"));
//! // Stopped (the port freed) when `sandbox` is dropped.
//! # Ok::<(), std::io::Error>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod api;
pub mod cli;
mod control;
mod faults;
mod fixtures;
mod http;
mod purchases;
mod requests;
mod server;
mod spec;
mod state;
mod tls;
mod wire;

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use serde_json::Value;

pub use faults::{Action, Fault, Match};
pub use fixtures::Fixture;
pub use nowgg_payments::Store;
pub use purchases::{InvalidPurchase, NewPurchase};
pub use requests::{RequestRecord, REQUEST_LOG_LIMIT};
pub use spec::PurchaseSpec;
pub use wire::{CONSUME_PATH, VERIFY_PATH, VERIFY_PATH_SAMPLES};

use server::Shared;
use state::State;

/// How to start a [`Sandbox`].
///
/// ```
/// use nowgg_sandbox::{Config, Fixture};
/// let config = Config::new("test-key").port(0).fixtures(Fixture::defaults()).tls(false);
/// # let _ = config;
/// ```
#[derive(Debug, Clone)]
pub struct Config {
    api_key: String,
    host: IpAddr,
    port: u16,
    fixtures: Vec<Fixture>,
    tls: bool,
    latency: Duration,
    control_key: Option<String>,
}

impl Config {
    /// Plain HTTP on `127.0.0.1`, a free port, the vendor's samples as fixtures, and
    /// `api_key` as the only accepted key.
    pub fn new(api_key: impl Into<String>) -> Config {
        Config {
            api_key: api_key.into(),
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            fixtures: Fixture::defaults(),
            tls: false,
            latency: Duration::ZERO,
            control_key: None,
        }
    }

    /// The address to listen on (default `127.0.0.1`).
    pub fn host(mut self, host: IpAddr) -> Config {
        self.host = host;
        self
    }

    /// The port to listen on (default 0: any free port).
    pub fn port(mut self, port: u16) -> Config {
        self.port = port;
        self
    }

    /// The purchases held from the start and restored on reset, instead of the samples.
    pub fn fixtures(mut self, fixtures: Vec<Fixture>) -> Config {
        self.fixtures = fixtures;
        self
    }

    /// Serve HTTPS with a freshly generated certificate (see [`Sandbox::ca_pem`]).
    pub fn tls(mut self, tls: bool) -> Config {
        self.tls = tls;
        self
    }

    /// Delays every API answer by this much (default none), before any fault's own
    /// delay: a network's round trip, for benchmarks and integration tests that should
    /// not run on loopback timing. Control endpoints answer at once.
    pub fn latency(mut self, latency: Duration) -> Config {
        self.latency = latency;
        self
    }

    /// Requires this key of every `/_sandbox/` request, the console's included (header
    /// `X-Sandbox-Key`, or the query parameter `key`); without it they get 401. For a
    /// sandbox that listens on a shared host. Default: none, the control API is open.
    pub fn control_key(mut self, key: impl Into<String>) -> Config {
        self.control_key = Some(key.into());
        self
    }
}

/// A running sandbox, serving on background threads until dropped.
///
/// Its methods act on the same state as the HTTP control API.
pub struct Sandbox {
    addr: SocketAddr,
    ca_pem: Option<String>,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl Sandbox {
    /// Binds and starts serving.
    ///
    /// Fails if the port cannot be bound, a fixture is invalid (an empty token), the
    /// control key is empty, or the TLS identity cannot be generated.
    pub fn start(config: Config) -> io::Result<Sandbox> {
        if config.control_key.as_deref() == Some("") {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the control key is empty",
            ));
        }
        let state = State::new(config.api_key, config.control_key, config.fixtures)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let identity = if config.tls {
            Some(tls::generate()?)
        } else {
            None
        };
        let listener = TcpListener::bind((config.host, config.port))?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            state: Arc::new(state),
            tls: identity.as_ref().map(|i| Arc::clone(&i.config)),
            stopped: AtomicBool::new(false),
            latency: config.latency,
            in_flight: AtomicUsize::new(0),
        });
        let accept = {
            let shared = Arc::clone(&shared);
            thread::Builder::new()
                .name("nowgg-sandbox-accept".into())
                .spawn(move || server::accept_loop(listener, shared))?
        };
        Ok(Sandbox {
            addr,
            ca_pem: identity.map(|i| i.ca_pem),
            shared,
            accept: Some(accept),
        })
    }

    /// The base URL, `http://127.0.0.1:PORT` (`https://` with TLS).
    pub fn url(&self) -> String {
        let scheme = if self.ca_pem.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.addr)
    }

    /// The console's address, `http://127.0.0.1:PORT/_sandbox/` (see the crate's
    /// README); with a control key it asks for the key.
    pub fn console_url(&self) -> String {
        format!("{}/_sandbox/", self.url())
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// With TLS, the PEM of the CA certificate clients should trust.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    fn state(&self) -> &State {
        &self.shared.state
    }

    /// Stores a purchase (replacing one with the same token) and returns its token, as
    /// `POST /_sandbox/purchases` does.
    pub fn add_purchase(&self, purchase: NewPurchase) -> Result<String, InvalidPurchase> {
        self.state().add_purchase(purchase)
    }

    /// The stored `data` of a purchase, as `GET /_sandbox/purchases/{token}` answers.
    pub fn purchase(&self, token: &str) -> Option<Value> {
        self.state().purchase(token)
    }

    /// Queues one fault, as `POST /_sandbox/faults` does.
    pub fn add_fault(&self, fault: Fault) {
        self.state().add_faults([fault]);
    }

    /// Queues faults in order, as `POST /_sandbox/faults` with an array does.
    pub fn add_faults(&self, faults: impl IntoIterator<Item = Fault>) {
        self.state().add_faults(faults);
    }

    /// The faults still queued, in order, each with the count it has left, as
    /// `GET /_sandbox/faults` lists them.
    pub fn faults(&self) -> Vec<Fault> {
        self.state().faults()
    }

    /// Drops every queued fault, as `DELETE /_sandbox/faults` does.
    pub fn clear_faults(&self) {
        self.state().clear_faults();
    }

    /// The API requests received since the last reset, oldest first (at most
    /// [`REQUEST_LOG_LIMIT`]), as `GET /_sandbox/requests` lists them.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.state().requests(None)
    }

    /// Back to the fixtures, with no faults and an empty request log, as
    /// `POST /_sandbox/reset` does.
    pub fn reset(&self) {
        self.state().reset();
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.shared.stopped.store(true, Ordering::Release);
        // The accept loop is blocked in accept(): one connection wakes it to see the
        // flag, and it drops the listener as it returns, freeing the port.
        let wake_ip = match self.addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        let wake = SocketAddr::new(wake_ip, self.addr.port());
        if TcpStream::connect_timeout(&wake, Duration::from_secs(2)).is_ok() {
            if let Some(accept) = self.accept.take() {
                let _ = accept.join();
            }
        }
    }
}
