//! What the Worker keeps: the login state (in a cookie) and a session (in Workers KV).
//!
//! A session's KV value is JSON holding the user profile, scopes and timestamps in the clear,
//! and the tokens sealed with AES-256-GCM (associated data: the KV key). Pure data and
//! conversions, no Worker types; unit-tested natively.

use super::crypto::{Keys, NoRandom, Tampered};
use crate::discord::secret::{AccessToken, RefreshToken};
use crate::discord::token::TokenSet;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

/// Format version of the KV value.
pub const SESSION_VERSION: u8 = 1;

/// The login state sealed in `__Host-discord_oauth_state` between `/auth/login` and
/// `/auth/callback`. Never stored server-side, so login and callback may run anywhere.
#[derive(Clone, Serialize, Deserialize)]
pub struct LoginState {
    /// The OAuth2 `state` sent to Discord.
    #[serde(rename = "s")]
    pub state: String,
    /// The PKCE code verifier.
    #[serde(rename = "v")]
    pub verifier: String,
    /// Where to send the browser afterwards (validated path).
    #[serde(rename = "r")]
    pub return_to: String,
    /// Expiry, ms since the epoch.
    #[serde(rename = "e")]
    pub expires_at: u64,
    /// The `redirect_uri` sent to Discord; the exchange must repeat it.
    #[serde(rename = "u")]
    pub redirect_uri: String,
    /// The login's `data` (JSON text), given back with the session (docs/contract.md §12).
    #[serde(rename = "d", default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// The OpenID Connect `nonce` sent with an `openid` login, checked against the id_token
    /// (docs/oidc.md).
    #[serde(rename = "n", default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// Whether the login came through the Linked Roles Verification URL: the callback then
    /// pushes the user's role connection (docs/linked-roles.md).
    #[serde(rename = "l", default, skip_serializing_if = "std::ops::Not::not")]
    pub linked_roles: bool,
}

impl fmt::Debug for LoginState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginState")
            .field("return_to", &self.return_to)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// The tokens of a session, sealed before they reach KV. `Debug` is redacted by the newtypes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tokens {
    /// The Bearer token.
    pub access_token: AccessToken,
    /// The refresh token (rotated on every refresh).
    pub refresh_token: Option<RefreshToken>,
    /// When the access token expires, ms since the epoch.
    pub expires_at: u64,
}

impl Tokens {
    /// The core's view of these tokens, for its lifecycle ([`crate::discord::lifecycle`]).
    pub fn to_set(&self) -> TokenSet {
        TokenSet {
            access_token: self.access_token.clone(),
            token_type: "Bearer".to_owned(),
            expires_at_ms: self.expires_at,
            refresh_token: self.refresh_token.clone(),
            scope: String::new(),
            guild: None,
            webhook: None,
            id_token: None,
        }
    }

    /// The tokens of a core [`TokenSet`] (what a session seals).
    pub fn from_set(set: &TokenSet) -> Tokens {
        Tokens {
            access_token: set.access_token.clone(),
            refresh_token: set.refresh_token.clone(),
            expires_at: set.expires_at_ms,
        }
    }
}

/// The KV value of a session.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct StoredSession {
    /// Format version ([`SESSION_VERSION`]).
    pub v: u8,
    /// [`Tokens`] as JSON, sealed by [`Keys::seal_session`].
    pub tokens: String,
    /// The user from `GET /users/@me`, as Discord sent it.
    pub user: serde_json::Value,
    /// The granted scopes.
    pub scopes: Vec<String>,
    /// ms since the epoch.
    pub created_at: u64,
    /// ms since the epoch.
    pub updated_at: u64,
    /// The session's end, ms since the epoch.
    pub expires_at: u64,
    /// The guild the bot joined at this login (`bot` scope), as Discord sent it; it survives
    /// every refresh (Discord sends it only at the code exchange).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guild: Option<serde_json::Value>,
    /// The webhook created at this login (`webhook.incoming`) without its `token` and `url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<serde_json::Value>,
    /// The webhook's `token` and `url`, sealed like the tokens (bound to the key + `#webhook`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_secret: Option<String>,
    /// When the stored user was fetched from Discord, ms since the epoch (0: at `created_at`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub user_at: u64,
    /// The login's `data`, as given to `/auth/login`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The webhook's credentials, which never leave the Worker but through [`Session::webhook`].
const WEBHOOK_SECRET_FIELDS: [&str; 2] = ["token", "url"];

/// A session in memory: the KV key, the stored value and its opened tokens.
#[derive(Clone, Debug)]
pub struct Session {
    /// The KV key (a keyed hash of the session id).
    pub kv_key: String,
    /// The stored value.
    pub stored: StoredSession,
    /// The opened tokens.
    pub tokens: Tokens,
    /// Discord's last `/users/@me` answer found equal to the stored user.
    pub seen_user: SeenUser,
}

/// The exact text of Discord's last `/users/@me` answer (a 200) that was parsed and found equal
/// to the session's stored user. It lives with the isolate's opened session, so a later answer
/// identical byte for byte is known to be that same JSON user without parsing and comparing it
/// again (docs/worker.md, "Calls out of the Worker"). Empty on a new or copied session.
#[derive(Default)]
pub struct SeenUser(std::cell::RefCell<Option<Box<str>>>);

impl SeenUser {
    /// Whether `body` is the remembered answer.
    pub(crate) fn is(&self, body: &str) -> bool {
        self.0
            .try_borrow()
            .is_ok_and(|seen| seen.as_deref() == Some(body))
    }

    /// Remembers `body`, an answer just found equal to the stored user.
    pub(crate) fn remember(&self, body: &str) {
        if let Ok(mut seen) = self.0.try_borrow_mut() {
            *seen = Some(body.into());
        }
    }

    fn is_empty(&self) -> bool {
        self.0.try_borrow().map_or(true, |seen| seen.is_none())
    }
}

/// A copy starts empty: it may be changed (a refresh, a new user) while the original is not.
impl Clone for SeenUser {
    fn clone(&self) -> SeenUser {
        SeenUser::default()
    }
}

impl fmt::Debug for SeenUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.is_empty() {
            "SeenUser(none)"
        } else {
            "SeenUser(..)"
        })
    }
}

impl Session {
    /// Builds the KV value for `tokens`, sealing them under a fresh nonce.
    pub fn seal(&mut self, keys: &Keys, tokens: Tokens, now_ms: u64) -> Result<String, NoRandom> {
        let plain = serde_json::to_vec(&tokens).map_err(|_| NoRandom)?;
        self.stored.tokens = keys.seal_session(&plain, self.kv_key.as_bytes())?;
        self.stored.updated_at = now_ms;
        self.tokens = tokens;
        serde_json::to_string(&self.stored).map_err(|_| NoRandom)
    }

    /// Reads a KV value; `Err` when it is malformed or its tokens do not open.
    pub fn open(keys: &Keys, kv_key: &str, raw: &str) -> Result<Session, Tampered> {
        let stored: StoredSession = serde_json::from_str(raw).map_err(|_| Tampered)?;
        if stored.v != SESSION_VERSION {
            return Err(Tampered);
        }
        let plain = keys.open_session(&stored.tokens, kv_key.as_bytes())?;
        let tokens: Tokens = serde_json::from_slice(&plain).map_err(|_| Tampered)?;
        Ok(Session {
            kv_key: kv_key.to_owned(),
            stored,
            tokens,
            seen_user: SeenUser::default(),
        })
    }

    /// The seconds KV should keep this session (never under KV's minimum of 60).
    pub fn ttl_secs(&self, now_ms: u64) -> u64 {
        (self.stored.expires_at.saturating_sub(now_ms) / 1000).max(60)
    }

    /// Keeps the login's webhook: its public fields in the clear, its `token` and `url` sealed.
    pub fn set_webhook(
        &mut self,
        keys: &Keys,
        mut webhook: serde_json::Value,
    ) -> Result<(), NoRandom> {
        let mut secret = serde_json::Map::new();
        if let Some(obj) = webhook.as_object_mut() {
            for field in WEBHOOK_SECRET_FIELDS {
                if let Some(v) = obj.remove(field) {
                    secret.insert(field.to_owned(), v);
                }
            }
        }
        let plain = serde_json::to_vec(&secret).map_err(|_| NoRandom)?;
        let aad = [self.kv_key.as_str(), "#webhook"].concat();
        self.stored.webhook_secret = Some(keys.seal_session(&plain, aad.as_bytes())?);
        self.stored.webhook = Some(webhook);
        Ok(())
    }

    /// The webhook created at this login (`webhook.incoming`) with its `token` and `url`: for
    /// the host Worker only (docs/contract.md §12); `None` without one.
    pub fn webhook(&self, keys: &Keys) -> Option<serde_json::Value> {
        let mut webhook = self.stored.webhook.clone()?;
        let aad = [self.kv_key.as_str(), "#webhook"].concat();
        if let Some(sealed) = &self.stored.webhook_secret
            && let Ok(plain) = keys.open_session(sealed, aad.as_bytes())
            && let Ok(serde_json::Value::Object(secret)) = serde_json::from_slice(&plain)
            && let Some(obj) = webhook.as_object_mut()
        {
            obj.extend(secret);
        }
        Some(webhook)
    }

    /// Whether the stored user is older than `max_age_ms` at `now_ms`.
    pub fn user_is_stale(&self, max_age_ms: u64, now_ms: u64) -> bool {
        let at = if self.stored.user_at == 0 {
            self.stored.created_at
        } else {
            self.stored.user_at
        };
        now_ms.saturating_sub(at) >= max_age_ms
    }

    /// The user's id, from the stored profile.
    pub fn user_id(&self) -> Option<&str> {
        self.stored.user.get("id").and_then(|v| v.as_str())
    }

    /// Whether the session was granted `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.stored.scopes.iter().any(|s| s == scope)
    }
}

/// Sessions an isolate has opened, keyed by KV key and held with the exact KV value they were
/// opened from, so that reading the identical value again skips the JSON parse and the
/// AES-GCM open (the result of opening is a pure function of the keys, the KV key and the
/// value). A changed value (a refresh, another isolate's write) never matches and is opened
/// afresh. Entries live at most `ttl_ms` and there are at most `capacity` of them, so opened
/// tokens do not stay in memory indefinitely. One cache belongs to one set of [`Keys`].
pub struct OpenCache {
    entries: HashMap<String, OpenEntry>,
    capacity: usize,
    ttl_ms: u64,
    hits: u64,
}

struct OpenEntry {
    raw: String,
    session: Rc<Session>,
    at: u64,
}

impl OpenCache {
    /// An empty cache of at most `capacity` sessions, each kept at most `ttl_ms`.
    pub fn new(capacity: usize, ttl_ms: u64) -> OpenCache {
        OpenCache {
            entries: HashMap::new(),
            capacity,
            ttl_ms,
            hits: 0,
        }
    }

    /// [`Session::open`], answered from the cache when `raw` is the value last opened (or
    /// written, see [`OpenCache::put`]) for `kv_key` within the last `ttl_ms`.
    pub fn open(
        &mut self,
        keys: &Keys,
        kv_key: &str,
        raw: &str,
        now_ms: u64,
    ) -> Result<Session, Tampered> {
        self.open_shared(keys, kv_key, raw, now_ms)
            .map(Rc::unwrap_or_clone)
    }

    /// [`OpenCache::open`] without copying the cached session: the hot path reads it, and
    /// copies it only to change it (`Rc::unwrap_or_clone`).
    pub fn open_shared(
        &mut self,
        keys: &Keys,
        kv_key: &str,
        raw: &str,
        now_ms: u64,
    ) -> Result<Rc<Session>, Tampered> {
        if let Some(e) = self.entries.get(kv_key)
            && e.raw == raw
            && now_ms.saturating_sub(e.at) < self.ttl_ms
        {
            self.hits += 1;
            return Ok(Rc::clone(&e.session));
        }
        let session = Rc::new(Session::open(keys, kv_key, raw)?);
        self.insert(raw, Rc::clone(&session), now_ms);
        Ok(session)
    }

    /// Records `session` as what `raw` (its KV value, just written or read) opens to.
    pub fn put(&mut self, raw: &str, session: &Session, now_ms: u64) {
        self.insert(raw, Rc::new(session.clone()), now_ms);
    }

    fn insert(&mut self, raw: &str, session: Rc<Session>, now_ms: u64) {
        if self.capacity == 0 {
            return;
        }
        if !self.entries.contains_key(&session.kv_key) && self.entries.len() >= self.capacity {
            let ttl = self.ttl_ms;
            self.entries
                .retain(|_, e| now_ms.saturating_sub(e.at) < ttl);
            if self.entries.len() >= self.capacity {
                self.entries.clear();
            }
        }
        self.entries.insert(
            session.kv_key.clone(),
            OpenEntry {
                raw: raw.to_owned(),
                session,
                at: now_ms,
            },
        );
    }

    /// Drops what is cached for `kv_key` (the session was deleted).
    pub fn forget(&mut self, kv_key: &str) {
        self.entries.remove(kv_key);
    }

    /// How many opens were answered from the cache (no JSON parse, no AES-GCM open).
    pub fn hits(&self) -> u64 {
        self.hits
    }

    /// How many sessions are cached.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// ms since the epoch as RFC 3339 UTC with milliseconds, e.g. `2026-05-01T12:00:00.000Z`.
pub fn rfc3339(ms: u64) -> String {
    let secs = ms / 1000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60,
        ms % 1000
    )
}
