//! One HTTP exchange: a form POST with the key, a capped body read, and the envelope
//! decoded; ureq's errors mapped onto our kinds, noting whether the request may have
//! reached the server (which decides how a failed consume is reconciled).

use std::io;
use std::time::Duration;

use serde_json::{Map, Value};
use ureq::tls::TlsConfig;
use ureq::unversioned::transport::{ConnectProxyConnector, Connector, RustlsConnector};
use ureq::Agent;

use crate::config::Config;
use crate::envelope::{self, Secrets};
use crate::error::Error;
use crate::resolver::CachingResolver;
use crate::socket::{self, SocketConnector};

/// A successful exchange.
pub(crate) struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The envelope's `data`.
    pub data: Option<Map<String, Value>>,
    /// Whether the exchange used a pooled connection.
    pub reused_connection: bool,
}

/// A failed exchange.
pub(crate) struct Failure {
    pub error: Error,
    /// True when the server may have acted on the request even though we have no
    /// answer we can read (a timeout or reset after sending, a gateway 5xx, garbage).
    pub maybe_delivered: bool,
    /// Whether it used a pooled connection, when known: `Some(false)` after a connect,
    /// `Some(true)` when an answer came without one, else `None`.
    pub reused_connection: Option<bool>,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        // An answer we could read is final: the server did what it said.
        Failure {
            error,
            maybe_delivered: false,
            reused_connection: None,
        }
    }
}

/// The size of the buffer each connection reads into (and, over TLS, of the one its
/// plaintext lands in): a payments answer's head and a slice of its body. ureq's default
/// is 128 KiB, allocated and zero-filled for every connection in use or idle in the pool;
/// a response head must fit (a longer one fails as too big), and ureq keeps at least
/// 10 KiB of it free to stage a request body, so this is the least it would use anyway.
/// The body streams through it, capped by `max_response_bytes`
/// (bench/results/profile.md).
const INPUT_BUFFER_BYTES: usize = 10 * 1024;
/// The size of the buffer each connection writes from: a request head and form (ureq's
/// default is 128 KiB; a larger body goes out in pieces).
const OUTPUT_BUFFER_BYTES: usize = 4 * 1024;

/// Everything an exchange needs that does not change between calls: ureq's agent, with
/// its connection pool and DNS cache, which belong to the process that made them.
pub(crate) struct Transport {
    agent: Agent,
    api_key: String,
    max_response_bytes: u64,
}

impl Transport {
    /// A transport with an empty pool: ureq's agent over our socket (socket.rs) and
    /// resolver (resolver.rs), TLS by rustls with the configured roots.
    pub(crate) fn new(config: &Config) -> Transport {
        let timeout = config.limits.timeout;
        let tls = TlsConfig::builder()
            .root_certs(config.root_certs.clone())
            .build();
        let agent_config = Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .timeout_connect(Some(config.connect_timeout))
            // A redirect would carry the key elsewhere: surface it as HTTP_STATUS instead.
            .max_redirects(0)
            .max_redirects_will_error(false)
            .max_idle_connections(64)
            .max_idle_connections_per_host(64)
            .input_buffer_size(INPUT_BUFFER_BYTES)
            .output_buffer_size(OUTPUT_BUFFER_BYTES)
            // A head that fills the input buffer is refused as too large, not read on.
            .max_response_header_size(INPUT_BUFFER_BYTES - 1)
            .user_agent(&config.user_agent)
            .accept("application/json")
            .proxy(config.proxy.clone())
            .tls_config(tls)
            .build();
        // ureq's default chain, with our TCP socket in place of its own; a failed
        // connect evicts the resolver's cached addresses.
        let resolver = CachingResolver::default();
        let connector =
            ().chain(ConnectProxyConnector::default())
                .chain(SocketConnector::new(timeout, resolver.cache()))
                .chain(RustlsConnector::default());
        Transport {
            agent: Agent::with_parts(agent_config, connector, resolver),
            api_key: config.api_key.clone(),
            max_response_bytes: config.limits.max_response_bytes,
        }
    }

    /// POSTs `form` to `url` within `timeout` (connect and body included) and returns
    /// the answer's status and the envelope's `data`, and whether the connection was
    /// pooled (the exchange runs on this thread, so the socket's flag tells).
    pub(crate) fn post(
        &self,
        url: &str,
        form: &[(&str, &str)],
        token: &str,
        timeout: Duration,
    ) -> Result<Answer, Failure> {
        socket::take_connected();
        let result = self.exchange(url, form, token, timeout);
        let connected = socket::take_connected();
        match result {
            Ok((status, data)) => Ok(Answer {
                status,
                data,
                reused_connection: !connected,
            }),
            Err(mut failure) => {
                failure.reused_connection = match connected {
                    true => Some(false),
                    false if failure.error.http_status().is_some() => Some(true),
                    false => None,
                };
                Err(failure)
            }
        }
    }

    /// [`Transport::post`]'s exchange: the status and the envelope's `data`.
    fn exchange(
        &self,
        url: &str,
        form: &[(&str, &str)],
        token: &str,
        timeout: Duration,
    ) -> Result<(u16, Option<Map<String, Value>>), Failure> {
        let mut response = self
            .agent
            .post(url)
            .config()
            .timeout_global(Some(timeout))
            .build()
            .header("Authorization", &self.api_key)
            .send_form(form.iter().copied())
            .map_err(|e| self.failure(e))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok())
            .map(Duration::from_secs);
        let body = response
            .body_mut()
            .with_config()
            .limit(self.max_response_bytes)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(limit) => Failure {
                    error: Error::Decode {
                        message: format!("response body is larger than the {limit}-byte cap"),
                        http_status: Some(status),
                    },
                    maybe_delivered: true,
                    reused_connection: None,
                },
                other => self.failure(other),
            })?;
        let secrets = Secrets {
            api_key: &self.api_key,
            token,
        };
        let data = envelope::decode(status, retry_after, &body, &secrets).map_err(|error| {
            let maybe_delivered = match &error {
                Error::HttpStatus { status, .. } => *status >= 500,
                Error::Decode { .. } => true,
                _ => false,
            };
            Failure {
                error,
                maybe_delivered,
                reused_connection: None,
            }
        })?;
        Ok((status, data))
    }

    fn failure(&self, e: ureq::Error) -> Failure {
        let scrub = |text: String| crate::redact::scrub(&text, &self.api_key, None);
        use ureq::Error as U;
        match e {
            U::Timeout(which) => {
                let before_sending =
                    matches!(which, ureq::Timeout::Connect | ureq::Timeout::Resolve);
                Failure {
                    error: Error::Timeout {
                        message: format!("no answer in time: the {which} deadline passed"),
                    },
                    maybe_delivered: !before_sending,
                    reused_connection: None,
                }
            }
            U::HostNotFound => connection("the host name could not be resolved".into(), false),
            U::ConnectionFailed => connection("the connection could not be made".into(), false),
            // rustls reports a failed handshake as an I/O error of kind InvalidData.
            U::Io(io) if is_handshake_failure(&io) => {
                tls(scrub(format!("the TLS handshake failed: {io}")))
            }
            U::Io(io) => {
                let refused = matches!(
                    io.kind(),
                    io::ErrorKind::ConnectionRefused | io::ErrorKind::AddrNotAvailable
                );
                if io.kind() == io::ErrorKind::TimedOut || io.kind() == io::ErrorKind::WouldBlock {
                    return Failure {
                        error: Error::Timeout {
                            message: scrub(format!("no answer in time: {io}")),
                        },
                        maybe_delivered: true,
                        reused_connection: None,
                    };
                }
                connection(scrub(format!("connection failed: {io}")), !refused)
            }
            U::Tls(_) | U::Pem(_) | U::Rustls(_) => tls(scrub(format!("TLS failed: {e}"))),
            U::Protocol(_) => Failure {
                error: Error::Decode {
                    message: scrub(format!("the answer is not valid HTTP: {e}")),
                    http_status: None,
                },
                maybe_delivered: true,
                reused_connection: None,
            },
            U::InvalidProxyUrl | U::BadUri(_) | U::Http(_) => {
                Error::invalid(scrub(format!("the request could not be built: {e}"))).into()
            }
            other => connection(scrub(format!("the exchange failed: {other}")), true),
        }
    }
}

fn connection(message: String, maybe_delivered: bool) -> Failure {
    Failure {
        error: Error::Connection { message },
        maybe_delivered,
        reused_connection: None,
    }
}

/// A TLS failure before the request went out: nothing was sent, and a retry would meet
/// the same certificate (`what` says why it failed).
fn tls(what: String) -> Failure {
    Failure {
        error: Error::Tls {
            message: format!(
                "{what} (is the server's certificate trusted? add its CA with ca_certs)"
            ),
        },
        maybe_delivered: false,
        reused_connection: None,
    }
}

/// Whether `io` is rustls refusing a handshake: the server's certificate, or nothing in
/// common to agree on. These only happen before the request is sent; other TLS errors
/// (a corrupt record, say) may come after it and stay possibly delivered.
fn is_handshake_failure(io: &io::Error) -> bool {
    use rustls::{AlertDescription as Alert, Error as Tls};
    let Some(tls) = io.get_ref().and_then(|e| e.downcast_ref::<Tls>()) else {
        return false;
    };
    match tls {
        Tls::InvalidCertificate(_)
        | Tls::NoCertificatesPresented
        | Tls::UnsupportedNameType
        | Tls::InvalidCertRevocationList(_)
        | Tls::PeerIncompatible(_)
        | Tls::InappropriateHandshakeMessage { .. }
        | Tls::InvalidEncryptedClientHello(_)
        | Tls::HandshakeNotComplete
        | Tls::NoApplicationProtocol => true,
        // The server refusing our hello or our (absent) client certificate.
        Tls::AlertReceived(alert) => matches!(
            alert,
            Alert::HandshakeFailure
                | Alert::ProtocolVersion
                | Alert::InsufficientSecurity
                | Alert::UnrecognisedName
                | Alert::CertificateRequired
                | Alert::BadCertificate
                | Alert::UnsupportedCertificate
                | Alert::CertificateRevoked
                | Alert::CertificateExpired
                | Alert::CertificateUnknown
                | Alert::UnknownCA
        ),
        _ => false,
    }
}
