//! `nowgg-bench`: verify calls through one shared client against a sandbox, from N
//! threads, reporting calls/s, p50/p99 latency, and open descriptors and RSS every
//! `--report-every` calls (flat from the first report to the last, or something leaks).
//!
//! ```sh
//! cargo run --release -p nowgg-bench -- --threads 8 --calls 50000   # the load run
//! cargo run --release -p nowgg-bench -- --threads 1 --calls 20000   # per-call latency
//! ```
//!
//! `--json` prints, instead of text, one JSON object a line for bench/report.py: the
//! throughput, and descriptors and RSS at the first report and the last.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use clap::Parser;
use nowgg_bench::{cpu_seconds, open_fds, status_kib};
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
    /// A CA certificate (PEM file) to trust, for an HTTPS `--url`.
    #[arg(long)]
    ca: Option<std::path::PathBuf>,
    /// Print JSON lines (for bench/report.py) instead of text.
    #[arg(long)]
    json: bool,
    /// Set a call-report listener that does nothing (the cost of building reports).
    #[arg(long)]
    on_report: bool,
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
    let mut builder = Client::builder(&args.api_key).base_url(&url);
    if let Some(ca) = &args.ca {
        builder = builder.ca_certs_pem(std::fs::read(ca).expect("the --ca file"));
    }
    if args.on_report {
        builder = builder.on_report(|report| {
            std::hint::black_box(report);
        });
    }
    let client = builder.build().expect("client");
    client.verify_purchase(&args.token).expect("warm-up verify");

    let done = AtomicU64::new(0);
    let errors = AtomicU64::new(0);
    let snapshots = Mutex::new(Vec::new());
    let cpu = cpu_seconds();
    let started = Instant::now();
    let histogram: Histogram = thread::scope(|scope| {
        let workers: Vec<_> = (0..args.threads)
            .map(|_| {
                let (client, done, errors, snapshots, args) =
                    (&client, &done, &errors, &snapshots, &args);
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
                            let (fds, rss) = (open_fds(), status_kib("VmRSS:"));
                            if !args.json {
                                println!("after {n:>8} calls: {fds} fds, {rss} KiB RSS");
                            }
                            snapshots.lock().unwrap().push((n, fds, rss));
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
    let cpu = cpu_seconds() - cpu;
    let pct = |p: f64| histogram.percentile(p).as_secs_f64() * 1e6;
    let total = histogram.count() as f64;
    let rate = total / elapsed.as_secs_f64();
    if args.json {
        let transport = if url.starts_with("https:") {
            "https"
        } else {
            "http"
        };
        let mode = match args.threads {
            1 => "sequential".to_owned(),
            n => format!("{n} threads"),
        };
        println!(
            r#"{{"kind":"throughput","face":"rust","contender":"nowgg_payments::Client","role":"face","transport":"{transport}","mode":"{mode}","concurrency":{},"calls_per_s":{rate:.1},"p50_us":{:.1},"p99_us":{:.1},"cpu_us_per_call":{:.2},"calls":{total},"errors":{}}}"#,
            args.threads,
            pct(0.50),
            pct(0.99),
            cpu * 1e6 / total,
            errors.load(Ordering::Relaxed)
        );
        let snapshots = snapshots.into_inner().unwrap();
        if let (Some(first), Some(last)) = (snapshots.first(), snapshots.last()) {
            println!(
                r#"{{"kind":"memory","face":"rust","contender":"nowgg_payments::Client","mode":"{mode}","calls_first":{},"fds_first":{},"rss_kib_first":{},"calls_last":{},"fds_last":{},"rss_kib_last":{}}}"#,
                first.0, first.1, first.2, last.0, last.1, last.2
            );
        }
    } else {
        println!(
            "rust core: {} threads x {} calls: {rate:.0} calls/s, p50 {:.0} us, p99 {:.0} us, errors {}",
            args.threads,
            args.calls,
            pct(0.50),
            pct(0.99),
            errors.load(Ordering::Relaxed)
        );
    }
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
        let mut buckets = vec![0; Self::BUCKETS];
        // `vec![0; n]` maps untouched zero pages; write them so they are resident now.
        buckets
            .iter_mut()
            .for_each(|b| *b = std::hint::black_box(0));
        Histogram(buckets)
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
