//! How a purchase reads in a terminal.

use nowgg_payments::{Purchase, StringField};

/// Prints the purchase's state, then every field the vendor sent, one per line.
pub fn purchase(p: &Purchase) {
    let paid = match p.purchase_state() {
        Some(state) if p.is_paid() => format!("paid ({})", state.code()),
        Some(state) => format!("NOT paid ({state:?})"),
        None => "payment state unknown".to_owned(),
    };
    let consumed = if p.is_consumed() {
        "already consumed"
    } else {
        "not consumed"
    };
    let test = if p.is_test_order() {
        ", test order"
    } else {
        ""
    };
    println!("purchase: {paid}, {consumed}{test}");
    if let Some(ms) = p.purchase_time_ms() {
        println!("  {:<20} {ms} ms since the epoch", "purchase time");
    }
    for field in StringField::ALL {
        if let Some(value) = p.string_field(field) {
            println!("  {:<20} {value}", field.api_name());
        }
    }
}
