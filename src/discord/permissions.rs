//! Guild and channel permissions: a 64-bit set that travels as a decimal string.
//!
//! <https://discord.com/developers/docs/topics/permissions#permissions-bitwise-permission-flags>
//!
//! Discord's quirks handled here: the value is a *string* in API v8+ (it has outgrown the 2^53
//! that JavaScript numbers hold exactly, e.g. `BYPASS_SLOWMODE` is bit 52), new bits appear
//! without notice (unknown bits are kept, never dropped), and `ADMINISTRATOR` implies every
//! other permission.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::error::InputError;
use super::snowflake::{SnowflakeParseError, U64Visitor, parse_decimal_u64};

bitflags::bitflags! {
    /// A permission set. Unknown bits are kept (`from_bits_retain`), so a value read from
    /// Discord is written back unchanged. Serialized as a decimal string.
    /// <https://discord.com/developers/docs/topics/permissions#permissions-bitwise-permission-flags>
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
    pub struct Permissions: u64 {
        /// Allows creation of instant invites.
        const CREATE_INSTANT_INVITE = 1 << 0;
        /// Allows kicking members.
        const KICK_MEMBERS = 1 << 1;
        /// Allows banning members.
        const BAN_MEMBERS = 1 << 2;
        /// Allows all permissions and bypasses channel permission overwrites.
        const ADMINISTRATOR = 1 << 3;
        /// Allows management and editing of channels.
        const MANAGE_CHANNELS = 1 << 4;
        /// Allows management and editing of the guild.
        const MANAGE_GUILD = 1 << 5;
        /// Allows adding new reactions to messages.
        const ADD_REACTIONS = 1 << 6;
        /// Allows viewing of audit logs.
        const VIEW_AUDIT_LOG = 1 << 7;
        /// Allows using priority speaker in a voice channel.
        const PRIORITY_SPEAKER = 1 << 8;
        /// Allows the user to go live.
        const STREAM = 1 << 9;
        /// Allows viewing a channel (reading messages, joining voice).
        const VIEW_CHANNEL = 1 << 10;
        /// Allows sending messages in a channel and creating forum threads.
        const SEND_MESSAGES = 1 << 11;
        /// Allows sending `/tts` messages.
        const SEND_TTS_MESSAGES = 1 << 12;
        /// Allows deleting other users' messages.
        const MANAGE_MESSAGES = 1 << 13;
        /// Links sent with this permission are auto-embedded.
        const EMBED_LINKS = 1 << 14;
        /// Allows uploading images and files.
        const ATTACH_FILES = 1 << 15;
        /// Allows reading message history.
        const READ_MESSAGE_HISTORY = 1 << 16;
        /// Allows `@everyone` and `@here`.
        const MENTION_EVERYONE = 1 << 17;
        /// Allows custom emojis from other servers.
        const USE_EXTERNAL_EMOJIS = 1 << 18;
        /// Allows viewing guild insights.
        const VIEW_GUILD_INSIGHTS = 1 << 19;
        /// Allows joining a voice channel.
        const CONNECT = 1 << 20;
        /// Allows speaking in a voice channel.
        const SPEAK = 1 << 21;
        /// Allows muting members in voice.
        const MUTE_MEMBERS = 1 << 22;
        /// Allows deafening members in voice.
        const DEAFEN_MEMBERS = 1 << 23;
        /// Allows moving members between voice channels.
        const MOVE_MEMBERS = 1 << 24;
        /// Allows voice-activity detection.
        const USE_VAD = 1 << 25;
        /// Allows changing one's own nickname.
        const CHANGE_NICKNAME = 1 << 26;
        /// Allows changing other users' nicknames.
        const MANAGE_NICKNAMES = 1 << 27;
        /// Allows management of roles ("Manage Permissions" in the client).
        const MANAGE_ROLES = 1 << 28;
        /// Allows management of webhooks.
        const MANAGE_WEBHOOKS = 1 << 29;
        /// Allows editing and deleting emojis, stickers and soundboard sounds of all users
        /// (formerly `MANAGE_EMOJIS_AND_STICKERS`).
        const MANAGE_GUILD_EXPRESSIONS = 1 << 30;
        /// Allows application commands (formerly `USE_SLASH_COMMANDS`).
        const USE_APPLICATION_COMMANDS = 1 << 31;
        /// Allows requesting to speak in stage channels.
        const REQUEST_TO_SPEAK = 1 << 32;
        /// Allows editing and deleting scheduled events of all users.
        const MANAGE_EVENTS = 1 << 33;
        /// Allows deleting and archiving threads, and viewing all private threads.
        const MANAGE_THREADS = 1 << 34;
        /// Allows creating public and announcement threads.
        const CREATE_PUBLIC_THREADS = 1 << 35;
        /// Allows creating private threads.
        const CREATE_PRIVATE_THREADS = 1 << 36;
        /// Allows custom stickers from other servers.
        const USE_EXTERNAL_STICKERS = 1 << 37;
        /// Allows sending messages in threads.
        const SEND_MESSAGES_IN_THREADS = 1 << 38;
        /// Allows Activities (formerly `START_EMBEDDED_ACTIVITIES`).
        const USE_EMBEDDED_ACTIVITIES = 1 << 39;
        /// Allows timing out users ("Timeout Members").
        const MODERATE_MEMBERS = 1 << 40;
        /// Allows viewing role subscription insights.
        const VIEW_CREATOR_MONETIZATION_ANALYTICS = 1 << 41;
        /// Allows the soundboard in voice.
        const USE_SOUNDBOARD = 1 << 42;
        /// Allows creating expressions and editing one's own.
        const CREATE_GUILD_EXPRESSIONS = 1 << 43;
        /// Allows creating scheduled events and editing one's own.
        const CREATE_EVENTS = 1 << 44;
        /// Allows soundboard sounds from other servers.
        const USE_EXTERNAL_SOUNDS = 1 << 45;
        /// Allows sending voice messages.
        const SEND_VOICE_MESSAGES = 1 << 46;
        // Bit 47 is not assigned in Discord's documentation.
        /// Allows setting the voice channel status.
        const SET_VOICE_CHANNEL_STATUS = 1 << 48;
        /// Allows sending polls.
        const SEND_POLLS = 1 << 49;
        /// Allows user-installed apps to send public responses.
        const USE_EXTERNAL_APPS = 1 << 50;
        /// Allows pinning and unpinning messages (split from `MANAGE_MESSAGES`).
        const PIN_MESSAGES = 1 << 51;
        /// Allows bypassing slowmode (bit 52: beyond JavaScript's exact 2^53 range once
        /// combined, which is why permissions are strings).
        const BYPASS_SLOWMODE = 1 << 52;
    }
}

/// Former names Discord has renamed, accepted by [`Permissions::parse_name`].
const ALIASES: &[(&str, Permissions)] = &[
    ("MANAGE_EMOJIS", Permissions::MANAGE_GUILD_EXPRESSIONS),
    (
        "MANAGE_EMOJIS_AND_STICKERS",
        Permissions::MANAGE_GUILD_EXPRESSIONS,
    ),
    ("USE_SLASH_COMMANDS", Permissions::USE_APPLICATION_COMMANDS),
    ("USE_PUBLIC_THREADS", Permissions::CREATE_PUBLIC_THREADS),
    ("USE_PRIVATE_THREADS", Permissions::CREATE_PRIVATE_THREADS),
    (
        "START_EMBEDDED_ACTIVITIES",
        Permissions::USE_EMBEDDED_ACTIVITIES,
    ),
    ("READ_MESSAGES", Permissions::VIEW_CHANNEL),
];

impl Permissions {
    /// The names of the documented flags that are set, lowest bit first. Unknown bits have
    /// no name and are left out (they stay in the value).
    pub fn names(&self) -> Vec<&'static str> {
        self.iter_names().map(|(name, _)| name).collect()
    }

    /// The bits Discord has not documented (yet).
    pub fn unknown_bits(&self) -> u64 {
        self.bits() & !Permissions::all().bits()
    }

    /// Looks a flag up by name, ignoring ASCII case and accepting former names
    /// (`MANAGE_EMOJIS_AND_STICKERS`, `USE_SLASH_COMMANDS`, ...). The exact-case lookup is
    /// the generated [`Permissions::from_name`].
    pub fn parse_name(name: &str) -> Option<Permissions> {
        let upper = name.trim().to_ascii_uppercase();
        Permissions::from_name(&upper).or_else(|| {
            ALIASES
                .iter()
                .find(|(alias, _)| *alias == upper)
                .map(|(_, flag)| *flag)
        })
    }

    /// Whether every bit of `required` is granted; `ADMINISTRATOR` grants everything, as
    /// Discord computes base permissions.
    /// <https://discord.com/developers/docs/topics/permissions#permission-overwrites>
    pub fn has(&self, required: Permissions) -> bool {
        self.contains(Permissions::ADMINISTRATOR) || self.contains(required)
    }

    /// [`Permissions::has`] by flag name (see [`Permissions::parse_name`]); an unknown name is
    /// an [`InputError::Invalid`] on the field `permission`.
    pub fn has_name(&self, name: &str) -> Result<bool, InputError> {
        Permissions::parse_name(name)
            .map(|flag| self.has(flag))
            .ok_or_else(|| InputError::Invalid {
                field: "permission",
                reason: ["unknown permission name \"", name, "\""].concat(),
            })
    }
}

impl fmt::Display for Permissions {
    /// The decimal value, as Discord writes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.bits(), f)
    }
}

impl FromStr for Permissions {
    type Err = SnowflakeParseError;

    /// Reads Discord's decimal string; unknown bits are kept.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_decimal_u64(s).map(Permissions::from_bits_retain)
    }
}

impl Serialize for Permissions {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.bits())
    }
}

impl<'de> Deserialize<'de> for Permissions {
    /// Accepts the decimal string of API v8+ and, tolerantly, a JSON number (API v6).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(U64Visitor {
                expecting: "permissions as a decimal string",
            })
            .map(Permissions::from_bits_retain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_values() {
        assert_eq!(Permissions::ADMINISTRATOR.bits(), 0x8);
        assert_eq!(Permissions::MANAGE_GUILD_EXPRESSIONS.bits(), 0x4000_0000);
        assert_eq!(Permissions::SEND_POLLS.bits(), 0x0002_0000_0000_0000);
        assert_eq!(Permissions::BYPASS_SLOWMODE.bits(), 0x0010_0000_0000_0000);
        assert_eq!(Permissions::all().iter_names().count(), 52);
        assert!(Permissions::from_bits(1 << 47).is_none());
    }

    #[test]
    fn guild_example_permissions() {
        // "permissions": "36953089" from the partial guild example of GET /users/@me/guilds.
        let p: Permissions = serde_json::from_str("\"36953089\"").unwrap();
        assert_eq!(
            p.names(),
            [
                "CREATE_INSTANT_INVITE",
                "VIEW_CHANNEL",
                "SEND_MESSAGES",
                "SEND_TTS_MESSAGES",
                "EMBED_LINKS",
                "ATTACH_FILES",
                "READ_MESSAGE_HISTORY",
                "MENTION_EVERYONE",
                "CONNECT",
                "SPEAK",
                "USE_VAD"
            ]
        );
        assert!(p.has(Permissions::SPEAK | Permissions::CONNECT));
        assert!(!p.has(Permissions::MANAGE_GUILD));
    }

    #[test]
    fn beyond_2_pow_53_survives() {
        let raw = "18014398509481983"; // 2^54 - 1: bits 0..=53, 53 unknown.
        let p: Permissions = serde_json::from_str(&format!("\"{raw}\"")).unwrap();
        assert_eq!(p.bits(), (1 << 54) - 1);
        assert_eq!(p.unknown_bits(), (1 << 53) | (1 << 47));
        assert_eq!(serde_json::to_string(&p).unwrap(), format!("\"{raw}\""));
        assert_eq!(p.to_string(), raw);
        assert_eq!(raw.parse::<Permissions>().unwrap(), p);
        let max: Permissions = serde_json::from_str("\"18446744073709551615\"").unwrap();
        assert_eq!(max.bits(), u64::MAX);
    }

    #[test]
    fn administrator_implies_all() {
        let admin = Permissions::ADMINISTRATOR;
        assert!(admin.has(Permissions::MANAGE_GUILD));
        assert!(admin.has(Permissions::all()));
        assert_eq!(admin.has_name("manage_guild"), Ok(true));
        assert_eq!(Permissions::empty().has_name("MANAGE_GUILD"), Ok(false));
        assert!(Permissions::empty().has(Permissions::empty()));
    }

    #[test]
    fn names_and_aliases() {
        assert_eq!(
            Permissions::from_name("MANAGE_GUILD"),
            Some(Permissions::MANAGE_GUILD)
        );
        assert_eq!(Permissions::from_name("manage_guild"), None);
        assert_eq!(
            Permissions::parse_name(" manage_guild "),
            Some(Permissions::MANAGE_GUILD)
        );
        assert_eq!(
            Permissions::parse_name("MANAGE_EMOJIS_AND_STICKERS"),
            Some(Permissions::MANAGE_GUILD_EXPRESSIONS)
        );
        assert_eq!(Permissions::parse_name("NOPE"), None);
        assert_eq!(Permissions::parse_name(""), None);
        assert!(matches!(
            Permissions::empty().has_name("NOPE"),
            Err(InputError::Invalid {
                field: "permission",
                ..
            })
        ));
        for (name, flag) in Permissions::all().iter_names() {
            assert_eq!(Permissions::parse_name(name), Some(flag));
        }
    }

    #[test]
    fn bad_values_are_errors() {
        for bad in [
            "\"\"",
            "\"-1\"",
            "\"1.0\"",
            "\"0x10\"",
            "\"18446744073709551616\"",
            "-1",
            "1.5",
            "1e20",
            "null",
            "{}",
            "[]",
            "true",
        ] {
            assert!(serde_json::from_str::<Permissions>(bad).is_err(), "{bad}");
        }
        assert_eq!(
            serde_json::from_str::<Permissions>("2112").unwrap().bits(),
            2112
        );
    }

    proptest::proptest! {
        #[test]
        fn roundtrip_keeps_every_bit(bits: u64) {
            let p = Permissions::from_bits_retain(bits);
            let json = serde_json::to_string(&p).unwrap();
            proptest::prop_assert_eq!(serde_json::from_str::<Permissions>(&json).unwrap(), p);
            proptest::prop_assert_eq!(p.to_string().parse::<Permissions>().unwrap(), p);
        }

        #[test]
        fn has_agrees_with_bits(a: u64, b: u64) {
            let (pa, pb) = (Permissions::from_bits_retain(a), Permissions::from_bits_retain(b));
            proptest::prop_assert_eq!(pa.has(pb), a & 8 != 0 || a & b == b);
        }
    }
}
