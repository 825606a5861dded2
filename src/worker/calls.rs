//! The Worker's seam to the core: every Discord request is described and every answer parsed
//! by `crate::discord`; this module only picks the calls and maps the core's errors to the
//! contract's statuses and codes.

use super::auth::Ctx;
use super::config::Settings;
use super::login_options::LoginOptions;
use super::respond::ApiError;
use super::session::Tokens;
use super::transport::{self, AnswerHeaders, TransportError};
use super::validate::JoinBody;
use crate::discord::api::{self, guilds::GuildsQuery, members::AddGuildMember};
use crate::discord::authorize::AuthorizeRequest;
use crate::discord::callback::{Callback, CallbackKind, ValidatedCallback};
use crate::discord::error::{Error, ErrorCode};
use crate::discord::http::{HttpRequest, HttpResponse};
use crate::discord::json::SerdeJson;
use crate::discord::oidc::Nonce;
use crate::discord::pkce::PkceCodeVerifier;
use crate::discord::scope::{Scope, Scopes};
use crate::discord::secret::{AccessToken, AuthorizationCode, BotToken};
use crate::discord::snowflake::Snowflake;
use crate::discord::state::State;
use crate::discord::token::{self, ClientAuth, RevocableToken, TokenSet};

fn input_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(400, "invalid_request", e.to_string())
}

/// The confidential client's credentials, sent with HTTP Basic.
pub(crate) fn client_auth(settings: &Settings) -> ClientAuth {
    ClientAuth::Basic {
        client_id: settings.client_id.clone(),
        secret: settings.client_secret.clone(),
    }
}

/// A login about to start: the authorize URL and what the state cookie keeps.
pub struct Begin {
    /// Discord's authorize URL with every parameter.
    pub url: String,
    /// The OAuth2 state.
    pub state: String,
    /// The PKCE verifier.
    pub verifier: String,
    /// The OpenID Connect nonce, when `openid` is among the scopes (docs/oidc.md).
    pub nonce: Option<String>,
}

/// Draws a state and a PKCE verifier and builds the authorize URL (code grant, S256).
/// <https://discord.com/developers/docs/topics/oauth2#authorization-code-grant>
pub fn begin(
    settings: &Settings,
    options: &LoginOptions,
    redirect_uri: &str,
) -> Result<Begin, ApiError> {
    let state = State::generate().map_err(|e| api_error(&e))?;
    let verifier = PkceCodeVerifier::generate().map_err(|e| api_error(&e))?;
    let mut req = AuthorizeRequest::new(settings.client_id.clone(), options.scopes.clone())
        .base_url(settings.authorize_url.clone())
        .state(&state)
        .redirect_uri(redirect_uri)
        .pkce(&verifier.challenge_s256());
    if let Some(p) = options.prompt {
        req = req.prompt(p);
    }
    if let Some(p) = options.permissions {
        req = req.permissions(p);
    }
    if let Some(g) = &options.guild_id {
        req = req.guild_id(g.clone());
    }
    if let Some(d) = options.disable_guild_select {
        req = req.disable_guild_select(d);
    }
    if let Some(t) = options.integration_type {
        req = req.integration_type(t);
    }
    // OpenID Connect: a nonce binds the id_token to this login (kept in the state cookie).
    let nonce = if options.scopes.contains(Scope::Openid) {
        let n = Nonce::generate().map_err(|e| api_error(&e))?;
        req = req.nonce(&n);
        Some(n.secret().to_owned())
    } else {
        None
    };
    let url = req.build().map_err(input_error)?;
    Ok(Begin {
        url,
        state: state.secret().to_owned(),
        verifier: verifier.secret().to_owned(),
        nonce,
    })
}

/// What the redirect back from Discord carried, with its state checked.
pub enum CallbackResult {
    /// An authorization code to exchange.
    Code(ValidatedCallback),
    /// Discord's `error` (e.g. `access_denied`).
    Error(String),
}

/// A callback whose state is missing, malformed, expired or not ours, or that is not a code
/// grant's redirect: 400 `invalid_state`, nothing exchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidCallback;

/// Parses the callback query and checks its state against the expected one, in constant time,
/// before anything else (also for an error redirect), then its `iss` (RFC 9207), when
/// present, against the expected issuer.
pub fn callback(
    query: &str,
    expected_state: &str,
    issuer: &str,
) -> Result<CallbackResult, InvalidCallback> {
    let expected = State::from_string(expected_state).map_err(|_| InvalidCallback)?;
    let parsed = Callback::parse(&format!("?{query}"))
        .map_err(|_| InvalidCallback)?
        .ok_or(InvalidCallback)?;
    if parsed.kind() == CallbackKind::Implicit {
        return Err(InvalidCallback);
    }
    match parsed.validate(&expected, issuer) {
        Ok(v) => Ok(CallbackResult::Code(v)),
        Err(Error::AccessDenied { .. }) => Ok(CallbackResult::Error("access_denied".to_owned())),
        Err(Error::OAuth { error, .. }) => Ok(CallbackResult::Error(error)),
        Err(_) => Err(InvalidCallback),
    }
}

/// The code exchange: Basic auth, form-encoded, with `code_verifier`.
pub fn exchange(
    settings: &Settings,
    callback: &ValidatedCallback,
    verifier: &str,
    redirect_uri: &str,
) -> Result<HttpRequest, ApiError> {
    let verifier = PkceCodeVerifier::from_string(verifier).map_err(input_error)?;
    token::exchange_code(
        &settings.api,
        &client_auth(settings),
        callback,
        redirect_uri,
        Some(&verifier),
    )
    .map_err(|e| api_error(&e))
}

/// The exchange of an Activity's code (docs/contract.md §8): Basic auth, form-encoded, no
/// `redirect_uri` (the code was issued without one), `code_verifier` when the Activity sent it.
pub fn exchange_activity(
    settings: &Settings,
    code: &str,
    verifier: Option<&str>,
) -> Result<HttpRequest, ApiError> {
    let verifier = verifier
        .map(PkceCodeVerifier::from_string)
        .transpose()
        .map_err(input_error)?;
    token::exchange_activity_code(
        &settings.api,
        &client_auth(settings),
        &AuthorizationCode::new(code),
        verifier.as_ref(),
    )
    .map_err(|e| api_error(&e))
}

/// Revokes the grant of a session (its refresh token, else its access token): either revokes
/// the whole grant.
pub fn revoke(settings: &Settings, tokens: &Tokens) -> Result<HttpRequest, ApiError> {
    let which = match &tokens.refresh_token {
        Some(r) => RevocableToken::Refresh(r),
        None => RevocableToken::Access(&tokens.access_token),
    };
    token::revoke(&settings.api, &client_auth(settings), which).map_err(|e| api_error(&e))
}

/// The client credentials grant (a token for the application's owner).
pub fn client_credentials(settings: &Settings, scopes: &Scopes) -> Result<HttpRequest, ApiError> {
    token::client_credentials(&settings.api, &client_auth(settings), scopes)
        .map_err(|e| api_error(&e))
}

/// Tokens and granted scopes from a token endpoint answer.
pub struct Grant {
    /// The tokens to seal.
    pub tokens: Tokens,
    /// Granted scopes, space-separated, as Discord sends them.
    pub scope: String,
    /// The guild the bot was added to (`bot` scope), as Discord sent it.
    /// <https://discord.com/developers/docs/topics/oauth2#advanced-bot-authorization>
    pub guild: Option<serde_json::Value>,
    /// The webhook created (`webhook.incoming`), with its token and URL (credentials).
    /// <https://discord.com/developers/docs/topics/oauth2#webhooks>
    pub webhook: Option<serde_json::Value>,
    /// The OpenID Connect id_token (`openid` scope), to verify before anything is stored.
    pub id_token: Option<String>,
}

/// Parses a token endpoint answer.
pub fn tokens(resp: &HttpResponse, now_ms: u64) -> Result<Grant, Error> {
    let set: TokenSet = token::process_token_response::<SerdeJson>(resp, now_ms)?;
    Ok(Grant {
        tokens: Tokens {
            access_token: set.access_token,
            refresh_token: set.refresh_token,
            expires_at: set.expires_at_ms,
        },
        scope: set.scope,
        guild: set.guild.and_then(|g| serde_json::to_value(g).ok()),
        webhook: set.webhook.and_then(|w| serde_json::to_value(w).ok()),
        id_token: set.id_token,
    })
}

/// `GET /users/@me`.
pub fn current_user(settings: &Settings, token: &AccessToken) -> Result<HttpRequest, ApiError> {
    Ok(api::users::get_current_user(&settings.api, token))
}

/// The five reads of `/api`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Read {
    /// `GET /users/@me`
    User,
    /// `GET /users/@me/guilds`
    Guilds,
    /// `GET /users/@me/connections`
    Connections,
    /// `GET /users/@me/guilds/{id}/member`
    Member(Snowflake),
    /// `GET /oauth2/@me`
    Authorization,
}

/// The request of a read.
pub fn read(
    settings: &Settings,
    which: &Read,
    token: &AccessToken,
) -> Result<HttpRequest, ApiError> {
    let cfg = &settings.api;
    Ok(match which {
        Read::User => api::users::get_current_user(cfg, token),
        Read::Guilds => api::guilds::get_current_user_guilds(cfg, token, &GuildsQuery::default())
            .map_err(input_error)?,
        Read::Connections => api::users::get_current_user_connections(cfg, token),
        Read::Member(id) => api::members::get_current_user_guild_member(cfg, token, *id),
        Read::Authorization => api::oauth2::get_current_authorization(cfg, token),
    })
}

/// `PUT /guilds/{guild}/members/{user}` with the bot token and the user's access token.
pub fn join(
    settings: &Settings,
    bot: &BotToken,
    guild: Snowflake,
    user: Snowflake,
    token: &AccessToken,
    body: &JoinBody,
) -> Result<HttpRequest, ApiError> {
    let mut params = AddGuildMember::new(token.clone());
    params.nick = body.nick.clone();
    params.roles = match &body.roles {
        Some(roles) => Some(
            roles
                .iter()
                .map(|r| {
                    r.parse::<Snowflake>()
                        .map_err(|_| input_error("roles must be role ids"))
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
        None => None,
    };
    params.mute = body.mute;
    params.deaf = body.deaf;
    api::members::add_guild_member::<SerdeJson>(&settings.api, bot, guild, user, &params)
        .map_err(|e| api_error(&e))
}

/// The answer to a join: `true` for 201 (joined now), `false` for 204 (already a member).
pub fn joined(resp: &HttpResponse) -> Result<bool, Error> {
    api::members::process_add_guild_member::<SerdeJson>(resp).map(|o| o.joined())
}

/// A 2xx answer is fine; anything else is the core's typed error.
pub fn check(resp: &HttpResponse) -> Result<(), Error> {
    api::process_raw::<SerdeJson>(resp).map(|_| ())
}

/// A 2xx JSON answer as a value (Discord's object, kept whole).
pub fn json_value(resp: &HttpResponse) -> Result<serde_json::Value, Error> {
    api::parse_json::<SerdeJson, serde_json::Value>(resp)
}

/// The contract's answer to a transport failure: 502, or 504 on timeout.
pub fn transport_error(e: TransportError) -> ApiError {
    match e {
        TransportError::Timeout => {
            ApiError::new(504, "discord_unavailable", "Discord did not answer in time")
        }
        TransportError::Limited(r) => api_error(&Error::RateLimited(r)),
        TransportError::Network(failure) => ApiError::new(
            502,
            "discord_unavailable",
            format!("Discord could not be reached: {failure}"),
        ),
    }
}

fn message(e: &Error) -> String {
    e.description().map_or_else(|| e.to_string(), str::to_owned)
}

/// The contract's answer to a Discord error on an `/api` route.
pub fn api_error(e: &Error) -> ApiError {
    if let Error::Timeout = e {
        return ApiError::new(504, "discord_unavailable", "Discord did not answer in time");
    }
    let code = e.code();
    match code {
        ErrorCode::RateLimited => ApiError {
            status: 429,
            code: "rate_limited",
            message: "Discord rate limit: retry later".to_owned(),
            retry_after: Some(e.retry_after().unwrap_or(1.0)),
            global: Some(e.global().unwrap_or(false)),
            clear_session: false,
            allow: None,
            challenge: None,
        },
        ErrorCode::ServerError | ErrorCode::NetworkError => ApiError::new(
            502,
            "discord_unavailable",
            "Discord failed to answer; try again",
        ),
        ErrorCode::ConfigError => ApiError::new(500, "config_error", message(e)),
        ErrorCode::Unauthorized => ApiError::new(401, "unauthorized", message(e)),
        ErrorCode::Forbidden => ApiError::new(403, "forbidden", message(e)),
        ErrorCode::NotFound => ApiError::new(404, "not_found", message(e)),
        ErrorCode::InvalidGrant => ApiError::new(400, "invalid_grant", message(e)),
        ErrorCode::InvalidScope => ApiError::new(400, "invalid_scope", message(e)),
        ErrorCode::AccessDenied => ApiError::new(403, "access_denied", message(e)),
        ErrorCode::InvalidState => ApiError::new(400, "invalid_state", message(e)),
        ErrorCode::StorageError => ApiError::new(
            503,
            "storage_unavailable",
            "the session store failed; try again",
        ),
        ErrorCode::InvalidRequest => ApiError::new(
            e.status().filter(|s| (400..500).contains(s)).unwrap_or(400),
            "invalid_request",
            message(e),
        ),
    }
}

/// The contract's answers during the callback: as on `/api`, except a rate limit is 503 with
/// `Retry-After` (the browser is mid-login, not calling an API).
pub fn for_callback(mut a: ApiError) -> ApiError {
    if a.status == 429 {
        a.status = 503;
    }
    a
}

/// Sends one call of a login step (the code exchange, the new session's user, Discord's
/// signing keys), keyed to `user`'s rate-limit buckets when given: a failure to get an answer
/// is the callback's error ([`for_callback`]).
pub async fn send_for_callback(
    ctx: &Ctx<'_>,
    req: &HttpRequest,
    user: Option<&str>,
) -> Result<HttpResponse, ApiError> {
    transport::send(
        req,
        &ctx.trace,
        user,
        ctx.auth.settings.upstream_timeout_ms,
        AnswerHeaders::Limits,
    )
    .await
    .map_err(|e| for_callback(transport_error(e)))
}
