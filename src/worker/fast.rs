//! The deployable Worker's hot routes on the runtime's own types: `GET /auth/session` and the
//! `/api` reads, which a page calls on every view. The route code is the same as behind
//! [`DiscordAuth::handle`]; only the plumbing differs: no `worker::Request` around the request,
//! the answer built as the runtime's `Response` (not a `worker::Response` converted field by
//! field), and each route answered from promise reactions instead of a Rust future driven by
//! wasm-bindgen's task queue (a spawned task, a wrapping promise, two microtasks and three
//! closures per await): `/auth/session` from one reaction on the session read, in both session
//! modes (with Durable Objects the read is the session object's `readSession()` over RPC), and
//! the `/api` reads from one reaction per step (`fast_api.rs`).

use super::auth::{Backend, Ctx, DiscordAuth, now_ms};
use super::cookies;
use super::log::Trace;
use super::respond::{self, ApiError};
use super::routes::{Route, split_url};
use super::transport::AnswerHeaders;
use super::{fast_api, objects, oidc, promise, routes_auth, store};
use js_sys::Promise;
use std::rc::Rc;
use wasm_bindgen::JsValue;
use worker::Env;
use worker::worker_sys::web_sys;

/// A promise of the answer to a GET of `/auth/session` or an `/api` read; `None` for any other
/// request, and when the configuration is broken (the full path answers those).
pub(crate) fn serve(req: &web_sys::Request, env: &Env) -> Option<Promise> {
    match req.method().as_str() {
        "GET" => {}
        // A relying party's code exchange, the OpenID provider's busiest route.
        "POST" => return oidc::serve_token(req, env),
        _ => return None,
    }
    // A request with `Origin` may be a cross-origin one that needs CORS headers
    // (docs/contract.md §8): the full path answers it. Browsers send no `Origin` on a same-origin GET.
    if req.headers().has("origin").unwrap_or(true) {
        return None;
    }
    let url = req.url();
    let (_, path) = split_url(&url)?;
    if !path.starts_with("/auth/session") && !path.starts_with("/api/") {
        return None;
    }
    let route = Route::parse(path)?;
    let read = match route {
        Route::Session => None,
        other => Some(other.read()?),
    };
    let auth = DiscordAuth::from_env(env).ok()?;
    if auth.custom_store {
        return None;
    }
    let started = now_ms();
    let trace = Trace::new("GET", route.name());
    let cookie = req.headers().get("cookie").ok().flatten();
    let id = session_id(cookie.as_deref());
    Some(match read {
        None => session(auth, trace, started, id),
        Some(which) => {
            let query = url
                .split_once('?')
                .map(|(_, q)| q.split('#').next().unwrap_or_default());
            fast_api::read(auth, trace, started, id, which, query)
        }
    })
}

/// The session cookie's value in a `Cookie` header.
fn session_id(header: Option<&str>) -> Option<&str> {
    header.and_then(|h| cookies::get(h, cookies::SESSION_COOKIE))
}

/// The answer of a route (an error as its JSON response), with the request's log line written.
pub(super) fn finish(
    trace: &Trace,
    started: u64,
    result: Result<web_sys::Response, ApiError>,
) -> web_sys::Response {
    let response = result.unwrap_or_else(|e| {
        trace.error(e.code);
        e.response().into()
    });
    trace.finish(response.status(), now_ms().saturating_sub(started));
    response
}

/// A promise of the stored value of the session `key` (a string, or `null`): the KV read's
/// promise, or with sessions in Durable Objects the session object's `readSession()` over RPC.
pub(super) fn stored_value(auth: &DiscordAuth, key: &str) -> Result<Promise, ApiError> {
    match &auth.backend {
        Backend::Kv { raw } => store::get_promise(raw, key),
        Backend::Objects(ns) => objects::read_promise(ns, key),
    }
}

/// `GET /auth/session` ([`routes_auth::session`]) as one reaction on the store's read: the KV
/// read's promise, or with sessions in Durable Objects the session object's `readSession()`
/// over RPC (both answer the stored value or `null`).
fn session(auth: DiscordAuth, trace: Trace, started: u64, id: Option<&str>) -> Promise {
    let now = now_ms();
    let answer_now = |result: Result<web_sys::Response, ApiError>| -> Promise {
        Promise::resolve(&JsValue::from(finish(&trace, started, result)))
    };
    let Some(id) = id else {
        return answer_now(Err(ApiError::unauthorized()));
    };
    let Some(key) = store::key_of(&auth.settings, id) else {
        return answer_now(routes_auth::session_body(None).map(|body| respond::js_json(200, body)));
    };
    let read = match stored_value(&auth, &key) {
        Ok(read) => read,
        Err(e) => return answer_now(Err(e)),
    };
    let failed = trace.clone();
    let on_value = move |value: JsValue| -> JsValue {
        let session = value
            .as_string()
            .and_then(|raw| store::live_shared(&auth.settings, &key, &raw, now));
        let max_age_ms = auth.settings.user_max_age_secs * 1000;
        match session {
            // A stored user past USER_MAX_AGE_SECONDS is fetched again: the full path, as a
            // promise this reaction returns (the runtime waits for it).
            Some(s) if s.user_is_stale(max_age_ms, now) => {
                wasm_bindgen_futures::future_to_promise(async move {
                    let ctx = Ctx {
                        auth: &auth,
                        trace: trace.clone(),
                        now,
                        answer_headers: AnswerHeaders::Limits,
                    };
                    let result = routes_auth::refetch_user(&ctx, Rc::unwrap_or_clone(s))
                        .await
                        .and_then(|s| routes_auth::session_body(Some(&s)))
                        .map(|body| respond::js_json(200, body));
                    Ok(finish(&trace, started, result).into())
                })
                .into()
            }
            session => {
                let result = routes_auth::session_body(session.as_deref())
                    .map(|body| respond::js_json(200, body));
                JsValue::from(finish(&trace, started, result))
            }
        }
    };
    let on_error = move |_: JsValue| -> JsValue {
        JsValue::from(finish(&failed, started, Err(store::storage_error("read"))))
    };
    promise::then(&read, on_value, on_error)
}
