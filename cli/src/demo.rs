//! `nowgg demo`: the fulfillment model a game backend follows, against an in-process
//! sandbox, so anyone can watch it work with no account and no network: verify for
//! grant, record the grant under its orderId, grant, consume; then a replay, a lost
//! consume answer, and a forged token.

use std::collections::HashMap;

use nowgg_payments::{Client, ConsumeRequest, Error, ErrorKind, GrantPolicy, Purchase};
use nowgg_sandbox::{Action, Config, Fault, Match, Sandbox};

const DEMO_KEY: &str = "demo-payments-api-key";
const TOKEN: &str = "-nowgg-sample-paid";

/// The grant record: one row per orderId. A real backend keeps it in its database
/// under a unique key (the examples use SQLite); here a map stands in for the table.
type Ledger = HashMap<String, String>;

/// A backend's purchase handler: what the player is told about `token`.
fn redeem(client: &Client, ledger: &mut Ledger, policy: &GrantPolicy, token: &str) -> String {
    match client.verify_for_grant(token, policy) {
        Ok(purchase) => fulfil(client, ledger, &purchase, token),
        Err(e) => format!("refused: {}: {e}", e.kind()),
    }
}

/// Steps 2 to 4 of the model for a purchase that passed the grant check: record it
/// (an existing row means it was delivered: stop), grant, consume.
fn fulfil(client: &Client, ledger: &mut Ledger, purchase: &Purchase, token: &str) -> String {
    let order_id = purchase.order_id().unwrap_or_default().to_owned();
    if ledger.contains_key(&order_id) {
        return format!("already delivered (the record for order {order_id} exists)");
    }
    let product = purchase.product_id().or(purchase.seller_goods_id());
    let product = product.unwrap_or("?").to_owned();
    ledger.insert(order_id.clone(), product.clone());
    match client.consume_purchase(&ConsumeRequest::new(token)) {
        Ok(outcome) => format!("recorded order {order_id}, granted {product}; consume: {outcome}"),
        Err(e) => format!(
            "recorded order {order_id}, granted {product}; consume left for the sweep: {}",
            e.kind()
        ),
    }
}

pub fn run() -> Result<(), Error> {
    let sandbox = Sandbox::start(Config::new(DEMO_KEY)).map_err(|e| Error::Connection {
        message: format!("could not start the sandbox: {e}"),
    })?;
    println!(
        "1. sandbox listening on {} (the vendor's sample purchases loaded)",
        sandbox.url()
    );
    let client = Client::builder(DEMO_KEY).base_url(sandbox.url()).build()?;
    // The vendor's sample carries placeholders for its package name and product.
    let policy = GrantPolicy::new()
        .package_name("<package_name>")
        .product_id("11223343");
    let mut ledger = Ledger::new();

    println!("\n2. the game client reports token {TOKEN}; the backend verifies it for grant");
    println!("   (paid, not consumed, package <package_name>, product 11223343)");
    let purchase = client.verify_for_grant(TOKEN, &policy)?;
    crate::output::purchase(&purchase);

    println!("\n3. the same token reaches two servers at once (a retrying game client):");
    let on_server_a = client.verify_for_grant(TOKEN, &policy)?;
    let on_server_b = client.verify_for_grant(TOKEN, &policy)?;
    println!("   both verifies pass, since nothing is consumed yet: the record decides");
    // The sandbox applies server A's consume but loses its answer, as a network can.
    sandbox.add_fault(Fault::new(Action::DropAfter).on(Match::Consume));
    let a = fulfil(&client, &mut ledger, &on_server_a, TOKEN);
    println!("   server A: {a}");
    let b = fulfil(&client, &mut ledger, &on_server_b, TOKEN);
    println!("   server B: {b}");
    expect(
        b.starts_with("already delivered"),
        "the record stops the second grant",
    )?;

    println!("\n4. server A's consume answer was lost, yet its outcome is known: a verify");
    println!("   showed the purchase consumed (already_consumed). Consuming again is safe:");
    let again = client.consume_purchase(&ConsumeRequest::new(TOKEN))?;
    println!("   consume: {again}");

    println!("\n5. a later replay of the token is refused by the grant check");
    let replay = redeem(&client, &mut ledger, &policy, TOKEN);
    println!("   {replay}");
    expect(
        replay.contains(ErrorKind::AlreadyConsumed.name()),
        "a replay is refused",
    )?;

    println!("\n6. a forged token is refused by now.gg");
    let forged = redeem(&client, &mut ledger, &policy, "-nowgg-forged-token");
    println!("   {forged}");
    expect(
        forged.contains(ErrorKind::InvalidPurchaseToken.name()),
        "a forged token is refused",
    )?;
    expect(ledger.len() == 1, "exactly one grant is recorded")?;
    println!("\ndemo complete: one purchase, one grant record, consumed");
    Ok(())
}

/// Fails the demo when what it shows did not happen.
fn expect(holds: bool, what: &str) -> Result<(), Error> {
    if holds {
        Ok(())
    } else {
        Err(Error::Internal {
            message: format!("demo: expected that {what}"),
        })
    }
}
