//! `nowgg consume --from FILE`: consume a batch of purchases (an operator's sweep over
//! recorded, unconsumed orders), a few at a time, with a progress bar and a summary.
//!
//! Consume is "make sure it is consumed", so a run cut short is simply started again:
//! what the first run consumed answers `already_consumed`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use nowgg_payments::{short_token, Client, ConsumeOutcome, ConsumeRequest, Error};
use serde_json::{json, Value};

use crate::ConsumeFields;

/// One line of the file: its number, and the request it holds (or why it holds none).
struct Entry {
    line: usize,
    token: String,
    request: Result<ConsumeRequest, Error>,
}

/// Consumes every entry of `path`, `concurrency` at a time; failure when any failed.
pub fn run(
    client: &Client,
    path: &Path,
    defaults: &ConsumeFields,
    concurrency: usize,
    json: bool,
) -> Result<ExitCode, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::InvalidArgument {
        message: format!("--from {}: {e}", path.display()),
    })?;
    let entries: Vec<Entry> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty() && !line.trim_start().starts_with('#'))
        .map(|(i, line)| entry(i + 1, line.trim(), defaults))
        .collect();
    let bar = if json {
        ProgressBar::hidden()
    } else {
        // Drawn only when stderr is a terminal.
        let bar =
            ProgressBar::with_draw_target(Some(entries.len() as u64), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} {msg} ({eta} left)")
                .expect("a valid template"),
        );
        bar
    };
    let mut summary = Summary::default();
    consume_all(client, &entries, concurrency.max(1), |entry, result| {
        summary.add(&result);
        if json {
            println!("{}", result_line(entry, &result));
        } else if let Err(e) = &result {
            bar.println(format!(
                "line {} ({}): {}: {e}",
                entry.line,
                short_token(&entry.token),
                e.kind()
            ));
        }
        bar.inc(1);
        bar.set_message(summary.short());
    });
    bar.finish_and_clear();
    let text = summary.to_string();
    if json {
        eprintln!("{text}");
    } else {
        println!("{text}");
    }
    Ok(if summary.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Reads one line: a bare token, or a JSON object with the consume's fields.
fn entry(line: usize, text: &str, defaults: &ConsumeFields) -> Entry {
    if !text.starts_with('{') {
        return Entry {
            line,
            token: text.to_owned(),
            request: defaults.clone().request(text.to_owned()),
        };
    }
    let object: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    let field = |name: &str| object[name].as_str().map(str::to_owned);
    let token = field("token").unwrap_or_default();
    let request = if object.is_object() && !token.is_empty() {
        let fields = ConsumeFields {
            store: field("store").unwrap_or_else(|| defaults.store.clone()),
            product_id: field("productId").or_else(|| defaults.product_id.clone()),
            currency: field("currency").or_else(|| defaults.currency.clone()),
            developer_payload: field("developerPayload")
                .or_else(|| defaults.developer_payload.clone()),
        };
        fields.request(token.clone())
    } else {
        Err(Error::InvalidArgument {
            message: format!("line {line} is neither a token nor a JSON object with a token"),
        })
    };
    Entry {
        line,
        token,
        request,
    }
}

/// Runs every entry's consume on `concurrency` threads, handing each result to `each`
/// on this thread as it ends.
fn consume_all(
    client: &Client,
    entries: &[Entry],
    concurrency: usize,
    mut each: impl FnMut(&Entry, Result<ConsumeOutcome, Error>),
) {
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel();
    thread::scope(|scope| {
        for _ in 0..concurrency.min(entries.len()) {
            let (tx, next) = (tx.clone(), &next);
            scope.spawn(move || {
                while let Some(entry) = entries.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let result = match &entry.request {
                        Ok(request) => client.consume_purchase(request),
                        Err(e) => Err(e.clone()),
                    };
                    if tx.send((entry, result)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        rx.into_iter()
            .for_each(|(entry, result)| each(entry, result));
    });
}

/// One `--json` result line.
fn result_line(entry: &Entry, result: &Result<ConsumeOutcome, Error>) -> Value {
    let token = short_token(&entry.token);
    match result {
        Ok(outcome) => json!({"line": entry.line, "token": token, "outcome": outcome.as_str()}),
        Err(e) => json!({
            "line": entry.line,
            "token": token,
            "error": {"kind": e.kind().name(), "message": e.message(), "retryable": e.is_retryable()},
        }),
    }
}

/// What a batch came to.
#[derive(Default)]
struct Summary {
    consumed: usize,
    already_consumed: usize,
    /// Failures by kind name.
    failed: BTreeMap<&'static str, usize>,
}

impl Summary {
    fn add(&mut self, result: &Result<ConsumeOutcome, Error>) {
        match result {
            Ok(ConsumeOutcome::Consumed) => self.consumed += 1,
            Ok(ConsumeOutcome::AlreadyConsumed) => self.already_consumed += 1,
            Err(e) => *self.failed.entry(e.kind().name()).or_default() += 1,
        }
    }

    fn failures(&self) -> usize {
        self.failed.values().sum()
    }

    /// The progress bar's message.
    fn short(&self) -> String {
        format!(
            "{} consumed, {} already, {} failed",
            self.consumed,
            self.already_consumed,
            self.failures()
        )
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "consumed: {}, already consumed: {}, failed: {}",
            self.consumed,
            self.already_consumed,
            self.failures()
        )?;
        if !self.failed.is_empty() {
            let kinds: Vec<String> = self
                .failed
                .iter()
                .map(|(k, n)| format!("{k}: {n}"))
                .collect();
            write!(f, " ({})", kinds.join(", "))?;
        }
        Ok(())
    }
}
