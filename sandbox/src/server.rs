//! Accepting connections and serving each on its own thread, faults included.

use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use rustls::{ServerConfig, ServerConnection, StreamOwned};

use crate::control;
use crate::faults::Action;
use crate::http::{Conn, ReadError, Response, Transport};
use crate::requests::{Logged, RequestRecord};
use crate::state::State;
use crate::{api, wire};

/// How long an idle keep-alive connection is kept. Long, because a client pool that
/// finds its connection closed under it may fail a non-idempotent consume.
const IDLE_TIMEOUT: Duration = Duration::from_secs(600);
/// How long a write may block on a client that does not read.
const WRITE_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a `hang` fault holds a connection at most.
const HANG_LIMIT: Duration = Duration::from_secs(120);
/// Connection threads do little but parse and copy, so a small stack is plenty and
/// keeps thousands of benchmark connections cheap.
const CONN_STACK: usize = 256 * 1024;

/// What is shared by the accept loop and every connection thread.
pub(crate) struct Shared {
    pub(crate) state: Arc<State>,
    pub(crate) tls: Option<Arc<ServerConfig>>,
    /// Set when the sandbox is dropped: stop accepting and stop serving.
    pub(crate) stopped: AtomicBool,
    /// Added before every API answer (`Config::latency`).
    pub(crate) latency: Duration,
    /// API requests being served now (see `RequestRecord::in_flight`).
    pub(crate) in_flight: AtomicUsize,
}

/// Counts one API request as being served until dropped.
struct Serving<'a>(&'a AtomicUsize);

impl<'a> Serving<'a> {
    /// Starts counting; returns the guard and the count, this request included.
    fn start(count: &'a AtomicUsize) -> (Serving<'a>, usize) {
        (Serving(count), count.fetch_add(1, Ordering::SeqCst) + 1)
    }
}

impl Drop for Serving<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Accepts connections until `shared.stopped` is set (the dropping side then makes one
/// last connection to wake this loop up).
pub(crate) fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stopped.load(Ordering::Acquire) {
            break;
        }
        match stream {
            Ok(stream) => {
                let shared = Arc::clone(&shared);
                // If no thread can be had, dropping the stream refuses the client,
                // which is all there is left to do.
                let _ = thread::Builder::new()
                    .name("nowgg-sandbox-conn".into())
                    .stack_size(CONN_STACK)
                    .spawn(move || serve_connection(stream, &shared));
            }
            // Out of descriptors or similar: back off instead of spinning.
            Err(_) => thread::sleep(Duration::from_millis(10)),
        }
    }
}

fn serve_connection(tcp: TcpStream, shared: &Shared) {
    // Each response leaves in one write; Nagle would only delay it.
    if tcp.set_nodelay(true).is_err()
        || tcp.set_read_timeout(Some(IDLE_TIMEOUT)).is_err()
        || tcp.set_write_timeout(Some(WRITE_TIMEOUT)).is_err()
    {
        return;
    }
    let transport = match &shared.tls {
        None => Transport::Plain(tcp),
        Some(config) => match ServerConnection::new(Arc::clone(config)) {
            Ok(conn) => Transport::Tls(Box::new(StreamOwned::new(conn, tcp))),
            Err(_) => return,
        },
    };
    let mut conn = Conn::new(transport);
    loop {
        let request = match conn.read_request() {
            Ok(Some(request)) => request,
            Ok(None) | Err(ReadError::Gone) => return,
            Err(ReadError::Reject(response)) => {
                if conn.send(&response).is_ok() {
                    conn.close_gracefully();
                }
                return;
            }
        };
        if shared.stopped.load(Ordering::Acquire) {
            conn.abort();
            return;
        }
        let mut response = if control::is_control(&request.path) {
            control::handle(&shared.state, &request)
        } else {
            let (_serving, in_flight) = Serving::start(&shared.in_flight);
            let logged = Arc::new(Logged::new(RequestRecord::of(
                &request,
                &shared.state.api_key,
                in_flight,
            )));
            shared.state.log.push(Arc::clone(&logged));
            if !shared.latency.is_zero() {
                thread::sleep(shared.latency);
            }
            match serve_api(&shared.state, &logged) {
                Outcome::Answer(response) => {
                    // Noted before the answer leaves, so a client that reads the log
                    // after its call finds the call complete there.
                    logged.finish(Some(response.status()));
                    response
                }
                Outcome::Drop => {
                    logged.finish(None);
                    conn.abort();
                    return;
                }
                Outcome::Hang => {
                    conn.hang(HANG_LIMIT, || shared.stopped.load(Ordering::Acquire));
                    logged.finish(None);
                    return;
                }
            }
        };
        response.close |= !request.keep_alive;
        if conn.send(&response).is_err() {
            return;
        }
        if response.close {
            conn.close_gracefully();
            return;
        }
    }
}

/// What to do with the connection after an API request.
enum Outcome {
    Answer(Response),
    Drop,
    Hang,
}

/// Serves one API request, applying the first queued fault that fits it, and notes the
/// fault and the API code in its log entry.
fn serve_api(state: &State, logged: &Logged) -> Outcome {
    let record = &logged.record;
    let answer = || {
        let (code, body) = api::answer(state, record);
        logged.code(code, wire::code_name(code).unwrap_or("error"));
        Response::json(200, body)
    };
    let Some((delay, action)) = state.faults.take(&record.path) else {
        return Outcome::Answer(answer());
    };
    logged.fault(action.name());
    if !delay.is_zero() {
        thread::sleep(delay);
    }
    match action {
        Action::None => Outcome::Answer(answer()),
        Action::Hang => Outcome::Hang,
        Action::DropBefore => Outcome::Drop,
        Action::DropAfter => {
            // The call takes effect (a consume is applied); only the answer is lost.
            api::answer(state, record);
            Outcome::Drop
        }
        canned => {
            if let Some((code, name)) = canned.code() {
                logged.code(code, &name);
            }
            Outcome::Answer(
                canned
                    .response()
                    .expect("every other action has a canned response"),
            )
        }
    }
}
