//! The core's `log` records, sent to Python's `logging` under the `nowgg_payments` logger.

use log::LevelFilter;
use pyo3::prelude::*;
use pyo3_log::{Caching, Logger};

/// Routes the core's records (targets `nowgg_payments::*`, so Python loggers
/// `nowgg_payments.*`) into `logging`. Other crates' records (ureq's) are dropped before
/// they reach Python: they are not ours to publish.
pub(crate) fn install(py: Python<'_>) -> PyResult<()> {
    // Cache the logger objects but not their levels: the core logs rarely (retries,
    // fallbacks), and levels changed at run time (`caplog`, `logging.config`) then apply.
    let logger = Logger::new(py, Caching::Loggers)?
        .filter(LevelFilter::Off)
        .filter_target("nowgg_payments".to_owned(), LevelFilter::Debug);
    // The `log` facade takes one logger per process. If another extension installed its
    // own first, the core's records go there: the package still works, only quieter.
    let _ = logger.install();
    Ok(())
}
