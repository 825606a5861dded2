//! The user object. <https://discord.com/developers/docs/resources/user#user-object>

use serde::{Deserialize, Serialize};

use crate::discord::snowflake::Snowflake;
use crate::discord::user_flags::UserFlags;

/// A Discord user, as `GET /users/@me` returns it (`email` and `verified` need the `email`
/// scope). <https://discord.com/developers/docs/resources/user#user-object>
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// The user's id.
    pub id: Snowflake,
    /// The username; unique (lower case) for users on the new username system.
    pub username: String,
    /// The legacy Discord-tag; `"0"` for users on the new username system.
    pub discriminator: String,
    /// The display name, if set; for bots, the application name. Discord's own example omits
    /// it, so a missing field reads as `None`.
    #[serde(default)]
    pub global_name: Option<String>,
    /// Avatar hash (`a_` prefix: animated); `None` means the default avatar.
    /// <https://discord.com/developers/docs/reference#image-formatting>
    #[serde(default)]
    pub avatar: Option<String>,
    /// Whether the user belongs to an OAuth2 application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot: Option<bool>,
    /// Whether the user is an Official Discord System user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<bool>,
    /// Whether two-factor authentication is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_enabled: Option<bool>,
    /// Banner hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub banner: Option<String>,
    /// Banner colour as an integer (`0xRRGGBB`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accent_color: Option<u32>,
    /// The chosen language, e.g. `en-US`. <https://discord.com/developers/docs/reference#locales>
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// Whether the email is verified (`email` scope).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
    /// The email address (`email` scope); `None` also when the account has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The flags on the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flags: Option<UserFlags>,
    /// The Nitro subscription type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub premium_type: Option<PremiumType>,
    /// The public flags on the account (badges shown on the profile).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_flags: Option<UserFlags>,
    /// The avatar decoration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_decoration_data: Option<AvatarDecorationData>,
}

impl User {
    /// Whether the user is on the new username system (discriminator `"0"`).
    /// <https://discord.com/developers/docs/change-log#unique-usernames-on-discord>
    pub fn is_migrated(&self) -> bool {
        self.discriminator == "0"
    }

    /// The name to show: `global_name` when set, else `username`.
    pub fn display_name(&self) -> &str {
        match self.global_name.as_deref() {
            Some(name) if !name.is_empty() => name,
            _ => &self.username,
        }
    }

    /// `username#1234` for legacy users, `username` for migrated ones.
    pub fn tag(&self) -> String {
        if self.is_migrated() || self.discriminator.is_empty() {
            self.username.clone()
        } else {
            format!("{}#{}", self.username, self.discriminator)
        }
    }

    /// Account creation time, Unix milliseconds (from the id).
    pub fn created_at_ms(&self) -> u64 {
        self.id.timestamp_ms()
    }
}

/// The data for a user's avatar decoration.
/// <https://discord.com/developers/docs/resources/user#avatar-decoration-data-object>
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AvatarDecorationData {
    /// The decoration's asset hash (CDN `avatar-decoration-presets/{asset}.png`).
    pub asset: String,
    /// The id of the decoration's SKU.
    pub sku_id: Snowflake,
}

int_enum! {
    /// The level of Nitro on an account.
    /// <https://discord.com/developers/docs/resources/user#user-object-premium-types>
    PremiumType: u8 {
        /// No Nitro.
        None = 0,
        /// Nitro Classic.
        NitroClassic = 1,
        /// Nitro.
        Nitro = 2,
        /// Nitro Basic.
        NitroBasic = 3,
    }
}
