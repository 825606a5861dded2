//! Discord-shaped error responses.
//!
//! The REST API answers `{"message": "...", "code": N}` with the JSON error codes listed at
//! <https://discord.com/developers/docs/topics/opcodes-and-status-codes#json>; the OAuth2
//! token endpoints answer RFC 6749 §5.2 bodies (`{"error": "...", "error_description": "..."}`).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// A JSON response with the given status.
pub fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut resp = (status, body.to_string()).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// A REST API error: `{"message": message, "code": code}`.
pub fn discord(status: StatusCode, code: u32, message: &str) -> Response {
    json_response(status, &json!({ "message": message, "code": code }))
}

/// `401 {"message": "401: Unauthorized", "code": 0}`: missing, invalid, expired or revoked token.
pub fn unauthorized() -> Response {
    discord(StatusCode::UNAUTHORIZED, 0, "401: Unauthorized")
}

/// `403 {"message": "Missing Access", "code": 50001}`: the token lacks the scope.
pub fn missing_access() -> Response {
    discord(StatusCode::FORBIDDEN, 50001, "Missing Access")
}

/// `404 {"message": "Unknown Guild", "code": 10004}`.
pub fn unknown_guild() -> Response {
    discord(StatusCode::NOT_FOUND, 10004, "Unknown Guild")
}

/// `404 {"message": "Unknown User", "code": 10013}`.
pub fn unknown_user() -> Response {
    discord(StatusCode::NOT_FOUND, 10013, "Unknown User")
}

/// `404 {"message": "Unknown Application", "code": 10002}`.
pub fn unknown_application() -> Response {
    discord(StatusCode::NOT_FOUND, 10002, "Unknown Application")
}

/// `404 {"message": "404: Not Found", "code": 0}`: no such route.
pub fn not_found() -> Response {
    discord(StatusCode::NOT_FOUND, 0, "404: Not Found")
}

/// `405 {"message": "405: Method Not Allowed", "code": 0}`: the route exists, not the method.
pub fn method_not_allowed() -> Response {
    discord(StatusCode::METHOD_NOT_ALLOWED, 0, "405: Method Not Allowed")
}

/// `413 {"message": "Request entity too large", "code": 40005}`.
pub fn too_large() -> Response {
    discord(
        StatusCode::PAYLOAD_TOO_LARGE,
        40005,
        "Request entity too large",
    )
}

/// `400 {"code": 50035, "message": "Invalid Form Body", "errors": {...}}` with Discord's nested
/// error tree (<https://discord.com/developers/docs/reference#error-messages>).
pub fn invalid_form_body(errors: Value) -> Response {
    json_response(
        StatusCode::BAD_REQUEST,
        &json!({ "code": 50035, "message": "Invalid Form Body", "errors": errors }),
    )
}

/// One leaf of Discord's nested error tree: `{"_errors": [{"code": .., "message": ..}]}`.
pub fn field_error(code: &str, message: &str) -> Value {
    json!({ "_errors": [ { "code": code, "message": message } ] })
}

/// An OAuth2 error body (RFC 6749 §5.2). `description` is omitted when `None`, as Discord does
/// for `{"error": "invalid_client"}`.
pub fn oauth(status: StatusCode, error: &str, description: Option<&str>) -> Response {
    let body = match description {
        Some(d) => json!({ "error": error, "error_description": d }),
        None => json!({ "error": error }),
    };
    json_response(status, &body)
}

/// `401 {"error": "invalid_client"}`.
pub fn invalid_client() -> Response {
    oauth(StatusCode::UNAUTHORIZED, "invalid_client", None)
}

/// `400 {"error": "invalid_request", "error_description": description}`.
pub fn invalid_request(description: &str) -> Response {
    oauth(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        Some(description),
    )
}

/// `400 {"error": "invalid_grant", "error_description": description}`.
pub fn invalid_grant(description: &str) -> Response {
    oauth(StatusCode::BAD_REQUEST, "invalid_grant", Some(description))
}

/// A plain HTML error page (used by the authorize endpoint, which never redirects to an
/// unverified redirect URI: RFC 6749 §4.1.2.1).
pub fn html_error_page(status: StatusCode, title: &str, detail: &str) -> Response {
    let body = crate::consent::error_page(title, detail);
    let mut resp = (status, body).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    resp
}
