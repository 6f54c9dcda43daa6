//! `nowgg demo`: the flow a game backend runs (verify, consume, grant), against an in-process sandbox, so anyone
//! can see it work with no account and no network.

use nowgg_payments::{Client, ConsumeRequest, Error, ErrorKind};
use nowgg_sandbox::{Config, Sandbox};

const DEMO_KEY: &str = "demo-payments-api-key";
const TOKEN: &str = "-nowgg-sample-paid";

pub fn run() -> Result<(), Error> {
    let sandbox = Sandbox::start(Config::new(DEMO_KEY)).map_err(|e| Error::Connection {
        message: format!("could not start the sandbox: {e}"),
    })?;
    println!(
        "1. sandbox listening on {} (the vendor's sample purchases loaded)",
        sandbox.url()
    );
    let client = Client::builder(DEMO_KEY).base_url(sandbox.url()).build()?;

    println!("\n2. the game client reports token {TOKEN}; the backend verifies it");
    let purchase = client.verify_purchase(TOKEN)?;
    crate::output::purchase(&purchase);

    if !purchase.is_paid() || purchase.is_consumed() {
        println!("\n   not paid or already consumed: nothing to grant");
        return Ok(());
    }
    println!("\n3. paid and not consumed: consume it first; the consume is the lock that makes");
    println!("   a double grant impossible (of two servers racing, only one consume succeeds)");
    client.consume_purchase(&ConsumeRequest::new(TOKEN))?;
    println!("   consumed");

    println!(
        "\n4. the consume succeeded: grant product {} to the player (order {})",
        purchase.product_id().unwrap_or("?"),
        purchase.order_id().unwrap_or("?")
    );

    println!("\n5. a replay of the same token tries to consume it again");
    match client.consume_purchase(&ConsumeRequest::new(TOKEN)) {
        Err(e) if e.kind() == ErrorKind::ErrorConsumingProduct => {
            println!("   refused, as it must be: {}: {e}", e.kind())
        }
        other => {
            eprintln!("demo: a second consume must be refused, got {other:?}");
            std::process::exit(1);
        }
    }

    println!("\n6. verifying again shows the purchase consumed");
    let again = client.verify_purchase(TOKEN)?;
    println!("   is_consumed = {}", again.is_consumed());

    println!("\n7. a forged token is rejected");
    let forged = client.verify_purchase("-nowgg-forged-token").unwrap_err();
    println!("   {}: {forged}", forged.kind());
    println!("\ndemo complete");
    Ok(())
}
