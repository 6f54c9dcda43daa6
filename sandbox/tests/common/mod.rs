//! A tiny raw HTTP/1.1 client, so these tests see exactly what goes over the wire.
#![allow(dead_code)] // each test file uses a different part of it

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nowgg_sandbox::{Config, Sandbox};
use serde_json::Value;

pub const KEY: &str = "test-key";

pub fn sandbox() -> Sandbox {
    Sandbox::start(Config::new(KEY)).expect("sandbox starts")
}

/// A sandbox and one connection to it.
pub fn connected() -> (Sandbox, Client<TcpStream>) {
    let sb = sandbox();
    let client = Client::connect(sb.addr());
    (sb, client)
}

/// The sandbox binary, killed on drop so that a failing test leaves no server behind.
pub struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the sandbox binary with `args` and `KEY` in `NOWGG_API_KEY`; gives it running
/// and the first line it printed (`listening on URL`).
pub fn spawn_binary(args: &[&str]) -> (Running, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nowgg-sandbox"))
        .args(args)
        .env("NOWGG_API_KEY", KEY)
        .env_remove("NOWGG_SANDBOX_CONTROL_KEY")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take().unwrap();
    let running = Running(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    (running, line)
}

/// The loopback address of the `listening on URL` line a sandbox printed.
pub fn address_of(line: &str) -> SocketAddr {
    let port = line.trim().rsplit(':').next().unwrap().parse().unwrap();
    SocketAddr::from(([127, 0, 0, 1], port))
}

/// What `probe` gives once it gives something, polled every few milliseconds; a panic
/// naming `what` if 10 s pass first.
pub fn eventually<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let bound = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(found) = probe() {
            return found;
        }
        assert!(Instant::now() < bound, "{what} did not happen within 10 s");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// An answer as received.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    /// Lower-case names.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The envelope's `code`.
    pub fn code(&self) -> i64 {
        assert_eq!(self.status, 200, "{self:?}");
        self.json()["code"].as_i64().expect("code is an integer")
    }
}

/// One client connection, kept alive across requests.
pub struct Client<S: Read + Write> {
    stream: BufReader<S>,
}

impl Client<TcpStream> {
    pub fn connect(addr: SocketAddr) -> Client<TcpStream> {
        let tcp = TcpStream::connect(addr).expect("connects");
        tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        Client::over(tcp)
    }

    pub fn tcp(&self) -> &TcpStream {
        self.stream.get_ref()
    }
}

impl<S: Read + Write> Client<S> {
    pub fn over(stream: S) -> Client<S> {
        Client {
            stream: BufReader::new(stream),
        }
    }

    /// Sends raw bytes.
    pub fn send_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        let stream = self.stream.get_mut();
        stream.write_all(bytes)?;
        stream.flush()
    }

    /// Sends a request with a body and the given extra header lines.
    pub fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> io::Result<()> {
        let mut head =
            format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: raw-test\r\n");
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(body);
        self.send_raw(&bytes)
    }

    /// Reads one response (Content-Length framed, as the sandbox always frames).
    pub fn receive(&mut self) -> io::Result<Answer> {
        let mut line = String::new();
        if self.stream.read_line(&mut line)? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        let status: u16 = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("bad status line {line:?}"));
        let mut headers = Vec::new();
        loop {
            line.clear();
            if self.stream.read_line(&mut line)? == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            let trimmed = line.trim_end();
            if trimmed.is_empty() {
                break;
            }
            let (name, value) = trimmed.split_once(':').expect("header line has a colon");
            headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
        }
        let length: usize = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .map(|(_, v)| v.parse().unwrap())
            .expect("sandbox always sends Content-Length");
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body)?;
        Ok(Answer {
            status,
            headers,
            body,
        })
    }

    /// Reads an interim `100 Continue`; false if something else came.
    pub fn receive_continue(&mut self) -> bool {
        let mut line = String::new();
        self.stream.read_line(&mut line).unwrap();
        let mut blank = String::new();
        self.stream.read_line(&mut blank).unwrap();
        line.starts_with("HTTP/1.1 100 ") && blank == "\r\n"
    }

    /// Sends a request and reads its answer.
    pub fn request(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> io::Result<Answer> {
        self.send(method, path, headers, body)?;
        self.receive()
    }

    /// POSTs a form to the Payments API with `key` (if any) in `Authorization`.
    pub fn api(
        &mut self,
        path: &str,
        key: Option<&str>,
        form: &[(&str, &str)],
    ) -> io::Result<Answer> {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let mut headers = vec![("Content-Type", "application/x-www-form-urlencoded")];
        if let Some(key) = key {
            headers.push(("Authorization", key));
        }
        self.request("POST", path, &headers, body.as_bytes())
    }

    pub fn verify(&mut self, token: &str) -> io::Result<Answer> {
        self.api(
            nowgg_sandbox::VERIFY_PATH,
            Some(KEY),
            &[("purchaseToken", token)],
        )
    }

    pub fn consume(&mut self, form: &[(&str, &str)]) -> io::Result<Answer> {
        self.api(nowgg_sandbox::CONSUME_PATH, Some(KEY), form)
    }

    /// A control request with a JSON body (GET when `body` is `None`).
    pub fn control(&mut self, path: &str, body: Option<&str>) -> Answer {
        match body {
            None => self.request("GET", path, &[], b""),
            Some(json) => self.request(
                "POST",
                path,
                &[("Content-Type", "application/json")],
                json.as_bytes(),
            ),
        }
        .expect("control request answered")
    }

    /// Queues faults (a JSON object or array, as `POST /_sandbox/faults` takes them).
    pub fn fault(&mut self, json: &str) -> Answer {
        self.control("/_sandbox/faults", Some(json))
    }

    /// Whether the server closed the connection without sending a single byte.
    pub fn closed_without_answer(&mut self) -> bool {
        let mut byte = [0u8; 1];
        match self.stream.read(&mut byte) {
            Ok(0) => true,
            Ok(_) => false,
            Err(e) => matches!(
                e.kind(),
                io::ErrorKind::ConnectionReset
                    | io::ErrorKind::ConnectionAborted
                    | io::ErrorKind::BrokenPipe
            ),
        }
    }
}
