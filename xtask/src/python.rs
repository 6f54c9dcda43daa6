//! The Python face: the generated regions of `_native.pyi` (the options, the
//! constructor, the string fields), the exception classes in `exceptions.py`, and the
//! enum members in `states.py` and `outcome.py`.

use std::fmt::Write as _;
use std::path::Path;

use nowgg_payments::{
    ClientOption, ConsumeOutcome, ConsumptionState, ErrorKind, OptionDefault, OptionUnit,
    PurchaseState, StateValue, StringField, OPTIONS,
};

use crate::options::{terms, Spelling};
use crate::text::{replace_region, wrapped};
use crate::{read, Output, Result};

const PACKAGE: &str = "py/python/nowgg_payments";

/// Every generated Python file.
pub fn files(root: &Path) -> Result<Vec<Output>> {
    let edit = |file: &str, regions: &[(&str, String)]| -> Result<Output> {
        let path = format!("{PACKAGE}/{file}");
        let mut text = read(root, &path)?;
        for (name, region) in regions {
            text = replace_region(&text, name, region).map_err(|e| format!("{path}: {e}"))?;
        }
        Ok(Output::new(path, text))
    };
    Ok(vec![
        edit(
            "_native.pyi",
            &[
                ("options", options_typed_dict()),
                ("constructor options", constructor_parameters()),
                ("constructor docs", constructor_docs()),
                ("fields", string_fields()),
            ],
        )?,
        edit("exceptions.py", &[("classes", exception_classes())])?,
        edit(
            "states.py",
            &[
                ("purchase states", members(&PurchaseState::DOCUMENTED)),
                ("consumption states", members(&ConsumptionState::DOCUMENTED)),
            ],
        )?,
        edit("outcome.py", &[("outcomes", outcomes())])?,
    ])
}

/// A docstring at `indent`, wrapped to 100 columns.
fn docstring(text: &str, indent: &str) -> String {
    wrapped(&format!("\"\"\"{text}\"\"\""), indent, 100)
}

/// Each head line (a member, a property) followed by its doc as a docstring at `indent`.
fn documented<'a>(items: impl IntoIterator<Item = (String, &'a str)>, indent: &str) -> String {
    let mut out = String::new();
    for (head, doc) in items {
        out.push_str(&head);
        out.push('\n');
        out.push_str(&docstring(doc, indent));
    }
    out
}

/// The option's Python type.
fn python_type(option: &ClientOption) -> &'static str {
    match (option.unit, option.default) {
        (OptionUnit::Text, OptionDefault::Text(_)) => "str",
        (OptionUnit::Text, _) => "str | None",
        (OptionUnit::Pem, _) => "str | bytes | None",
        (OptionUnit::Duration, _) => "float",
        // `None` is accepted too, and means the default.
        (OptionUnit::Bytes, _) => "int | None",
        (OptionUnit::Count, _) => "int",
        _ => "object",
    }
}

/// Options' terms as the stubs' docstrings write them: seconds as floats, text quoted.
const SPELLING: Spelling = Spelling {
    duration_unit: "seconds",
    bytes_unit: "bytes",
    text: |text| format!("{text:?}"),
    duration: |duration| format!("{:?}", duration.as_secs_f64()),
    count: |count| count.to_string(),
};

/// The table's fields of `_ClientOptions`, the keyword arguments of `Client` as a
/// TypedDict (for `AsyncClient(**options)`).
fn options_typed_dict() -> String {
    let mut out = String::new();
    for option in &OPTIONS {
        writeln!(out, "    {}: {}", option.name, python_type(option)).unwrap();
    }
    out
}

/// The table's keyword parameters of `Client.__new__` (the face may add its own after
/// them, outside the region).
fn constructor_parameters() -> String {
    let mut out = String::new();
    for option in &OPTIONS {
        // The run-time default is the core's, read when the call is made (`...` here);
        // the docstring says what it is.
        let default = match option.default {
            OptionDefault::Unset => "None",
            _ => "...",
        };
        writeln!(
            out,
            "        {}: {} = {default},",
            option.name,
            python_type(option),
        )
        .unwrap();
    }
    out
}

/// The docstring items of `Client.__new__`, one per option of the table.
fn constructor_docs() -> String {
    let mut out = String::new();
    for option in &OPTIONS {
        let item = match terms(option, &SPELLING) {
            terms if terms.is_empty() => format!("``{}``: {}", option.name, option.doc),
            terms => format!("``{}`` ({terms}): {}", option.name, option.doc),
        };
        let text = wrapped(&item, "          ", 100);
        out.push_str("        - ");
        out.push_str(text.trim_start());
    }
    out
}

/// The stubs' string properties, each with the core's doc.
fn string_fields() -> String {
    documented(
        StringField::ALL.map(|field| {
            let head = format!(
                "    @property\n    def {}(self) -> str | None:",
                attribute(field)
            );
            (head, field.doc())
        }),
        "        ",
    )
}

/// A field's attribute: the core's snake_case name, but `purchase_time_raw` for the text
/// of `purchaseTime` (`purchase_time` is the normalised datetime), as `py/src/purchase.rs`
/// names it.
fn attribute(field: StringField) -> String {
    match field {
        StringField::PurchaseTime => "purchase_time_raw".into(),
        _ => field.snake_name().into(),
    }
}

/// The builtin exception a kind's class also is, so that code catching it keeps working.
fn builtin_base(kind: ErrorKind) -> Option<&'static str> {
    match kind {
        ErrorKind::Timeout => Some("TimeoutError"),
        ErrorKind::Connection => Some("ConnectionError"),
        ErrorKind::InvalidArgument => Some("ValueError"),
        _ => None,
    }
}

/// One class per kind, with the kind's doc, name, number and retryability.
fn exception_classes() -> String {
    let mut out = String::new();
    for kind in ErrorKind::ALL {
        let base = if ErrorKind::GRANT_REFUSALS.contains(&kind) {
            "NotGrantable"
        } else {
            "NowggError"
        };
        let bases = match builtin_base(kind) {
            Some(builtin) => format!("{base}, {builtin}"),
            None => base.to_owned(),
        };
        let doc = format!("{} ({}): {}", kind.name(), kind.code(), kind.doc());
        // `NowggError.__init_subclass__` sets the attributes and files the class by kind.
        let mut arguments = format!("{bases}, kind={:?}, code={}", kind.name(), kind.code());
        if kind.is_retryable() {
            arguments.push_str(", default_retryable=True");
        }
        let header = format!("class {}({arguments}):", kind.python_class());
        // As ruff formats a header over the line length: the arguments on a line of their own.
        if header.len() <= 100 {
            writeln!(out, "\n\n{header}").unwrap();
        } else {
            writeln!(
                out,
                "\n\nclass {}(\n    {arguments}\n):",
                kind.python_class()
            )
            .unwrap();
        }
        out.push_str(&docstring(&doc, "    "));
    }
    out.push_str("\n\n__all__ = [\n");
    let mut names: Vec<&str> = ErrorKind::ALL.map(ErrorKind::python_class).to_vec();
    names.extend(["NotGrantable", "NowggError"]);
    names.sort_unstable();
    for name in names {
        writeln!(out, "    {name:?},").unwrap();
    }
    out.push_str("]\n");
    out
}

/// The members of an `IntEnum` of documented state values.
fn members(values: &[StateValue]) -> String {
    documented(
        values
            .iter()
            .map(|value| (format!("    {} = {}", value.name, value.code), value.doc)),
        "    ",
    )
}

/// The members of `ConsumeOutcome`.
fn outcomes() -> String {
    documented(
        ConsumeOutcome::ALL.map(|outcome| {
            let name = outcome.as_str();
            (
                format!("    {} = {name:?}", name.to_uppercase()),
                outcome.doc(),
            )
        }),
        "    ",
    )
}
