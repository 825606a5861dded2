//! Runs the core's [`HttpRequest`]s with the Workers runtime's global `fetch`.
//!
//! The only I/O with Discord: every call has an upstream timeout ([`UPSTREAM_TIMEOUT`]; the
//! fetch is aborted by an `AbortSignal.timeout()` when it fires), and records the status and
//! rate-limit bucket of the answer for the request's log line.
//! <https://developers.cloudflare.com/workers/runtime-apis/fetch/>

use super::auth::now_ms;
use super::hooks::RequestTrace;
use super::log::Trace;
use crate::discord::error::RateLimited;
use crate::discord::http::{HttpRequest, HttpResponse, Method as CoreMethod};
use crate::discord::ratelimit::RateLimiter;
use js_sys::Promise;
use std::cell::RefCell;
use std::time::Duration;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use worker::worker_sys::web_sys;

/// How long one call to Discord may take by default, response body included
/// (`UPSTREAM_TIMEOUT_MS` changes it).
pub const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(10);

/// Which step of a call to Discord failed before an answer came back.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NetworkFailure {
    /// The runtime refused a request header (a bug in the core's request; the value is never
    /// reported).
    #[error("invalid request header `{0}`")]
    Header(&'static str),
    /// The request URL is not an absolute `http(s)` URL (a misconfigured `DISCORD_API_BASE`).
    #[error("the request URL is not valid")]
    Url,
    /// `fetch` itself failed (DNS, connection, TLS); the runtime's text, shortened.
    #[error("fetch failed: {0}")]
    Fetch(String),
    /// The answer's body could not be read, or is not UTF-8.
    #[error("reading the answer failed: {0}")]
    Body(String),
}

/// Which headers of Discord's answer are copied into the [`HttpResponse`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnswerHeaders {
    /// Only those the core reads ([`LIMIT_HEADERS`]): every call of the routes.
    Limits,
    /// Every header: the library's raw calls, whose caller gets the answer whole.
    All,
}

/// The headers of an answer the core reads: Discord's rate-limit headers and `Retry-After`
/// (<https://discord.com/developers/docs/topics/rate-limits#header-format>). Reading these by
/// name costs one call each; walking every header of Discord's answer (a dozen or more) cost
/// three calls across the wasm boundary per header. The last three are read on a 429 only
/// ([`limit_headers`]).
pub const LIMIT_HEADERS: [&str; 8] = [
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "x-ratelimit-reset-after",
    "x-ratelimit-bucket",
    "x-ratelimit-global",
    "x-ratelimit-scope",
    "retry-after",
];

/// The [`LIMIT_HEADERS`] worth reading on an answer of `status`. Discord sends
/// `X-RateLimit-Global`, `X-RateLimit-Scope` and `Retry-After` on 429 answers only (the
/// header-format table of the page above), and the core reads them on a 429 only
/// (`RateLimiter::update`): any other answer skips those three calls.
pub fn limit_headers(status: u16) -> &'static [&'static str] {
    if status == 429 {
        &LIMIT_HEADERS
    } else {
        &LIMIT_HEADERS[..5]
    }
}

/// Why a call did not produce an answer.
#[derive(Clone, Debug, PartialEq)]
pub enum TransportError {
    /// The request could not be sent or its answer not read.
    Network(NetworkFailure),
    /// Discord did not answer in time.
    Timeout,
    /// Not sent: the isolate knows the route's rate-limit bucket (or the global limit) is
    /// exhausted.
    Limited(RateLimited),
}

thread_local! {
    /// Discord's rate-limit buckets as this isolate has seen them.
    static LIMITER: RefCell<RateLimiter> = RefCell::new(RateLimiter::new());
}

#[wasm_bindgen]
extern "C" {
    /// The runtime's global `fetch(url, init)`, called with the URL as a string: no `Request`
    /// object is built (and parsed) first, and no workers-rs wrapper converts it.
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(url: &str, init: &web_sys::RequestInit) -> Promise;
}

fn method(m: CoreMethod) -> &'static str {
    match m {
        CoreMethod::Get => "GET",
        CoreMethod::Post => "POST",
        CoreMethod::Put => "PUT",
        CoreMethod::Patch => "PATCH",
        CoreMethod::Delete => "DELETE",
    }
}

/// The runtime's text of a failure (an `Error`'s message), shortened.
fn failure_text(e: &JsValue) -> String {
    let text = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown failure".to_owned());
    short(&text)
}

/// A call to Discord on its way: the runtime's promise of the answer, the timeout's signal,
/// and when it was sent. [`fetch`] awaits it; the hot path (`fast_api.rs`) reacts to it.
pub(crate) struct InFlight {
    /// The runtime's `fetch` promise.
    pub(crate) answer: Promise,
    signal: web_sys::AbortSignal,
    started: u64,
}

/// Sends `req` with the runtime's `fetch`, aborted by an `AbortSignal.timeout()` after
/// `timeout_ms`: the runtime aborts the fetch, and the reading of its body, when the time is
/// up; no timer closure or second future per call.
pub(crate) fn send_now(req: &HttpRequest, timeout_ms: u64) -> Result<InFlight, NetworkFailure> {
    let started = now_ms();
    if !(req.url.starts_with("https://") || req.url.starts_with("http://")) {
        return Err(NetworkFailure::Url);
    }
    let headers = web_sys::Headers::new().map_err(|_| NetworkFailure::Header("(new)"))?;
    for (name, value) in &req.headers {
        // A header the runtime refuses would be a bug in the core; report it, never its value.
        headers
            .set(name, value)
            .map_err(|_| NetworkFailure::Header(name))?;
    }
    let ms = u32::try_from(timeout_ms).unwrap_or(u32::MAX);
    let signal = web_sys::AbortSignal::timeout_with_u32(ms);
    let init = web_sys::RequestInit::new();
    init.set_method(method(req.method));
    init.set_headers(&headers);
    init.set_signal(Some(&signal));
    if let Some(body) = &req.body {
        init.set_body(&JsValue::from_str(body.as_str()));
    }
    Ok(InFlight {
        answer: global_fetch(&req.url, &init),
        signal,
        started,
    })
}

impl InFlight {
    /// What a failure of this call was: a failure with the signal aborted is the timeout.
    pub(crate) fn failure(&self, failure: NetworkFailure) -> TransportError {
        if self.signal.aborted() {
            TransportError::Timeout
        } else {
            TransportError::Network(failure)
        }
    }

    /// When the call was sent (ms).
    pub(crate) fn started(&self) -> u64 {
        self.started
    }
}

/// Why the runtime's `fetch` promise was rejected.
pub(crate) fn fetch_failure(e: &JsValue) -> NetworkFailure {
    NetworkFailure::Fetch(failure_text(e))
}

/// Why reading an answer's body failed.
pub(crate) fn body_failure(e: &JsValue) -> NetworkFailure {
    NetworkFailure::Body(failure_text(e))
}

/// The head of an answer, and the promise of its body.
pub(crate) struct Head {
    /// The answer's status.
    pub(crate) status: u16,
    /// The headers [`AnswerHeaders`] asked for.
    pub(crate) headers: Vec<(String, String)>,
    /// The whole body (`arrayBuffer()`, read by the runtime in one call).
    pub(crate) body: Promise,
}

/// The [`Head`] of an answer, with the headers `keep` asks for.
pub(crate) fn head(resp: &web_sys::Response, keep: AnswerHeaders) -> Result<Head, NetworkFailure> {
    let status = resp.status();
    let answer = resp.headers();
    let headers: Vec<(String, String)> = match keep {
        AnswerHeaders::Limits => limit_headers(status)
            .iter()
            .filter_map(|name| Some(((*name).to_owned(), answer.get(name).ok()??)))
            .collect(),
        AnswerHeaders::All => js_sys::try_iter(&answer)
            .ok()
            .flatten()
            .into_iter()
            .flatten()
            .filter_map(|pair| {
                let pair: js_sys::Array = pair.ok()?.unchecked_into();
                Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
            })
            .collect(),
    };
    let body = resp.array_buffer().map_err(|e| body_failure(&e))?;
    Ok(Head {
        status,
        headers,
        body,
    })
}

/// A whole body (the `ArrayBuffer` of [`head`]'s promise) as UTF-8 text, copied into wasm
/// once. A body that is not UTF-8 is refused.
pub(crate) fn body_text(buffer: &JsValue) -> Result<String, NetworkFailure> {
    let bytes = js_sys::Uint8Array::new(buffer).to_vec();
    String::from_utf8(bytes).map_err(|_| NetworkFailure::Body("the answer is not UTF-8".to_owned()))
}

async fn receive(flight: &InFlight, keep: AnswerHeaders) -> Result<HttpResponse, NetworkFailure> {
    let resp: web_sys::Response = JsFuture::from(flight.answer.clone())
        .await
        .map_err(|e| fetch_failure(&e))?
        .unchecked_into();
    let Head {
        status,
        headers,
        body,
    } = head(&resp, keep)?;
    let buffer = JsFuture::from(body).await.map_err(|e| body_failure(&e))?;
    Ok(HttpResponse::new(status, headers, body_text(&buffer)?))
}

/// Keeps runtime error texts short; they never hold request data (URLs carry no secrets here).
fn short(s: &str) -> String {
    s.chars().take(160).collect()
}

/// Runs `f` with this isolate's rate-limit buckets (the core's lifecycle reserves and updates
/// them for calls with a session's token).
pub fn with_limiter<T>(f: impl FnOnce(&mut RateLimiter) -> T) -> T {
    LIMITER.with(|l| match l.try_borrow_mut() {
        Ok(mut l) => f(&mut l),
        // Never re-entered (no await inside); a fresh limiter keeps this total anyway.
        Err(_) => f(&mut RateLimiter::new()),
    })
}

/// Sends `req` through the isolate's rate-limit buckets: a bucket this isolate knows to be
/// empty answers [`TransportError::Limited`] without calling Discord (Discord bans IPs that
/// collect too many 429s;
/// <https://discord.com/developers/docs/topics/rate-limits#invalid-request-limit-aka-cloudflare-bans>).
/// `user` separates the buckets of user tokens (Bearer routes are limited per token); `None`
/// for the application's own calls (token endpoint, bot). Calls with a session's token go
/// through the core's lifecycle instead, which reserves and updates the same buckets.
pub async fn send(
    req: &HttpRequest,
    trace: &Trace,
    user: Option<&str>,
    timeout_ms: u64,
    keep: AnswerHeaders,
) -> Result<HttpResponse, TransportError> {
    let key = match user {
        Some(u) => format!("{} {u}", req.route),
        None => req.route.clone(),
    };
    let now = now_ms();
    if let Some(wait) = with_limiter(|l| l.reserve(&key, now)) {
        trace.discord(&req.route, None, None);
        return Err(TransportError::Limited(wait.to_rate_limited(None)));
    }
    let outcome = fetch(req, trace, timeout_ms, keep).await;
    if let Ok(resp) = &outcome {
        let now = now_ms();
        with_limiter(|l| l.update(&key, resp, now));
    }
    outcome
}

/// Sends `req` and waits at most `timeout_ms` for the whole answer (the fetch is aborted when
/// the time is up). Records the answer's status and `X-RateLimit-Bucket` in `trace`. `keep`
/// says which of the answer's headers are copied.
pub async fn fetch(
    req: &HttpRequest,
    trace: &Trace,
    timeout_ms: u64,
    keep: AnswerHeaders,
) -> Result<HttpResponse, TransportError> {
    match send_now(req, timeout_ms) {
        Ok(flight) => {
            let outcome = receive(&flight, keep).await.map_err(|f| flight.failure(f));
            record(req, trace, flight.started(), outcome)
        }
        Err(failure) => record(req, trace, now_ms(), Err(TransportError::Network(failure))),
    }
}

/// Records the outcome of a call sent at `started` (ms) in `trace`: the answer's status and
/// `X-RateLimit-Bucket` for the log line, and the host's `on_request` hook.
pub(crate) fn record(
    req: &HttpRequest,
    trace: &Trace,
    started: u64,
    outcome: Result<HttpResponse, TransportError>,
) -> Result<HttpResponse, TransportError> {
    // The log names the route without the session key the lifecycle adds to its bucket key.
    let route = match req.route.match_indices(' ').nth(1) {
        Some((end, _)) => &req.route[..end],
        None => req.route.as_str(),
    };
    match &outcome {
        Ok(resp) => {
            trace.discord(route, Some(resp.status), resp.header("x-ratelimit-bucket"));
            trace.discord_limits(resp.status, resp.header("x-ratelimit-scope"));
        }
        Err(_) => trace.discord(route, None, None),
    }
    // The host's `on_request` hook: the route key holds no token (`api::route_key`).
    trace.report(|| RequestTrace {
        method: req.method,
        route: route.to_owned(),
        status: outcome.as_ref().ok().map(|r| r.status),
        bucket: outcome
            .as_ref()
            .ok()
            .and_then(|r| r.header("x-ratelimit-bucket"))
            .map(|b| b.chars().take(64).collect()),
        duration_ms: now_ms().saturating_sub(started),
    });
    outcome
}
