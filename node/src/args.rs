//! Reading JavaScript arguments into the core's types.
//!
//! Every user-supplied value arrives untyped and is checked here, so that a wrong type
//! becomes the core's `INVALID_ARGUMENT` naming the argument. napi's own conversion
//! errors carry no kind, and they quote the offending value, which may be an API key.

use std::time::Duration;

use napi::bindgen_prelude::{FromNapiValue, JsObjectValue, Object, Unknown, ValueType};
use napi::JsValue;
use nowgg_payments::{Error, Result, MAX_SAFE_INTEGER};

fn invalid(message: String) -> Error {
    Error::InvalidArgument { message }
}

/// The value as a string, or `None` when it is not one.
pub(crate) fn string(value: Unknown) -> Option<String> {
    match value.get_type() {
        Ok(ValueType::String) => String::from_unknown(value).ok(),
        _ => None,
    }
}

/// A required string argument, such as a purchase token.
pub(crate) fn required_string(value: Unknown, name: &str) -> Result<String> {
    string(value).ok_or_else(|| invalid(format!("{name} must be a string")))
}

/// An options object whose properties are read one by one. `undefined` and `null` read
/// as an empty object, and unknown keys are refused (a misspelt option would otherwise
/// be silently ignored).
pub(crate) struct Options<'env> {
    object: Option<Object<'env>>,
    name: &'static str,
}

impl<'env> Options<'env> {
    /// Reads the options argument called `name`, accepting only the `known` keys.
    pub(crate) fn read(
        value: Option<Unknown<'env>>,
        name: &'static str,
        known: &[&str],
    ) -> Result<Options<'env>> {
        let object = match value {
            None => None,
            Some(value) => match value.get_type() {
                Ok(ValueType::Undefined | ValueType::Null) => None,
                Ok(ValueType::Object) => Some(
                    Object::from_unknown(value)
                        .map_err(|_| invalid(format!("{name} must be an object")))?,
                ),
                _ => return Err(invalid(format!("{name} must be an object"))),
            },
        };
        let options = Options { object, name };
        options.refuse_unknown_keys(known)?;
        Ok(options)
    }

    fn refuse_unknown_keys(&self, known: &[&str]) -> Result<()> {
        let Some(object) = &self.object else {
            return Ok(());
        };
        let unreadable = || invalid(format!("{} could not be read", self.name));
        let keys = object.get_property_names().map_err(|_| unreadable())?;
        let count = keys.get_array_length().map_err(|_| unreadable())?;
        for index in 0..count {
            let key: Unknown = keys.get_element(index).map_err(|_| unreadable())?;
            // Symbol keys are not listed; numeric keys come as numbers: neither is ours.
            let key = string(key).unwrap_or_default();
            if !known.contains(&key.as_str()) {
                return Err(invalid(format!(
                    "{} has an unknown key {key:?}; known keys: {}",
                    self.name,
                    known.join(", ")
                )));
            }
        }
        Ok(())
    }

    /// The property `key`, `None` when absent, `undefined` or `null`.
    fn get(&self, key: &str) -> Result<Option<Unknown<'env>>> {
        let Some(object) = &self.object else {
            return Ok(None);
        };
        let value: Option<Unknown> = object
            .get(key)
            .map_err(|_| invalid(format!("{}.{key} could not be read", self.name)))?;
        Ok(value.filter(|v| !matches!(v.get_type(), Ok(ValueType::Null))))
    }

    /// A string property.
    pub(crate) fn string(&self, key: &str) -> Result<Option<String>> {
        self.get(key)?
            .map(|v| required_string(v, &format!("{}.{key}", self.name)))
            .transpose()
    }

    /// A number property: a JavaScript number that is a value, not negative, and exact
    /// as an integer (at most 2^53-1). Ranges are the core's to decide, the same in every
    /// face; this only refuses what has no Rust value.
    fn number(&self, key: &str) -> Result<Option<f64>> {
        let Some(value) = self.get(key)? else {
            return Ok(None);
        };
        let number = match value.get_type() {
            Ok(ValueType::Number) => f64::from_unknown(value).ok(),
            _ => None,
        };
        match number {
            Some(n) if (0.0..=MAX_SAFE_INTEGER as f64).contains(&n) => Ok(Some(n)),
            _ => Err(invalid(format!(
                "{}.{key} must be a number from 0 to 2^53-1 (Number.MAX_SAFE_INTEGER)",
                self.name
            ))),
        }
    }

    /// A duration given in milliseconds (fractions allowed).
    pub(crate) fn millis(&self, key: &str) -> Result<Option<Duration>> {
        // Exact enough: at most 2^53 ms, far inside a Duration.
        Ok(self
            .number(key)?
            .map(|ms| Duration::from_secs_f64(ms / 1000.0)))
    }

    /// A whole number.
    pub(crate) fn integer(&self, key: &str) -> Result<Option<u64>> {
        match self.number(key)? {
            Some(n) if n.fract() != 0.0 => Err(invalid(format!(
                "{}.{key} must be a whole number",
                self.name
            ))),
            // Exact: n is whole and at most 2^53-1.
            other => Ok(other.map(|n| n as u64)),
        }
    }

    /// A boolean property.
    pub(crate) fn boolean(&self, key: &str) -> Result<Option<bool>> {
        let Some(value) = self.get(key)? else {
            return Ok(None);
        };
        match value.get_type() {
            Ok(ValueType::Boolean) => bool::from_unknown(value).map(Some).ok(),
            _ => None,
        }
        .ok_or_else(|| invalid(format!("{}.{key} must be a boolean", self.name)))
    }

    /// An array of strings.
    pub(crate) fn strings(&self, key: &str) -> Result<Option<Vec<String>>> {
        let Some(value) = self.get(key)? else {
            return Ok(None);
        };
        let wrong = || invalid(format!("{}.{key} must be an array of strings", self.name));
        if !value.is_array().unwrap_or(false) {
            return Err(wrong());
        }
        let array = Object::from_unknown(value).map_err(|_| wrong())?;
        let length = array.get_array_length().map_err(|_| wrong())?;
        (0..length)
            .map(|index| {
                let element: Unknown = array.get_element(index).map_err(|_| wrong())?;
                string(element).ok_or_else(wrong)
            })
            .collect::<Result<_>>()
            .map(Some)
    }
}
