//! Input checks made before any I/O, so a bad key or token can never inject a header or
//! a form field, and the user learns of it without a round trip.

use crate::error::Error;
use crate::redact::short_token;

/// Tokens longer than this are refused: real ones are far shorter, and a huge one is a
/// bug or an attack, not a purchase.
const MAX_TOKEN_LEN: usize = 4096;

/// A purchase token: non-empty, at most 4096 bytes, no control characters.
pub(crate) fn token(token: &str) -> Result<(), Error> {
    if token.is_empty() {
        return Err(Error::invalid("purchase token is empty"));
    }
    if token.len() > MAX_TOKEN_LEN {
        return Err(Error::invalid(format!(
            "purchase token is {} bytes long, over the limit of {MAX_TOKEN_LEN}",
            token.len()
        )));
    }
    if token.chars().any(char::is_control) {
        return Err(Error::invalid(format!(
            "purchase token {} contains a control character",
            short_token(token)
        )));
    }
    Ok(())
}

/// The API key: non-empty, printable ASCII (it travels in a header). Never echoed.
pub(crate) fn api_key(key: &str) -> Result<(), Error> {
    if key.is_empty() {
        return Err(Error::invalid("api key is empty"));
    }
    if key.chars().any(char::is_control) {
        return Err(Error::invalid(
            "api key contains a control character (a trailing newline from a file or env var?)",
        ));
    }
    if !key.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
        return Err(Error::invalid(
            "api key contains a character that is not printable ASCII",
        ));
    }
    Ok(())
}

/// A free-form header value chosen by the user (the user agent suffix).
pub(crate) fn header_text(what: &str, value: &str) -> Result<(), Error> {
    if value.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
        Ok(())
    } else {
        Err(Error::invalid(format!("{what} must be printable ASCII")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        assert!(token("-nowgg-ok").is_ok());
        assert!(token("").is_err());
        assert!(token("a\r\nX-Injected: 1").is_err());
        assert!(token(&"x".repeat(MAX_TOKEN_LEN + 1)).is_err());
    }

    #[test]
    fn keys_are_never_echoed() {
        let err = api_key("s3cret\n").unwrap_err();
        assert!(!err.to_string().contains("s3cret"));
        assert!(api_key("").is_err());
        assert!(api_key("kéy").is_err());
        assert!(api_key("a-good_key.123").is_ok());
    }
}
