//! Sessions through the [`SessionStore`](super::SessionStore) of a [`DiscordAuth`] (Workers KV, Durable Objects
//! when the Worker binds `SESSION_STORE`, or a host Worker's own; docs/contract.md §9, §12):
//! sealing and opening, the isolate's caches, and the raw KV read of the fast path.
//!
//! The key is `session:<hex HMAC-SHA256 of the session id>`, never the cookie value; the value
//! is a [`StoredSession`](super::session::StoredSession) with the tokens sealed. KV is eventually consistent (up to 60 s
//! between locations) and has no atomic update, so writes happen at once after a token
//! rotation, and an isolate remembers the newest tokens it saw for each session (see
//! [`remember`]), which spares a second refresh with a rotated refresh token.
//!
//! Reading a session parses its JSON and opens its sealed tokens; an isolate keeps what it
//! opened beside the exact KV value ([`OpenCache`]), so a repeat read of an unchanged value
//! (every `/auth/session` and `/api` call between two refreshes) costs only the KV read and a
//! string comparison.
//! <https://developers.cloudflare.com/kv/concepts/how-kv-works/>

use super::auth::DiscordAuth;
use super::config::Settings;
use super::crypto::is_session_id;
use super::respond::ApiError;
use super::session::{OpenCache, Session, Tokens};
use super::session_store::SealedSession;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    /// The `SESSIONS` KV namespace as the runtime gives it. Read through it directly, a `get`
    /// is one call with the key: `KvStore::get` builds an options object per read.
    #[derive(Clone, Debug)]
    pub type RawKv;

    /// `get(key)`: a promise of the value as text, or `null`.
    #[wasm_bindgen(method, catch)]
    fn get(this: &RawKv, key: &str) -> Result<js_sys::Promise, wasm_bindgen::JsValue>;
}

/// The runtime's promise of the text stored under `key` (`null` when there is none).
pub fn get_promise(kv: &RawKv, key: &str) -> Result<js_sys::Promise, ApiError> {
    kv.get(key).map_err(|_| storage_error("read"))
}

/// The text stored under `key`, if any.
pub(crate) async fn get_text(kv: &RawKv, key: &str) -> Result<Option<String>, ApiError> {
    let value = JsFuture::from(get_promise(kv, key)?)
        .await
        .map_err(|_| storage_error("read"))?;
    Ok(value.as_string())
}

/// The KV key of a session cookie's value; `None` when the value cannot be a session id.
pub fn key_of(settings: &Settings, session_id: &str) -> Option<String> {
    is_session_id(session_id).then(|| settings.keys.kv_key(session_id))
}

/// How long an isolate remembers the newest tokens of a session after a refresh.
const REMEMBER_MS: u64 = 10 * 60 * 1000;

/// How many opened sessions an isolate keeps, and for how long.
const OPENED_CAPACITY: usize = 512;
const OPENED_TTL_MS: u64 = 60 * 1000;

thread_local! {
    /// The newest tokens this isolate wrote per KV key, and when.
    static LATEST: RefCell<HashMap<String, (Tokens, u64)>> = RefCell::new(HashMap::new());
    /// Sessions this isolate opened, with the KV values they came from. The keys never change
    /// within an isolate: `DiscordAuth::from_env` reads the settings once.
    static OPENED: RefCell<OpenCache> = RefCell::new(OpenCache::new(OPENED_CAPACITY, OPENED_TTL_MS));
}

/// Opens a KV value through the isolate's [`OpenCache`] (directly when it is busy).
fn open(settings: &Settings, key: &str, raw: &str, now_ms: u64) -> Option<Rc<Session>> {
    OPENED
        .with(|c| {
            c.try_borrow_mut()
                .ok()
                .map(|mut c| c.open_shared(&settings.keys, key, raw, now_ms))
        })
        .unwrap_or_else(|| Session::open(&settings.keys, key, raw).map(Rc::new))
        .ok()
}

/// Remembers the newest tokens of a session (after a refresh), for requests that read KV
/// before the refresh was written.
pub fn remember(kv_key: &str, tokens: &Tokens, now_ms: u64) {
    LATEST.with(|l| {
        if let Ok(mut map) = l.try_borrow_mut() {
            map.retain(|_, (_, at)| now_ms.saturating_sub(*at) < REMEMBER_MS);
            map.insert(kv_key.to_owned(), (tokens.clone(), now_ms));
        }
    });
}

/// Forgets a session's remembered tokens (logout, revocation).
pub fn forget(kv_key: &str) {
    LATEST.with(|l| {
        if let Ok(mut map) = l.try_borrow_mut() {
            map.remove(kv_key);
        }
    });
    OPENED.with(|c| {
        if let Ok(mut c) = c.try_borrow_mut() {
            c.forget(kv_key);
        }
    });
}

/// When this isolate last refreshed the session, if it remembers (the core's lifecycle does
/// not refresh tokens that young merely for expiring soon).
pub fn refreshed_at(kv_key: &str) -> Option<u64> {
    LATEST.with(|l| l.try_borrow().ok()?.get(kv_key).map(|(_, at)| *at))
}

/// The remembered tokens of a session when they are newer than `tokens`.
pub fn newer_than(kv_key: &str, tokens: &Tokens) -> Option<Tokens> {
    LATEST.with(|l| {
        let map = l.try_borrow().ok()?;
        let (t, _) = map.get(kv_key)?;
        (t.expires_at > tokens.expires_at && t.access_token != tokens.access_token)
            .then(|| t.clone())
    })
}

pub(crate) fn storage_error(what: &str) -> ApiError {
    ApiError::new(
        503,
        "storage_unavailable",
        format!("the session store failed to {what}"),
    )
}

/// Reads a session by key (see [`load`]).
pub async fn load_key(
    auth: &DiscordAuth,
    key: &str,
    now_ms: u64,
) -> Result<Option<Session>, ApiError> {
    let raw = auth.store.load(key).await?;
    Ok(raw.and_then(|raw| live(&auth.settings, key, raw.as_str(), now_ms)))
}

/// Reads the session of a cookie value. `Ok(None)`: no such session, a value that does not
/// open, or an expired one (the cookie is then worth clearing).
pub async fn load(
    auth: &DiscordAuth,
    session_id: &str,
    now_ms: u64,
) -> Result<Option<Session>, ApiError> {
    let Some(key) = key_of(&auth.settings, session_id) else {
        return Ok(None);
    };
    load_key(auth, &key, now_ms).await
}

/// The session a stored value holds, when it opens and has not expired, with the newest
/// tokens this isolate knows of.
pub fn live(settings: &Settings, key: &str, raw: &str, now_ms: u64) -> Option<Session> {
    live_shared(settings, key, raw, now_ms).map(Rc::unwrap_or_clone)
}

/// [`live`], sharing the isolate's opened session instead of copying it (the hot path only
/// reads it; a copy is made when the tokens are newer than the stored ones).
pub(crate) fn live_shared(
    settings: &Settings,
    key: &str,
    raw: &str,
    now_ms: u64,
) -> Option<Rc<Session>> {
    let mut session = open(settings, key, raw, now_ms)?;
    if session.stored.expires_at <= now_ms {
        return None;
    }
    if let Some(newer) = newer_than(key, &session.tokens) {
        Rc::make_mut(&mut session).tokens = newer;
    }
    Some(session)
}

/// Seals `tokens` into `session` under a fresh nonce.
fn seal(
    auth: &DiscordAuth,
    session: &mut Session,
    tokens: Tokens,
    now_ms: u64,
) -> Result<String, ApiError> {
    session
        .seal(&auth.settings.keys, tokens, now_ms)
        .map_err(|_| ApiError::new(500, "internal_error", "could not seal the session"))
}

/// Keeps what was just written opened in the isolate's cache.
fn cache(value: &str, session: &Session, now_ms: u64) {
    OPENED.with(|c| {
        if let Ok(mut c) = c.try_borrow_mut() {
            c.put(value, session, now_ms);
        }
    });
}

/// Writes `session` with rotated `tokens` sealed under a fresh nonce
/// ([`SessionStore::replace_tokens`](super::SessionStore::replace_tokens)).
pub async fn save(
    auth: &DiscordAuth,
    session: &mut Session,
    tokens: Tokens,
    now_ms: u64,
) -> Result<(), ApiError> {
    let value = seal(auth, session, tokens, now_ms)?;
    auth.store
        .replace_tokens(
            &session.kv_key,
            SealedSession::from_stored(value.clone()),
            session.stored.expires_at,
        )
        .await?;
    cache(&value, session, now_ms);
    Ok(())
}

/// Stores a session just created by a login ([`SessionStore::create`](super::SessionStore::create); the caller then
/// indexes it by user: [`super::user_index::index_new`]).
pub async fn create(
    auth: &DiscordAuth,
    session: &mut Session,
    tokens: Tokens,
    now_ms: u64,
) -> Result<(), ApiError> {
    let value = seal(auth, session, tokens, now_ms)?;
    auth.store
        .create(
            &session.kv_key,
            SealedSession::from_stored(value.clone()),
            session.stored.expires_at,
        )
        .await?;
    cache(&value, session, now_ms);
    Ok(())
}

/// Replaces a session's stored user with `user` when it differs (docs/contract.md §12), without
/// touching its tokens ([`SessionStore::update_user`](super::SessionStore::update_user): the store re-reads the value and
/// changes only `user`, `user_at` and `updated_at`, or updates in place; sealed tokens read
/// earlier are never written back: that could resurrect a rotated refresh token). Whether
/// anything was written; nothing is when the user is the same.
pub async fn update_user(
    auth: &DiscordAuth,
    kv_key: &str,
    user: &serde_json::Value,
    now_ms: u64,
) -> Result<bool, ApiError> {
    let changed = auth.store.update_user(kv_key, user, now_ms).await?;
    if changed {
        OPENED.with(|c| {
            if let Ok(mut c) = c.try_borrow_mut() {
                c.forget(kv_key);
            }
        });
    }
    Ok(changed)
}

/// A stored session's JSON with `user` replaced (and `user_at`, `updated_at` set to `now_ms`);
/// `None` when the user is already that one, or the value is not a session. Every other
/// field, the sealed tokens included, is kept as it is.
pub fn with_user(raw: &str, user: &serde_json::Value, now_ms: u64) -> Option<String> {
    let mut value: serde_json::Value = serde_json::from_str(raw).ok()?;
    let obj = value.as_object_mut()?;
    if obj.get("user") == Some(user) || !obj.contains_key("tokens") {
        return None;
    }
    obj.insert("user".into(), user.clone());
    obj.insert("user_at".into(), now_ms.into());
    obj.insert("updated_at".into(), now_ms.into());
    serde_json::to_string(&value).ok()
}

/// Deletes a session ([`SessionStore::delete`](super::SessionStore::delete)) and drops it from the isolate's caches.
pub async fn delete(auth: &DiscordAuth, kv_key: &str) -> Result<(), ApiError> {
    forget(kv_key);
    auth.store.delete(kv_key).await
}
