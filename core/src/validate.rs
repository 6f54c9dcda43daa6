//! Input checks made before any I/O, so a bad key or token can never inject a header or
//! a form field, and the user learns of it without a round trip.

use crate::error::Error;

/// Tokens longer than this are refused: real ones are far shorter, and a huge one is a
/// bug or an attack, not a purchase.
const MAX_TOKEN_LEN: usize = 4096;

/// The longest `product_id` accepted: product ids are short names like `gems_100`.
pub(crate) const MAX_PRODUCT_ID_LEN: usize = 256;
/// The longest `currency` accepted: currency codes are three letters (`USD`, `KRW`).
pub(crate) const MAX_CURRENCY_LEN: usize = 16;
/// The longest `developer_payload` accepted, as for a token.
pub(crate) const MAX_DEVELOPER_PAYLOAD_LEN: usize = MAX_TOKEN_LEN;

/// A purchase token: non-empty, at most 4096 bytes, no control characters.
pub(crate) fn token(token: &str) -> Result<(), Error> {
    field("purchase token", token, MAX_TOKEN_LEN)
}

/// A text sent as a form field, named `name` in messages (a token, or a consume's
/// `product_id`, `currency`, `developer_payload`): non-empty when given, at most
/// `max_len` bytes, no control characters, so that it cannot inject a field or a header.
/// The value is never quoted: a developer payload may carry the game's own data.
pub(crate) fn field(name: &str, value: &str, max_len: usize) -> Result<(), Error> {
    let broken = if value.is_empty() {
        "is empty".to_owned()
    } else if value.len() > max_len {
        format!("is {} bytes long, over the limit of {max_len}", value.len())
    } else if value.chars().any(char::is_control) {
        "contains a control character".to_owned()
    } else {
        return Ok(());
    };
    Err(Error::invalid(format!("{name} {broken}")))
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
    fn fields_follow_the_token_rules_and_are_named() {
        assert!(field("currency", "EUR", MAX_CURRENCY_LEN).is_ok());
        for (value, why) in [
            ("", "empty"),
            ("EUR\r\nX: 1", "control character"),
            ("EUROS-EUROS-EUROS", "over the limit of 16"),
        ] {
            let err = field("currency", value, MAX_CURRENCY_LEN).unwrap_err();
            let text = err.to_string();
            assert!(
                text.starts_with("currency ") && text.contains(why),
                "{text}"
            );
        }
        let err = field("developer_payload", "secret\u{0}", 10).unwrap_err();
        assert!(!err.to_string().contains("secret"), "{err}");
        let err = token("-nowgg-secret\n").unwrap_err();
        assert!(!err.to_string().contains("secret"), "{err}");
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
