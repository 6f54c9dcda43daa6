//! The error table of the READMEs: every kind with its code, Python class, whether it is
//! retryable and its doc, written between `<!-- generated: errors -->` and
//! `<!-- /generated: errors -->` in each README that has those markers.

use std::fmt::Write as _;
use std::path::Path;

use nowgg_payments::ErrorKind;

use crate::text::{has_region, replace_region};
use crate::{Output, Result};

/// The READMEs that may hold the table.
const READMES: [&str; 4] = [
    "README.md",
    "py/README.md",
    "node/README.md",
    "ffi-c/README.md",
];

/// Each README with its table filled in (those without the markers are left alone).
pub fn files(root: &Path) -> Result<Vec<Output>> {
    let mut outputs = Vec::new();
    for path in READMES {
        let Ok(text) = std::fs::read_to_string(root.join(path)) else {
            continue;
        };
        if has_region(&text, "errors") {
            let text = replace_region(&text, "errors", &error_table())
                .map_err(|e| format!("{path}: {e}"))?;
            outputs.push(Output::new(path, text));
        }
    }
    Ok(outputs)
}

/// The table in Markdown. The kind is Node's `code` and, prefixed with `NOWGG_`, C's
/// status; its number is C's status value.
pub fn error_table() -> String {
    let mut out = String::from(
        "| kind (Node `code`; C `NOWGG_`...) | number | Python | retryable | meaning |\n\
         |---|---|---|---|---|\n",
    );
    for kind in ErrorKind::ALL {
        writeln!(
            out,
            "| `{}` | {} | `{}` | {} | {} |",
            kind.name(),
            kind.code(),
            kind.python_class(),
            kind.retryable_when(),
            kind.doc().replace('|', "\\|"),
        )
        .unwrap();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scratch_readme_gets_one_row_per_kind() {
        let scratch =
            "# Errors\n\n<!-- generated: errors -->\n<!-- /generated: errors -->\n\nmore\n";
        let filled = replace_region(scratch, "errors", &error_table()).unwrap();
        assert_eq!(filled.matches("\n| `").count(), ErrorKind::ALL.len());
        assert!(filled.contains("| `TIMEOUT` | 100 | `Timeout` | yes |"));
        assert!(filled.ends_with("<!-- /generated: errors -->\n\nmore\n"));
    }
}
