//! Injected faults: what they match, what they do, and the queue they wait in.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::http::Response;
use crate::wire::{self, Call};

/// Which API requests a fault applies to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Match {
    /// Every API request (the default).
    #[default]
    Any,
    /// Both verifyPurchase paths (`seller` and `sellers`).
    Verify,
    /// The consumePurchase path.
    Consume,
    /// Exactly this path (query string excluded).
    Path(String),
}

impl Match {
    fn fits(&self, path: &str) -> bool {
        match self {
            Match::Any => true,
            Match::Verify => wire::call_for_path(path) == Some(Call::Verify),
            Match::Consume => wire::call_for_path(path) == Some(Call::Consume),
            Match::Path(p) => p == path,
        }
    }

    /// The wire form: `"any"`, `"verify"`, `"consume"` or the path.
    fn as_str(&self) -> &str {
        match self {
            Match::Any => "any",
            Match::Verify => "verify",
            Match::Consume => "consume",
            Match::Path(p) => p,
        }
    }
}

impl<'de> Deserialize<'de> for Match {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Match, D::Error> {
        let text = String::deserialize(d)?;
        match text.as_str() {
            "any" => Ok(Match::Any),
            "verify" => Ok(Match::Verify),
            "consume" => Ok(Match::Consume),
            p if p.starts_with('/') => Ok(Match::Path(text)),
            other => Err(serde::de::Error::custom(format!(
                "match must be \"verify\", \"consume\", \"any\" or a path starting with '/', not {other:?}"
            ))),
        }
    }
}

/// What a fault does to the request it hits. Only [`Action::None`] and
/// [`Action::DropAfter`] let the call take effect; every other action replaces it.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Serve normally (after the fault's delay).
    None,
    /// Never answer: hold the connection until the client closes it or 120 s pass.
    Hang,
    /// Close the connection without answering.
    DropBefore,
    /// Carry out the call, then close the connection without answering.
    DropAfter,
    /// Answer a raw HTTP response.
    Status {
        /// HTTP status code.
        status: u16,
        /// Response body.
        body: String,
        /// Extra headers (e.g. `Retry-After`).
        headers: BTreeMap<String, String>,
        /// Content-Type of `body`.
        content_type: String,
    },
    /// Answer `body` serialised as JSON with HTTP `status`.
    Json {
        /// HTTP status code.
        status: u16,
        /// The JSON sent verbatim.
        body: Value,
    },
    /// Answer the API envelope with `success:false` and this code.
    ApiCode {
        /// The API code.
        code: i64,
        /// `codeMsg`; `None` means the code's documented name, else `"error"`.
        msg: Option<String>,
        /// HTTP status code.
        status: u16,
    },
    /// HTTP 200 with the truncated JSON `{"success": tru`.
    Malformed,
    /// HTTP 200 with an empty body.
    Empty,
    /// HTTP 200 with a valid JSON envelope of (at least) `bytes` bytes.
    Oversized {
        /// Body size; bodies never go below the smallest padded envelope.
        bytes: usize,
    },
}

/// A fault to inject into upcoming API requests.
///
/// ```
/// use nowgg_sandbox::{Action, Fault, Match};
/// let fault = Fault::new(Action::DropAfter).on(Match::Consume).times(2);
/// # let _ = fault;
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "FaultSpec")]
pub struct Fault {
    matcher: Match,
    count: u32,
    delay: Duration,
    action: Action,
}

impl Fault {
    /// A fault that does `action` to the next API request.
    pub fn new(action: Action) -> Fault {
        Fault {
            matcher: Match::Any,
            count: 1,
            delay: Duration::ZERO,
            action,
        }
    }

    /// Restricts the fault to the requests `matcher` fits.
    pub fn on(mut self, matcher: Match) -> Fault {
        self.matcher = matcher;
        self
    }

    /// Hits the next `count` matching requests instead of one; 0 hits none.
    pub fn times(mut self, count: u32) -> Fault {
        self.count = count;
        self
    }

    /// Waits `delay` before acting.
    pub fn delay(mut self, delay: Duration) -> Fault {
        self.delay = delay;
        self
    }

    /// Parses the body of `POST /_sandbox/faults`: one fault object or an array of them.
    pub fn parse_list(json: &[u8]) -> Result<Vec<Fault>, serde_json::Error> {
        match serde_json::from_slice::<Value>(json)? {
            list @ Value::Array(_) => serde_json::from_value(list),
            one => Ok(vec![serde_json::from_value(one)?]),
        }
    }
}

/// A fault serialises to the wire form `POST /_sandbox/faults` takes (and
/// `GET /_sandbox/faults` lists), every field of its action spelled out; `count` is what
/// is left of it.
impl Serialize for Fault {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = FaultOut {
            matcher: self.matcher.as_str(),
            count: self.count,
            delay_ms: u64::try_from(self.delay.as_millis()).unwrap_or(u64::MAX),
            action: self.action.name(),
            status: None,
            body: None,
            headers: None,
            content_type: None,
            code: None,
            msg: None,
            bytes: None,
        };
        match &self.action {
            Action::Status {
                status,
                body,
                headers,
                content_type,
            } => {
                out.status = Some(*status);
                out.body = Some(Value::String(body.clone()));
                out.headers = Some(headers);
                out.content_type = Some(content_type);
            }
            Action::Json { status, body } => {
                out.status = Some(*status);
                out.body = Some(body.clone());
            }
            Action::ApiCode { code, msg, status } => {
                out.code = Some(*code);
                out.msg = msg.as_deref();
                out.status = Some(*status);
            }
            Action::Oversized { bytes } => out.bytes = Some(*bytes),
            _ => {}
        }
        out.serialize(serializer)
    }
}

#[derive(Serialize)]
struct FaultOut<'a> {
    #[serde(rename = "match")]
    matcher: &'a str,
    count: u32,
    delay_ms: u64,
    action: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    headers: Option<&'a BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    content_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    msg: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bytes: Option<usize>,
}

/// The wire form of a fault, checked and turned into a [`Fault`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultSpec {
    #[serde(default, rename = "match")]
    matcher: Match,
    #[serde(default = "one")]
    count: u32,
    #[serde(default)]
    delay_ms: u64,
    #[serde(default)]
    action: Option<String>,
    status: Option<u16>,
    body: Option<Value>,
    headers: Option<BTreeMap<String, String>>,
    content_type: Option<String>,
    code: Option<i64>,
    msg: Option<String>,
    bytes: Option<usize>,
}

fn one() -> u32 {
    1
}

impl TryFrom<FaultSpec> for Fault {
    type Error = String;

    fn try_from(spec: FaultSpec) -> Result<Fault, String> {
        let action_name = spec.action.as_deref().unwrap_or("none");
        // Which optional fields each action reads, so a misplaced field is an error
        // rather than silently ignored.
        let allowed: &[&str] = match action_name {
            "status" => &["status", "body", "headers", "content_type"],
            "json" => &["status", "body"],
            "api_code" => &["code", "msg", "status"],
            "oversized" => &["bytes"],
            _ => &[],
        };
        let given = [
            ("status", spec.status.is_some()),
            ("body", spec.body.is_some()),
            ("headers", spec.headers.is_some()),
            ("content_type", spec.content_type.is_some()),
            ("code", spec.code.is_some()),
            ("msg", spec.msg.is_some()),
            ("bytes", spec.bytes.is_some()),
        ];
        if let Some((field, _)) = given
            .iter()
            .find(|(field, set)| *set && !allowed.contains(field))
        {
            return Err(format!(
                "field {field:?} does not apply to action {action_name:?}"
            ));
        }
        let status = match spec.status {
            Some(s) if !(100..=999).contains(&s) => {
                return Err(format!("status {s} is not a three-digit HTTP status"));
            }
            s => s,
        };
        let action = match action_name {
            "none" => Action::None,
            "hang" => Action::Hang,
            "drop_before" => Action::DropBefore,
            "drop_after" => Action::DropAfter,
            "status" => {
                let body = match spec.body {
                    None => String::new(),
                    Some(Value::String(s)) => s,
                    Some(_) => return Err("a status fault's body must be a string".into()),
                };
                let headers = spec.headers.unwrap_or_default();
                for (name, value) in &headers {
                    check_header(name, value)?;
                }
                let content_type = spec.content_type.unwrap_or_else(|| "text/html".into());
                check_header("Content-Type", &content_type)?;
                Action::Status {
                    status: status.ok_or("a status fault needs \"status\"")?,
                    body,
                    headers,
                    content_type,
                }
            }
            "json" => Action::Json {
                status: status.unwrap_or(200),
                body: spec.body.ok_or("a json fault needs \"body\"")?,
            },
            "api_code" => Action::ApiCode {
                code: spec.code.ok_or("an api_code fault needs \"code\"")?,
                msg: spec.msg,
                status: status.unwrap_or(200),
            },
            "malformed" => Action::Malformed,
            "empty" => Action::Empty,
            "oversized" => Action::Oversized {
                bytes: spec.bytes.unwrap_or(2 * 1024 * 1024),
            },
            other => return Err(format!("unknown action {other:?}")),
        };
        Ok(Fault {
            matcher: spec.matcher,
            count: spec.count,
            delay: Duration::from_millis(spec.delay_ms),
            action,
        })
    }
}

/// Refuses headers that would corrupt the response or that the sandbox writes itself.
fn check_header(name: &str, value: &str) -> Result<(), String> {
    let token_char = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if name.is_empty() || !name.chars().all(token_char) {
        return Err(format!("bad header name {name:?}"));
    }
    if value.chars().any(|c| c == '\r' || c == '\n' || c == '\0') {
        return Err(format!("header {name} has a line break in its value"));
    }
    if ["content-length", "transfer-encoding"].contains(&name.to_ascii_lowercase().as_str()) {
        return Err(format!("header {name} is set by the sandbox"));
    }
    Ok(())
}

impl Action {
    /// The action's wire name (`"none"`, `"status"`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            Action::None => "none",
            Action::Hang => "hang",
            Action::DropBefore => "drop_before",
            Action::DropAfter => "drop_after",
            Action::Status { .. } => "status",
            Action::Json { .. } => "json",
            Action::ApiCode { .. } => "api_code",
            Action::Malformed => "malformed",
            Action::Empty => "empty",
            Action::Oversized { .. } => "oversized",
        }
    }

    /// The API code and code name of the canned response, when it carries an envelope
    /// (for the request log).
    pub(crate) fn code(&self) -> Option<(i64, String)> {
        let named = |code: i64, msg: Option<&str>| {
            let name = wire::code_name(code).or(msg).unwrap_or("error");
            (code, name.to_owned())
        };
        match self {
            Action::ApiCode { code, msg, .. } => Some(named(*code, msg.as_deref())),
            Action::Oversized { .. } => Some(named(0, None)),
            Action::Json { body, .. } => {
                let code = body.get("code")?.as_i64()?;
                Some(named(code, body.get("codeMsg").and_then(Value::as_str)))
            }
            Action::Status { body, .. } => {
                let body: Value = serde_json::from_str(body).ok()?;
                let code = body.get("code")?.as_i64()?;
                Some(named(code, body.get("codeMsg").and_then(Value::as_str)))
            }
            _ => None,
        }
    }

    /// The canned response of the actions that replace the answer; `None` for those that
    /// serve, drop or hang.
    pub(crate) fn response(&self) -> Option<Response> {
        let response = match self {
            Action::None | Action::Hang | Action::DropBefore | Action::DropAfter => return None,
            Action::Status {
                status,
                body,
                headers,
                content_type,
            } => headers.iter().fold(
                Response::new(*status, content_type, body.clone().into_bytes()),
                |response, (name, value)| response.with_header(name, value),
            ),
            Action::Json { status, body } => Response::json(
                *status,
                serde_json::to_vec(body).expect("a JSON value always serialises"),
            ),
            Action::ApiCode { code, msg, status } => {
                let msg = msg
                    .as_deref()
                    .or_else(|| wire::code_name(*code))
                    .unwrap_or("error");
                Response::json(*status, wire::failure(*code, msg))
            }
            Action::Malformed => Response::json(200, b"{\"success\": tru".to_vec()),
            Action::Empty => Response::empty(200),
            Action::Oversized { bytes } => Response::json(200, padded_envelope(*bytes)),
        };
        Some(response)
    }
}

/// A valid success envelope padded with a filler field to `bytes` bytes.
fn padded_envelope(bytes: usize) -> Vec<u8> {
    const HEAD: &[u8] = br#"{"success":true,"code":0,"codeMsg":"success","data":{"padding":""#;
    const TAIL: &[u8] = br#""}}"#;
    let filler = bytes.saturating_sub(HEAD.len() + TAIL.len());
    let mut body = Vec::with_capacity(HEAD.len() + filler + TAIL.len());
    body.extend_from_slice(HEAD);
    body.resize(HEAD.len() + filler, b'x');
    body.extend_from_slice(TAIL);
    body
}

/// The faults waiting for requests, in the order they were added.
#[derive(Default)]
pub(crate) struct FaultQueue {
    queue: Mutex<VecDeque<Fault>>,
}

impl FaultQueue {
    /// Appends faults; those with a count of 0 would never fire and are skipped.
    pub(crate) fn push(&self, faults: impl IntoIterator<Item = Fault>) {
        self.lock()
            .extend(faults.into_iter().filter(|f| f.count > 0));
    }

    /// Removes every fault.
    pub(crate) fn clear(&self) {
        self.lock().clear();
    }

    /// The faults waiting, in order, each with the count it has left.
    pub(crate) fn list(&self) -> Vec<Fault> {
        self.lock().iter().cloned().collect()
    }

    /// Takes one hit of the first fault that fits `path`: its delay and action.
    pub(crate) fn take(&self, path: &str) -> Option<(Duration, Action)> {
        let mut queue = self.lock();
        let index = queue.iter().position(|f| f.matcher.fits(path))?;
        let fault = &mut queue[index];
        fault.count -= 1;
        let hit = (fault.delay, fault.action.clone());
        if fault.count == 0 {
            queue.remove(index);
        }
        Some(hit)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Fault>> {
        // Every update is a whole push, pop or decrement, so a poisoned queue is intact.
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_one_or_many_with_defaults() {
        let one = Fault::parse_list(br#"{"action": "hang"}"#).unwrap();
        assert_eq!(one, vec![Fault::new(Action::Hang)]);
        let many = Fault::parse_list(
            br#"[{"match": "consume", "count": 2, "delay_ms": 5},
                 {"match": "/x", "action": "status", "status": 503, "headers": {"Retry-After": "1"}}]"#,
        )
        .unwrap();
        assert_eq!(
            many[0],
            Fault::new(Action::None)
                .on(Match::Consume)
                .times(2)
                .delay(Duration::from_millis(5))
        );
        assert!(
            matches!(&many[1].action, Action::Status { status: 503, content_type, .. } if content_type == "text/html")
        );
    }

    #[test]
    fn rejects_mistakes_with_a_message() {
        for (json, needle) in [
            (r#"{"action": "explode"}"#, "unknown action"),
            (r#"{"match": "verifyy"}"#, "match must be"),
            (r#"{"action": "hang", "status": 500}"#, "does not apply"),
            (r#"{"action": "status"}"#, "needs \"status\""),
            (r#"{"action": "status", "status": 42}"#, "three-digit"),
            (r#"{"action": "api_code"}"#, "needs \"code\""),
            (r#"{"acton": "hang"}"#, "unknown field"),
            (
                r#"{"action": "status", "status": 500, "headers": {"Content-Length": "1"}}"#,
                "set by the sandbox",
            ),
        ] {
            let err = Fault::parse_list(json.as_bytes()).unwrap_err().to_string();
            assert!(err.contains(needle), "{json}: {err}");
        }
    }

    #[test]
    fn queue_takes_first_fitting_fault_and_counts_down() {
        let queue = FaultQueue::default();
        queue.push([
            Fault::new(Action::Hang).on(Match::Consume),
            Fault::new(Action::Empty).times(2),
            Fault::new(Action::Malformed).times(0),
        ]);
        let verify = "/v2/sellers/order/verifyPurchase";
        assert_eq!(queue.take(verify).unwrap().1, Action::Empty);
        assert_eq!(
            queue.take("/v2/order/consumePurchase").unwrap().1,
            Action::Hang
        );
        assert_eq!(queue.take(verify).unwrap().1, Action::Empty);
        assert_eq!(queue.take(verify), None);
    }

    #[test]
    fn faults_serialise_to_the_wire_form_they_parse_from() {
        let faults = Fault::parse_list(
            br#"[{"action": "status", "status": 503, "body": "down", "count": 3},
                 {"match": "/x", "action": "api_code", "code": 3901, "delay_ms": 7},
                 {"match": "consume", "action": "json", "body": {"code": 5014}},
                 {"action": "oversized", "bytes": 100}, {"action": "drop_after"}]"#,
        )
        .unwrap();
        let wire = serde_json::to_value(&faults).unwrap();
        assert_eq!(
            wire[0],
            serde_json::json!({"match": "any", "count": 3, "delay_ms": 0, "action": "status",
                "status": 503, "body": "down", "headers": {}, "content_type": "text/html"})
        );
        assert_eq!(
            wire[1],
            serde_json::json!({"match": "/x", "count": 1, "delay_ms": 7, "action": "api_code",
                "code": 3901, "status": 200})
        );
        let back = Fault::parse_list(wire.to_string().as_bytes()).unwrap();
        assert_eq!(back, faults);
        assert_eq!(
            faults[1].action.code(),
            Some((3901, "INVALID_PURCHASE_TOKEN".into()))
        );
        assert_eq!(
            faults[2].action.code(),
            Some((5014, "MULTISTORE_UNKNOWN_ERROR".into()))
        );
        assert_eq!(faults[0].action.code(), None);
    }

    #[test]
    fn oversized_envelope_is_exact_and_valid() {
        let body = padded_envelope(4096);
        assert_eq!(body.len(), 4096);
        let value: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(value["success"], true);
    }
}
