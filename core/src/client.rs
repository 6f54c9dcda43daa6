//! The client: verify with retries and the seller/sellers fallback, the grant check,
//! consume as "make sure it is consumed", one deadline over everything a call does, and
//! async calls on the library's own threads.

use std::cell::Cell;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use crate::config::{ClientBuilder, Config};
use crate::consume::{self, ConsumeOutcome, ConsumeRequest};
use crate::endpoint::{CONSUME, VERIFY_SELLER, VERIFY_SELLERS};
use crate::error::{Error, Result};
use crate::grant::GrantPolicy;
use crate::process::{Local, PerProcess};
use crate::purchase::Purchase;
use crate::redact::short_token;
use crate::report::{AttemptAnswer, CallName, Endpoint, Outcome, Recorder, WaitReason};
use crate::transport::{Answer, Failure};
use crate::{retry, validate};

/// The API code the gateway answers for a path it does not route.
const INTERFACE_NOT_EXIST: i64 = 150;

/// A client of the Payments API. Build it once and share it: it is `Send + Sync`,
/// cloning is cheap (clones share one connection pool), and every call blocks the
/// calling thread, except [`spawn`](Client::spawn), which runs a call on the library's
/// own threads.
///
/// The fulfillment model, which every face and example follows:
///
/// ```no_run
/// use nowgg_payments::{Client, ConsumeRequest, GrantPolicy};
/// let client = Client::builder(std::env::var("NOWGG_API_KEY").unwrap()).build()?;
/// let token = "-nowgg-...";
/// let policy = GrantPolicy::new().package_name("com.example.game").product_id("gems_100");
/// // 1. Paid, not consumed, this game's product:
/// let purchase = client.verify_for_grant(token, &policy)?;
/// // 2. Record the grant under purchase.order_id() in your database (a unique key);
/// //    if the row already exists, it was delivered: stop here.
/// // 3. Grant the product (in the same transaction as the record where you can).
/// // 4. Consume: `Consumed` and `AlreadyConsumed` both mean done; a retryable error
/// //    means try again later (a sweep over recorded, unconsumed orders).
/// client.consume_purchase(&ConsumeRequest::new(token))?;
/// # Ok::<(), nowgg_payments::Error>(())
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    verify_urls: [String; 2],
    consume_url: String,
    /// Which of `verify_urls` answers: flips when the other one gives code 150.
    verify_on_sellers: AtomicBool,
    /// Connections and threads, for the process the client is used in (after a fork,
    /// the child's own).
    local: PerProcess,
}

thread_local! {
    /// When the async call running on this thread was made, so that its deadline counts
    /// the time it waited in the queue (set by [`Client::spawn`] around the call).
    static MADE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// When a call must be over: the client's `deadline` from the call's start.
struct Deadline {
    end: Instant,
    total: Duration,
}

/// One public call in progress: its deadline and its report.
struct Call {
    deadline: Deadline,
    report: Recorder,
}

impl Deadline {
    /// The deadline of a call made at `made`.
    fn new(made: Instant, total: Duration) -> Deadline {
        Deadline {
            end: made + total,
            total,
        }
    }

    /// The time left, or `TIMEOUT` when none is.
    fn remaining(&self) -> Result<Duration> {
        match self.end.saturating_duration_since(Instant::now()) {
            left if left.is_zero() => Err(self.passed("")),
            left => Ok(left),
        }
    }

    /// The `TIMEOUT` for this deadline, with what was going on when it passed.
    fn passed(&self, during: &str) -> Error {
        Error::Timeout {
            message: format!(
                "the call's deadline of {} ms passed{during}",
                self.total.as_millis()
            ),
        }
    }
}

impl ClientBuilder {
    /// Checks every option and builds the client. Fails with `INVALID_ARGUMENT` only.
    pub fn build(self) -> Result<Client> {
        Ok(Client::new(self.config()?))
    }
}

impl Client {
    /// Starts building a client with the Payments API key from nowStudio.
    pub fn builder(api_key: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(api_key.into())
    }

    pub(crate) fn new(config: Config) -> Client {
        let base = &config.base;
        Client {
            inner: Arc::new(Inner {
                verify_urls: [base.join(VERIFY_SELLER), base.join(VERIFY_SELLERS)],
                consume_url: base.join(CONSUME),
                verify_on_sellers: AtomicBool::new(false),
                local: PerProcess::new(&config),
                config,
            }),
        }
    }

    /// Starts a call of `name` on `token`, made now, or when the async call being run
    /// on this thread was made.
    fn call(&self, name: CallName, token: &str) -> Call {
        let made = MADE.get().unwrap_or_else(Instant::now);
        let config = &self.inner.config;
        Call {
            deadline: Deadline::new(made, config.limits.deadline),
            report: Recorder::start(name, token, made, config.on_report.as_ref()),
        }
    }

    /// Ends `call` with `outcome`, handing its report to whoever reads it.
    fn finish(&self, call: Call, outcome: Outcome) {
        call.report
            .finish(outcome, self.inner.config.on_report.as_ref());
    }

    /// Connections and threads for the calling process.
    fn local(&self) -> Arc<Local> {
        self.inner.local.get(&self.inner.config)
    }

    /// Verifies a purchase token and returns the purchase. Retried (with backoff and
    /// jitter, honouring `Retry-After`) on timeouts, connection failures, HTTP 429/5xx
    /// and API code 5014, up to `max_retries` times, all within the client's `deadline`.
    ///
    /// A genuine token is not yet a reason to grant: use
    /// [`verify_for_grant`](Client::verify_for_grant), which also checks that the
    /// purchase is paid, unconsumed, and this game's product.
    pub fn verify_purchase(&self, token: &str) -> Result<Purchase> {
        let mut call = self.call(CallName::VerifyPurchase, token);
        let result = validate::token(token).and_then(|()| self.verify_within(token, &mut call));
        self.finish(call, Outcome::of_verify(&result));
        result
    }

    /// Verifies a purchase token, then checks it against `policy` with
    /// [`Purchase::check`]: `NOT_PAID`, `ALREADY_CONSUMED`, `PACKAGE_MISMATCH`,
    /// `PRODUCT_MISMATCH` or `TEST_ORDER` when it must not be granted.
    ///
    /// Next: record the grant under [`Purchase::order_id`] in your own database (an
    /// existing row means it was delivered already), grant, then consume.
    pub fn verify_for_grant(&self, token: &str, policy: &GrantPolicy) -> Result<Purchase> {
        let mut call = self.call(CallName::VerifyForGrant, token);
        let result = validate::token(token)
            .and_then(|()| self.verify_within(token, &mut call))
            .and_then(|purchase| purchase.check(policy).map(|()| purchase));
        self.finish(call, Outcome::of_verify(&result));
        result
    }

    /// A verify with its retries, within the call's deadline.
    fn verify_within(&self, token: &str, call: &mut Call) -> Result<Purchase> {
        let max_retries = self.inner.config.limits.max_retries;
        let mut attempt = 0;
        loop {
            let error = match self.verify_once(token, call) {
                Ok(purchase) => return Ok(purchase),
                Err(failure) => failure.error,
            };
            let wait = match retry::delay(&error, attempt) {
                Some(wait) if attempt < max_retries => wait,
                _ => return Err(error),
            };
            if wait >= call.deadline.remaining()? {
                return Err(call.deadline.passed(&format!(
                    " before retry {} could start ({}: {error})",
                    attempt + 1,
                    error.kind()
                )));
            }
            attempt += 1;
            log::info!(
                "verify of {} failed ({}: {error}); retry {attempt} of {max_retries} in {} ms",
                short_token(token),
                error.kind(),
                wait.as_millis()
            );
            let reason = match error.retry_after() {
                Some(asked) if asked == wait => WaitReason::RetryAfter,
                _ => WaitReason::Backoff,
            };
            call.report.wait(wait, reason);
            thread::sleep(wait);
        }
    }

    /// One verify, on the path that last worked; on code 150 once more on the other.
    fn verify_once(&self, token: &str, call: &mut Call) -> Result<Purchase, Failure> {
        let form = [("purchaseToken", token)];
        let on_sellers = self.inner.verify_on_sellers.load(Ordering::Relaxed);
        let url = &self.inner.verify_urls[usize::from(on_sellers)];
        let data = match self.post(Endpoint::Verify, url, &form, token, call) {
            Err(f) if f.error.api_code() == Some(INTERFACE_NOT_EXIST) => {
                let other = &self.inner.verify_urls[usize::from(!on_sellers)];
                let data = self.post(Endpoint::Verify, other, &form, token, call)?;
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

    /// One exchange (an attempt of the call's), given the attempt timeout or what is
    /// left of the deadline.
    fn post(
        &self,
        endpoint: Endpoint,
        url: &str,
        form: &[(&str, &str)],
        token: &str,
        call: &mut Call,
    ) -> Result<Option<Map<String, Value>>, Failure> {
        let timeout = call
            .deadline
            .remaining()?
            .min(self.inner.config.limits.timeout);
        let attempt = call.report.begin(url);
        let result = self.local().transport.post(url, form, token, timeout);
        let answer = match &result {
            Ok(answer) => AttemptAnswer {
                http_status: Some(answer.status),
                error: None,
                reused_connection: Some(answer.reused_connection),
            },
            Err(failure) => AttemptAnswer {
                http_status: None,
                error: Some(&failure.error),
                reused_connection: failure.reused_connection,
            },
        };
        call.report.attempt(attempt, endpoint, url, answer);
        result.map(|Answer { data, .. }| data)
    }

    /// Makes sure a purchase is consumed: the last step of a grant, after the grant is
    /// recorded under its `orderId` and delivered. Always safe to call again.
    ///
    /// - [`ConsumeOutcome::Consumed`]: this request consumed it.
    /// - [`ConsumeOutcome::AlreadyConsumed`]: now.gg answered 3800 and a verify shows it
    ///   consumed, or the answer was lost (a timeout or reset after sending, a gateway
    ///   5xx, an unreadable answer) and a verify shows it consumed.
    /// - `ERROR_CONSUMING_PRODUCT` (3800) for a purchase that is not consumed (not paid).
    /// - A retryable error when the answer was lost and no verify could show the
    ///   purchase consumed: try again later.
    ///
    /// The request itself is never sent twice in one call: a resend could race the first.
    pub fn consume_purchase(&self, request: &ConsumeRequest) -> Result<ConsumeOutcome> {
        let mut call = self.call(CallName::ConsumePurchase, request.token());
        let result = self.consume_within(request, &mut call);
        self.finish(call, Outcome::of_consume(&result));
        result
    }

    /// A consume, and the verify that reconciles it when its answer leaves it open.
    fn consume_within(&self, request: &ConsumeRequest, call: &mut Call) -> Result<ConsumeOutcome> {
        let form = request.form()?;
        let token = request.token();
        match self.post(
            Endpoint::Consume,
            &self.inner.consume_url,
            &form,
            token,
            call,
        ) {
            Ok(_) => Ok(ConsumeOutcome::Consumed),
            Err(failure) => consume::reconcile(token, failure, || {
                let verified = self.verify_within(token, call);
                if verified.is_ok() {
                    call.report.reconciled();
                }
                verified
            }),
        }
    }

    /// Runs `call` on one of the library's threads (at most `max_in_flight` at once;
    /// further calls wait in order) and hands its result to `done` on that thread.
    /// This is what the async faces are built on: no runtime's shared pool is blocked,
    /// and the caller's thread never runs the call.
    ///
    /// The call's `deadline` starts now: a call that waited in the queue past it ends
    /// with `TIMEOUT` unsent (and its report says so), so under a stalled upstream what
    /// waits is bounded by the rate of calls times the deadline. `done` may start another
    /// call and wait for it.
    ///
    /// A panic in `call` is caught and handed to `done` as an `INTERNAL` error; `done`
    /// itself should not panic (one that does is caught and logged). The call holds a
    /// clone of the client, so dropping every other handle while calls are in flight is
    /// safe. Fails at once with `INTERNAL`, neither `call` nor `done` run, only when the
    /// system refuses to start a thread and none of the library's is running.
    ///
    /// ```no_run
    /// # let client = nowgg_payments::Client::builder("key").build().unwrap();
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// client.spawn(|c| c.verify_purchase("-nowgg-..."), move |result| {
    ///     let _ = tx.send(result);
    /// })?;
    /// let purchase = rx.recv().unwrap()?;
    /// # Ok::<(), nowgg_payments::Error>(())
    /// ```
    pub fn spawn<T, C, D>(&self, call: C, done: D) -> Result<()>
    where
        C: FnOnce(&Client) -> Result<T> + Send + 'static,
        D: FnOnce(Result<T>) + Send + 'static,
    {
        let client = self.clone();
        let made = Instant::now();
        let deadline = self.inner.config.limits.deadline;
        let job = Box::new(move |ended: &dyn Fn()| {
            // A call whose deadline passed in the queue still runs, so that it is
            // reported, but its deadline ends it before anything is sent.
            let queued_out = made.elapsed() >= deadline;
            MADE.set(Some(made));
            let result = panic::catch_unwind(AssertUnwindSafe(|| call(&client)))
                .unwrap_or_else(|_| Err(Error::internal("an async call")));
            MADE.set(None);
            let result = match result {
                Err(Error::Timeout { .. }) if queued_out => Err(Error::Timeout {
                    message: format!(
                        "the call's deadline of {} ms passed while it waited for a thread \
                         (max_in_flight calls were running); it was not sent",
                        deadline.as_millis()
                    ),
                }),
                other => other,
            };
            drop(client);
            ended();
            if panic::catch_unwind(AssertUnwindSafe(|| done(result))).is_err() {
                // The caller's bug, not ours: keep the thread, say where it came from.
                log::error!("bug: the completion callback of an async call panicked");
            }
        });
        self.local()
            .dispatcher()
            .spawn(job)
            .map_err(|cause| Error::Internal {
                message: format!("the async call could not start: {cause}"),
            })
    }

    /// The base URL calls go to.
    pub fn base_url(&self) -> &str {
        self.inner.config.base.as_str()
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.config.base.as_str())
            .field("api_key", &"[redacted]")
            .field("limits", &self.inner.config.limits)
            .finish_non_exhaustive()
    }
}

// Compile-time proof of the promise in the docs.
const _: () = {
    const fn shareable<T: Send + Sync + Clone>() {}
    shareable::<Client>();
};
