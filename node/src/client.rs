//! The native client: one core `Client` (which alone holds the API key), the reading of
//! each call's arguments into the core's types, and the start of each call on the
//! library's own threads ([`crate::calls`]).

use napi::bindgen_prelude::{Function, Unknown};
use napi::Env;
use napi_derive::napi;
use nowgg_payments::{
    Client, ConsumeRequest, GrantPolicy, OptionUnit, OptionValue, Result, Store, OPTIONS,
};

use crate::args::{self, Options};
use crate::calls::{Calls, SettleArgs};
use crate::error::{self, guard, Failure};

/// The keys `new Client(options)` accepts: `apiKey` and the core's options, by their
/// Node names.
const CLIENT_OPTIONS: [&str; OPTIONS.len() + 1] = {
    let mut keys = ["apiKey"; OPTIONS.len() + 1];
    let mut i = 0;
    while i < OPTIONS.len() {
        keys[i + 1] = OPTIONS[i].node_name;
        i += 1;
    }
    keys
};

/// The keys `verifyPurchase(token, options)` accepts (`signal` is the JS layer's).
const VERIFY_OPTIONS: &[&str] = &["signal"];

/// The keys `verifyForGrant(token, policy)` accepts.
const GRANT_OPTIONS: &[&str] = &["packageName", "productIds", "allowTestOrders", "signal"];

/// The keys `consumePurchase(token, options)` accepts.
const CONSUME_OPTIONS: &[&str] = &[
    "store",
    "productId",
    "currency",
    "developerPayload",
    "signal",
];

/// A client of the Payments API, shared by every call: the JS `Client` wraps one.
///
/// Each call takes an `id` from index.js and returns `null` once started, or the
/// `Failure` that refused it before any I/O; its answer arrives later through
/// `settle(id, value, failure, report)`, with the call's report when `report` was set
/// (nothing is recorded otherwise).
#[napi]
pub struct NativeClient {
    inner: Client,
    calls: Calls,
}

#[napi]
impl NativeClient {
    /// Checks every option and builds the client; throws `INVALID_ARGUMENT` only.
    #[napi(
        constructor,
        ts_args_type = "options: import('./index').ClientOptions, settle: (id: number, value: string | null, failure: Failure | null, report: CallReport | null) => void"
    )]
    pub fn new(
        env: Env,
        options: Option<Unknown>,
        settle: Function<SettleArgs, ()>,
    ) -> napi::Result<NativeClient> {
        let inner = guard("new Client", || build(options)).map_err(|e| error::to_js(&env, &e))?;
        Ok(NativeClient {
            inner,
            calls: Calls::new(settle)?,
        })
    }

    /// The base URL calls go to.
    #[napi(getter)]
    pub fn base_url(&self) -> String {
        self.inner.base_url().to_owned()
    }

    /// Starts `call(token, options)` for index.js: `verifyPurchase` (its value is the
    /// purchase as JSON text, the core's `Purchase::to_json` made on the library thread),
    /// `verifyForGrant` (`options` is the policy; the purchase as JSON text) or
    /// `consumePurchase` (the outcome, `consumed` or `already_consumed`).
    #[napi(
        ts_args_type = "call: 'verifyPurchase' | 'verifyForGrant' | 'consumePurchase', id: number, token: string, options: import('./index').VerifyOptions | import('./index').GrantPolicy | import('./index').ConsumeOptions | undefined, abortable: boolean, report: boolean"
    )]
    pub fn start(
        &self,
        call: String,
        id: u32,
        token: Unknown,
        options: Option<Unknown>,
        abortable: bool,
        report: bool,
    ) -> Option<Failure> {
        let started = guard(&call, || match call.as_str() {
            "verifyPurchase" => {
                let token = args::required_string(token, "token")?;
                Options::read(options, "options", VERIFY_OPTIONS)?;
                let verify = move |c: &Client| c.verify_purchase(&token);
                self.calls
                    .start(&self.inner, id, abortable, report, verify, |p| p.to_json())
            }
            "verifyForGrant" => {
                let token = args::required_string(token, "token")?;
                let policy = grant_policy(options)?;
                let grant = move |c: &Client| c.verify_for_grant(&token, &policy);
                self.calls
                    .start(&self.inner, id, abortable, report, grant, |p| p.to_json())
            }
            "consumePurchase" => {
                let request = consume_request(token, options)?;
                let consume = move |c: &Client| c.consume_purchase(&request);
                self.calls
                    .start(&self.inner, id, abortable, report, consume, |outcome| {
                        outcome.as_str().to_owned()
                    })
            }
            _ => Err(nowgg_payments::Error::internal(&call)),
        });
        started.err().map(|e| Failure::of(&e))
    }

    /// Call `id`'s signal fired: if it is still queued, it is never sent.
    #[napi]
    pub fn abandon(&self, id: u32) {
        self.calls.abandon(id);
    }

    /// Keeps the event loop alive while `busy` (calls are pending), and lets it end
    /// when not: an idle client never holds the process open.
    #[napi]
    pub fn hold(&self, env: Env, busy: bool) -> napi::Result<()> {
        self.calls.hold(&env, busy)
    }
}

/// The core client for `new Client(options)`. Only JavaScript-to-Rust conversion
/// happens here; the core checks every range, the same in every face.
fn build(options: Option<Unknown>) -> Result<Client> {
    let options = Options::read(options, "options", &CLIENT_OPTIONS)?;
    let api_key =
        options
            .string("apiKey")?
            .ok_or_else(|| nowgg_payments::Error::InvalidArgument {
                message: "options.apiKey is required".into(),
            })?;
    let mut builder = Client::builder(api_key);
    for option in &OPTIONS {
        let key = option.node_name;
        let value = match option.unit {
            OptionUnit::Duration => options.millis(key)?.map(OptionValue::Duration),
            OptionUnit::Count | OptionUnit::Bytes => options.integer(key)?.map(OptionValue::Count),
            _ => options.string(key)?.map(OptionValue::Text),
        };
        if let Some(value) = value {
            builder = builder.option(option.name, value)?;
        }
    }
    builder.build()
}

/// The core policy for `verifyForGrant(token, policy)`.
fn grant_policy(policy: Option<Unknown>) -> Result<GrantPolicy> {
    let options = Options::read(policy, "policy", GRANT_OPTIONS)?;
    Ok(GrantPolicy::new()
        .maybe(options.string("packageName")?, GrantPolicy::package_name)
        .maybe(options.strings("productIds")?, GrantPolicy::product_ids)
        .maybe(
            options.boolean("allowTestOrders")?,
            GrantPolicy::allow_test_orders,
        ))
}

/// The core request for `consumePurchase(token, options)`.
fn consume_request(token: Unknown, options: Option<Unknown>) -> Result<ConsumeRequest> {
    let token = args::required_string(token, "token")?;
    let options = Options::read(options, "options", CONSUME_OPTIONS)?;
    let store = options
        .string("store")?
        .map(|s| s.parse::<Store>())
        .transpose()?;
    Ok(ConsumeRequest::new(token)
        .maybe(store, ConsumeRequest::store)
        .maybe(options.string("productId")?, ConsumeRequest::product_id)
        .maybe(options.string("currency")?, ConsumeRequest::currency)
        .maybe(
            options.string("developerPayload")?,
            ConsumeRequest::developer_payload,
        ))
}

/// Applies an option the caller gave to a core builder, and leaves the builder as is
/// for one left out.
trait Maybe: Sized {
    /// `self` with `apply` run on `value` when it is there.
    fn maybe<V>(self, value: Option<V>, apply: impl FnOnce(Self, V) -> Self) -> Self {
        match value {
            Some(value) => apply(self, value),
            None => self,
        }
    }
}

impl Maybe for GrantPolicy {}
impl Maybe for ConsumeRequest {}
