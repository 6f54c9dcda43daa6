//! What a client holds for the process it runs in: its connections (ureq's pool and the
//! DNS cache) and its dispatcher's threads.
//!
//! Pre-forking servers (gunicorn `--preload`, uWSGI, Celery's prefork pool,
//! `multiprocessing`, prefork C++ servers) build a client at import and fork afterwards.
//! A child inherits the parent's keep-alive sockets: were both to use one, each would read
//! whichever answer came first, another process's purchase included. So the parts are
//! bound to the pid that made them, checked on every use (one `getpid`), and a process
//! that finds another's makes its own:
//!
//! - the inherited connections are closed without a word on the wire (no TLS
//!   close_notify, no `shutdown(2)`): closing a descriptor leaves the parent's socket
//!   open, so the parent carries on with its own;
//! - the inherited dispatcher is left alone, forgotten rather than dropped: its threads
//!   did not survive the fork, its counters and queue are the parent's, its lock may be
//!   held by a thread that no longer exists here.
//!
//! The slot is an [`ArcSwap`], whose readers take no lock: a lock held by one of the
//! parent's threads at the fork would stay locked forever in the child.

use std::mem;
use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::config::Config;
use crate::dispatch::Dispatcher;
use crate::transport::Transport;

/// The parts of a client that belong to one process.
pub(crate) struct Local {
    pid: u32,
    pub transport: Transport,
    /// Always `Some` until dropped; taken there to forget it in another process.
    dispatcher: Option<Dispatcher>,
}

impl Local {
    fn new(config: &Config) -> Local {
        Local {
            pid: std::process::id(),
            transport: Transport::new(config),
            dispatcher: Some(Dispatcher::new(config.max_in_flight)),
        }
    }

    /// The library's threads for async calls in this process.
    pub(crate) fn dispatcher(&self) -> &Dispatcher {
        self.dispatcher.as_ref().expect("present until dropped")
    }
}

impl Drop for Local {
    fn drop(&mut self) {
        let dispatcher = self.dispatcher.take();
        if self.pid == std::process::id() {
            // The client is gone: let idle threads end now rather than after a while.
            dispatcher.as_ref().map(Dispatcher::close);
        } else {
            // Another process's: see the module docs. The transport is dropped as usual,
            // which closes its sockets' descriptors and writes nothing.
            mem::forget(dispatcher);
        }
    }
}

/// A client's [`Local`] for the process it is used in, made anew after a fork.
pub(crate) struct PerProcess {
    current: ArcSwap<Local>,
}

impl PerProcess {
    /// The parts for this process, made now.
    pub(crate) fn new(config: &Config) -> PerProcess {
        PerProcess {
            current: ArcSwap::from_pointee(Local::new(config)),
        }
    }

    /// The parts for the calling process: the current ones, or new ones when they were
    /// made by another process (this one was forked from it since).
    pub(crate) fn get(&self, config: &Config) -> Arc<Local> {
        let pid = std::process::id();
        loop {
            let current = self.current.load_full();
            if current.pid == pid {
                return current;
            }
            let fresh = Arc::new(Local::new(config));
            let before = self.current.compare_and_swap(&current, Arc::clone(&fresh));
            if Arc::ptr_eq(&before, &current) {
                log::info!(
                    "this process ({pid}) was forked from {} after the client was made: \
                     using new connections and threads of its own",
                    current.pid
                );
                return fresh;
            }
            // Another thread of this process made its own first: use that one (loop), and
            // drop ours, which has neither a connection nor a thread yet.
        }
    }
}
