//! `nowgg`: verify and consume now.gg purchases from a shell (one, or a batch from a
//! file), run the offline sandbox, or watch the fulfillment model work in `nowgg demo`.

mod batch;
mod demo;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use nowgg_payments::{Client, ConsumeRequest, Error, GrantPolicy};

#[derive(Parser)]
#[command(
    name = "nowgg",
    version,
    about = "now.gg Payments API: verify and consume purchases"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Verify a purchase token and print the purchase; with a policy option, also check
    /// that it may be granted (paid, not consumed, your package and product).
    Verify {
        #[command(flatten)]
        conn: Connection,
        #[command(flatten)]
        policy: Policy,
        /// Print the purchase as JSON: the API's field names, normalised values and the
        /// helpers (isPaid, isConsumed, purchaseTimeMs), with the vendor's object as `raw`.
        #[arg(long)]
        json: bool,
        /// Print the call's report to stderr: each attempt (status, API code, time,
        /// pooled or new connection), the waits between them and why, the outcome.
        #[arg(long)]
        trace: bool,
        /// The purchase token (No Code tokens start with `-`: put them after `--`).
        #[arg(allow_hyphen_values = true)]
        token: String,
    },
    /// Make sure a purchase is consumed (the last step, once the grant is recorded and
    /// delivered); prints `consumed` or `already_consumed`. Safe to repeat.
    Consume {
        #[command(flatten)]
        conn: Connection,
        #[command(flatten)]
        fields: ConsumeFields,
        /// Consume every token of this file instead: one token per line, or JSON lines
        /// `{"token", "store", "productId", "currency", "developerPayload"}`. A run cut
        /// short can be started again: consumed purchases answer `already_consumed`.
        #[arg(long, value_name = "FILE", conflicts_with = "token")]
        from: Option<PathBuf>,
        /// With --from: how many consumes run at once.
        #[arg(long, default_value_t = 8, requires = "from")]
        concurrency: usize,
        /// With --from: one JSON result line per token instead of the progress bar.
        #[arg(long, requires = "from")]
        json: bool,
        /// Print the call's report to stderr: each attempt (status, API code, time,
        /// pooled or new connection), the waits between them and why, the outcome, and
        /// whether a verify reconciled a lost answer.
        #[arg(long, conflicts_with = "from")]
        trace: bool,
        /// The purchase token (No Code tokens start with `-`: put them after `--`).
        #[arg(
            allow_hyphen_values = true,
            required_unless_present = "from",
            conflicts_with = "from"
        )]
        token: Option<String>,
    },
    /// Run the offline emulator of the Payments API.
    Sandbox(nowgg_sandbox::cli::SandboxArgs),
    /// Start a sandbox in-process and walk through the fulfillment model: verify for
    /// grant, record, grant, consume, a replay, a forged token.
    Demo,
}

/// Where and how to reach the API.
#[derive(Args)]
struct Connection {
    /// The Payments API key from nowStudio.
    #[arg(long, env = "NOWGG_API_KEY", hide_env_values = true)]
    api_key: String,
    /// global or china.
    #[arg(long, default_value = "global", conflicts_with = "base_url")]
    region: String,
    /// A base URL instead of the region's (e.g. a sandbox's).
    #[arg(long, env = "NOWGG_BASE_URL")]
    base_url: Option<String>,
    /// Seconds allowed for each attempt.
    #[arg(long, default_value_t = 10.0)]
    timeout: f64,
}

impl Connection {
    /// The client; with `trace`, one that prints each call's report to stderr.
    fn client(&self, trace: bool) -> Result<Client, Error> {
        let timeout = Duration::try_from_secs_f64(self.timeout).map_err(|_| {
            nowgg_payments::Error::InvalidArgument {
                message: format!("--timeout {} is not a number of seconds", self.timeout),
            }
        })?;
        let mut builder = Client::builder(&self.api_key)
            .region(self.region.parse()?)
            .timeout(timeout)
            .user_agent(concat!("nowgg-cli/", env!("CARGO_PKG_VERSION")));
        if let Some(url) = &self.base_url {
            builder = builder.base_url(url);
        }
        if trace {
            builder = builder.on_report(|report| eprint!("{report}"));
        }
        builder.build()
    }
}

/// The grant check's options for `verify`.
#[derive(Args)]
struct Policy {
    /// The purchase must be of this package (checks that it may be granted).
    #[arg(long)]
    package_name: Option<String>,
    /// A product the purchase may be of; repeat for several (checks that it may be
    /// granted).
    #[arg(long = "product-id", value_name = "PRODUCT_ID")]
    product_ids: Vec<String>,
    /// Test orders may be granted (checks that it may be granted).
    #[arg(long)]
    allow_test_orders: bool,
}

impl Policy {
    /// The policy, when any of its options was given.
    fn given(self) -> Option<GrantPolicy> {
        if self.package_name.is_none() && self.product_ids.is_empty() && !self.allow_test_orders {
            return None;
        }
        let policy = GrantPolicy::new()
            .product_ids(self.product_ids)
            .allow_test_orders(self.allow_test_orders);
        Some(match self.package_name {
            Some(name) => policy.package_name(name),
            None => policy,
        })
    }
}

/// What a consume sends besides the token (with --from: the defaults of plain lines).
#[derive(Args, Clone)]
struct ConsumeFields {
    /// The store: nowgg, xiaomi or onestore (amazon and huawei consume on the client).
    #[arg(long, default_value = "nowgg")]
    store: String,
    /// The product id (required for xiaomi and onestore).
    #[arg(long)]
    product_id: Option<String>,
    /// The purchase's currency (multi-store).
    #[arg(long)]
    currency: Option<String>,
    /// A developer payload (multi-store).
    #[arg(long)]
    developer_payload: Option<String>,
}

impl ConsumeFields {
    fn request(self, token: String) -> Result<ConsumeRequest, Error> {
        let mut request = ConsumeRequest::new(token).store(self.store.parse()?);
        if let Some(v) = self.product_id {
            request = request.product_id(v);
        }
        if let Some(v) = self.currency {
            request = request.currency(v);
        }
        if let Some(v) = self.developer_payload {
            request = request.developer_payload(v);
        }
        Ok(request)
    }
}

fn run(command: Command) -> Result<ExitCode, Error> {
    match command {
        Command::Verify {
            conn,
            policy,
            json,
            trace,
            token,
        } => {
            let client = conn.client(trace)?;
            let purchase = match policy.given() {
                Some(policy) => client.verify_for_grant(&token, &policy)?,
                None => client.verify_purchase(&token)?,
            };
            if json {
                println!("{}", purchase.to_json());
            } else {
                output::purchase(&purchase);
            }
        }
        Command::Consume {
            conn,
            fields,
            from: Some(path),
            concurrency,
            json,
            ..
        } => return batch::run(&conn.client(false)?, &path, &fields, concurrency, json),
        Command::Consume {
            conn,
            fields,
            trace,
            token,
            ..
        } => {
            // clap requires the token when --from is absent.
            let request = fields.request(token.unwrap_or_default())?;
            println!("{}", conn.client(trace)?.consume_purchase(&request)?);
        }
        Command::Sandbox(args) => {
            if let Err(e) = nowgg_sandbox::cli::run(args) {
                eprintln!("sandbox: {e}");
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Demo => demo::run()?,
    }
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    run(Cli::parse().command).unwrap_or_else(|e| {
        eprintln!("{}: {e}", e.kind());
        ExitCode::FAILURE
    })
}
