//! The per-user session index (docs/contract.md §9, last bullet; used by §10): Discord user id → the
//! KV keys of that user's sessions, so that "end every session of user X" (a deauthorization,
//! or a host Worker's [`DiscordAuth::end_user_sessions`](super::DiscordAuth::end_user_sessions))
//! is one call.
//!
//! KV mode: one KV entry per user, key [`Keys::user_index_key`](super::crypto::Keys::user_index_key) (`user:<hex HMAC>`: it names no
//! user to anyone without `SESSION_SECRET`, and holds no token), value [`IndexValue`] as JSON:
//! the session KV keys (themselves keyed hashes, never cookie values) with their expiries.
//! Written when a session is created, pruned when one is deleted and of expired entries on
//! every write, deleted when all sessions end.
//!
//! **Best effort.** KV has no atomic update and is eventually consistent
//! (<https://developers.cloudflare.com/kv/concepts/how-kv-works/>): [`UserIndex::add`] is a
//! read, then a write. Two logins of one user whose read-modify-writes overlap (about 10–50 ms
//! in one location; up to 60 s across locations, KV's propagation time) can keep only the
//! later write, and the other session is then missing from the index: a deauthorization does
//! not end it, and it lives until its next Discord call is refused (the grant is gone, so the
//! refresh fails and the session is deleted) or its TTL. README.md (KV section) and
//! SECURITY.md state this window; the Durable Object store (§9) is meant to mirror this API
//! without it.

use super::auth::DiscordAuth;
use super::respond::ApiError;
use serde::{Deserialize, Serialize};

/// The most sessions one user's index keeps; past it the entries closest to expiry are
/// dropped (30-day sessions: 256 logins a month from one account).
pub const MAX_SESSIONS_PER_USER: usize = 256;

/// Format version of the index value.
const INDEX_VERSION: u8 = 1;

/// One session in a user's index.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexEntry {
    /// The session's KV key (`session:<hex>`).
    #[serde(rename = "k")]
    pub kv_key: String,
    /// When the session expires, ms since the epoch.
    #[serde(rename = "e")]
    pub expires_at: u64,
}

/// The KV value of a user's index. Pure data, unit-tested natively.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexValue {
    /// Format version.
    pub v: u8,
    /// The user's sessions.
    #[serde(rename = "s")]
    pub sessions: Vec<IndexEntry>,
}

impl IndexValue {
    /// Reads a stored value; a missing, foreign or malformed one reads as empty (the index
    /// only ever adds sessions to what exists; it never stands in for the sessions).
    pub fn parse(raw: Option<&str>) -> IndexValue {
        raw.and_then(|r| serde_json::from_str::<IndexValue>(r).ok())
            .filter(|v| v.v == INDEX_VERSION)
            .unwrap_or_default()
    }

    /// A value holding `sessions`.
    pub fn of(sessions: Vec<IndexEntry>) -> IndexValue {
        IndexValue {
            v: INDEX_VERSION,
            sessions,
        }
    }

    /// Adds (or refreshes) a session and drops expired entries, keeping at most
    /// [`MAX_SESSIONS_PER_USER`] (the latest to expire).
    pub fn add(&mut self, kv_key: &str, expires_at: u64, now_ms: u64) {
        self.v = INDEX_VERSION;
        self.sessions
            .retain(|e| e.expires_at > now_ms && e.kv_key != kv_key);
        self.sessions.push(IndexEntry {
            kv_key: kv_key.to_owned(),
            expires_at,
        });
        if self.sessions.len() > MAX_SESSIONS_PER_USER {
            self.sessions
                .sort_by_key(|e| std::cmp::Reverse(e.expires_at));
            self.sessions.truncate(MAX_SESSIONS_PER_USER);
        }
    }

    /// Removes a session and drops expired entries; whether anything changed.
    pub fn remove(&mut self, kv_key: &str, now_ms: u64) -> bool {
        let before = self.sessions.len();
        self.sessions
            .retain(|e| e.expires_at > now_ms && e.kv_key != kv_key);
        self.sessions.len() != before
    }

    /// The seconds KV should keep the index: until its last session expires (never under
    /// KV's minimum of 60).
    pub fn ttl_secs(&self, now_ms: u64) -> u64 {
        let last = self
            .sessions
            .iter()
            .map(|e| e.expires_at)
            .max()
            .unwrap_or(0);
        (last.saturating_sub(now_ms) / 1000).max(60)
    }
}

/// The per-user index of the [`SessionStore`](super::SessionStore) a [`DiscordAuth`] uses:
/// best-effort in KV ([`KvStore`](super::KvStore), the format above), exact in Durable
/// Objects (one `user:<id>` object, `objects.rs`), whatever a host Worker's store does.
pub struct UserIndex<'a> {
    auth: &'a DiscordAuth,
}

impl<'a> UserIndex<'a> {
    /// The index of `auth`'s session store.
    pub fn new(auth: &'a DiscordAuth) -> UserIndex<'a> {
        UserIndex { auth }
    }

    /// Records that `kv_key` (a new session, expiring at `expires_at` ms) belongs to
    /// `user_id`. Best effort in KV: see the module's note on the KV window.
    pub async fn add(
        &self,
        user_id: &str,
        kv_key: &str,
        expires_at: u64,
        now_ms: u64,
    ) -> Result<(), ApiError> {
        self.auth
            .store
            .index_add(user_id, kv_key, expires_at, now_ms)
            .await
    }

    /// Forgets one session of `user_id` (it was deleted: logout, revocation).
    pub async fn remove(&self, user_id: &str, kv_key: &str, now_ms: u64) -> Result<(), ApiError> {
        self.auth.store.index_remove(user_id, kv_key, now_ms).await
    }

    /// The keys of `user_id`'s unexpired sessions, as far as the index knows.
    pub async fn sessions(&self, user_id: &str, now_ms: u64) -> Result<Vec<String>, ApiError> {
        self.auth.store.index_list(user_id, now_ms).await
    }

    /// Deletes every session of `user_id` the index knows, then the index; the number of
    /// sessions deleted. No call to Discord (a deauthorized grant is already gone). When a
    /// delete fails, the sessions not deleted stay indexed and the error is returned.
    pub async fn end_all(&self, user_id: &str, now_ms: u64) -> Result<usize, ApiError> {
        self.auth.store.end_user(user_id, now_ms).await
    }
}

/// Indexes a session just created (login): one line at each place that creates sessions.
/// Best effort: a failed index write is logged and does not fail the login.
pub(crate) async fn index_new(ctx: &super::auth::Ctx<'_>, session: &super::session::Session) {
    let Some(user_id) = session.user_id() else {
        return;
    };
    let index = UserIndex::new(ctx.auth);
    if let Err(e) = index
        .add(user_id, &session.kv_key, session.stored.expires_at, ctx.now)
        .await
    {
        ctx.trace.error(e.code);
    }
}

/// Prunes a deleted session (logout, revocation) from its user's index. Best effort: an entry
/// left behind names a deleted session, which `end_all` deletes again harmlessly.
pub(crate) async fn unindex(ctx: &super::auth::Ctx<'_>, session: &super::session::Session) {
    if let Some(user_id) = session.user_id() {
        let index = UserIndex::new(ctx.auth);
        let _ = index.remove(user_id, &session.kv_key, ctx.now).await;
    }
}
