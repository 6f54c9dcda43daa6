//! Building a [`Client`]: the options of DESIGN.md, each checked once, up front.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};
use ureq::unversioned::transport::{ConnectProxyConnector, Connector, RustlsConnector};
use ureq::{Agent, Proxy, ProxyProtocol};

use crate::client::Client;
use crate::endpoint::BaseUrl;
use crate::error::{Error, Result};
use crate::resolver::CachingResolver;
use crate::tcp::TcpConnector;
use crate::validate;

/// Where now.gg's Payments API is served.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Region {
    /// `https://payments-api.now.gg` (the default).
    #[default]
    Global,
    /// `https://cloud-api.bluestacks.cn`.
    China,
}

impl Region {
    /// The region's base URL.
    pub const fn base_url(self) -> &'static str {
        match self {
            Region::Global => "https://payments-api.now.gg",
            Region::China => "https://cloud-api.bluestacks.cn",
        }
    }

    /// The region's name as every face spells it: `global` or `china`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Region::Global => "global",
            Region::China => "china",
        }
    }
}

impl std::str::FromStr for Region {
    type Err = Error;

    /// Parses `global` or `china`, ignoring ASCII case.
    fn from_str(name: &str) -> Result<Region> {
        [Region::Global, Region::China]
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                Error::invalid(format!("unknown region {name:?}: expected global or china"))
            })
    }
}

/// Default per-attempt deadline, connect included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default connect deadline.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Default number of retries after the first attempt of a verify.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// Default cap on a response body: 1 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 1024 * 1024;

/// Options for a [`Client`]; made by [`Client::builder`], checked by [`build`](Self::build).
///
/// ```
/// use std::time::Duration;
/// let client = nowgg_payments::Client::builder("my-payments-api-key")
///     .region(nowgg_payments::Region::China)
///     .timeout(Duration::from_secs(5))
///     .max_retries(3)
///     .build()?;
/// # Ok::<(), nowgg_payments::Error>(())
/// ```
#[derive(Clone)]
pub struct ClientBuilder {
    api_key: String,
    base_url: Option<String>,
    region: Region,
    timeout: Duration,
    connect_timeout: Duration,
    max_retries: u32,
    user_agent: Option<String>,
    proxy: Option<String>,
    ca_certs_pem: Vec<u8>,
    max_response_bytes: u64,
}

impl ClientBuilder {
    pub(crate) fn new(api_key: String) -> ClientBuilder {
        ClientBuilder {
            api_key,
            base_url: None,
            region: Region::Global,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            max_retries: DEFAULT_MAX_RETRIES,
            user_agent: None,
            proxy: None,
            ca_certs_pem: Vec::new(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }

    /// The region whose API to call (ignored when a base URL is set).
    pub fn region(mut self, region: Region) -> ClientBuilder {
        self.region = region;
        self
    }

    /// A base URL instead of the region's: `https://...`, or `http://` to a loopback
    /// host only (the sandbox). A path prefix is kept.
    pub fn base_url(mut self, url: impl Into<String>) -> ClientBuilder {
        self.base_url = Some(url.into());
        self
    }

    /// The deadline of one attempt, connect and response body included (default 10 s).
    pub fn timeout(mut self, timeout: Duration) -> ClientBuilder {
        self.timeout = timeout;
        self
    }

    /// The deadline to connect, TLS included (default 3 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> ClientBuilder {
        self.connect_timeout = timeout;
        self
    }

    /// How many times a verify is retried after a retryable failure (default 2).
    /// Consumes are never retried blindly.
    pub fn max_retries(mut self, retries: u32) -> ClientBuilder {
        self.max_retries = retries;
        self
    }

    /// Text appended to the `User-Agent` (e.g. your game's name and version).
    pub fn user_agent(mut self, suffix: impl Into<String>) -> ClientBuilder {
        self.user_agent = Some(suffix.into());
        self
    }

    /// An HTTP(S) proxy URL, e.g. `http://proxy.internal:3128` (SOCKS is refused: this
    /// build has no SOCKS support, and going around the proxy would be worse).
    pub fn proxy(mut self, url: impl Into<String>) -> ClientBuilder {
        self.proxy = Some(url.into());
        self
    }

    /// Extra root certificates (PEM), trusted in addition to the built-in Mozilla roots:
    /// for a TLS-inspecting proxy or the sandbox's `--tls` mode. May be called repeatedly.
    pub fn ca_certs_pem(mut self, pem: impl AsRef<[u8]>) -> ClientBuilder {
        self.ca_certs_pem.extend_from_slice(pem.as_ref());
        self.ca_certs_pem.push(b'\n');
        self
    }

    /// The largest response body accepted (default 1 MiB); a larger one is `DECODE`.
    pub fn max_response_bytes(mut self, bytes: u64) -> ClientBuilder {
        self.max_response_bytes = bytes;
        self
    }

    /// Checks every option and builds the client. Fails with `INVALID_ARGUMENT` only.
    pub fn build(self) -> Result<Client> {
        validate::api_key(&self.api_key)?;
        let base = BaseUrl::parse(self.base_url.as_deref().unwrap_or(self.region.base_url()))?;
        if self.timeout.is_zero() || self.connect_timeout.is_zero() {
            return Err(Error::invalid("timeouts must be greater than zero"));
        }
        if self.max_response_bytes == 0 {
            return Err(Error::invalid(
                "max_response_bytes must be greater than zero",
            ));
        }
        let mut user_agent = format!("nowgg-payments/{}", env!("CARGO_PKG_VERSION"));
        if let Some(suffix) = self.user_agent.as_deref().filter(|s| !s.is_empty()) {
            validate::header_text("user agent", suffix)?;
            user_agent = format!("{user_agent} {suffix}");
        }
        let proxy = match self.proxy.as_deref().filter(|p| !p.is_empty()) {
            // The URL may hold credentials: say what is wrong without echoing it.
            Some(url) => Some({
                let proxy = Proxy::new(url)
                    .map_err(|_| Error::invalid("proxy is not a valid proxy URL"))?;
                if !matches!(proxy.protocol(), ProxyProtocol::Http | ProxyProtocol::Https) {
                    return Err(Error::invalid(
                        "proxy must be an http:// or https:// proxy (SOCKS is not supported)",
                    ));
                }
                proxy
            }),
            None => None,
        };
        let tls = TlsConfig::builder()
            .root_certs(root_certs(&self.ca_certs_pem)?)
            .build();
        let config = Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(self.timeout))
            .timeout_connect(Some(self.connect_timeout))
            // A redirect would carry the key elsewhere: surface it as HTTP_STATUS instead.
            .max_redirects(0)
            .max_redirects_will_error(false)
            .max_idle_connections(64)
            .max_idle_connections_per_host(64)
            .user_agent(user_agent)
            .accept("application/json")
            .proxy(proxy)
            .tls_config(tls)
            .build();
        // ureq's default chain, with our TCP transport in place of its own (tcp.rs).
        let connector = ()
            .chain(ConnectProxyConnector::default())
            .chain(TcpConnector {
                granularity: self.timeout / 100,
            })
            .chain(RustlsConnector::default());
        let agent = Agent::with_parts(config, connector, CachingResolver::default());
        Ok(Client::new(
            agent,
            base,
            self.api_key,
            self.max_retries,
            self.max_response_bytes,
        ))
    }
}

/// The trusted roots: Mozilla's, plus any PEM certificates the user added.
fn root_certs(pem: &[u8]) -> Result<RootCerts> {
    if pem.is_empty() {
        return Ok(RootCerts::WebPki);
    }
    let mut extra = Vec::new();
    for item in ureq::tls::parse_pem(pem) {
        match item {
            Ok(PemItem::Certificate(cert)) => extra.push(cert),
            Ok(_) => {}
            Err(_) => return Err(Error::invalid("ca_certs is not valid PEM")),
        }
    }
    if extra.is_empty() {
        return Err(Error::invalid("ca_certs holds no PEM certificate"));
    }
    let builtin = webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .map(|der| Certificate::from_der(der.as_ref()));
    Ok(RootCerts::Specific(Arc::new(
        builtin.chain(extra).collect(),
    )))
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &"[redacted]")
            .field("base_url", &self.base_url)
            .field("region", &self.region)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_retries", &self.max_retries)
            .field("user_agent", &self.user_agent)
            .field("proxy", &self.proxy.as_ref().map(|_| "[set]"))
            .field("ca_certs", &!self.ca_certs_pem.is_empty())
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}
