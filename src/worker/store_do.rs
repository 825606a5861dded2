//! [`DurableObjectStore`]: sessions in Durable Objects (the `SESSION_STORE` binding, class
//! [`DiscordSessionStore`](super::DiscordSessionStore); docs/contract.md §9), as a
//! [`SessionStore`]. Every operation is one call to the session's object (or the user's index
//! object) through [`super::objects`]; the object runs refreshes itself, once for every
//! isolate, and updates the user in place.

use super::config::ConfigError;
use super::objects::{self, DO_BINDING};
use super::session_store::{RefreshAnswer, RefreshAsk, SealedSession, SessionStore, StoreFuture};
use std::fmt;
use worker::Env;
use worker::durable::ObjectNamespace;

/// Sessions in the Durable Objects of a namespace (by default `SESSION_STORE`): consistent
/// everywhere, refreshed exactly once per expiry, each user's index exact. Cheap to clone.
#[derive(Clone)]
pub struct DurableObjectStore {
    ns: ObjectNamespace,
}

impl fmt::Debug for DurableObjectStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DurableObjectStore")
    }
}

impl DurableObjectStore {
    /// The `SESSION_STORE` namespace of `env`; [`ConfigError::NoStore`] without the binding.
    pub fn from_env(env: &Env) -> Result<DurableObjectStore, ConfigError> {
        env.durable_object(DO_BINDING)
            .map(DurableObjectStore::new)
            .map_err(|_| ConfigError::NoStore)
    }

    /// A store over `ns` (a namespace of class `DiscordSessionStore`).
    pub fn new(ns: ObjectNamespace) -> DurableObjectStore {
        DurableObjectStore { ns }
    }
}

impl SessionStore for DurableObjectStore {
    fn load<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<SealedSession>> {
        Box::pin(async move {
            Ok(objects::load(&self.ns, key)
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
        Box::pin(objects::save(
            &self.ns,
            key,
            value.into_string(),
            expires_at,
        ))
    }

    fn update_user<'a>(
        &'a self,
        key: &'a str,
        user: &'a serde_json::Value,
        now_ms: u64,
    ) -> StoreFuture<'a, bool> {
        // In place, by the object: its tokens stay as they are.
        Box::pin(objects::update_user(&self.ns, key, user, now_ms))
    }

    fn delete<'a>(&'a self, key: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(objects::delete(&self.ns, key))
    }

    fn index_add<'a>(
        &'a self,
        user_id: &'a str,
        key: &'a str,
        _expires_at: u64,
        _now_ms: u64,
    ) -> StoreFuture<'a, ()> {
        Box::pin(objects::index_add(&self.ns, user_id, key))
    }

    fn index_remove<'a>(
        &'a self,
        _user_id: &'a str,
        _key: &'a str,
        _now_ms: u64,
    ) -> StoreFuture<'a, ()> {
        // The object's index may name ended sessions: reading one finds nothing, and the
        // next end of the user clears them.
        Box::pin(async { Ok(()) })
    }

    fn index_list<'a>(&'a self, user_id: &'a str, _now_ms: u64) -> StoreFuture<'a, Vec<String>> {
        Box::pin(objects::index_list(&self.ns, user_id))
    }

    fn end_user<'a>(&'a self, user_id: &'a str, _now_ms: u64) -> StoreFuture<'a, usize> {
        // The index object deletes every session it lists, at once for every isolate.
        Box::pin(async move { Ok(objects::end_user(&self.ns, user_id).await? as usize) })
    }

    fn refresh<'a>(&'a self, ask: RefreshAsk<'a>) -> Option<StoreFuture<'a, RefreshAnswer>> {
        Some(Box::pin(async move {
            Ok(objects::refresh(&self.ns, ask.key, ask.seen).await)
        }))
    }
}
