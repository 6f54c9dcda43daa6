//! Reading an answer: the `{success, code, codeMsg, data}` envelope every call returns,
//! and the HTTP-level failures that come without one.

use std::time::Duration;

use serde_json::{Map, Value};

use crate::error::{Error, ErrorKind};
use crate::purchase::{boolean, integer};
use crate::redact::scrub;

/// What the answer's text may be scrubbed of before it goes into a message.
pub(crate) struct Secrets<'a> {
    pub api_key: &'a str,
    pub token: &'a str,
}

/// The `data` of a successful envelope (`None` when absent, null or not an object), or
/// the error the answer means. An envelope with a non-zero code is an API error whatever
/// the HTTP status says; a non-2xx answer without an envelope is `HTTP_STATUS`.
pub(crate) fn decode(
    status: u16,
    retry_after: Option<Duration>,
    body: &[u8],
    secrets: &Secrets<'_>,
) -> Result<Option<Map<String, Value>>, Error> {
    let envelope = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) if map.contains_key("code") || map.contains_key("success") => map,
        parsed => {
            let what = match parsed {
                Ok(_) => "a JSON value that is not an API envelope",
                Err(_) if body.is_empty() => "an empty body",
                Err(_) => "a body that is not JSON",
            };
            return Err(not_an_envelope(status, retry_after, what, body, secrets));
        }
    };
    let code = match envelope.get("code") {
        None | Some(Value::Null) => 0,
        Some(raw) => integer(Some(raw)).ok_or_else(|| Error::Decode {
            // The code is the server's text like any other: cut short and scrubbed.
            message: format!(
                "API envelope has a code that is not an integer{}",
                excerpt(raw.to_string().as_bytes(), secrets)
            ),
            http_status: Some(status),
        })?,
    };
    let success = boolean(envelope.get("success")).unwrap_or(code == 0);
    if code != 0 || !success {
        let kind = ErrorKind::from_api_code(code);
        let code_msg = envelope
            .get("codeMsg")
            .and_then(Value::as_str)
            .unwrap_or("");
        let code_msg = scrub(code_msg, secrets.api_key, Some(secrets.token));
        return Err(Error::Api {
            kind,
            code,
            message: format!(
                "now.gg answered code {code} ({}) for purchase token {}",
                if code_msg.is_empty() {
                    kind.name()
                } else {
                    &code_msg
                },
                crate::redact::short_token(secrets.token)
            ),
            http_status: status,
        });
    }
    Ok(match envelope.into_iter().find(|(k, _)| k == "data") {
        Some((_, Value::Object(data))) => Some(data),
        _ => None,
    })
}

/// The error for an answer without an envelope: `HTTP_STATUS` when the status says
/// something went wrong, `DECODE` when a 2xx came with a body we cannot read.
fn not_an_envelope(
    status: u16,
    retry_after: Option<Duration>,
    what: &str,
    body: &[u8],
    secrets: &Secrets<'_>,
) -> Error {
    let excerpt = excerpt(body, secrets);
    if (200..300).contains(&status) {
        return Error::Decode {
            message: format!("HTTP {status} came with {what}{excerpt}"),
            http_status: Some(status),
        };
    }
    Error::HttpStatus {
        status,
        retry_after,
        message: format!("HTTP {status} without an API envelope{excerpt}"),
    }
}

/// The start of a body for a message: one line, at most 120 characters, scrubbed.
fn excerpt(body: &[u8], secrets: &Secrets<'_>) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(512)]);
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let line: String = line.chars().take(120).collect();
    if line.is_empty() {
        String::new()
    } else {
        format!(": {}", scrub(&line, secrets.api_key, Some(secrets.token)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRETS: Secrets<'static> = Secrets {
        api_key: "KEY",
        token: "-nowgg-token-1",
    };

    fn decode_str(status: u16, body: &str) -> Result<Option<Map<String, Value>>, Error> {
        decode(status, None, body.as_bytes(), &SECRETS)
    }

    #[test]
    fn success_returns_data() {
        let data = decode_str(
            200,
            r#"{"success":true,"code":0,"codeMsg":"success","data":{"a":1}}"#,
        );
        assert_eq!(data.unwrap().unwrap()["a"], 1);
        assert_eq!(
            decode_str(200, r#"{"success":true,"code":0,"data":{}}"#)
                .unwrap()
                .unwrap()
                .len(),
            0
        );
        assert!(
            decode_str(200, r#"{"success":true,"code":"0","data":null}"#)
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn codes_map_to_kinds_whatever_the_status() {
        let err = decode_str(
            401,
            r#"{"success":false,"code":3900,"codeMsg":"INVALID_AUTHORIZATION_KEY"}"#,
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidAuthorizationKey);
        assert_eq!((err.api_code(), err.http_status()), (Some(3900), Some(401)));
        let err = decode_str(200, r#"{"success":false,"code":0}"#).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ApiError);
        let err = decode_str(200, r#"{"success":true,"code":"5014"}"#).unwrap_err();
        assert!(err.is_retryable());
    }

    #[test]
    fn answers_without_an_envelope() {
        let err = decode(
            503,
            Some(Duration::from_secs(2)),
            b"<html>busy</html>",
            &SECRETS,
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::HttpStatus);
        assert!(err.is_retryable());
        assert_eq!(err.retry_after(), Some(Duration::from_secs(2)));
        assert!(!decode_str(404, "not found").unwrap_err().is_retryable());
        assert_eq!(
            decode_str(200, "{\"success\": tru").unwrap_err().kind(),
            ErrorKind::Decode
        );
        assert_eq!(decode_str(200, "").unwrap_err().kind(), ErrorKind::Decode);
        assert_eq!(
            decode_str(200, "[1,2]").unwrap_err().kind(),
            ErrorKind::Decode
        );
        assert_eq!(
            decode_str(200, r#"{"code":"x"}"#).unwrap_err().kind(),
            ErrorKind::Decode
        );
    }

    #[test]
    fn numbers_in_data_survive_a_json_round_trip() {
        // Found by fuzz/ (decode_purchase): a best-effort float parser read back the
        // JSON that `raw` serialises to as a different number than `raw` held.
        let body = r#"{"code":0,"data":{"purchaseState":184467040737095415014616}}"#;
        let data = decode_str(200, body).unwrap().unwrap();
        let json = format!(r#"{{"code":0,"data":{}}}"#, Value::Object(data.clone()));
        assert_eq!(decode_str(200, &json).unwrap().unwrap(), data, "{json}");
    }

    #[test]
    fn echoed_secrets_are_scrubbed() {
        let err = decode_str(
            200,
            r#"{"success":false,"code":3901,"codeMsg":"bad -nowgg-token-1 with KEY"}"#,
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(
            !text.contains("KEY") && !text.contains("-nowgg-token-1"),
            "{text}"
        );
        let err = decode_str(502, "proxy saw KEY").unwrap_err();
        assert!(!err.to_string().contains("KEY"));
        // Found by fuzz/ (decode_purchase): a code that is not an integer was echoed whole.
        let err = decode_str(200, r#"{"code":"3901 -nowgg-token-1 KEY"}"#).unwrap_err();
        let text = err.to_string();
        assert_eq!(err.kind(), ErrorKind::Decode);
        assert!(
            !text.contains("KEY") && !text.contains("-nowgg-token-1"),
            "{text}"
        );
    }
}
