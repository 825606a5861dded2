//! The Worker's settings (docs/contract.md §4), read and validated once per isolate.
//!
//! [`Settings::parse`] is pure (it reads through a lookup function) and tested natively;
//! `DiscordAuth::from_env` feeds it from the Worker's `Env`. Secrets are wrapped in the core's
//! redacting newtypes the moment they are read.

use super::api_routes::ApiRoutes;
use super::crypto::Keys;
use super::events::{PUBLIC_KEY_VAR, PublicKey};
use super::validate;
use crate::discord::config::{ApiConfig, DEFAULT_API_BASE, DEFAULT_AUTHORIZE_URL};
use crate::discord::scope::Scopes;
use crate::discord::secret::{BotToken, ClientSecret};
use crate::discord::snowflake::Snowflake;
use std::fmt;

/// Default session lifetime: 30 days.
pub const DEFAULT_SESSION_TTL: u64 = 2_592_000;
/// Workers KV refuses an `expirationTtl` under 60 seconds.
pub const MIN_SESSION_TTL: u64 = 60;
/// The longest guild-list cache accepted, in seconds.
pub const MAX_GUILDS_CACHE: u64 = 300;

/// A setting that is missing or malformed; `Display` names the setting and never its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// A required setting is not set.
    Missing(&'static str),
    /// A setting is set but breaks its rule (the rule is said, the value never is).
    Invalid {
        /// The setting's name.
        setting: &'static str,
        /// What it must be, naming it.
        rule: String,
    },
    /// Neither session store is bound (`SESSIONS` KV, or the `SESSION_STORE` Durable Object).
    NoStore,
    /// The settings were being read when asked for again (never expected).
    Busy,
}

impl ConfigError {
    /// A setting that breaks its rule; `rule` says what it must be and names the setting.
    pub fn invalid(setting: &'static str, rule: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            setting,
            rule: rule.into(),
        }
    }

    /// The setting (or binding) at fault.
    pub fn setting(&self) -> &'static str {
        match self {
            ConfigError::Missing(s) | ConfigError::Invalid { setting: s, .. } => s,
            ConfigError::NoStore => "SESSIONS",
            ConfigError::Busy => "",
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Missing(s) => write!(f, "{s} is not set"),
            ConfigError::Invalid { rule, .. } => f.write_str(rule),
            ConfigError::NoStore => f.write_str(
                "the SESSIONS KV namespace binding is missing (or bind the SESSION_STORE Durable Object)",
            ),
            ConfigError::Busy => f.write_str("settings are being read"),
        }
    }
}

/// The validated settings. `Debug` redacts every secret.
#[derive(Clone, Debug)]
pub struct Settings {
    /// `DISCORD_CLIENT_ID`: the application id.
    pub client_id: String,
    /// The raw calls the page may make through `/api/{route}` (docs/contract.md §12): the
    /// user-token reads, plus `API_ROUTES`.
    pub api_routes: ApiRoutes,
    /// `DISCORD_CLIENT_SECRET`.
    pub client_secret: ClientSecret,
    /// Keys derived from `SESSION_SECRET`.
    pub keys: Keys,
    /// `DISCORD_BOT_TOKEN`, for guild joins and role-connection metadata.
    pub bot_token: Option<BotToken>,
    /// `DISCORD_REDIRECT_URI`; `None`: `<origin>/auth/callback` of each request.
    pub redirect_uri: Option<String>,
    /// `DISCORD_SCOPES` (default `identify`).
    pub scopes: Scopes,
    /// `DISCORD_API_BASE` and the user agent.
    pub api: ApiConfig,
    /// `DISCORD_AUTHORIZE_URL`.
    pub authorize_url: String,
    /// `SESSION_TTL_SECONDS` (≥ 60).
    pub session_ttl: u64,
    /// `JOIN_GUILD_ALLOWLIST`: guilds a session may join; empty refuses every guild.
    pub join_allowlist: Vec<Snowflake>,
    /// `UPSTREAM_TIMEOUT_MS` (default 10000, 100 to 60000): how long one call to Discord may
    /// take before the route answers 504.
    pub upstream_timeout_ms: u64,
    /// `GUILDS_CACHE_SECONDS` (default 0, off): how long an isolate reuses a session's guild
    /// list, at most [`MAX_GUILDS_CACHE`].
    pub guilds_cache_secs: u64,
    /// `USER_MAX_AGE_SECONDS` (default 3600; 0: always fresh): `/auth/session` fetches the
    /// user again when the stored one is older (docs/contract.md §12).
    pub user_max_age_secs: u64,
    /// `https://{DISCORD_CLIENT_ID}.discordsays.com`: where the application's Activity runs
    /// (docs/contract.md §8), trusted like this Worker's own origin.
    pub activity_origin: String,
    /// `ALLOWED_ORIGINS`: further exact origins (`scheme://host[:port]`, lower case) trusted
    /// for state-changing routes and answered with CORS, e.g. an SPA on another host.
    pub allowed_origins: Vec<String>,
    /// `DISCORD_PUBLIC_KEY`, for `POST /auth/events` only: a missing or malformed key is kept
    /// as its error, which that route answers (500 `config_error`) while every other route
    /// works.
    pub public_key: Result<PublicKey, ConfigError>,
    /// The OpenID provider (docs/contract.md §13): `None` without `OIDC_CLIENTS`; a bad
    /// `OIDC_*` setting is kept as its error, which only the OIDC routes answer.
    pub oidc: Option<Result<super::oidc::settings::Oidc, ConfigError>>,
    /// The expected OpenID Connect issuer (docs/oidc.md): `DISCORD_ISSUER`, else the origin of
    /// `DISCORD_API_BASE` (`https://discord.com`). Checked against the callback's `iss`
    /// (RFC 9207) and the id_token's `iss`.
    pub issuer: String,
    /// `LINKED_ROLES_SECRET`, for the Linked Roles push routes only (docs/linked-roles.md):
    /// missing or too short is kept as its error, which only those routes answer.
    pub linked_roles_secret: Result<super::linked_roles::LinkedRolesSecret, ConfigError>,
}

fn http_url(name: &'static str, v: &str) -> Result<String, ConfigError> {
    let ok = (v.starts_with("https://") || v.starts_with("http://"))
        && v.len() > "http://".len()
        && !v.chars().any(|c| c.is_control() || c.is_whitespace());
    if ok {
        Ok(v.to_owned())
    } else {
        Err(ConfigError::invalid(
            name,
            format!("{name} must be an absolute http(s) URL"),
        ))
    }
}

impl Settings {
    /// Reads every setting through `get` (which returns a binding's text, if any).
    pub fn parse(get: impl Fn(&str) -> Option<String>) -> Result<Settings, ConfigError> {
        let opt = |name: &str| {
            get(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let req = |name: &'static str| opt(name).ok_or(ConfigError::Missing(name));

        let client_id = req("DISCORD_CLIENT_ID")?;
        if validate::snowflake(&client_id).is_none() {
            return Err(ConfigError::invalid(
                "DISCORD_CLIENT_ID",
                "DISCORD_CLIENT_ID must be an application id (digits)",
            ));
        }
        let client_secret = ClientSecret::new(req("DISCORD_CLIENT_SECRET")?);
        // The session secret is used as given (not trimmed): its bytes are the key material.
        let secret = get("SESSION_SECRET")
            .filter(|s| !s.is_empty())
            .ok_or(ConfigError::Missing("SESSION_SECRET"))?;
        let keys = Keys::derive(secret.as_bytes()).ok_or_else(|| {
            ConfigError::invalid(
                "SESSION_SECRET",
                "SESSION_SECRET must be at least 32 bytes long",
            )
        })?;
        let bot_token = opt("DISCORD_BOT_TOKEN").map(BotToken::new);
        let redirect_uri = match opt("DISCORD_REDIRECT_URI") {
            Some(v) => Some(http_url("DISCORD_REDIRECT_URI", &v)?),
            None => None,
        };
        let scopes = match opt("DISCORD_SCOPES") {
            Some(v) => Scopes::parse(&v.replace(',', " ")).map_err(|e| {
                ConfigError::invalid("DISCORD_SCOPES", format!("DISCORD_SCOPES: {e}"))
            })?,
            None => Scopes::parse("identify").map_err(|e| {
                ConfigError::invalid("DISCORD_SCOPES", format!("DISCORD_SCOPES: {e}"))
            })?,
        };
        if scopes.is_empty() {
            return Err(ConfigError::invalid(
                "DISCORD_SCOPES",
                "DISCORD_SCOPES must name at least one scope",
            ));
        }
        let api_base = match opt("DISCORD_API_BASE") {
            Some(v) => http_url("DISCORD_API_BASE", &v)?,
            None => DEFAULT_API_BASE.to_owned(),
        };
        let authorize_url = match opt("DISCORD_AUTHORIZE_URL") {
            Some(v) => http_url("DISCORD_AUTHORIZE_URL", &v)?,
            None => DEFAULT_AUTHORIZE_URL.to_owned(),
        };
        let session_ttl = match opt("SESSION_TTL_SECONDS") {
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|t| (MIN_SESSION_TTL..=10 * 365 * 86_400).contains(t))
                .ok_or_else(|| {
                    ConfigError::invalid(
                        "SESSION_TTL_SECONDS",
                        "SESSION_TTL_SECONDS must be a whole number of seconds, at least 60",
                    )
                })?,
            None => DEFAULT_SESSION_TTL,
        };
        let join_allowlist = match opt("JOIN_GUILD_ALLOWLIST") {
            Some(v) => v
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    validate::snowflake(s).ok_or_else(|| {
                        ConfigError::invalid(
                            "JOIN_GUILD_ALLOWLIST",
                            "JOIN_GUILD_ALLOWLIST must be comma-separated guild ids",
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
            None => Vec::new(),
        };
        let user_max_age_secs = match opt("USER_MAX_AGE_SECONDS") {
            Some(v) => v
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|s| *s <= 30 * 24 * 3600)
                .ok_or_else(|| {
                    ConfigError::invalid(
                        "USER_MAX_AGE_SECONDS",
                        "USER_MAX_AGE_SECONDS must be 0 to 2592000",
                    )
                })?,
            None => 3600,
        };
        let guilds_cache_secs = match opt("GUILDS_CACHE_SECONDS") {
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|t| *t <= MAX_GUILDS_CACHE)
                .ok_or_else(|| {
                    ConfigError::invalid(
                        "GUILDS_CACHE_SECONDS",
                        "GUILDS_CACHE_SECONDS must be 0 to 300",
                    )
                })?,
            None => 0,
        };
        let upstream_timeout_ms = match opt("UPSTREAM_TIMEOUT_MS") {
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|t| (100..=60_000).contains(t))
                .ok_or_else(|| {
                    ConfigError::invalid(
                        "UPSTREAM_TIMEOUT_MS",
                        "UPSTREAM_TIMEOUT_MS must be 100 to 60000",
                    )
                })?,
            None => 10_000,
        };
        let allowed_origins = match opt("ALLOWED_ORIGINS") {
            Some(v) => v
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    // The value is not secret; naming the bad entry makes the error actionable.
                    validate::exact_origin(s).ok_or_else(|| {
                        ConfigError::invalid(
                            "ALLOWED_ORIGINS",
                            format!(
                                "ALLOWED_ORIGINS: {s:?} is not an exact origin (scheme://host[:port], no path)"
                            ),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
            None => Vec::new(),
        };
        let configured_issuer = match opt("DISCORD_ISSUER") {
            Some(v) => Some(http_url("DISCORD_ISSUER", &v)?),
            None => None,
        };
        let issuer = crate::discord::oidc::expected_issuer(&api_base, configured_issuer.as_deref())
            .ok_or_else(|| {
                ConfigError::invalid("DISCORD_API_BASE", "DISCORD_API_BASE has no origin")
            })?;
        let activity_origin = format!("https://{client_id}.discordsays.com");
        let public_key = PublicKey::parse(get(PUBLIC_KEY_VAR).as_deref());
        let oidc = super::oidc::settings::parse(&get);
        // Used as given (not trimmed), like SESSION_SECRET: its bytes are what is compared.
        let linked_roles_secret = super::linked_roles::LinkedRolesSecret::parse(
            get(super::linked_roles::SECRET_VAR).as_deref(),
        );
        let api_routes = ApiRoutes::new(&client_id, opt("API_ROUTES").as_deref())
            .map_err(|e| ConfigError::invalid("API_ROUTES", e.to_string()))?;
        Ok(Settings {
            api_routes,
            activity_origin,
            allowed_origins,
            client_id,
            client_secret,
            keys,
            bot_token,
            redirect_uri,
            scopes,
            api: ApiConfig::with_base(&api_base),
            authorize_url,
            session_ttl,
            join_allowlist,
            guilds_cache_secs,
            user_max_age_secs,
            upstream_timeout_ms,
            public_key,
            oidc,
            issuer,
            linked_roles_secret,
        })
    }
}

impl Settings {
    /// Whether `origin` (an `Origin` header) is trusted (docs/contract.md §8): this Worker's own
    /// origin `this_origin`, the Activity's `https://{client_id}.discordsays.com`, or one of
    /// `ALLOWED_ORIGINS`. Exact comparison, ASCII case-insensitive; `null` is never trusted.
    pub fn trusts_origin(&self, origin: &str, this_origin: &str) -> bool {
        let origin = origin.trim();
        !origin.is_empty()
            && (origin.eq_ignore_ascii_case(this_origin)
                || origin.eq_ignore_ascii_case(&self.activity_origin)
                || self
                    .allowed_origins
                    .iter()
                    .any(|o| origin.eq_ignore_ascii_case(o)))
    }

    /// Whether `origin` is trusted and not this Worker's own: the origins answered with CORS.
    pub fn cors_origin(&self, origin: &str, this_origin: &str) -> bool {
        !origin.trim().eq_ignore_ascii_case(this_origin) && self.trusts_origin(origin, this_origin)
    }
}
