//! Everything a sandbox remembers, and the operations the control API and the Rust API
//! share.

use serde_json::Value;

use crate::faults::{Fault, FaultQueue};
use crate::fixtures::Fixture;
use crate::purchases::{InvalidPurchase, Listed, NewPurchase, PurchaseUpdate, Purchases};
use crate::requests::{RequestLog, RequestRecord};

/// The sandbox's state. Each part has its own lock, held only for in-memory work.
pub(crate) struct State {
    /// The key the `Authorization` header must carry.
    pub(crate) api_key: String,
    /// The key every control request must carry, if any (`Config::control_key`).
    pub(crate) control_key: Option<String>,
    fixtures: Vec<Fixture>,
    pub(crate) purchases: Purchases,
    pub(crate) faults: FaultQueue,
    pub(crate) log: RequestLog,
}

impl State {
    /// A state holding `fixtures`.
    pub(crate) fn new(
        api_key: String,
        control_key: Option<String>,
        fixtures: Vec<Fixture>,
    ) -> Result<State, InvalidPurchase> {
        let state = State {
            api_key,
            control_key,
            fixtures,
            purchases: Purchases::default(),
            faults: FaultQueue::default(),
            log: RequestLog::default(),
        };
        state.load_fixtures()?;
        Ok(state)
    }

    fn load_fixtures(&self) -> Result<(), InvalidPurchase> {
        for fixture in &self.fixtures {
            self.purchases
                .insert(NewPurchase::from(fixture.clone()))
                .map_err(|e| InvalidPurchase::new(format!("fixture {:?}: {e}", fixture.token)))?;
        }
        Ok(())
    }

    /// Back to the fixtures, with no faults and an empty request log.
    pub(crate) fn reset(&self) {
        self.faults.clear();
        self.purchases.clear();
        self.load_fixtures()
            .expect("fixtures were checked when the sandbox started");
        self.log.clear();
    }

    /// Stores a purchase; returns its token.
    pub(crate) fn add_purchase(&self, purchase: NewPurchase) -> Result<String, InvalidPurchase> {
        self.purchases.insert(purchase)
    }

    /// The stored `data` of `token`.
    pub(crate) fn purchase(&self, token: &str) -> Option<Value> {
        self.purchases.with_data(token, Value::clone)
    }

    /// Every purchase, oldest first.
    pub(crate) fn purchase_list(&self) -> Vec<Listed> {
        self.purchases.list()
    }

    /// Changes a purchase; its new `data`, or `None` if the token is unknown.
    pub(crate) fn update_purchase(&self, token: &str, update: PurchaseUpdate) -> Option<Value> {
        self.purchases.update(token, update)
    }

    /// The faults waiting, in order.
    pub(crate) fn faults(&self) -> Vec<Fault> {
        self.faults.list()
    }

    /// Drops every queued fault.
    pub(crate) fn clear_faults(&self) {
        self.faults.clear();
    }

    /// Queues faults.
    pub(crate) fn add_faults(&self, faults: impl IntoIterator<Item = Fault>) {
        self.faults.push(faults);
    }

    /// The API requests since the last reset (only the `last` ones, if given).
    pub(crate) fn requests(&self, last: Option<usize>) -> Vec<RequestRecord> {
        self.log.all(last)
    }
}
