//! `/auth/login`, `/auth/callback`, `/auth/session`, `/auth/logout` (docs/contract.md §4).
//!
//! The authorization code grant with PKCE, done by a confidential client:
//! <https://discord.com/developers/docs/topics/oauth2#authorization-code-grant>.

use super::auth::{Ctx, drain, session_cookie};
use super::calls::{self, CallbackResult};
use super::cookies::{self, SESSION_COOKIE, STATE_COOKIE, STATE_MAX_AGE};
use super::crypto;
use super::hooks::LoginEvent;
use super::login_options::LoginOptions;
use super::respond::{self, ApiError};
use super::session::{
    LoginState, SESSION_VERSION, SeenUser, Session, StoredSession, Tokens, rfc3339,
};
use super::transport::AnswerHeaders;
use super::{lifecycle, store, transport, validate};
use serde::Serialize;
use worker::{Headers, Request, Response};

fn query_param(req: &Request, name: &str) -> Option<String> {
    let url = req.url().ok()?;
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn redirect_uri(ctx: &Ctx<'_>, req: &Request) -> Result<String, ApiError> {
    if let Some(uri) = &ctx.auth.settings.redirect_uri {
        return Ok(uri.clone());
    }
    let origin = super::auth::origin(req)
        .ok_or_else(|| ApiError::new(400, "invalid_request", "the request URL has no origin"))?;
    Ok(format!("{origin}/auth/callback"))
}

/// `GET /auth/login?return_to&scope&prompt`: 302 to Discord's authorize page, with the state,
/// PKCE verifier, `return_to` and expiry sealed in the state cookie.
pub async fn login(ctx: &Ctx<'_>, req: &mut Request) -> Result<Response, ApiError> {
    let settings = &ctx.auth.settings;
    let return_to = validate::return_to(query_param(req, "return_to").as_deref())
        .map_err(|m| ApiError::new(400, "invalid_return_to", m))?;
    let options = LoginOptions::parse(|name| query_param(req, name), &settings.scopes)
        .map_err(|e| ApiError::new(400, e.code(), e.to_string()))?;
    start_login(ctx, req, &options, return_to, false)
}

/// The redirect to Discord's authorize page for `options`, with the login's state sealed in
/// the state cookie; `linked_roles` marks a login of the Linked Roles Verification URL, whose
/// callback pushes the role connection (docs/linked-roles.md).
pub(crate) fn start_login(
    ctx: &Ctx<'_>,
    req: &Request,
    options: &LoginOptions,
    return_to: String,
    linked_roles: bool,
) -> Result<Response, ApiError> {
    let settings = &ctx.auth.settings;
    let redirect_uri = redirect_uri(ctx, req)?;
    let begin = calls::begin(settings, options, &redirect_uri)?;
    let state = LoginState {
        state: begin.state,
        verifier: begin.verifier,
        return_to,
        expires_at: ctx.now + STATE_MAX_AGE * 1000,
        redirect_uri,
        data: options.data.clone(),
        nonce: begin.nonce,
        linked_roles,
    };
    let plain = serde_json::to_vec(&state)
        .map_err(|_| ApiError::new(500, "internal_error", "could not encode the login state"))?;
    let sealed = settings
        .keys
        .seal_state(&plain)
        .map_err(|_| ApiError::new(500, "internal_error", "no randomness available"))?;
    Ok(respond::redirect(
        &begin.url,
        &[cookies::set(STATE_COOKIE, &sealed, STATE_MAX_AGE)],
    ))
}

/// Opens the state cookie; `None` when it is missing, altered or expired.
fn login_state(ctx: &Ctx<'_>, req: &Request) -> Option<LoginState> {
    let header = req.headers().get("cookie").ok()??;
    let value = cookies::get(&header, STATE_COOKIE)?;
    let plain = ctx.auth.settings.keys.open_state(value).ok()?;
    let state: LoginState = serde_json::from_slice(&plain).ok()?;
    (state.expires_at > ctx.now).then_some(state)
}

fn invalid_state() -> Response {
    let e = ApiError::new(
        400,
        "invalid_state",
        "the login state is missing, expired or does not match: start again at /auth/login",
    );
    let r = e.response();
    let _ = r
        .headers()
        .append("set-cookie", &cookies::clear(STATE_COOKIE));
    r
}

/// `GET /auth/callback`: checks the state against the cookie (constant time), exchanges the
/// code (Basic auth and `code_verifier`), fetches the user, stores a new session in KV.
pub async fn callback(ctx: &Ctx<'_>, req: &mut Request) -> Result<Response, ApiError> {
    let settings = &ctx.auth.settings;
    let Some(state) = login_state(ctx, req) else {
        ctx.trace.error("invalid_state");
        return Ok(invalid_state());
    };
    let query = req
        .url()
        .ok()
        .and_then(|u| u.query().map(str::to_owned))
        .unwrap_or_default();
    let code = match calls::callback(&query, &state.state, &settings.issuer) {
        Ok(CallbackResult::Code(validated)) => validated,
        Ok(CallbackResult::Error(error)) => {
            ctx.trace.error("auth_error");
            let to = validate::with_auth_error(&state.return_to, &error);
            return Ok(respond::redirect(
                &validate::location(&to),
                &[cookies::clear(STATE_COOKIE)],
            ));
        }
        Err(_) => {
            ctx.trace.error("invalid_state");
            return Ok(invalid_state());
        }
    };

    let req_token = calls::exchange(settings, &code, &state.verifier, &state.redirect_uri)?;
    let resp = calls::send_for_callback(ctx, &req_token, None).await?;
    let grant =
        calls::tokens(&resp, ctx.now).map_err(|e| calls::for_callback(calls::api_error(&e)))?;
    // OpenID Connect (docs/oidc.md): an `openid` login sent a nonce, so its id_token must come
    // and verify before anything is stored; a bad one is 400 `invalid_grant`.
    match (&grant.id_token, &state.nonce) {
        (Some(raw), nonce) => {
            super::id_token::verify(ctx, raw, nonce.as_deref(), &grant.tokens.access_token).await?
        }
        (None, Some(_)) => {
            let e = crate::discord::Error::IdToken(crate::discord::oidc::IdTokenError::Absent);
            return Err(calls::for_callback(calls::api_error(&e)));
        }
        (None, None) => {}
    }

    let (id, mut session) = new_session(ctx, grant, state.data.as_deref()).await?;
    let cookies = [
        cookies::set(SESSION_COOKIE, &id, settings.session_ttl),
        cookies::clear(STATE_COOKIE),
    ];
    // The Linked Roles Verification URL's login: push the role connection the host computes.
    // The session stays either way; a failure is answered with the session cookie set.
    if state.linked_roles
        && let Err(e) = super::routes_linked_roles::after_verification(ctx, &mut session).await
    {
        ctx.trace.error(e.code);
        let r = e.response();
        for cookie in &cookies {
            let _ = r.headers().append("set-cookie", cookie);
        }
        return Ok(r);
    }
    Ok(respond::redirect(
        &validate::location(&state.return_to),
        &cookies,
    ))
}

/// Stores a new session for a fresh grant (from `/auth/callback` or `/api/token`): fetches the
/// user, seals the tokens into KV under a new id, and returns that id (the cookie's value)
/// with the session. A failure at Discord maps as in the callback (a rate limit is 503).
pub(crate) async fn new_session(
    ctx: &Ctx<'_>,
    grant: calls::Grant,
    data: Option<&str>,
) -> Result<(String, Session), ApiError> {
    let settings = &ctx.auth.settings;
    // A fresh id for every login: a session id planted before login is never adopted.
    let id = crypto::new_session_id()
        .map_err(|_| ApiError::new(500, "internal_error", "no randomness available"))?;
    let kv_key = settings.keys.kv_key(&id);

    // The user's rate-limit buckets are their own (keyed like the session's later calls).
    let req_user = calls::current_user(settings, &grant.tokens.access_token)?;
    let resp = calls::send_for_callback(ctx, &req_user, Some(&kv_key)).await?;
    let user = calls::json_value(&resp).map_err(|e| calls::for_callback(calls::api_error(&e)))?;
    let data = data.and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok());
    // The host Worker's `on_login` hook, before anything is stored (docs/contract.md §12).
    if let Some(hook) = &ctx.auth.hooks.on_login {
        let event = LoginEvent {
            user: user.clone(),
            scopes: scopes_of(&grant.scope),
            guild: grant.guild.clone(),
            webhook: grant.webhook.clone(),
            data: data.clone(),
        };
        if let Err(aborted) = hook(event).await {
            ctx.trace.hook_reason(aborted.reason);
            return Err(ApiError::new(
                500,
                "login_aborted",
                "the login was refused by the host Worker; no session was stored",
            ));
        }
    }
    let mut session = Session {
        kv_key,
        stored: StoredSession {
            v: SESSION_VERSION,
            tokens: String::new(),
            user,
            scopes: scopes_of(&grant.scope),
            created_at: ctx.now,
            updated_at: ctx.now,
            expires_at: ctx.now + settings.session_ttl * 1000,
            guild: grant.guild,
            data,
            ..Default::default()
        },
        tokens: grant.tokens.clone(),
        seen_user: SeenUser::default(),
    };
    if let Some(webhook) = grant.webhook {
        session
            .set_webhook(&settings.keys, webhook)
            .map_err(|_| ApiError::new(500, "internal_error", "no randomness available"))?;
    }
    store::create(ctx.auth, &mut session, grant.tokens, ctx.now).await?;
    super::user_index::index_new(ctx, &session).await;
    Ok((id, session))
}

/// The granted scopes of a token response's `scope`.
fn scopes_of(scope: &str) -> Vec<String> {
    scope.split_whitespace().map(str::to_owned).collect()
}

#[derive(Serialize)]
struct SessionBody<'a> {
    user: &'a serde_json::Value,
    scopes: &'a [String],
    expires_at: String,
    /// The guild the bot joined at login (docs/contract.md §12).
    #[serde(skip_serializing_if = "Option::is_none")]
    guild: Option<&'a serde_json::Value>,
    /// The login's webhook without its token and URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    webhook: Option<&'a serde_json::Value>,
    /// The login's `data`.
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a serde_json::Value>,
}

/// `GET /auth/session`: the JSON body of the stored user, scopes and session expiry, for the
/// session id of the request's cookie; never a token, never a call to Discord.
pub async fn session(ctx: &Ctx<'_>, id: Option<&str>) -> Result<String, ApiError> {
    let Some(id) = id else {
        return Err(ApiError::unauthorized());
    };
    let session = store::load(ctx.auth, id, ctx.now).await?;
    match session {
        Some(s) if s.user_is_stale(ctx.auth.settings.user_max_age_secs * 1000, ctx.now) => {
            session_body(Some(&refetch_user(ctx, s).await?))
        }
        other => session_body(other.as_ref()),
    }
}

/// Fetches the session's user again (through the token lifecycle) and keeps it when it
/// changed (docs/contract.md §12). A rate limit or an unavailable Discord serves the stored
/// user (logged); a grant Discord no longer honours ends the session (401).
pub(crate) async fn refetch_user(ctx: &Ctx<'_>, mut session: Session) -> Result<Session, ApiError> {
    let req = calls::current_user(&ctx.auth.settings, &session.tokens.access_token)?;
    let user = match lifecycle::request(ctx, &mut session, req).await {
        Ok(resp) => calls::json_value(&resp).map_err(|e| calls::api_error(&e)),
        Err(e) => Err(e),
    };
    match user {
        Ok(user) => {
            if user != session.stored.user {
                if let Err(e) = store::update_user(ctx.auth, &session.kv_key, &user, ctx.now).await
                {
                    ctx.trace.error(e.code);
                }
                session.stored.user = user;
                session.seen_user = SeenUser::default();
            }
            Ok(session)
        }
        Err(e) if e.status == 401 => Err(e),
        Err(e) => {
            // 429 or 5xx: the stored user still answers.
            ctx.trace.error(e.code);
            Ok(session)
        }
    }
}

/// The `/auth/session` body of a loaded session; 401 clearing the cookie without one (the
/// cookie named no live session).
pub(crate) fn session_body(s: Option<&Session>) -> Result<String, ApiError> {
    let Some(s) = s else {
        return Err(ApiError::unauthorized().clearing_session());
    };
    Ok(respond::to_json(&SessionBody {
        user: &s.stored.user,
        scopes: &s.stored.scopes,
        expires_at: rfc3339(s.stored.expires_at),
        guild: s.stored.guild.as_ref(),
        webhook: s.stored.webhook.as_ref(),
        data: s.stored.data.as_ref(),
    }))
}

/// The trusted-origin rule of every state-changing route (docs/contract.md §8): 403 `forbidden` for
/// a request whose `Origin` is neither this Worker's, the Activity's
/// (`https://{client_id}.discordsays.com`) nor one of `ALLOWED_ORIGINS`, or a cross-site one
/// without `Origin`.
pub(crate) fn refuse_cross_site(ctx: &Ctx<'_>, req: &Request) -> Result<(), ApiError> {
    let this = super::auth::origin(req).unwrap_or_default();
    let h = req.headers();
    let origin = h.get("origin").ok().flatten();
    let site = h.get("sec-fetch-site").ok().flatten();
    let trusted = |o: &str| ctx.auth.settings.trusts_origin(o, &this);
    if validate::is_refused_origin(origin.as_deref(), site.as_deref(), trusted) {
        return Err(ApiError::new(
            403,
            "forbidden",
            "requests from untrusted origins are refused",
        ));
    }
    Ok(())
}

/// `POST /auth/logout`: revokes the grant at Discord, deletes the session, clears the cookie;
/// 204 also without a session.
pub async fn logout(ctx: &Ctx<'_>, req: &mut Request) -> Result<Response, ApiError> {
    drain(req).await;
    refuse_cross_site(ctx, req)?;
    if let Some(id) = session_cookie(req)
        && let Some(s) = store::load(ctx.auth, &id, ctx.now).await?
    {
        revoke(ctx, &s.tokens).await;
        store::delete(ctx.auth, &s.kv_key).await?;
        super::user_index::unindex(ctx, &s).await;
        super::routes_api::forget_cache(&s.kv_key);
    }
    let headers = Headers::new();
    let _ = headers.set("cache-control", "no-store");
    for cookie in cookies::clear_session() {
        let _ = headers.append("set-cookie", &cookie);
    }
    Ok(respond::empty(204, headers))
}

/// Revokes a grant (either token revokes it all); failures are logged, not fatal: the session
/// is deleted either way.
async fn revoke(ctx: &Ctx<'_>, tokens: &Tokens) {
    if let Ok(req) = calls::revoke(&ctx.auth.settings, tokens) {
        if let Ok(resp) = transport::send(
            &req,
            &ctx.trace,
            None,
            ctx.auth.settings.upstream_timeout_ms,
            AnswerHeaders::Limits,
        )
        .await
        {
            if let Err(e) = calls::check(&resp) {
                ctx.trace.error(calls::api_error(&e).code);
            }
        } else {
            ctx.trace.error("revoke_failed");
        }
    }
}
