//! OAuth2 scopes: every scope Discord documents, and a set of them.
//!
//! Discord's list: <https://discord.com/developers/docs/topics/oauth2#shared-resources-oauth2-scopes>.
//! Scopes travel space-separated, in the authorize URL's `scope` parameter and in the token
//! response's `scope` field; [`Scopes`] parses and formats that form. An unknown name is an
//! error ([`InputError::UnknownScopes`], listing every unknown name) rather than being dropped,
//! so a typo in a configuration is caught before the user sees Discord's consent screen.

use std::fmt;
use std::str::FromStr;

use crate::discord::error::InputError;

macro_rules! scopes {
    ($( $(#[$doc:meta])* $variant:ident => $name:literal, )*) => {
        /// One OAuth2 scope.
        /// <https://discord.com/developers/docs/topics/oauth2#shared-resources-oauth2-scopes>
        ///
        /// Variants are declared in alphabetical order of their wire names, so that a
        /// [`Scopes`] set formats in a stable, sorted order.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Scope {
            $( $(#[$doc])* $variant, )*
        }

        impl Scope {
            /// Every scope, in the order [`Scopes`] formats them.
            pub const ALL: &'static [Scope] = &[$(Scope::$variant,)*];

            /// The scope's name as Discord spells it, e.g. `guilds.members.read`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Scope::$variant => $name,)*
                }
            }

            /// The scope with this exact (case-sensitive) name, if Discord documents it.
            pub fn from_name(name: &str) -> Option<Scope> {
                match name {
                    $($name => Some(Scope::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

scopes! {
    /// `account.global_name.update`: update the user's global (display) name. Discord Social SDK.
    AccountGlobalNameUpdate => "account.global_name.update",
    /// `activities.read`: the user's "Now Playing/Recently Played" list (not currently available).
    ActivitiesRead => "activities.read",
    /// `activities.write`: update the user's activity (not currently available).
    ActivitiesWrite => "activities.write",
    /// `applications.builds.read`: read build data for the user's applications.
    ApplicationsBuildsRead => "applications.builds.read",
    /// `applications.builds.upload`: upload builds for the user's applications (needs approval).
    ApplicationsBuildsUpload => "applications.builds.upload",
    /// `applications.commands`: add the app's commands to a guild (implied by `bot`).
    ApplicationsCommands => "applications.commands",
    /// `applications.commands.permissions.update`: update command permissions in a guild.
    ApplicationsCommandsPermissionsUpdate => "applications.commands.permissions.update",
    /// `applications.commands.update`: update the app's commands (client credentials only).
    ApplicationsCommandsUpdate => "applications.commands.update",
    /// `applications.entitlements`: read entitlements for the user's applications.
    ApplicationsEntitlements => "applications.entitlements",
    /// `applications.store.update`: read and update store data of the user's applications.
    ApplicationsStoreUpdate => "applications.store.update",
    /// `bot`: puts the app's bot in the guild the user selects (bot authorization flow).
    Bot => "bot",
    /// `connections`: `GET /users/@me/connections` returns linked third-party accounts.
    Connections => "connections",
    /// `dm_channels.messages.read`: read DM messages. Discord Social SDK (limited access).
    DmChannelsMessagesRead => "dm_channels.messages.read",
    /// `dm_channels.messages.write`: send DM messages. Discord Social SDK (limited access).
    DmChannelsMessagesWrite => "dm_channels.messages.write",
    /// `dm_channels.read`: information about the user's DMs and group DMs (needs approval).
    DmChannelsRead => "dm_channels.read",
    /// `email`: `GET /users/@me` also returns `email`.
    Email => "email",
    /// `gateway.connect`: connect to the Gateway as the user. Discord Social SDK.
    GatewayConnect => "gateway.connect",
    /// `gdm.join`: add the user to a group DM.
    GdmJoin => "gdm.join",
    /// `guilds`: `GET /users/@me/guilds` returns basic information about the user's guilds.
    Guilds => "guilds",
    /// `guilds.join`: `PUT /guilds/{guild.id}/members/{user.id}` may add the user to a guild.
    GuildsJoin => "guilds.join",
    /// `guilds.members.read`: `GET /users/@me/guilds/{guild.id}/member`.
    GuildsMembersRead => "guilds.members.read",
    /// `identify`: `GET /users/@me` without `email`.
    Identify => "identify",
    /// `identify.premium`: `GET /users/@me` reports the real `premium_type` (approved partners
    /// only; without it Discord reports `0`). Added May 2026.
    IdentifyPremium => "identify.premium",
    /// `lobbies.write`: create and join lobbies. Discord Social SDK.
    LobbiesWrite => "lobbies.write",
    /// `messages.read`: local RPC: read messages from all client channels.
    MessagesRead => "messages.read",
    /// `openid`: OpenID Connect; the token response then carries an `id_token`.
    Openid => "openid",
    /// `presences.read`: read the user's presence. Discord Social SDK.
    PresencesRead => "presences.read",
    /// `presences.write`: update the user's presence. Discord Social SDK.
    PresencesWrite => "presences.write",
    /// `relationships.read`: the user's friends and implicit relationships (needs approval).
    RelationshipsRead => "relationships.read",
    /// `relationships.write`: manage the user's friends. Discord Social SDK.
    RelationshipsWrite => "relationships.write",
    /// `role_connections.write`: update the user's linked-role connection metadata for the app.
    RoleConnectionsWrite => "role_connections.write",
    /// `rpc`: local RPC: control the user's Discord client (needs approval).
    Rpc => "rpc",
    /// `rpc.activities.write`: local RPC: update the user's activity (needs approval).
    RpcActivitiesWrite => "rpc.activities.write",
    /// `rpc.notifications.read`: local RPC: receive notifications (needs approval).
    RpcNotificationsRead => "rpc.notifications.read",
    /// `rpc.screenshare.read`: local RPC: read screenshare state (needs approval).
    RpcScreenshareRead => "rpc.screenshare.read",
    /// `rpc.screenshare.write`: local RPC: update screenshare settings (needs approval).
    RpcScreenshareWrite => "rpc.screenshare.write",
    /// `rpc.video.read`: local RPC: read video settings (needs approval).
    RpcVideoRead => "rpc.video.read",
    /// `rpc.video.write`: local RPC: update video settings (needs approval).
    RpcVideoWrite => "rpc.video.write",
    /// `rpc.voice.read`: local RPC: read voice settings and events (needs approval).
    RpcVoiceRead => "rpc.voice.read",
    /// `rpc.voice.write`: local RPC: update voice settings (needs approval).
    RpcVoiceWrite => "rpc.voice.write",
    /// `sdk.social_layer`: Discord Social SDK communication features (includes presence).
    SdkSocialLayer => "sdk.social_layer",
    /// `sdk.social_layer_presence`: Discord Social SDK rich presence and friends list.
    SdkSocialLayerPresence => "sdk.social_layer_presence",
    /// `voice`: connect to voice on the user's behalf (needs approval).
    Voice => "voice",
    /// `webhook.incoming`: creates a webhook returned in the code grant's token response.
    WebhookIncoming => "webhook.incoming",
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Scope {
    type Err = InputError;

    /// Parses one scope name; an unknown one is [`InputError::UnknownScopes`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Scope::from_name(s).ok_or_else(|| InputError::UnknownScopes(vec![s.to_owned()]))
    }
}

impl serde::Serialize for Scope {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Scope {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Scope::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown OAuth2 scope `{name}`")))
    }
}

/// A set of scopes. Formats space-separated in a stable (alphabetical) order, and serializes
/// as a JSON array of names (what the Worker's `/auth/session` answers).
///
/// Kept as a bit set over [`Scope::ALL`] (declared in name order), which iterates in the
/// same alphabetical order a sorted set would, with no tree code in the browser wasm.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Scopes(u64);

// One bit per scope.
const _: () = assert!(Scope::ALL.len() <= 64);

impl Scope {
    const fn bit(self) -> u64 {
        1 << self as u32
    }
}

impl serde::Serialize for Scopes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> serde::Deserialize<'de> for Scopes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Vec::<Scope>::deserialize(d)?.into_iter().collect())
    }
}

impl Scopes {
    /// An empty set.
    pub fn new() -> Self {
        Scopes(0)
    }

    /// Parses Discord's space-separated form (the token response's `scope`, e.g.
    /// `"identify guilds"`). Runs of spaces are tolerated; duplicates collapse. Every unknown
    /// name is reported at once in [`InputError::UnknownScopes`].
    pub fn parse(s: &str) -> Result<Self, InputError> {
        Self::from_list(s.split(' '))
    }

    /// Builds a set from a list of names (the JS `scopes: ["identify", "guilds"]` option).
    /// Empty names are skipped; every unknown name is reported in
    /// [`InputError::UnknownScopes`].
    pub fn from_list<I, S>(names: I) -> Result<Self, InputError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut set = Scopes::new();
        let mut unknown: Vec<String> = Vec::new();
        for name in names {
            let name = name.as_ref().trim();
            if name.is_empty() {
                continue;
            }
            match Scope::from_name(name) {
                Some(scope) => {
                    set.insert(scope);
                }
                None => {
                    if !unknown.iter().any(|u| u == name) {
                        unknown.push(name.to_owned());
                    }
                }
            }
        }
        if unknown.is_empty() {
            Ok(set)
        } else {
            Err(InputError::UnknownScopes(unknown))
        }
    }

    /// Adds a scope; returns whether it was new.
    pub fn insert(&mut self, scope: Scope) -> bool {
        let new = !self.contains(scope);
        self.0 |= scope.bit();
        new
    }

    /// Adds a scope, builder style.
    pub fn with(mut self, scope: Scope) -> Self {
        self.insert(scope);
        self
    }

    /// Whether the set holds `scope`.
    pub fn contains(&self, scope: Scope) -> bool {
        self.0 & scope.bit() != 0
    }

    /// Whether every scope of `other` is in this set (e.g. granted ⊇ required).
    pub fn contains_all(&self, other: &Scopes) -> bool {
        other.0 & !self.0 == 0
    }

    /// The number of scopes.
    pub fn len(&self) -> usize {
        self.0.count_ones() as usize
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0 == 0
    }

    /// The scopes in formatting order.
    pub fn iter(&self) -> impl Iterator<Item = Scope> + '_ {
        let bits = self.0;
        Scope::ALL
            .iter()
            .copied()
            .filter(move |s| bits & s.bit() != 0)
    }

    /// The names, space-separated, in formatting order (what [`Display`](fmt::Display)
    /// writes and what Discord's `scope` parameter takes).
    pub fn joined(&self) -> String {
        let mut out = String::new();
        for scope in self.iter() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(scope.as_str());
        }
        out
    }

    /// The names in formatting order (for a JSON array of strings).
    pub fn names(&self) -> Vec<&'static str> {
        self.iter().map(Scope::as_str).collect()
    }
}

impl fmt::Display for Scopes {
    /// Space-separated, as Discord's `scope` parameter expects.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, scope) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(scope.as_str())?;
        }
        Ok(())
    }
}

impl fmt::Debug for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Scopes({self})")
    }
}

impl FromStr for Scopes {
    type Err = InputError;

    /// Same as [`Scopes::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Scopes::parse(s)
    }
}

impl FromIterator<Scope> for Scopes {
    fn from_iter<T: IntoIterator<Item = Scope>>(iter: T) -> Self {
        let mut set = Scopes::new();
        for scope in iter {
            set.insert(scope);
        }
        set
    }
}

impl From<Scope> for Scopes {
    fn from(scope: Scope) -> Self {
        Scopes::new().with(scope)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scope_round_trips_and_is_sorted() {
        for scope in Scope::ALL {
            assert_eq!(Scope::from_name(scope.as_str()), Some(*scope));
            assert_eq!(scope.as_str().parse::<Scope>().ok(), Some(*scope));
        }
        let names: Vec<&str> = Scope::ALL.iter().map(|s| s.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted, "variants must be declared in name order");
    }

    #[test]
    fn documented_scopes_are_known() {
        // The table at https://discord.com/developers/docs/topics/oauth2#shared-resources-oauth2-scopes
        for name in [
            "activities.read",
            "activities.write",
            "applications.builds.read",
            "applications.builds.upload",
            "applications.commands",
            "applications.commands.update",
            "applications.commands.permissions.update",
            "applications.entitlements",
            "applications.store.update",
            "bot",
            "connections",
            "dm_channels.read",
            "email",
            "gdm.join",
            "guilds",
            "guilds.join",
            "guilds.members.read",
            "identify",
            "identify.premium",
            "messages.read",
            "openid",
            "relationships.read",
            "role_connections.write",
            "rpc",
            "rpc.activities.write",
            "rpc.notifications.read",
            "rpc.voice.read",
            "rpc.voice.write",
            "voice",
            "webhook.incoming",
        ] {
            assert!(Scope::from_name(name).is_some(), "{name}");
        }
    }

    #[test]
    fn parses_space_separated_and_formats_stably() {
        let s = Scopes::parse("identify  guilds identify email").unwrap();
        assert_eq!(s.len(), 3);
        assert!(s.contains(Scope::Identify) && s.contains(Scope::Guilds));
        assert!(!s.contains(Scope::Bot));
        assert_eq!(s.to_string(), "email guilds identify");
        assert_eq!(Scopes::parse(&s.to_string()).unwrap(), s);
        assert_eq!(Scopes::parse("").unwrap(), Scopes::new());
    }

    #[test]
    fn lists_every_unknown_scope() {
        let err = Scopes::from_list(["identify", "idenitfy", "Guilds", "idenitfy"]).unwrap_err();
        assert_eq!(
            err,
            InputError::UnknownScopes(vec!["idenitfy".into(), "Guilds".into()])
        );
        assert!(err.to_string().contains("idenitfy, Guilds"));
    }

    #[test]
    fn serializes_as_array_of_names() {
        let s: Scopes = [Scope::Identify, Scope::GuildsJoin].into_iter().collect();
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, r#"["guilds.join","identify"]"#);
        let back: Scopes = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
        assert!(serde_json::from_str::<Scopes>(r#"["nope"]"#).is_err());
        assert!(back.contains_all(&Scope::Identify.into()));
    }
}
