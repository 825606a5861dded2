//! The user object. <https://discord.com/developers/docs/resources/user#user-object>

use std::fmt;

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
    /// The Nitro subscription type. Since May 2026 it needs the `identify.premium` scope
    /// (approved partners only); without it Discord reports `0` whatever the user has.
    /// <https://discord.com/developers/docs/topics/oauth2#shared-resources-oauth2-scopes>
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub premium_type: Option<PremiumType>,
    /// The public flags on the account (badges shown on the profile).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_flags: Option<UserFlags>,
    /// The avatar decoration (`?` and nullable: absent or `null` read as `None`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_decoration_data: Option<AvatarDecorationData>,
    /// The user's collectibles (the nameplate).
    /// <https://discord.com/developers/docs/resources/user#collectibles>
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collectibles: Option<Collectibles>,
    /// The user's primary guild: the server tag shown beside the name.
    /// <https://discord.com/developers/docs/resources/user#user-object-user-primary-guild>
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_guild: Option<PrimaryGuild>,
}

impl User {
    /// Whether the user is on the new username system (discriminator `"0"`).
    /// <https://discord.com/developers/docs/change-log#unique-usernames-on-discord>
    pub fn is_migrated(&self) -> bool {
        self.discriminator == "0"
    }

    /// The name to show: `global_name` when set, else `username` (the JS `displayName`).
    pub fn display_name(&self) -> &str {
        display_name_of(None, self.global_name.as_deref(), &self.username)
    }

    /// `<@id>`, the user's mention in message content (the JS `mention`).
    /// <https://discord.com/developers/docs/reference#message-formatting>
    pub fn mention(&self) -> String {
        mention_of(self.id)
    }

    /// The banner colour as `#rrggbb`, `None` without one (the JS `accentColorHex`).
    pub fn accent_color_hex(&self) -> Option<String> {
        self.accent_color.map(color_hex)
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

/// `username#1234` for legacy users, `username` for migrated ones (as [`User::tag`]).
impl fmt::Display for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.username)?;
        if !(self.is_migrated() || self.discriminator.is_empty()) {
            write!(f, "#{}", self.discriminator)?;
        }
        Ok(())
    }
}

/// The name to show for a user or member: the guild `nick`, else `global_name`, else
/// `username` (empty names count as unset). Both faces (Rust and JS) decide through it.
pub fn display_name_of<'a>(
    nick: Option<&'a str>,
    global_name: Option<&'a str>,
    username: &'a str,
) -> &'a str {
    [nick, global_name]
        .into_iter()
        .flatten()
        .find(|n| !n.is_empty())
        .unwrap_or(username)
}

/// `<@id>`: how message content mentions a user (nicknames no longer need `<@!id>`).
/// <https://discord.com/developers/docs/reference#message-formatting>
pub fn mention_of(id: Snowflake) -> String {
    let mut s = String::from("<@");
    crate::discord::snowflake::push_decimal(&mut s, id.get());
    s.push('>');
    s
}

/// A colour integer (`accent_color`, role colours) as `#rrggbb`; bits above 24 are ignored.
pub fn color_hex(color: u32) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(7);
    s.push('#');
    for shift in (0..6).rev() {
        s.push(char::from(HEX[((color >> (shift * 4)) & 0xf) as usize]));
    }
    s
}

/// The data for a user's avatar decoration.
/// <https://discord.com/developers/docs/resources/user#avatar-decoration-data-object>
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AvatarDecorationData {
    /// The decoration's asset hash (CDN `avatar-decoration-presets/{asset}.png`).
    pub asset: String,
    /// The id of the decoration's SKU. The prose docs say `snowflake`; Discord's OpenAPI
    /// description allows `null` (e.g. decorations granted without a store item), so both
    /// are read.
    #[serde(default)]
    pub sku_id: Option<Snowflake>,
    /// When a time-limited decoration expires (Unix seconds), if it does. Sent on some
    /// payloads though neither the docs nor the OpenAPI description list it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<u64>,
}

/// The collectibles a user has, besides avatar decorations and profile effects.
/// <https://discord.com/developers/docs/resources/user#collectibles>
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collectibles {
    /// The nameplate (`nameplate?` in the docs, required but nullable in the OpenAPI
    /// description: absent and `null` both read as `None`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nameplate: Option<Nameplate>,
}

/// A nameplate: the background shown behind the user's name in member lists.
/// <https://discord.com/developers/docs/resources/user#nameplate>
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Nameplate {
    /// The nameplate's SKU id (`null` allowed by the OpenAPI description).
    #[serde(default)]
    pub sku_id: Option<Snowflake>,
    /// Path of the nameplate asset, e.g. `nameplates/nameplates/twilight/`.
    pub asset: String,
    /// The label; "currently unused" (often empty), so a missing one reads as empty.
    #[serde(default)]
    pub label: String,
    /// The background colour: `crimson`, `berry`, `sky`, `teal`, `forest`, `bubble_gum`,
    /// `violet`, `cobalt`, `clover`, `lemon` or `white`; kept as a string (Discord adds
    /// palettes). A missing one reads as empty rather than failing the whole user.
    #[serde(default)]
    pub palette: String,
}

/// The user's primary guild: the server tag and badge shown beside their name. Every field
/// is `?type` (always sent, may be `null`); `null`s are written back as `null`.
/// <https://discord.com/developers/docs/resources/user#user-object-user-primary-guild>
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrimaryGuild {
    /// The id of the user's primary guild.
    #[serde(default)]
    pub identity_guild_id: Option<Snowflake>,
    /// Whether the user displays the tag: `false` when they removed it, `null` when Discord
    /// cleared it (e.g. the server no longer supports tags).
    #[serde(default)]
    pub identity_enabled: Option<bool>,
    /// The tag's text, at most 4 characters.
    #[serde(default)]
    pub tag: Option<String>,
    /// The badge hash (CDN `guild-tag-badges/{guild_id}/{badge}.png`).
    #[serde(default)]
    pub badge: Option<String>,
}

impl PrimaryGuild {
    /// Whether a tag is on show: enabled, with a guild and a non-empty tag text.
    pub fn is_shown(&self) -> bool {
        self.identity_enabled == Some(true)
            && self.identity_guild_id.is_some()
            && self.tag.as_deref().is_some_and(|t| !t.is_empty())
    }
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
