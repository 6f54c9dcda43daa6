//! The control API under `/_sandbox/`, JSON in and out, and the console page. Each route
//! calls the same [`State`] operation as the matching [`crate::Sandbox`] method.

use std::borrow::Cow;

use serde_json::json;

use crate::faults::Fault;
use crate::http::{Request, Response};
use crate::purchases::{NewPurchase, PurchaseUpdate};
use crate::state::State;

/// The prefix of every control path.
const PREFIX: &str = "/_sandbox/";

/// The console: one self-contained page, no network beyond this control API.
const CONSOLE: &str = include_str!("console.html");

/// The header carrying the control key.
const KEY_HEADER: &str = "x-sandbox-key";

/// Whether `path` belongs to the control API rather than the Payments API.
pub(crate) fn is_control(path: &str) -> bool {
    path.starts_with(PREFIX) || path == PREFIX.trim_end_matches('/')
}

/// Answers a control request.
pub(crate) fn handle(state: &State, request: &Request) -> Response {
    let route = request.path.strip_prefix(PREFIX).unwrap_or("");
    let method = request.method.as_str();
    if !same_origin(request) {
        return Response::error(403, "cross-origin requests to the control API are refused");
    }
    if !has_key(state, request) {
        if route.is_empty() && method == "GET" {
            // The page itself holds no data: it asks for the key and sends it along.
            return console().with_status(401);
        }
        return Response::error(401, "this sandbox needs its control key in X-Sandbox-Key")
            .with_header("WWW-Authenticate", "X-Sandbox-Key");
    }
    match route {
        "" => allow(method, &["GET"], console),
        "reset" => allow(method, &["POST"], || {
            state.reset();
            ok_json(&json!({}))
        }),
        "purchases" => allow(method, &["GET", "POST"], || {
            if method == "GET" {
                return ok_json(&state.purchase_list());
            }
            match serde_json::from_slice::<NewPurchase>(&request.body) {
                Err(e) => Response::error(400, &format!("bad purchase: {e}")),
                Ok(purchase) => match state.add_purchase(purchase) {
                    Ok(token) => ok_json(&json!({ "token": token })),
                    Err(e) => Response::error(400, &format!("bad purchase: {e}")),
                },
            }
        }),
        "faults" => allow(method, &["GET", "POST", "DELETE"], || match method {
            "GET" => ok_json(&state.faults()),
            "DELETE" => {
                state.clear_faults();
                ok_json(&json!({}))
            }
            _ => match Fault::parse_list(&request.body) {
                Ok(faults) => {
                    state.add_faults(faults);
                    ok_json(&json!({}))
                }
                Err(e) => Response::error(400, &format!("bad fault: {e}")),
            },
        }),
        "requests" => allow(method, &["GET"], || {
            match request.query_param("limit").map(|n| n.parse::<usize>()) {
                None => ok_json(&state.requests(None)),
                Some(Ok(n)) => ok_json(&state.requests(Some(n))),
                Some(Err(_)) => Response::error(400, "limit must be a number"),
            }
        }),
        _ => match route.strip_prefix("purchases/") {
            Some(encoded) if !encoded.is_empty() => {
                let token: Cow<'_, str> =
                    percent_encoding::percent_decode_str(encoded).decode_utf8_lossy();
                let unknown = || Response::error(404, &format!("no purchase with token {token:?}"));
                allow(method, &["GET", "PATCH", "POST"], || {
                    if method == "GET" {
                        return state.purchase(&token).map_or_else(unknown, |d| ok_json(&d));
                    }
                    match serde_json::from_slice::<PurchaseUpdate>(&request.body) {
                        Err(e) => Response::error(400, &format!("bad update: {e}")),
                        Ok(update) => state
                            .update_purchase(&token, update)
                            .map_or_else(unknown, |d| ok_json(&d)),
                    }
                })
            }
            _ => Response::error(404, &format!("no control endpoint {}", request.path)),
        },
    }
}

/// The console page. Its scripts may reach this origin only.
fn console() -> Response {
    Response::new(200, "text/html; charset=utf-8", CONSOLE.as_bytes().to_vec())
        .with_header(
            "Content-Security-Policy",
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
             connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; \
             frame-ancestors 'none'",
        )
        .with_header("Cache-Control", "no-store")
        .with_header("X-Content-Type-Options", "nosniff")
        .with_header("Referrer-Policy", "no-referrer")
}

/// Whether the request carries the control key (always true without one): in
/// `X-Sandbox-Key`, or as the `key` query parameter.
fn has_key(state: &State, request: &Request) -> bool {
    let Some(expected) = &state.control_key else {
        return true;
    };
    let given = match request.header(KEY_HEADER) {
        Some(key) => Cow::Borrowed(key),
        None => match request.query_param("key") {
            Some(key) => Cow::Owned(key),
            None => return false,
        },
    };
    constant_time_eq(given.as_bytes(), expected.as_bytes())
}

/// Compares without stopping at the first difference, so timing tells nothing of the
/// key but its length.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether a browser sent the request from a page of this sandbox (or no browser sent it
/// at all): another site's page must not drive the control API behind the user's back.
fn same_origin(request: &Request) -> bool {
    let Some(origin) = request.header("origin") else {
        return true;
    };
    let authority = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    match (authority, request.header("host")) {
        (Some(authority), Some(host)) => authority.eq_ignore_ascii_case(host),
        _ => false,
    }
}

/// Runs `serve` if the method is one of `allowed`, else answers 405.
fn allow(method: &str, allowed: &[&str], serve: impl FnOnce() -> Response) -> Response {
    if allowed.contains(&method) {
        serve()
    } else {
        let allowed = allowed.join(", ");
        Response::error(405, &format!("use {allowed}")).with_header("Allow", &allowed)
    }
}

fn ok_json(value: &impl serde::Serialize) -> Response {
    Response::json(
        200,
        serde_json::to_vec(value).expect("control answers always serialise"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_compare_whole() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
