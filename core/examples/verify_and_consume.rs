//! What a game backend runs when a player's client reports a purchase: verify for grant,
//! record the grant under its orderId, grant, consume. The record is the lock: a replay
//! of the same token (or a second server racing on it) finds the row and grants nothing.
//! Here the "database" is a set in memory; a real backend uses a table with a unique key
//! (the Python, Node and C++ examples use SQLite).
//!
//! Runs against an in-process sandbox unless NOWGG_BASE_URL and NOWGG_API_KEY point it
//! at a real endpoint: `cargo run -p nowgg-payments --example verify_and_consume [TOKEN]`

use std::collections::HashSet;
use std::sync::Mutex;

use nowgg_payments::{Client, ConsumeRequest, GrantPolicy};

/// Grants the purchase behind `token` at most once; returns what the player is told.
fn redeem(client: &Client, granted: &Mutex<HashSet<String>>, token: &str) -> String {
    let policy = GrantPolicy::new().package_name("com.example.game");
    let purchase = match client.verify_for_grant(token, &policy) {
        Ok(purchase) => purchase,
        Err(e) => return format!("refused: {}: {e}", e.kind()),
    };
    let order_id = purchase.order_id().unwrap_or_default().to_owned();
    // 2. The record: inserting an orderId that exists means "already delivered".
    if !granted.lock().unwrap().insert(order_id.clone()) {
        return format!("already delivered (order {order_id})");
    }
    // 3. Grant (a real backend does it in the same transaction as the record).
    let product = purchase.product_id().or(purchase.seller_goods_id());
    let granted_text = format!("granted {} (order {order_id})", product.unwrap_or("?"));
    // 4. Consume: both outcomes mean done; an error leaves the order for a later sweep.
    match client.consume_purchase(&ConsumeRequest::new(token)) {
        Ok(outcome) => format!("{granted_text}; consume: {outcome}"),
        Err(e) => format!("{granted_text}; consume will be retried: {}", e.kind()),
    }
}

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
    let granted = Mutex::new(HashSet::new());
    println!("first: {}", redeem(&client, &granted, &token));
    println!("replay: {}", redeem(&client, &granted, &token));
    println!("forged: {}", redeem(&client, &granted, "-nowgg-forged"));
    Ok(())
}
