//! `nowgg-sandbox`: serves the Payments API emulator until killed.

use std::process::ExitCode;

use clap::Parser;
use nowgg_sandbox::cli::{run, SandboxArgs};

/// An offline, stateful emulator of now.gg's Payments API.
#[derive(Parser)]
#[command(name = "nowgg-sandbox", version, about)]
struct Cli {
    #[command(flatten)]
    args: SandboxArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("nowgg-sandbox: {e}");
            ExitCode::FAILURE
        }
    }
}
