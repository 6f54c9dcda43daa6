//! asyncio futures settled from the library's threads, with one wake-up of their loop
//! for however many calls end together.
//!
//! A thread that ends a call leaves the result in the loop's [`Inbox`] under a lock and,
//! only when the inbox was empty, takes the GIL once to schedule [`Inbox::drain`] with
//! `call_soon_threadsafe`. The drain runs on the loop's own thread (the only one allowed
//! to touch its futures) and settles everything left since. So under load the threads
//! rarely wait for the GIL (256 of them queueing for it would stall the loop), and the
//! Python objects are made by the thread that holds it anyway.

use std::mem;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Mutex, MutexGuard, PoisonError};

use pyo3::intern;
use pyo3::prelude::*;

use crate::errors::to_py;

/// Makes a finished call's Python result (or its exception) on the loop's thread.
type Outcome = Box<dyn FnOnce(Python<'_>) -> PyResult<Py<PyAny>> + Send>;

/// A finished call's report and the reporter it goes to (see `crate::report`).
pub(crate) type Report = (Py<PyAny>, nowgg_payments::CallReport);

/// Where the library's threads leave the calls that ended for one event loop, until the
/// loop settles their futures. `AsyncClient` keeps one per loop.
#[pyclass(frozen, module = "nowgg_payments._native", name = "_Inbox")]
pub struct Inbox {
    event_loop: Py<PyAny>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    ended: Vec<(Py<PyAny>, Outcome, Option<Report>)>,
    /// A drain is scheduled and has not run yet: no need to wake the loop again.
    drain_scheduled: bool,
}

#[pymethods]
impl Inbox {
    #[new]
    fn new(event_loop: Py<PyAny>) -> Inbox {
        Inbox {
            event_loop,
            state: Mutex::default(),
        }
    }

    /// Settles the future of every call that ended since the last drain, on the loop's
    /// thread; a future already done (its task was cancelled) is left alone. A call's
    /// report, if it has one, is delivered first, even for a cancelled task: the call
    /// happened.
    fn drain(&self, py: Python<'_>) {
        let ended = {
            let mut state = self.lock();
            state.drain_scheduled = false;
            mem::take(&mut state.ended)
        };
        for (future, outcome, report) in ended {
            if let Some((reporter, report)) = report {
                crate::report::deliver(py, &reporter, &report);
            }
            let future = future.bind(py);
            let settled = future.call_method0(intern!(py, "done")).and_then(|done| {
                if done.is_truthy()? {
                    return Ok(());
                }
                // A panic making the result must not leave the future pending forever.
                let made =
                    panic::catch_unwind(AssertUnwindSafe(|| outcome(py))).unwrap_or_else(|_| {
                        Err(to_py(
                            py,
                            nowgg_payments::Error::internal("an async call's result"),
                        ))
                    });
                match made {
                    Ok(value) => future.call_method1(intern!(py, "set_result"), (value,)),
                    Err(error) => {
                        future.call_method1(intern!(py, "set_exception"), (error.into_value(py),))
                    }
                }
                .map(drop)
            });
            // Only a future of another kind than asyncio's could refuse; the others
            // in this drain must still be settled.
            drop(settled);
        }
    }
}

impl Inbox {
    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing runs under the lock that could panic halfway through.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Leaves a call's result (and its report, if someone listens) for `future` in `inbox`,
/// from the library thread that ran the call, and wakes the loop if no drain is on its
/// way.
pub(crate) fn settle<T: Send + 'static>(
    inbox: Py<Inbox>,
    future: Py<PyAny>,
    result: nowgg_payments::Result<T>,
    report: Option<Report>,
    convert: fn(Python<'_>, T) -> PyResult<Py<PyAny>>,
) {
    let outcome: Outcome = Box::new(move |py| {
        result
            .map_err(|e| to_py(py, e))
            .and_then(|value| convert(py, value))
    });
    let wake = {
        let mut state = inbox.get().lock();
        state.ended.push((future, outcome, report));
        !mem::replace(&mut state.drain_scheduled, true)
    };
    if !wake {
        return;
    }
    // During interpreter shutdown nothing awaits any more: the results stay unclaimed.
    Python::try_attach(|py| {
        let inbox = inbox.bind(py);
        let scheduled = inbox.getattr(intern!(py, "drain")).and_then(|drain| {
            let event_loop = inbox.get().event_loop.bind(py);
            event_loop.call_method1(intern!(py, "call_soon_threadsafe"), (drain,))
        });
        // It fails only when the loop is closed, and the coroutines awaiting these
        // futures went with it: nobody is left to tell.
        drop(scheduled);
    });
}
