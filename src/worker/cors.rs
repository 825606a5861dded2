//! CORS with credentials for trusted origins other than the Worker's own (docs/contract.md §8): the
//! Activity's `https://{client_id}.discordsays.com` and the `ALLOWED_ORIGINS` (an SPA on
//! another host), on `/auth/session`, `/auth/logout` and `/api/*`.
//!
//! The answer names the one requesting origin (`Access-Control-Allow-Origin: <origin>`, never
//! `*`, which browsers refuse with credentials anyway), allows credentials (the session
//! cookie), and says `Vary: Origin` so no cache hands one origin's answer to another. An
//! untrusted origin gets no CORS header at all: its page cannot read any answer.
//! <https://fetch.spec.whatwg.org/#http-cors-protocol>

use super::config::Settings;
use super::respond::{self, ApiError};
use super::routes::Route;
use worker::{Headers, Request, Response};

/// How long a browser may cache a preflight answer, in seconds.
const PREFLIGHT_MAX_AGE: &str = "600";

/// Whether `path` is one of the routes that answer CORS.
fn is_cors_path(path: &str) -> bool {
    path == "/auth/session" || path == "/auth/logout" || path.starts_with("/api/")
}

/// The request's `Origin`, when it is a trusted origin other than this Worker's own and the
/// path answers CORS: the origin to allow.
pub(crate) fn allowed_origin(settings: &Settings, req: &Request, path: &str) -> Option<String> {
    if !is_cors_path(path) {
        return None;
    }
    let origin = req.headers().get("origin").ok().flatten()?;
    let this = super::auth::origin(req).unwrap_or_default();
    settings
        .cors_origin(&origin, &this)
        .then(|| origin.trim().to_owned())
}

/// Adds the CORS headers for `origin` to an answer.
pub(crate) fn allow(response: Response, origin: &str) -> Response {
    let headers = response.headers();
    let _ = headers.set("access-control-allow-origin", origin);
    let _ = headers.set("access-control-allow-credentials", "true");
    let _ = headers.set("access-control-expose-headers", "retry-after");
    let _ = headers.append("vary", "Origin");
    response
}

/// The answer to an `OPTIONS` request: a preflight from an allowed origin is 204 with the
/// route's methods and `Content-Type` allowed; an `Origin` that is not allowed there gets 403
/// `forbidden` without CORS headers; `None` (no `Origin`): the route's usual 405.
pub(crate) fn preflight(
    req: &Request,
    path: &str,
    allowed: Option<&str>,
) -> Option<Result<Response, ApiError>> {
    let Some(origin) = allowed else {
        return req.headers().get("origin").ok().flatten().map(|_| {
            Err(ApiError::new(
                403,
                "forbidden",
                "CORS is not offered to this origin",
            ))
        });
    };
    let Some(route) = Route::parse(path) else {
        return Some(Err(ApiError::new(404, "not_found", "no such route")));
    };
    let methods = route.methods().allow();
    let headers = Headers::new();
    let _ = headers.set("access-control-allow-methods", methods);
    let _ = headers.set("access-control-allow-headers", "content-type");
    let _ = headers.set("access-control-max-age", PREFLIGHT_MAX_AGE);
    let _ = headers.set("cache-control", "no-store");
    Some(Ok(allow(respond::empty(204, headers), origin)))
}
