//! What the fork check adds to each call (core/src/process.rs): one `getpid` and one
//! lock-free load of the client's per-process parts, timed alone and set against a whole
//! verify on loopback, the cheapest call there is.
//!
//! `cargo run --release -p nowgg-bench --bin nowgg-fork-check-bench`

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use arc_swap::ArcSwap;
use nowgg_payments::Client;
use nowgg_sandbox::{Config, Sandbox};

const ROUNDS: u32 = 10_000_000;
const CALLS: u32 = 20_000;

/// Nanoseconds per run of `f`, over `rounds` runs.
fn per_run(rounds: u32, mut f: impl FnMut()) -> f64 {
    let started = Instant::now();
    for _ in 0..rounds {
        f();
    }
    started.elapsed().as_nanos() as f64 / f64::from(rounds)
}

fn main() {
    let getpid = per_run(ROUNDS, || {
        black_box(std::process::id());
    });
    let slot = ArcSwap::from_pointee(0u64);
    let load = per_run(ROUNDS, || {
        black_box(Arc::clone(&slot.load_full()));
    });

    let sandbox = Sandbox::start(Config::new("bench-key")).expect("sandbox starts");
    let client = Client::builder("bench-key")
        .base_url(sandbox.url())
        .build()
        .expect("client builds");
    let verify = per_run(CALLS, || {
        client
            .verify_purchase("-nowgg-sample-paid")
            .expect("verify");
    });
    let check = getpid + load;
    println!("getpid: {getpid:.1} ns; per-process slot load: {load:.1} ns");
    println!(
        "fork check: {check:.1} ns per call = {:.3}% of a loopback verify ({:.1} us, client and sandbox on one machine)",
        100.0 * check / verify,
        verify / 1000.0
    );
}
