//! `nowgg-memory-bench`: what a call in flight and an idle pooled connection cost in the
//! Rust core, broken down (bench/results/profile.md). N verifies are kept in flight
//! through `Client::spawn` against a sandbox that holds every answer (`--latency-ms`);
//! midway, with all N waiting, the RSS and the bytes Rust holds live (counted by this
//! binary's allocator) are taken, against the same before the load: the difference over
//! N is a call's cost, and the RSS beyond the Rust heap is stacks, glibc's arenas and
//! its per-thread cache (bench/stack_use.py reads the stacks alone). Then the calls end, the
//! dispatcher's threads are left to exit, and the heap left with the pooled connections
//! gives one connection's cost.
//!
//! ```sh
//! nowgg-sandbox --port 0 --api-key bench-key --latency-ms 20 &
//! cargo run --release -p nowgg-bench --bin nowgg-memory-bench -- --url URL --in-flight 256
//! ```
//!
//! One JSON line; `--table` prints it as a table too.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicIsize, AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant};

use clap::Parser;
use nowgg_bench::{cpu_seconds, sockets, status_kib, threads, Sandbox};
use nowgg_payments::Client;

/// The system allocator, counting the bytes Rust holds live and their peak.
struct Counting;

/// Bytes allocated and not yet freed.
static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        System.alloc_zeroed(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[derive(Parser)]
struct Args {
    #[command(flatten)]
    sandbox: Sandbox,
    /// A PEM file of roots to trust, for a sandbox over HTTPS.
    #[arg(long)]
    ca: Option<std::path::PathBuf>,
    /// Calls kept in flight.
    #[arg(long, default_value_t = 256)]
    in_flight: usize,
    /// Seconds of load; the snapshot is taken halfway.
    #[arg(long, default_value_t = 2.0)]
    seconds: f64,
    /// Print a table as well as the JSON line.
    #[arg(long)]
    table: bool,
}

const TOKEN: &str = "-nowgg-sample-paid";

/// The bytes Rust holds live now, in KiB.
fn heap_kib() -> u64 {
    (LIVE.load(Ordering::Relaxed).max(0) as u64) / 1024
}

fn main() {
    let args = Args::parse();
    let mut builder = Client::builder(&args.sandbox.api_key)
        .base_url(&args.sandbox.url)
        .max_in_flight(args.in_flight);
    if let Some(ca) = &args.ca {
        builder = builder.ca_certs_pem(std::fs::read(ca).expect("the --ca file"));
    }
    let client = builder.build().expect("client");
    client.verify_purchase(TOKEN).expect("warm-up verify");
    let idle_rss = status_kib("VmRSS:");
    let idle_heap = heap_kib();
    let idle_sockets = sockets() as u64;

    let calls = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let (done_tx, done_rx) = mpsc::channel::<()>();
    fn next(client: &Client, calls: Arc<AtomicU64>, stop: Arc<AtomicBool>, done: mpsc::Sender<()>) {
        let again = client.clone();
        client
            .spawn(
                |c| c.verify_purchase(TOKEN),
                move |result| {
                    assert!(result.is_ok_and(|p| p.is_paid()), "a verify failed");
                    calls.fetch_add(1, Ordering::Relaxed);
                    if stop.load(Ordering::Relaxed) {
                        let _ = done.send(());
                    } else {
                        next(&again, calls, stop, done);
                    }
                },
            )
            .expect("a thread for the call");
    }
    let cpu = cpu_seconds();
    let begun = Instant::now();
    for _ in 0..args.in_flight {
        next(
            &client,
            Arc::clone(&calls),
            Arc::clone(&stop),
            done_tx.clone(),
        );
    }
    thread::sleep(Duration::from_secs_f64(args.seconds / 2.0));
    let loaded_rss = status_kib("VmRSS:");
    let loaded_heap = heap_kib();
    let loaded_threads = threads();
    thread::sleep(Duration::from_secs_f64(args.seconds / 2.0));
    stop.store(true, Ordering::Relaxed);
    for _ in 0..args.in_flight {
        done_rx.recv().expect("every chain ends");
    }
    let elapsed = begun.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu;
    let total = calls.load(Ordering::Relaxed);
    let peak_rss = status_kib("VmHWM:");

    // The dispatcher's threads end after 10 s idle; what stays is the pool.
    let deadline = Instant::now() + Duration::from_secs(30);
    while threads() > 1 && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(100));
    }
    let after_rss = status_kib("VmRSS:");
    let after_heap = heap_kib();
    let pooled = sockets() as u64;

    let n = args.in_flight as u64;
    let per_call = |a: u64, b: u64| (a as f64 - b as f64) / n as f64;
    let pooled_extra = pooled.saturating_sub(idle_sockets);
    let per_pooled = if pooled_extra > 0 {
        (after_heap as f64 - idle_heap as f64) / pooled_extra as f64
    } else {
        0.0
    };
    let rss_per_call = per_call(loaded_rss, idle_rss);
    let heap_per_call = per_call(loaded_heap, idle_heap);
    println!(
        "{{\"kind\":\"call_cost\",\"face\":\"rust\",\"in_flight\":{n},\"calls_per_s\":{:.1},\
         \"cpu_us_per_call\":{:.2},\"peak_rss_kib\":{peak_rss},\"idle_rss_kib\":{idle_rss},\
         \"loaded_rss_kib\":{loaded_rss},\"threads\":{loaded_threads},\
         \"rss_kib_per_call\":{rss_per_call:.1},\"rust_heap_kib_per_call\":{heap_per_call:.1},\
         \"pooled_connections\":{pooled_extra},\
         \"rust_heap_kib_per_pooled_connection\":{per_pooled:.1},\"after_rss_kib\":{after_rss}}}",
        total as f64 / elapsed,
        cpu * 1e6 / total as f64,
    );
    if args.table {
        eprintln!(
            "in flight {n}: RSS idle {idle_rss} KiB, loaded {loaded_rss} KiB, peak {peak_rss} KiB, \
             {loaded_threads} threads"
        );
        eprintln!(
            "  per call in flight: RSS {rss_per_call:.1} KiB, of which Rust heap {heap_per_call:.1} KiB \
             and the rest {:.1} KiB (stack, glibc's arenas and per-thread cache)",
            rss_per_call - heap_per_call
        );
        eprintln!(
            "  after: {pooled_extra} pooled connections, Rust heap {per_pooled:.1} KiB each; \
             RSS {after_rss} KiB"
        );
    }
}
