//! The guild member object. <https://discord.com/developers/docs/resources/guild#guild-member-object>

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::user::{AvatarDecorationData, Collectibles, User, display_name_of};
use crate::discord::permissions::Permissions;
use crate::discord::snowflake::{Snowflake, U64Visitor};

/// A user's membership in a guild, as `GET /users/@me/guilds/{guild.id}/member`
/// (`guilds.members.read` scope) and `PUT /guilds/{guild.id}/members/{user.id}` return it.
/// <https://discord.com/developers/docs/resources/guild#guild-member-object>
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// The user (Discord leaves it out in some gateway events, never on these endpoints).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
    /// The guild nickname.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nick: Option<String>,
    /// Guild avatar hash (CDN `guilds/{guild_id}/users/{user_id}/avatars/{hash}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
    /// Guild banner hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub banner: Option<String>,
    /// Ids of the member's roles.
    pub roles: Vec<Snowflake>,
    /// When the user joined (ISO 8601); `null` for voice guests.
    #[serde(default)]
    pub joined_at: Option<String>,
    /// When the user started boosting the guild (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub premium_since: Option<String>,
    /// Whether the user is deafened in voice channels.
    pub deaf: bool,
    /// Whether the user is muted in voice channels.
    pub mute: bool,
    /// Guild member flags; Discord says it "defaults to 0", so missing reads as empty.
    #[serde(default)]
    pub flags: MemberFlags,
    /// Whether the user has not yet passed Membership Screening.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<bool>,
    /// Total permissions in a channel (interaction payloads only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Permissions>,
    /// When the user's timeout ends (ISO 8601); `None` or a past time: not timed out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub communication_disabled_until: Option<String>,
    /// The member's guild avatar decoration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_decoration_data: Option<AvatarDecorationData>,
    /// The member's guild collectibles (a guild nameplate). In Discord's OpenAPI description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collectibles: Option<Collectibles>,
}

impl Member {
    /// The name to show in the guild: `nick`, else the user's `global_name`, else `username`
    /// (the JS `displayName`); empty when the member carries neither nick nor user.
    pub fn display_name(&self) -> &str {
        match &self.user {
            Some(u) => display_name_of(self.nick.as_deref(), u.global_name.as_deref(), &u.username),
            None => self.nick.as_deref().unwrap_or_default(),
        }
    }

    /// `<@id>` (the JS `mention`); `None` when the member carries no user.
    pub fn mention(&self) -> Option<String> {
        self.user.as_ref().map(User::mention)
    }

    /// Whether the member has the role.
    pub fn has_role(&self, role: Snowflake) -> bool {
        self.roles.contains(&role)
    }
}

bitflags::bitflags! {
    /// Guild member flags (a JSON number); unknown bits are kept.
    /// <https://discord.com/developers/docs/resources/guild#guild-member-object-guild-member-flags>
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    pub struct MemberFlags: u64 {
        /// The member has left and rejoined the guild.
        const DID_REJOIN = 1 << 0;
        /// The member has completed onboarding.
        const COMPLETED_ONBOARDING = 1 << 1;
        /// The member is exempt from guild verification requirements.
        const BYPASSES_VERIFICATION = 1 << 2;
        /// The member has started onboarding.
        const STARTED_ONBOARDING = 1 << 3;
        /// The member is a guest and can only access the voice channel they were invited to.
        const IS_GUEST = 1 << 4;
        /// The member has started Server Guide new member actions.
        const STARTED_HOME_ACTIONS = 1 << 5;
        /// The member has completed Server Guide new member actions.
        const COMPLETED_HOME_ACTIONS = 1 << 6;
        /// The member's username, display name or nickname is blocked by AutoMod.
        const AUTOMOD_QUARANTINED_USERNAME = 1 << 7;
        /// The member has dismissed the DM settings upsell.
        const DM_SETTINGS_UPSELL_ACKNOWLEDGED = 1 << 9;
        /// The member's guild tag is blocked by AutoMod.
        const AUTOMOD_QUARANTINED_GUILD_TAG = 1 << 10;
    }
}

impl MemberFlags {
    /// The names of the documented flags that are set.
    pub fn names(&self) -> Vec<&'static str> {
        self.iter_names().map(|(name, _)| name).collect()
    }
}

impl Serialize for MemberFlags {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(self.bits())
    }
}

impl<'de> Deserialize<'de> for MemberFlags {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(U64Visitor {
                expecting: "member flags as an integer",
            })
            .map(MemberFlags::from_bits_retain)
    }
}
