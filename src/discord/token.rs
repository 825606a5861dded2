//! The token endpoint: code exchange, refresh, client credentials and revocation as request
//! descriptions, and their responses as a [`TokenSet`] or a typed [`Error`].
//!
//! Endpoints: `POST {api_base}/oauth2/token` and `POST {api_base}/oauth2/token/revoke`, which
//! accept **only** `application/x-www-form-urlencoded` bodies
//! (<https://discord.com/developers/docs/topics/oauth2#shared-resources-oauth2-urls>). Client
//! authentication is HTTP Basic or `client_id`/`client_secret` in the body ("All calls to the
//! OAuth2 endpoints require either HTTP Basic authentication or client_id and client_secret
//! supplied in the form data body",
//! <https://discord.com/developers/docs/topics/oauth2#authorization-code-grant>); a public
//! client (no secret) sends only `client_id` and must use PKCE.

use std::fmt;

use crate::discord::callback::ValidatedCallback;
use crate::discord::config::ApiConfig;
use crate::discord::error::{Error, InputError, RawBody, oauth_error};
use crate::discord::http::{Body, HttpRequest, HttpResponse, Method};
use crate::discord::json::{JsonCodec, JsonError, JsonValue};
use crate::discord::pkce::PkceCodeVerifier;
use crate::discord::ratelimit::rate_limited;
use crate::discord::scope::{Scope, Scopes};
use crate::discord::secret::{AccessToken, AuthorizationCode, ClientSecret, RefreshToken};

/// Path of the token endpoint under the API base.
pub const TOKEN_PATH: &str = "/oauth2/token";
/// Path of the revocation endpoint under the API base (RFC 7009).
pub const REVOKE_PATH: &str = "/oauth2/token/revoke";
/// Rate-limit route key of token requests.
pub const TOKEN_ROUTE: &str = "POST /oauth2/token";
/// Rate-limit route key of revocation requests.
pub const REVOKE_ROUTE: &str = "POST /oauth2/token/revoke";

/// How this client proves who it is to the token endpoint.
#[derive(Clone)]
pub enum ClientAuth {
    /// Confidential client, HTTP Basic: `Authorization: Basic base64(client_id:secret)`.
    /// What the Worker uses (docs/contract.md §4), and the only form the client credentials grant
    /// documents.
    Basic {
        /// The application id.
        client_id: String,
        /// The client secret.
        secret: ClientSecret,
    },
    /// Confidential client, `client_id` and `client_secret` as form fields.
    Body {
        /// The application id.
        client_id: String,
        /// The client secret.
        secret: ClientSecret,
    },
    /// Public client (Developer Portal "Public Client"): `client_id` in the body, no secret,
    /// PKCE required for the code exchange.
    Public {
        /// The application id.
        client_id: String,
    },
}

impl ClientAuth {
    /// The application id.
    pub fn client_id(&self) -> &str {
        match self {
            ClientAuth::Basic { client_id, .. }
            | ClientAuth::Body { client_id, .. }
            | ClientAuth::Public { client_id } => client_id,
        }
    }

    fn check(&self) -> Result<(), InputError> {
        let id = self.client_id();
        // `:` would split the Basic credentials in the wrong place.
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_graphic() && b != b':') {
            return Err(invalid(
                "client_id",
                "must be the application id (visible characters, no `:`)",
            ));
        }
        if let ClientAuth::Basic { secret, .. } | ClientAuth::Body { secret, .. } = self
            && (secret.secret().is_empty() || secret.secret().bytes().any(|b| b.is_ascii_control()))
        {
            return Err(invalid(
                "client_secret",
                "must be non-empty, without control characters",
            ));
        }
        Ok(())
    }
}

impl fmt::Debug for ClientAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self {
            ClientAuth::Basic { .. } => "Basic",
            ClientAuth::Body { .. } => "Body",
            ClientAuth::Public { .. } => "Public",
        };
        f.debug_struct("ClientAuth")
            .field("kind", &kind)
            .field("client_id", &self.client_id())
            .finish_non_exhaustive()
    }
}

fn invalid(field: &'static str, reason: &str) -> InputError {
    InputError::Invalid {
        field,
        reason: reason.to_owned(),
    }
}

/// A token to revoke. Discord revokes the whole grant whichever token is sent
/// (<https://discord.com/developers/docs/topics/oauth2#authorization-code-grant-token-revocation-example>),
/// so sending the refresh token when there is one is as good as sending both.
#[derive(Clone, Copy, Debug)]
pub enum RevocableToken<'a> {
    /// An access token; sent with `token_type_hint=access_token`.
    Access(&'a AccessToken),
    /// A refresh token; sent with `token_type_hint=refresh_token`.
    Refresh(&'a RefreshToken),
}

impl RevocableToken<'_> {
    /// The `token_type_hint` value.
    pub const fn type_hint(&self) -> &'static str {
        match self {
            RevocableToken::Access(_) => "access_token",
            RevocableToken::Refresh(_) => "refresh_token",
        }
    }

    fn secret(&self) -> &str {
        match self {
            RevocableToken::Access(t) => t.secret(),
            RevocableToken::Refresh(t) => t.secret(),
        }
    }
}

/// A form POST to the token or revocation endpoint, with client authentication applied.
fn form_request(
    cfg: &ApiConfig,
    auth: &ClientAuth,
    path: &str,
    route: &str,
    fields: &[(&str, &str)],
    force_basic: bool,
) -> Result<HttpRequest, Error> {
    auth.check()?;
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        form.append_pair(k, v);
    }
    let mut headers: Vec<(&'static str, String)> = vec![
        (
            "Content-Type",
            Body::Form(String::new()).content_type().to_owned(),
        ),
        ("Accept", "application/json".to_owned()),
        ("User-Agent", cfg.user_agent.clone()),
    ];
    match auth {
        ClientAuth::Basic { client_id, secret } => headers.push(basic(client_id, secret)),
        ClientAuth::Body { client_id, secret } if force_basic => {
            headers.push(basic(client_id, secret))
        }
        ClientAuth::Body { client_id, secret } => {
            form.append_pair("client_id", client_id);
            form.append_pair("client_secret", secret.secret());
        }
        ClientAuth::Public { client_id } => {
            form.append_pair("client_id", client_id);
        }
    }
    Ok(HttpRequest {
        method: Method::Post,
        url: cfg.url(path),
        headers,
        body: Some(Body::Form(form.finish())),
        route: route.to_owned(),
    })
}

/// `Authorization: Basic base64(client_id:secret)`. Discord's own examples use Python
/// `requests`' Basic auth, which does not form-encode the two parts first (RFC 6749 §2.3.1
/// would); Discord's ids and secrets are URL-safe, so both readings give the same header.
fn basic(client_id: &str, secret: &ClientSecret) -> (&'static str, String) {
    let creds = [client_id, ":", secret.secret()].concat();
    let creds = crate::discord::b64::encode(creds.as_bytes(), false);
    ("Authorization", ["Basic ", creds.as_str()].concat())
}

/// The code exchange (`grant_type=authorization_code`) for a validated redirect.
///
/// `redirect_uri` must be the one sent in the authorize URL. `verifier` is the PKCE verifier
/// kept since the authorize step: required for [`ClientAuth::Public`], sent whenever given.
/// Fails with [`InputError`] when the callback was an implicit grant (there is no code), the
/// redirect URI is empty, or a public client has no verifier.
pub fn exchange_code(
    cfg: &ApiConfig,
    auth: &ClientAuth,
    callback: &ValidatedCallback,
    redirect_uri: &str,
    verifier: Option<&PkceCodeVerifier>,
) -> Result<HttpRequest, Error> {
    let code = callback.code().ok_or_else(|| {
        invalid(
            "code",
            "the redirect carried an implicit-grant token, not a code to exchange",
        )
    })?;
    if redirect_uri.is_empty() {
        return Err(invalid(
            "redirect_uri",
            "must be the redirect URI of the authorize request",
        )
        .into());
    }
    code_grant(cfg, auth, code.secret(), Some(redirect_uri), verifier)
}

/// The `authorization_code` grant's form, with `redirect_uri` exactly when the authorization
/// request carried one (RFC 6749 §4.1.3); a public client must send its PKCE verifier.
fn code_grant(
    cfg: &ApiConfig,
    auth: &ClientAuth,
    code: &str,
    redirect_uri: Option<&str>,
    verifier: Option<&PkceCodeVerifier>,
) -> Result<HttpRequest, Error> {
    if matches!(auth, ClientAuth::Public { .. }) && verifier.is_none() {
        return Err(invalid(
            "code_verifier",
            "a public client must send the PKCE verifier",
        )
        .into());
    }
    let mut fields = vec![("grant_type", "authorization_code"), ("code", code)];
    if let Some(uri) = redirect_uri {
        fields.push(("redirect_uri", uri));
    }
    if let Some(v) = verifier {
        fields.push(("code_verifier", v.secret()));
    }
    form_request(cfg, auth, TOKEN_PATH, TOKEN_ROUTE, &fields, false)
}

/// The exchange of a code an Activity got from the Embedded App SDK's `authorize` command
/// (`grant_type=authorization_code`, no `redirect_uri`).
///
/// The Discord client issues that code without a redirect, and RFC 6749 §4.1.3 makes
/// `redirect_uri` required at exchange only when the authorization request carried one: so it
/// is left out (docs/contract.md §8). `verifier` is sent when the Activity used PKCE (required for a
/// [`ClientAuth::Public`]).
/// <https://discord.com/developers/docs/developer-tools/embedded-app-sdk#authorize>
pub fn exchange_activity_code(
    cfg: &ApiConfig,
    auth: &ClientAuth,
    code: &AuthorizationCode,
    verifier: Option<&PkceCodeVerifier>,
) -> Result<HttpRequest, Error> {
    if code.secret().is_empty() {
        return Err(invalid("code", "must not be empty").into());
    }
    code_grant(cfg, auth, code.secret(), None, verifier)
}

/// A refresh (`grant_type=refresh_token`). Discord rotates the refresh token on every refresh:
/// store the new [`TokenSet`] at once and never send the old refresh token again (it is then
/// `invalid_grant`, docs/contract.md §6).
pub fn refresh_token(
    cfg: &ApiConfig,
    auth: &ClientAuth,
    refresh_token: &RefreshToken,
) -> Result<HttpRequest, Error> {
    if refresh_token.secret().is_empty() {
        return Err(invalid("refresh_token", "must not be empty").into());
    }
    let fields = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token.secret()),
    ];
    form_request(cfg, auth, TOKEN_PATH, TOKEN_ROUTE, &fields, false)
}

/// A client credentials grant: a token for the application owner (team applications: only
/// `identify` and `applications.commands.update`). Discord documents it with HTTP Basic only
/// (<https://discord.com/developers/docs/topics/oauth2#client-credentials-grant>), so
/// [`ClientAuth::Body`] is sent as Basic too, and a public client is refused. An empty
/// `scopes` leaves the `scope` parameter out.
pub fn client_credentials(
    cfg: &ApiConfig,
    auth: &ClientAuth,
    scopes: &Scopes,
) -> Result<HttpRequest, Error> {
    if matches!(auth, ClientAuth::Public { .. }) {
        return Err(invalid(
            "client_secret",
            "the client credentials grant needs the client secret",
        )
        .into());
    }
    let scope = scopes.joined();
    let mut fields = vec![("grant_type", "client_credentials")];
    if !scope.is_empty() {
        fields.push(("scope", scope.as_str()));
    }
    form_request(cfg, auth, TOKEN_PATH, TOKEN_ROUTE, &fields, true)
}

/// A revocation (RFC 7009): `token` and `token_type_hint`. Revoking either token revokes the
/// whole grant.
pub fn revoke(
    cfg: &ApiConfig,
    auth: &ClientAuth,
    token: RevocableToken<'_>,
) -> Result<HttpRequest, Error> {
    if token.secret().is_empty() {
        return Err(invalid("token", "must not be empty").into());
    }
    let fields = [
        ("token", token.secret()),
        ("token_type_hint", token.type_hint()),
    ];
    form_request(cfg, auth, REVOKE_PATH, REVOKE_ROUTE, &fields, false)
}

/// Tokens from Discord, as stored by the browser and the Worker (docs/contract.md §3): JSON fields
/// `access_token`, `token_type`, `expires_at` (ms since the epoch), `refresh_token?`,
/// `scope` (space-separated, exactly as Discord sent it), `guild?`, `webhook?`, `id_token?`.
///
/// `guild` and `webhook` are kept as JSON trees ([`JsonValue`]) and serialize back as the
/// objects Discord sent; decode them with [`TokenSet::guild_as`] / [`TokenSet::webhook_as`]
/// into the guild and webhook models. `Debug` shows no token (and no webhook token).
#[derive(Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TokenSet {
    /// The access token (`Authorization: Bearer …`).
    pub access_token: AccessToken,
    /// `Bearer`.
    pub token_type: String,
    /// When the access token expires, milliseconds since the epoch (`now + expires_in`).
    #[serde(rename = "expires_at")]
    pub expires_at_ms: u64,
    /// The refresh token; none for the implicit and client credentials grants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<RefreshToken>,
    /// The granted scopes, space-separated, exactly as Discord sent them.
    #[serde(default)]
    pub scope: String,
    /// The guild the bot joined (bot scope through the code grant).
    /// <https://discord.com/developers/docs/topics/oauth2#advanced-bot-authorization>
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guild: Option<JsonValue>,
    /// The webhook created (`webhook.incoming`); holds the webhook's own token.
    /// <https://discord.com/developers/docs/topics/oauth2#webhooks>
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<JsonValue>,
    /// The OpenID Connect ID token (`openid` scope).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

impl TokenSet {
    /// The granted scopes, parsed; [`InputError::UnknownScopes`] if Discord granted a scope
    /// this crate does not know (use [`TokenSet::has_scope`] to test one scope regardless).
    pub fn scopes(&self) -> Result<Scopes, InputError> {
        Scopes::parse(&self.scope)
    }

    /// Whether `scope` was granted (a word match on [`TokenSet::scope`], never failing).
    pub fn has_scope(&self, scope: Scope) -> bool {
        self.scope.split(' ').any(|s| s == scope.as_str())
    }

    /// Whether the access token expires within `margin_ms` of `now_ms` (or already has):
    /// the browser and the Worker refresh first when it expires within 60 s.
    pub fn expires_within(&self, now_ms: u64, margin_ms: u64) -> bool {
        now_ms.saturating_add(margin_ms) >= self.expires_at_ms
    }

    /// Whether the access token has expired at `now_ms`.
    pub fn is_expired(&self, now_ms: u64) -> bool {
        self.expires_within(now_ms, 0)
    }

    /// The `guild` decoded into a model (e.g. `models::Guild`).
    pub fn guild_as<J: JsonCodec, T: serde::de::DeserializeOwned>(
        &self,
    ) -> Option<Result<T, JsonError>> {
        self.guild.as_ref().map(|g| g.decode_as::<J, T>())
    }

    /// The `guild` as [`models::Guild`](crate::discord::models::Guild) (id, name, icon,
    /// features; the full guild's other fields are left out).
    pub fn guild_model<J: JsonCodec>(
        &self,
    ) -> Option<Result<crate::discord::models::Guild, JsonError>> {
        self.guild_as::<J, _>()
    }

    /// The `webhook` as [`models::Webhook`](crate::discord::models::Webhook) (keep its `id`
    /// and `token` to execute it).
    pub fn webhook_model<J: JsonCodec>(
        &self,
    ) -> Option<Result<crate::discord::models::Webhook, JsonError>> {
        self.webhook_as::<J, _>()
    }

    /// The `webhook` decoded into a model (e.g. `models::Webhook`).
    pub fn webhook_as<J: JsonCodec, T: serde::de::DeserializeOwned>(
        &self,
    ) -> Option<Result<T, JsonError>> {
        self.webhook.as_ref().map(|w| w.decode_as::<J, T>())
    }
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSet")
            .field("access_token", &self.access_token)
            .field("token_type", &self.token_type)
            .field("expires_at_ms", &self.expires_at_ms)
            .field("refresh_token", &self.refresh_token)
            .field("scope", &self.scope)
            .field("guild", &self.guild.as_ref().map(|_| "[json]"))
            .field("webhook", &self.webhook.as_ref().map(|_| "[redacted]"))
            .field("id_token", &self.id_token.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

/// The access token response.
/// <https://discord.com/developers/docs/topics/oauth2#authorization-code-grant-access-token-response>
#[derive(serde::Deserialize)]
struct TokenResponse {
    access_token: String,
    token_type: String,
    expires_in: Option<f64>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    guild: Option<JsonValue>,
    #[serde(default)]
    webhook: Option<JsonValue>,
    #[serde(default)]
    id_token: Option<String>,
}

/// The error for a failed token or revocation request: 429 → [`Error::RateLimited`]; an
/// OAuth2 error body (`{"error": "invalid_grant", "error_description": "…"}`) →
/// [`Error::OAuth`] with the status; anything else as [`Error::from_response`].
pub fn process_oauth_error<J: JsonCodec>(response: &HttpResponse) -> Error {
    if response.status == 429 {
        return Error::RateLimited(rate_limited::<J>(response));
    }
    oauth_error::<J>(response.status, &response.body)
        .unwrap_or_else(|| Error::from_response::<J>(response))
}

/// Processes the answer to [`exchange_code`], [`refresh_token`] or [`client_credentials`].
/// `now_ms` (ms since the epoch, when the answer arrived) anchors `expires_at`:
/// `now_ms + expires_in × 1000`, saturating. A 2xx body must have a non-empty `access_token`,
/// `token_type` `Bearer` and a finite non-negative `expires_in`; otherwise [`Error::Parse`]
/// keeps the body (redacted in `Debug`). Errors as [`process_oauth_error`].
pub fn process_token_response<J: JsonCodec>(
    response: &HttpResponse,
    now_ms: u64,
) -> Result<TokenSet, Error> {
    if !response.is_success() {
        return Err(process_oauth_error::<J>(response));
    }
    let parse = |reason: String| Error::Parse {
        status: response.status,
        reason,
        body: RawBody::new(response.body.clone()),
    };
    let raw: TokenResponse = J::decode(&response.body)
        .map_err(|e| parse(["invalid token response: ", &without_quoted(&e.0)].concat()))?;
    if raw.access_token.is_empty() {
        return Err(parse(
            "the token response has an empty access_token".to_owned(),
        ));
    }
    if !raw.token_type.eq_ignore_ascii_case("bearer") {
        return Err(parse(
            "the token response's token_type is not Bearer".to_owned(),
        ));
    }
    let expires_in = match raw.expires_in {
        Some(s) if s.is_finite() && s >= 0.0 => s,
        Some(_) => {
            return Err(parse(
                "the token response's expires_in is not a number of seconds".to_owned(),
            ));
        }
        None => return Err(parse("the token response lacks expires_in".to_owned())),
    };
    // `as` saturates for floats; then the addition saturates too.
    let expires_at_ms = now_ms.saturating_add((expires_in * 1000.0) as u64);
    Ok(TokenSet {
        access_token: AccessToken::new(raw.access_token),
        token_type: raw.token_type,
        expires_at_ms,
        refresh_token: raw
            .refresh_token
            .filter(|t| !t.is_empty())
            .map(RefreshToken::new),
        scope: raw.scope.unwrap_or_default(),
        guild: raw.guild,
        webhook: raw.webhook,
        id_token: raw.id_token,
    })
}

/// A decoder message without its double-quoted parts: serde names fields in backticks but
/// quotes string *values* (`invalid type: string "…", expected f64`), which may be a token.
/// A quoted value is Rust-`Debug`-escaped, so a `"` inside it comes as `\"`: skip escapes,
/// or a value holding a quote would end the redaction early (found by `fuzz/token_response`).
fn without_quoted(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let (mut quoted, mut escaped) = (false, false);
    for c in msg.chars() {
        if !quoted {
            if c == '"' {
                quoted = true;
                out.push('…');
            } else {
                out.push(c);
            }
        } else if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '"' {
            quoted = false;
        }
    }
    out
}

/// Processes the answer to [`revoke`]: any 2xx is success (Discord answers 200 with an empty
/// object); errors as [`process_oauth_error`].
pub fn process_revoke_response<J: JsonCodec>(response: &HttpResponse) -> Result<(), Error> {
    if response.is_success() {
        Ok(())
    } else {
        Err(process_oauth_error::<J>(response))
    }
}

#[cfg(test)]
#[path = "token_tests.rs"]
mod tests;
