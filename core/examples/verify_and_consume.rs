//! The flow a game backend runs when a player's client reports a purchase: verify,
//! consume, grant. Consuming before granting makes the consume the lock: when two
//! servers race on one token, exactly one consume succeeds, so exactly one grants. Runs against an in-process sandbox unless NOWGG_BASE_URL and
//! NOWGG_API_KEY point it at a real endpoint.
//!
//! `cargo run -p nowgg-payments --example verify_and_consume [TOKEN]`

use nowgg_payments::{Client, ConsumeRequest, ErrorKind};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let token = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "-nowgg-sample-paid".into());
    // Keep the sandbox alive for the whole run when we start one.
    let (_sandbox, base_url, key) = match std::env::var("NOWGG_BASE_URL") {
        Ok(url) => (None, url, std::env::var("NOWGG_API_KEY")?),
        Err(_) => {
            let sandbox = nowgg_sandbox::Sandbox::start(nowgg_sandbox::Config::new("example-key"))?;
            let url = sandbox.url();
            (Some(sandbox), url, "example-key".to_owned())
        }
    };
    let client = Client::builder(key).base_url(base_url).build()?;

    let purchase = client.verify_purchase(&token)?;
    if !purchase.is_paid() || purchase.is_consumed() {
        println!(
            "nothing to grant: paid={}, consumed={}",
            purchase.is_paid(),
            purchase.is_consumed()
        );
        return Ok(());
    }
    println!(
        "granting {} (order {})",
        purchase.product_id().unwrap_or("?"),
        purchase.order_id().unwrap_or("?")
    );
    match client.consume_purchase(&ConsumeRequest::new(&token)) {
        Ok(()) => println!("consumed"),
        // Another server consumed it between our verify and consume: it was granted there.
        Err(e) if e.kind() == ErrorKind::ErrorConsumingProduct => {
            println!("already consumed elsewhere")
        }
        Err(e) => return Err(e.into()),
    }
    Ok(())
}
