//! The error table of the READMEs: every kind with whether it is retryable and its doc,
//! named as the README's language names it (the overview gives every name), written
//! between `<!-- generated: errors -->` and `<!-- /generated: errors -->` in each README
//! that has those markers.

use std::fmt::Write as _;
use std::path::Path;

use nowgg_payments::ErrorKind;

use crate::text::{has_region, replace_region};
use crate::{Output, Result};

/// How a README names a kind: its table's first columns, and those cells of one kind.
struct Naming {
    path: &'static str,
    head: &'static str,
    cells: fn(ErrorKind) -> String,
}

/// The READMEs that may hold the table, each naming the kinds as its language does.
const READMES: [Naming; 4] = [
    Naming {
        path: "README.md",
        head: "kind (Node `code`; C `NOWGG_`...) | number | Python",
        cells: |kind| {
            format!(
                "`{}` | {} | `{}`",
                kind.name(),
                kind.code(),
                kind.python_class()
            )
        },
    },
    Naming {
        path: "py/README.md",
        head: "exception (`e.kind`)",
        cells: |kind| format!("`{}` (`{}`)", kind.python_class(), kind.name()),
    },
    Naming {
        path: "node/README.md",
        head: "`error.code`",
        cells: |kind| format!("`'{}'`", kind.name()),
    },
    Naming {
        path: "ffi-c/README.md",
        head: "`nowgg_status` (C++ `e.kind_name()`) | value",
        cells: |kind| {
            format!(
                "`NOWGG_{}` (`{}`) | {}",
                kind.name(),
                kind.name(),
                kind.code()
            )
        },
    },
];

/// Each README with its table filled in (those without the markers are left alone).
pub fn files(root: &Path) -> Result<Vec<Output>> {
    let mut outputs = Vec::new();
    for naming in &READMES {
        let path = naming.path;
        let Ok(text) = std::fs::read_to_string(root.join(path)) else {
            continue;
        };
        if has_region(&text, "errors") {
            let text = replace_region(&text, "errors", &error_table(naming))
                .map_err(|e| format!("{path}: {e}"))?;
            outputs.push(Output::new(path, text));
        }
    }
    Ok(outputs)
}

/// The table in Markdown, with the kinds named as `naming` says.
fn error_table(naming: &Naming) -> String {
    let columns = naming.head.matches('|').count() + 1;
    let mut out = format!(
        "| {} | retryable | meaning |\n|{}\n",
        naming.head,
        "---|".repeat(columns + 2)
    );
    for kind in ErrorKind::ALL {
        writeln!(
            out,
            "| {} | {} | {} |",
            (naming.cells)(kind),
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
        let filled = replace_region(scratch, "errors", &error_table(&READMES[0])).unwrap();
        assert_eq!(filled.matches("\n| `").count(), ErrorKind::ALL.len());
        assert!(filled.contains("| `TIMEOUT` | 100 | `Timeout` | yes |"));
        assert!(filled.ends_with("<!-- /generated: errors -->\n\nmore\n"));
    }

    #[test]
    fn each_face_names_the_kinds_its_own_way() {
        let row = |i: usize| {
            let table = error_table(&READMES[i]);
            let header_columns = table.lines().next().unwrap().matches('|').count();
            let rule_columns = table.lines().nth(1).unwrap().matches('|').count();
            assert_eq!(header_columns, rule_columns, "{table}");
            table
                .lines()
                .find(|l| l.contains("TIMEOUT"))
                .unwrap()
                .to_owned()
        };
        assert!(
            row(1).starts_with("| `Timeout` (`TIMEOUT`) | yes |"),
            "{}",
            row(1)
        );
        assert!(row(2).starts_with("| `'TIMEOUT'` | yes |"), "{}", row(2));
        assert!(
            row(3).starts_with("| `NOWGG_TIMEOUT` (`TIMEOUT`) | 100 | yes |"),
            "{}",
            row(3)
        );
    }
}
