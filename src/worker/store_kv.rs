//! [`KvStore`]: sessions in Workers KV (the `SESSIONS` binding), the default
//! [`SessionStore`] (docs/worker.md, docs/contract.md §4 and §9).
//!
//! KV is eventually consistent (up to 60 s between locations) and has no atomic update:
//! writes happen at once after a rotation, DiscordAuth keeps a refresh single-flight within
//! an isolate and remembers the newest tokens it wrote (`store::remember`), and the per-user
//! index is best effort (see [`super::user_index`] for the window).
//! <https://developers.cloudflare.com/kv/concepts/how-kv-works/>

use super::auth::{DiscordAuth, kv_bindings, now_ms};
use super::config::{ConfigError, Settings};
use super::respond::ApiError;
use super::session_store::{SealedSession, SessionStore, StoreFuture};
use super::store::{self, RawKv, storage_error};
use super::user_index::{IndexEntry, IndexValue};
use std::fmt;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use worker::Env;
use worker::kv::KvStore as Namespace;

/// Sessions in a Workers KV namespace (by default `SESSIONS`); the index of each user's
/// sessions under `user:<hex HMAC of the user id>` (it names no user to anyone without
/// `SESSION_SECRET`). Cheap to clone.
#[derive(Clone)]
pub struct KvStore {
    kv: Namespace,
    raw: RawKv,
    settings: Rc<Settings>,
}

impl fmt::Debug for KvStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KvStore")
    }
}

impl KvStore {
    /// The `SESSIONS` namespace of `env`, keyed with `auth`'s `SESSION_SECRET` (for the
    /// user index); [`ConfigError::NoStore`] without the binding.
    pub fn from_env(env: &Env, auth: &DiscordAuth) -> Result<KvStore, ConfigError> {
        let (kv, raw) = kv_bindings(env).ok_or(ConfigError::NoStore)?;
        Ok(KvStore::new(kv, raw, auth.settings.clone()))
    }

    /// The KV namespace bound as `binding` (another than `SESSIONS`).
    pub fn from_binding(
        env: &Env,
        binding: &str,
        auth: &DiscordAuth,
    ) -> Result<KvStore, ConfigError> {
        let kv = env.kv(binding).map_err(|_| ConfigError::NoStore)?;
        let raw: RawKv = js_sys::Reflect::get(env.as_ref(), &JsValue::from_str(binding))
            .map_err(|_| ConfigError::NoStore)?
            .unchecked_into();
        Ok(KvStore::new(kv, raw, auth.settings.clone()))
    }

    pub(crate) fn new(kv: Namespace, raw: RawKv, settings: Rc<Settings>) -> KvStore {
        KvStore { kv, raw, settings }
    }

    async fn put(&self, key: &str, value: &str, expires_at: u64) -> Result<(), ApiError> {
        let ttl = (expires_at.saturating_sub(now_ms()) / 1000).max(60);
        // One retry on a failure.
        for _ in 0..2 {
            let put = match self.kv.put(key, value) {
                Ok(p) => p.expiration_ttl(ttl),
                Err(_) => continue,
            };
            if put.execute().await.is_ok() {
                return Ok(());
            }
        }
        Err(storage_error("write"))
    }

    async fn read_index(&self, key: &str) -> Result<IndexValue, ApiError> {
        let raw = self
            .kv
            .get(key)
            .text()
            .await
            .map_err(|_| storage_error("read"))?;
        Ok(IndexValue::parse(raw.as_deref()))
    }

    async fn write_index(&self, key: &str, value: &IndexValue, now: u64) -> Result<(), ApiError> {
        if value.sessions.is_empty() {
            return self
                .kv
                .delete(key)
                .await
                .map_err(|_| storage_error("delete"));
        }
        let text = serde_json::to_string(value).map_err(|_| storage_error("write"))?;
        self.kv
            .put(key, text)
            .map_err(|_| storage_error("write"))?
            .expiration_ttl(value.ttl_secs(now))
            .execute()
            .await
            .map_err(|_| storage_error("write"))
    }

    async fn delete_key(&self, key: &str) -> Result<(), ApiError> {
        // One retry on a failure.
        for _ in 0..2 {
            if self.kv.delete(key).await.is_ok() {
                return Ok(());
            }
        }
        Err(storage_error("delete"))
    }

    async fn end_all(&self, user_id: &str, now: u64) -> Result<usize, ApiError> {
        let key = self.settings.keys.user_index_key(user_id);
        let value = self.read_index(&key).await?;
        let results = futures_util::future::join_all(value.sessions.iter().map(|e| async move {
            store::forget(&e.kv_key);
            let deleted = self.delete_key(&e.kv_key).await;
            super::routes_api::forget_cache(&e.kv_key);
            (e, deleted.is_ok())
        }))
        .await;
        let left: Vec<IndexEntry> = results
            .iter()
            .filter(|(_, ok)| !ok)
            .map(|(e, _)| (*e).clone())
            .collect();
        let ended = results.len() - left.len();
        let rest = IndexValue::of(left);
        let failed = !rest.sessions.is_empty();
        self.write_index(&key, &rest, now).await?;
        if failed {
            return Err(storage_error("delete"));
        }
        Ok(ended)
    }
}

impl SessionStore for KvStore {
    fn load<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<SealedSession>> {
        // Through the raw binding: one call per read.
        Box::pin(async move {
            Ok(store::get_text(&self.raw, key)
                .await?
                .map(SealedSession::from_stored))
        })
    }

    fn create<'a>(
        &'a self,
        key: &'a str,
        value: SealedSession,
        expires_at: u64,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move { self.put(key, value.as_str(), expires_at).await })
    }

    fn update_user<'a>(
        &'a self,
        key: &'a str,
        user: &'a serde_json::Value,
        now_ms: u64,
    ) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            // Re-read, then change the user alone (never tokens read earlier).
            let raw = self
                .kv
                .get(key)
                .text()
                .await
                .map_err(|_| storage_error("read"))?;
            let Some(updated) =
                raw.and_then(|r| SealedSession::from_stored(r).with_user(user, now_ms))
            else {
                return Ok(false);
            };
            let expires_at = updated.expires_at().unwrap_or(now_ms);
            self.kv
                .put(key, updated.into_string())
                .map_err(|_| storage_error("write"))?
                .expiration_ttl((expires_at.saturating_sub(now_ms) / 1000).max(60))
                .execute()
                .await
                .map_err(|_| storage_error("write"))?;
            Ok(true)
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(self.delete_key(key))
    }

    fn index_add<'a>(
        &'a self,
        user_id: &'a str,
        key: &'a str,
        expires_at: u64,
        now_ms: u64,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            // Best effort: a read, then a write (see the user index's note on the KV window).
            let index = self.settings.keys.user_index_key(user_id);
            let mut value = self.read_index(&index).await?;
            value.add(key, expires_at, now_ms);
            self.write_index(&index, &value, now_ms).await
        })
    }

    fn index_remove<'a>(
        &'a self,
        user_id: &'a str,
        key: &'a str,
        now_ms: u64,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let index = self.settings.keys.user_index_key(user_id);
            let mut value = self.read_index(&index).await?;
            if value.remove(key, now_ms) {
                self.write_index(&index, &value, now_ms).await?;
            }
            Ok(())
        })
    }

    fn index_list<'a>(&'a self, user_id: &'a str, now_ms: u64) -> StoreFuture<'a, Vec<String>> {
        Box::pin(async move {
            let value = self
                .read_index(&self.settings.keys.user_index_key(user_id))
                .await?;
            Ok(value
                .sessions
                .into_iter()
                .filter(|e| e.expires_at > now_ms)
                .map(|e| e.kv_key)
                .collect())
        })
    }

    fn end_user<'a>(&'a self, user_id: &'a str, now_ms: u64) -> StoreFuture<'a, usize> {
        Box::pin(self.end_all(user_id, now_ms))
    }
}
