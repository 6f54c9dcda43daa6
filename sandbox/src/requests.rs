//! The log of API requests received, for tests to inspect what a client really sent.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::http::Request;

/// How many requests the log keeps; past it the oldest go, so a long benchmark against
/// one sandbox does not grow without bound.
pub const REQUEST_LOG_LIMIT: usize = 100_000;

/// One API request as the sandbox received it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRecord {
    /// The method (`POST`).
    pub method: String,
    /// The path, without any query string.
    pub path: String,
    /// Headers by lower-case name (repeated ones joined with `", "`), never
    /// `authorization`.
    pub headers: BTreeMap<String, String>,
    /// Form fields of the body (the first value of a repeated field).
    pub form: BTreeMap<String, String>,
    /// Whether the `Authorization` header carried the right key.
    pub authorized: bool,
    /// How many API requests the sandbox was serving when this one arrived, itself
    /// included: the client's concurrency as the server saw it (e.g. to check a
    /// `max_in_flight` bound).
    #[serde(default)]
    pub in_flight: usize,
}

impl RequestRecord {
    /// Records `request`, checking its key against `api_key`; `in_flight` API requests
    /// were being served on its arrival, itself included.
    pub(crate) fn of(request: &Request, api_key: &str, in_flight: usize) -> RequestRecord {
        let mut headers = BTreeMap::new();
        for (name, value) in &request.headers {
            if name == "authorization" {
                continue;
            }
            headers
                .entry(name.clone())
                .and_modify(|joined: &mut String| {
                    joined.push_str(", ");
                    joined.push_str(value);
                })
                .or_insert_with(|| value.clone());
        }
        // The first Authorization header is the one that counts, as for any lookup here.
        let authorized = request.header("authorization") == Some(api_key);
        let mut form = BTreeMap::new();
        for (name, value) in request.form() {
            form.entry(name).or_insert(value);
        }
        RequestRecord {
            method: request.method.clone(),
            path: request.path.clone(),
            headers,
            form,
            authorized,
            in_flight,
        }
    }
}

/// The requests since the last reset, oldest first. Records are shared with the
/// request's own handler, so logging one costs no copy.
#[derive(Default)]
pub(crate) struct RequestLog {
    records: Mutex<VecDeque<Arc<RequestRecord>>>,
}

impl RequestLog {
    /// Appends a record, dropping the oldest past [`REQUEST_LOG_LIMIT`].
    pub(crate) fn push(&self, record: Arc<RequestRecord>) {
        let mut records = self.lock();
        if records.len() == REQUEST_LOG_LIMIT {
            records.pop_front();
        }
        records.push_back(record);
    }

    /// A copy of every record.
    pub(crate) fn all(&self) -> Vec<RequestRecord> {
        self.lock()
            .iter()
            .map(|r| RequestRecord::clone(r))
            .collect()
    }

    /// Empties the log.
    pub(crate) fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Arc<RequestRecord>>> {
        // Each update is a single push or pop, so a poisoned log is still consistent.
        self.records.lock().unwrap_or_else(|e| e.into_inner())
    }
}
