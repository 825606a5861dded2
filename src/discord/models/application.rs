//! The (partial) application object of `/oauth2/@me` and `/oauth2/applications/@me`.
//! <https://discord.com/developers/docs/resources/application#application-object>

use serde::{Deserialize, Serialize};

use super::user::User;
use crate::discord::snowflake::Snowflake;

/// An application. `GET /oauth2/@me` returns a partial one; `GET /oauth2/applications/@me`
/// (bot token) a fuller one. Only `id` and `name` are certain; everything else is optional.
/// <https://discord.com/developers/docs/resources/application#application-object>
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    /// The application id (the OAuth2 client id).
    pub id: Snowflake,
    /// The application name.
    pub name: String,
    /// Icon hash (CDN `app-icons/{id}/{hash}`).
    #[serde(default)]
    pub icon: Option<String>,
    /// The description (may be empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// RPC origin URLs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rpc_origins: Option<Vec<String>>,
    /// Whether anyone can add the bot to guilds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot_public: Option<bool>,
    /// Whether adding the bot needs the full OAuth2 code grant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot_require_code_grant: Option<bool>,
    /// The bot user (partial).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot: Option<User>,
    /// Terms of service URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms_of_service_url: Option<String>,
    /// Privacy policy URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy_policy_url: Option<String>,
    /// The owner (partial user).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<User>,
    /// Hex-encoded key for verifying interactions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_key: Option<String>,
    /// The guild associated with the app (e.g. its support server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<Snowflake>,
    /// The game SKU id, for games sold on Discord.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_sku_id: Option<Snowflake>,
    /// The store page slug.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    /// Rich presence invite cover image hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cover_image: Option<String>,
    /// Public application flags (a bit set).
    /// <https://discord.com/developers/docs/resources/application#application-object-application-flags>
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flags: Option<u64>,
    /// Approximate number of guilds the app is in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approximate_guild_count: Option<u64>,
    /// Approximate number of user installs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approximate_user_install_count: Option<u64>,
    /// Registered OAuth2 redirect URIs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uris: Option<Vec<String>>,
    /// Interactions endpoint URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interactions_endpoint_url: Option<String>,
    /// The linked-roles verification URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_connections_verification_url: Option<String>,
    /// Up to 5 tags describing the app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// The default custom authorization URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_install_url: Option<String>,
}
