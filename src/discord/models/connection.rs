//! Connections (linked third-party accounts) and the partial integrations they carry.
//! <https://discord.com/developers/docs/resources/user#connection-object>

use serde::{Deserialize, Serialize};

use super::application::Application;
use super::user::User;
use crate::discord::snowflake::Snowflake;

/// An account the user has linked, from `GET /users/@me/connections` (`connections` scope).
/// <https://discord.com/developers/docs/resources/user#connection-object>
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    /// The id of the account on the other service (not a snowflake: the service's own id).
    pub id: String,
    /// The username on the other service. The prose docs say `string`; Discord's OpenAPI
    /// description allows `null`, so `null` (and a missing field) read as `None`.
    #[serde(default)]
    pub name: Option<String>,
    /// The service, e.g. `github`, `steam`, `twitch`; kept as a string since Discord adds
    /// services. <https://discord.com/developers/docs/resources/user#connection-object-services>
    #[serde(rename = "type")]
    pub kind: String,
    /// Whether the connection is revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<bool>,
    /// Partial server integrations (e.g. Twitch subscriptions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integrations: Option<Vec<Integration>>,
    /// Whether the connection is verified.
    pub verified: bool,
    /// Whether friend sync is enabled.
    pub friend_sync: bool,
    /// Whether related activities are shown in presence updates.
    pub show_activity: bool,
    /// Whether the connection has a third-party OAuth2 token.
    pub two_way_link: bool,
    /// Who can see the connection.
    pub visibility: ConnectionVisibility,
}

impl Connection {
    /// Whether everyone can see the connection on the user's profile (visibility 1), the JS
    /// `isConnectionVisible`.
    pub fn is_visible(&self) -> bool {
        self.visibility == ConnectionVisibility::Everyone
    }
}

int_enum! {
    /// Who can see a connection.
    /// <https://discord.com/developers/docs/resources/user#connection-object-visibility-types>
    ConnectionVisibility: u8 {
        /// Invisible to everyone except the user.
        None = 0,
        /// Visible to everyone.
        Everyone = 1,
    }
}

/// A partial guild integration, as found in a connection's `integrations`. Only `id` is
/// certain: Discord documents these as partial.
/// <https://discord.com/developers/docs/resources/guild#integration-object>
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Integration {
    /// The integration id.
    pub id: Snowflake,
    /// The integration name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `twitch`, `youtube`, `discord` or `guild_subscription`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Whether the integration is enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Whether the integration is syncing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub syncing: Option<bool>,
    /// The role used for "subscribers".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_id: Option<Snowflake>,
    /// Whether emoticons are synced (Twitch only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_emoticons: Option<bool>,
    /// What happens when a subscription expires: 0 remove role, 1 kick.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expire_behavior: Option<u8>,
    /// Grace period in days before expiring subscribers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expire_grace_period: Option<u32>,
    /// The user of the integration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
    /// The account on the other service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<IntegrationAccount>,
    /// When the integration was last synced (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synced_at: Option<String>,
    /// How many subscribers it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscriber_count: Option<u64>,
    /// Whether the integration has been revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<bool>,
    /// The OAuth2 scopes the application has been authorized for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    /// The bot/OAuth2 application of a `discord` integration (partial: id, name, icon,
    /// description, bot). <https://discord.com/developers/docs/resources/guild#integration-application-object>
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application: Option<Application>,
    /// The server of the integration (partial). In Discord's OpenAPI description of
    /// `GET /users/@me/connections`, not in the prose docs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guild: Option<IntegrationGuild>,
}

/// The partial server a connection's integration belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrationGuild {
    /// The guild id.
    pub id: Snowflake,
    /// The guild name.
    pub name: String,
    /// Icon hash (CDN `icons/{guild_id}/{hash}`).
    #[serde(default)]
    pub icon: Option<String>,
}

/// The account behind an integration.
/// <https://discord.com/developers/docs/resources/guild#integration-account-object>
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrationAccount {
    /// The account id on the other service (a string, not a snowflake).
    pub id: String,
    /// The account name; `null` allowed by Discord's OpenAPI description.
    #[serde(default)]
    pub name: Option<String>,
}
