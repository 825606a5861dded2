//! Sessions in Workers KV, or in Durable Objects when the Worker binds `SESSION_STORE`
//! ([`super::objects`]; docs/contract.md §9). The functions taking a [`DiscordAuth`] choose the
//! backend; the rest is KV's.
//!
//! The key is `session:<hex HMAC-SHA256 of the session id>`, never the cookie value; the value
//! is a [`StoredSession`] with the tokens sealed. KV is eventually consistent (up to 60 s
//! between locations) and has no atomic update, so writes happen at once after a token
//! rotation, and an isolate remembers the newest tokens it saw for each session (see
//! [`remember`]), which spares a second refresh with a rotated refresh token.
//!
//! Reading a session parses its JSON and opens its sealed tokens; an isolate keeps what it
//! opened beside the exact KV value ([`OpenCache`]), so a repeat read of an unchanged value
//! (every `/auth/session` and `/api` call between two refreshes) costs only the KV read and a
//! string comparison.
//! <https://developers.cloudflare.com/kv/concepts/how-kv-works/>

use super::auth::{Backend, DiscordAuth};
use super::config::Settings;
use super::crypto::is_session_id;
use super::objects;
use super::respond::ApiError;
use super::session::{OpenCache, Session, StoredSession, Tokens};
use std::cell::RefCell;
use std::collections::HashMap;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen_futures::JsFuture;
use worker::kv::KvStore;

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
async fn get_text(kv: &RawKv, key: &str) -> Result<Option<String>, ApiError> {
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
fn open(settings: &Settings, key: &str, raw: &str, now_ms: u64) -> Option<Session> {
    OPENED
        .with(|c| {
            c.try_borrow_mut()
                .ok()
                .map(|mut c| c.open(&settings.keys, key, raw, now_ms))
        })
        .unwrap_or_else(|| Session::open(&settings.keys, key, raw))
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
    let raw = match &auth.backend {
        Backend::Kv { kv, .. } => kv
            .get(key)
            .text()
            .await
            .map_err(|_| storage_error("read"))?,
        Backend::Objects(ns) => objects::load(ns, key).await?,
    };
    Ok(raw.and_then(|raw| live(&auth.settings, key, &raw, now_ms)))
}

/// Reads the session of a cookie value (KV: through the raw binding, one call per read).
/// `Ok(None)`: no such session, a value that does not open, or an expired one (the cookie is
/// then worth clearing).
pub async fn load(
    auth: &DiscordAuth,
    session_id: &str,
    now_ms: u64,
) -> Result<Option<Session>, ApiError> {
    let Some(key) = key_of(&auth.settings, session_id) else {
        return Ok(None);
    };
    let raw = match &auth.backend {
        Backend::Kv { raw, .. } => get_text(raw, &key).await?,
        Backend::Objects(ns) => objects::load(ns, &key).await?,
    };
    Ok(raw.and_then(|raw| live(&auth.settings, &key, &raw, now_ms)))
}

/// The session a KV value holds, when it opens and has not expired, with the newest tokens
/// this isolate knows of.
pub fn live(settings: &Settings, key: &str, raw: &str, now_ms: u64) -> Option<Session> {
    let mut session = open(settings, key, raw, now_ms)?;
    if session.stored.expires_at <= now_ms {
        return None;
    }
    if let Some(newer) = newer_than(key, &session.tokens) {
        session.tokens = newer;
    }
    Some(session)
}

/// Writes `session` with `tokens` sealed under a fresh nonce (KV: one retry on a failure).
pub async fn save(
    auth: &DiscordAuth,
    session: &mut Session,
    tokens: Tokens,
    now_ms: u64,
) -> Result<(), ApiError> {
    let value = session
        .seal(&auth.settings.keys, tokens, now_ms)
        .map_err(|_| ApiError::new(500, "internal_error", "could not seal the session"))?;
    match &auth.backend {
        Backend::Kv { kv, .. } => save_kv(kv, session, &value, now_ms).await?,
        Backend::Objects(ns) => {
            objects::save(
                ns,
                &session.kv_key,
                value.clone(),
                session.stored.expires_at,
            )
            .await?
        }
    }
    OPENED.with(|c| {
        if let Ok(mut c) = c.try_borrow_mut() {
            c.put(&value, session, now_ms);
        }
    });
    Ok(())
}

/// Stores a session just created by a login (the caller then indexes it by user:
/// [`super::user_index::index_new`]).
pub async fn create(
    auth: &DiscordAuth,
    session: &mut Session,
    tokens: Tokens,
    now_ms: u64,
) -> Result<(), ApiError> {
    save(auth, session, tokens, now_ms).await
}

async fn save_kv(
    kv: &KvStore,
    session: &Session,
    value: &str,
    now_ms: u64,
) -> Result<(), ApiError> {
    let ttl = session.ttl_secs(now_ms);
    for _ in 0..2 {
        let put = match kv.put(&session.kv_key, value) {
            Ok(p) => p.expiration_ttl(ttl),
            Err(_) => continue,
        };
        if put.execute().await.is_ok() {
            return Ok(());
        }
    }
    Err(storage_error("write"))
}

/// Replaces a session's stored user with `user` when it differs (docs/contract.md §12), without
/// touching its tokens: the stored value is re-read and only `user`, `user_at` and
/// `updated_at` change (sealed tokens read earlier are never written back: that could
/// resurrect a rotated refresh token). Durable Objects: done in place by the object. Whether
/// anything was written; nothing is when the user is the same.
pub async fn update_user(
    auth: &DiscordAuth,
    kv_key: &str,
    user: &serde_json::Value,
    now_ms: u64,
) -> Result<bool, ApiError> {
    let changed = match &auth.backend {
        Backend::Objects(ns) => objects::update_user(ns, kv_key, user, now_ms).await?,
        Backend::Kv { kv, .. } => {
            let raw = kv
                .get(kv_key)
                .text()
                .await
                .map_err(|_| storage_error("read"))?;
            let Some(updated) = raw.as_deref().and_then(|r| with_user(r, user, now_ms)) else {
                return Ok(false);
            };
            let expires_at = serde_json::from_str::<StoredSession>(&updated)
                .map(|s| s.expires_at)
                .unwrap_or(now_ms);
            let ttl = (expires_at.saturating_sub(now_ms) / 1000).max(60);
            kv.put(kv_key, updated)
                .map_err(|_| storage_error("write"))?
                .expiration_ttl(ttl)
                .execute()
                .await
                .map_err(|_| storage_error("write"))?;
            true
        }
    };
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

/// Deletes a session (KV: one retry on a failure; Durable Objects: at once everywhere).
pub async fn delete(auth: &DiscordAuth, kv_key: &str) -> Result<(), ApiError> {
    forget(kv_key);
    match &auth.backend {
        Backend::Kv { kv, .. } => {
            for _ in 0..2 {
                if kv.delete(kv_key).await.is_ok() {
                    return Ok(());
                }
            }
            Err(storage_error("delete"))
        }
        Backend::Objects(ns) => objects::delete(ns, kv_key).await,
    }
}
