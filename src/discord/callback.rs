//! The redirect back from Discord: parse its parameters, then validate `state`.
//!
//! Authorization code grant: the query carries `code` and `state`, plus `guild_id` and
//! `permissions` after an advanced bot authorization
//! (<https://discord.com/developers/docs/topics/oauth2#advanced-bot-authorization>).
//! Implicit grant: the **fragment** carries `access_token`, `token_type`, `expires_in`,
//! `scope` and `state` (<https://discord.com/developers/docs/topics/oauth2#implicit-grant>).
//! Errors (RFC 6749 §4.1.2.1, §4.2.2.1) come as `error` and `error_description` in the
//! same place, with `state` echoed.
//!
//! Parsing is strict, because the values decide who gets logged in: a repeated OAuth2
//! parameter is an error (never pick one silently), so is an empty or oversized value, a
//! response in both the query and the fragment, or a code next to an error. A URL without any
//! OAuth2 response parameter is `Ok(None)`, so the browser's `handleRedirect` can answer `null`
//! on an ordinary page load. Unknown parameters (the app's own) are ignored.
//!
//! [`Callback::validate`] is the only way to a [`ValidatedCallback`], the only thing the code
//! exchange accepts: an unvalidated code cannot be exchanged by mistake.

use std::fmt;

use crate::discord::error::{Error, ErrorCode, InputError};
use crate::discord::secret::{AccessToken, AuthorizationCode};
use crate::discord::state::State;
use crate::discord::token::TokenSet;

/// The longest value accepted for one parameter, in bytes after percent-decoding. Discord's
/// codes, tokens and states are far shorter; the cap bounds what an attacker-crafted URL can
/// make the client store or compare.
pub const MAX_PARAM_LEN: usize = 2048;
/// The longest redirect URL accepted (browsers cap URLs around this size anyway).
pub const MAX_URL_LEN: usize = 64 * 1024;

/// What is wrong with a redirect URL. Each names the parameter where it applies.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CallbackError {
    /// An OAuth2 parameter appears more than once.
    #[error("the redirect repeats the `{0}` parameter")]
    Repeated(&'static str),
    /// An OAuth2 parameter is present but empty.
    #[error("the redirect's `{0}` parameter is empty")]
    Empty(&'static str),
    /// An OAuth2 parameter is longer than [`MAX_PARAM_LEN`].
    #[error("the redirect's `{0}` parameter is longer than 2048 bytes")]
    TooLong(&'static str),
    /// A required parameter is missing (e.g. `token_type` next to `access_token`).
    #[error("the redirect lacks the `{0}` parameter")]
    Missing(&'static str),
    /// A parameter does not have the expected form.
    #[error("the redirect's `{field}` parameter is not {expected}")]
    Malformed {
        /// The parameter.
        field: &'static str,
        /// What it should be.
        expected: &'static str,
    },
    /// OAuth2 response parameters in both the query and the fragment.
    #[error("the redirect carries OAuth2 parameters in both the query and the fragment")]
    Ambiguous,
    /// Both a result (`code` or `access_token`) and an `error`, or both a code and a token.
    #[error("the redirect carries conflicting `{0}` and `{1}` parameters")]
    Conflicting(&'static str, &'static str),
    /// The URL is longer than [`MAX_URL_LEN`].
    #[error("the redirect URL is longer than 65536 bytes")]
    UrlTooLong,
}

impl CallbackError {
    /// The parameter concerned, when there is one.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            CallbackError::Repeated(f)
            | CallbackError::Empty(f)
            | CallbackError::TooLong(f)
            | CallbackError::Missing(f)
            | CallbackError::Malformed { field: f, .. } => Some(f),
            _ => None,
        }
    }

    /// The stable code: `invalid_state` when the `state` parameter is at fault (the browser
    /// and the Worker answer those like a mismatch), else `invalid_request`.
    pub fn code(&self) -> ErrorCode {
        if self.field() == Some("state") {
            ErrorCode::InvalidState
        } else {
            ErrorCode::InvalidRequest
        }
    }
}

impl From<CallbackError> for Error {
    fn from(e: CallbackError) -> Self {
        Error::Input(InputError::Callback(e))
    }
}

/// Parameters Discord may put in the query (code grant) and in the fragment (implicit grant).
const QUERY_KEYS: &[&str] = &[
    "code",
    "state",
    "error",
    "error_description",
    "error_uri",
    "guild_id",
    "permissions",
    "iss",
];
const FRAGMENT_KEYS: &[&str] = &[
    "access_token",
    "token_type",
    "expires_in",
    "scope",
    "state",
    "error",
    "error_description",
    "error_uri",
];

/// The known parameters of one URL component, each at most once.
struct Params(Vec<(&'static str, String)>);

impl Params {
    fn parse(component: Option<&str>, keys: &[&'static str]) -> Result<Params, CallbackError> {
        let mut found: Vec<(&'static str, String)> = Vec::new();
        let Some(component) = component else {
            return Ok(Params(found));
        };
        for (name, value) in form_urlencoded::parse(component.as_bytes()) {
            let Some(key) = keys.iter().copied().find(|k| *k == name) else {
                continue;
            };
            if found.iter().any(|(k, _)| *k == key) {
                return Err(CallbackError::Repeated(key));
            }
            if value.is_empty() {
                return Err(CallbackError::Empty(key));
            }
            if value.len() > MAX_PARAM_LEN {
                return Err(CallbackError::TooLong(key));
            }
            found.push((key, value.into_owned()));
        }
        Ok(Params(found))
    }

    fn has(&self, key: &str) -> bool {
        self.0.iter().any(|(k, _)| *k == key)
    }

    fn take(&mut self, key: &str) -> Option<String> {
        let i = self.0.iter().position(|(k, _)| *k == key)?;
        Some(self.0.swap_remove(i).1)
    }

    fn is_response(&self) -> bool {
        self.has("code") || self.has("access_token") || self.has("error")
    }
}

/// What the redirect says happened, before `state` is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallbackKind {
    /// An authorization code in the query.
    Code,
    /// An implicit-grant access token in the fragment.
    Implicit,
    /// An `error` (in the query or the fragment).
    Error,
}

enum Response {
    Code {
        code: AuthorizationCode,
        guild_id: Option<String>,
        permissions: Option<u64>,
    },
    Implicit(ImplicitGrant),
    Error {
        error: String,
        description: Option<String>,
    },
}

/// A parsed, not yet trusted, redirect. Call [`Callback::validate`] with the state this
/// client stored before redirecting.
pub struct Callback {
    response: Response,
    state: Option<String>,
    issuer: Option<String>,
}

impl Callback {
    /// Parses a redirect: an absolute URL (`location.href`), or only its `?query`, its
    /// `#fragment`, or both (`location.search + location.hash`). `Ok(None)`: there is no
    /// `code`, `access_token` or `error` in it, so it is not a redirect from Discord.
    pub fn parse(url: &str) -> Result<Option<Callback>, CallbackError> {
        if url.len() > MAX_URL_LEN {
            return Err(CallbackError::UrlTooLong);
        }
        let (before_fragment, fragment) = match url.split_once('#') {
            Some((b, f)) => (b, Some(f)),
            None => (url, None),
        };
        let query = before_fragment.split_once('?').map(|(_, q)| q);
        let query = Params::parse(query, QUERY_KEYS)?;
        let fragment = Params::parse(fragment, FRAGMENT_KEYS)?;
        let (mut p, in_query) = match (query.is_response(), fragment.is_response()) {
            (true, true) => return Err(CallbackError::Ambiguous),
            (true, false) => (query, true),
            (false, true) => (fragment, false),
            (false, false) => return Ok(None),
        };
        let state = p.take("state");
        // RFC 9207: Discord adds `iss` to the authorization response (query only).
        let issuer = if in_query { p.take("iss") } else { None };
        if let Some(error) = p.take("error") {
            for other in ["code", "access_token"] {
                if p.has(other) {
                    return Err(CallbackError::Conflicting("error", other));
                }
            }
            let description = p.take("error_description");
            return Ok(Some(Callback {
                response: Response::Error { error, description },
                state,
                issuer,
            }));
        }
        let response = if in_query {
            let code = p.take("code").ok_or(CallbackError::Missing("code"))?;
            let guild_id = p.take("guild_id");
            if let Some(g) = &guild_id
                && !is_snowflake(g)
            {
                return Err(malformed("guild_id", "a snowflake id"));
            }
            let permissions = match p.take("permissions") {
                Some(v) if v.bytes().all(|b| b.is_ascii_digit()) => Some(
                    v.parse::<u64>()
                        .map_err(|_| malformed("permissions", "a 64-bit permission integer"))?,
                ),
                Some(_) => return Err(malformed("permissions", "a decimal permission integer")),
                None => None,
            };
            Response::Code {
                code: AuthorizationCode::new(code),
                guild_id,
                permissions,
            }
        } else {
            let access_token = p
                .take("access_token")
                .ok_or(CallbackError::Missing("access_token"))?;
            let token_type = p
                .take("token_type")
                .ok_or(CallbackError::Missing("token_type"))?;
            if !token_type.eq_ignore_ascii_case("bearer") {
                return Err(malformed("token_type", "`Bearer`"));
            }
            let expires_in = p
                .take("expires_in")
                .ok_or(CallbackError::Missing("expires_in"))?;
            let expires_in = expires_in
                .parse::<u64>()
                .map_err(|_| malformed("expires_in", "a number of seconds"))?;
            Response::Implicit(ImplicitGrant {
                access_token: AccessToken::new(access_token),
                token_type,
                expires_in,
                // Discord always sends `scope`; RFC 6749 allows leaving it out when it equals
                // the request, so a missing one is kept as empty rather than refused.
                scope: p.take("scope").unwrap_or_default(),
            })
        };
        Ok(Some(Callback {
            response,
            state,
            issuer,
        }))
    }

    /// What kind of answer this is.
    pub fn kind(&self) -> CallbackKind {
        match self.response {
            Response::Code { .. } => CallbackKind::Code,
            Response::Implicit(_) => CallbackKind::Implicit,
            Response::Error { .. } => CallbackKind::Error,
        }
    }

    /// The `state` the redirect carried (untrusted until [`validate`](Self::validate)).
    pub fn state(&self) -> Option<&str> {
        self.state.as_deref()
    }

    /// The `iss` the redirect carried (RFC 9207; untrusted until validated).
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// The `error` and `error_description`, for an error redirect (untrusted until validated).
    pub fn error(&self) -> Option<(&str, Option<&str>)> {
        match &self.response {
            Response::Error { error, description } => Some((error, description.as_deref())),
            _ => None,
        }
    }

    /// Checks the redirect's `state` against the one stored before redirecting, in constant
    /// time, **before anything else**, also for an error redirect: Discord echoes `state` on
    /// errors, and an unchecked error redirect would let another site end a login or show a
    /// forged message (RFC 6749 §10.12). So a missing or different state is always
    /// [`Error::InvalidState`]; then `error=access_denied` is [`Error::AccessDenied`] and any
    /// other `error` is [`Error::OAuth`] with status 0; otherwise the code or token is
    /// released as a [`ValidatedCallback`].
    ///
    /// `issuer` is the expected issuer ([`crate::discord::oidc::expected_issuer`]): an `iss`
    /// parameter (RFC 9207), when the redirect carries one, must equal it, or the redirect is
    /// refused like a state mismatch ([`Error::InvalidState`]: a mix-up attack, where another
    /// server's answer is replayed to this client). Its absence is accepted (Discord only
    /// started sending it with OpenID Connect).
    pub fn validate(self, expected: &State, issuer: &str) -> Result<ValidatedCallback, Error> {
        match &self.state {
            Some(received) if expected.matches(received) => {}
            _ => return Err(Error::InvalidState),
        }
        if let Some(iss) = &self.issuer
            && !crate::discord::state::constant_time_eq(iss.as_bytes(), issuer.as_bytes())
        {
            return Err(Error::InvalidState);
        }
        match self.response {
            Response::Error { error, description } if error == "access_denied" => {
                Err(Error::AccessDenied { description })
            }
            Response::Error { error, description } => Err(Error::OAuth {
                status: 0,
                error,
                description,
            }),
            Response::Code {
                code,
                guild_id,
                permissions,
            } => Ok(ValidatedCallback {
                grant: Grant::Code {
                    code,
                    guild_id,
                    permissions,
                },
            }),
            Response::Implicit(token) => Ok(ValidatedCallback {
                grant: Grant::Implicit(token),
            }),
        }
    }
}

impl fmt::Debug for Callback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Callback")
            .field("kind", &self.kind())
            .field("has_state", &self.state.is_some())
            .field("issuer", &self.issuer)
            .field("error", &self.error())
            .finish()
    }
}

fn malformed(field: &'static str, expected: &'static str) -> CallbackError {
    CallbackError::Malformed { field, expected }
}

/// A Discord id: 1–20 ASCII digits.
pub(crate) fn is_snowflake(s: &str) -> bool {
    !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The access token of an implicit-grant redirect. No refresh token ever comes this way.
pub struct ImplicitGrant {
    access_token: AccessToken,
    token_type: String,
    expires_in: u64,
    scope: String,
}

impl ImplicitGrant {
    /// The access token.
    pub fn access_token(&self) -> &AccessToken {
        &self.access_token
    }
    /// `Bearer`.
    pub fn token_type(&self) -> &str {
        &self.token_type
    }
    /// Seconds until the token expires, counted from the redirect.
    pub fn expires_in(&self) -> u64 {
        self.expires_in
    }
    /// The granted scopes, space-separated, as Discord sent them.
    pub fn scope(&self) -> &str {
        &self.scope
    }

    /// The token as a [`TokenSet`]; `now_ms` is when the redirect arrived.
    pub fn into_token_set(self, now_ms: u64) -> TokenSet {
        TokenSet {
            access_token: self.access_token,
            token_type: self.token_type,
            expires_at_ms: now_ms.saturating_add(self.expires_in.saturating_mul(1000)),
            refresh_token: None,
            scope: self.scope,
            guild: None,
            webhook: None,
            id_token: None,
        }
    }
}

impl fmt::Debug for ImplicitGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImplicitGrant")
            .field("access_token", &self.access_token)
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .finish()
    }
}

enum Grant {
    Code {
        code: AuthorizationCode,
        guild_id: Option<String>,
        permissions: Option<u64>,
    },
    Implicit(ImplicitGrant),
}

/// A redirect whose `state` matched and that carries no error: a code to exchange, or an
/// implicit-grant token. Only [`Callback::validate`] builds one.
pub struct ValidatedCallback {
    grant: Grant,
}

impl ValidatedCallback {
    /// The authorization code (code grant), for [`crate::discord::token::exchange_code`].
    pub fn code(&self) -> Option<&AuthorizationCode> {
        match &self.grant {
            Grant::Code { code, .. } => Some(code),
            Grant::Implicit(_) => None,
        }
    }

    /// The guild the bot was added to (advanced bot authorization). Discord says to treat it
    /// only as a hint; the token response's `guild` is authoritative.
    pub fn guild_id(&self) -> Option<&str> {
        match &self.grant {
            Grant::Code { guild_id, .. } => guild_id.as_deref(),
            Grant::Implicit(_) => None,
        }
    }

    /// The permissions granted to the bot (advanced bot authorization).
    pub fn permissions(&self) -> Option<u64> {
        match &self.grant {
            Grant::Code { permissions, .. } => *permissions,
            Grant::Implicit(_) => None,
        }
    }

    /// The implicit-grant token, if this was an implicit grant.
    pub fn implicit(&self) -> Option<&ImplicitGrant> {
        match &self.grant {
            Grant::Implicit(t) => Some(t),
            Grant::Code { .. } => None,
        }
    }

    /// The implicit-grant token as a [`TokenSet`] (`now_ms`: when the redirect arrived);
    /// `None` for a code grant, which needs the exchange first.
    pub fn into_token_set(self, now_ms: u64) -> Option<TokenSet> {
        match self.grant {
            Grant::Implicit(t) => Some(t.into_token_set(now_ms)),
            Grant::Code { .. } => None,
        }
    }
}

impl fmt::Debug for ValidatedCallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.grant {
            Grant::Code {
                code,
                guild_id,
                permissions,
            } => f
                .debug_struct("ValidatedCallback::Code")
                .field("code", code)
                .field("guild_id", guild_id)
                .field("permissions", permissions)
                .finish(),
            Grant::Implicit(t) => f
                .debug_tuple("ValidatedCallback::Implicit")
                .field(t)
                .finish(),
        }
    }
}

#[cfg(test)]
#[path = "callback_tests.rs"]
mod tests;
