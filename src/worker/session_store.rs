//! [`SessionStore`]: where [`DiscordAuth`](super::DiscordAuth) keeps its sessions
//! (docs/worker.md, "Session stores"; docs/contract.md §9 and §12).
//!
//! Two implementations ship: [`KvStore`](super::KvStore) (Workers KV, the default) and
//! [`DurableObjectStore`](super::DurableObjectStore) (chosen by `from_env` when the Worker binds
//! `SESSION_STORE`). A host Worker may bring its own with
//! [`DiscordAuth::with_store`](super::DiscordAuth::with_store): the trait moves
//! [`SealedSession`] values (the session's JSON with the tokens sealed under `SESSION_SECRET`),
//! never a plain token, so a user-written store cannot leak one.
//!
//! What every implementation must give (DiscordAuth relies on it; docs/lifecycle.md):
//! - [`load`](SessionStore::load) returns what the last write stored, or `None`;
//! - [`replace_tokens`](SessionStore::replace_tokens) is called at once after a refresh
//!   rotated the tokens: the old refresh token is dead from then on, so the write must not be
//!   deferred;
//! - [`update_user`](SessionStore::update_user) changes the user alone: re-read the stored
//!   value and replace its user ([`SealedSession::with_user`]), or update in place; never
//!   write back a value read earlier (that could resurrect a rotated refresh token);
//! - refreshes are single-flight: DiscordAuth runs one refresh per session at a time in each
//!   isolate; a store that can do better across isolates (a Durable Object) runs the refresh
//!   itself through [`refresh`](SessionStore::refresh).
//!
//! wasm is single-threaded: the futures are not `Send`. The methods return boxed futures so
//! the trait is dyn-compatible (`Rc<dyn SessionStore>` inside DiscordAuth).

use super::respond::ApiError;
use crate::discord::Error;
use crate::discord::secret::AccessToken;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

/// The future a [`SessionStore`] method returns: boxed, not `Send` (wasm is single-threaded).
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, ApiError>> + 'a>>;

/// A session as stored: its JSON with the access and refresh tokens (and a login webhook's
/// credentials) sealed with AES-GCM under a key from `SESSION_SECRET`, bound to the session's
/// key. Opaque to a store: keep it as text, give it back as it was. `Debug` prints its length
/// only.
#[derive(Clone, PartialEq, Eq)]
pub struct SealedSession(String);

impl SealedSession {
    /// A value read back from storage (what [`SealedSession::as_str`] gave when it was
    /// written). A value that does not open under `SESSION_SECRET` reads as no session.
    pub fn from_stored(text: String) -> SealedSession {
        SealedSession(text)
    }

    /// The text to store.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text to store, owned.
    pub fn into_string(self) -> String {
        self.0
    }

    /// This value with its user replaced by `user` (and `user_at`, `updated_at` set to
    /// `now_ms`), the sealed tokens kept as they are: what
    /// [`SessionStore::update_user`] writes after re-reading the stored value. `None` when
    /// the user is already that one, or the value is not a session.
    pub fn with_user(&self, user: &serde_json::Value, now_ms: u64) -> Option<SealedSession> {
        super::store::with_user(&self.0, user, now_ms).map(SealedSession)
    }

    /// When the session expires (ms since the epoch), if the value says.
    pub fn expires_at(&self) -> Option<u64> {
        #[derive(serde::Deserialize)]
        struct Expiry {
            expires_at: u64,
        }
        serde_json::from_str::<Expiry>(&self.0)
            .ok()
            .map(|e| e.expires_at)
    }
}

impl fmt::Debug for SealedSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SealedSession({} bytes, sealed)", self.0.len())
    }
}

/// A refresh DiscordAuth hands to a store that runs refreshes itself
/// ([`SessionStore::refresh`]): which session, and (privately) the access token the asking
/// call held, which tells a peer's rotation from a token Discord refused early. A store can
/// only pass it on to [`DurableObjectStore`](super::DurableObjectStore).
pub struct RefreshAsk<'a> {
    pub(crate) key: &'a str,
    pub(crate) seen: Option<&'a AccessToken>,
}

impl RefreshAsk<'_> {
    /// The session's key.
    pub fn key(&self) -> &str {
        self.key
    }
}

impl fmt::Debug for RefreshAsk<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshAsk")
            .field("key", &self.key)
            .finish()
    }
}

/// What a refresh run by the store gave: opaque, read by DiscordAuth alone.
#[derive(Debug)]
pub struct RefreshAnswer(pub(crate) Remote);

/// The outcomes of a refresh run by the store.
#[derive(Debug)]
pub(crate) enum Remote {
    /// New tokens: the session's new stored value.
    Rotated(SealedSession),
    /// Discord no longer honours the grant; the store deleted the session.
    Gone,
    /// Discord or the transport failed; the session is kept.
    Failed(Error),
}

/// Where [`DiscordAuth`](super::DiscordAuth) keeps sessions, by key (`session:<hex>`, a keyed
/// hash of the cookie's session id, never the cookie itself), with a per-user index for
/// [`end_user_sessions`](super::DiscordAuth::end_user_sessions) and deauthorizations
/// (docs/contract.md §10). See the module docs for the guarantees. Errors are
/// [`ApiError`]s; a store that cannot reach its storage answers 503 `storage_unavailable`.
pub trait SessionStore {
    /// The value stored under `key`, if any. Expiry is checked by DiscordAuth too.
    fn load<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<SealedSession>>;

    /// Stores a session just created by a login, to be kept until `expires_at` (ms since the
    /// epoch).
    fn create<'a>(
        &'a self,
        key: &'a str,
        value: SealedSession,
        expires_at: u64,
    ) -> StoreFuture<'a, ()>;

    /// Replaces a session's value after a refresh rotated its tokens; called at once (the
    /// old refresh token is dead). `value` is the whole session, user included, sealed
    /// afresh. By default the same write as [`create`](Self::create), which is what KV and
    /// the Durable Objects do; a store that tells the two apart overrides it.
    fn replace_tokens<'a>(
        &'a self,
        key: &'a str,
        value: SealedSession,
        expires_at: u64,
    ) -> StoreFuture<'a, ()> {
        self.create(key, value, expires_at)
    }

    /// Replaces the stored user alone with `user` when it differs: re-read the value and
    /// write [`SealedSession::with_user`]'s result, or update in place. Whether anything was
    /// written (nothing when the user is the same or the session is gone).
    fn update_user<'a>(
        &'a self,
        key: &'a str,
        user: &'a serde_json::Value,
        now_ms: u64,
    ) -> StoreFuture<'a, bool>;

    /// Deletes a session (logout, a refused refresh, a deauthorization).
    fn delete<'a>(&'a self, key: &'a str) -> StoreFuture<'a, ()>;

    /// Records that the session `key` (expiring at `expires_at`) belongs to the Discord user
    /// `user_id`.
    fn index_add<'a>(
        &'a self,
        user_id: &'a str,
        key: &'a str,
        expires_at: u64,
        now_ms: u64,
    ) -> StoreFuture<'a, ()>;

    /// Forgets one session of `user_id` (it was deleted).
    fn index_remove<'a>(
        &'a self,
        user_id: &'a str,
        key: &'a str,
        now_ms: u64,
    ) -> StoreFuture<'a, ()>;

    /// The keys of `user_id`'s sessions as far as the index knows (ended ones may be listed:
    /// loading them finds nothing).
    fn index_list<'a>(&'a self, user_id: &'a str, now_ms: u64) -> StoreFuture<'a, Vec<String>>;

    /// Deletes every session of `user_id` the index knows; how many. The default deletes
    /// each listed session and removes it from the index; when a delete fails, that session
    /// stays indexed and the error is returned.
    fn end_user<'a>(&'a self, user_id: &'a str, now_ms: u64) -> StoreFuture<'a, usize> {
        Box::pin(async move {
            let mut ended = 0;
            let mut failed = None;
            for key in self.index_list(user_id, now_ms).await? {
                match self.delete(&key).await {
                    Ok(()) => {
                        ended += 1;
                        // A stale entry names a deleted session: harmless.
                        let _ = self.index_remove(user_id, &key, now_ms).await;
                    }
                    Err(e) => failed = Some(e),
                }
            }
            match failed {
                Some(e) => Err(e),
                None => Ok(ended),
            }
        })
    }

    /// Runs a refresh of the session once for every isolate (a Durable Object does, under
    /// its input gate). `None`, the default: DiscordAuth refreshes in this isolate, one
    /// refresh per session at a time, and writes the rotation with
    /// [`replace_tokens`](SessionStore::replace_tokens). A wrapper around
    /// [`DurableObjectStore`](super::DurableObjectStore) passes the ask on.
    fn refresh<'a>(&'a self, ask: RefreshAsk<'a>) -> Option<StoreFuture<'a, RefreshAnswer>> {
        let _ = ask;
        None
    }
}
