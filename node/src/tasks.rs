//! The blocking core calls as napi tasks: `compute` runs on a libuv pool thread, never on
//! the event loop; `resolve` runs back on the JavaScript thread and settles the promise.

use std::panic::{self, AssertUnwindSafe};

use napi::{Env, Task};
use nowgg_payments::{Client, ConsumeRequest, Error};

use crate::{error, purchase};

/// How a call on the pool thread ended.
pub enum Outcome<T> {
    /// The core answered, with a value or with one of its errors.
    Done(Result<T, Error>),
    /// The core panicked (a bug); the panic was caught before it could reach Node.
    Panicked(String),
}

/// Runs a core call, catching a panic so that it never unwinds into Node's thread pool.
fn run<T>(call: impl FnOnce() -> Result<T, Error>) -> Outcome<T> {
    match panic::catch_unwind(AssertUnwindSafe(call)) {
        Ok(result) => Outcome::Done(result),
        Err(payload) => Outcome::Panicked(
            payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default(),
        ),
    }
}

/// Settles a call's promise on the JavaScript thread.
fn settle<T, J>(env: &Env, outcome: Outcome<T>, to_js: impl FnOnce(T) -> J) -> napi::Result<J> {
    match outcome {
        Outcome::Done(Ok(value)) => Ok(to_js(value)),
        Outcome::Done(Err(e)) => Err(error::to_js(env, &e)),
        Outcome::Panicked(message) => Err(error::internal(env, &message)),
    }
}

/// `client.verifyPurchase(token)`: resolves with the purchase as JSON text, serialised
/// here on the pool thread, which index.js parses (see purchase.rs).
pub struct Verify {
    pub(crate) client: Client,
    pub(crate) token: String,
}

impl Task for Verify {
    type Output = Outcome<String>;
    type JsValue = String;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(run(|| {
            let purchase = self.client.verify_purchase(&self.token)?;
            Ok(purchase::to_json(&purchase))
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        settle(&env, output, |json| json)
    }
}

/// `client.consumePurchase(token, options)`.
pub struct Consume {
    pub(crate) client: Client,
    pub(crate) request: ConsumeRequest,
}

impl Task for Consume {
    type Output = Outcome<()>;
    type JsValue = ();

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(run(|| self.client.consume_purchase(&self.request)))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        settle(&env, output, |()| ())
    }
}
