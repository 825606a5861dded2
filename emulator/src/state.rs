//! Mutable emulator state: applications, users, codes, grants, counters, faults, buckets.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::Serialize;
use serde_json::Value;

use crate::events::{Delivery, Pending};
use crate::faults::Fault;
use crate::fixtures::{AppFixture, Fixtures, MembershipFixture};
use crate::ratelimit::RateLimiter;
use crate::util::{DISCORD_EPOCH_MS, now_ms, now_secs, random_token};
use crate::{AutoApprove, Config, LogSink};

/// Authorization codes are valid for 10 minutes (RFC 6749 §4.1.2 recommends at most 10).
pub const CODE_LIFETIME_SECS: f64 = 600.0;

/// The shared emulator: configuration plus state behind a mutex (never held across `.await`).
pub struct Emulator {
    /// The fixtures the state is built from (and reset to).
    pub fixtures: Fixtures,
    /// `--auto-approve`.
    pub auto_approve: AutoApprove,
    /// Where request log lines go.
    pub log: LogSink,
    state: Mutex<State>,
}

/// Shared handle used by the handlers.
pub type Shared = Arc<Emulator>;

impl Emulator {
    /// Builds the emulator from its configuration.
    pub fn new(config: Config) -> Shared {
        let state = State::from_fixtures(&config.fixtures);
        Arc::new(Emulator {
            fixtures: config.fixtures,
            auto_approve: config.auto_approve,
            log: config.log,
            state: Mutex::new(state),
        })
    }

    /// Locks the state; a panic elsewhere never poisons it for good.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Puts the state back to the fixtures and zeroes the counters.
    pub fn reset(&self) {
        *self.lock() = State::from_fixtures(&self.fixtures);
    }
}

/// How a grant was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantKind {
    /// Authorization code exchange.
    AuthorizationCode,
    /// Implicit grant (token in the fragment).
    Implicit,
    /// Client credentials (the owner's token).
    ClientCredentials,
}

/// One authorization: an access token, maybe a refresh token, for a user and an application.
#[derive(Debug, Clone)]
pub struct Grant {
    /// Internal id.
    pub id: u64,
    /// Application id.
    pub app_id: String,
    /// The user who authorized (the owner for client credentials).
    pub user_id: String,
    /// Granted scopes, in the order requested.
    pub scopes: Vec<String>,
    /// Current access token.
    pub access_token: String,
    /// When the access token expires (Unix seconds).
    pub expires_at: f64,
    /// Current refresh token (none for implicit and client-credentials grants).
    pub refresh_token: Option<String>,
    /// How it was made.
    pub kind: GrantKind,
}

impl Grant {
    /// Whether the grant includes `scope`.
    pub fn has(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// The space-separated scope string, as Discord sends it.
    pub fn scope_string(&self) -> String {
        self.scopes.join(" ")
    }
}

/// An issued authorization code.
#[derive(Debug, Clone)]
pub struct Code {
    /// Application id.
    pub app_id: String,
    /// Authorizing user.
    pub user_id: String,
    /// Approved scopes.
    pub scopes: Vec<String>,
    /// The redirect URI given at authorize (`None`: the default one was used).
    pub redirect_uri: Option<String>,
    /// The redirect URI the code was sent to; `None` for an Activity's code, which the
    /// Discord client hands over without any redirect (`/_emulator/activity/authorize`).
    pub effective_redirect_uri: Option<String>,
    /// PKCE S256 challenge.
    pub challenge: Option<String>,
    /// Expiry (Unix seconds).
    pub expires_at: f64,
    /// The grant made from it, once exchanged (a replay revokes it).
    pub grant_id: Option<u64>,
    /// Guild selected for `bot` / `webhook.incoming`.
    pub guild_id: Option<String>,
    /// The authorization request's `nonce` (OpenID Connect), echoed in the id_token.
    pub nonce: Option<String>,
    /// When the user authorized (Unix seconds): the id_token's `auth_time`.
    pub auth_time: f64,
}

/// Counters readable at `GET /_emulator/counters`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counters {
    /// Calls per route, keyed `"METHOD /route/{param}"`.
    pub requests: BTreeMap<String, u64>,
    /// Token grants served, by grant type (`authorization_code`, `refresh_token`,
    /// `client_credentials`, `implicit`).
    pub grants: BTreeMap<String, u64>,
    /// Successful refreshes.
    pub refreshes: u64,
    /// Successful revocations (of a known token).
    pub revocations: u64,
    /// Authorization codes issued.
    pub codes_issued: u64,
    /// Of those, codes issued to an Activity (without a redirect URI).
    pub activity_codes_issued: u64,
    /// Authorization codes exchanged (successfully) without a `redirect_uri` parameter.
    pub exchanges_without_redirect_uri: u64,
    /// Authorization requests denied (Cancel).
    pub denials: u64,
    /// 429 responses sent (real and scripted).
    pub rate_limited: u64,
    /// Scripted faults served.
    pub faults_served: u64,
}

/// Everything that changes while the emulator runs.
pub struct State {
    /// Applications (redirect URIs, bot guilds and metadata may change at run time).
    pub apps: Vec<AppFixture>,
    /// Users.
    pub users: Vec<Value>,
    /// Guilds.
    pub guilds: Vec<Value>,
    /// Memberships.
    pub memberships: Vec<MembershipFixture>,
    /// Connections (with `user_id`).
    pub connections: Vec<Value>,
    /// Outstanding and used codes.
    pub codes: HashMap<String, Code>,
    /// Live grants by id.
    pub grants: HashMap<u64, Grant>,
    /// User role connections keyed by (application id, user id).
    pub role_connections: HashMap<(String, String), Value>,
    /// Access-token lifetime (seconds).
    pub token_lifetime: u64,
    /// Counters.
    pub counters: Counters,
    /// Scripted faults, in order.
    pub faults: Vec<Fault>,
    /// Rate-limit buckets.
    pub limiter: RateLimiter,
    /// The user last picked on the consent page (the "logged-in" browser user).
    pub current_user: String,
    /// Webhook Events sent (newest last, at most `events::KEPT_DELIVERIES`).
    pub deliveries: Vec<Delivery>,
    /// Webhook Events waiting to be sent once the lock is released.
    pub outbox: Vec<Pending>,
    /// OpenID Connect keys and scripted bad id_tokens.
    pub oidc: crate::oidc::OidcState,
    next_id: u64,
}

impl State {
    /// A fresh state from fixtures.
    pub fn from_fixtures(f: &Fixtures) -> State {
        let current_user = f.users[0]["id"].as_str().unwrap_or_default().to_owned();
        State {
            apps: f.applications.clone(),
            users: f.users.clone(),
            guilds: f.guilds.clone(),
            memberships: f.memberships.clone(),
            connections: f.connections.clone(),
            codes: HashMap::new(),
            grants: HashMap::new(),
            role_connections: HashMap::new(),
            token_lifetime: f.token_lifetime,
            counters: Counters::default(),
            faults: Vec::new(),
            limiter: RateLimiter::new(f.rate_limits.clone()),
            current_user,
            deliveries: Vec::new(),
            outbox: Vec::new(),
            oidc: crate::oidc::OidcState::default(),
            next_id: 1,
        }
    }

    /// A fresh snowflake (time-based, unique within this run).
    pub fn snowflake(&mut self) -> String {
        self.next_id += 1;
        let ms = now_ms().saturating_sub(DISCORD_EPOCH_MS);
        ((ms << 22) | (self.next_id & 0x3f_ffff)).to_string()
    }

    /// Application by id.
    pub fn app(&self, id: &str) -> Option<&AppFixture> {
        self.apps.iter().find(|a| a.id == id)
    }

    /// Application by bot token.
    pub fn app_by_bot_token(&self, token: &str) -> Option<&AppFixture> {
        self.apps
            .iter()
            .find(|a| a.bot_token.as_deref() == Some(token))
    }

    /// User object by id.
    pub fn user(&self, id: &str) -> Option<&Value> {
        self.users.iter().find(|u| u["id"] == id)
    }

    /// Guild object by id.
    pub fn guild(&self, id: &str) -> Option<&Value> {
        self.guilds.iter().find(|g| g["id"] == id)
    }

    /// Membership of `user_id` in `guild_id`.
    pub fn membership(&self, guild_id: &str, user_id: &str) -> Option<&MembershipFixture> {
        self.memberships
            .iter()
            .find(|m| m.guild_id == guild_id && m.user_id == user_id)
    }

    /// Creates a grant and returns a copy of it.
    pub fn create_grant(
        &mut self,
        app_id: &str,
        user_id: &str,
        scopes: Vec<String>,
        kind: GrantKind,
    ) -> Grant {
        self.next_id += 1;
        let grant = Grant {
            id: self.next_id,
            app_id: app_id.to_owned(),
            user_id: user_id.to_owned(),
            scopes,
            access_token: random_token(30),
            expires_at: now_secs() + self.token_lifetime as f64,
            refresh_token: (kind == GrantKind::AuthorizationCode).then(|| random_token(30)),
            kind,
        };
        let key = match kind {
            GrantKind::AuthorizationCode => "authorization_code",
            GrantKind::Implicit => "implicit",
            GrantKind::ClientCredentials => "client_credentials",
        };
        *self.counters.grants.entry(key.to_owned()).or_default() += 1;
        self.grants.insert(grant.id, grant.clone());
        grant
    }

    /// The grant whose access token is `token`, if it is live and unexpired.
    pub fn grant_by_access(&self, token: &str) -> Option<&Grant> {
        let now = now_secs();
        self.grants
            .values()
            .find(|g| g.access_token == token && g.expires_at > now)
    }

    /// The id of the grant holding `token` as access or refresh token (expired or not).
    pub fn grant_id_by_any_token(&self, token: &str) -> Option<u64> {
        self.grants
            .values()
            .find(|g| g.access_token == token || g.refresh_token.as_deref() == Some(token))
            .map(|g| g.id)
    }

    /// Rotates the grant holding refresh token `token`: new access and refresh tokens.
    pub fn rotate(&mut self, app_id: &str, token: &str) -> Option<Grant> {
        let lifetime = self.token_lifetime as f64;
        let grant = self
            .grants
            .values_mut()
            .find(|g| g.app_id == app_id && g.refresh_token.as_deref() == Some(token))?;
        grant.access_token = random_token(30);
        grant.refresh_token = Some(random_token(30));
        grant.expires_at = now_secs() + lifetime;
        let copy = grant.clone();
        self.counters.refreshes += 1;
        *self
            .counters
            .grants
            .entry("refresh_token".to_owned())
            .or_default() += 1;
        Some(copy)
    }

    /// Revokes a grant (access and refresh tokens at once).
    pub fn revoke(&mut self, id: u64) -> bool {
        self.grants.remove(&id).is_some()
    }
}
