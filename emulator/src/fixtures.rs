//! Fixtures: the applications, users, guilds, memberships and connections the emulator serves.
//!
//! A default set is built in ([`Fixtures::default`]); `--fixtures FILE` replaces it with a JSON
//! file of the same shape (schema in `emulator/README.md`; `discord-emulator --print-fixtures`
//! prints the defaults as a starting point).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Default access-token lifetime in seconds (7 days, as in Discord's token responses).
pub const DEFAULT_TOKEN_LIFETIME: u64 = 604_800;

/// Everything the emulator knows at start-up (and returns to on `POST /_emulator/reset`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixtures {
    /// Registered applications (OAuth2 clients).
    pub applications: Vec<AppFixture>,
    /// User objects, Discord-shaped; the first is the default user. `email` and `verified` are
    /// only served with the `email` scope.
    pub users: Vec<Value>,
    /// Guild objects (`id`, `name`, `icon`, `banner`, `owner_id`, `features`,
    /// `approximate_member_count`, `approximate_presence_count`, …).
    #[serde(default)]
    pub guilds: Vec<Value>,
    /// Which user is in which guild, with what permissions, and the member object.
    #[serde(default)]
    pub memberships: Vec<MembershipFixture>,
    /// Connection objects, each with an extra `user_id` naming its owner.
    #[serde(default)]
    pub connections: Vec<Value>,
    /// Access-token lifetime in seconds.
    #[serde(default = "default_lifetime")]
    pub token_lifetime: u64,
    /// Rate-limit buckets.
    #[serde(default)]
    pub rate_limits: RateLimitConfig,
}

fn default_lifetime() -> u64 {
    DEFAULT_TOKEN_LIFETIME
}

fn yes() -> bool {
    true
}

/// One registered application.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppFixture {
    /// Application (client) id.
    pub id: String,
    /// Name shown on the consent page.
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Icon hash or null.
    #[serde(default)]
    pub icon: Option<String>,
    /// Client secret; `null` for a public client.
    #[serde(default)]
    pub secret: Option<String>,
    /// "Public Client" switch of the Developer Portal: may exchange codes with PKCE and no
    /// secret, and may not request `role_connections.write`.
    #[serde(default)]
    pub public_client: bool,
    /// Bot token (used as `Authorization: Bot <token>`), if the app has a bot.
    #[serde(default)]
    pub bot_token: Option<String>,
    /// The bot's user object.
    #[serde(default)]
    pub bot: Option<Value>,
    /// Id of the owning user (client-credentials tokens act as this user).
    pub owner_id: String,
    /// Registered redirect URIs (exact match).
    pub redirect_uris: Vec<String>,
    /// Guilds the bot is in (it can add members only there).
    #[serde(default)]
    pub bot_guild_ids: Vec<String>,
    /// Initial linked-roles metadata records.
    #[serde(default)]
    pub role_connections_metadata: Vec<Value>,
    /// Hex Ed25519 public key for interactions and Webhook Events: the public half of the
    /// application's events key (see `events::seed`). Filled in when absent; when given it
    /// must match.
    #[serde(default)]
    pub verify_key: Option<String>,
    /// The Ed25519 seed (RFC 8032 private key, 64 hex characters) signing this application's
    /// Webhook Events; absent: derived from the application id (reproducible).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events_private_key: Option<String>,
    /// Where Webhook Events are POSTed (`http://` only); absent: `--events-url`, or none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events_url: Option<String>,
    /// Whether anyone may add the bot.
    #[serde(default = "yes")]
    pub bot_public: bool,
}

/// A user's membership in a guild.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MembershipFixture {
    /// Guild id.
    pub guild_id: String,
    /// User id.
    pub user_id: String,
    /// The user's permissions in the guild, a decimal string (may exceed 2^53).
    pub permissions: String,
    /// The guild member object without `user` (`nick`, `roles`, `joined_at`, …).
    #[serde(default)]
    pub member: Value,
}

/// A request budget: `limit` requests per `window_ms` milliseconds (0 disables the limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    /// Requests per window.
    pub limit: u32,
    /// Window length in milliseconds.
    pub window_ms: u64,
}

/// Rate-limit configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitConfig {
    /// Budget of every route bucket not listed in `routes`.
    #[serde(default = "default_route_limit")]
    pub default: Limit,
    /// Per-route budgets, keyed `"METHOD /api/v10/route/{param}"`.
    #[serde(default = "default_routes")]
    pub routes: BTreeMap<String, Limit>,
    /// Budget across all routes for one Bearer or Bot token (Discord's global limit); `null`
    /// disables it.
    #[serde(default = "default_global")]
    pub global: Option<Limit>,
}

fn default_route_limit() -> Limit {
    // Discord's per-route buckets are commonly 5 requests per short window
    // (https://discord.com/developers/docs/topics/rate-limits#header-format).
    Limit {
        limit: 5,
        window_ms: 1000,
    }
}

fn default_routes() -> BTreeMap<String, Limit> {
    // The token endpoints are keyed by the Authorization header, or shared by all clients that
    // authenticate in the body, so they get a roomier budget.
    let roomy = Limit {
        limit: 20,
        window_ms: 1000,
    };
    BTreeMap::from([
        ("POST /api/v10/oauth2/token".to_owned(), roomy),
        ("POST /api/v10/oauth2/token/revoke".to_owned(), roomy),
    ])
}

fn default_global() -> Option<Limit> {
    // "All bots can make up to 50 requests per second to our API."
    // https://discord.com/developers/docs/topics/rate-limits#global-rate-limit
    Some(Limit {
        limit: 50,
        window_ms: 1000,
    })
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig {
            default: default_route_limit(),
            routes: default_routes(),
            global: default_global(),
        }
    }
}

/// Ids of the built-in fixtures, for tests and documentation.
pub mod ids {
    /// The confidential application.
    pub const CONFIDENTIAL_APP: &str = "1100000000000000001";
    /// Its client secret.
    pub const CONFIDENTIAL_SECRET: &str = "emulator-client-secret";
    /// Its bot token.
    pub const BOT_TOKEN: &str = "emulator-bot-token";
    /// The public (PKCE, no secret) application.
    pub const PUBLIC_APP: &str = "1100000000000000002";
    /// The default user (new username system).
    pub const USER: &str = "1150000000000000001";
    /// The legacy user from Discord's docs (Nelly#1337).
    pub const NELLY: &str = "80351110224678912";
    /// A user without avatar (default avatar).
    pub const PLAIN_USER: &str = "1150000000000000003";
    /// Guild owned by the default user.
    pub const OWNED_GUILD: &str = "1160000000000000001";
    /// Guild where the default user has ADMINISTRATOR.
    pub const ADMIN_GUILD: &str = "1160000000000000002";
    /// Guild whose permissions string exceeds 2^53; the bot is not in it.
    pub const BIG_PERMS_GUILD: &str = "1160000000000000003";
}

/// The redirect URIs registered for both built-in applications.
pub const DEFAULT_REDIRECT_URIS: [&str; 7] = [
    "http://localhost:8787/auth/callback",
    "http://127.0.0.1:8787/auth/callback",
    "http://localhost/auth/callback",
    "http://localhost:8787/",
    "http://127.0.0.1:8787/",
    "http://localhost:8787/callback",
    "http://localhost/callback",
];

impl Default for Fixtures {
    fn default() -> Self {
        use ids::*;
        let value = json!({
            "applications": [
                {
                    "id": CONFIDENTIAL_APP,
                    "name": "Emulator Demo",
                    "description": "The discord-emulator's confidential demo application",
                    "icon": "f03590d3eb764081d154a66340ea7d6d",
                    "secret": CONFIDENTIAL_SECRET,
                    "public_client": false,
                    "bot_token": BOT_TOKEN,
                    "bot": {
                        "id": CONFIDENTIAL_APP, "username": "Emulator Demo", "discriminator": "0",
                        "global_name": null, "avatar": null, "bot": true, "public_flags": 0,
                        "flags": 0
                    },
                    "owner_id": USER,
                    "redirect_uris": DEFAULT_REDIRECT_URIS,
                    "bot_guild_ids": [OWNED_GUILD, ADMIN_GUILD]
                },
                {
                    "id": PUBLIC_APP,
                    "name": "Emulator Public Client",
                    "description": "A public client: PKCE without a client secret",
                    "icon": null,
                    "secret": null,
                    "public_client": true,
                    "owner_id": USER,
                    "redirect_uris": DEFAULT_REDIRECT_URIS
                }
            ],
            "users": [
                {
                    "id": USER, "username": "emulator_user", "discriminator": "0",
                    "global_name": "Emulator User",
                    "avatar": "a_1269e74af4df7417b13759eae50c83dc",
                    "banner": "a_6c16474723fe537c283b8efa61a30c8a", "accent_color": 5793266,
                    "banner_color": "#5865f2",
                    // Discord's 2025–26 profile surface, so the demo's card shows it:
                    // https://discord.com/developers/docs/resources/user#user-object
                    "avatar_decoration_data": {
                        "asset": "a_fed43ab12698df65902ba06727e20c0e",
                        "sku_id": "1144058844004233369"
                    },
                    "collectibles": { "nameplate": {
                        "sku_id": "2247558840304243311",
                        "asset": "nameplates/nameplates/twilight/", "label": "",
                        "palette": "cobalt"
                    } },
                    "primary_guild": {
                        "identity_guild_id": OWNED_GUILD, "identity_enabled": true,
                        "tag": "EMU", "badge": "7d1734ae5a615e82bc7a4033b98fade8"
                    },
                    "bot": false, "system": false, "mfa_enabled": true, "locale": "en-US",
                    "flags": 4194368, "public_flags": 4194368, "premium_type": 2,
                    "email": "emulator.user@example.com", "verified": true
                },
                {
                    "id": NELLY, "username": "Nelly", "discriminator": "1337",
                    "global_name": null, "avatar": "8342729096ea3675442027381ff50dfe",
                    "banner": "06c16474723fe537c283b8efa61a30c8", "accent_color": 16711680,
                    "banner_color": "#ff0000", "avatar_decoration_data": null,
                    "collectibles": { "nameplate": null },
                    // A tag the user removed: `identity_enabled` false.
                    "primary_guild": {
                        "identity_guild_id": ADMIN_GUILD, "identity_enabled": false,
                        "tag": "RUST", "badge": "3f2a9c1e7b5d4a6f8e0c1b2d3a4f5e6d"
                    },
                    "bot": false, "system": false, "mfa_enabled": false, "locale": "en-US",
                    "flags": 64, "public_flags": 64, "premium_type": 1,
                    "email": "nelly@discord.com", "verified": true
                },
                {
                    "id": PLAIN_USER, "username": "plain_user", "discriminator": "0",
                    "global_name": "Plain", "avatar": null, "banner": null,
                    "accent_color": null, "banner_color": null, "avatar_decoration_data": null,
                    "collectibles": null, "primary_guild": null,
                    "bot": false, "system": false, "mfa_enabled": false, "locale": "en-GB",
                    "flags": 0, "public_flags": 0, "premium_type": 0,
                    "email": null, "verified": false
                }
            ],
            "guilds": [
                {
                    "id": OWNED_GUILD, "name": "Emulator HQ",
                    "icon": "a_1f1e7d2a8c3b4e5f60718293a4b5c6d7",
                    "banner": "9b6439a7de04f1d26af92f84ac9e1e4a", "owner_id": USER,
                    "features": ["COMMUNITY", "NEWS", "ANIMATED_ICON", "BANNER", "INVITE_SPLASH"],
                    "approximate_member_count": 3, "approximate_presence_count": 2,
                    "system_channel_id": "1170000000000000001"
                },
                {
                    "id": ADMIN_GUILD, "name": "Rustaceans",
                    "icon": "c3d4e5f60718293a4b5c6d7e8f901a2b", "banner": null,
                    "owner_id": NELLY, "features": ["VERIFIED", "VANITY_URL"],
                    "approximate_member_count": 2, "approximate_presence_count": 1,
                    "system_channel_id": "1170000000000000002"
                },
                {
                    "id": BIG_PERMS_GUILD, "name": "Permission Overflow", "icon": null,
                    "banner": null, "owner_id": NELLY, "features": [],
                    "approximate_member_count": 1, "approximate_presence_count": 0,
                    "system_channel_id": "1170000000000000003"
                }
            ],
            "memberships": [
                {
                    "guild_id": OWNED_GUILD, "user_id": USER, "permissions": "2251799813685247",
                    "member": member("Boss", &["1180000000000000001"], "2023-03-14T15:09:26.535000+00:00")
                },
                {
                    "guild_id": ADMIN_GUILD, "user_id": USER, "permissions": "8",
                    "member": member("", &["1180000000000000002"], "2023-05-01T12:00:00.000000+00:00")
                },
                {
                    "guild_id": BIG_PERMS_GUILD, "user_id": USER, "permissions": "18014398509481983",
                    "member": member("", &[], "2024-01-01T00:00:00.000000+00:00")
                },
                {
                    "guild_id": OWNED_GUILD, "user_id": NELLY, "permissions": "104324673",
                    "member": member("Nelly", &[], "2023-04-01T10:00:00.000000+00:00")
                },
                {
                    "guild_id": ADMIN_GUILD, "user_id": NELLY, "permissions": "2251799813685247",
                    "member": member("", &[], "2022-01-01T00:00:00.000000+00:00")
                },
                {
                    "guild_id": OWNED_GUILD, "user_id": PLAIN_USER, "permissions": "104324673",
                    "member": member("", &[], "2024-06-01T08:30:00.000000+00:00")
                }
            ],
            "connections": [
                {
                    "user_id": USER, "type": "github", "id": "583231", "name": "octocat",
                    "verified": true, "friend_sync": false, "show_activity": true,
                    "two_way_link": false, "visibility": 1, "revoked": false, "integrations": []
                },
                {
                    "user_id": USER, "type": "twitch", "id": "44322889", "name": "emulatorstreams",
                    "verified": true, "friend_sync": true, "show_activity": true,
                    "two_way_link": true, "visibility": 1, "revoked": false,
                    "integrations": [{
                        "id": "1190000000000000001", "name": "emulatorstreams", "type": "twitch",
                        "enabled": true, "syncing": true, "role_id": "1180000000000000003",
                        "enable_emoticons": true, "expire_behavior": 0, "expire_grace_period": 1,
                        "account": { "id": "44322889", "name": "emulatorstreams" },
                        "synced_at": "2024-02-02T02:02:02.000000+00:00", "subscriber_count": 12,
                        "revoked": false,
                        "guild": { "id": OWNED_GUILD, "name": "Emulator HQ",
                                   "icon": "a_1f1e7d2a8c3b4e5f60718293a4b5c6d7" }
                    }]
                },
                {
                    "user_id": USER, "type": "youtube", "id": "UC_x5XG1OV2P6uZZ5FSM9Ttw",
                    "name": "Emulator Channel", "verified": true, "friend_sync": false,
                    "show_activity": true, "two_way_link": false, "visibility": 0,
                    "revoked": false, "integrations": []
                },
                {
                    "user_id": NELLY, "type": "steam", "id": "76561197960287930", "name": "nelly",
                    "verified": true, "friend_sync": false, "show_activity": true,
                    "two_way_link": false, "visibility": 1, "revoked": false, "integrations": []
                }
            ],
            "token_lifetime": DEFAULT_TOKEN_LIFETIME
        });
        // The literal above is checked by the unit test below; it cannot fail to parse.
        let mut f: Fixtures = serde_json::from_value(value).expect("built-in fixtures are valid");
        f.fill_verify_keys();
        f
    }
}

fn member(nick: &str, roles: &[&str], joined_at: &str) -> Value {
    json!({
        "nick": if nick.is_empty() { Value::Null } else { Value::from(nick) },
        "avatar": null, "banner": null, "roles": roles, "joined_at": joined_at,
        "premium_since": null, "deaf": false, "mute": false, "flags": 0, "pending": false,
        "communication_disabled_until": null, "unusual_dm_activity_until": null
    })
}

impl Fixtures {
    /// Parses and validates a fixtures file.
    pub fn from_json(text: &str) -> Result<Fixtures, String> {
        let mut f: Fixtures = serde_json::from_str(text).map_err(|e| format!("fixtures: {e}"))?;
        f.validate()?;
        f.fill_verify_keys();
        Ok(f)
    }

    /// Sets each application's `verify_key` to the public half of its events key.
    pub fn fill_verify_keys(&mut self) {
        for a in &mut self.applications {
            a.verify_key = Some(crate::events::verify_key(a));
        }
    }

    /// `--events-url`: the events URL of every application whose fixture names none.
    pub fn set_default_events_url(&mut self, url: &str) {
        for a in &mut self.applications {
            if a.events_url.is_none() {
                a.events_url = Some(url.to_owned());
            }
        }
    }

    /// Checks cross-references and required fields.
    pub fn validate(&self) -> Result<(), String> {
        let str_field = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
        if self.users.is_empty() {
            return Err("fixtures: at least one user is required".into());
        }
        let mut user_ids = Vec::new();
        for u in &self.users {
            let id = str_field(u, "id").ok_or("fixtures: every user needs a string \"id\"")?;
            str_field(u, "username").ok_or(format!("fixtures: user {id} needs a \"username\""))?;
            if user_ids.contains(&id) {
                return Err(format!("fixtures: duplicate user id {id}"));
            }
            user_ids.push(id);
        }
        let mut guild_ids = Vec::new();
        for g in &self.guilds {
            let id = str_field(g, "id").ok_or("fixtures: every guild needs a string \"id\"")?;
            str_field(g, "name").ok_or(format!("fixtures: guild {id} needs a \"name\""))?;
            guild_ids.push(id);
        }
        let mut app_ids = Vec::new();
        for a in &self.applications {
            if app_ids.contains(&a.id) {
                return Err(format!("fixtures: duplicate application id {}", a.id));
            }
            app_ids.push(a.id.clone());
            if a.secret.is_none() && !a.public_client {
                return Err(format!(
                    "fixtures: application {} has no secret but is not a public client",
                    a.id
                ));
            }
            if !user_ids.contains(&a.owner_id) {
                return Err(format!("fixtures: application {} owner is unknown", a.id));
            }
            if a.bot_token.is_some() != a.bot.is_some() {
                return Err(format!(
                    "fixtures: application {} needs both \"bot\" and \"bot_token\" or neither",
                    a.id
                ));
            }
            if let Some(g) = a.bot_guild_ids.iter().find(|g| !guild_ids.contains(g)) {
                return Err(format!(
                    "fixtures: application {} bot guild {g} is unknown",
                    a.id
                ));
            }
            if crate::events::seed(a).is_none() {
                return Err(format!(
                    "fixtures: application {} events_private_key must be 64 hex characters",
                    a.id
                ));
            }
            if let Some(k) = &a.verify_key
                && !k.eq_ignore_ascii_case(&crate::events::verify_key(a))
            {
                return Err(format!(
                    "fixtures: application {} verify_key is not the public half of its events \
                     key (omit it: it is derived)",
                    a.id
                ));
            }
            if let Some(u) = &a.events_url
                && !crate::events::valid_url(u)
            {
                return Err(format!(
                    "fixtures: application {} events_url must be an http:// URL",
                    a.id
                ));
            }
            crate::rolecon::validate_metadata_records(&Value::from(
                a.role_connections_metadata.clone(),
            ))
            .map_err(|_| format!("fixtures: application {} metadata is invalid", a.id))?;
        }
        for m in &self.memberships {
            if !guild_ids.contains(&m.guild_id) || !user_ids.contains(&m.user_id) {
                return Err(format!(
                    "fixtures: membership {}/{} names an unknown guild or user",
                    m.guild_id, m.user_id
                ));
            }
            if m.permissions.parse::<u64>().is_err() {
                return Err(format!(
                    "fixtures: membership {}/{} permissions must be a decimal string",
                    m.guild_id, m.user_id
                ));
            }
        }
        for c in &self.connections {
            let owner = str_field(c, "user_id").unwrap_or_default();
            if !user_ids.contains(&owner) {
                return Err("fixtures: every connection needs a known \"user_id\"".into());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_validate_and_round_trip() {
        let f = Fixtures::default();
        f.validate().unwrap();
        let text = serde_json::to_string(&f).unwrap();
        Fixtures::from_json(&text).unwrap();
    }

    #[test]
    fn rejects_dangling_references() {
        let mut f = Fixtures::default();
        f.applications[0].owner_id = "1".into();
        assert!(f.validate().is_err());
    }
}
