//! The TCP socket under ureq, making per call only the system calls a call needs.
//!
//! Kept by measurement (bench/rust's `nowgg-bench`, 5 runs each, medians): against
//! ureq's own `TcpConnector` (with our resolver under both), this socket takes 17 % less
//! CPU per call with 256 calls in flight at 20 ms (75.7 against 91.8 µs) and 35 % less
//! on loopback (29.5 against 45.5 µs sequentially), for 5 % (20 ms) to 25 % (loopback)
//! more calls per second.
//!
//! ureq's own TCP code, on a pooled keep-alive connection, spends 12 system calls
//! on one verify: the request head and the form go out in two `send`s (two segments, so
//! the server wakes twice); the pool checks the connection is still open when it takes
//! it and again when it gets it back, each time with three calls (non-blocking on, a
//! one-byte read, non-blocking off); and the socket's timeouts are reset before every
//! read and write, because the call's remaining time shrank by a few microseconds. Here
//! the same call takes 4:
//!
//! - what ureq transmits is kept and sent with the next read, so a request is one `send`;
//! - the open check is one non-blocking `recv(MSG_PEEK)` (Unix);
//! - a socket timeout is set only when the remaining time, rounded up to a hundredth of
//!   the client's timeout but never more than [`MAX_OVERRUN`], changed: a read may
//!   overrun the deadline by that much at most, whatever the timeout.
//!
//! Everything else follows ureq's own `TcpConnector`: addresses tried in turn within the
//! connect timeout, `TCP_NODELAY`, a shutdown handle registered with the agent. Unlike it,
//! a connect that fails on every address evicts them from the resolver's cache, and a
//! plain-http connect is refused unless every address is loopback ([`policy`]).

use std::cell::Cell;
use std::fmt;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, Either, LazyBuffers, NextTimeout, ShutdownHandle,
    Transport,
};
use ureq::Error;

use crate::policy;
use crate::resolver::DnsCache;

/// What a socket keeps before it sends it anyway, should a body be large.
const MAX_UNSENT: usize = 64 * 1024;
/// The most a socket wait may outlive the call's deadline: the rounding step's bound.
/// (A hundredth of a 3000 s timeout would otherwise let a 0.5 s deadline last 30 s.)
pub(crate) const MAX_OVERRUN: Duration = Duration::from_millis(10);

thread_local! {
    /// Set when this thread opens a connection: an exchange that did not set it used a
    /// pooled one (the report's `reused_connection`; an exchange runs on one thread).
    static CONNECTED: Cell<bool> = const { Cell::new(false) };
}

/// Whether this thread opened a connection since the last call, clearing the flag.
pub(crate) fn take_connected() -> bool {
    CONNECTED.replace(false)
}

/// Opens [`Socket`]s; in the connector chain where ureq's `TcpConnector` would be.
#[derive(Debug)]
pub(crate) struct SocketConnector {
    /// Socket timeouts are rounded up to a multiple of this.
    granularity: Duration,
    /// The resolver's cache, emptied of addresses none of which connects.
    dns: DnsCache,
}

impl SocketConnector {
    /// A connector for a client with this per-attempt `timeout`, evicting from `dns`.
    pub(crate) fn new(timeout: Duration, dns: DnsCache) -> SocketConnector {
        SocketConnector {
            granularity: (timeout / 100).min(MAX_OVERRUN),
            dns,
        }
    }
}

impl<In: Transport> Connector<In> for SocketConnector {
    type Out = Either<In, Socket>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, Error> {
        if chained.is_some() {
            // An HTTP CONNECT proxy already made the connection.
            CONNECTED.set(true);
            return Ok(chained.map(Either::A));
        }
        let host = details.uri.host().unwrap_or_default();
        policy::plain_http_addresses_allowed(details.uri.scheme_str(), host, &details.addrs)
            .map_err(Error::BadUri)?;
        let budget = details.timeout.not_zero().map(|d| *d);
        let stream =
            connect_any(&details.addrs, budget).inspect_err(|_| self.dns.evict(&details.addrs))?;
        if details.config.no_delay() {
            stream.set_nodelay(true)?;
        }
        let stream = Arc::new(stream);
        let handle: Weak<dyn ShutdownHandle> = Arc::downgrade(&stream) as _;
        (details.register_shutdown)(handle)?;
        let config = details.config;
        CONNECTED.set(true);
        Ok(Some(Either::B(Socket {
            stream,
            buffers: LazyBuffers::new(config.input_buffer_size(), config.output_buffer_size()),
            unsent: Vec::new(),
            read_timeout: None,
            write_timeout: None,
            granularity: self.granularity,
        })))
    }
}

/// Tries each address in turn: each gets half of the time left, the last one all of it
/// (so a host whose first address black-holes still connects on the next).
fn connect_any(addrs: &[SocketAddr], budget: Option<Duration>) -> Result<TcpStream, Error> {
    let started = Instant::now();
    let mut last = None;
    for (i, addr) in addrs.iter().enumerate() {
        let attempt = match budget {
            None => TcpStream::connect(addr),
            Some(budget) => {
                let left = budget.saturating_sub(started.elapsed());
                if left.is_zero() {
                    return Err(Error::Timeout(ureq::Timeout::Connect));
                }
                let share = if i + 1 == addrs.len() { left } else { left / 2 };
                TcpStream::connect_timeout(addr, share.max(Duration::from_millis(10)))
            }
        };
        match attempt {
            Ok(stream) => return Ok(stream),
            Err(e) if is_timeout(&e) => last = Some(Error::Timeout(ureq::Timeout::Connect)),
            Err(e) if is_this_address(&e) => last = Some(Error::Io(e)),
            Err(e) => return Err(Error::Io(e)),
        }
    }
    Err(last.unwrap_or(Error::ConnectionFailed))
}

/// Errors that say nothing about the host's other addresses.
fn is_this_address(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::HostUnreachable
            | io::ErrorKind::NetworkUnreachable
            | io::ErrorKind::AddrNotAvailable
    )
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    )
}

/// A TCP connection as ureq drives it; see the module's documentation.
pub(crate) struct Socket {
    /// Shared (weakly) with the agent's shutdown handle.
    stream: Arc<TcpStream>,
    buffers: LazyBuffers,
    /// Transmitted by ureq, not yet sent.
    unsent: Vec<u8>,
    /// The timeouts the socket has now.
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
    granularity: Duration,
}

impl Socket {
    fn send_unsent(&mut self, timeout: NextTimeout) -> Result<(), Error> {
        let timeout = timeout.for_write();
        let wanted = self.rounded(timeout)?;
        if wanted != self.write_timeout {
            self.stream.set_write_timeout(wanted)?;
            self.write_timeout = wanted;
        }
        let result = (&*self.stream).write_all(&self.unsent);
        self.unsent.clear();
        result.map_err(|e| io_error(e, timeout))
    }

    /// The socket timeout for what is left of `timeout`, rounded up to the granularity
    /// (None: no deadline).
    fn rounded(&self, timeout: NextTimeout) -> Result<Option<Duration>, Error> {
        if timeout.after.is_zero() {
            return Err(Error::Timeout(timeout.reason));
        }
        Ok(timeout
            .not_zero()
            .map(|left| round_up(*left, self.granularity)))
    }
}

/// `left` rounded up to a multiple of `step`.
fn round_up(left: Duration, step: Duration) -> Duration {
    let step = step.as_nanos().max(1);
    let rounded = left.as_nanos().div_ceil(step) * step;
    Duration::from_nanos(u64::try_from(rounded).unwrap_or(u64::MAX))
}

fn io_error(e: io::Error, timeout: NextTimeout) -> Error {
    if is_timeout(&e) {
        Error::Timeout(timeout.reason)
    } else {
        Error::Io(e)
    }
}

impl Transport for Socket {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), Error> {
        self.unsent
            .extend_from_slice(&self.buffers.output()[..amount]);
        if self.unsent.len() >= MAX_UNSENT {
            self.send_unsent(timeout)?;
        }
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        if !self.unsent.is_empty() {
            self.send_unsent(timeout)?;
        }
        let timeout = timeout.for_read();
        let wanted = self.rounded(timeout)?;
        let amount = read_within(
            &*self.stream,
            self.buffers.input_append_buf(),
            wanted,
            &mut self.read_timeout,
        )
        .map_err(|e| io_error(e, timeout))?;
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        self.unsent.is_empty() && probe(&self.stream)
    }
}

/// The two calls a read makes on a socket: a trait so that a test can interrupt them.
trait TimedRead {
    fn set_timeout(&self, timeout: Option<Duration>) -> io::Result<()>;
    fn read_some(&self, buf: &mut [u8]) -> io::Result<usize>;
}

impl TimedRead for TcpStream {
    fn set_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.set_read_timeout(timeout)
    }

    fn read_some(&self, buf: &mut [u8]) -> io::Result<usize> {
        (&mut &*self).read(buf)
    }
}

/// One read from `socket` that ends within `wanted` (None: no deadline); `current` is the
/// read timeout the socket has, set anew when it differs.
///
/// A signal interrupts a read that has a timeout (Linux does not restart it). The read
/// is made again with what is left of `wanted`, never all of it again: one call would
/// otherwise wait up to twice its deadline, more with every signal.
fn read_within(
    socket: &impl TimedRead,
    buf: &mut [u8],
    wanted: Option<Duration>,
    current: &mut Option<Duration>,
) -> io::Result<usize> {
    if wanted != *current {
        socket.set_timeout(wanted)?;
        *current = wanted;
    }
    let started = Instant::now();
    loop {
        match socket.read_some(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                if let Some(wanted) = wanted {
                    let left = wanted.saturating_sub(started.elapsed());
                    if left.is_zero() {
                        return Err(io::ErrorKind::TimedOut.into());
                    }
                    socket.set_timeout(Some(left))?;
                    *current = Some(left);
                }
            }
            done => return done,
        }
    }
}

/// Whether nothing came from the server since the last answer: no bytes (which would be
/// garbage), no close, no error. Reading would block on a healthy idle connection.
#[cfg(unix)]
fn probe(stream: &TcpStream) -> bool {
    use rustix::net::{recv, RecvFlags};
    let mut byte = [0u8; 1];
    matches!(
        recv(stream, &mut byte, RecvFlags::PEEK | RecvFlags::DONTWAIT),
        Err(rustix::io::Errno::WOULDBLOCK)
    )
}

#[cfg(not(unix))]
fn probe(stream: &TcpStream) -> bool {
    if stream.set_nonblocking(true).is_err() {
        return false;
    }
    let idle =
        matches!(stream.peek(&mut [0u8; 1]), Err(e) if e.kind() == io::ErrorKind::WouldBlock);
    stream.set_nonblocking(false).is_ok() && idle
}

impl fmt::Debug for Socket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Socket")
            .field("peer", &self.stream.peer_addr().ok())
            .field("unsent", &self.unsent.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc;
    use std::thread;

    use super::*;
    use crate::Client;

    const BODY: &str = r#"{"success":true,"code":0,"data":{"purchaseState":1}}"#;

    /// A loopback server taking `connections` connections in turn; on each it answers
    /// `calls` requests with `answer`, then closes it. Gives its URL, a handle that
    /// returns what each request's first read held, and a message for each close.
    fn server(
        connections: usize,
        calls: usize,
        answer: String,
    ) -> (String, thread::JoinHandle<Vec<String>>, mpsc::Receiver<()>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (closed, closes) = mpsc::channel();
        let handle = thread::spawn(move || {
            let mut first_reads = Vec::new();
            for _ in 0..connections {
                let (mut conn, _) = listener.accept().unwrap();
                for _ in 0..calls {
                    let mut buf = [0u8; 4096];
                    let n = conn.read(&mut buf).unwrap();
                    first_reads.push(String::from_utf8_lossy(&buf[..n]).into_owned());
                    conn.write_all(answer.as_bytes()).unwrap();
                }
                // On loopback the FIN has reached the client's socket when close returns.
                drop(conn);
                let _ = closed.send(()); // a test that does not wait has dropped it
            }
            first_reads
        });
        (url, handle, closes)
    }

    /// Waits for the server to have closed its side of a connection.
    fn wait_for_close(closes: &mpsc::Receiver<()>) {
        closes
            .recv_timeout(Duration::from_secs(10))
            .expect("the server closes the connection");
    }

    fn answer(extra: &str) -> String {
        let length = BODY.len();
        format!("HTTP/1.1 200 OK\r\nContent-Length: {length}\r\n\r\n{BODY}{extra}")
    }

    fn client(url: &str) -> Client {
        Client::builder("key")
            .base_url(url)
            .max_retries(0)
            .build()
            .unwrap()
    }

    #[test]
    fn a_request_goes_out_whole_in_one_segment_on_one_connection() {
        let (url, server, _) = server(1, 3, answer(""));
        let client = client(&url);
        for _ in 0..3 {
            assert!(client.verify_purchase("-nowgg-tok").unwrap().is_paid());
        }
        for first_read in server.join().unwrap() {
            // The head and the form arrived together: one send, not two.
            assert!(first_read.starts_with("POST "), "{first_read}");
            assert!(
                first_read.ends_with("\r\n\r\npurchaseToken=-nowgg-tok"),
                "{first_read}"
            );
        }
    }

    #[test]
    fn a_connection_the_server_closed_is_not_reused() {
        // One call per connection, then the server closes it: the pooled connection must
        // be found dead before the second call is sent on it (no retries to hide it).
        let (url, server, closes) = server(2, 1, answer(""));
        let client = client(&url);
        client.verify_purchase("-nowgg-tok").unwrap();
        wait_for_close(&closes);
        client.verify_purchase("-nowgg-tok").unwrap();
        assert_eq!(server.join().unwrap().len(), 2);
    }

    #[test]
    fn bytes_after_an_answer_retire_the_connection() {
        // The garbage comes in the answer's own write, before the close.
        let (url, server, _) = server(2, 1, answer("garbage"));
        let client = client(&url);
        client.verify_purchase("-nowgg-tok").unwrap();
        client.verify_purchase("-nowgg-tok").unwrap();
        assert_eq!(
            server.join().unwrap().len(),
            2,
            "a second connection was made"
        );
    }

    /// A socket whose reads each wait out the timeout set on it, except that a signal
    /// interrupts the first `interruptions` of them at 80% of it; then `data` arrives,
    /// if any. `waited` adds up how long its reads were allowed to wait.
    struct Signalled {
        timeout: Cell<Option<Duration>>,
        interruptions: Cell<u32>,
        data: bool,
        waited: Cell<Duration>,
    }

    impl Signalled {
        fn new(interruptions: u32, data: bool) -> Signalled {
            Signalled {
                timeout: Cell::new(None),
                interruptions: Cell::new(interruptions),
                data,
                waited: Cell::new(Duration::ZERO),
            }
        }

        fn wait(&self, time: Duration) {
            self.waited.set(self.waited.get() + time);
            thread::sleep(time);
        }
    }

    impl TimedRead for Signalled {
        fn set_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
            self.timeout.set(timeout);
            Ok(())
        }

        fn read_some(&self, _: &mut [u8]) -> io::Result<usize> {
            let timeout = self.timeout.get().expect("reads have a timeout");
            if self.interruptions.get() > 0 {
                self.interruptions.set(self.interruptions.get() - 1);
                self.wait(timeout.mul_f64(0.8));
                return Err(io::ErrorKind::Interrupted.into());
            }
            if self.data {
                return Ok(1);
            }
            self.wait(timeout);
            Err(io::ErrorKind::WouldBlock.into())
        }
    }

    #[test]
    fn interrupted_reads_keep_to_the_deadline() {
        let deadline = Duration::from_millis(300);
        for interruptions in [1, 3] {
            let socket = Signalled::new(interruptions, false);
            let mut current = None;
            let err = read_within(&socket, &mut [0; 8], Some(deadline), &mut current).unwrap_err();
            assert!(is_timeout(&err), "{err}");
            // Each read after a signal got what was left, never the whole deadline again.
            let waited = socket.waited.get();
            assert!(waited <= deadline, "{interruptions}: {waited:?}");
            // The socket's timeout is known, so the next read sets it back.
            assert_eq!(current, socket.timeout.get());
        }
        let socket = Signalled::new(2, true);
        let read = read_within(&socket, &mut [0; 8], Some(deadline), &mut None);
        assert_eq!(read.unwrap(), 1);
    }

    /// An agent on this socket alone, whose resolver answers `addrs` for any name, and
    /// the resolver's count of lookups.
    fn agent_resolving(addrs: &[&str]) -> (ureq::Agent, Arc<AtomicUsize>) {
        let (resolver, lookups) = crate::resolver::tests::fixed(addrs);
        let connector = ().chain(SocketConnector::new(
            Duration::from_secs(1),
            resolver.cache(),
        ));
        let config = ureq::Agent::config_builder().build();
        (
            ureq::Agent::with_parts(config, connector, resolver),
            lookups,
        )
    }

    #[test]
    fn a_failed_connect_evicts_the_addresses_it_tried() {
        // Nothing listens on this port any more: every connect is refused.
        let closed = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let (agent, lookups) = agent_resolving(&[&closed.to_string()]);
        for _ in 0..2 {
            let err = agent
                .post(format!("http://localhost:{}/", closed.port()))
                .send("")
                .unwrap_err();
            assert!(matches!(err, Error::Io(_)), "{err}");
        }
        assert_eq!(lookups.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn plain_http_connects_to_loopback_addresses_only() {
        // `localhost` pointed elsewhere in part (a hosts file, DNS): refused before any
        // connect, on every call, the cached addresses included.
        let (agent, _) = agent_resolving(&["127.0.0.1:9", "192.0.2.1:9"]);
        for _ in 0..2 {
            let err = agent.post("http://localhost:9/").send("").unwrap_err();
            assert!(
                matches!(&err, Error::BadUri(why) if why.contains("192.0.2.1")),
                "{err}"
            );
        }
    }

    #[test]
    fn socket_timeouts_round_up_to_the_step() {
        let step = Duration::from_millis(100);
        let ten = Duration::from_secs(10);
        assert_eq!(round_up(ten - Duration::from_micros(7), step), ten);
        assert_eq!(round_up(ten, step), ten);
        assert_eq!(round_up(Duration::from_millis(1), step), step);
        assert_eq!(round_up(ten, Duration::ZERO), ten);
    }
}
