//! `nowgg`: verify and consume now.gg purchases from a shell, run the offline sandbox,
//! or watch the whole verify -> grant -> consume flow in `nowgg demo`.

mod demo;
mod output;

use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use nowgg_payments::{Client, ConsumeRequest, Error};

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
    /// Verify a purchase token and print the purchase.
    Verify {
        #[command(flatten)]
        conn: Connection,
        /// Print the purchase's `data` object as JSON, with the API's own field names.
        #[arg(long)]
        json: bool,
        /// The purchase token (No Code tokens start with `-`: put them after `--`).
        #[arg(allow_hyphen_values = true)]
        token: String,
    },
    /// Consume a purchase (after granting it).
    Consume {
        #[command(flatten)]
        conn: Connection,
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
        /// The purchase token (No Code tokens start with `-`: put them after `--`).
        #[arg(allow_hyphen_values = true)]
        token: String,
    },
    /// Run the offline emulator of the Payments API.
    Sandbox(nowgg_sandbox::cli::SandboxArgs),
    /// Start a sandbox in-process and walk through verify, grant, consume.
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
    fn client(&self) -> Result<Client, Error> {
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
        builder.build()
    }
}

fn run(command: Command) -> Result<(), Error> {
    match command {
        Command::Verify { conn, json, token } => {
            let purchase = conn.client()?.verify_purchase(&token)?;
            if json {
                println!("{}", serde_json::Value::Object(purchase.raw().clone()));
            } else {
                output::purchase(&purchase);
            }
        }
        Command::Consume {
            conn,
            store,
            product_id,
            currency,
            developer_payload,
            token,
        } => {
            let mut request = ConsumeRequest::new(&token).store(store.parse()?);
            if let Some(v) = product_id {
                request = request.product_id(v);
            }
            if let Some(v) = currency {
                request = request.currency(v);
            }
            if let Some(v) = developer_payload {
                request = request.developer_payload(v);
            }
            conn.client()?.consume_purchase(&request)?;
            println!("consumed");
        }
        Command::Sandbox(args) => {
            if let Err(e) = nowgg_sandbox::cli::run(args.into()) {
                eprintln!("sandbox: {e}");
                std::process::exit(1);
            }
        }
        Command::Demo => demo::run()?,
    }
    Ok(())
}

fn main() -> ExitCode {
    match run(Cli::parse().command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}: {e}", e.kind());
            ExitCode::FAILURE
        }
    }
}
