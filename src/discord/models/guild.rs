//! The partial guild of `GET /users/@me/guilds`.
//! <https://discord.com/developers/docs/resources/user#get-current-user-guilds>

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::discord::permissions::Permissions;
use crate::discord::snowflake::Snowflake;

/// A partial guild, as listed by `GET /users/@me/guilds` (`guilds` scope).
/// <https://discord.com/developers/docs/resources/guild#guild-object>
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guild {
    /// The guild's id.
    pub id: Snowflake,
    /// The guild's name.
    pub name: String,
    /// Icon hash (`a_` prefix: animated).
    #[serde(default)]
    pub icon: Option<String>,
    /// Banner hash.
    #[serde(default)]
    pub banner: Option<String>,
    /// Whether the current user owns the guild. Discord always sends it on this endpoint;
    /// a missing value reads as `false`.
    #[serde(default)]
    pub owner: bool,
    /// The current user's permissions in the guild (a decimal string on the wire; an owner
    /// has all of them, which Discord already reflects here). Missing reads as none.
    #[serde(default)]
    pub permissions: Permissions,
    /// Enabled guild features, e.g. `COMMUNITY`; kept as strings since Discord adds new ones.
    /// <https://discord.com/developers/docs/resources/guild#guild-object-guild-features>
    #[serde(default)]
    pub features: Vec<String>,
    /// Approximate member count, with `with_counts=true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approximate_member_count: Option<u64>,
    /// Approximate online member count, with `with_counts=true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approximate_presence_count: Option<u64>,
}

impl Guild {
    /// Whether the current user has `required` here: owners and `ADMINISTRATOR` have all.
    pub fn has_permission(&self, required: Permissions) -> bool {
        self.owner || self.permissions.has(required)
    }

    /// Whether the guild has a feature, e.g. `"COMMUNITY"`.
    pub fn has_feature(&self, feature: &str) -> bool {
        self.features.iter().any(|f| f == feature)
    }

    /// Guild creation time, Unix milliseconds (from the id).
    pub fn created_at_ms(&self) -> u64 {
        self.id.timestamp_ms()
    }
}

/// The guild's name.
impl fmt::Display for Guild {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}
