//! JSON responses in the contract's shape: `{"error": "<code>", "message": "<text>"}`.

use serde::Serialize;
use worker::{Headers, Response};

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    message: &'a str,
}

/// A JSON error response. Never fails: if building the response fails (it cannot for these
/// inputs), an empty response with the same status is returned instead.
pub fn error(status: u16, code: &str, message: &str) -> Response {
    json(status, &ErrorBody { error: code, message })
}

/// A JSON response with `Cache-Control: no-store` (every body here is per-user).
pub fn json<T: Serialize>(status: u16, body: &T) -> Response {
    let text = serde_json::to_string(body).unwrap_or_else(|_| String::from("{}"));
    let headers = Headers::new();
    // Setting these constant, valid header names and values cannot fail.
    let _ = headers.set("content-type", "application/json; charset=utf-8");
    let _ = headers.set("cache-control", "no-store");
    match Response::ok(text) {
        Ok(r) => r.with_status(status).with_headers(headers),
        Err(_) => Response::empty()
            .map(|r| r.with_status(status))
            .unwrap_or_else(|_| Response::builder().with_status(status).empty()),
    }
}
