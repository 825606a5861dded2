//! CORS, so that a browser client can be tested against the emulator (whether discord.com
//! sends these headers on the token endpoint is not documented; the emulator does, and says
//! so in its README).

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

/// Headers a browser may read from responses: the rate-limit headers and `Retry-After`.
pub const EXPOSED: &str = "X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, \
X-RateLimit-Reset-After, X-RateLimit-Bucket, X-RateLimit-Global, X-RateLimit-Scope, Retry-After";

/// Request headers allowed by default.
pub const ALLOWED_HEADERS: &str = "Authorization, Content-Type, X-Audit-Log-Reason";

/// Methods allowed.
pub const ALLOWED_METHODS: &str = "GET, POST, PUT, PATCH, DELETE, OPTIONS";

/// The request's `Origin`, echoed back (or `*` when absent).
fn allow_origin(origin: Option<&HeaderValue>) -> HeaderValue {
    origin
        .filter(|o| !o.is_empty())
        .cloned()
        .unwrap_or_else(|| HeaderValue::from_static("*"))
}

/// Answers a preflight `OPTIONS` request: 204 with the allowed methods and headers.
pub fn preflight(headers: &HeaderMap) -> Response {
    let mut resp = Response::new(Body::empty());
    *resp.status_mut() = StatusCode::NO_CONTENT;
    let h = resp.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(ALLOWED_METHODS),
    );
    // Allow what the browser asks for on top of the standard list (e.g. User-Agent).
    let requested = headers
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.trim().is_empty());
    let allowed = match requested {
        Some(r) => format!("{ALLOWED_HEADERS}, {r}"),
        None => ALLOWED_HEADERS.to_owned(),
    };
    if let Ok(v) = HeaderValue::from_str(&allowed) {
        h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, v);
    }
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("86400"),
    );
    resp
}

/// Adds `Access-Control-Allow-Origin` and `Access-Control-Expose-Headers` to a response.
pub fn decorate(resp: &mut Response, origin: Option<&HeaderValue>) {
    let h = resp.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin(origin));
    if origin.is_some() {
        h.append(header::VARY, HeaderValue::from_static("Origin"));
    }
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(EXPOSED),
    );
}
