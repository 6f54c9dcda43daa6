//! Reading an answer: the `{success, code, codeMsg, data}` envelope every call returns,
//! and the HTTP-level failures that come without one.

use std::time::Duration;

use serde_json::{Map, Value};

use crate::error::{Error, ErrorKind};
use crate::purchase::integer;
use crate::redact::scrub;

/// What the answer's text may be scrubbed of before it goes into a message.
pub(crate) struct Secrets<'a> {
    pub api_key: &'a str,
    pub token: &'a str,
}

/// How many characters of the server's own text (a `codeMsg`, the start of a body) a
/// message quotes.
const MAX_QUOTED_CHARS: usize = 120;

/// The `data` of a successful envelope (`None` when absent, null or not an object), or
/// the error the answer means. An envelope with a non-zero code is an API error whatever
/// the HTTP status says; a non-2xx answer without an envelope is `HTTP_STATUS`.
pub(crate) fn decode(
    status: u16,
    retry_after: Option<Duration>,
    body: &[u8],
    secrets: &Secrets<'_>,
) -> Result<Option<Map<String, Value>>, Error> {
    let (envelope, code) = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => match envelope_code(&map) {
            Some(code) => (map, code),
            None => {
                let what = "a JSON object that is not an API envelope";
                return Err(not_an_envelope(status, retry_after, what, body, secrets));
            }
        },
        parsed => {
            let what = match parsed {
                Ok(_) => "a JSON value that is not an API envelope",
                Err(_) if body.is_empty() => "an empty body",
                Err(_) => "a body that is not JSON",
            };
            return Err(not_an_envelope(status, retry_after, what, body, secrets));
        }
    };
    let success = envelope
        .get("success")
        .and_then(Value::as_bool)
        .unwrap_or(code == 0);
    if code != 0 || !success {
        let kind = ErrorKind::from_api_code(code);
        let code_msg = envelope
            .get("codeMsg")
            .and_then(Value::as_str)
            .map(|text| quote(text, secrets))
            .unwrap_or_default();
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

/// The code of an object shaped like the vendor's envelope: an integer `code` (or an
/// integer string) with a boolean `success` or a string `codeMsg`. Gateways and load
/// balancers answer JSON of their own (`{"code":504,"message":"upstream timed out"}`,
/// `{"success":false,"errors":[...]}`): taken for an envelope, a retryable 5xx would
/// become a final API error, so anything less than this shape is not one.
fn envelope_code(object: &Map<String, Value>) -> Option<i64> {
    let code = integer(object.get("code"))?;
    let success = matches!(object.get("success"), Some(Value::Bool(_)));
    let code_msg = matches!(object.get("codeMsg"), Some(Value::String(_)));
    (success || code_msg).then_some(code)
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

/// The start of a body for a message, `: ` first (empty for a blank body); see [`quote`].
fn excerpt(body: &[u8], secrets: &Secrets<'_>) -> String {
    let quoted = quote(&String::from_utf8_lossy(body), secrets);
    if quoted.is_empty() {
        quoted
    } else {
        format!(": {quoted}")
    }
}

/// The server's `text` as a message quotes it: scrubbed of the key and the token, on one
/// line, at most [`MAX_QUOTED_CHARS`] characters (then `…`).
///
/// Scrubbed before it is cut: a secret straddling the cut would otherwise keep its first
/// characters. Scrubbed again once whitespace is joined, which could make a secret with
/// a space in it out of one with a newline there.
fn quote(text: &str, secrets: &Secrets<'_>) -> String {
    let clean = |text: &str| scrub(text, secrets.api_key, Some(secrets.token));
    let line = clean(&clean(text).split_whitespace().collect::<Vec<_>>().join(" "));
    match line.char_indices().nth(MAX_QUOTED_CHARS) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
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
    fn gateway_json_is_not_an_envelope() {
        // What gateways and load balancers answer (nginx's json error_page, AWS API
        // Gateway/ALB, Cloudflare, Kong): each has a `code` or a `success`, not both
        // with the vendor's shape.
        let gateways = [
            r#"{"code":504,"message":"upstream timed out"}"#,
            r#"{"message":"Endpoint request timed out"}"#,
            r#"{"success":false,"errors":[{"code":1016,"message":"Origin DNS error"}],"messages":[],"result":null}"#,
            r#"{"message":"An invalid response was received from the upstream server","request_id":"a1"}"#,
            r#"{"code":"503","message":"Service Unavailable"}"#,
            r#"{"success":false,"codeMsg":"busy"}"#,
            r#"{"code":null,"success":false}"#,
        ];
        for body in gateways {
            for status in [502, 503, 504] {
                let err = decode_str(status, body).unwrap_err();
                assert_eq!(err.kind(), ErrorKind::HttpStatus, "{status} {body}");
                assert!(err.is_retryable(), "{body}");
                assert_eq!(err.api_code(), None);
            }
            assert_eq!(decode_str(200, body).unwrap_err().kind(), ErrorKind::Decode);
        }
        // The vendor's shape: an integer code with a boolean success or a string codeMsg.
        for body in [
            r#"{"code":3901,"codeMsg":"INVALID_PURCHASE_TOKEN"}"#,
            r#"{"code":"3901","success":false}"#,
            r#"{"code":3901.0,"success":false,"data":{}}"#,
        ] {
            let err = decode_str(503, body).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidPurchaseToken, "{body}");
        }
    }

    #[test]
    fn quotes_are_scrubbed_before_they_are_cut() {
        let secrets = Secrets {
            api_key: "k3y-0123456789abcdef",
            token: "-nowgg-0123456789abcdefghij",
        };
        for secret in [secrets.api_key, secrets.token] {
            // The secret starts at `at`: a cut at 120 would keep its first 12 to 19
            // characters (more than a short token shows, less than the whole secret).
            for at in MAX_QUOTED_CHARS - 19..=MAX_QUOTED_CHARS - 12 {
                let body = format!("{} {secret} tail", "x".repeat(at - 1));
                let err = decode(502, None, body.as_bytes(), &secrets).unwrap_err();
                let text = err.to_string();
                let kept = &secret[..MAX_QUOTED_CHARS - at];
                assert!(!text.contains(kept), "{at}: {text}");
            }
        }
        // A newline inside a key with a space in it is joined into the key itself.
        let spaced = Secrets {
            api_key: "k3y with space",
            token: "t",
        };
        let err = decode(502, None, b"k3y with\nspace", &spaced).unwrap_err();
        assert!(!err.to_string().contains("k3y with space"), "{err}");
    }

    #[test]
    fn code_msg_is_scrubbed_and_capped() {
        let long = "busy ".repeat(10_000);
        let body = format!(r#"{{"success":false,"code":4242,"codeMsg":"{long}"}}"#);
        let text = decode_str(200, &body).unwrap_err().to_string();
        assert!(text.chars().count() < 2 * MAX_QUOTED_CHARS, "{text}");
        assert!(text.contains("busy busy") && text.contains('…'), "{text}");
        let body = r#"{"success":false,"code":4242,"codeMsg":"two\nlines"}"#;
        assert!(decode_str(200, body)
            .unwrap_err()
            .to_string()
            .contains("(two lines)"));
    }

    #[test]
    fn numbers_in_data_survive_a_json_round_trip() {
        // Found by fuzz/ (decode_purchase): a best-effort float parser read back the
        // JSON that `raw` serialises to as a different number than `raw` held.
        let body =
            r#"{"code":0,"codeMsg":"success","data":{"purchaseState":184467040737095415014616}}"#;
        let data = decode_str(200, body).unwrap().unwrap();
        let json = format!(
            r#"{{"code":0,"success":true,"data":{}}}"#,
            Value::Object(data.clone())
        );
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
