//! A refused TLS handshake: the sandbox's `--tls` mode, without its CA. Nothing was
//! sent, so the failure is CONNECTION, not retryable and never reconciled; counted in
//! TCP connections through a forwarder, since no HTTP request ever reaches the sandbox.

use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;

use nowgg_payments::{Client, ConsumeRequest, Error, ErrorKind};
use nowgg_sandbox::{Config, Sandbox};

mod common;
use common::KEY;

/// Forwards every connection made to it to `target`, counting them.
fn forwarder(target: SocketAddr) -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = connections.clone();
    thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { return };
            counted.fetch_add(1, Ordering::SeqCst);
            let Ok(server) = TcpStream::connect(target) else {
                continue;
            };
            let pipe = |mut from: TcpStream, mut to: TcpStream| {
                thread::spawn(move || {
                    let _ = io::copy(&mut from, &mut to);
                    let _ = to.shutdown(std::net::Shutdown::Write);
                });
            };
            pipe(client.try_clone().unwrap(), server.try_clone().unwrap());
            pipe(server, client);
        }
    });
    (addr, connections)
}

fn assert_refused_handshake(err: &Error) {
    assert_eq!(err.kind(), ErrorKind::Connection, "{err}");
    assert!(!err.is_retryable(), "{err}");
    assert!(err.to_string().contains("certificate"), "{err}");
    assert!(!err.to_string().contains(KEY), "{err}");
}

#[test]
fn an_untrusted_certificate_is_final_and_nothing_is_sent() {
    let sandbox = Sandbox::start(Config::new(KEY).tls(true)).unwrap();
    let (addr, connections) = forwarder(sandbox.addr());
    let url = format!("https://{addr}");
    let untrusting = Client::builder(KEY).base_url(&url).build().unwrap();

    // Not retried, though the client would retry a verify twice.
    let err = untrusting
        .verify_purchase("-nowgg-sample-paid")
        .unwrap_err();
    assert_refused_handshake(&err);
    assert_eq!(connections.swap(0, Ordering::SeqCst), 1);

    // Not reconciled: a consume that sent nothing is not followed by a verify.
    let err = untrusting
        .consume_purchase(&ConsumeRequest::new("-nowgg-sample-paid"))
        .unwrap_err();
    assert_refused_handshake(&err);
    assert_eq!(connections.swap(0, Ordering::SeqCst), 1);
    assert!(sandbox.requests().is_empty());

    // The same path with the CA trusted works: the forwarder is not the cause.
    assert!(common::trusting_client_verifies(&sandbox, &url));
}
