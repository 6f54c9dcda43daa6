//! One client shared by 8 threads: every call succeeds, and neither the descriptors the
//! process holds nor its RSS grow from the first report to the last. The sandbox runs as
//! a process of its own (its binary: $NOWGG_SANDBOX_BIN, else the one cargo built next to
//! this test), so the RSS read here is the client's alone: in one process, the sandbox's
//! allocations add a few hundred KiB per 1,000 requests. A test binary of its own, too, so
//! that no other test allocates while RSS is read.
//!
//! 5,000 calls by default; the long run (bench/results/load.md) is the same test:
//!
//! ```sh
//! NOWGG_LOAD_CALLS=400000 cargo test --release -p nowgg-payments --test load -- --nocapture
//! ```

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;

use nowgg_payments::Client;

const KEY: &str = "load-test-key";
const THREADS: usize = 8;
/// The most RSS may grow from the first report to the last: a leak of 256 bytes per call
/// passes it within 5,000 calls.
const MAX_RSS_GROWTH_KIB: usize = 1024;

/// NOWGG_LOAD_CALLS (default 5,000) verifies through one client from 8 threads, in rounds
/// that end with a report of the open descriptors and the RSS: every 10,000 calls, or
/// every fifth of a shorter run.
#[test]
fn one_client_serves_many_threads_without_leaking_descriptors_or_memory() {
    let calls: usize = std::env::var("NOWGG_LOAD_CALLS")
        .map(|n| n.parse().expect("NOWGG_LOAD_CALLS is a number"))
        .unwrap_or(5_000);
    let per_round = if calls >= 50_000 { 10_000 } else { calls / 5 };
    assert!(
        per_round % THREADS == 0 && calls % per_round == 0,
        "NOWGG_LOAD_CALLS must split into rounds of {THREADS} x n calls"
    );
    let sandbox = SandboxProcess::start(KEY);
    let client = Client::builder(KEY)
        .base_url(&sandbox.url)
        .max_retries(0)
        .build()
        .unwrap();
    let mut ok = 0;
    let mut reports = Vec::new();
    for round in 1..=calls / per_round {
        let workers: Vec<_> = (0..THREADS)
            .map(|_| {
                let client = client.clone();
                thread::spawn(move || {
                    (0..per_round / THREADS)
                        .filter(|_| client.verify_purchase("-nowgg-sample-paid").is_ok())
                        .count()
                })
            })
            .collect();
        ok += workers
            .into_iter()
            .map(|w| w.join().unwrap())
            .sum::<usize>();
        let (fds, rss) = (open_fds(), rss_kib());
        println!(
            "after {:>8} calls: {fds} fds, {rss} KiB RSS",
            round * per_round
        );
        reports.push((fds, rss));
    }
    let ((first_fds, first_rss), (last_fds, last_rss)) = (reports[0], reports[reports.len() - 1]);
    println!(
        "rust load: {THREADS} threads x {} calls through one client: {} errors; \
         fds {first_fds} -> {last_fds}, RSS {first_rss} -> {last_rss} KiB",
        calls / THREADS,
        calls - ok
    );
    assert_eq!(ok, calls);
    // The pool may settle on a few more connections after the first round, never more
    // than one per thread.
    assert!(
        last_fds <= first_fds + THREADS,
        "descriptors grew: (fds, KiB RSS) at each report {reports:?}"
    );
    assert!(
        last_rss <= first_rss + MAX_RSS_GROWTH_KIB,
        "RSS grew: (fds, KiB RSS) at each report {reports:?}"
    );
}

/// The sandbox binary, running until dropped.
struct SandboxProcess {
    child: Child,
    url: String,
}

impl SandboxProcess {
    fn start(api_key: &str) -> SandboxProcess {
        let bin = std::env::var_os("NOWGG_SANDBOX_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                // This test is target/<profile>/deps/load-<hash>; cargo puts the sandbox in
                // target/<profile>/.
                let exe = std::env::current_exe().unwrap();
                exe.parent()
                    .and_then(Path::parent)
                    .unwrap()
                    .join("nowgg-sandbox")
            });
        let mut child = Command::new(&bin)
            .args(["--port", "0", "--api-key", api_key])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run {}: {e}; build it (`cargo build --release -p nowgg-sandbox`) \
                     or set NOWGG_SANDBOX_BIN",
                    bin.display()
                )
            });
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = match line.trim().strip_prefix("listening on ") {
            Some(url) => url.to_owned(),
            None => panic!("the sandbox's first line was {line:?}"),
        };
        SandboxProcess { child, url }
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Open file descriptors of this process (Linux).
fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .map(|d| d.count())
        .unwrap_or(0)
}

/// Resident set size of this process in KiB (Linux).
fn rss_kib() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
