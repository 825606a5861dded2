//! The options of `GET /auth/login` (docs/contract.md §4 and §12): Discord's authorize
//! parameters a page may set, checked before any redirect. Pure, natively tested.
//! <https://discord.com/developers/docs/topics/oauth2#authorization-code-grant-authorization-url-example>

use crate::discord::authorize::{IntegrationType, Prompt};
use crate::discord::scope::{Scope, Scopes};
use std::fmt;

/// The most bytes `data` may have as sent (docs/contract.md §12).
pub const MAX_DATA: usize = 1024;

/// What a page may ask `/auth/login` for, beside `return_to`.
#[derive(Clone, Debug, PartialEq)]
pub struct LoginOptions {
    /// The scopes; `identify` is always among them (a session needs its user).
    pub scopes: Scopes,
    /// `consent` or `none`. With `bot` or `webhook.incoming`, Discord shows consent anyway.
    pub prompt: Option<Prompt>,
    /// The bot's permissions (`bot` scope), a u64 bit set.
    pub permissions: Option<u64>,
    /// The guild preselected in the bot's add dialog.
    pub guild_id: Option<String>,
    /// Whether the user may pick another guild than `guild_id`.
    pub disable_guild_select: Option<bool>,
    /// Guild (0) or user (1) install.
    pub integration_type: Option<IntegrationType>,
    /// Any JSON value, kept sealed in the state cookie and given back with the session.
    pub data: Option<String>,
}

/// Why the options were refused: 400 with this code and text, and no redirect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoginOptionError {
    /// A scope Discord does not document (`invalid_scope`).
    Scope(String),
    /// Another parameter is malformed (`invalid_request`), naming it.
    Invalid(&'static str, &'static str),
}

impl LoginOptionError {
    /// The error code of the answer.
    pub fn code(&self) -> &'static str {
        match self {
            LoginOptionError::Scope(_) => "invalid_scope",
            LoginOptionError::Invalid(..) => "invalid_request",
        }
    }
}

impl fmt::Display for LoginOptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoginOptionError::Scope(e) => f.write_str(e),
            LoginOptionError::Invalid(name, why) => write!(f, "`{name}` {why}"),
        }
    }
}

impl LoginOptions {
    /// Reads the options from the query's parameters (`get(name)`); `default_scopes` when the
    /// query names none. The reserved parameters (`client_id`, `redirect_uri`, `response_type`,
    /// `state`, `code_challenge*`) are never read from the query.
    pub fn parse(
        get: impl Fn(&str) -> Option<String>,
        default_scopes: &Scopes,
    ) -> Result<LoginOptions, LoginOptionError> {
        let present = |name: &str| get(name).filter(|v| !v.is_empty());
        let mut scopes = match present("scope").filter(|s| !s.trim().is_empty()) {
            Some(s) => Scopes::parse(&s.replace(',', " "))
                .map_err(|e| LoginOptionError::Scope(e.to_string()))?,
            None => default_scopes.clone(),
        };
        scopes.insert(Scope::Identify);
        let prompt = match present("prompt").as_deref() {
            None => None,
            Some("consent") => Some(Prompt::Consent),
            Some("none") => Some(Prompt::None),
            Some(_) => {
                return Err(LoginOptionError::Invalid(
                    "prompt",
                    "must be consent or none",
                ));
            }
        };
        let permissions = match present("permissions") {
            None => None,
            Some(p) if p.len() <= 20 && p.bytes().all(|b| b.is_ascii_digit()) => Some(
                p.parse::<u64>()
                    .map_err(|_| LoginOptionError::Invalid("permissions", "must fit in 64 bits"))?,
            ),
            Some(_) => {
                return Err(LoginOptionError::Invalid(
                    "permissions",
                    "must be a decimal integer",
                ));
            }
        };
        let guild_id = match present("guild_id") {
            None => None,
            Some(g) if super::validate::snowflake(&g).is_some() => Some(g),
            Some(_) => return Err(LoginOptionError::Invalid("guild_id", "must be a snowflake")),
        };
        let disable_guild_select = match present("disable_guild_select").as_deref() {
            None => None,
            Some("true") => Some(true),
            Some("false") => Some(false),
            Some(_) => {
                return Err(LoginOptionError::Invalid(
                    "disable_guild_select",
                    "must be true or false",
                ));
            }
        };
        let integration_type = match present("integration_type").as_deref() {
            None => None,
            Some("0") => Some(IntegrationType::GuildInstall),
            Some("1") => Some(IntegrationType::UserInstall),
            Some(_) => {
                return Err(LoginOptionError::Invalid(
                    "integration_type",
                    "must be 0 or 1",
                ));
            }
        };
        let data = match get("data") {
            None => None,
            Some(d) if d.len() > MAX_DATA => {
                return Err(LoginOptionError::Invalid(
                    "data",
                    "must be at most 1024 bytes",
                ));
            }
            Some(d) => {
                serde_json::from_str::<serde_json::Value>(&d)
                    .map_err(|_| LoginOptionError::Invalid("data", "must be a JSON value"))?;
                Some(d)
            }
        };
        Ok(LoginOptions {
            scopes,
            prompt,
            permissions,
            guild_id,
            disable_guild_select,
            integration_type,
            data,
        })
    }
}

#[cfg(test)]
#[path = "login_options_tests.rs"]
mod tests;
