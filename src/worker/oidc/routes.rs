//! The provider's routes (docs/oidc-provider.md): discovery, JWKS, authorize, token,
//! userinfo. Each checks with [`super::params`], keeps codes and tokens in Durable Objects
//! ([`super::object`]), signs with [`super::sign`] and says what [`super::claims`] builds.

use super::OidcRoute;
use super::claims::{self, Profile, UserInfo};
use super::object;
use super::params::{self, AuthorizeError, OAuthCode, OAuthError};
use super::settings::{Oidc, OidcClient};
use super::token::{TokenRequest, token};
use crate::worker::auth::{Backend, Ctx, drain, origin, session_cookie};
use crate::worker::calls::{self, Read};
use crate::worker::config::ConfigError;
use crate::worker::crypto::random_bytes;
use crate::worker::respond::{self, ApiError, Built};
use crate::worker::session::Session;
use crate::worker::{lifecycle, routes_auth, store};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde::{Deserialize, Serialize};
use worker::durable::ObjectNamespace;
use worker::{Headers, Request, Response};

/// How long an access token lives at most (it dies with its session sooner).
pub const ACCESS_TOKEN_TTL_SECS: u64 = 3600;
/// The parameter `/oidc/authorize` adds to itself when it sends the browser to `/auth/login`:
/// back from the login, a session that still cannot answer is an error, not another login.
pub const LOGIN_MARK: &str = "oidc_login";

/// What a code (and later its access token) is bound to; sealed in its object with the
/// object's name as associated data.
#[derive(Serialize, Deserialize)]
pub struct Grant {
    /// The client it was issued to.
    #[serde(rename = "c")]
    pub client_id: String,
    /// The redirect URI of the authorization request.
    #[serde(rename = "r")]
    pub redirect_uri: String,
    /// The S256 challenge, if any.
    #[serde(rename = "p", default)]
    pub challenge: Option<String>,
    /// The nonce, if any.
    #[serde(rename = "n", default)]
    pub nonce: Option<String>,
    /// `email` asked for.
    #[serde(rename = "e")]
    pub email: bool,
    /// `guilds` asked for (and allowed).
    #[serde(rename = "g")]
    pub guilds: bool,
    /// `roles` asked for (and configured).
    #[serde(rename = "o")]
    pub roles: bool,
    /// The session's store key.
    #[serde(rename = "s")]
    pub session: String,
    /// When the session began (the Discord login), seconds.
    #[serde(rename = "t")]
    pub auth_time: u64,
}

impl Grant {
    pub(super) fn scope(&self) -> String {
        let mut s = String::from("openid");
        for (on, name) in [
            (self.email, " email"),
            (self.guilds, " guilds"),
            (self.roles, " roles"),
        ] {
            if on {
                s.push_str(name);
            }
        }
        s
    }
}

pub(super) fn from_api(e: ApiError) -> OAuthError {
    OAuthError::new(e.status, OAuthCode::Worker(e.code), e.message)
}

pub(super) fn from_config(e: &ConfigError) -> OAuthError {
    OAuthError::new(500, OAuthCode::Worker("config_error"), e.to_string())
}

pub(super) fn no_random() -> OAuthError {
    OAuthError::new(500, OAuthCode::ServerError, "no randomness available")
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    error_description: &'a str,
    /// The contract's `message` (docs/errors.md), the same text.
    message: &'a str,
}

/// A JSON answer of the provider: `Cache-Control: no-store` and `Pragma: no-cache` (RFC 6749
/// §5.1 and §5.2 ask both of token and error answers).
pub(super) fn no_cache(status: u16, body: String) -> Built {
    let headers = respond::json_headers();
    let _ = headers.set("pragma", "no-cache");
    Built {
        status,
        headers,
        body,
    }
}

/// An error answer: RFC 6749 §5.2's body (and the contract's `message`); `invalid_client`
/// with a Basic challenge (§5.2), `invalid_token` with a Bearer one (RFC 6750 §3).
pub(super) fn error_reply(ctx: &Ctx<'_>, e: &OAuthError) -> Built {
    ctx.trace.error(e.code.as_str());
    let body = respond::to_json(&ErrorBody {
        error: e.code.as_str(),
        error_description: &e.description,
        message: &e.description,
    });
    let reply = no_cache(e.status, body);
    match e.code {
        OAuthCode::InvalidClient => {
            let _ = reply
                .headers
                .set("www-authenticate", r#"Basic realm="oidc", charset="UTF-8""#);
        }
        OAuthCode::InvalidToken => {
            let _ = reply
                .headers
                .set("www-authenticate", r#"Bearer error="invalid_token""#);
        }
        _ => {}
    }
    reply
}

fn error_response(ctx: &Ctx<'_>, e: &OAuthError) -> Response {
    error_reply(ctx, e).into_response()
}

/// A public JSON document (discovery, JWKS): cacheable, readable from any origin.
fn public_json(value: &serde_json::Value) -> Response {
    let headers = Headers::new();
    let _ = headers.set("content-type", "application/json; charset=utf-8");
    let _ = headers.set("cache-control", "public, max-age=300");
    let _ = headers.set("access-control-allow-origin", "*");
    match Response::ok(value.to_string()) {
        Ok(r) => r.with_headers(headers),
        Err(_) => respond::empty(500, headers),
    }
}

/// Answers one of the provider's routes (the table's [`OidcRoute`]). Off (404) without
/// `OIDC_CLIENTS`; a `config_error` naming the setting when a setting is bad or the sessions
/// are not in Durable Objects.
pub async fn handle(ctx: &Ctx<'_>, req: &mut Request, route: OidcRoute) -> Response {
    let oidc = match &ctx.auth.settings.oidc {
        None => {
            drain(req).await;
            ctx.trace.error("not_found");
            return respond::error(404, "not_found", "no such route");
        }
        Some(Err(e)) => {
            drain(req).await;
            return error_response(ctx, &from_config(e));
        }
        Some(Ok(o)) => o,
    };
    let Backend::Objects(ns) = &ctx.auth.backend else {
        drain(req).await;
        let e = ConfigError::invalid(
            "SESSION_STORE",
            "the OpenID provider (OIDC_CLIENTS) needs the SESSION_STORE Durable Object binding: \
             a code must be single-use everywhere, which Workers KV cannot promise",
        );
        return error_response(ctx, &from_config(&e));
    };
    let Some(issuer) = origin(req) else {
        drain(req).await;
        return error_response(ctx, &OAuthError::request("the request URL has no origin"));
    };
    let answer = match route {
        OidcRoute::Discovery => Ok(public_json(&claims::discovery(&issuer))),
        OidcRoute::Jwks => Ok(public_json(&claims::jwks(oidc))),
        OidcRoute::Authorize => authorize(ctx, req, oidc, ns, &issuer).await,
        OidcRoute::Token => {
            let request = TokenRequest::read(req).await;
            token(ctx, request, oidc, ns, &issuer)
                .await
                .map(Built::into_response)
        }
        OidcRoute::UserInfo => userinfo(ctx, req, oidc, ns).await,
    };
    answer.unwrap_or_else(|e| error_response(ctx, &e))
}

/// A 302 to the client's redirect URI with `pairs`, `state` and `iss` (RFC 9207).
fn to_client(
    redirect_uri: &str,
    state: Option<&str>,
    issuer: &str,
    pairs: &[(&str, &str)],
) -> Response {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        query.append_pair(k, v);
    }
    if let Some(s) = state {
        query.append_pair("state", s);
    }
    query.append_pair("iss", issuer);
    let sep = if redirect_uri.contains('?') { '&' } else { '?' };
    respond::redirect(&format!("{redirect_uri}{sep}{}", query.finish()), &[])
}

/// `GET /oidc/authorize`.
async fn authorize(
    ctx: &Ctx<'_>,
    req: &Request,
    oidc: &Oidc,
    ns: &ObjectNamespace,
    issuer: &str,
) -> Result<Response, OAuthError> {
    let url = req
        .url()
        .map_err(|_| OAuthError::request("the request URL is malformed"))?;
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let after_login = pairs.iter().any(|(k, _)| k == LOGIN_MARK);
    // `/auth/callback` adds `auth_error` to the return path when Discord refused the login.
    let discord_refused = pairs.iter().any(|(k, _)| k == "auth_error");
    let theirs: Vec<(String, String)> = pairs
        .into_iter()
        .filter(|(k, _)| k != LOGIN_MARK && k != "auth_error")
        .collect();
    let ar = match params::authorize(oidc, &theirs) {
        Ok(ar) => ar,
        Err(AuthorizeError::NoRedirect(why)) => return Err(OAuthError::request(why)),
        Err(AuthorizeError::Redirect {
            redirect_uri,
            state,
            code,
            description,
        }) => {
            ctx.trace.error(code.as_str());
            return Ok(to_client(
                &redirect_uri,
                state.as_deref(),
                issuer,
                &[("error", code.as_str()), ("error_description", description)],
            ));
        }
    };
    let back = |code: OAuthCode, why: &str| {
        ctx.trace.error(code.as_str());
        to_client(
            &ar.redirect_uri,
            ar.state.as_deref(),
            issuer,
            &[("error", code.as_str()), ("error_description", why)],
        )
    };
    if discord_refused {
        return Ok(back(
            OAuthCode::AccessDenied,
            "the Discord login did not complete",
        ));
    }
    let session = match session_cookie(req) {
        Some(id) => match store::load(ctx.auth, &id, ctx.now).await {
            Ok(s) => s,
            Err(_) => return Ok(back(OAuthCode::ServerError, "the session store failed")),
        },
        None => None,
    };
    let needed = ar.discord_scopes();
    let fresh_enough = |s: &Session| {
        after_login
            || (!ar.prompt_login
                && ar.max_age.is_none_or(|m| {
                    ctx.now.saturating_sub(s.stored.created_at) <= m.saturating_mul(1000)
                }))
    };
    let usable = session
        .filter(|s| {
            needed
                .iter()
                .all(|n| s.stored.scopes.iter().any(|g| g == n))
        })
        .filter(|s| fresh_enough(s));
    let Some(session) = usable else {
        if ar.prompt_none {
            return Ok(back(
                OAuthCode::LoginRequired,
                "no Discord session with the needed scopes",
            ));
        }
        if after_login {
            return Ok(back(
                OAuthCode::AccessDenied,
                "Discord did not grant the scopes the claims need",
            ));
        }
        // Sign in through the Worker's own login, then come back here.
        let mut again = form_urlencoded::Serializer::new(String::new());
        again.extend_pairs(&theirs);
        again.append_pair(LOGIN_MARK, "1");
        let return_to = format!("{}?{}", url.path(), again.finish());
        let login = form_urlencoded::Serializer::new(String::new())
            .append_pair("return_to", &return_to)
            .append_pair("scope", &needed.join(" "))
            .finish();
        return Ok(respond::redirect(&format!("/auth/login?{login}"), &[]));
    };
    let grant_id = B64.encode(random_bytes::<16>().map_err(|_| no_random())?);
    let secret = B64.encode(random_bytes::<32>().map_err(|_| no_random())?);
    let grant = Grant {
        client_id: ar.client_id.clone(),
        redirect_uri: ar.redirect_uri.clone(),
        challenge: ar.challenge.clone(),
        nonce: ar.nonce.clone(),
        email: ar.email,
        guilds: ar.guilds,
        roles: ar.roles,
        session: session.kv_key.clone(),
        auth_time: session.stored.created_at / 1000,
    };
    let plain = serde_json::to_vec(&grant).map_err(|_| no_random())?;
    let sealed = ctx
        .auth
        .settings
        .keys
        .seal_session(&plain, object::object_name(&grant_id).as_bytes())
        .map_err(|_| no_random())?;
    let expires = ctx.now + oidc.code_ttl_secs * 1000;
    if object::put(ns, &grant_id, object::digest(&secret), sealed, expires)
        .await
        .is_err()
    {
        return Ok(back(OAuthCode::ServerError, "the code could not be stored"));
    }
    let code = format!("{grant_id}.{secret}");
    Ok(to_client(
        &ar.redirect_uri,
        ar.state.as_deref(),
        issuer,
        &[("code", &code)],
    ))
}

/// Opens a grant sealed in the object of `grant_id`.
pub(super) fn open_grant(ctx: &Ctx<'_>, grant_id: &str, sealed: &str) -> Result<Grant, OAuthError> {
    let plain = ctx
        .auth
        .settings
        .keys
        .open_session(sealed, object::object_name(grant_id).as_bytes())
        .map_err(|_| OAuthError::grant("the grant does not open (SESSION_SECRET changed?)"))?;
    serde_json::from_slice(&plain).map_err(|_| OAuthError::grant("the grant is not readable"))
}

fn invalid_token(why: &str) -> OAuthError {
    OAuthError::new(401, OAuthCode::InvalidToken, why)
}

/// `GET /oidc/userinfo` with our access token as Bearer (RFC 6750 §2.1).
async fn userinfo(
    ctx: &Ctx<'_>,
    req: &Request,
    oidc: &Oidc,
    ns: &ObjectNamespace,
) -> Result<Response, OAuthError> {
    let header = req
        .headers()
        .get("authorization")
        .ok()
        .flatten()
        .unwrap_or_default();
    let token = header
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim())
        .ok_or_else(|| invalid_token("a Bearer access token is required"))?;
    let (grant_id, secret) =
        object::split(token).ok_or_else(|| invalid_token("the access token is not valid"))?;
    let sealed = object::lookup(ns, grant_id, object::digest(secret))
        .await
        .map_err(from_api)?
        .ok_or_else(|| invalid_token("the access token is unknown, expired or revoked"))?;
    let grant = open_grant(ctx, grant_id, &sealed)
        .map_err(|_| invalid_token("the access token is not valid"))?;
    let client = oidc
        .client(&grant.client_id)
        .ok_or_else(|| invalid_token("the client is no longer registered"))?;
    let session = store::load_key(ctx.auth, &grant.session, ctx.now)
        .await
        .map_err(from_api)?
        .ok_or_else(|| invalid_token("the session has ended"))?;
    let (sub, profile, _) = user_claims(ctx, session, &grant, client)
        .await
        .map_err(|e| match e.status {
            401 => invalid_token("the session has ended"),
            _ => from_api(e),
        })?;
    Ok(respond::json(
        200,
        &UserInfo {
            sub: &sub,
            profile: &profile,
        },
    ))
}

/// The claims about the session's user: the profile (the user fetched again when older than
/// `USER_MAX_AGE_SECONDS`), the guild ids and the roles, read with the user's own token
/// through the session's lifecycle (refreshed when due).
pub(super) async fn user_claims(
    ctx: &Ctx<'_>,
    session: Session,
    grant: &Grant,
    client: &OidcClient,
) -> Result<(String, Profile, Session), ApiError> {
    let settings = &ctx.auth.settings;
    let mut session = if session.user_is_stale(settings.user_max_age_secs * 1000, ctx.now) {
        routes_auth::refetch_user(ctx, session).await?
    } else {
        session
    };
    let (sub, mut profile) = claims::profile(&session.stored.user, grant.email)
        .ok_or_else(|| ApiError::new(500, "internal_error", "the session holds no user id"))?;
    if grant.guilds && client.guilds {
        let req = calls::read(settings, &Read::Guilds, &session.tokens.access_token)?;
        let resp = lifecycle::request(ctx, &mut session, req).await?;
        let guilds = calls::json_value(&resp).map_err(|e| calls::api_error(&e))?;
        profile.guilds = Some(claims::guild_ids(&guilds));
    }
    if grant.roles {
        for guild in &client.role_guilds {
            let req = calls::read(
                settings,
                &Read::Member(*guild),
                &session.tokens.access_token,
            )?;
            match lifecycle::request(ctx, &mut session, req).await {
                Ok(resp) => {
                    let member = calls::json_value(&resp).map_err(|e| calls::api_error(&e))?;
                    profile
                        .roles
                        .insert(claims::roles_claim(*guild), claims::role_ids(&member));
                }
                // Discord answers 404 Unknown Guild (10004) when the user is not a member
                // (or the guild does not exist): the claim is then absent.
                // <https://discord.com/developers/docs/resources/user#get-current-user-guild-member>
                Err(e) if e.status == 404 => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok((sub, profile, session))
}
