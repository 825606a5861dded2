//! The one place where the browser layer calls the core's protocol functions: authorize URL,
//! PKCE, state, the redirect, token requests and responses, API requests and errors, and
//! the rate limiter. Everything is decided by [`crate::discord`]; this only adapts types.

use crate::discord::Error;
use crate::discord::api::{self, Authorization};
use crate::discord::authorize::{AuthorizeRequest, IntegrationType, Prompt, ResponseType};
use crate::discord::callback::{Callback, ValidatedCallback};
use crate::discord::config::ApiConfig;
use crate::discord::http::{Body, HttpRequest, HttpResponse, Method};
use crate::discord::pkce::{PkceCodeChallenge, PkceCodeVerifier};
use crate::discord::scope::Scopes;
use crate::discord::secret::AccessToken;
use crate::discord::state::State;
use crate::discord::token::{self, ClientAuth, RevocableToken};
use wasm_bindgen::JsValue;

pub use crate::discord::token::TokenSet;

use super::error::{Result, config};
use super::json::{self, JsJson};

fn public(client_id: &str) -> ClientAuth {
    ClientAuth::Public {
        client_id: client_id.to_owned(),
    }
}

/// Scope names as the core knows them; unknown names are `invalid_scope`.
pub fn scopes(names: &[String]) -> Result<Scopes> {
    Ok(Scopes::from_list(names)?)
}

/// A fresh random state (256 bits).
pub fn new_state() -> Result<String> {
    Ok(State::generate()?.secret().to_owned())
}

/// A fresh PKCE verifier (43 characters, 256 random bits).
pub fn new_verifier() -> Result<String> {
    Ok(PkceCodeVerifier::generate()?.secret().to_owned())
}

/// The S256 challenge of `verifier` from its SHA-256 digest (hashed by `crypto.subtle` in
/// the shell); the verifier is checked against RFC 7636's rules first.
pub fn challenge(verifier: &str, digest: &[u8]) -> Result<PkceCodeChallenge> {
    PkceCodeVerifier::from_string(verifier)?;
    PkceCodeChallenge::from_sha256_digest(digest)
        .ok_or_else(|| config("crypto.subtle.digest did not give a SHA-256 digest"))
}

/// Everything `authorizeUrl` takes.
pub struct AuthorizeParams<'a> {
    pub endpoint: &'a str,
    pub client_id: &'a str,
    pub redirect_uri: &'a str,
    pub scopes: Scopes,
    pub implicit: bool,
    pub state: &'a str,
    pub code_challenge: Option<&'a PkceCodeChallenge>,
    pub prompt: Option<String>,
    pub permissions: Option<String>,
    pub guild_id: Option<String>,
    pub disable_guild_select: Option<bool>,
    pub integration_type: Option<f64>,
    /// The OpenID Connect nonce (`openid` logins, code grant).
    pub nonce: Option<&'a crate::discord::oidc::Nonce>,
}

/// The authorize URL, built by the core.
pub fn authorize_url(p: AuthorizeParams<'_>) -> Result<String> {
    let mut r = AuthorizeRequest::new(p.client_id, p.scopes)
        .base_url(p.endpoint)
        .response_type(if p.implicit {
            ResponseType::Token
        } else {
            ResponseType::Code
        })
        .state(&State::from_string(p.state)?)
        .redirect_uri(p.redirect_uri);
    if let Some(prompt) = p.prompt {
        r = r.prompt(match prompt.as_str() {
            "consent" => Prompt::Consent,
            "none" => Prompt::None,
            _ => return Err(config("option `prompt` must be \"consent\" or \"none\"")),
        });
    }
    if let Some(perms) = p.permissions {
        let bits = perms
            .parse::<u64>()
            .map_err(|_| config("option `permissions` must be a decimal integer"))?;
        r = r.permissions(bits);
    }
    if let Some(g) = p.guild_id {
        r = r.guild_id(g);
    }
    if let Some(d) = p.disable_guild_select {
        r = r.disable_guild_select(d);
    }
    if let Some(t) = p.integration_type {
        r = r.integration_type(if t == 0.0 {
            IntegrationType::GuildInstall
        } else if t == 1.0 {
            IntegrationType::UserInstall
        } else {
            return Err(config("option `integrationType` must be 0 or 1"));
        });
    }
    if let Some(c) = p.code_challenge {
        r = r.pkce(c);
    }
    if let Some(n) = p.nonce {
        r = r.nonce(n);
    }
    Ok(r.build()?)
}

/// The redirect's OAuth2 parameters; `None` when it carries none.
pub fn parse_redirect(url: &str) -> Result<Option<Callback>> {
    Ok(Callback::parse(url)?)
}

/// What a validated redirect gives.
pub enum Granted {
    /// The implicit grant's tokens.
    Tokens(TokenSet),
    /// A code to exchange.
    Code(ValidatedCallback),
}

/// Checks `state` (constant time), then `iss` (RFC 9207) against `issuer`, and releases the
/// code or the token.
pub fn validate(cb: Callback, state: &str, issuer: &str, now_ms: f64) -> Result<Granted> {
    let expected = State::from_string(state).map_err(|_| Error::InvalidState)?;
    let v = cb.validate(&expected, issuer)?;
    if v.code().is_some() {
        return Ok(Granted::Code(v));
    }
    v.into_token_set(now_ms as u64)
        .map(Granted::Tokens)
        .ok_or(Error::InvalidState)
}

/// The PKCE code exchange of a public client.
pub fn exchange_request(
    api: &ApiConfig,
    client_id: &str,
    cb: &ValidatedCallback,
    verifier: &str,
    redirect_uri: &str,
) -> Result<HttpRequest> {
    let v = PkceCodeVerifier::from_string(verifier)?;
    token::exchange_code(api, &public(client_id), cb, redirect_uri, Some(&v))
}

/// Revokes the grant (through whichever token is given).
pub fn revoke_request(api: &ApiConfig, client_id: &str, t: &TokenSet) -> Result<HttpRequest> {
    let token = match &t.refresh_token {
        Some(r) => RevocableToken::Refresh(r),
        None => RevocableToken::Access(&t.access_token),
    };
    token::revoke(api, &public(client_id), token)
}

/// A token endpoint answer.
pub fn token_response(resp: &HttpResponse, now_ms: f64) -> Result<TokenSet> {
    token::process_token_response::<JsJson>(resp, now_ms as u64)
}

/// A revocation answer.
pub fn revoke_response(resp: &HttpResponse) -> Result<()> {
    token::process_revoke_response::<JsJson>(resp)
}

/// A Bearer request to `route` (path and query under the API base).
pub fn bearer_request(
    api: &ApiConfig,
    method: Method,
    route: &str,
    token: &str,
    body: Option<String>,
) -> Result<HttpRequest> {
    let token = AccessToken::new(token);
    Ok(api::raw_request(
        api,
        Authorization::Bearer(&token),
        method,
        route,
        body.map(Body::Json),
    )?)
}

/// An API answer as a plain JS value (`null` for an empty body), or its typed error.
pub fn api_response(resp: &HttpResponse) -> Result<JsValue> {
    let body = api::process_raw::<JsJson>(resp)?;
    json::parse(body).map_err(|e| Error::Parse {
        status: resp.status,
        reason: e.0,
        body: crate::discord::error::RawBody::new(body),
    })
}
