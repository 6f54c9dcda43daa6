//! The client: verify with retries and the seller/sellers fallback, consume with
//! reconciliation instead of blind retries.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;

use ureq::Agent;

use crate::config::ClientBuilder;
use crate::consume::ConsumeRequest;
use crate::endpoint::{BaseUrl, CONSUME, VERIFY_SELLER, VERIFY_SELLERS};
use crate::error::{Error, Result};
use crate::purchase::Purchase;
use crate::redact::short_token;
use crate::transport::{Failure, Transport};
use crate::{retry, validate};

/// The API code the gateway answers for a path it does not route.
const INTERFACE_NOT_EXIST: i64 = 150;

/// A client of the Payments API. Build it once and share it: it is `Send + Sync`,
/// cloning is cheap (clones share one connection pool), and every call is blocking.
///
/// ```no_run
/// use nowgg_payments::{Client, ConsumeRequest};
/// let client = Client::builder(std::env::var("NOWGG_API_KEY").unwrap()).build()?;
/// let purchase = client.verify_purchase("-nowgg-...")?;
/// if purchase.is_paid() && !purchase.is_consumed() {
///     // grant the product, then:
///     client.consume_purchase(&ConsumeRequest::new("-nowgg-..."))?;
/// }
/// # Ok::<(), nowgg_payments::Error>(())
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Transport,
    base: BaseUrl,
    verify_urls: [String; 2],
    consume_url: String,
    /// Which of `verify_urls` answers: flips when the other one gives code 150.
    verify_on_sellers: AtomicBool,
    max_retries: u32,
}

impl Client {
    /// Starts building a client with the Payments API key from nowStudio.
    pub fn builder(api_key: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(api_key.into())
    }

    pub(crate) fn new(
        agent: Agent,
        base: BaseUrl,
        api_key: String,
        max_retries: u32,
        max_response_bytes: u64,
    ) -> Client {
        Client {
            inner: Arc::new(Inner {
                verify_urls: [base.join(VERIFY_SELLER), base.join(VERIFY_SELLERS)],
                consume_url: base.join(CONSUME),
                base,
                transport: Transport {
                    agent,
                    api_key,
                    max_response_bytes,
                },
                verify_on_sellers: AtomicBool::new(false),
                max_retries,
            }),
        }
    }

    /// Verifies a purchase token and returns the purchase. Retried (with backoff and
    /// jitter, honouring `Retry-After`) on timeouts, connection failures, HTTP 429/5xx
    /// and API code 5014, up to `max_retries` times.
    ///
    /// Check [`Purchase::is_paid`] and [`Purchase::is_consumed`] before granting.
    pub fn verify_purchase(&self, token: &str) -> Result<Purchase> {
        validate::token(token)?;
        let mut attempt = 0;
        loop {
            let error = match self.verify_once(token) {
                Ok(purchase) => return Ok(purchase),
                Err(failure) => failure.error,
            };
            let wait = match retry::delay(&error, attempt) {
                Some(wait) if attempt < self.inner.max_retries => wait,
                _ => return Err(error),
            };
            attempt += 1;
            log::info!(
                "verify of {} failed ({}: {error}); retry {attempt} of {} in {} ms",
                short_token(token),
                error.kind(),
                self.inner.max_retries,
                wait.as_millis()
            );
            thread::sleep(wait);
        }
    }

    /// One verify, on the path that last worked; on code 150 once more on the other.
    fn verify_once(&self, token: &str) -> Result<Purchase, Failure> {
        let form = [("purchaseToken", token)];
        let on_sellers = self.inner.verify_on_sellers.load(Ordering::Relaxed);
        let url = &self.inner.verify_urls[usize::from(on_sellers)];
        let data = match self.inner.transport.post(url, &form, token) {
            Err(f) if f.error.api_code() == Some(INTERFACE_NOT_EXIST) => {
                let other = &self.inner.verify_urls[usize::from(!on_sellers)];
                let data = self.inner.transport.post(other, &form, token)?;
                log::warn!(
                    "{url} answered code 150 (interface not exist); using {other} from now on"
                );
                self.inner
                    .verify_on_sellers
                    .store(!on_sellers, Ordering::Relaxed);
                data
            }
            other => other?,
        };
        let data = data.ok_or_else(|| Error::Decode {
            message: "verifyPurchase succeeded without a data object".into(),
            http_status: None,
        })?;
        Ok(Purchase::from_data(data))
    }

    /// Consumes (acknowledges) a purchase: call it once the product is granted.
    ///
    /// It is never re-sent blindly, since a resend could race the first one. When the
    /// outcome is unknown (the connection broke or timed out after the request was
    /// sent, a gateway 5xx, an unreadable answer), the purchase is verified: if it is now
    /// consumed the call succeeds, otherwise the original error is returned. A purchase
    /// that was already consumed fails with `ERROR_CONSUMING_PRODUCT` (3800).
    pub fn consume_purchase(&self, request: &ConsumeRequest) -> Result<()> {
        let form = request.form()?;
        let token = request.token();
        let failure = match self
            .inner
            .transport
            .post(&self.inner.consume_url, &form, token)
        {
            Ok(_) => return Ok(()),
            Err(failure) => failure,
        };
        if !failure.maybe_delivered {
            return Err(failure.error);
        }
        log::info!(
            "consume of {} ended without a clear answer ({}); verifying whether it took effect",
            short_token(token),
            failure.error.kind()
        );
        match self.verify_purchase(token) {
            Ok(purchase) if purchase.is_consumed() => {
                log::info!("consume of {} took effect", short_token(token));
                Ok(())
            }
            _ => Err(failure.error),
        }
    }

    /// The base URL calls go to.
    pub fn base_url(&self) -> &str {
        self.inner.base.as_str()
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base.as_str())
            .field("api_key", &"[redacted]")
            .field("max_retries", &self.inner.max_retries)
            .finish_non_exhaustive()
    }
}

// Compile-time proof of the promise in the docs.
const _: () = {
    const fn shareable<T: Send + Sync + Clone>() {}
    shareable::<Client>();
};
