//! The closed sets of values every face spells out (stores, consume outcomes, purchase
//! and consumption states), each as a table of name and doc that the faces' types and
//! docs are generated from (`cargo xtask codegen`).

use crate::consume::{ConsumeOutcome, Store};
use crate::purchase::{ConsumptionState, PurchaseState};

impl Store {
    /// Every store, the default first.
    pub const ALL: [Store; 5] = [
        Store::Nowgg,
        Store::Xiaomi,
        Store::Onestore,
        Store::Amazon,
        Store::Huawei,
    ];

    /// What consuming a purchase of this store takes, as every face's docs say it.
    pub const fn doc(self) -> &'static str {
        match self {
            Store::Nowgg => "now.gg itself (the default).",
            Store::Xiaomi => "Xiaomi: a multi-store purchase; `product_id` is required.",
            Store::Onestore => "ONEStore: a multi-store purchase; `product_id` is required.",
            Store::Amazon => "Amazon: consumed on the client only, never server-side.",
            Store::Huawei => "Huawei: consumed on the client only, never server-side.",
        }
    }
}

impl ConsumeOutcome {
    /// Both outcomes; either means the purchase is now consumed.
    pub const ALL: [ConsumeOutcome; 2] =
        [ConsumeOutcome::Consumed, ConsumeOutcome::AlreadyConsumed];

    /// What the outcome means, as every face's docs say it.
    pub const fn doc(self) -> &'static str {
        match self {
            ConsumeOutcome::Consumed => "This call consumed the purchase.",
            ConsumeOutcome::AlreadyConsumed => {
                "It was consumed before this call, or this call's answer was lost and a \
                 verify shows it consumed."
            }
        }
    }
}

/// One documented value of a purchase's state field: its number, its name in
/// SCREAMING_SNAKE_CASE (Python's enum member) and its doc.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StateValue {
    /// The number the API sends.
    pub code: i64,
    /// The name faces give it, e.g. `NOT_CONSUMED`.
    pub name: &'static str,
    /// What it means.
    pub doc: &'static str,
}

impl PurchaseState {
    /// The documented values of `purchaseState`.
    pub const DOCUMENTED: [StateValue; 3] = [
        StateValue {
            code: 0,
            name: "UNPAID",
            doc: "Not paid (yet).",
        },
        StateValue {
            code: 1,
            name: "PAID",
            doc: "Paid: the product may be granted (the grant check tells).",
        },
        StateValue {
            code: 2,
            name: "FAILED",
            doc: "The payment failed.",
        },
    ];
}

impl ConsumptionState {
    /// The documented values of `consumptionState`.
    pub const DOCUMENTED: [StateValue; 2] = [
        StateValue {
            code: 0,
            name: "NOT_CONSUMED",
            doc: "Not consumed yet.",
        },
        StateValue {
            code: 1,
            name: "CONSUMED",
            doc: "Consumed: it must not be granted again.",
        },
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tables_match_the_types() {
        for value in PurchaseState::DOCUMENTED {
            assert!(!matches!(
                PurchaseState::from_code(value.code),
                PurchaseState::Unknown(_)
            ));
            assert_eq!(
                format!("{:?}", PurchaseState::from_code(value.code)).to_uppercase(),
                value.name
            );
        }
        for value in ConsumptionState::DOCUMENTED {
            let state = ConsumptionState::from_code(value.code);
            assert!(!matches!(state, ConsumptionState::Unknown(_)));
            assert_eq!(
                format!("{state:?}").to_uppercase(),
                value.name.replace('_', "")
            );
        }
        for store in Store::ALL {
            assert_eq!(store.as_str().parse::<Store>().unwrap(), store);
        }
    }
}
