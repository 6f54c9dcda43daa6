//! The command line, shared by the `nowgg-sandbox` binary and `nowgg sandbox`.

use std::io::{self, Write};
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::{Config, Fixture, Sandbox};

/// The sandbox's command-line arguments, to parse directly or `#[command(flatten)]`
/// into another command.
#[derive(Debug, Clone, clap::Args)]
pub struct SandboxArgs {
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// The API key requests must carry in `Authorization`.
    #[arg(long, env = "NOWGG_API_KEY", hide_env_values = true)]
    pub api_key: String,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// JSON array of `{"token", "store", "data"}` replacing the built-in samples.
    #[arg(long, value_name = "FILE")]
    pub fixtures: Option<PathBuf>,
    /// Serve HTTPS with a freshly generated certificate.
    #[arg(long, requires = "ca_out")]
    pub tls: bool,
    /// Where to write the CA certificate (PEM) clients should trust.
    #[arg(long, value_name = "FILE", requires = "tls")]
    pub ca_out: Option<PathBuf>,
    /// Delay every API answer by this many milliseconds (a network's round trip).
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency_ms: u64,
    /// Require this key (header `X-Sandbox-Key`, or `?key=`) of every /_sandbox/
    /// request, the console's included: for a sandbox on a shared host.
    #[arg(
        long,
        value_name = "KEY",
        env = "NOWGG_SANDBOX_CONTROL_KEY",
        hide_env_values = true
    )]
    pub control_key: Option<String>,
}

/// Starts a sandbox, writes the CA file if serving TLS, prints `listening on URL` then
/// `console on URL/_sandbox/` on stdout (flushed), then serves until the process ends.
/// Listening on another host than loopback without a control key, it warns on stderr
/// that anyone who reaches it may drive the control API and the console.
///
/// Returns only on a startup error.
pub fn run(args: SandboxArgs) -> io::Result<()> {
    if !args.host.is_loopback() && args.control_key.is_none() {
        eprintln!(
            "warning: listening on {}: the control API (/_sandbox/) and the console are \
             unauthenticated; anyone who reaches this address can change purchases, inject \
             faults and read the request log. Pass --control-key KEY to require a key.",
            args.host
        );
    }
    let mut config = Config::new(args.api_key)
        .host(args.host)
        .port(args.port)
        .tls(args.tls)
        .latency(Duration::from_millis(args.latency_ms));
    if let Some(key) = args.control_key {
        config = config.control_key(key);
    }
    if let Some(path) = &args.fixtures {
        config = config.fixtures(Fixture::load(path)?);
    }
    let sandbox = Sandbox::start(config)?;
    // clap makes --tls and --ca-out require each other.
    if let (Some(path), Some(pem)) = (&args.ca_out, sandbox.ca_pem()) {
        // Written before the listening line, so a harness that waits for the line can
        // read the file at once.
        std::fs::write(path, pem)
            .map_err(|e| io::Error::new(e.kind(), format!("writing {}: {e}", path.display())))?;
    }
    // Both lines in one write: a harness that reads the first line and then closes the
    // pipe must not make the second one fail (and the sandbox exit).
    let lines = format!(
        "listening on {}\nconsole on {}\n",
        sandbox.url(),
        sandbox.console_url()
    );
    let mut stdout = io::stdout().lock();
    stdout.write_all(lines.as_bytes())?;
    stdout.flush()?;
    drop(stdout);
    loop {
        std::thread::park();
    }
}
