//! What the relying party sends, checked before anything is stored or redirected: the
//! authorization request (OpenID Connect Core §3.1.2.1, RFC 7636 PKCE), the token request
//! (RFC 6749 §4.1.3) and its client authentication (§2.3.1). Pure, natively tested.

use super::settings::{Oidc, OidcClient};
use crate::discord::state::constant_time_eq;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD as B64};
use sha2::{Digest, Sha256};
use std::fmt;

/// The error codes the OIDC routes answer with: RFC 6749 §4.1.2.1 and §5.2, OpenID Connect
/// Core §3.1.2.6, RFC 6750 §3.1; plus the Worker's own codes (docs/errors.md) for failures of
/// the store, of Discord or of the configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OAuthCode {
    /// A parameter is missing, repeated or malformed.
    InvalidRequest,
    /// The client is unknown or its secret is wrong (401).
    InvalidClient,
    /// The code is unknown, expired, used, or bound to something else.
    InvalidGrant,
    /// Not `authorization_code`.
    UnsupportedGrantType,
    /// Not `code`.
    UnsupportedResponseType,
    /// The scope lacks `openid`.
    InvalidScope,
    /// The user refused at Discord, or Discord did not grant what was needed.
    AccessDenied,
    /// `prompt=none` without a session that can answer.
    LoginRequired,
    /// The Bearer token of userinfo is missing, unknown or expired.
    InvalidToken,
    /// Something failed on our side.
    ServerError,
    /// One of the Worker's codes (docs/errors.md).
    Worker(&'static str),
}

impl OAuthCode {
    /// The code's string.
    pub fn as_str(self) -> &'static str {
        match self {
            OAuthCode::InvalidRequest => "invalid_request",
            OAuthCode::InvalidClient => "invalid_client",
            OAuthCode::InvalidGrant => "invalid_grant",
            OAuthCode::UnsupportedGrantType => "unsupported_grant_type",
            OAuthCode::UnsupportedResponseType => "unsupported_response_type",
            OAuthCode::InvalidScope => "invalid_scope",
            OAuthCode::AccessDenied => "access_denied",
            OAuthCode::LoginRequired => "login_required",
            OAuthCode::InvalidToken => "invalid_token",
            OAuthCode::ServerError => "server_error",
            OAuthCode::Worker(code) => code,
        }
    }
}

/// An OAuth error answer: status, code, and a description that never holds a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthError {
    /// HTTP status.
    pub status: u16,
    /// The code.
    pub code: OAuthCode,
    /// `error_description`.
    pub description: String,
}

impl OAuthError {
    /// An error with its status.
    pub fn new(status: u16, code: OAuthCode, description: impl Into<String>) -> OAuthError {
        OAuthError {
            status,
            code,
            description: description.into(),
        }
    }

    /// 400 `invalid_request`.
    pub fn request(description: impl Into<String>) -> OAuthError {
        OAuthError::new(400, OAuthCode::InvalidRequest, description)
    }

    /// 400 `invalid_grant`.
    pub fn grant(description: impl Into<String>) -> OAuthError {
        OAuthError::new(400, OAuthCode::InvalidGrant, description)
    }

    /// 401 `invalid_client`.
    pub fn client() -> OAuthError {
        OAuthError::new(
            401,
            OAuthCode::InvalidClient,
            "client authentication failed",
        )
    }
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.description)
    }
}

/// The longest `state` or `nonce` accepted, in bytes.
pub const MAX_OPAQUE: usize = 512;

/// A checked authorization request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthorizeRequest {
    /// The client.
    pub client_id: String,
    /// The registered redirect URI it named.
    pub redirect_uri: String,
    /// `state`, given back.
    pub state: Option<String>,
    /// `nonce`, put in the id_token.
    pub nonce: Option<String>,
    /// The S256 `code_challenge`.
    pub challenge: Option<String>,
    /// `email` asked for.
    pub email: bool,
    /// `guilds` asked for by a client allowed them.
    pub guilds: bool,
    /// `roles` asked for by a client with `role_guilds`.
    pub roles: bool,
    /// `prompt=none`.
    pub prompt_none: bool,
    /// `prompt=login` or `consent`: a fresh Discord login is wanted.
    pub prompt_login: bool,
    /// `max_age`, seconds.
    pub max_age: Option<u64>,
}

impl AuthorizeRequest {
    /// The Discord scopes the claims need: `identify` always, `email`, `guilds`, and
    /// `guilds.members.read` for the roles (read with the user's own grant, never the bot's).
    /// <https://discord.com/developers/docs/topics/oauth2#shared-resources-oauth2-scopes>
    pub fn discord_scopes(&self) -> Vec<&'static str> {
        let mut s = vec!["identify"];
        if self.email {
            s.push("email");
        }
        if self.guilds {
            s.push("guilds");
        }
        if self.roles {
            s.push("guilds.members.read");
        }
        s
    }
}

/// Why an authorization request is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthorizeError {
    /// Unknown client or a redirect URI it did not register: 400, never a redirect
    /// (RFC 6749 §4.1.2.1).
    NoRedirect(&'static str),
    /// Any other fault, sent back to the client's redirect URI.
    Redirect {
        /// Where to.
        redirect_uri: String,
        /// The request's `state`, given back.
        state: Option<String>,
        /// The error.
        code: OAuthCode,
        /// `error_description`.
        description: &'static str,
    },
}

/// The single value of a parameter; `Err` when it is repeated (RFC 6749 §3.1).
fn single<'a>(params: &'a [(String, String)], name: &str) -> Result<Option<&'a str>, ()> {
    let mut found = params.iter().filter(|(k, _)| k == name).map(|(_, v)| v);
    let first = found.next();
    if found.next().is_some() {
        return Err(());
    }
    Ok(first.map(String::as_str).filter(|v| !v.is_empty()))
}

fn opaque(v: &str) -> bool {
    v.len() <= MAX_OPAQUE && !v.chars().any(char::is_control)
}

/// Whether `v` is a PKCE value's shape: 43 to 128 unreserved characters (RFC 7636 §4.1).
pub fn pkce_shape(v: &str) -> bool {
    (43..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// Checks an authorization request's parameters against the registered clients.
pub fn authorize(
    oidc: &Oidc,
    params: &[(String, String)],
) -> Result<AuthorizeRequest, AuthorizeError> {
    let client_id =
        single(params, "client_id")
            .ok()
            .flatten()
            .ok_or(AuthorizeError::NoRedirect(
                "client_id is missing or repeated",
            ))?;
    let client = oidc
        .client(client_id)
        .ok_or(AuthorizeError::NoRedirect("unknown client_id"))?;
    let redirect_uri =
        single(params, "redirect_uri")
            .ok()
            .flatten()
            .ok_or(AuthorizeError::NoRedirect(
                "redirect_uri is missing or repeated",
            ))?;
    // Exact string comparison (OAuth 2.0 Security BCP §4.1.3): no prefix, no normalisation.
    if !client.redirect_uris.iter().any(|u| u == redirect_uri) {
        return Err(AuthorizeError::NoRedirect(
            "redirect_uri is not registered for this client",
        ));
    }
    let state = single(params, "state").ok().flatten().filter(|s| opaque(s));
    let fail = |code: OAuthCode, description: &'static str| AuthorizeError::Redirect {
        redirect_uri: redirect_uri.to_owned(),
        state: state.map(str::to_owned),
        code,
        description,
    };
    let names = [
        "response_type",
        "scope",
        "state",
        "nonce",
        "code_challenge",
        "code_challenge_method",
        "prompt",
        "max_age",
    ];
    if names.iter().any(|n| single(params, n).is_err()) {
        return Err(fail(OAuthCode::InvalidRequest, "a parameter is repeated"));
    }
    if single(params, "state")
        .ok()
        .flatten()
        .is_some_and(|s| !opaque(s))
    {
        return Err(fail(
            OAuthCode::InvalidRequest,
            "state is too long or has control characters",
        ));
    }
    if params
        .iter()
        .any(|(k, _)| k == "request" || k == "request_uri")
    {
        return Err(fail(
            OAuthCode::InvalidRequest,
            "request objects are not supported",
        ));
    }
    match single(params, "response_type").ok().flatten() {
        Some("code") => {}
        None => return Err(fail(OAuthCode::InvalidRequest, "response_type is missing")),
        Some(_) => {
            return Err(fail(
                OAuthCode::UnsupportedResponseType,
                "only response_type=code is supported",
            ));
        }
    }
    let scope = single(params, "scope").ok().flatten().unwrap_or("");
    let scopes: Vec<&str> = scope.split(' ').filter(|s| !s.is_empty()).collect();
    if !scopes.contains(&"openid") {
        return Err(fail(OAuthCode::InvalidScope, "scope must contain openid"));
    }
    let nonce = single(params, "nonce").ok().flatten();
    if nonce.is_some_and(|n| !opaque(n)) {
        return Err(fail(
            OAuthCode::InvalidRequest,
            "nonce is too long or has control characters",
        ));
    }
    let challenge = single(params, "code_challenge").ok().flatten();
    let method = single(params, "code_challenge_method").ok().flatten();
    let challenge = match (challenge, method) {
        (None, None) => None,
        (Some(c), Some("S256")) if c.len() == 43 && pkce_shape(c) => Some(c.to_owned()),
        (Some(_), Some("S256")) => {
            return Err(fail(
                OAuthCode::InvalidRequest,
                "code_challenge must be a base64url SHA-256 (43 characters)",
            ));
        }
        // RFC 7636 §4.3 defaults a missing method to `plain`; `plain` is refused (OAuth 2.0
        // Security BCP §2.1.1: it protects nothing once the request is seen).
        (Some(_), None) | (Some(_), Some("plain")) => {
            return Err(fail(
                OAuthCode::InvalidRequest,
                "PKCE must use code_challenge_method=S256 (plain is refused)",
            ));
        }
        (Some(_), Some(_)) => {
            return Err(fail(
                OAuthCode::InvalidRequest,
                "code_challenge_method must be S256",
            ));
        }
        (None, Some(_)) => {
            return Err(fail(
                OAuthCode::InvalidRequest,
                "code_challenge_method without code_challenge",
            ));
        }
    };
    let prompt = single(params, "prompt").ok().flatten().unwrap_or("");
    let prompts: Vec<&str> = prompt.split(' ').filter(|s| !s.is_empty()).collect();
    let prompt_none = prompts.contains(&"none");
    if prompt_none && prompts.len() > 1 {
        return Err(fail(
            OAuthCode::InvalidRequest,
            "prompt=none cannot be combined with another prompt",
        ));
    }
    let max_age = match single(params, "max_age").ok().flatten() {
        None => None,
        Some(v) => Some(v.parse::<u64>().map_err(|_| {
            fail(
                OAuthCode::InvalidRequest,
                "max_age must be a number of seconds",
            )
        })?),
    };
    Ok(AuthorizeRequest {
        client_id: client.client_id.clone(),
        redirect_uri: redirect_uri.to_owned(),
        state: state.map(str::to_owned),
        nonce: nonce.map(str::to_owned),
        challenge,
        email: scopes.contains(&"email"),
        guilds: scopes.contains(&"guilds") && client.guilds,
        roles: scopes.contains(&"roles") && !client.role_guilds.is_empty(),
        prompt_none,
        prompt_login: prompts.contains(&"login") || prompts.contains(&"consent"),
        max_age,
    })
}

/// The form of a token request.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TokenForm {
    /// `grant_type`.
    pub grant_type: Option<String>,
    /// `code`.
    pub code: Option<String>,
    /// `redirect_uri`.
    pub redirect_uri: Option<String>,
    /// `code_verifier`.
    pub code_verifier: Option<String>,
    /// `client_id` (client_secret_post, or public identification).
    pub client_id: Option<String>,
    /// `client_secret` (client_secret_post).
    pub client_secret: Option<String>,
}

impl fmt::Debug for TokenForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenForm")
            .field("grant_type", &self.grant_type)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// Parses a token request body (`application/x-www-form-urlencoded`); a repeated parameter is
/// `invalid_request` (RFC 6749 §3.2).
pub fn token_form(body: &[u8]) -> Result<TokenForm, OAuthError> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    let get = |name: &str| {
        single(&pairs, name)
            .map(|v| v.map(str::to_owned))
            .map_err(|_| OAuthError::request(format!("{name} is repeated")))
    };
    Ok(TokenForm {
        grant_type: get("grant_type")?,
        code: get("code")?,
        redirect_uri: get("redirect_uri")?,
        code_verifier: get("code_verifier")?,
        client_id: get("client_id")?,
        client_secret: get("client_secret")?,
    })
}

/// The credentials a client presented.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The client id.
    pub id: String,
    /// The secret.
    pub secret: String,
    /// Whether they came in `Authorization: Basic` (the 401 then carries a Basic challenge).
    pub basic: bool,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("id", &self.id)
            .field("basic", &self.basic)
            .finish_non_exhaustive()
    }
}

fn form_decode(v: &str) -> String {
    form_urlencoded::parse(["x=", v].concat().as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// The client's credentials: `Authorization: Basic` (each half form-urlencoded, RFC 6749
/// §2.3.1) or `client_id` and `client_secret` in the form; both at once is
/// `invalid_request`, neither (or a malformed header) is `invalid_client`.
pub fn credentials(
    authorization: Option<&str>,
    form: &TokenForm,
) -> Result<Credentials, OAuthError> {
    let in_form = form.client_secret.is_some();
    match authorization.map(str::trim).filter(|a| !a.is_empty()) {
        Some(header) => {
            if in_form {
                return Err(OAuthError::request(
                    "use one client authentication method, not two",
                ));
            }
            let (scheme, value) = header.split_once(' ').ok_or_else(OAuthError::client)?;
            if !scheme.eq_ignore_ascii_case("basic") {
                return Err(OAuthError::client());
            }
            let raw = STANDARD
                .decode(value.trim())
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(OAuthError::client)?;
            let (id, secret) = raw.split_once(':').ok_or_else(OAuthError::client)?;
            let id = form_decode(id);
            if form.client_id.as_deref().is_some_and(|f| f != id) {
                return Err(OAuthError::request("client_id differs from the Basic one"));
            }
            Ok(Credentials {
                id,
                secret: form_decode(secret),
                basic: true,
            })
        }
        None => match (&form.client_id, &form.client_secret) {
            (Some(id), Some(secret)) => Ok(Credentials {
                id: id.clone(),
                secret: secret.clone(),
                basic: false,
            }),
            _ => Err(OAuthError::client()),
        },
    }
}

/// The client the credentials authenticate. The secrets are compared as SHA-256 digests in
/// constant time (equal lengths whatever was sent); an unknown client costs the same
/// comparison.
pub fn authenticate<'a>(oidc: &'a Oidc, creds: &Credentials) -> Option<&'a OidcClient> {
    let sent = Sha256::digest(creds.secret.as_bytes());
    let client = oidc.client(&creds.id);
    let expected = Sha256::digest(
        client
            .map(|c| c.client_secret.secret())
            .unwrap_or("no such client: compared anyway")
            .as_bytes(),
    );
    let same = constant_time_eq(&sent, &expected);
    client.filter(|_| same)
}

/// The S256 challenge of a verifier: base64url SHA-256 (RFC 7636 §4.2).
pub fn s256(verifier: &str) -> String {
    B64.encode(Sha256::digest(verifier.as_bytes()))
}

/// Checks the `code_verifier` against the challenge the code was bound to; a verifier sent
/// for a code bound to none is refused too (a PKCE downgrade, OAuth 2.0 Security BCP §2.1.1).
pub fn check_verifier(challenge: Option<&str>, verifier: Option<&str>) -> Result<(), OAuthError> {
    match (challenge, verifier) {
        (None, None) => Ok(()),
        (Some(_), None) => Err(OAuthError::grant("code_verifier is missing")),
        (None, Some(_)) => Err(OAuthError::grant(
            "code_verifier sent for a code issued without code_challenge",
        )),
        (Some(c), Some(v)) => {
            if pkce_shape(v) && constant_time_eq(s256(v).as_bytes(), c.as_bytes()) {
                Ok(())
            } else {
                Err(OAuthError::grant("code_verifier does not match"))
            }
        }
    }
}
