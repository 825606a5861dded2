//! The control API under `/_emulator/` (JSON): scripted faults, token expiry, token lifetime,
//! run-time redirect URIs and events URLs, deauthorization (with its signed Webhook Event),
//! the events sent, rate-limit budgets, counters and reset. Errors answer
//! `{"error": "<code>", "message": "<text>"}`.

use axum::Router;
use axum::extract::{RawPathParams, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::activity::activity_authorize;
use crate::api::param;
use crate::authorize::{control_error, emulator_authorize};
use crate::errors::json_response;
use crate::faults::Fault;
use crate::fixtures::Limit;
use crate::state::Shared;
use crate::util::{now_secs, read_body};

/// The control routes.
pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/_emulator/health", get(health))
        .route("/_emulator/authorize", post(emulator_authorize))
        .route("/_emulator/activity/authorize", post(activity_authorize))
        .route(
            "/_emulator/faults",
            post(add_fault).get(list_faults).delete(clear_faults),
        )
        .route("/_emulator/tokens/expire", post(expire_tokens))
        .route("/_emulator/token-lifetime", post(token_lifetime))
        .route(
            "/_emulator/applications/{application_id}/redirect_uris",
            post(add_redirect_uri),
        )
        .route(
            "/_emulator/rate-limits",
            post(rate_limits).get(get_rate_limits),
        )
        .route(
            "/_emulator/applications/{application_id}/events_url",
            post(set_events_url),
        )
        .route("/_emulator/deauthorize", post(deauthorize))
        .route("/_emulator/events", get(list_events))
        .route("/_emulator/counters", get(counters))
        .route(
            "/_emulator/users/{user_id}",
            axum::routing::patch(update_user),
        )
        .route("/_emulator/reset", post(reset))
}

/// Reads an optional JSON body (empty means `{}`).
async fn json_body(req: Request) -> Result<Value, Response> {
    let (parts, body) = req.into_parts();
    let bytes = read_body(&parts.headers, body).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    serde_json::from_slice(&bytes)
        .map_err(|_| control_error("invalid_json", "The body is not valid JSON"))
}

macro_rules! tri {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(resp) => return resp,
        }
    };
}

fn ok(body: Value) -> Response {
    json_response(StatusCode::OK, &body)
}

async fn health() -> Response {
    ok(json!({ "ok": true, "name": "discord-emulator", "version": env!("CARGO_PKG_VERSION") }))
}

/// `POST /_emulator/faults`: `{route, count?, kind, status?, retry_after?, global?, body?,
/// delay_ms?}` → `{"fault": {...}}`.
async fn add_fault(State(emu): State<Shared>, req: Request) -> Response {
    let v = tri!(json_body(req).await);
    let mut st = emu.lock();
    let id = st.faults.iter().map(|f| f.id).max().unwrap_or(0) + 1;
    match Fault::parse(&v, id) {
        Ok(f) => {
            st.faults.push(f.clone());
            ok(json!({ "fault": f }))
        }
        Err(msg) => control_error("invalid_fault", &msg),
    }
}

async fn list_faults(State(emu): State<Shared>) -> Response {
    ok(json!({ "faults": emu.lock().faults }))
}

async fn clear_faults(State(emu): State<Shared>) -> Response {
    let mut st = emu.lock();
    let n = st.faults.len();
    st.faults.clear();
    ok(json!({ "cleared": n }))
}

/// `POST /_emulator/tokens/expire`: `{}` expires every access token; `{"access_token": T}`
/// only that one. Refresh tokens keep working. → `{"expired": n}`.
async fn expire_tokens(State(emu): State<Shared>, req: Request) -> Response {
    let v = tri!(json_body(req).await);
    let mut st = emu.lock();
    let past = now_secs() - 1.0;
    match v.get("access_token") {
        None | Some(Value::Null) => {
            let mut n = 0;
            for g in st.grants.values_mut() {
                if g.expires_at > past {
                    g.expires_at = past;
                    n += 1;
                }
            }
            ok(json!({ "expired": n }))
        }
        Some(Value::String(t)) => match st.grants.values_mut().find(|g| &g.access_token == t) {
            Some(g) => {
                g.expires_at = past;
                ok(json!({ "expired": 1 }))
            }
            None => json_response(
                StatusCode::NOT_FOUND,
                &json!({ "error": "unknown_token", "message": "No live grant has this access token" }),
            ),
        },
        Some(_) => control_error("invalid_request", "\"access_token\" must be a string"),
    }
}

/// `POST /_emulator/token-lifetime`: `{"seconds": n}` for tokens issued from now on.
async fn token_lifetime(State(emu): State<Shared>, req: Request) -> Response {
    let v = tri!(json_body(req).await);
    match v.get("seconds").and_then(Value::as_u64) {
        Some(s) if s <= 10 * 365 * 86_400 => {
            emu.lock().token_lifetime = s;
            ok(json!({ "seconds": s }))
        }
        _ => control_error(
            "invalid_request",
            "\"seconds\" must be an integer from 0 to 315360000",
        ),
    }
}

/// `POST /_emulator/applications/{id}/redirect_uris`: `{"uri": "..."}` registers another
/// redirect URI → `{"redirect_uris": [...]}`.
async fn add_redirect_uri(
    State(emu): State<Shared>,
    params: RawPathParams,
    req: Request,
) -> Response {
    let app_id = param(&params, "application_id");
    let v = tri!(json_body(req).await);
    let Some(uri) = v.get("uri").and_then(Value::as_str) else {
        return control_error("invalid_request", "\"uri\" is required");
    };
    let scheme_ok = uri
        .split_once("://")
        .is_some_and(|(s, rest)| !s.is_empty() && !rest.is_empty());
    let custom_ok = uri.split_once(':').is_some_and(|(s, _)| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    });
    if !(scheme_ok || custom_ok) || uri.contains('#') || uri.len() > 2048 {
        return control_error(
            "invalid_request",
            "\"uri\" must be an absolute URI without a fragment",
        );
    }
    let mut st = emu.lock();
    let Some(app) = st.apps.iter_mut().find(|a| a.id == app_id) else {
        return unknown_application();
    };
    if !app.redirect_uris.iter().any(|u| u == uri) {
        app.redirect_uris.push(uri.to_owned());
    }
    ok(json!({ "redirect_uris": app.redirect_uris }))
}

fn unknown_application() -> Response {
    json_response(
        StatusCode::NOT_FOUND,
        &json!({ "error": "unknown_application", "message": "No application has this id" }),
    )
}

/// `POST /_emulator/applications/{id}/events_url`: `{"url": "http://…"}` (or `null`: none)
/// sets where the application's Webhook Events go, until reset → `{"events_url": …}`.
async fn set_events_url(
    State(emu): State<Shared>,
    params: RawPathParams,
    req: Request,
) -> Response {
    let app_id = param(&params, "application_id");
    let v = tri!(json_body(req).await);
    let url = match v.get("url") {
        Some(Value::String(u)) if crate::events::valid_url(u) => Some(u.clone()),
        Some(Value::Null) => None,
        _ => return control_error("invalid_request", "\"url\" must be an http:// URL or null"),
    };
    let mut st = emu.lock();
    let Some(app) = st.apps.iter_mut().find(|a| a.id == app_id) else {
        return unknown_application();
    };
    app.events_url = url;
    ok(json!({ "events_url": app.events_url }))
}

/// `POST /_emulator/deauthorize`: `{"client_id", "user_id"}` — the user removes the app: every
/// grant of that user for that application is revoked, then a signed
/// `APPLICATION_DEAUTHORIZED` is sent to the application's events URL (awaited, at most 3 s)
/// → `{"revoked": n, "event": <delivery> | null}` (`null`: no events URL).
/// <https://discord.com/developers/docs/events/webhook-events#application-deauthorized>
async fn deauthorize(State(emu): State<Shared>, req: Request) -> Response {
    let v = tri!(json_body(req).await);
    let field = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let (Some(client_id), Some(user_id)) = (field("client_id"), field("user_id")) else {
        return control_error(
            "invalid_request",
            "\"client_id\" and \"user_id\" are required",
        );
    };
    let (app, user, revoked) = {
        let mut st = emu.lock();
        let Some(app) = st.app(&client_id).cloned() else {
            return unknown_application();
        };
        let Some(user) = st.user(&user_id).map(crate::api::public_user) else {
            return control_error("unknown_user", "\"user_id\" names no fixture user");
        };
        let ids: Vec<u64> = st
            .grants
            .values()
            .filter(|g| g.app_id == client_id && g.user_id == user_id)
            .map(|g| g.id)
            .collect();
        for id in &ids {
            st.revoke(*id);
        }
        st.counters.revocations += ids.len() as u64;
        (app, user, ids.len())
    };
    let event = match app.events_url.clone() {
        Some(url) => {
            let d = crate::events::deliver(
                &emu,
                &app,
                &url,
                "APPLICATION_DEAUTHORIZED",
                json!({ "user": user }),
            )
            .await;
            serde_json::to_value(d).unwrap_or(Value::Null)
        }
        None => Value::Null,
    };
    ok(json!({ "revoked": revoked, "event": event }))
}

/// `GET /_emulator/events`: the Webhook Events sent (at most the last 100), oldest first, each
/// with its URL, exact body, signature headers and the status answered.
async fn list_events(State(emu): State<Shared>) -> Response {
    ok(json!({ "events": emu.lock().deliveries }))
}

fn parse_limit(v: &Value) -> Option<Limit> {
    let limit = u32::try_from(v.get("limit")?.as_u64()?).ok()?;
    let window_ms = v.get("window_ms")?.as_u64().filter(|w| *w > 0)?;
    Some(Limit { limit, window_ms })
}

/// `POST /_emulator/rate-limits`: `{"route": "GET /api/v10/users/@me", "limit": 5,
/// "window_ms": 1000}` (no route: the default budget; `limit` 0 disables) or
/// `{"global": {"limit": 50, "window_ms": 1000} | null}`. Buckets are emptied.
async fn rate_limits(State(emu): State<Shared>, req: Request) -> Response {
    let v = tri!(json_body(req).await);
    let mut st = emu.lock();
    if let Some(g) = v.get("global") {
        let limit = if g.is_null() { None } else { parse_limit(g) };
        if limit.is_none() && !g.is_null() {
            return control_error(
                "invalid_request",
                "\"global\" must be {limit, window_ms} or null",
            );
        }
        st.limiter.set_global(limit);
    } else {
        let Some(limit) = parse_limit(&v) else {
            return control_error(
                "invalid_request",
                "\"limit\" and \"window_ms\" (> 0) are required",
            );
        };
        let route = v.get("route").and_then(Value::as_str).map(|r| {
            let (m, p) = r.trim().split_once(' ').unwrap_or(("GET", r));
            format!(
                "{} {}",
                m.to_ascii_uppercase(),
                crate::server::canonical_path(p.trim())
            )
        });
        st.limiter.set_limit(route, limit);
    }
    ok(json!({ "rate_limits": st.limiter.config() }))
}

async fn get_rate_limits(State(emu): State<Shared>) -> Response {
    ok(json!({ "rate_limits": emu.lock().limiter.config() }))
}

/// `GET /_emulator/counters`.
async fn counters(State(emu): State<Shared>) -> Response {
    let st = emu.lock();
    let now = now_secs();
    let mut body = serde_json::to_value(&st.counters).unwrap_or_else(|_| json!({}));
    body["live_grants"] = json!(st.grants.len());
    body["live_access_tokens"] = json!(st.grants.values().filter(|g| g.expires_at > now).count());
    body["faults_pending"] = json!(st.faults.len());
    ok(body)
}

/// `POST /_emulator/reset`: state back to the fixtures, counters zero, faults cleared.
/// `PATCH /_emulator/users/{id}`: merges a JSON object's fields into a fixture user (a rename,
/// a new avatar), as a user would change their profile at Discord; `{"user": {…}}`.
async fn update_user(State(emu): State<Shared>, params: RawPathParams, req: Request) -> Response {
    let id = param(&params, "user_id");
    let v = tri!(json_body(req).await);
    let Some(fields) = v.as_object() else {
        return control_error("invalid_request", "the body must be a JSON object");
    };
    if fields.contains_key("id") {
        return control_error("invalid_request", "a user's \"id\" cannot change");
    }
    let mut st = emu.lock();
    let Some(user) = st.users.iter_mut().find(|u| u["id"] == id.as_str()) else {
        return control_error("not_found", "no such user");
    };
    if let Some(obj) = user.as_object_mut() {
        for (k, val) in fields {
            obj.insert(k.clone(), val.clone());
        }
    }
    ok(json!({ "user": user.clone() }))
}

async fn reset(State(emu): State<Shared>) -> Response {
    emu.reset();
    ok(json!({ "reset": true }))
}
