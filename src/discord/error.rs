//! Errors with stable string codes (docs/contract.md §3), shared by the browser and the Worker.
//!
//! Nothing here prints a token or a secret: raw bodies are kept in [`RawBody`], whose
//! `Debug` and `Display` show only the length.

use std::fmt;

/// The stable codes every failure maps to; the JS `DiscordOAuthError.code`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The user (or Discord) refused at the consent screen.
    AccessDenied,
    /// The `state` came back missing, expired or different.
    InvalidState,
    /// Discord found the request malformed (OAuth2 `invalid_request`, API 400).
    InvalidRequest,
    /// The code, verifier or refresh token was refused (OAuth2 `invalid_grant`).
    InvalidGrant,
    /// A scope was refused or unknown.
    InvalidScope,
    /// The token is missing, expired or revoked (HTTP 401).
    Unauthorized,
    /// The token lacks access (HTTP 403).
    Forbidden,
    /// Discord does not know the resource (HTTP 404).
    NotFound,
    /// HTTP 429, or a bucket known to be empty before sending.
    RateLimited,
    /// Discord answered 5xx or something it does not document.
    ServerError,
    /// The request did not reach Discord or its answer did not come back.
    NetworkError,
    /// The library is configured wrongly (client id, redirect URI, secret, ...).
    ConfigError,
    /// The browser storage refused to read or write.
    StorageError,
}

impl ErrorCode {
    /// The code as a string, as JS and the Worker's JSON bodies carry it.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::AccessDenied => "access_denied",
            ErrorCode::InvalidState => "invalid_state",
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::InvalidGrant => "invalid_grant",
            ErrorCode::InvalidScope => "invalid_scope",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::ServerError => "server_error",
            ErrorCode::NetworkError => "network_error",
            ErrorCode::ConfigError => "config_error",
            ErrorCode::StorageError => "storage_error",
        }
    }
}

impl ErrorCode {
    /// Every code, in the order `docs/errors.md` lists them.
    pub const ALL: [ErrorCode; 13] = [
        ErrorCode::AccessDenied,
        ErrorCode::InvalidState,
        ErrorCode::InvalidRequest,
        ErrorCode::InvalidGrant,
        ErrorCode::InvalidScope,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::RateLimited,
        ErrorCode::ServerError,
        ErrorCode::NetworkError,
        ErrorCode::ConfigError,
        ErrorCode::StorageError,
    ];
}

/// The codes only the Worker answers with, beside every [`ErrorCode`] (`docs/errors.md`): the
/// one list of the Worker's JSON `error` values that do not come from Discord or the core.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WorkerCode {
    /// Discord answered 5xx, could not be reached, or did not answer in time (502 / 504).
    DiscordUnavailable,
    /// The session store (KV) failed (503).
    StorageUnavailable,
    /// The session lacks a scope the route needs (403).
    MissingScope,
    /// The guild is not in `JOIN_GUILD_ALLOWLIST` (403).
    GuildNotAllowed,
    /// `return_to` is not a same-origin path (400).
    InvalidReturnTo,
    /// The route does not take that method (405).
    MethodNotAllowed,
    /// The request body is over the route's limit (413).
    PayloadTooLarge,
    /// The static assets binding failed (502).
    AssetsUnavailable,
    /// A bug: never expected (500).
    InternalError,
    /// A Webhook Event whose Ed25519 signature or timestamp does not check out (401).
    InvalidSignature,
    /// A host Worker's `on_login` hook refused the login; nothing was stored (500).
    LoginAborted,
    /// Discord refused the role connection or metadata records a host Worker's Linked Roles
    /// set-up computed (its 50035 Invalid Form Body; 502).
    RoleConnectionRefused,
}

impl WorkerCode {
    /// Every Worker-only code.
    pub const ALL: [WorkerCode; 12] = [
        WorkerCode::DiscordUnavailable,
        WorkerCode::StorageUnavailable,
        WorkerCode::MissingScope,
        WorkerCode::GuildNotAllowed,
        WorkerCode::InvalidReturnTo,
        WorkerCode::MethodNotAllowed,
        WorkerCode::PayloadTooLarge,
        WorkerCode::AssetsUnavailable,
        WorkerCode::InternalError,
        WorkerCode::InvalidSignature,
        WorkerCode::LoginAborted,
        WorkerCode::RoleConnectionRefused,
    ];

    /// The code as the Worker's JSON `error` carries it.
    pub const fn as_str(self) -> &'static str {
        match self {
            WorkerCode::DiscordUnavailable => "discord_unavailable",
            WorkerCode::StorageUnavailable => "storage_unavailable",
            WorkerCode::MissingScope => "missing_scope",
            WorkerCode::GuildNotAllowed => "guild_not_allowed",
            WorkerCode::InvalidReturnTo => "invalid_return_to",
            WorkerCode::MethodNotAllowed => "method_not_allowed",
            WorkerCode::PayloadTooLarge => "payload_too_large",
            WorkerCode::AssetsUnavailable => "assets_unavailable",
            WorkerCode::InternalError => "internal_error",
            WorkerCode::InvalidSignature => "invalid_signature",
            WorkerCode::LoginAborted => "login_aborted",
            WorkerCode::RoleConnectionRefused => "role_connection_refused",
        }
    }
}

/// Whether `code` is in the one vocabulary: an [`ErrorCode`] or a [`WorkerCode`].
pub fn is_known_code(code: &str) -> bool {
    ErrorCode::ALL.iter().any(|c| c.as_str() == code)
        || WorkerCode::ALL.iter().any(|c| c.as_str() == code)
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A response body kept for diagnosis. It may hold a token (a token response that failed to
/// parse), so `Debug` and `Display` print its length only; read it with [`RawBody::expose`].
#[derive(Clone, PartialEq, Eq, Default)]
pub struct RawBody(String);

impl RawBody {
    /// Wraps a body.
    pub fn new(body: impl Into<String>) -> Self {
        RawBody(body.into())
    }
    /// The body itself. Do not log it: it may contain a token.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for RawBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawBody([{} bytes])", self.0.len())
    }
}

impl fmt::Display for RawBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{} bytes]", self.0.len())
    }
}

/// A 429 as Discord describes it (headers `Retry-After`, `X-RateLimit-*`, and the JSON body),
/// or a bucket the limiter knows to be empty before sending.
/// <https://discord.com/developers/docs/topics/rate-limits#exceeding-a-rate-limit>
#[derive(Clone, Debug, PartialEq)]
pub struct RateLimited {
    /// Seconds to wait (the body's float `retry_after`, else the `Retry-After` header).
    pub retry_after: f64,
    /// Whether this is the global limit (`X-RateLimit-Global` / body `global`).
    pub global: bool,
    /// `X-RateLimit-Scope`: `user`, `global` or `shared`.
    pub scope: Option<String>,
    /// `X-RateLimit-Bucket`.
    pub bucket: Option<String>,
    /// Discord's message, e.g. "You are being rate limited.".
    pub message: Option<String>,
    /// Discord's JSON body of the 429, kept whole (`None` when the limit was known before
    /// sending, or the answer had no body).
    pub body: Option<RawBody>,
}

/// Bad input to a core function, found before anything is sent.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// Scope names Discord does not document.
    #[error("unknown scopes: {}", .0.join(", "))]
    UnknownScopes(Vec<String>),
    /// A value outside what Discord accepts; `field` names it, `reason` says why.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The parameter or field.
        field: &'static str,
        /// What is wrong with it (never the value itself when it is secret).
        reason: String,
    },
    /// A malformed redirect back from Discord (repeated, empty or oversized parameters...).
    #[error(transparent)]
    Callback(#[from] crate::discord::callback::CallbackError),
}

/// Every failure of a Discord call, with a stable [`ErrorCode`].
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The redirect carried `error=access_denied`.
    #[error("authorization was denied{}", fmt_desc(.description))]
    AccessDenied {
        /// Discord's `error_description`.
        description: Option<String>,
    },
    /// The redirect's `state` is missing or is not the one this client sent.
    #[error("the OAuth2 state is missing, expired or does not match")]
    InvalidState,
    /// An OAuth2 error (RFC 6749 §5.2) from the token endpoint or on the redirect.
    #[error("OAuth2 error `{error}` (HTTP {status}){}", fmt_desc(.description))]
    OAuth {
        /// HTTP status (0 when it came on a redirect).
        status: u16,
        /// The `error` field, e.g. `invalid_grant`.
        error: String,
        /// The `error_description` field.
        description: Option<String>,
    },
    /// A JSON error from the Discord API: `{"code": 50001, "message": "Missing Access"}`.
    /// <https://discord.com/developers/docs/reference#error-messages>
    #[error("Discord API error (HTTP {status}, code {code}): {message}")]
    Api {
        /// HTTP status.
        status: u16,
        /// Discord's JSON error code (0 for a general error).
        code: u64,
        /// Discord's message.
        message: String,
        /// The `errors` object of a 50035 Invalid Form Body, as raw JSON.
        errors: Option<RawBody>,
    },
    /// HTTP 429, or a bucket known to be exhausted.
    #[error("rate limited: retry after {:.3} s{}", .0.retry_after, if .0.global { " (global)" } else { "" })]
    RateLimited(RateLimited),
    /// A response Discord's documentation does not describe; the raw body is kept.
    #[error("unexpected response from Discord (HTTP {status}): {reason}")]
    Parse {
        /// HTTP status.
        status: u16,
        /// What did not parse.
        reason: String,
        /// The body as received.
        body: RawBody,
    },
    /// `fetch` failed: offline, DNS, CORS, aborted.
    #[error("network error: {0}")]
    Network(String),
    /// Discord did not answer within the caller's upstream timeout.
    #[error("Discord did not answer in time")]
    Timeout,
    /// The client is configured wrongly.
    #[error("configuration error: {0}")]
    Config(String),
    /// Browser storage failed.
    #[error("storage error: {0}")]
    Storage(String),
    /// Bad input, found before sending.
    #[error(transparent)]
    Input(#[from] InputError),
    /// Discord's OpenID Connect id_token was refused (`invalid_grant`; docs/oidc.md).
    #[error(transparent)]
    IdToken(crate::discord::oidc::IdTokenError),
}

fn fmt_desc(d: &Option<String>) -> String {
    d.as_ref().map(|d| format!(": {d}")).unwrap_or_default()
}

impl Error {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::AccessDenied { .. } => ErrorCode::AccessDenied,
            Error::InvalidState => ErrorCode::InvalidState,
            Error::OAuth { error, status, .. } => match error.as_str() {
                "access_denied" => ErrorCode::AccessDenied,
                "invalid_grant" => ErrorCode::InvalidGrant,
                "invalid_scope" => ErrorCode::InvalidScope,
                // Wrong client id or secret is the integrator's configuration, not the user's.
                "invalid_client" | "unauthorized_client" => ErrorCode::ConfigError,
                "temporarily_unavailable" | "server_error" => ErrorCode::ServerError,
                _ if *status >= 500 => ErrorCode::ServerError,
                _ => ErrorCode::InvalidRequest,
            },
            Error::Api { status, .. } => match *status {
                401 => ErrorCode::Unauthorized,
                403 => ErrorCode::Forbidden,
                404 => ErrorCode::NotFound,
                429 => ErrorCode::RateLimited,
                s if s >= 500 => ErrorCode::ServerError,
                _ => ErrorCode::InvalidRequest,
            },
            Error::RateLimited(_) => ErrorCode::RateLimited,
            Error::Parse { status, .. } => match *status {
                401 => ErrorCode::Unauthorized,
                403 => ErrorCode::Forbidden,
                404 => ErrorCode::NotFound,
                _ => ErrorCode::ServerError,
            },
            Error::Network(_) | Error::Timeout => ErrorCode::NetworkError,
            Error::Config(_) => ErrorCode::ConfigError,
            Error::Storage(_) => ErrorCode::StorageError,
            Error::Input(InputError::UnknownScopes(_)) => ErrorCode::InvalidScope,
            Error::Input(InputError::Callback(e)) => e.code(),
            Error::Input(_) => ErrorCode::ConfigError,
            Error::IdToken(_) => ErrorCode::InvalidGrant,
        }
    }

    /// The HTTP status Discord answered, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::OAuth { status, .. } if *status != 0 => Some(*status),
            Error::Api { status, .. } | Error::Parse { status, .. } => Some(*status),
            Error::RateLimited(_) => Some(429),
            _ => None,
        }
    }

    /// Seconds to wait before trying again, for a rate limit.
    pub fn retry_after(&self) -> Option<f64> {
        match self {
            Error::RateLimited(r) => Some(r.retry_after),
            _ => None,
        }
    }

    /// Whether a rate limit is Discord's global one.
    pub fn global(&self) -> Option<bool> {
        match self {
            Error::RateLimited(r) => Some(r.global),
            _ => None,
        }
    }

    /// Discord's JSON error code, for API errors.
    pub fn discord_code(&self) -> Option<u64> {
        match self {
            Error::Api { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// Discord's human description: `error_description` or the API `message`.
    pub fn description(&self) -> Option<&str> {
        match self {
            Error::AccessDenied { description } | Error::OAuth { description, .. } => {
                description.as_deref()
            }
            Error::Api { message, .. } => Some(message),
            Error::RateLimited(r) => r.message.as_deref(),
            _ => None,
        }
    }
}

/// The `{code, message, errors}` body of a Discord API error.
/// <https://discord.com/developers/docs/reference#error-messages>
#[derive(serde::Deserialize)]
struct ApiErrorBody {
    code: u64,
    message: String,
    #[serde(default)]
    errors: Option<crate::discord::json::JsonValue>,
}

impl Error {
    /// The error for a non-2xx answer of the Discord API (every resource endpoint calls this):
    ///
    /// - 429 → [`Error::RateLimited`] (body `retry_after` preferred, headers as fallback; see
    ///   [`crate::discord::ratelimit::rate_limited`]);
    /// - a JSON error `{"code": 50001, "message": "Missing Access", "errors": {…}}`
    ///   (<https://discord.com/developers/docs/reference#error-messages>, codes at
    ///   <https://discord.com/developers/docs/topics/opcodes-and-status-codes#json>) →
    ///   [`Error::Api`] with the HTTP status, Discord's code and message, and `errors` kept
    ///   as raw JSON;
    /// - an OAuth2 error body `{"error": "invalid_grant", …}` → [`Error::OAuth`];
    /// - anything else (an HTML page from Cloudflare, an empty 502) → [`Error::Parse`] with
    ///   the status, which maps 401/403/404 to their codes and the rest to `server_error`.
    ///
    /// A 2xx answer given here is a caller bug; it comes back as [`Error::Parse`].
    pub fn from_response<J: crate::discord::json::JsonCodec>(
        response: &crate::discord::http::HttpResponse,
    ) -> Error {
        let status = response.status;
        if status == 429 {
            return Error::RateLimited(crate::discord::ratelimit::rate_limited::<J>(response));
        }
        let parse = |reason: &str| Error::Parse {
            status,
            reason: reason.to_owned(),
            body: RawBody::new(response.body.clone()),
        };
        if response.is_success() {
            return parse("a successful response was handled as an error");
        }
        if let Ok(body) = J::decode::<ApiErrorBody>(&response.body) {
            let errors = body
                .errors
                .and_then(|e| e.to_json::<J>().ok())
                .map(RawBody::new);
            return Error::Api {
                status,
                code: body.code,
                message: body.message,
                errors,
            };
        }
        if let Some(e) = oauth_error::<J>(status, &response.body) {
            return e;
        }
        if status >= 500 {
            parse("Discord answered with a server error and no JSON error body")
        } else {
            parse("the error response is not a JSON error Discord documents")
        }
    }
}

/// The error for a non-2xx answer of any Discord API endpoint: the same as
/// [`Error::from_response`], as a free function for the resource parsers.
pub fn process_api_error<J: crate::discord::json::JsonCodec>(
    response: &crate::discord::http::HttpResponse,
) -> Error {
    Error::from_response::<J>(response)
}

/// The `{"error": "...", "error_description": "..."}` body of an OAuth2 error (RFC 6749 §5.2).
#[derive(serde::Deserialize)]
struct OAuthErrorBody {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// An OAuth2 error body as [`Error::OAuth`], if the body is one.
pub(crate) fn oauth_error<J: crate::discord::json::JsonCodec>(
    status: u16,
    body: &str,
) -> Option<Error> {
    let b = J::decode::<OAuthErrorBody>(body).ok()?;
    if b.error.is_empty() {
        return None;
    }
    Some(Error::OAuth {
        status,
        error: b.error,
        description: b.error_description,
    })
}

/// Result of every fallible core function.
pub type Result<T, E = Error> = std::result::Result<T, E>;
