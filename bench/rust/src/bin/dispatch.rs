//! `nowgg-dispatch-bench`: how async calls should leave the caller's thread. The core's
//! own dispatcher (`Client::spawn`: threads grown on demand, a queue, completion
//! callbacks) against tokio's blocking pool (`spawn_blocking` on a multi-thread runtime,
//! what napi-rs's `tokio_rt` and pyo3-async-runtimes would give the faces), each keeping
//! N verifies in flight against a sandbox for a few seconds (closed loop: a finished
//! call starts the next). Run at loopback and with the sandbox adding latency:
//!
//! ```sh
//! nowgg-sandbox --port 0 --api-key bench-key --latency-ms 20 &
//! cargo run --release -p nowgg-bench --bin nowgg-dispatch-bench -- --url URL --in-flight 256
//! ```
//!
//! One JSON line per contender: calls/s, p50/p99, the process's CPU time per call, its RSS
//! before the load and at its peak, and the threads it ended with. bench/run.sh runs one
//! contender per process, so that the peak is that contender's.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Parser;
use nowgg_bench::{cpu_seconds, status_kib, threads, Sandbox};
use nowgg_payments::Client;

#[derive(Parser)]
struct Args {
    #[command(flatten)]
    sandbox: Sandbox,
    /// Calls kept in flight.
    #[arg(long, default_value_t = 64)]
    in_flight: usize,
    /// Seconds each contender runs.
    #[arg(long, default_value_t = 3.0)]
    seconds: f64,
    /// `core` (Client::spawn), `tokio` (spawn_blocking), or `both`.
    #[arg(long, default_value = "both")]
    contender: String,
    /// A label for the JSON lines (e.g. the sandbox's latency).
    #[arg(long, default_value = "")]
    label: String,
    /// Set a call-report listener that does nothing (the cost of building reports).
    #[arg(long)]
    on_report: bool,
}

const TOKEN: &str = "-nowgg-sample-paid";

fn main() {
    let args = Args::parse();
    let mut builder = Client::builder(&args.sandbox.api_key)
        .base_url(&args.sandbox.url)
        .max_in_flight(args.in_flight);
    if args.on_report {
        builder = builder.on_report(|report| {
            std::hint::black_box(report);
        });
    }
    let client = builder.build().expect("client");
    client.verify_purchase(TOKEN).expect("warm-up verify");
    let idle_rss_kib = status_kib("VmRSS:");
    let run = Duration::from_secs_f64(args.seconds);
    if matches!(args.contender.as_str(), "core" | "both") {
        let cpu = cpu_seconds();
        let measured = core_spawn(&client, args.in_flight, run);
        let cpu = cpu_seconds() - cpu;
        report(
            &args,
            "core dispatcher (Client::spawn)",
            measured,
            cpu,
            idle_rss_kib,
        );
    }
    if matches!(args.contender.as_str(), "tokio" | "both") {
        let cpu = cpu_seconds();
        let measured = tokio_blocking(&client, args.in_flight, run);
        let cpu = cpu_seconds() - cpu;
        report(&args, "tokio spawn_blocking", measured, cpu, idle_rss_kib);
    }
}

/// Latencies in microseconds, and how long the run took.
struct Run {
    latencies_us: Vec<u64>,
    errors: u64,
    elapsed: Duration,
}

/// N chains of calls through `Client::spawn`: each completion starts the next call.
fn core_spawn(client: &Client, in_flight: usize, run: Duration) -> Run {
    struct Shared {
        end: Instant,
        latencies: Mutex<Vec<u64>>,
        errors: AtomicU64,
        chains_done: mpsc::Sender<()>,
    }
    fn next(client: &Client, shared: Arc<Shared>) {
        let started = Instant::now();
        let again = client.clone();
        client
            .spawn(
                |c| c.verify_purchase(TOKEN),
                move |result| {
                    if result.is_err() {
                        shared.errors.fetch_add(1, Ordering::Relaxed);
                    }
                    let us = started.elapsed().as_micros() as u64;
                    shared.latencies.lock().unwrap().push(us);
                    if Instant::now() < shared.end {
                        next(&again, shared);
                    } else {
                        let _ = shared.chains_done.send(());
                    }
                },
            )
            .expect("the library starts a thread for the call");
    }
    let (tx, rx) = mpsc::channel();
    let begun = Instant::now();
    let shared = Arc::new(Shared {
        end: begun + run,
        latencies: Mutex::new(Vec::new()),
        errors: AtomicU64::new(0),
        chains_done: tx,
    });
    for _ in 0..in_flight {
        next(client, Arc::clone(&shared));
    }
    for _ in 0..in_flight {
        rx.recv().expect("every chain ends");
    }
    let elapsed = begun.elapsed();
    let latencies_us = std::mem::take(&mut *shared.latencies.lock().unwrap());
    Run {
        latencies_us,
        errors: shared.errors.load(Ordering::Relaxed),
        elapsed,
    }
}

/// N tasks on a tokio runtime, each awaiting `spawn_blocking` verifies in a loop.
fn tokio_blocking(client: &Client, in_flight: usize, run: Duration) -> Run {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .max_blocking_threads(in_flight)
        .enable_time()
        .build()
        .expect("a runtime");
    let begun = Instant::now();
    let end = begun + run;
    let results = runtime.block_on(async {
        let tasks: Vec<_> = (0..in_flight)
            .map(|_| {
                let client = client.clone();
                tokio::spawn(async move {
                    let (mut latencies, mut errors) = (Vec::new(), 0);
                    while Instant::now() < end {
                        let started = Instant::now();
                        let c = client.clone();
                        let result = tokio::task::spawn_blocking(move || c.verify_purchase(TOKEN))
                            .await
                            .expect("no panic");
                        errors += u64::from(result.is_err());
                        latencies.push(started.elapsed().as_micros() as u64);
                    }
                    (latencies, errors)
                })
            })
            .collect();
        let mut all = Vec::with_capacity(tasks.len());
        for task in tasks {
            all.push(task.await.expect("no panic"));
        }
        all
    });
    let elapsed = begun.elapsed();
    let errors = results.iter().map(|(_, e)| e).sum();
    let latencies_us = results.into_iter().flat_map(|(l, _)| l).collect();
    Run {
        latencies_us,
        errors,
        elapsed,
    }
}

fn report(args: &Args, contender: &str, mut run: Run, cpu_seconds: f64, idle_rss_kib: u64) {
    run.latencies_us.sort_unstable();
    let pick = |p: f64| {
        let i = ((run.latencies_us.len() as f64 - 1.0) * p).round() as usize;
        run.latencies_us.get(i).copied().unwrap_or(0)
    };
    println!(
        "{{\"kind\":\"dispatch\",\"contender\":\"{contender}\",\"label\":\"{}\",\"in_flight\":{},\
         \"calls_per_s\":{:.1},\"p50_us\":{},\"p99_us\":{},\"cpu_us_per_call\":{:.1},\
         \"peak_rss_kib\":{},\"idle_rss_kib\":{idle_rss_kib},\"errors\":{},\"threads\":{}}}",
        args.label,
        args.in_flight,
        run.latencies_us.len() as f64 / run.elapsed.as_secs_f64(),
        pick(0.50),
        pick(0.99),
        cpu_seconds * 1e6 / run.latencies_us.len().max(1) as f64,
        status_kib("VmHWM:"),
        run.errors,
        threads(),
    );
}
