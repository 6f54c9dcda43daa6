//! The Python face: the generated regions of `_native.pyi` (the options, the
//! constructor, the string fields), the exception classes in `exceptions.py`, and the
//! enum members in `states.py` and `outcome.py`.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use nowgg_payments::{
    ClientOption, ConsumeOutcome, ConsumptionState, ErrorKind, OptionDefault, OptionRange,
    OptionUnit, PurchaseState, StateValue, StringField, OPTIONS,
};

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

fn seconds(duration: Duration) -> String {
    format!("{:?}", duration.as_secs_f64())
}

/// The option's default as Python source.
fn default_value(option: &ClientOption) -> String {
    match option.default {
        OptionDefault::Text(text) => format!("{text:?}"),
        OptionDefault::Duration(duration) => seconds(duration),
        OptionDefault::Count(count) => count.to_string(),
        _ => "None".into(),
    }
}

/// What the option's docs say of its unit, default and range, e.g. `seconds; default
/// 10.0; more than 0, at most 86400.0`.
fn terms(option: &ClientOption) -> String {
    let mut terms = Vec::new();
    match option.unit {
        OptionUnit::Duration => terms.push("seconds".to_owned()),
        OptionUnit::Bytes => terms.push("bytes".to_owned()),
        _ => {}
    }
    if !matches!(option.default, OptionDefault::Unset) {
        terms.push(format!("default {}", default_value(option)));
    }
    match option.range {
        OptionRange::Duration { max } => {
            terms.push(format!("more than 0, at most {}", seconds(max)));
        }
        OptionRange::Count { min, max } => terms.push(format!("{min} to {max}")),
        _ => {}
    }
    terms.join("; ")
}

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
        let item = match terms(option) {
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
    let mut out = String::new();
    for field in StringField::ALL {
        writeln!(
            out,
            "    @property\n    def {}(self) -> str | None:",
            attribute(field)
        )
        .unwrap();
        out.push_str(&docstring(field.doc(), "        "));
    }
    out
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
        writeln!(out, "\n\nclass {}({bases}):", kind.python_class()).unwrap();
        out.push_str(&docstring(&doc, "    "));
        let retryable = if kind.is_retryable() { "True" } else { "False" };
        writeln!(
            out,
            "\n    kind = {:?}\n    code = {}\n    default_retryable = {retryable}",
            kind.name(),
            kind.code()
        )
        .unwrap();
    }
    out.push_str("\n\n_CLASSES: tuple[type[NowggError], ...] = (\n");
    for kind in ErrorKind::ALL {
        writeln!(out, "    {},", kind.python_class()).unwrap();
    }
    out.push_str(")\n\n__all__ = [\n");
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
    let mut out = String::new();
    for value in values {
        writeln!(out, "    {} = {}", value.name, value.code).unwrap();
        out.push_str(&docstring(value.doc, "    "));
    }
    out
}

/// The members of `ConsumeOutcome`.
fn outcomes() -> String {
    let mut out = String::new();
    for outcome in ConsumeOutcome::ALL {
        writeln!(
            out,
            "    {} = {:?}",
            outcome.as_str().to_uppercase(),
            outcome.as_str()
        )
        .unwrap();
        out.push_str(&docstring(outcome.doc(), "    "));
    }
    out
}
