//! Where Discord is and how we introduce ourselves to it.

/// Discord's API base (version 10).
/// <https://discord.com/developers/docs/reference#api-versioning>
pub const DEFAULT_API_BASE: &str = "https://discord.com/api/v10";
/// Discord's authorize page.
/// <https://discord.com/developers/docs/topics/oauth2#shared-resources-oauth2-urls>
pub const DEFAULT_AUTHORIZE_URL: &str = "https://discord.com/oauth2/authorize";
/// Discord's CDN. <https://discord.com/developers/docs/reference#image-formatting>
pub const CDN_BASE: &str = "https://cdn.discordapp.com";

/// Discord asks every client to send `User-Agent: DiscordBot ($url, $versionNumber)`.
/// <https://discord.com/developers/docs/reference#user-agent>
pub const USER_AGENT: &str = concat!(
    "DiscordBot (https://github.com/discord-oauth-wasm/discord-oauth-wasm, ",
    env!("CARGO_PKG_VERSION"),
    ")"
);

/// The API base and user agent that request builders use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiConfig {
    /// API base without a trailing slash, e.g. `https://discord.com/api/v10` or an emulator's.
    pub api_base: String,
    /// The `User-Agent` header value.
    pub user_agent: String,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            api_base: DEFAULT_API_BASE.to_owned(),
            user_agent: USER_AGENT.to_owned(),
        }
    }
}

impl ApiConfig {
    /// A configuration for another API base (the emulator, a proxy); a trailing `/` is dropped.
    pub fn with_base(api_base: &str) -> Self {
        ApiConfig {
            api_base: api_base.trim_end_matches('/').to_owned(),
            ..ApiConfig::default()
        }
    }

    /// `api_base` joined with a path that starts with `/`.
    pub fn url(&self, path: &str) -> String {
        [self.api_base.as_str(), path].concat()
    }
}
