//! The flags (badges) on a user account: `flags` and `public_flags` of the user object.
//!
//! <https://discord.com/developers/docs/resources/user#user-object-user-flags>
//!
//! Unlike permissions, user flags travel as a JSON *number*. Discord sets undocumented bits
//! too (e.g. bit 50 for collaborators), so unknown bits are kept. Two undocumented bits are
//! named because every Discord library names them and pages want to act on them: `SYSTEM`
//! (1 << 12, the Official Discord System user) and `SPAMMER` (1 << 20, an account Discord
//! flagged as a likely spammer).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::snowflake::U64Visitor;

bitflags::bitflags! {
    /// The flags on a user's account. Unknown bits are kept. Serialized as a JSON number.
    /// <https://discord.com/developers/docs/resources/user#user-object-user-flags>
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
    pub struct UserFlags: u64 {
        /// Discord Employee.
        const STAFF = 1 << 0;
        /// Partnered Server Owner.
        const PARTNER = 1 << 1;
        /// HypeSquad Events Member.
        const HYPESQUAD = 1 << 2;
        /// Bug Hunter Level 1.
        const BUG_HUNTER_LEVEL_1 = 1 << 3;
        /// House Bravery Member.
        const HYPESQUAD_ONLINE_HOUSE_1 = 1 << 6;
        /// House Brilliance Member.
        const HYPESQUAD_ONLINE_HOUSE_2 = 1 << 7;
        /// House Balance Member.
        const HYPESQUAD_ONLINE_HOUSE_3 = 1 << 8;
        /// Early Nitro Supporter.
        const PREMIUM_EARLY_SUPPORTER = 1 << 9;
        /// The user is a team.
        const TEAM_PSEUDO_USER = 1 << 10;
        /// The Official Discord System user (undocumented; set on the account `system: true`
        /// describes).
        const SYSTEM = 1 << 12;
        /// Bug Hunter Level 2.
        const BUG_HUNTER_LEVEL_2 = 1 << 14;
        /// Verified Bot.
        const VERIFIED_BOT = 1 << 16;
        /// Early Verified Bot Developer.
        const VERIFIED_DEVELOPER = 1 << 17;
        /// Moderator Programs Alumni.
        const CERTIFIED_MODERATOR = 1 << 18;
        /// The bot uses only HTTP interactions and is shown in the online member list.
        const BOT_HTTP_INTERACTIONS = 1 << 19;
        /// Discord flagged the account as a likely spammer (undocumented).
        const SPAMMER = 1 << 20;
        /// Active Developer. Documented until March 2026, when it left the table; Discord
        /// still sets the bit (the badge is still shown), so it keeps its name.
        const ACTIVE_DEVELOPER = 1 << 22;
    }
}

impl UserFlags {
    /// The names of the documented flags that are set, lowest bit first (the JS
    /// `userFlags(flags)` helper). Unknown bits have no name and are left out.
    pub fn names(&self) -> Vec<&'static str> {
        self.iter_names().map(|(name, _)| name).collect()
    }

    /// The bits Discord does not document.
    pub fn unknown_bits(&self) -> u64 {
        self.bits() & !UserFlags::all().bits()
    }
}

impl Serialize for UserFlags {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(self.bits())
    }
}

impl<'de> Deserialize<'de> for UserFlags {
    /// Accepts a JSON number and, tolerantly, a decimal string.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(U64Visitor {
                expecting: "user flags as an integer",
            })
            .map(UserFlags::from_bits_retain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_values_and_names() {
        assert_eq!(UserFlags::ACTIVE_DEVELOPER.bits(), 4_194_304);
        assert_eq!(UserFlags::VERIFIED_DEVELOPER.bits(), 131_072);
        // The user example's "flags": 64 and the /oauth2/@me example's "public_flags": 131072.
        let f: UserFlags = serde_json::from_str("64").unwrap();
        assert_eq!(f.names(), ["HYPESQUAD_ONLINE_HOUSE_1"]);
        let f: UserFlags = serde_json::from_str("131072").unwrap();
        assert_eq!(f.names(), ["VERIFIED_DEVELOPER"]);
        assert_eq!(UserFlags::all().names().len(), 17);
        assert_eq!(UserFlags::SYSTEM.bits(), 4096);
        assert_eq!(UserFlags::SPAMMER.bits(), 1_048_576);
        let f: UserFlags = serde_json::from_str("1052672").unwrap();
        assert_eq!(f.names(), ["SYSTEM", "SPAMMER"]);
    }

    #[test]
    fn unknown_bits_are_kept() {
        let raw = (1u64 << 50) | (1 << 21) | 1;
        let f: UserFlags = serde_json::from_str(&raw.to_string()).unwrap();
        assert_eq!(f.names(), ["STAFF"]);
        assert_eq!(f.unknown_bits(), (1 << 50) | (1 << 21));
        assert_eq!(serde_json::to_string(&f).unwrap(), raw.to_string());
        let s: UserFlags = serde_json::from_str("\"64\"").unwrap();
        assert_eq!(s, UserFlags::HYPESQUAD_ONLINE_HOUSE_1);
    }

    #[test]
    fn bad_values_are_errors() {
        for bad in ["-1", "1.5", "\"x\"", "null", "[]", "18446744073709551616"] {
            assert!(serde_json::from_str::<UserFlags>(bad).is_err(), "{bad}");
        }
    }
}
