//! A client's options (DESIGN.md), each checked once, up front, into a [`Config`]: what
//! a [`Client`](crate::Client), and in each process its transport, are made from.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use ureq::tls::{Certificate, PemItem, RootCerts};
use ureq::{Proxy, ProxyProtocol};

use crate::endpoint::BaseUrl;
use crate::error::{Error, Result};
use crate::report::{CallReport, Listener};
// The defaults and limits are the option table's, which every face is generated from.
use crate::options::{ClientOption, OptionValue};
#[cfg(test)]
use crate::options::{OptionDefault, OPTIONS};
use crate::options::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_DEADLINE, DEFAULT_MAX_IN_FLIGHT, DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, MAX_DURATION, MAX_IN_FLIGHT_LIMIT, MAX_RETRIES_LIMIT,
    MAX_SAFE_INTEGER,
};
use crate::{policy, validate};

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

/// Options for a [`Client`](crate::Client); made by
/// [`Client::builder`](crate::Client::builder), checked by [`build`](Self::build).
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
    deadline: Duration,
    max_in_flight: usize,
    user_agent: Option<String>,
    proxy: Option<String>,
    ca_certs_pem: Vec<u8>,
    max_response_bytes: u64,
    on_report: Option<Listener>,
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
            deadline: DEFAULT_DEADLINE,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            user_agent: None,
            proxy: None,
            ca_certs_pem: Vec::new(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            on_report: None,
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

    /// How many times a verify is retried after a retryable failure (default 2, at most
    /// 100). A consume's request is never sent twice in one call.
    pub fn max_retries(mut self, retries: u32) -> ClientBuilder {
        self.max_retries = retries;
        self
    }

    /// The bound on everything one call does (default 30 s): attempts, backoff,
    /// `Retry-After` waits and a consume's reconciling verify. Past it the call ends
    /// with `TIMEOUT`. Each attempt also keeps its own [`timeout`](Self::timeout).
    pub fn deadline(mut self, deadline: Duration) -> ClientBuilder {
        self.deadline = deadline;
        self
    }

    /// How many async calls (the `*_async` methods, which the Python, Node and C async
    /// faces use) run at once, each on a thread of the library's own (default 512).
    /// Further calls wait in order. Blocking calls are not counted: they run on the
    /// caller's thread.
    pub fn max_in_flight(mut self, calls: usize) -> ClientBuilder {
        self.max_in_flight = calls;
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

    /// Sets the option of [`OPTIONS`](crate::OPTIONS) named `name` (its snake_case
    /// name, e.g. `connect_timeout`) to `value`: for a face that applies the options its
    /// caller gave by walking the table. `INVALID_ARGUMENT` for a name not in the table
    /// or a value of another unit than the option's; the value itself is checked by
    /// `build`, like every setter's.
    pub fn option(self, name: &str, value: OptionValue) -> Result<ClientBuilder> {
        use OptionValue::{Count, Duration as Time, Text};
        Ok(match (name, value) {
            ("region", Text(region)) => self.region(region.parse()?),
            ("base_url", Text(url)) => self.base_url(url),
            ("timeout", Time(timeout)) => self.timeout(timeout),
            ("connect_timeout", Time(timeout)) => self.connect_timeout(timeout),
            ("max_retries", Count(retries)) => {
                self.max_retries(u32::try_from(retries).unwrap_or(u32::MAX))
            }
            ("deadline", Time(deadline)) => self.deadline(deadline),
            ("max_in_flight", Count(calls)) => {
                self.max_in_flight(usize::try_from(calls).unwrap_or(usize::MAX))
            }
            ("user_agent", Text(suffix)) => self.user_agent(suffix),
            ("proxy", Text(url)) => self.proxy(url),
            ("ca_certs", Text(pem)) => self.ca_certs_pem(pem),
            ("max_response_bytes", Count(bytes)) => self.max_response_bytes(bytes),
            // The value is not echoed: a proxy URL may hold credentials.
            (name, _) => {
                return Err(Error::invalid(match ClientOption::named(name) {
                    Some(option) => format!("option {name} takes a {:?} value", option.unit),
                    None => format!("unknown option {name:?}"),
                }))
            }
        })
    }

    /// A listener given the [`CallReport`] of every call, on the thread that finished
    /// it (for async calls, the library's thread, before the completion runs): for
    /// metrics and traces. It should return quickly; a panic in it is caught and
    /// logged, and leaves the call's result alone. Setting it again replaces it.
    /// Without one (and without [`report::capture`](crate::report::capture)) no report
    /// is built.
    pub fn on_report(
        mut self,
        listener: impl Fn(&CallReport) + Send + Sync + 'static,
    ) -> ClientBuilder {
        self.on_report = Some(std::sync::Arc::new(listener));
        self
    }

    /// Checks every option: `INVALID_ARGUMENT` for the first one that is wrong.
    pub(crate) fn config(self) -> Result<Config> {
        validate::api_key(&self.api_key)?;
        let base = BaseUrl::parse(self.base_url.as_deref().unwrap_or(self.region.base_url()))?;
        for (name, value) in [
            ("timeout", self.timeout),
            ("connect_timeout", self.connect_timeout),
            ("deadline", self.deadline),
        ] {
            if value.is_zero() || value > MAX_DURATION {
                return Err(Error::invalid(format!(
                    "{name} must be greater than zero and at most one day, not {value:?}"
                )));
            }
        }
        let counts = [
            (
                "max_response_bytes",
                self.max_response_bytes,
                1,
                MAX_SAFE_INTEGER,
            ),
            (
                "max_retries",
                self.max_retries.into(),
                0,
                MAX_RETRIES_LIMIT.into(),
            ),
            (
                "max_in_flight",
                self.max_in_flight as u64,
                1,
                MAX_IN_FLIGHT_LIMIT as u64,
            ),
        ];
        for (name, value, min, max) in counts {
            if !(min..=max).contains(&value) {
                return Err(Error::invalid(format!(
                    "{name} must be from {min} to {max}, not {value}"
                )));
            }
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
                policy::proxy_allowed(base.is_plain_http())?;
                proxy
            }),
            None => None,
        };
        Ok(Config {
            root_certs: root_certs(&self.ca_certs_pem)?,
            base,
            api_key: self.api_key,
            user_agent,
            proxy,
            connect_timeout: self.connect_timeout,
            max_in_flight: self.max_in_flight,
            on_report: self.on_report,
            limits: Limits {
                timeout: self.timeout,
                max_retries: self.max_retries,
                deadline: self.deadline,
                max_response_bytes: self.max_response_bytes,
            },
        })
    }
}

/// A client's options once [`ClientBuilder::build`] has checked them: what a
/// [`Transport`](crate::transport::Transport) is built from, again in each process the
/// client is used in.
pub(crate) struct Config {
    pub base: BaseUrl,
    pub api_key: String,
    /// The whole `User-Agent`: ours, then the user's suffix.
    pub user_agent: String,
    pub proxy: Option<Proxy>,
    pub root_certs: RootCerts,
    pub connect_timeout: Duration,
    pub max_in_flight: usize,
    /// Given every call's report.
    pub on_report: Option<Listener>,
    pub limits: Limits,
}

/// The bounds a client applies to each call, checked by [`ClientBuilder::build`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub timeout: Duration,
    pub max_retries: u32,
    pub deadline: Duration,
    pub max_response_bytes: u64,
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
            .field("deadline", &self.deadline)
            .field("max_in_flight", &self.max_in_flight)
            .field("user_agent", &self.user_agent)
            .field("proxy", &self.proxy.as_ref().map(|_| "[set]"))
            .field("ca_certs", &!self.ca_certs_pem.is_empty())
            .field("max_response_bytes", &self.max_response_bytes)
            .field("on_report", &self.on_report.as_ref().map(|_| "[set]"))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn refused(builder: ClientBuilder) -> String {
        let Err(err) = builder.config() else {
            panic!("accepted");
        };
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
        err.to_string()
    }

    #[test]
    fn a_socks_proxy_is_refused_rather_than_bypassed() {
        let text = refused(ClientBuilder::new("key".into()).proxy("socks5://127.0.0.1:1"));
        assert!(text.contains("SOCKS"), "{text}");
    }

    #[test]
    fn a_proxy_with_plain_http_is_refused() {
        let builder = ClientBuilder::new("key".into()).base_url("http://127.0.0.1:9");
        assert!(builder.clone().config().is_ok());
        let text = refused(builder.proxy("http://proxy.internal:3128"));
        assert!(text.contains("cleartext"), "{text}");
        let tls = ClientBuilder::new("key".into()).base_url("https://127.0.0.1:9");
        assert!(tls.proxy("http://proxy.internal:3128").config().is_ok());
    }

    #[test]
    fn limits_are_the_same_for_every_face() {
        let b = || ClientBuilder::new("key".into());
        let day = Duration::from_secs(86_400);
        assert!(b().timeout(day).deadline(day).config().is_ok());
        refused(b().timeout(day + Duration::from_millis(1)));
        refused(b().connect_timeout(Duration::ZERO));
        refused(b().deadline(Duration::ZERO));
        assert!(b().max_response_bytes(MAX_SAFE_INTEGER).config().is_ok());
        refused(b().max_response_bytes(MAX_SAFE_INTEGER + 1));
        refused(b().max_response_bytes(0));
        refused(b().max_retries(MAX_RETRIES_LIMIT + 1));
        refused(b().max_in_flight(0));
        refused(b().max_in_flight(MAX_IN_FLIGHT_LIMIT + 1));
        assert!(b().max_in_flight(1).max_retries(0).config().is_ok());
    }

    /// The value `option` is given for each option: its default where it has one.
    fn value_of(option: &ClientOption) -> OptionValue {
        match option.default {
            OptionDefault::Text(text) => OptionValue::Text(text.into()),
            OptionDefault::Duration(d) => OptionValue::Duration(d),
            OptionDefault::Count(n) => OptionValue::Count(n),
            OptionDefault::Unset => match option.name {
                "base_url" => OptionValue::Text("http://127.0.0.1:1".into()),
                "ca_certs" => OptionValue::Text(String::new()),
                name => OptionValue::Text(format!("{name}-value")),
            },
        }
    }

    #[test]
    fn every_option_of_the_table_has_its_setter() {
        let mut builder = ClientBuilder::new("key".into());
        for option in &OPTIONS {
            builder = builder.option(option.name, value_of(option)).unwrap();
        }
        assert_eq!(builder.base_url.as_deref(), Some("http://127.0.0.1:1"));
        assert_eq!(builder.user_agent.as_deref(), Some("user_agent-value"));
        assert_eq!(builder.proxy.as_deref(), Some("proxy-value"));
        assert_eq!(builder.ca_certs_pem, b"\n");
        let counts = (builder.max_retries, builder.max_in_flight);
        assert_eq!(counts, (DEFAULT_MAX_RETRIES, DEFAULT_MAX_IN_FLIGHT));
        let times = (builder.timeout, builder.connect_timeout, builder.deadline);
        assert_eq!(
            times,
            (DEFAULT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, DEFAULT_DEADLINE)
        );
        let china =
            ClientBuilder::new("key".into()).option("region", OptionValue::Text("China".into()));
        assert_eq!(china.unwrap().region, Region::China);
    }

    #[test]
    fn an_option_of_another_unit_or_name_is_refused_without_its_value() {
        let b = || ClientBuilder::new("key".into());
        let secret = || OptionValue::Text("http://user:secret@proxy".into());
        let wrong_unit = b().option("timeout", secret()).err().unwrap();
        assert_eq!(wrong_unit.kind(), ErrorKind::InvalidArgument);
        assert_eq!(
            wrong_unit.to_string(),
            "option timeout takes a Duration value"
        );
        let unknown = b().option("proxi", secret()).err().unwrap();
        assert!(
            unknown.to_string().contains("unknown option \"proxi\""),
            "{unknown}"
        );
        assert!(!format!("{wrong_unit}{unknown:?}").contains("secret"));
        let huge = b()
            .option("max_in_flight", OptionValue::Count(u64::MAX))
            .unwrap();
        refused(huge);
    }
}
