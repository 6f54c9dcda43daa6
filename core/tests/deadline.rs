//! Timeouts and the per-call deadline, against a server that never answers. The upper
//! bounds leave several times the expected time (the machine may be busy): each tells a
//! deadline kept from one overrun by tens of seconds, or from calls that were sent.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use nowgg_payments::{Client, ErrorKind};
use serde_json::json;

mod common;
use common::{Control, KEY};

/// A sandbox whose next `times` calls hang, with a client for it built by `options`.
fn hung(
    times: u32,
    options: impl FnOnce(nowgg_payments::ClientBuilder) -> nowgg_payments::ClientBuilder,
) -> (nowgg_sandbox::Sandbox, Client) {
    let sandbox = common::sandbox(KEY);
    Control::new(&sandbox.url()).fault(json!({"match": "any", "action": "hang", "count": times}));
    let client = options(Client::builder(KEY).base_url(sandbox.url()).max_retries(0))
        .build()
        .unwrap();
    (sandbox, client)
}

#[test]
fn a_hung_server_times_out_after_the_attempt_timeout() {
    let (_sandbox, client) = hung(1, |b| b.timeout(Duration::from_secs(1)));
    let started = Instant::now();
    let err = client.verify_purchase("-nowgg-sample-paid").unwrap_err();
    let elapsed = started.elapsed();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    // Never before the timeout (socket timeouts round up), long before the 30 s deadline.
    assert!(elapsed >= Duration::from_millis(950), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
}

#[test]
fn no_socket_wait_outlives_the_deadline_whatever_the_timeout() {
    // The socket's timeout was rounded up in steps of timeout/100: 30 s here.
    let (_sandbox, client) = hung(1, |b| {
        b.timeout(Duration::from_secs(3000))
            .deadline(Duration::from_millis(500))
    });
    let started = Instant::now();
    let err = client.verify_purchase("-nowgg-sample-paid").unwrap_err();
    let elapsed = started.elapsed();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
}

#[test]
fn queue_time_counts_toward_an_async_calls_deadline() {
    // Two calls run at once; the six queued behind them used to start their own full
    // deadline when a thread freed up, ending at 2, 2, 3, 3, 4 and 4 s.
    let (sandbox, client) = hung(100, |b| b.deadline(Duration::from_secs(1)).max_in_flight(2));
    let (tx, rx) = mpsc::channel();
    let started = Instant::now();
    for _ in 0..8 {
        let tx = tx.clone();
        client
            .spawn(
                |c| c.verify_purchase("-nowgg-sample-paid"),
                move |result| tx.send((result.map(drop), started.elapsed())).unwrap(),
            )
            .unwrap();
    }
    drop(tx);
    let ended: Vec<_> = rx.iter().collect();
    assert_eq!(ended.len(), 8);
    for (result, _) in &ended {
        let err = result.as_ref().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    }
    // Only the two that got a thread were sent; the others timed out in the queue
    // instead of starting a deadline of their own (sent, and ending at 2 to 4 s).
    let sent = sandbox.requests().len();
    assert_eq!(sent, 2, "{ended:?}");
}
