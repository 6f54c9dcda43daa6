//! The wire: reading HTTP/1.x requests off a connection and writing responses.
//!
//! Hand-rolled over `std::net` rather than a framework so that faults can do what no
//! well-behaved server would: drop a connection mid-exchange, hang, or answer garbage.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use rustls::{ServerConnection, StreamOwned};

/// Largest request head accepted; beyond it the request is refused with 431.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// Largest request body accepted (control requests may carry big purchase objects).
const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;
/// Most headers one request may carry.
const MAX_HEADERS: usize = 64;

/// A byte stream to a client: plain TCP or TLS over TCP.
pub(crate) enum Transport {
    /// Plain HTTP.
    Plain(TcpStream),
    /// HTTPS; boxed because a rustls connection is large.
    Tls(Box<StreamOwned<ServerConnection, TcpStream>>),
}

impl Transport {
    /// The TCP socket underneath, for timeouts and for closing without a TLS goodbye.
    pub(crate) fn tcp(&self) -> &TcpStream {
        match self {
            Transport::Plain(s) => s,
            Transport::Tls(s) => &s.sock,
        }
    }
}

impl Read for Transport {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Transport::Plain(s) => s.read(buf),
            Transport::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Transport {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Transport::Plain(s) => s.write(buf),
            Transport::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Transport::Plain(s) => s.flush(),
            Transport::Tls(s) => s.flush(),
        }
    }
}

/// One parsed request, body included.
#[derive(Debug)]
pub(crate) struct Request {
    /// The method, as sent (`POST`).
    pub(crate) method: String,
    /// The target's path, without any query string.
    pub(crate) path: String,
    /// The target's query string, without the `?` (empty if none).
    pub(crate) query: String,
    /// Headers in order, names lower-cased.
    pub(crate) headers: Vec<(String, String)>,
    /// The body, de-chunked.
    pub(crate) body: Vec<u8>,
    /// Whether the client wants the connection kept open after the answer.
    pub(crate) keep_alive: bool,
}

impl Request {
    /// The first value of header `name` (lower-case).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of query parameter `name`, percent-decoded.
    pub(crate) fn query_param(&self, name: &str) -> Option<String> {
        form_urlencoded::parse(self.query.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    /// The form fields of an `application/x-www-form-urlencoded` body (or of a body with
    /// no Content-Type at all); empty for any other body.
    pub(crate) fn form(&self) -> Vec<(String, String)> {
        let is_form = match self.header("content-type") {
            None => true,
            Some(ct) => ct.split(';').next().is_some_and(|mime| {
                mime.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            }),
        };
        if !is_form {
            return Vec::new();
        }
        form_urlencoded::parse(&self.body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }
}

/// A response, serialised in one buffer so it leaves in a single write.
#[derive(Debug, Clone)]
pub(crate) struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// Close the connection once this response is sent.
    pub(crate) close: bool,
}

impl Response {
    /// A response with the given status, Content-Type and body.
    pub(crate) fn new(status: u16, content_type: &str, body: Vec<u8>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".to_owned(), content_type.to_owned())],
            body,
            close: false,
        }
    }

    /// A JSON response.
    pub(crate) fn json(status: u16, body: Vec<u8>) -> Response {
        Response::new(status, "application/json", body)
    }

    /// A JSON `{"error": message}` response.
    pub(crate) fn error(status: u16, message: &str) -> Response {
        let body = serde_json::to_vec(&serde_json::json!({ "error": message }))
            .expect("a JSON object always serialises");
        Response::json(status, body)
    }

    /// A response with no body and no Content-Type.
    pub(crate) fn empty(status: u16) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            close: false,
        }
    }

    /// The HTTP status.
    pub(crate) fn status(&self) -> u16 {
        self.status
    }

    /// The same response with another status.
    pub(crate) fn with_status(mut self, status: u16) -> Response {
        self.status = status;
        self
    }

    /// Adds a header. A `Connection` header instead decides whether the connection closes
    /// after this response.
    pub(crate) fn with_header(mut self, name: &str, value: &str) -> Response {
        if name.eq_ignore_ascii_case("connection") {
            // The sandbox writes the Connection header itself, from `close`.
            self.close = value.trim().eq_ignore_ascii_case("close");
        } else {
            self.headers.push((name.to_owned(), value.to_owned()));
        }
        self
    }

    /// The status line, headers and body, ready for the wire.
    fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(128 + self.body.len());
        let reason = reason_phrase(self.status);
        out.extend_from_slice(format!("HTTP/1.1 {} {reason}\r\n", self.status).as_bytes());
        for (name, value) in &self.headers {
            out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        let connection = if self.close { "close" } else { "keep-alive" };
        out.extend_from_slice(
            format!(
                "Content-Length: {}\r\nConnection: {connection}\r\nServer: nowgg-sandbox\r\n\r\n",
                self.body.len()
            )
            .as_bytes(),
        );
        out.extend_from_slice(&self.body);
        out
    }
}

/// The usual reason phrase; clients ignore it, so anything unknown gets a neutral one.
fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

/// Why no request could be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The socket failed or the client went away mid-request: nothing to answer (the
    /// cause does not matter, as nobody is there to be told).
    Gone,
    /// The request is not acceptable: answer with this response, then close.
    Reject(Response),
}

impl From<io::Error> for ReadError {
    fn from(_: io::Error) -> ReadError {
        ReadError::Gone
    }
}

fn reject(status: u16, message: &str) -> ReadError {
    let mut response = Response::error(status, message);
    response.close = true;
    ReadError::Reject(response)
}

/// A client connection with its read buffer, which survives across keep-alive requests
/// (a pipelining client may send the next request before the first is answered).
pub(crate) struct Conn {
    stream: Transport,
    buf: Vec<u8>,
}

impl Conn {
    /// Wraps a transport.
    pub(crate) fn new(stream: Transport) -> Conn {
        Conn {
            stream,
            buf: Vec::with_capacity(8 * 1024),
        }
    }

    /// Reads more bytes into the buffer; `Ok(0)` at end of stream.
    fn fill(&mut self) -> io::Result<usize> {
        let len = self.buf.len();
        self.buf.resize(len + 16 * 1024, 0);
        let read = loop {
            match self.stream.read(&mut self.buf[len..]) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other,
            }
        };
        self.buf.truncate(len + *read.as_ref().unwrap_or(&0));
        read
    }

    /// Fills until the buffer holds at least `len` bytes.
    fn fill_to(&mut self, len: usize) -> io::Result<()> {
        while self.buf.len() < len {
            if self.fill()? == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
        Ok(())
    }

    /// Reads the next request; `Ok(None)` when the client closed the connection between
    /// requests.
    pub(crate) fn read_request(&mut self) -> Result<Option<Request>, ReadError> {
        let (mut request, head_len, body_kind) = loop {
            if !self.buf.is_empty() {
                if let Some(parsed) = parse_head(&self.buf)? {
                    break parsed;
                }
                if self.buf.len() > MAX_HEAD_BYTES {
                    return Err(reject(431, "request head too large"));
                }
            }
            if self.fill()? == 0 {
                if self.buf.is_empty() {
                    return Ok(None);
                }
                return Err(ReadError::Gone);
            }
        };
        let wants_continue = request
            .header("expect")
            .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"));
        match body_kind {
            BodyKind::Length(len) => {
                let total = head_len + len;
                if wants_continue && len > 0 && self.buf.len() < total {
                    self.send_continue()?;
                }
                self.fill_to(total)?;
                request.body = self.buf[head_len..total].to_vec();
                self.buf.drain(..total);
            }
            BodyKind::Chunked => {
                if wants_continue && self.buf.len() == head_len {
                    self.send_continue()?;
                }
                let (body, end) = self.read_chunked(head_len)?;
                request.body = body;
                self.buf.drain(..end);
            }
        }
        Ok(Some(request))
    }

    fn send_continue(&mut self) -> io::Result<()> {
        self.stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        self.stream.flush()
    }

    /// Decodes a chunked body starting at `pos` in the buffer; returns it and the offset
    /// just past its end (trailers included).
    fn read_chunked(&mut self, mut pos: usize) -> Result<(Vec<u8>, usize), ReadError> {
        let mut body = Vec::new();
        loop {
            let line = self.read_line(&mut pos)?;
            let size_text = line.split(';').next().unwrap_or("").trim();
            let size =
                usize::from_str_radix(size_text, 16).map_err(|_| reject(400, "bad chunk size"))?;
            if size == 0 {
                // Trailers, if any, up to the blank line.
                while !self.read_line(&mut pos)?.is_empty() {}
                return Ok((body, pos));
            }
            if body.len() + size > MAX_BODY_BYTES {
                return Err(reject(413, "request body too large"));
            }
            self.fill_to(pos + size + 2)?;
            body.extend_from_slice(&self.buf[pos..pos + size]);
            if &self.buf[pos + size..pos + size + 2] != b"\r\n" {
                return Err(reject(400, "bad chunk terminator"));
            }
            pos += size + 2;
        }
    }

    /// Reads one CRLF-terminated line starting at `pos`, advancing `pos` past it.
    fn read_line(&mut self, pos: &mut usize) -> Result<String, ReadError> {
        loop {
            if let Some(at) = self.buf[*pos..].windows(2).position(|w| w == b"\r\n") {
                let line = String::from_utf8_lossy(&self.buf[*pos..*pos + at]).into_owned();
                *pos += at + 2;
                return Ok(line);
            }
            if self.buf.len() - *pos > 4096 {
                return Err(reject(400, "chunk line too long"));
            }
            if self.fill()? == 0 {
                return Err(ReadError::Gone);
            }
        }
    }

    /// Sends a response in one write.
    pub(crate) fn send(&mut self, response: &Response) -> io::Result<()> {
        self.stream.write_all(&response.to_bytes())?;
        self.stream.flush()
    }

    /// Closes the connection at once without sending anything more (no TLS close_notify
    /// either), so the client sees the exchange cut off.
    pub(crate) fn abort(self) {
        // Errors only mean the peer is already gone, which is the goal anyway.
        let _ = self.stream.tcp().shutdown(Shutdown::Both);
    }

    /// Closes after a final response: stops writing, then drains what the client still
    /// sends for a moment, because closing a socket with unread input makes the kernel
    /// send a reset that can destroy the response before the client reads it.
    pub(crate) fn close_gracefully(mut self) {
        if let Transport::Tls(tls) = &mut self.stream {
            // A polite TLS goodbye, so clients can tell this close from a truncation.
            tls.conn.send_close_notify();
            let _ = tls.flush();
        }
        let tcp = self.stream.tcp();
        if tcp.shutdown(Shutdown::Write).is_err() {
            return;
        }
        let deadline = Instant::now() + Duration::from_millis(500);
        let mut sink = [0u8; 4096];
        let mut tcp_ref = tcp;
        while Instant::now() < deadline {
            if tcp
                .set_read_timeout(Some(Duration::from_millis(100)))
                .is_err()
            {
                return;
            }
            match tcp_ref.read(&mut sink) {
                Ok(0) => return,
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => return,
            }
        }
    }

    /// Holds the connection open without answering until the client closes it, `limit`
    /// passes, or `stopped()` turns true; reads and discards whatever arrives.
    pub(crate) fn hang(self, limit: Duration, stopped: impl Fn() -> bool) {
        let tcp = self.stream.tcp();
        let deadline = Instant::now() + limit;
        let mut sink = [0u8; 4096];
        let mut tcp_ref = tcp;
        // Short read slices so a stopped sandbox lets go of hung connections quickly.
        let slice = Duration::from_millis(200);
        while !stopped() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || tcp.set_read_timeout(Some(left.min(slice))).is_err() {
                break;
            }
            match tcp_ref.read(&mut sink) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock
                            | io::ErrorKind::TimedOut
                            | io::ErrorKind::Interrupted
                    ) => {}
                Err(_) => break,
            }
        }
        let _ = tcp.shutdown(Shutdown::Both);
    }
}

/// How the body of a parsed head is framed.
enum BodyKind {
    Length(usize),
    Chunked,
}

/// Parses a complete request head at the start of `buf`; `Ok(None)` when more bytes are
/// needed.
fn parse_head(buf: &[u8]) -> Result<Option<(Request, usize, BodyKind)>, ReadError> {
    let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Request::new(&mut slots);
    let head_len = match parsed.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => return Err(reject(431, "too many headers")),
        Err(e) => return Err(reject(400, &format!("malformed request: {e}"))),
    };
    let method = parsed.method.unwrap_or_default().to_owned();
    let target = parsed.path.unwrap_or_default();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let (path, query) = (path.to_owned(), query.to_owned());
    let version = parsed.version.unwrap_or(1);
    let headers: Vec<(String, String)> = parsed
        .headers
        .iter()
        .map(|h| {
            (
                h.name.to_ascii_lowercase(),
                String::from_utf8_lossy(h.value).trim().to_owned(),
            )
        })
        .collect();

    let mut length: Option<usize> = None;
    let mut chunked = false;
    let mut connection_close = version == 0;
    for (name, value) in &headers {
        match name.as_str() {
            "content-length" => {
                let n: usize = value
                    .parse()
                    .map_err(|_| reject(400, "bad Content-Length"))?;
                if length.is_some_and(|m| m != n) {
                    return Err(reject(400, "conflicting Content-Length headers"));
                }
                length = Some(n);
            }
            "transfer-encoding" => {
                let last = value.rsplit(',').next().unwrap_or("").trim();
                if !last.eq_ignore_ascii_case("chunked") {
                    return Err(reject(501, "unsupported Transfer-Encoding"));
                }
                chunked = true;
            }
            "connection" => {
                for token in value.split(',').map(str::trim) {
                    if token.eq_ignore_ascii_case("close") {
                        connection_close = true;
                    } else if token.eq_ignore_ascii_case("keep-alive") && version == 0 {
                        connection_close = false;
                    }
                }
            }
            _ => {}
        }
    }
    let body_kind = match (chunked, length) {
        (true, Some(_)) => {
            return Err(reject(400, "both Content-Length and Transfer-Encoding"));
        }
        (true, None) => BodyKind::Chunked,
        (false, n) => BodyKind::Length(n.unwrap_or(0)),
    };
    if let BodyKind::Length(n) = body_kind {
        if n > MAX_BODY_BYTES {
            return Err(reject(413, "request body too large"));
        }
    }
    let request = Request {
        method,
        path,
        query,
        headers,
        body: Vec::new(),
        keep_alive: !connection_close,
    };
    Ok(Some((request, head_len, body_kind)))
}
