//! The terms of an option's docs (unit, default, range), as each face spells them.

use std::time::Duration;

use nowgg_payments::{ClientOption, OptionDefault, OptionRange, OptionUnit};

/// How a face writes an option's terms: its unit words and its spelling of values.
pub struct Spelling {
    /// The unit of a duration option, e.g. `seconds`.
    pub duration_unit: &'static str,
    /// The unit of a bytes option, e.g. `bytes`.
    pub bytes_unit: &'static str,
    /// A text default as the face's source writes it.
    pub text: fn(&str) -> String,
    /// A duration in the face's unit.
    pub duration: fn(Duration) -> String,
    /// A count (a default or a bound).
    pub count: fn(u64) -> String,
}

/// What the option's docs say of its unit, default and range, e.g. `seconds; default
/// 10.0; more than 0, at most 86400.0` in Python's spelling.
pub fn terms(option: &ClientOption, spelling: &Spelling) -> String {
    let mut terms = Vec::new();
    match option.unit {
        OptionUnit::Duration => terms.push(spelling.duration_unit.to_owned()),
        OptionUnit::Bytes => terms.push(spelling.bytes_unit.to_owned()),
        _ => {}
    }
    let default = match option.default {
        OptionDefault::Text(text) => Some((spelling.text)(text)),
        OptionDefault::Duration(duration) => Some((spelling.duration)(duration)),
        OptionDefault::Count(count) => Some((spelling.count)(count)),
        _ => None,
    };
    if let Some(default) = default {
        terms.push(format!("default {default}"));
    }
    match option.range {
        OptionRange::Duration { max } => {
            terms.push(format!("more than 0, at most {}", (spelling.duration)(max)));
        }
        OptionRange::Count { min, max } => {
            terms.push(format!(
                "{} to {}",
                (spelling.count)(min),
                (spelling.count)(max)
            ));
        }
        _ => {}
    }
    terms.join("; ")
}
