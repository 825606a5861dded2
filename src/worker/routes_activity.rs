//! `POST /api/token`: the Worker as the backend of a Discord Activity (docs/contract.md §8).
//!
//! An Activity runs in an iframe at `https://{client_id}.discordsays.com` inside Discord. The
//! Embedded App SDK's `authorize` command hands it a `code` that the Discord client issued
//! without a `redirect_uri`; the Activity posts it here (through Discord's `/.proxy/` mapping),
//! and passes the access token we answer to the SDK's `authenticate` command.
//! <https://discord.com/developers/docs/activities/development-guides/user-actions#authorizing-and-authenticating-users>
//!
//! Unlike Discord's starter, the refresh token never leaves the Worker: the grant becomes a
//! session exactly like one made by `/auth/callback` (sealed in KV, refreshed server-side), and
//! the browser gets the session as a partitioned cookie (`SameSite=None; Partitioned`): the
//! Activity is a third-party frame inside discord.com, where browsers that block third-party
//! cookies keep only partitioned ones.

use super::auth::{Ctx, read_body};
use super::calls;
use super::cookies::{self, SESSION_COOKIE};
use super::respond::{self, ApiError};
use super::routes_auth::{new_session, refuse_cross_site};
use super::validate::{self, MAX_TOKEN_BODY};
use serde::Serialize;
use worker::{Request, Response};

/// The 200 body: what the SDK's `authenticate` needs, never the refresh token.
#[derive(Serialize)]
struct TokenAnswer<'a> {
    access_token: &'a str,
    token_type: &'static str,
    expires_in: u64,
    scope: &'a str,
}

/// `POST /api/token` with JSON `{"code", "code_verifier"?}`: refuses untrusted origins (403,
/// nothing sent to Discord), exchanges the code without `redirect_uri`, stores a session as
/// the callback does, and answers the access token with the partitioned session cookie.
pub async fn token(ctx: &Ctx<'_>, req: &mut Request) -> Result<Response, ApiError> {
    // Read the body before anything else: workerd resets connections on unread bodies.
    let raw = read_body(req, MAX_TOKEN_BODY).await?;
    refuse_cross_site(ctx, req)?;
    let raw = raw.ok_or_else(|| {
        ApiError::new(
            400,
            "invalid_request",
            format!("the body is larger than {MAX_TOKEN_BODY} bytes"),
        )
    })?;
    let body = validate::token_body(&raw).map_err(|m| ApiError::new(400, "invalid_request", m))?;
    let settings = &ctx.auth.settings;

    let exchange = calls::exchange_activity(settings, &body.code, body.code_verifier.as_deref())?;
    let resp = calls::send_for_callback(ctx, &exchange, None).await?;
    // invalid_grant (a used, expired or foreign code) stays 400 invalid_grant; a rate limit is
    // 503 with Retry-After, Discord down 502, as at the callback.
    let grant =
        calls::tokens(&resp, ctx.now).map_err(|e| calls::for_callback(calls::api_error(&e)))?;
    // OpenID Connect (docs/oidc.md): an Activity authorized with `openid` gets an id_token at
    // the exchange, verified as at the callback (signature, iss, aud, exp, at_hash) before
    // anything is stored; there is no nonce to check, the SDK's `authorize` sends none.
    if let Some(raw) = &grant.id_token {
        super::id_token::verify(ctx, raw, None, &grant.tokens.access_token).await?;
    }
    let access_token = grant.tokens.access_token.clone();
    let expires_in = grant.tokens.expires_at.saturating_sub(ctx.now) / 1000;
    let scope = grant.scope.clone();

    let (id, _) = new_session(ctx, grant, None).await?;
    let answer = respond::json(
        200,
        &TokenAnswer {
            access_token: access_token.secret(),
            token_type: "Bearer",
            expires_in,
            scope: &scope,
        },
    );
    let _ = answer.headers().append(
        "set-cookie",
        &cookies::set_partitioned(SESSION_COOKIE, &id, settings.session_ttl),
    );
    Ok(answer)
}
