//! The (partial) application object of `/oauth2/@me` and `/oauth2/applications/@me`.
//! <https://discord.com/developers/docs/resources/application#application-object>

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::user::User;
use crate::discord::permissions::Permissions;
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
    /// Legacy public application flags (a bit set that stops at bit 30; see `flags_new`).
    /// <https://discord.com/developers/docs/resources/application#application-object-application-flags>
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flags: Option<u64>,
    /// Every public flag bit, as a decimal string: "new flag bits beyond bit 30 will only
    /// appear in `flags_new`". Read it with [`Application::flag_bits`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flags_new: Option<String>,
    /// The application type: `4` (guild role subscriptions) or `null`. In Discord's OpenAPI
    /// description, not in the prose docs.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<u32>,
    /// Activity participant limit, `null` when none. In the OpenAPI description only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_participants: Option<i64>,
    /// Approximate number of guilds the app is in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approximate_guild_count: Option<u64>,
    /// Approximate number of user installs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approximate_user_install_count: Option<u64>,
    /// Approximate number of users with an OAuth2 authorization for the app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approximate_user_authorization_count: Option<u64>,
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
    /// The default in-app authorization link's settings, if enabled.
    /// <https://discord.com/developers/docs/resources/application#install-params-object>
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub install_params: Option<InstallParams>,
    /// Default scopes and permissions per installation context, keyed by integration type
    /// (`"0"` guild install, `"1"` user install).
    /// <https://discord.com/developers/docs/resources/application#application-object-application-integration-type-configuration-object>
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integration_types_config: Option<BTreeMap<String, IntegrationTypeConfig>>,
    /// Where Discord sends the app's Webhook Events (`?string`).
    /// <https://discord.com/developers/docs/events/webhook-events>
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_webhooks_url: Option<String>,
    /// Webhook Events: `1` disabled, `2` enabled, `3` disabled by Discord.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_webhooks_status: Option<u8>,
    /// The Webhook Event types the app subscribes to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_webhooks_types: Option<Vec<String>>,
    /// Whether media in the app's messages is scanned: `0` disabled, `1` all members.
    /// <https://discord.com/developers/docs/resources/application#application-object-explicit-content-filter-level>
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explicit_content_filter: Option<ExplicitContentFilter>,
    /// The team that owns the app, `null` when a single user owns it.
    /// <https://discord.com/developers/docs/topics/teams#data-models-team-object>
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<Team>,
    /// The OAuth2 scopes the app may ask for (`GET /oauth2/applications/@me` only; in
    /// Discord's OpenAPI description, not in the prose docs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eligible_oauth2_scopes: Option<Vec<String>>,
}

int_enum! {
    /// The explicit content filter level of an app.
    /// <https://discord.com/developers/docs/resources/application#application-object-explicit-content-filter-level>
    ExplicitContentFilter: u8 {
        /// Media is not scanned.
        Disabled = 0,
        /// Media of every member is scanned.
        AllMembers = 1,
    }
}

/// The developer team that owns an app.
/// <https://discord.com/developers/docs/topics/teams#data-models-team-object>
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    /// The team id.
    pub id: Snowflake,
    /// The team icon hash (CDN `team-icons/{id}/{hash}`).
    #[serde(default)]
    pub icon: Option<String>,
    /// The team name.
    pub name: String,
    /// The user id of the team's owner.
    pub owner_user_id: Snowflake,
    /// The team's members.
    #[serde(default)]
    pub members: Vec<TeamMember>,
}

/// A member of a developer team.
/// <https://discord.com/developers/docs/topics/teams#data-models-team-member-object>
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    /// The member (avatar, discriminator, id, username).
    pub user: User,
    /// The team's id.
    pub team_id: Snowflake,
    /// `1` invited, `2` accepted.
    pub membership_state: MembershipState,
    /// `admin`, `developer` or `read_only` (a string: Discord may add roles). Discord's own
    /// example application leaves it out, so a missing role reads as `None`.
    /// <https://discord.com/developers/docs/topics/teams#team-member-roles>
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Always `["*"]` (Discord's docs: "will always be `["*"]`").
    #[serde(default)]
    pub permissions: Vec<String>,
}

int_enum! {
    /// Whether a team member accepted the invitation.
    /// <https://discord.com/developers/docs/topics/teams#data-models-membership-state-enum>
    MembershipState: u8 {
        /// Invited, not yet accepted.
        Invited = 1,
        /// A member.
        Accepted = 2,
    }
}

impl Application {
    /// Every public flag bit: `flags_new` when Discord sent it (it holds the bits beyond 30),
    /// else the legacy `flags`.
    pub fn flag_bits(&self) -> Option<u64> {
        self.flags_new
            .as_deref()
            .and_then(|s| s.parse().ok())
            .or(self.flags)
    }
}

/// The scopes and bot permissions of an app's default authorization link.
/// <https://discord.com/developers/docs/resources/application#install-params-object>
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallParams {
    /// Scopes to add the app with (kept as strings: an install link may name scopes this
    /// crate does not know yet).
    pub scopes: Vec<String>,
    /// Permissions for the bot role (a decimal string on the wire).
    pub permissions: Permissions,
}

/// One installation context's defaults.
/// <https://discord.com/developers/docs/resources/application#application-object-application-integration-type-configuration-object>
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrationTypeConfig {
    /// The default in-app authorization link of this context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth2_install_params: Option<InstallParams>,
}
