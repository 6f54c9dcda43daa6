//! `nowgg-bench`: verify calls through one shared client against a sandbox, from N
//! threads, reporting calls/s, p50/p99 latency, and open descriptors and RSS every
//! `--report-every` calls (flat from the first report to the last, or something leaks).
//!
//! ```sh
//! cargo run --release -p nowgg-bench -- --threads 8 --calls 50000   # the load run
//! cargo run --release -p nowgg-bench -- --threads 1 --calls 20000   # per-call latency
//! ```

use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use clap::Parser;
use nowgg_payments::Client;

#[derive(Parser)]
struct Args {
    /// A running sandbox (or endpoint) to call; default: one started in-process.
    #[arg(long)]
    url: Option<String>,
    /// The API key the endpoint accepts.
    #[arg(long, default_value = "bench-key")]
    api_key: String,
    /// Threads sharing the one client.
    #[arg(long, default_value_t = 1)]
    threads: u64,
    /// Calls per thread.
    #[arg(long, default_value_t = 10_000)]
    calls: u64,
    /// Print descriptors and RSS each time this many calls have completed in all.
    #[arg(long, default_value_t = 10_000)]
    report_every: u64,
    /// The token to verify.
    #[arg(long, default_value = "-nowgg-sample-paid", allow_hyphen_values = true)]
    token: String,
}

fn main() {
    let args = Args::parse();
    let sandbox = args.url.is_none().then(|| {
        nowgg_sandbox::Sandbox::start(nowgg_sandbox::Config::new(&args.api_key)).expect("sandbox")
    });
    let url = args
        .url
        .clone()
        .unwrap_or_else(|| sandbox.as_ref().unwrap().url());
    let client = Client::builder(&args.api_key)
        .base_url(&url)
        .build()
        .expect("client");
    client.verify_purchase(&args.token).expect("warm-up verify");

    let done = AtomicU64::new(0);
    let errors = AtomicU64::new(0);
    let started = Instant::now();
    let histogram: Histogram = thread::scope(|scope| {
        let workers: Vec<_> = (0..args.threads)
            .map(|_| {
                let (client, done, errors, args) = (&client, &done, &errors, &args);
                scope.spawn(move || {
                    let mut latencies = Histogram::new();
                    for _ in 0..args.calls {
                        let t = Instant::now();
                        if client.verify_purchase(&args.token).is_err() {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                        latencies.record(t.elapsed());
                        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                        if n % args.report_every == 0 {
                            println!(
                                "after {n:>8} calls: {} fds, {} KiB RSS",
                                open_fds(),
                                rss_kib()
                            );
                        }
                    }
                    latencies
                })
            })
            .collect();
        workers
            .into_iter()
            .fold(Histogram::new(), |all, w| all.merge(&w.join().unwrap()))
    });
    let elapsed = started.elapsed();
    let pct = |p: f64| histogram.percentile(p);
    let total = histogram.count() as f64;
    println!(
        "rust core: {} threads x {} calls: {:.0} calls/s, p50 {:.0} us, p99 {:.0} us, errors {}",
        args.threads,
        args.calls,
        total / elapsed.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1e6,
        pct(0.99).as_secs_f64() * 1e6,
        errors.load(Ordering::Relaxed)
    );
    if errors.load(Ordering::Relaxed) > 0 {
        std::process::exit(1);
    }
}

/// Latencies in 1 µs buckets up to 100 ms (the last bucket takes the rest): allocated
/// and touched up front, so recording a call never changes the process's RSS.
struct Histogram(Vec<u64>);

impl Histogram {
    const BUCKETS: usize = 100_000;

    fn new() -> Histogram {
        Histogram(vec![0; Self::BUCKETS])
    }

    fn record(&mut self, latency: Duration) {
        self.0[(latency.as_micros() as usize).min(Self::BUCKETS - 1)] += 1;
    }

    fn merge(mut self, other: &Histogram) -> Histogram {
        self.0.iter_mut().zip(&other.0).for_each(|(a, b)| *a += b);
        self
    }

    fn count(&self) -> u64 {
        self.0.iter().sum()
    }

    fn percentile(&self, p: f64) -> Duration {
        let rank = (self.count() as f64 * p).ceil().max(1.0) as u64;
        let mut seen = 0;
        let micros = self.0.iter().position(|n| {
            seen += n;
            seen >= rank
        });
        Duration::from_micros(micros.unwrap_or(Self::BUCKETS) as u64)
    }
}

/// Open file descriptors of this process (Linux).
fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .map(|d| d.count())
        .unwrap_or(0)
}

/// Resident set size of this process in KiB (Linux).
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
