//! One client shared by 8 threads: every call succeeds, and neither the descriptors the
//! process holds nor its RSS grow from the first 1,000 calls to the last. The sandbox runs
//! as a process of its own (its binary: $NOWGG_SANDBOX_BIN, else the one cargo built next
//! to this test), so the RSS read here is the client's alone: in one process, the
//! sandbox's allocations add a few hundred KiB per 1,000 requests. A test binary of its
//! own, too, so that no other test allocates while RSS is read. The long run (8 x 50,000)
//! is `nowgg-bench`: see bench/results/load.md.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;

use nowgg_payments::Client;

const KEY: &str = "load-test-key";
const THREADS: usize = 8;
const ROUNDS: usize = 5;
const CALLS_PER_THREAD_PER_ROUND: usize = 125;

/// 8 threads x 625 verifies through one client, in rounds of 1,000 calls; after each,
/// the open descriptors and the RSS. A leak of one descriptor per call would show
/// thousands; one of 256 bytes per call, over a MiB.
#[test]
fn one_client_serves_many_threads_without_leaking_descriptors_or_memory() {
    let sandbox = SandboxProcess::start(KEY);
    let client = Client::builder(KEY)
        .base_url(&sandbox.url)
        .max_retries(0)
        .build()
        .unwrap();
    let mut ok = 0;
    let mut usage = Vec::new();
    for _ in 0..ROUNDS {
        let workers: Vec<_> = (0..THREADS)
            .map(|_| {
                let client = client.clone();
                thread::spawn(move || {
                    (0..CALLS_PER_THREAD_PER_ROUND)
                        .filter(|_| client.verify_purchase("-nowgg-sample-paid").is_ok())
                        .count()
                })
            })
            .collect();
        ok += workers
            .into_iter()
            .map(|w| w.join().unwrap())
            .sum::<usize>();
        usage.push((open_fds(), rss_kib()));
    }
    println!("(fds, KiB RSS) after each round of 1,000 calls: {usage:?}");
    assert_eq!(ok, THREADS * ROUNDS * CALLS_PER_THREAD_PER_ROUND);
    let ((first_fds, first_rss), (last_fds, last_rss)) = (usage[0], usage[ROUNDS - 1]);
    // The pool may settle on a few more connections after the first round, never more
    // than one per thread.
    assert!(
        last_fds <= first_fds + THREADS,
        "descriptors grew: (fds, KiB RSS) after each round {usage:?}"
    );
    assert!(
        last_rss <= first_rss + 1024,
        "RSS grew: (fds, KiB RSS) after each round {usage:?}"
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
