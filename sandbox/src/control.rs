//! The control API under `/_sandbox/`: JSON in and out, no key needed. Each route calls
//! the same [`State`] operation as the matching [`crate::Sandbox`] method.

use std::borrow::Cow;

use serde_json::json;

use crate::faults::Fault;
use crate::http::{Request, Response};
use crate::purchases::NewPurchase;
use crate::state::State;

/// The prefix of every control path.
const PREFIX: &str = "/_sandbox/";

/// Whether `path` belongs to the control API rather than the Payments API.
pub(crate) fn is_control(path: &str) -> bool {
    path.starts_with(PREFIX) || path == PREFIX.trim_end_matches('/')
}

/// Answers a control request.
pub(crate) fn handle(state: &State, request: &Request) -> Response {
    let route = request.path.strip_prefix(PREFIX).unwrap_or("");
    let method = request.method.as_str();
    match route {
        "reset" => only(method, "POST", || {
            state.reset();
            ok_json(&json!({}))
        }),
        "purchases" => only(method, "POST", || {
            match serde_json::from_slice::<NewPurchase>(&request.body) {
                Err(e) => Response::error(400, &format!("bad purchase: {e}")),
                Ok(purchase) => match state.add_purchase(purchase) {
                    Ok(token) => ok_json(&json!({ "token": token })),
                    Err(e) => Response::error(400, &format!("bad purchase: {e}")),
                },
            }
        }),
        "faults" => only(method, "POST", || match Fault::parse_list(&request.body) {
            Ok(faults) => {
                state.add_faults(faults);
                ok_json(&json!({}))
            }
            Err(e) => Response::error(400, &format!("bad fault: {e}")),
        }),
        "requests" => only(method, "GET", || ok_json(&state.requests())),
        _ => match route.strip_prefix("purchases/") {
            Some(encoded) if !encoded.is_empty() => only(method, "GET", || {
                let token: Cow<'_, str> =
                    percent_encoding::percent_decode_str(encoded).decode_utf8_lossy();
                match state.purchase(&token) {
                    Some(data) => ok_json(&data),
                    None => Response::error(404, &format!("no purchase with token {token:?}")),
                }
            }),
            _ => Response::error(404, &format!("no control endpoint {}", request.path)),
        },
    }
}

/// Runs `serve` if the method is `allowed`, else answers 405.
fn only(method: &str, allowed: &str, serve: impl FnOnce() -> Response) -> Response {
    if method == allowed {
        serve()
    } else {
        Response::error(405, &format!("use {allowed}")).with_header("Allow", allowed)
    }
}

fn ok_json(value: &impl serde::Serialize) -> Response {
    Response::json(
        200,
        serde_json::to_vec(value).expect("control answers always serialise"),
    )
}
