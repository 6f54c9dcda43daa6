//! A client used before `fork()` in both processes after it: each must get its own
//! answers. Before the client was bound to its process, parent and child read from one
//! inherited keep-alive connection and took whichever answer came (280 of 300 wrong).

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::sync::mpsc;

use nowgg_payments::Client;
use nowgg_sandbox::{Config, NewPurchase, Sandbox};
use serde_json::json;

mod common;
use common::KEY;

const CALLS: usize = 300;

/// Paid purchases under `{prefix}-{i}`, each answering with its own token.
fn tokens(sandbox: &Sandbox, prefix: &str) -> Vec<String> {
    (0..CALLS)
        .map(|i| {
            let data = json!({"purchaseState": 1, "orderId": format!("{prefix}-order-{i}")});
            let data = data.as_object().unwrap().clone();
            let token = format!("-nowgg-{prefix}-{i}");
            sandbox
                .add_purchase(NewPurchase {
                    token: Some(token),
                    ..NewPurchase::new(data)
                })
                .unwrap()
        })
        .collect()
}

/// Verifies each token, the async calls (the dispatcher) for every other one, and
/// counts answers that are not for the token asked about (or failed).
fn wrong_answers(client: &Client, tokens: &[String]) -> usize {
    let (tx, rx) = mpsc::channel();
    let mut wrong = 0;
    for (i, token) in tokens.iter().enumerate() {
        if i % 2 == 0 {
            let answer = client
                .verify_purchase(token)
                .map(|p| p.purchase_token().map(str::to_owned));
            wrong += usize::from(answer.ok().flatten().as_deref() != Some(token));
        } else {
            let (tx, token) = (tx.clone(), token.clone());
            client
                .spawn(
                    |c| c.verify_purchase(&token.clone()).map(|p| (token, p)),
                    move |answer| {
                        let right = answer.is_ok_and(|(t, p)| p.purchase_token() == Some(&t));
                        tx.send(right).unwrap();
                    },
                )
                .unwrap();
        }
    }
    drop(tx);
    wrong + rx.iter().filter(|right| !right).count()
}

/// Forks after `client` made a call; both processes verify tokens of their own at
/// once. Returns the wrong answers of (parent, child).
fn across_fork(sandbox: &Sandbox, client: &Client) -> (usize, usize) {
    let parent_tokens = tokens(sandbox, "parent");
    let child_tokens = tokens(sandbox, "child");
    client.verify_purchase(&parent_tokens[0]).unwrap();
    let (mut parent_end, mut child_end) = UnixStream::pair().unwrap();
    // SAFETY: the child only runs Rust code that needs no lock another thread could hold
    // at the fork (glibc resets malloc's), then leaves with _exit.
    match unsafe { libc::fork() } {
        -1 => panic!("fork failed: {}", std::io::Error::last_os_error()),
        0 => {
            drop(parent_end);
            let wrong = wrong_answers(client, &child_tokens);
            let _ = child_end.write_all(&(wrong as u64).to_le_bytes());
            unsafe { libc::_exit(0) }
        }
        child => {
            drop(child_end);
            let wrong = wrong_answers(client, &parent_tokens);
            let mut count = [0u8; 8];
            parent_end
                .read_exact(&mut count)
                .expect("the child reports its count");
            let mut status = 0;
            assert_eq!(unsafe { libc::waitpid(child, &mut status, 0) }, child);
            assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0);
            (wrong, u64::from_le_bytes(count) as usize)
        }
    }
}

#[test]
fn parent_and_child_each_get_their_own_answers() {
    let plain = Sandbox::start(Config::new(KEY)).unwrap();
    let client = Client::builder(KEY).base_url(plain.url()).build().unwrap();
    assert_eq!(across_fork(&plain, &client), (0, 0), "plain http");

    let tls = Sandbox::start(Config::new(KEY).tls(true)).unwrap();
    let client = Client::builder(KEY)
        .base_url(tls.url())
        .ca_certs_pem(tls.ca_pem().unwrap())
        .build()
        .unwrap();
    assert_eq!(across_fork(&tls, &client), (0, 0), "TLS");
    // The parent's connection survived the child's start: its TLS session is intact.
    client.verify_purchase("-nowgg-sample-paid").unwrap();
}
