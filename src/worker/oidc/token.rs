//! `POST /oidc/token`, the provider's code exchange (docs/oidc-provider.md), and its entry
//! on the runtime's own request and response types for the deployable Worker (docs/worker.md,
//! "The request path"): a relying party's exchange reads the request's headers and body once
//! and builds the answer once, without `worker::Request` and `worker::Response` around them.

use super::claims::{self, ID_TOKEN_TTL_SECS, IdClaims};
use super::object::{self, Redeemed};
use super::params::{self, OAuthCode, OAuthError};
use super::routes::{
    ACCESS_TOKEN_TTL_SECS, from_api, from_config, no_cache, no_random, open_grant, user_claims,
};
use super::settings::Oidc;
use super::sign;
use crate::worker::auth::{Ctx, read_body};
use crate::worker::crypto::random_bytes;
use crate::worker::respond::{self, ApiError, Built};
use crate::worker::store;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde::Serialize;
use worker::Request;
use worker::durable::ObjectNamespace;

/// The largest token request body read, in bytes.
pub(super) const MAX_TOKEN_BODY: usize = 16 * 1024;

/// What the exchange reads of its request: two headers and the body.
pub(super) struct TokenRequest {
    /// `Content-Type`.
    content_type: Option<String>,
    /// `Authorization` (client_secret_basic).
    authorization: Option<String>,
    /// The body; `Ok(None)` when it was larger than [`MAX_TOKEN_BODY`].
    body: Result<Option<Vec<u8>>, ApiError>,
}

impl TokenRequest {
    /// Reads a `worker::Request` (the library's path, and any request the fast entry leaves).
    pub(super) async fn read(req: &mut Request) -> TokenRequest {
        let header = |name: &str| req.headers().get(name).ok().flatten();
        let content_type = header("content-type");
        let authorization = header("authorization");
        TokenRequest {
            content_type,
            authorization,
            body: read_body(req, MAX_TOKEN_BODY).await,
        }
    }
}

#[derive(Serialize)]
struct TokenBody<'a> {
    access_token: &'a str,
    token_type: &'static str,
    expires_in: u64,
    id_token: &'a str,
    scope: &'a str,
}

/// `POST /oidc/token` (OpenID Connect Core §3.1.3): the code redeemed once in its object,
/// the client authenticated, PKCE checked, the id_token signed.
pub(super) async fn token(
    ctx: &Ctx<'_>,
    request: TokenRequest,
    oidc: &Oidc,
    ns: &ObjectNamespace,
    issuer: &str,
) -> Result<Built, OAuthError> {
    let body = request
        .body
        .map_err(|_| OAuthError::request("the body could not be read"))?
        .ok_or_else(|| OAuthError::request("the body is too large"))?;
    if !request
        .content_type
        .unwrap_or_default()
        .to_ascii_lowercase()
        .starts_with("application/x-www-form-urlencoded")
    {
        return Err(OAuthError::request(
            "the body must be application/x-www-form-urlencoded",
        ));
    }
    let form = params::token_form(&body)?;
    // Client authentication first: a failed one leaves the code untouched.
    let creds = params::credentials(request.authorization.as_deref(), &form)?;
    let client = params::authenticate(oidc, &creds).ok_or_else(OAuthError::client)?;
    match form.grant_type.as_deref() {
        Some("authorization_code") => {}
        None => return Err(OAuthError::request("grant_type is missing")),
        Some(_) => {
            return Err(OAuthError::new(
                400,
                OAuthCode::UnsupportedGrantType,
                "only authorization_code is supported",
            ));
        }
    }
    let code = form
        .code
        .as_deref()
        .ok_or_else(|| OAuthError::request("code is missing"))?;
    let redirect_uri = form
        .redirect_uri
        .as_deref()
        .ok_or_else(|| OAuthError::request("redirect_uri is missing"))?;
    let (grant_id, secret) =
        object::split(code).ok_or_else(|| OAuthError::grant("the code is unknown or expired"))?;
    let token_secret = B64.encode(random_bytes::<32>().map_err(|_| no_random())?);
    let token_expires = ctx.now + ACCESS_TOKEN_TTL_SECS * 1000;
    let redeemed = object::redeem(
        ns,
        grant_id,
        object::digest(secret),
        object::digest(&token_secret),
        token_expires,
    )
    .await
    .map_err(from_api)?;
    let sealed = match redeemed {
        Redeemed::Grant(s) => s,
        Redeemed::Reused => {
            return Err(OAuthError::grant(
                "the code was already used: the access token issued with it is revoked",
            ));
        }
        Redeemed::Unknown => return Err(OAuthError::grant("the code is unknown or expired")),
    };
    let grant = open_grant(ctx, grant_id, &sealed)?;
    if grant.client_id != client.client_id {
        return Err(OAuthError::grant("the code was issued to another client"));
    }
    if grant.redirect_uri != redirect_uri {
        return Err(OAuthError::grant(
            "redirect_uri differs from the authorization request's",
        ));
    }
    params::check_verifier(grant.challenge.as_deref(), form.code_verifier.as_deref())?;
    let session = store::load_key(ctx.auth, &grant.session, ctx.now)
        .await
        .map_err(from_api)?
        .ok_or_else(|| OAuthError::grant("the Discord session has ended"))?;
    let (sub, profile, session) = user_claims(ctx, session, &grant, client)
        .await
        .map_err(|e| match e.status {
            401 => OAuthError::grant("Discord no longer honours the session's grant"),
            _ => from_api(e),
        })?;
    let iat = ctx.now / 1000;
    let claims = IdClaims {
        iss: issuer,
        sub: &sub,
        aud: &client.client_id,
        exp: iat + ID_TOKEN_TTL_SECS,
        iat,
        auth_time: grant.auth_time,
        nonce: grant.nonce.as_deref(),
        profile: &profile,
    };
    let input = claims::signing_input(&oidc.key.public.kid, &claims);
    let signature = sign::rs256(&oidc.key, input.as_bytes())
        .await
        .map_err(|e| from_config(&e))?;
    let id_token = claims::compact(&input, &signature);
    let access_token = format!("{grant_id}.{token_secret}");
    let expires_in = token_expires
        .min(session.stored.expires_at)
        .saturating_sub(ctx.now)
        / 1000;
    let body = respond::to_json(&TokenBody {
        access_token: &access_token,
        token_type: "Bearer",
        expires_in,
        id_token: &id_token,
        scope: &grant.scope(),
    });
    Ok(no_cache(200, body))
}

/// The deployable Worker's entry for a relying party's `POST /oidc/token`: a promise of the
/// answer, or `None` to leave the request to the full path ([`super::handle`]). Taken only
/// when the full path would do nothing more: no `Origin` (no CORS to answer), a
/// `Content-Length` within [`MAX_TOKEN_BODY`] (the runtime then frames the body by it, so one
/// `arrayBuffer()` reads it whole; a chunked body is read chunk by chunk there), a plain
/// `http(s)://host` origin to be the issuer, and the provider on with sessions in Durable
/// Objects (every refusal of its configuration is the full path's to answer).
#[cfg(feature = "worker-entry")]
pub(crate) fn serve(
    req: &worker::worker_sys::web_sys::Request,
    env: &worker::Env,
) -> Option<js_sys::Promise> {
    use crate::worker::auth::{DiscordAuth, now_ms};
    use crate::worker::log::Trace;
    use crate::worker::routes::{Route, split_url};
    use crate::worker::transport::AnswerHeaders;
    use wasm_bindgen::JsValue;
    use wasm_bindgen_futures::JsFuture;

    let headers = req.headers();
    if headers.has("origin").unwrap_or(true) {
        return None;
    }
    let url = req.url();
    let (issuer, path) = split_url(&url)?;
    if Route::parse(path) != Some(Route::Oidc(super::OidcRoute::Token)) {
        return None;
    }
    let declared = headers
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse::<usize>().ok())?;
    if declared > MAX_TOKEN_BODY {
        return None;
    }
    let auth = DiscordAuth::from_env(env).ok()?;
    provider(&auth)?;
    let header = |name: &str| headers.get(name).ok().flatten();
    let content_type = header("content-type");
    let authorization = header("authorization");
    let issuer = issuer.to_owned();
    let body = req.array_buffer();
    let started = now_ms();
    let trace = Trace::new("POST", super::OidcRoute::Token.name());
    Some(wasm_bindgen_futures::future_to_promise(async move {
        let unreadable = || ApiError::new(400, "invalid_request", "the body could not be read");
        let body = match body {
            Ok(promise) => JsFuture::from(promise)
                .await
                .map(|buffer| Some(js_sys::Uint8Array::new(&buffer).to_vec()))
                .map_err(|_| unreadable()),
            Err(_) => Err(unreadable()),
        };
        let request = TokenRequest {
            content_type,
            authorization,
            body,
        };
        let ctx = Ctx {
            auth: &auth,
            trace: trace.clone(),
            now: started,
            answer_headers: AnswerHeaders::Limits,
        };
        let reply = match provider(&auth) {
            Some((oidc, ns)) => token(&ctx, request, oidc, ns, &issuer).await,
            // Not reached: `serve` found the provider before it promised an answer.
            None => Err(OAuthError::new(
                500,
                OAuthCode::ServerError,
                "the provider is not configured",
            )),
        };
        let reply = reply.unwrap_or_else(|e| super::routes::error_reply(&ctx, &e));
        let response = reply.into_js();
        trace.finish(response.status(), now_ms().saturating_sub(started));
        Ok(JsValue::from(response))
    }))
}

/// The provider's settings and the session objects, when the provider is on and sessions live
/// in Durable Objects (of the deployable Worker's own store).
#[cfg(feature = "worker-entry")]
fn provider(auth: &crate::worker::DiscordAuth) -> Option<(&Oidc, &ObjectNamespace)> {
    match (&auth.settings.oidc, &auth.backend) {
        (Some(Ok(oidc)), crate::worker::auth::Backend::Objects(ns)) if !auth.custom_store => {
            Some((oidc, ns))
        }
        _ => None,
    }
}
