//! What the benchmark binaries share: the sandbox a latency run calls, and what they read
//! about their own process (Linux `/proc/self`): CPU time, memory, threads and
//! descriptors.

/// The sandbox a latency run calls (`--url`, `--api-key`).
#[derive(clap::Args)]
pub struct Sandbox {
    /// The sandbox to call (started with --latency-ms, so that calls stay in flight).
    #[arg(long)]
    pub url: String,
    /// The API key it accepts.
    #[arg(long, default_value = "bench-key")]
    pub api_key: String,
}

/// User and system CPU seconds of this process so far, every thread (/proc/self/stat, in
/// the 100 Hz clock ticks the kernel reports to user space).
pub fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The command name, in parentheses, may hold spaces: count fields after its end.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) as f64 / 100.0
}

/// A size field of /proc/self/status in KiB (`"VmRSS:"` now, `"VmHWM:"` the peak), 0
/// where unknown.
pub fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// The process's threads now, 0 where unknown.
pub fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").map_or(0, |d| d.count())
}

/// Open file descriptors of this process.
pub fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count())
}

/// Sockets this process holds open.
pub fn sockets() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, |d| {
        d.filter_map(Result::ok)
            .filter(|e| {
                std::fs::read_link(e.path())
                    .is_ok_and(|p| p.to_string_lossy().starts_with("socket:"))
            })
            .count()
    })
}
