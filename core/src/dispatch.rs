//! The library's own threads for the async faces: blocking calls run here, never on a
//! runtime's shared pool (libuv's 4 threads also serve `fs`, `dns.lookup`, `crypto` and
//! `zlib`; asyncio's default executor has `cpus + 4` of them).
//!
//! Threads are started on demand, one per call in flight, up to `max_threads`; further
//! calls wait in a queue, first come first served. A thread idle for `IDLE_EXIT` ends,
//! so a quiet process holds no threads at all. Each thread's stack is small: it runs
//! one blocking HTTP exchange at a time.

use std::cell::Cell;
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::Duration;

/// How long a thread waits for work before it ends.
const IDLE_EXIT: Duration = Duration::from_secs(10);
/// A call needs far less than the 2 MiB default: a few frames of ureq and rustls.
const STACK_SIZE: usize = 256 * 1024;

/// A unit of work: a call, then its completion callback. Between the two it calls the
/// function it is given, which marks its thread free: a thread busy handing a result
/// over (Node's threadsafe function, Python's inbox, a C callback) is about to take the
/// next job, and counting it as busy would start a new thread for every call that a
/// completion starts. It must not panic: [`crate::Client`] wraps every call so that a
/// panic becomes an `INTERNAL` error handed to the caller's callback.
pub(crate) type Job = Box<dyn FnOnce(&dyn Fn()) + Send + 'static>;

/// Runs jobs on threads of its own (see the module docs). Cloning shares the threads.
#[derive(Clone)]
pub(crate) struct Dispatcher {
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<State>,
    work: Condvar,
    max_threads: usize,
}

#[derive(Default)]
struct State {
    queue: VecDeque<Job>,
    /// Threads alive, busy or idle.
    threads: usize,
    /// Threads blocked on `work`.
    waiting: usize,
    /// Jobs running now, not counting those past their call (see [`Job`]). A thread
    /// that is neither running a job nor waiting is on its way to the queue, and will
    /// take a job before it waits again.
    running: usize,
    /// Set when the client is gone: idle threads end at once instead of lingering.
    closed: bool,
}

impl Dispatcher {
    /// A dispatcher that runs at most `max_threads` jobs at once (at least 1).
    pub(crate) fn new(max_threads: usize) -> Dispatcher {
        Dispatcher {
            shared: Arc::new(Shared {
                state: Mutex::new(State::default()),
                work: Condvar::new(),
                max_threads: max_threads.max(1),
            }),
        }
    }

    /// Queues `job`, waking an idle thread, and starting one when the threads alive
    /// are fewer than the jobs running and queued (a thread handing a result over or
    /// finishing a job counts as free: it takes the next job before it waits, so a
    /// completion that starts the next call does not add a thread).
    ///
    /// When no thread can be started (the system refuses), the job still runs once an
    /// existing thread frees up; with no thread at all it runs on the caller's thread,
    /// so that no call is ever lost.
    pub(crate) fn spawn(&self, job: Job) {
        let mut state = self.shared.lock();
        state.queue.push_back(job);
        if state.waiting > 0 {
            self.shared.work.notify_one();
        }
        let outstanding = state.running + state.queue.len();
        if state.threads >= outstanding.min(self.shared.max_threads) {
            return;
        }
        state.threads += 1;
        drop(state);
        let shared = Arc::clone(&self.shared);
        let started = thread::Builder::new()
            .name("nowgg-payments".into())
            .stack_size(STACK_SIZE)
            .spawn(move || shared.work_loop());
        if let Err(e) = started {
            log::warn!("could not start a thread for an async call: {e}");
            let mut state = self.shared.lock();
            state.threads -= 1;
            if state.threads == 0 {
                // Nobody else will ever take the queue: run it here rather than lose it.
                let queued: Vec<Job> = state.queue.drain(..).collect();
                drop(state);
                queued.into_iter().for_each(|job| job(&|| {}));
            }
        }
    }

    /// Lets idle threads end now: called when the last handle to the client is dropped
    /// (queued jobs hold the client, so none is left then).
    pub(crate) fn close(&self) {
        self.shared.lock().closed = true;
        self.shared.work.notify_all();
    }

    /// How many threads are alive now (for tests and diagnostics).
    #[cfg(test)]
    fn threads(&self) -> usize {
        self.shared.lock().threads
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // Jobs never run under the lock, so a poisoned lock still holds a sound state.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A thread's life: take jobs in order, wait a while when there are none, then end.
    fn work_loop(&self) {
        let mut state = self.lock();
        loop {
            if let Some(job) = state.queue.pop_front() {
                state.running += 1;
                drop(state);
                let freed = Cell::new(false);
                job(&|| {
                    if !freed.replace(true) {
                        self.lock().running -= 1;
                    }
                });
                state = self.lock();
                if !freed.get() {
                    state.running -= 1;
                }
                continue;
            }
            if state.closed {
                state.threads -= 1;
                return;
            }
            state.waiting += 1;
            let (guard, wait) = self
                .work
                .wait_timeout(state, IDLE_EXIT)
                .unwrap_or_else(PoisonError::into_inner);
            state = guard;
            state.waiting -= 1;
            if wait.timed_out() && state.queue.is_empty() {
                state.threads -= 1;
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc;

    /// Jobs that block until released, counting how many run at once.
    struct Gate {
        running: AtomicUsize,
        most: AtomicUsize,
        release: Mutex<bool>,
        released: Condvar,
    }

    impl Gate {
        fn job(self: &Arc<Self>, done: mpsc::Sender<usize>, id: usize) -> Job {
            let gate = Arc::clone(self);
            Box::new(move |_free| {
                let now = gate.running.fetch_add(1, Ordering::SeqCst) + 1;
                gate.most.fetch_max(now, Ordering::SeqCst);
                let mut open = gate.release.lock().unwrap();
                while !*open {
                    open = gate.released.wait(open).unwrap();
                }
                drop(open);
                gate.running.fetch_sub(1, Ordering::SeqCst);
                done.send(id).unwrap();
            })
        }

        fn open(&self) {
            *self.release.lock().unwrap() = true;
            self.released.notify_all();
        }
    }

    fn gate() -> Arc<Gate> {
        Arc::new(Gate {
            running: AtomicUsize::new(0),
            most: AtomicUsize::new(0),
            release: Mutex::new(false),
            released: Condvar::new(),
        })
    }

    #[test]
    fn runs_at_most_max_threads_at_once_and_every_job_once() {
        let dispatcher = Dispatcher::new(4);
        let gate = gate();
        let (tx, rx) = mpsc::channel();
        for id in 0..32 {
            dispatcher.spawn(gate.job(tx.clone(), id));
        }
        // Let the first four start and block, then check nobody else got a thread.
        while gate.running.load(Ordering::SeqCst) < 4 {
            thread::yield_now();
        }
        assert_eq!(dispatcher.threads(), 4);
        gate.open();
        let mut done: Vec<usize> = (0..32).map(|_| rx.recv().unwrap()).collect();
        done.sort_unstable();
        assert_eq!(done, (0..32).collect::<Vec<_>>());
        assert_eq!(gate.most.load(Ordering::SeqCst), 4);
    }

    #[test]
    fn blocked_jobs_each_get_a_thread_up_to_the_limit() {
        let dispatcher = Dispatcher::new(64);
        let gate = gate();
        let (tx, rx) = mpsc::channel();
        for id in 0..48 {
            dispatcher.spawn(gate.job(tx.clone(), id));
        }
        while gate.running.load(Ordering::SeqCst) < 48 {
            thread::yield_now();
        }
        assert_eq!(dispatcher.threads(), 48);
        gate.open();
        for _ in 0..48 {
            rx.recv().unwrap();
        }
    }

    #[test]
    fn idle_threads_are_reused_not_multiplied() {
        let dispatcher = Dispatcher::new(64);
        let (tx, rx) = mpsc::channel();
        for id in 0..200 {
            let tx = tx.clone();
            dispatcher.spawn(Box::new(move |free| {
                free();
                tx.send(id).unwrap();
            }));
            rx.recv().unwrap();
        }
        // A job handing its answer over counts as free, so the next one never starts a
        // thread: one thread serves the whole chain.
        assert_eq!(dispatcher.threads(), 1);
        dispatcher.close();
        while dispatcher.threads() > 0 {
            thread::yield_now();
        }
    }
}
