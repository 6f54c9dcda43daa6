//! The native client: one core `Client` (which alone holds the API key), and the calls
//! that start its blocking work on the libuv pool.

use napi::bindgen_prelude::{AbortSignal, AsyncTask, Unknown};
use napi::Env;
use napi_derive::napi;
use nowgg_payments::{Client, ConsumeRequest, Region, Result, Store};

use crate::args::{self, Options};
use crate::error;
use crate::tasks::{Consume, Verify};

/// The keys `new Client(options)` accepts.
const CLIENT_OPTIONS: &[&str] = &[
    "apiKey",
    "region",
    "baseUrl",
    "timeoutMs",
    "connectTimeoutMs",
    "maxRetries",
    "userAgent",
    "proxy",
    "caCerts",
    "maxResponseBytes",
];

/// The keys `verifyPurchase(token, options)` accepts (`signal` is the JS layer's).
const VERIFY_OPTIONS: &[&str] = &["signal"];

/// The keys `consumePurchase(token, options)` accepts.
const CONSUME_OPTIONS: &[&str] = &[
    "store",
    "productId",
    "currency",
    "developerPayload",
    "signal",
];

/// A client of the Payments API, shared by every call: the JS `Client` wraps one.
#[napi]
pub struct NativeClient {
    inner: Client,
}

#[napi]
impl NativeClient {
    /// Checks every option and builds the client; throws `INVALID_ARGUMENT` only.
    #[napi(constructor, ts_args_type = "options: import('./index').ClientOptions")]
    pub fn new(env: Env, options: Option<Unknown>) -> napi::Result<NativeClient> {
        build(options)
            .map(|inner| NativeClient { inner })
            .map_err(|e| error::to_js(&env, &e))
    }

    /// The base URL calls go to.
    #[napi(getter)]
    pub fn base_url(&self) -> String {
        self.inner.base_url().to_owned()
    }

    /// Verifies a purchase token on the libuv pool and resolves with the `Purchase` as
    /// JSON text, for the JS layer to parse (one string is cheaper to hand over than the
    /// object). A `signal` aborted before the work starts cancels it; once started, it
    /// runs to its end (see the JS layer).
    #[napi(
        ts_args_type = "token: string, options?: import('./index').VerifyOptions, signal?: AbortSignal",
        ts_return_type = "Promise<string>"
    )]
    pub fn verify_purchase(
        &self,
        env: Env,
        token: Unknown,
        options: Option<Unknown>,
        signal: Option<AbortSignal>,
    ) -> napi::Result<AsyncTask<Verify>> {
        let task = verify_token(token, options).map(|token| Verify {
            client: self.inner.clone(),
            token,
        });
        let task = task.map_err(|e| error::to_js(&env, &e))?;
        Ok(AsyncTask::with_optional_signal(task, signal))
    }

    /// Consumes a purchase on the libuv pool, like `verifyPurchase`.
    #[napi(
        ts_args_type = "token: string, options?: import('./index').ConsumeOptions, signal?: AbortSignal",
        ts_return_type = "Promise<void>"
    )]
    pub fn consume_purchase(
        &self,
        env: Env,
        token: Unknown,
        options: Option<Unknown>,
        signal: Option<AbortSignal>,
    ) -> napi::Result<AsyncTask<Consume>> {
        let task = consume_request(token, options).map(|request| Consume {
            client: self.inner.clone(),
            request,
        });
        let task = task.map_err(|e| error::to_js(&env, &e))?;
        Ok(AsyncTask::with_optional_signal(task, signal))
    }
}

/// The core client for `new Client(options)`.
fn build(options: Option<Unknown>) -> Result<Client> {
    let options = Options::read(options, "options", CLIENT_OPTIONS)?;
    let api_key =
        options
            .string("apiKey")?
            .ok_or_else(|| nowgg_payments::Error::InvalidArgument {
                message: "options.apiKey is required".into(),
            })?;
    let mut builder = Client::builder(api_key);
    if let Some(region) = options.string("region")? {
        builder = builder.region(region.parse::<Region>()?);
    }
    if let Some(url) = options.string("baseUrl")? {
        builder = builder.base_url(url);
    }
    if let Some(timeout) = options.millis("timeoutMs")? {
        builder = builder.timeout(timeout);
    }
    if let Some(timeout) = options.millis("connectTimeoutMs")? {
        builder = builder.connect_timeout(timeout);
    }
    if let Some(retries) = options.integer("maxRetries", u32::MAX.into())? {
        // In range: `integer` checked it against u32::MAX.
        builder = builder.max_retries(retries as u32);
    }
    if let Some(suffix) = options.string("userAgent")? {
        builder = builder.user_agent(suffix);
    }
    if let Some(proxy) = options.string("proxy")? {
        builder = builder.proxy(proxy);
    }
    if let Some(pem) = options.string("caCerts")? {
        builder = builder.ca_certs_pem(pem);
    }
    // Numbers above 2^53 are not exact in JavaScript.
    if let Some(bytes) = options.integer("maxResponseBytes", (1 << 53) - 1)? {
        builder = builder.max_response_bytes(bytes);
    }
    builder.build()
}

/// The token for `verifyPurchase(token, options)`, once the options are checked.
fn verify_token(token: Unknown, options: Option<Unknown>) -> Result<String> {
    let token = args::required_string(token, "token")?;
    Options::read(options, "options", VERIFY_OPTIONS)?;
    Ok(token)
}

/// The core request for `consumePurchase(token, options)`.
fn consume_request(token: Unknown, options: Option<Unknown>) -> Result<ConsumeRequest> {
    let token = args::required_string(token, "token")?;
    let options = Options::read(options, "options", CONSUME_OPTIONS)?;
    let mut request = ConsumeRequest::new(token);
    if let Some(store) = options.string("store")? {
        request = request.store(store.parse::<Store>()?);
    }
    if let Some(product_id) = options.string("productId")? {
        request = request.product_id(product_id);
    }
    if let Some(currency) = options.string("currency")? {
        request = request.currency(currency);
    }
    if let Some(payload) = options.string("developerPayload")? {
        request = request.developer_payload(payload);
    }
    Ok(request)
}
