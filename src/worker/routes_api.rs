//! The `/api` proxy: five reads with the session's token, and `POST /api/guilds/{id}/join`
//! with the bot token (docs/contract.md §4).
//!
//! Every call with the session's token runs the core's lifecycle through
//! [`lifecycle`] (refresh margin, one refresh and one retry after a 401, a
//! refused refresh ends the session); see `docs/worker.md`.

use super::auth::{Ctx, read_body, session_cookie};
use super::calls::{self, Read};
use super::config::Settings;
use super::lifecycle;
use super::respond::{self, ApiError, Built};
use super::routes::NoSuchGuild;
use super::routes_auth::refuse_cross_site;
use super::session::Session;
use super::validate::{self, MAX_JOIN_BODY};
use super::{store, transport};
use crate::discord::api::guilds::GuildsQuery;
use crate::discord::http::{HttpRequest, HttpResponse};
use serde::Serialize;
use std::cell::RefCell;
use std::collections::HashMap;
use worker::{Headers, Request, Response};

thread_local! {
    /// Guild lists per session (KV key) and when they were fetched, when
    /// `GUILDS_CACHE_SECONDS` is above 0.
    static GUILDS: RefCell<HashMap<String, (String, u64)>> = RefCell::new(HashMap::new());
}

/// Drops a session's cached guild list.
pub(crate) fn forget_cache(kv_key: &str) {
    GUILDS.with(|g| {
        if let Ok(mut m) = g.try_borrow_mut() {
            m.remove(kv_key);
        }
    });
}

fn cached_guilds(kv_key: &str, now: u64, max_age_ms: u64) -> Option<String> {
    GUILDS.with(|g| {
        let m = g.try_borrow().ok()?;
        let (body, at) = m.get(kv_key)?;
        (now.saturating_sub(*at) < max_age_ms).then(|| body.clone())
    })
}

fn cache_guilds(kv_key: &str, body: &str, now: u64, max_age_ms: u64) {
    GUILDS.with(|g| {
        if let Ok(mut m) = g.try_borrow_mut() {
            m.retain(|_, (_, at)| now.saturating_sub(*at) < max_age_ms);
            m.insert(kv_key.to_owned(), (body.to_owned(), now));
        }
    });
}

/// The session of a session cookie's value, or 401 (clearing a cookie that names no live
/// session).
pub(crate) async fn current(ctx: &Ctx<'_>, id: Option<&str>) -> Result<Session, ApiError> {
    let Some(id) = id else {
        return Err(ApiError::unauthorized());
    };
    store::load(ctx.auth, id, ctx.now)
        .await?
        .ok_or_else(|| ApiError::unauthorized().clearing_session())
}

/// `GET /api/users/@me`, `/api/users/@me/guilds`, `/api/users/@me/connections`,
/// `/api/users/@me/guilds/{id}/member`, `/api/oauth2/@me`: Discord's JSON passed through.
///
/// Its steps ([`plan`], [`request_for`], the call's lifecycle, [`answer`]) are also run as
/// promise reactions by the deployable Worker's hot path (`fast_api.rs`).
pub async fn read(
    ctx: &Ctx<'_>,
    session_id: Option<&str>,
    which: Result<Read, NoSuchGuild>,
    query: Option<&str>,
) -> Result<Response, ApiError> {
    let plan = plan(&ctx.auth.settings, which, query)?;
    let mut session = current(ctx, session_id).await?;
    let req = match request_for(&ctx.auth.settings, &plan, &session, ctx.now)? {
        ReadStep::Cached(answer) => return Ok(answer),
        ReadStep::Send(req) => req,
    };
    let resp = lifecycle::request(ctx, &mut session, req).await?;
    answer_kept(ctx, &plan, &session, resp).await
}

/// [`answer`], with a changed user kept in the session before the answer is given.
pub(crate) async fn answer_kept(
    ctx: &Ctx<'_>,
    plan: &ReadPlan,
    session: &Session,
    resp: HttpResponse,
) -> Result<Response, ApiError> {
    let (answer, changed) = answer(plan, session, resp, ctx.now)?;
    if let Some(user) = changed {
        keep_user(ctx, session, &user).await;
    }
    Ok(answer.into_response())
}

/// What an `/api` read asks of Discord, from its route and query alone.
pub(crate) struct ReadPlan {
    which: Read,
    guilds_query: Option<GuildsQuery>,
    /// How long a whole guild list is served from the isolate's cache (0: not at all).
    cache_ms: u64,
}

/// The plan of a read: 404 for a guild id that is not a snowflake, 400 for a bad query.
pub(crate) fn plan(
    settings: &Settings,
    which: Result<Read, NoSuchGuild>,
    query: Option<&str>,
) -> Result<ReadPlan, ApiError> {
    let which = which.map_err(|NoSuchGuild| ApiError::new(404, "not_found", "no such guild"))?;
    // `/users/@me/guilds` takes Discord's paging query (before, after, limit, with_counts).
    // <https://discord.com/developers/docs/resources/user#get-current-user-guilds-query-string-params>
    let guilds_query = match (which, query.filter(|q| !q.is_empty())) {
        (Read::Guilds, Some(q)) => Some(guilds_query(q)?),
        _ => None,
    };
    // A paged read is not the cached whole list.
    let cache_ms = match (which, &guilds_query) {
        (Read::Guilds, None) => settings.guilds_cache_secs * 1000,
        _ => 0,
    };
    Ok(ReadPlan {
        which,
        guilds_query,
        cache_ms,
    })
}

/// The next step of a read once its session is known.
pub(crate) enum ReadStep {
    /// The answer, from the isolate's guild-list cache.
    Cached(Response),
    /// The request to run with the session's token.
    Send(HttpRequest),
}

/// The cached answer of a read, or the request to send for it.
pub(crate) fn request_for(
    settings: &Settings,
    plan: &ReadPlan,
    session: &Session,
    now: u64,
) -> Result<ReadStep, ApiError> {
    if plan.cache_ms > 0
        && let Some(body) = cached_guilds(&session.kv_key, now, plan.cache_ms)
    {
        return Ok(ReadStep::Cached(respond::raw_json(
            200,
            body,
            Headers::new(),
        )));
    }
    let token = &session.tokens.access_token;
    let req = match &plan.guilds_query {
        Some(q) => crate::discord::api::guilds::get_current_user_guilds(&settings.api, token, q)
            .map_err(|e| ApiError::new(400, "invalid_request", e.to_string()))?,
        None => calls::read(settings, &plan.which, token)?,
    };
    Ok(ReadStep::Send(req))
}

/// The route's answer from Discord's 2xx answer, and the user to keep in the session when
/// `/users/@me` shows that it changed at Discord (a rename, a new avatar).
pub(crate) fn answer(
    plan: &ReadPlan,
    session: &Session,
    resp: HttpResponse,
    now: u64,
) -> Result<(Built, Option<serde_json::Value>), ApiError> {
    let changed = if matches!(plan.which, Read::User) {
        user_change(session, &resp)?
    } else {
        // The core checks the status and that the body is JSON; the body is then passed on whole.
        calls::json_value(&resp).map_err(|e| calls::api_error(&e))?;
        None
    };
    if plan.cache_ms > 0 {
        cache_guilds(&session.kv_key, &resp.body, now, plan.cache_ms);
    }
    Ok((passed(resp), changed))
}

/// Discord's `/users/@me` answer checked as [`answer`] checks any (status, JSON), and the
/// user it holds when that differs from the session's stored user. An answer identical to the
/// last one found equal ([`Session::seen_user`]) is that same JSON user: it is neither parsed
/// nor compared again.
pub(crate) fn user_change(
    session: &Session,
    resp: &HttpResponse,
) -> Result<Option<serde_json::Value>, ApiError> {
    if resp.status == 200 && session.seen_user.is(&resp.body) {
        return Ok(None);
    }
    let user = calls::json_value(resp).map_err(|e| calls::api_error(&e))?;
    if user != session.stored.user {
        return Ok(Some(user));
    }
    if resp.status == 200 {
        session.seen_user.remember(&resp.body);
    }
    Ok(None)
}

/// Keeps the newest `user` in the session (a failure is logged: the answer stands).
pub(crate) async fn keep_user(ctx: &Ctx<'_>, session: &Session, user: &serde_json::Value) {
    if let Err(e) = store::update_user(ctx.auth, &session.kv_key, user, ctx.now).await {
        ctx.trace.error(e.code);
    }
}

/// The paging query of `/users/@me/guilds`; anything else in it is 400 `invalid_request`.
fn guilds_query(q: &str) -> Result<GuildsQuery, ApiError> {
    let bad =
        |name: &str| ApiError::new(400, "invalid_request", format!("bad `{name}` in the query"));
    let mut out = GuildsQuery::default();
    for (k, v) in form_urlencoded::parse(q.as_bytes()) {
        match &*k {
            "before" => out.before = Some(validate::snowflake(&v).ok_or_else(|| bad("before"))?),
            "after" => out.after = Some(validate::snowflake(&v).ok_or_else(|| bad("after"))?),
            "limit" => out.limit = Some(v.parse().map_err(|_| bad("limit"))?),
            "with_counts" => {
                out.with_counts = match &*v {
                    "true" => true,
                    "false" => false,
                    _ => return Err(bad("with_counts")),
                }
            }
            other => return Err(bad(other)),
        }
    }
    Ok(out)
}

/// Discord's successful answer with its rate-limit headers (no other header is copied).
pub(crate) fn passthrough(resp: HttpResponse) -> Response {
    passed(resp).into_response()
}

/// Discord's successful answer as it is passed on: its status (a 204 as a 200 with `null`),
/// the JSON headers with its rate-limit headers (no other header is copied), and its body.
fn passed(resp: HttpResponse) -> Built {
    // A copy of the isolate's JSON headers: one call, where building them is three.
    let headers = respond::json_headers();
    for (name, value) in &resp.headers {
        if name.starts_with("x-ratelimit-") {
            let _ = headers.set(name, value);
        }
    }
    let status = if resp.status == 204 { 200 } else { resp.status };
    let body = if resp.body.trim().is_empty() {
        "null".to_owned()
    } else {
        resp.body
    };
    Built {
        status,
        headers,
        body,
    }
}

#[derive(Serialize)]
struct Joined {
    joined: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    member: Option<serde_json::Value>,
}

/// `POST /api/guilds/{id}/join`: adds the session's user to an allowed guild with the bot
/// token (<https://discord.com/developers/docs/resources/guild#add-guild-member>).
pub async fn join(ctx: &Ctx<'_>, req: &mut Request, guild: &str) -> Result<Response, ApiError> {
    // Read the body before anything else: workerd resets connections on unread bodies.
    let body = read_body(req, MAX_JOIN_BODY).await?;
    refuse_cross_site(ctx, req)?;
    let guild_id = validate::snowflake(guild)
        .ok_or_else(|| ApiError::new(404, "not_found", "no such guild"))?;
    let mut session = current(ctx, session_cookie(req).as_deref()).await?;
    let body = body.ok_or_else(|| {
        ApiError::new(
            413,
            "payload_too_large",
            format!("the body is larger than {MAX_JOIN_BODY} bytes"),
        )
    })?;
    let body = validate::join_body(&body)
        .map_err(|e| ApiError::new(400, "invalid_request", e.to_string()))?;
    let settings = &ctx.auth.settings;
    if !session.has_scope("guilds.join") {
        return Err(ApiError::new(
            403,
            "missing_scope",
            "this session was not granted the guilds.join scope: log in with scope=identify guilds.join",
        ));
    }
    let Some(bot) = settings.bot_token.clone() else {
        return Err(ApiError::new(
            500,
            "config_error",
            "DISCORD_BOT_TOKEN is not set",
        ));
    };
    if !settings.join_allowlist.contains(&guild_id) {
        return Err(ApiError::new(
            403,
            "guild_not_allowed",
            "this guild is not in JOIN_GUILD_ALLOWLIST",
        ));
    }
    let user_id = session
        .user_id()
        .and_then(validate::snowflake)
        .ok_or_else(|| ApiError::new(500, "internal_error", "the session has no user id"))?;
    lifecycle::fresh_tokens(ctx, &mut session).await?;
    let req_join = calls::join(
        settings,
        &bot,
        guild_id,
        user_id,
        &session.tokens.access_token,
        &body,
    )?;
    let resp = transport::send(
        &req_join,
        &ctx.trace,
        None,
        ctx.auth.settings.upstream_timeout_ms,
        ctx.answer_headers,
    )
    .await
    .map_err(calls::transport_error)?;
    if resp.status == 401 {
        return Err(ApiError::new(
            500,
            "config_error",
            "Discord refused DISCORD_BOT_TOKEN",
        ));
    }
    let joined = calls::joined(&resp).map_err(|e| calls::api_error(&e))?;
    let member = if joined {
        // Discord's member object, passed through whole (the core has checked its shape).
        serde_json::from_str(&resp.body).ok()
    } else {
        None
    };
    Ok(respond::json(200, &Joined { joined, member }))
}
