//! The library's own threads for the async faces: blocking calls run here, never on a
//! runtime's shared pool (libuv's 4 threads also serve `fs`, `dns.lookup`, `crypto` and
//! `zlib`; asyncio's default executor has `cpus + 4` of them), and never on the caller's
//! thread.
//!
//! A job is a call, then its completion (handing the result to the caller). At most
//! `max_calls` calls run at once; further jobs wait in a queue, first come first served.
//! A thread starts whenever a job waits and no thread is free to take it, so a
//! completion that starts another call and waits for it (C++'s `future.get()` inside a
//! callback) gets a thread of its own instead of waiting for itself. A thread idle for
//! `IDLE_EXIT` ends, so a quiet process holds no threads at all. Each thread's stack is
//! small: it runs one blocking HTTP exchange at a time (see `STACK_SIZE`).

use std::cell::Cell;
use std::collections::VecDeque;
use std::io;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::Duration;

/// How long a thread waits for work before it ends.
const IDLE_EXIT: Duration = Duration::from_secs(10);
/// The most a thread's stack may grow to: a verify touches 32 KiB of it, the completion
/// included (a Python future's hand-over, Node's threadsafe function, the C benchmark's
/// callback starting the next call: bench/stack_use.py), so a C callback doing more has
/// 224 KiB left. Only touched pages are resident: making this smaller would save address
/// space, not memory (bench/results/profile.md).
const STACK_SIZE: usize = 256 * 1024;

/// A unit of work: a call, then its completion. Between the two it calls the function
/// it is given, which ends the call's share of `max_calls`: a thread handing a result
/// over (Node's threadsafe function, Python's inbox, a C callback) no longer runs a call,
/// but it is not free either, since a completion may block. It must not panic:
/// [`crate::Client`] wraps every call so that a panic becomes an `INTERNAL` error handed
/// to the caller's callback.
pub(crate) type Job = Box<dyn FnOnce(&dyn Fn()) + Send + 'static>;

/// How a thread is started: `std::thread` in the library, a failing stand-in in tests.
type Starter = fn(Box<dyn FnOnce() + Send>) -> io::Result<()>;

/// Runs jobs on threads of its own (see the module docs). Cloning shares the threads.
#[derive(Clone)]
pub(crate) struct Dispatcher {
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<State>,
    work: Condvar,
    max_calls: usize,
    start: Starter,
}

#[derive(Default)]
struct State {
    queue: VecDeque<(u64, Job)>,
    /// The number the next queued job gets, to find it again if no thread can take it.
    next_ticket: u64,
    /// Threads alive: calling, handing, waiting, or between jobs.
    threads: usize,
    /// Threads blocked on `work`.
    waiting: usize,
    /// Jobs in their call.
    calling: usize,
    /// Jobs in their completion.
    handing: usize,
    /// Set when the client is gone: idle threads end at once instead of lingering.
    closed: bool,
}

impl State {
    /// Threads neither calling nor handing: waiting, or on their way to the queue (they
    /// look at it before they wait again).
    fn free(&self) -> usize {
        self.threads - self.calling - self.handing
    }

    /// Whether a free thread may take the next job now.
    fn can_take(&self, max_calls: usize) -> bool {
        !self.queue.is_empty() && self.calling < max_calls
    }
}

impl Dispatcher {
    /// A dispatcher that runs at most `max_calls` calls at once (at least 1).
    pub(crate) fn new(max_calls: usize) -> Dispatcher {
        Dispatcher::with_starter(max_calls, |run| {
            thread::Builder::new()
                .name("nowgg-payments".into())
                .stack_size(STACK_SIZE)
                .spawn(run)
                .map(drop)
        })
    }

    fn with_starter(max_calls: usize, start: Starter) -> Dispatcher {
        Dispatcher {
            shared: Arc::new(Shared {
                state: Mutex::new(State::default()),
                work: Condvar::new(),
                max_calls: max_calls.max(1),
                start,
            }),
        }
    }

    /// Queues `job`, waking a waiting thread, or starting one when no thread is free to
    /// take it (see the module docs).
    ///
    /// When the system refuses a thread, the job waits for one that is running; when
    /// none is, the job is dropped unrun and the cause returned. It is never run on the
    /// caller's thread, which may hold the GIL or an event loop.
    pub(crate) fn spawn(&self, job: Job) -> Result<(), String> {
        let mut state = self.shared.lock();
        let ticket = state.next_ticket;
        state.next_ticket += 1;
        state.queue.push_back((ticket, job));
        let Err(refused) = self.shared.staff(state) else {
            return Ok(());
        };
        let mut state = self.shared.lock();
        if state.threads > 0 {
            return Ok(());
        }
        // Nobody will take it: hand it back rather than leave it queued forever.
        let unrun = state.queue.iter().position(|(t, _)| *t == ticket);
        let job = unrun.and_then(|at| state.queue.remove(at));
        drop(state);
        drop(job);
        Err(format!(
            "no thread could be started for the call, and none is running: {refused}"
        ))
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

    /// Sees that the queue will be taken: wakes a waiting thread that may take a job
    /// now, or starts one when jobs wait that no free thread will take and fewer than
    /// `max_calls` calls are running or about to. Releases the lock. Fails with the
    /// system's reason when a thread was needed and could not be started.
    fn staff(self: &Arc<Self>, mut state: MutexGuard<'_, State>) -> io::Result<()> {
        if !state.can_take(self.max_calls) {
            return Ok(());
        }
        if state.waiting > 0 {
            self.work.notify_one();
        }
        let free = state.free();
        if free >= state.queue.len() || state.calling + free >= self.max_calls {
            return Ok(());
        }
        state.threads += 1;
        drop(state);
        let shared = Arc::clone(self);
        (self.start)(Box::new(move || shared.work_loop())).inspect_err(|refused| {
            self.lock().threads -= 1;
            log::warn!("could not start a thread for an async call: {refused}");
        })
    }

    /// A thread's life: take jobs in order, wait a while when there are none, then end.
    fn work_loop(self: Arc<Self>) {
        let mut state = self.lock();
        loop {
            if state.can_take(self.max_calls) {
                let (_, job) = state.queue.pop_front().expect("can_take saw a job");
                state.calling += 1;
                drop(state);
                let handing = Cell::new(false);
                job(&|| {
                    if !handing.replace(true) {
                        let mut state = self.lock();
                        state.calling -= 1;
                        state.handing += 1;
                        // This thread is not free while it hands over (the completion
                        // may wait for a call it starts): another must take the queue.
                        let _ = self.staff(state);
                    }
                });
                state = self.lock();
                if handing.get() {
                    state.handing -= 1;
                } else {
                    state.calling -= 1;
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
            if wait.timed_out() && !state.can_take(self.max_calls) {
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

    /// A dispatcher of `max_threads` given `jobs` gated jobs, once `running` of them
    /// have started and blocked; the receiver gets each job's id as it finishes.
    fn blocked(
        max_threads: usize,
        jobs: usize,
        running: usize,
    ) -> (Dispatcher, Arc<Gate>, mpsc::Receiver<usize>) {
        let dispatcher = Dispatcher::new(max_threads);
        let gate = gate();
        let (tx, rx) = mpsc::channel();
        for id in 0..jobs {
            dispatcher.spawn(gate.job(tx.clone(), id)).unwrap();
        }
        while gate.running.load(Ordering::SeqCst) < running {
            thread::yield_now();
        }
        (dispatcher, gate, rx)
    }

    #[test]
    fn runs_at_most_max_threads_at_once_and_every_job_once() {
        // Let the first four start and block, then check nobody else got a thread.
        let (dispatcher, gate, rx) = blocked(4, 32, 4);
        assert_eq!(dispatcher.threads(), 4);
        gate.open();
        let mut done: Vec<usize> = (0..32).map(|_| rx.recv().unwrap()).collect();
        done.sort_unstable();
        assert_eq!(done, (0..32).collect::<Vec<_>>());
        assert_eq!(gate.most.load(Ordering::SeqCst), 4);
    }

    #[test]
    fn blocked_jobs_each_get_a_thread_up_to_the_limit() {
        let (dispatcher, gate, rx) = blocked(64, 48, 48);
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
            dispatcher
                .spawn(Box::new(move |free| {
                    free();
                    tx.send(id).unwrap();
                }))
                .unwrap();
            rx.recv().unwrap();
            // Once the thread waits again, the next job must wake it, not start another.
            while dispatcher.shared.lock().waiting == 0 {
                thread::yield_now();
            }
        }
        assert_eq!(dispatcher.threads(), 1);
        dispatcher.close();
        while dispatcher.threads() > 0 {
            thread::yield_now();
        }
    }

    #[test]
    fn a_completion_that_waits_for_a_call_it_starts_gets_another_thread() {
        // C++'s `verify_purchase_async(...).get()` inside a callback, with max_calls 8:
        // the thread handing the outer result over is busy, so the inner call needs a
        // thread of its own, even with every other slot free.
        let dispatcher = Dispatcher::new(8);
        let (tx, rx) = mpsc::channel();
        let inner_dispatcher = dispatcher.clone();
        dispatcher
            .spawn(Box::new(move |free| {
                free();
                let (inner_tx, inner_rx) = mpsc::channel();
                inner_dispatcher
                    .spawn(Box::new(move |free| {
                        free();
                        inner_tx.send("inner").unwrap();
                    }))
                    .unwrap();
                let inner = inner_rx.recv_timeout(Duration::from_secs(10));
                tx.send(inner).unwrap();
            }))
            .unwrap();
        let inner = rx.recv_timeout(Duration::from_secs(20)).unwrap();
        assert_eq!(inner, Ok("inner"), "the inner call never ran");
    }

    #[test]
    fn max_calls_counts_calls_not_completions() {
        // One call slot. The first job's completion waits for a second job: the second
        // must run (the slot is free once the first call ended), on another thread.
        let dispatcher = Dispatcher::new(1);
        let (tx, rx) = mpsc::channel();
        let (second_tx, second_rx) = mpsc::channel::<()>();
        dispatcher
            .spawn(Box::new(move |free| {
                free();
                tx.send(second_rx.recv_timeout(Duration::from_secs(10)).is_ok())
                    .unwrap();
            }))
            .unwrap();
        dispatcher
            .spawn(Box::new(move |free| {
                free();
                second_tx.send(()).unwrap();
            }))
            .unwrap();
        assert!(rx.recv_timeout(Duration::from_secs(20)).unwrap());
    }

    fn refuse(_: Box<dyn FnOnce() + Send>) -> io::Result<()> {
        Err(io::Error::new(
            io::ErrorKind::WouldBlock,
            "Resource temporarily unavailable",
        ))
    }

    #[test]
    fn a_refused_thread_with_none_running_fails_the_job_unrun() {
        let dispatcher = Dispatcher::with_starter(4, refuse);
        let ran = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&ran);
        let err = dispatcher
            .spawn(Box::new(move |_| {
                counted.fetch_add(1, Ordering::SeqCst);
            }))
            .unwrap_err();
        assert!(err.contains("Resource temporarily unavailable"), "{err}");
        assert_eq!(
            ran.load(Ordering::SeqCst),
            0,
            "the job ran on the caller's thread"
        );
        assert_eq!(dispatcher.threads(), 0);
        assert!(dispatcher.shared.lock().queue.is_empty());
    }

    /// Starts one real thread, then refuses every other.
    fn once(run: Box<dyn FnOnce() + Send>) -> io::Result<()> {
        static STARTED: AtomicUsize = AtomicUsize::new(0);
        if STARTED.fetch_add(1, Ordering::SeqCst) > 0 {
            return refuse(run);
        }
        thread::spawn(run);
        Ok(())
    }

    #[test]
    fn a_refused_thread_waits_for_a_running_one() {
        let dispatcher = Dispatcher::with_starter(4, once);
        let gate = gate();
        let (tx, rx) = mpsc::channel();
        dispatcher.spawn(gate.job(tx.clone(), 0)).unwrap();
        while gate.running.load(Ordering::SeqCst) < 1 {
            thread::yield_now();
        }
        // No second thread can start: the job is queued for the first, not run here.
        let caller = thread::current().id();
        dispatcher
            .spawn(Box::new(move |_| {
                tx.send(usize::from(thread::current().id() != caller))
                    .unwrap();
            }))
            .unwrap();
        assert_eq!(dispatcher.threads(), 1);
        gate.open();
        let mut done = [rx.recv().unwrap(), rx.recv().unwrap()];
        done.sort_unstable();
        assert_eq!(done, [0, 1], "the second job ran on its own thread");
    }
}
