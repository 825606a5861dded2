//! Responses in the contract's shapes. Every error body is
//! `{"error": "<code>", "message": "<text>"}` (plus `retry_after` and `global` for 429s), and
//! nothing here can fail: a response that cannot be built degrades to an empty one with the
//! same status.

use serde::Serialize;
use worker::worker_sys::web_sys;
use worker::{Headers, Response};

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_after: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    global: Option<bool>,
}

/// An error answer of a route: status, stable code, human message, and for rate limits the
/// wait. `clear_session` also clears the session cookie (the session is gone).
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// Stable code, e.g. `unauthorized`, `rate_limited`, `discord_unavailable`.
    pub code: &'static str,
    /// Human text; never a token, secret or cookie value.
    pub message: String,
    /// Seconds to wait (429 and 503), sent as `Retry-After` too.
    pub retry_after: Option<f64>,
    /// Whether a rate limit is Discord's global one.
    pub global: Option<bool>,
    /// Clear the session cookie with this answer.
    pub clear_session: bool,
    /// The `Allow` header of a 405.
    pub allow: Option<String>,
    /// The `WWW-Authenticate` header of a 401 from a route that takes a credential in
    /// `Authorization` (RFC 9110 §11.6.1), e.g. `Bearer`.
    pub challenge: Option<&'static str>,
}

impl ApiError {
    /// An error without rate-limit details.
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
            global: None,
            clear_session: false,
            allow: None,
            challenge: None,
        }
    }

    /// The same error with an `Allow` header (a 405).
    pub fn allowing(mut self, methods: &str) -> Self {
        self.allow = Some(methods.to_owned());
        self
    }

    /// The same error with a `WWW-Authenticate` header (a 401 of a route that takes a
    /// credential in `Authorization`).
    pub fn challenging(mut self, scheme: &'static str) -> Self {
        self.challenge = Some(scheme);
        self
    }

    /// 401 `unauthorized`.
    pub fn unauthorized() -> Self {
        ApiError::new(401, "unauthorized", "no valid session: log in first")
    }

    /// The same error, clearing the session cookie.
    pub fn clearing_session(mut self) -> Self {
        self.clear_session = true;
        self
    }

    /// The JSON response.
    pub fn response(&self) -> Response {
        let body = ErrorBody {
            error: self.code,
            message: &self.message,
            retry_after: self.retry_after,
            global: self.global,
        };
        let headers = json_headers();
        if let Some(s) = self.retry_after {
            let _ = headers.set("retry-after", &format!("{}", s.max(0.0).ceil() as u64));
        }
        if let Some(allow) = &self.allow {
            let _ = headers.set("allow", allow);
        }
        if let Some(scheme) = self.challenge {
            let _ = headers.set("www-authenticate", scheme);
        }
        if self.clear_session {
            for cookie in super::cookies::clear_session() {
                let _ = headers.append("set-cookie", &cookie);
            }
        }
        with_body(self.status, headers, to_json(&body))
    }
}

fn new_json_headers() -> Headers {
    let headers = Headers::new();
    // Setting constant, valid header names and values cannot fail.
    let _ = headers.set("content-type", "application/json; charset=utf-8");
    let _ = headers.set("cache-control", "no-store");
    headers
}

thread_local! {
    /// The headers every JSON answer starts from, built once per isolate: copying them is one
    /// call into the runtime where building them is three, each passing strings across.
    static JSON_HEADERS: Headers = new_json_headers();
}

/// Headers of a JSON answer: `Content-Type` and `Cache-Control: no-store` (every body here is
/// per-user). A fresh copy, free to change.
pub fn json_headers() -> Headers {
    JSON_HEADERS
        .try_with(|template| web_sys::Headers::new_with_headers(&template.0).ok())
        .ok()
        .flatten()
        .map(Headers)
        .unwrap_or_else(new_json_headers)
}

/// `body` as JSON text (`{}` in the case serde cannot encode it, which our types never hit).
pub(crate) fn to_json<T: Serialize>(body: &T) -> String {
    serde_json::to_string(body).unwrap_or_else(|_| String::from("{}"))
}

/// A response with `text` as its body (the headers given, with no `Content-Type` of its own).
pub fn with_body(status: u16, headers: Headers, text: String) -> Response {
    match Response::ok(text) {
        Ok(r) => r.with_status(status).with_headers(headers),
        Err(_) => empty(status, headers),
    }
}

/// An answer built once (status, headers, body): a workers-rs `Response` on the library's
/// routes, the runtime's own on the deployable Worker's entry, the same either way.
pub(crate) struct Built {
    pub(crate) status: u16,
    pub(crate) headers: Headers,
    pub(crate) body: String,
}

impl Built {
    /// As a workers-rs `Response` (the library's routes).
    pub(crate) fn into_response(self) -> Response {
        with_body(self.status, self.headers, self.body)
    }

    /// As the runtime's own `Response`, built in one call (`fast.rs`, `fast_api.rs`,
    /// `oidc/token.rs`): no workers-rs `Response` to convert field by field.
    #[cfg(feature = "worker-entry")]
    pub(crate) fn into_js(self) -> web_sys::Response {
        js_response(self.status, self.body, self.headers)
    }
}

/// A JSON error response.
pub fn error(status: u16, code: &'static str, message: &str) -> Response {
    ApiError::new(status, code, message).response()
}

/// A JSON response whose body is already JSON text (our own).
pub fn json_text(status: u16, text: String) -> Response {
    with_body(status, json_headers(), text)
}

thread_local! {
    /// `{status: 200, headers: <the JSON headers>}`, built once per isolate. The runtime copies
    /// the headers into each response it constructs from it, so it is never changed.
    static OK_JSON_INIT: web_sys::ResponseInit = {
        let init = web_sys::ResponseInit::new();
        init.set_status(200);
        JSON_HEADERS.with(|h| init.set_headers(&h.0));
        init
    };
}

/// [`json_text`] built directly as the runtime's `Response`: one call for a 200, rather than
/// a `worker::Response` converted field by field. The same status, headers and body.
pub fn js_json(status: u16, text: String) -> web_sys::Response {
    let built = if status == 200 {
        OK_JSON_INIT
            .try_with(|init| web_sys::Response::new_with_opt_str_and_init(Some(&text), init).ok())
            .ok()
            .flatten()
    } else {
        None
    };
    built.unwrap_or_else(|| json_text(status, text).into())
}

/// [`with_body`] built directly as the runtime's `Response`, in one call.
pub fn js_response(status: u16, text: String, headers: Headers) -> web_sys::Response {
    let init = web_sys::ResponseInit::new();
    init.set_status(status);
    init.set_headers(&headers.0);
    web_sys::Response::new_with_opt_str_and_init(Some(&text), &init)
        .unwrap_or_else(|_| with_body(status, headers, text).into())
}

/// A JSON response with `Cache-Control: no-store`.
pub fn json<T: Serialize>(status: u16, body: &T) -> Response {
    with_body(status, json_headers(), to_json(body))
}

/// A JSON response whose body is already JSON text (Discord's, passed through).
pub fn raw_json(status: u16, body: String, headers: Headers) -> Response {
    let _ = headers.set("content-type", "application/json; charset=utf-8");
    let _ = headers.set("cache-control", "no-store");
    with_body(status, headers, body)
}

/// A bodiless response (204, 302) with the given headers. Built by hand: the headers of
/// `Response::redirect` are immutable, and each `Set-Cookie` must be its own header.
pub fn empty(status: u16, headers: Headers) -> Response {
    match Response::empty() {
        Ok(r) => r.with_status(status).with_headers(headers),
        Err(_) => Response::builder()
            .with_status(status)
            .with_headers(headers)
            .empty(),
    }
}

/// A 302 to `location`, setting each of `cookies` as its own `Set-Cookie`.
pub fn redirect(location: &str, cookies: &[String]) -> Response {
    let headers = Headers::new();
    let _ = headers.set("cache-control", "no-store");
    if headers.set("location", location).is_err() {
        return error(500, "internal_error", "could not build the redirect");
    }
    for c in cookies {
        let _ = headers.append("set-cookie", c);
    }
    empty(302, headers)
}
