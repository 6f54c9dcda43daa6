//! Calls on the library's own threads, answered on the JavaScript thread.
//!
//! A call runs through the core's `Client::spawn`: on a thread of the library's own
//! (grown on demand up to `maxInFlight`, further calls queued in order), never on
//! libuv's pool, whose 4 threads also serve `fs`, `dns.lookup`, `crypto` and `zlib` for
//! the whole process. Its answer comes back through one threadsafe function per client,
//! which calls index.js's `settle(id, value, failure)` on the JavaScript thread.
//!
//! One threadsafe function per client rather than napi's `JsDeferred` per call: a
//! `JsDeferred` creates a threadsafe function (a libuv async handle, an environment
//! cleanup hook) for every call and closes it afterwards, and libuv scans every async
//! handle on each wake-up. The shared one costs a queue push and a wake-up per answer,
//! and answers that arrive together are delivered in one wake-up (Node drains up to
//! 1000 queued calls a turn).
//!
//! The function is unreferenced, so an idle client never keeps the process alive; while
//! calls are pending, index.js references it ([`Calls::hold`]).
//!
//! A call started with `report` (someone subscribed to its `diagnostics_channel`) runs
//! inside the core's `report::capture`, and its report travels with its answer; any
//! other call records nothing.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use napi::bindgen_prelude::{FnArgs, Function};
use napi::threadsafe_function::{
    ThreadsafeCallContext, ThreadsafeFunction, ThreadsafeFunctionCallMode,
};
use napi::{sys, Env, Status};
use nowgg_payments::{report, CallReport, Client, Result};

use crate::error::{self, Failure};
use crate::report::Report;

/// What `settle` is called with: the call's id, its answer (JSON text or an outcome)
/// and, instead of the answer, its failure; then the call's report, when it was asked for.
pub(crate) type SettleArgs = FnArgs<(u32, Option<String>, Option<Failure>, Option<Report>)>;

/// index.js's `settle` as a function any thread may call; weak (unreferenced) at first.
type Settle = ThreadsafeFunction<Settled, (), SettleArgs, Status, false, true>;

/// One call's end, on its way to the JavaScript thread.
struct Settled {
    id: u32,
    /// The call had an `AbortSignal`, so its id may be in the abandoned set.
    abortable: bool,
    answer: Result<String>,
    /// The call's report, if it was started with `report`.
    report: Option<Report>,
}

/// The calls of one client: how they start, and how their answers get back.
pub(crate) struct Calls {
    settle: Arc<Settle>,
    /// Ids of calls whose signal fired: one still queued is never sent.
    abandoned: Arc<Mutex<HashSet<u32>>>,
}

impl Calls {
    /// Wraps index.js's `settle` for the library's threads.
    pub(crate) fn new(settle: Function<SettleArgs, ()>) -> napi::Result<Calls> {
        let abandoned = Arc::new(Mutex::new(HashSet::new()));
        let forget = Arc::clone(&abandoned);
        let settle = settle
            .build_threadsafe_function::<Settled>()
            .weak::<true>()
            .callee_handled::<false>()
            .build_callback(move |ctx: ThreadsafeCallContext<Settled>| {
                let Settled {
                    id,
                    abortable,
                    answer,
                    report,
                } = ctx.value;
                if abortable {
                    lock(&forget).remove(&id);
                }
                Ok(FnArgs::from(match answer {
                    Ok(value) => (id, Some(value), None, report),
                    Err(e) => (id, None, Some(Failure::of(&e)), report),
                }))
            })?;
        Ok(Calls {
            settle: Arc::new(settle),
            abandoned,
        })
    }

    /// Runs `call` on a library thread; `answer` turns its result into the text
    /// `settle` gets (on that thread too, off the event loop), with the call's report
    /// when `report` asks for one. Fails at once, settling nothing, only when no thread
    /// could take the call.
    pub(crate) fn start<T: 'static>(
        &self,
        client: &Client,
        id: u32,
        abortable: bool,
        report: bool,
        call: impl FnOnce(&Client) -> Result<T> + Send + 'static,
        answer: fn(T) -> String,
    ) -> Result<()> {
        let abandoned = abortable.then(|| Arc::clone(&self.abandoned));
        let settle = Arc::clone(&self.settle);
        client.spawn(
            move |client| {
                if abandoned.is_some_and(|ids| lock(&ids).contains(&id)) {
                    return Err(error::aborted_error());
                }
                // The report rides beside the answer, failed or not (`spawn`'s own
                // failures, a deadline passed in the queue, come without one).
                Ok(if report {
                    report::capture(|| call(client).map(answer))
                } else {
                    (call(client).map(answer), None)
                })
            },
            move |ended: Result<(Result<String>, Option<CallReport>)>| {
                let (answer, report) = ended.unwrap_or_else(|e| (Err(e), None));
                let settled = Settled {
                    id,
                    abortable,
                    answer,
                    // Made here, off the event loop, like the answer's text.
                    report: report.map(Report::from),
                };
                // The queue is unbounded, so this never waits; it fails only when the
                // environment is gone, and then nobody is waiting for the answer.
                settle.call(settled, ThreadsafeFunctionCallMode::NonBlocking);
            },
        )
    }

    /// Marks call `id` as abandoned by its `AbortSignal`: if it has not started, it
    /// never will (index.js has already rejected its promise).
    pub(crate) fn abandon(&self, id: u32) {
        lock(&self.abandoned).insert(id);
    }

    /// References the threadsafe function while calls are pending (`busy`), so the
    /// event loop waits for their answers, and unreferences it when none is left.
    pub(crate) fn hold(&self, env: &Env, busy: bool) -> napi::Result<()> {
        let handle = &self.settle.handle;
        handle.with_read_aborted(|aborted| {
            if aborted {
                return Ok(());
            }
            let raw = handle.get_raw();
            // SAFETY: we are on the JavaScript thread (`env` came with a napi call), and
            // the function is alive: not aborted, read under the lock its finalizer takes.
            let status = unsafe {
                if busy {
                    sys::napi_ref_threadsafe_function(env.raw(), raw)
                } else {
                    sys::napi_unref_threadsafe_function(env.raw(), raw)
                }
            };
            match status {
                sys::Status::napi_ok => Ok(()),
                status => Err(napi::Error::new(
                    Status::from(status),
                    "cannot reference the threadsafe function",
                )),
            }
        })
    }
}

fn lock(ids: &Mutex<HashSet<u32>>) -> MutexGuard<'_, HashSet<u32>> {
    // Nothing panics while holding it; a poisoned set is still a sound set.
    ids.lock().unwrap_or_else(PoisonError::into_inner)
}
