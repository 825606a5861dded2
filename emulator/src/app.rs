//! The router, and the per-route layer that counts calls, serves scripted faults and applies
//! rate limits.

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post, put};
use sha2::{Digest, Sha256};

use crate::ratelimit::{self, Outcome};
use crate::state::Shared;
use crate::{api, authorize, bot, cdn, control, errors, faults, oidc, rolecon, token};

/// Builds the whole application. Paths are canonical here: the server maps `/api/...` and
/// `/api/v6`…`/api/v10` to `/api/v10/...` before routing.
pub fn router(emu: Shared) -> Router {
    let tracked = Router::new()
        .route(
            "/oauth2/authorize",
            get(authorize::get).post(authorize::post),
        )
        .route(
            "/api/v10/oauth2/authorize",
            get(authorize::get).post(authorize::post),
        )
        .route("/api/v10/oauth2/token", post(token::token))
        .route("/api/v10/oauth2/token/revoke", post(token::revoke))
        .route("/api/v10/oauth2/@me", get(api::oauth2_me))
        .route("/api/v10/oauth2/keys", get(oidc::jwks))
        .route("/api/v10/oauth2/userinfo", get(oidc::userinfo))
        .route("/.well-known/openid-configuration", get(oidc::discovery))
        .route(
            "/api/v10/oauth2/applications/@me",
            get(bot::current_application),
        )
        .route("/api/v10/users/@me", get(api::me))
        .route("/api/v10/users/@me/guilds", get(api::guilds))
        .route("/api/v10/users/@me/connections", get(api::connections))
        .route(
            "/api/v10/users/@me/guilds/{guild_id}/member",
            get(api::member),
        )
        .route(
            "/api/v10/users/@me/applications/{application_id}/role-connection",
            get(rolecon::get_connection).put(rolecon::put_connection),
        )
        .route(
            "/api/v10/guilds/{guild_id}/members/{user_id}",
            put(bot::add_member),
        )
        .route(
            "/api/v10/applications/{application_id}/role-connections/metadata",
            get(rolecon::get_metadata).put(rolecon::put_metadata),
        )
        .route("/cdn/embed/avatars/{file}", get(cdn::default_avatar))
        .route("/cdn/avatars/{id}/{file}", get(cdn::image))
        .route("/cdn/banners/{id}/{file}", get(cdn::image))
        .route("/cdn/icons/{id}/{file}", get(cdn::image))
        .route("/cdn/app-icons/{id}/{file}", get(cdn::image))
        .route(
            "/cdn/avatar-decoration-presets/{file}",
            get(cdn::avatar_decoration),
        )
        .route("/cdn/guild-tag-badges/{id}/{file}", get(cdn::image))
        .route(
            "/cdn/guilds/{guild_id}/users/{user_id}/avatars/{file}",
            get(cdn::image),
        )
        .route_layer(middleware::from_fn_with_state(emu.clone(), track));
    Router::new()
        .merge(tracked)
        .merge(control::routes())
        .merge(oidc::control_routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(emu)
}

async fn not_found() -> Response {
    errors::not_found()
}

async fn method_not_allowed() -> Response {
    errors::method_not_allowed()
}

/// Who a request counts against: a hash of its `Authorization` header, or "anonymous"; and
/// whether the global limit applies (Bearer and Bot tokens only).
fn identity(headers: &HeaderMap) -> (String, bool) {
    match headers.get(header::AUTHORIZATION) {
        Some(v) => {
            let d = Sha256::digest(v.as_bytes());
            let scheme = v
                .as_bytes()
                .split(|b| *b == b' ')
                .next()
                .unwrap_or_default();
            let token =
                scheme.eq_ignore_ascii_case(b"bearer") || scheme.eq_ignore_ascii_case(b"bot");
            (d[..12].iter().map(|b| format!("{b:02x}")).collect(), token)
        }
        None => ("anonymous".to_owned(), false),
    }
}

/// The top-level resource of a path (Discord counts limits per guild, channel, webhook).
fn major_parameter(path: &str) -> String {
    let mut segs = path.trim_start_matches('/').split('/');
    // ["api", "v10", "guilds", "{id}", ...]
    match (segs.next(), segs.next(), segs.next(), segs.next()) {
        (Some("api"), Some(_), Some("guilds" | "channels" | "webhooks"), Some(id)) => id.to_owned(),
        _ => String::new(),
    }
}

async fn track(
    State(emu): State<Shared>,
    matched: MatchedPath,
    req: Request,
    next: Next,
) -> Response {
    let method = req.method().as_str().to_owned();
    let template = matched.as_str().to_owned();
    let route = format!("{method} {template}");
    let path = req.uri().path().to_owned();
    let fault = {
        let mut st = emu.lock();
        *st.counters.requests.entry(route.clone()).or_default() += 1;
        let hit = st
            .faults
            .iter()
            .position(|f| f.matches(&method, &path, &template));
        hit.map(|i| {
            st.counters.faults_served += 1;
            let f = &mut st.faults[i];
            f.remaining -= 1;
            let kind = f.kind.clone();
            if f.remaining == 0 {
                st.faults.remove(i);
            }
            kind
        })
    };
    if let Some(kind) = fault
        && let Some(resp) = faults::apply(&kind, &route).await
    {
        return resp;
    }
    // The authorize page is a browser page, and the signing keys (JWKS) a static document that
    // relying parties fetch anonymously and again on every unknown `kid`: neither is counted in
    // the API's buckets.
    let limited = template.starts_with("/api/")
        && !template.ends_with("/oauth2/authorize")
        && !template.ends_with("/oauth2/keys");
    if !limited {
        return next.run(req).await;
    }
    let outcome = {
        let (ident, global) = identity(req.headers());
        emu.lock()
            .limiter
            .check(&route, &major_parameter(&path), &ident, global)
    };
    match outcome {
        None => next.run(req).await,
        Some(Outcome::Limited { snapshot, global }) => {
            ratelimit::too_many_requests(snapshot.reset_after, global, Some(&snapshot))
        }
        Some(Outcome::Allowed(snapshot)) => {
            let mut resp = next.run(req).await;
            ratelimit::add_headers(resp.headers_mut(), &snapshot);
            resp
        }
    }
}
