//! The Node face: the generated regions of `node/index.d.ts`, the unions of the core's
//! closed sets (stores, error codes, grant refusals, consume outcomes) and the options of
//! `new Client(options)` with their docs, in Node's names and units (camelCase, `Ms`).

use std::fmt::Write as _;
use std::path::Path;

use nowgg_payments::{
    ClientOption, ConsumeOutcome, ErrorKind, OptionUnit, Store, MAX_SAFE_INTEGER, OPTIONS,
};

use crate::options::{terms, Spelling};
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

/// Writes `export type <name>` as the union of the names of `members`, under `intro`
/// followed by each member's name and doc.
fn listed_union<const N: usize>(
    out: &mut String,
    intro: &str,
    name: &str,
    members: [(&str, &str); N],
) {
    let listed = members.map(|(member, doc)| format!("`'{member}'`: {doc}"));
    union_type(
        out,
        &format!("{intro} {}", listed.join(" ")),
        name,
        members.map(|(member, _)| member),
    );
}

fn unions() -> String {
    let mut out = String::new();
    listed_union(
        &mut out,
        "The store a purchase was made in (case is ignored).",
        "Store",
        Store::ALL.map(|store| (store.as_str(), store.doc())),
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

    listed_union(
        &mut out,
        "How a consume ended well: either way the purchase is now consumed.",
        "ConsumeOutcome",
        ConsumeOutcome::ALL.map(|outcome| (outcome.as_str(), outcome.doc())),
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

/// Options' terms as the d.ts docs write them: milliseconds, text as a quoted literal,
/// and 2^53-1 for the largest safe integer.
const SPELLING: Spelling = Spelling {
    duration_unit: "in ms",
    bytes_unit: "in bytes",
    text: |text| format!("`'{text}'`"),
    duration: |duration| duration.as_millis().to_string(),
    count: |count| match count {
        MAX_SAFE_INTEGER => "2^53-1".to_owned(),
        count => count.to_string(),
    },
};

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
        let terms = terms(option, &SPELLING);
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
