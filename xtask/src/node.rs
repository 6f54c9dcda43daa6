//! The Node face: the generated regions of `node/index.d.ts`, the unions of the core's
//! closed sets (stores, error codes, grant refusals, consume outcomes) and the options of
//! `new Client(options)` with their docs, in Node's names and units (camelCase, `Ms`).

use std::fmt::Write as _;
use std::path::Path;

use nowgg_payments::{
    ClientOption, ConsumeOutcome, ErrorKind, OptionDefault, OptionRange, OptionUnit, Store,
    MAX_SAFE_INTEGER, OPTIONS,
};

use crate::text::{replace_region, wrapped};
use crate::{read, Output, Result};

const INDEX_D_TS: &str = "node/index.d.ts";

/// The generated Node files.
pub fn files(root: &Path) -> Result<Vec<Output>> {
    let mut text = read(root, INDEX_D_TS)?;
    for (name, region) in [("unions", unions()), ("client options", client_options())] {
        text = replace_region(&text, name, &region).map_err(|e| format!("{INDEX_D_TS}: {e}"))?;
    }
    Ok(vec![Output::new(INDEX_D_TS, text)])
}

/// A JSDoc comment at `indent`: one line when it fits, else a block.
fn jsdoc(text: &str, indent: &str) -> String {
    let line = format!("{indent}/** {text} */");
    if line.len() <= 100 {
        return line + "\n";
    }
    format!(
        "{indent}/**\n{}{indent} */\n",
        wrapped(text, &format!("{indent} * "), 92)
    )
}

/// `'a' | 'b'`.
fn union<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    names
        .into_iter()
        .map(|name| format!("'{name}'"))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Writes `export type <name>` as the union of `names`, under its doc.
fn union_type<'a>(
    out: &mut String,
    doc: &str,
    name: &str,
    names: impl IntoIterator<Item = &'a str>,
) {
    out.push_str(&jsdoc(doc, ""));
    writeln!(out, "export type {name} = {}", union(names)).unwrap();
}

fn unions() -> String {
    let mut out = String::new();
    let stores = Store::ALL
        .map(|store| format!("`'{}'`: {}", store.as_str(), store.doc()))
        .join(" ");
    union_type(
        &mut out,
        &format!("The store a purchase was made in (case is ignored). {stores}"),
        "Store",
        Store::ALL.map(Store::as_str),
    );
    out.push('\n');

    out.push_str(
        "/**\n * The kinds of error: `NowggError.code`, the same names in every language.\n *\n",
    );
    for kind in ErrorKind::ALL {
        let item = format!("- `{}` ({}): {}", kind.name(), kind.code(), kind.doc());
        let text = wrapped(&item, " *   ", 92);
        out.push_str(&text.replacen(" *   -", " * -", 1));
    }
    out.push_str(" */\nexport type ErrorCode =\n");
    for kind in ErrorKind::ALL {
        writeln!(out, "  | '{}'", kind.name()).unwrap();
    }
    out.push('\n');

    union_type(
        &mut out,
        "The codes `verifyForGrant` refuses a purchase with (it is genuine, but not to be granted).",
        "GrantRefusal",
        ErrorKind::GRANT_REFUSALS.map(ErrorKind::name),
    );
    out.push('\n');

    let outcomes = ConsumeOutcome::ALL
        .map(|outcome| format!("`'{}'`: {}", outcome.as_str(), outcome.doc()))
        .join(" ");
    union_type(
        &mut out,
        &format!("How a consume ended well: either way the purchase is now consumed. {outcomes}"),
        "ConsumeOutcome",
        ConsumeOutcome::ALL.map(ConsumeOutcome::as_str),
    );
    out
}

fn node_type(option: &ClientOption) -> &'static str {
    match option.unit {
        OptionUnit::Text if option.name == "region" => "Region",
        OptionUnit::Text | OptionUnit::Pem => "string",
        _ => "number",
    }
}

/// The option's unit, default and range in Node's terms, e.g. `in ms; default 10000;
/// more than 0, at most 86400000`.
fn terms(option: &ClientOption) -> String {
    let mut terms = Vec::new();
    match option.unit {
        OptionUnit::Duration => terms.push("in ms".to_owned()),
        OptionUnit::Bytes => terms.push("in bytes".to_owned()),
        _ => {}
    }
    match option.default {
        OptionDefault::Text(text) => terms.push(format!("default `'{text}'`")),
        OptionDefault::Duration(duration) => {
            terms.push(format!("default {}", duration.as_millis()))
        }
        OptionDefault::Count(count) => terms.push(format!("default {count}")),
        _ => {}
    }
    match option.range {
        OptionRange::Duration { max } => {
            terms.push(format!("more than 0, at most {}", max.as_millis()));
        }
        OptionRange::Count { min, max } if max == MAX_SAFE_INTEGER => {
            terms.push(format!("{min} to 2^53-1"));
        }
        OptionRange::Count { min, max } => terms.push(format!("{min} to {max}")),
        _ => {}
    }
    terms.join("; ")
}

fn client_options() -> String {
    let mut out = String::from(
        "/**\n * Options of `new Client(options)`; only `apiKey` is required. Numbers must be finite,\n * \
         not negative and at most 2^53-1 (counts also whole); the core checks every range, the\n * \
         same in every language, and refuses what is out of it with `INVALID_ARGUMENT`.\n */\n\
         export interface ClientOptions {\n  \
         /** The Payments API key from nowStudio. It never leaves the native addon. */\n  \
         apiKey: string\n",
    );
    for option in &OPTIONS {
        let terms = terms(option);
        let doc = if terms.is_empty() {
            option.doc.to_owned()
        } else {
            let (first, rest) = terms.split_at(1);
            format!("{} {}{rest}.", option.doc, first.to_uppercase())
        };
        out.push_str(&jsdoc(&doc, "  "));
        writeln!(out, "  {}?: {}", option.node_name, node_type(option)).unwrap();
    }
    out.push_str("}\n");
    out
}
