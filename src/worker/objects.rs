//! Sessions in Durable Objects (`docs/worker.md`, docs/contract.md §9): the binding
//! `SESSION_STORE`, class [`DiscordSessionStore`] (SQLite-backed; `new_sqlite_classes`).
//!
//! Two kinds of object of the one class, by name:
//! - `session:<hex>` (the session's KV-style key): holds the session's value (the same JSON as
//!   in KV, tokens sealed) and its expiry. Every read, write, delete and refresh of the session
//!   goes through this one object, so logout and a refused refresh take effect at once
//!   everywhere, and the refresh is run here, once, under `blockConcurrencyWhile`: a second
//!   isolate asking during it waits and then adopts the rotated tokens. Its alarm deletes it
//!   when the session expires.
//! - `user:<discord user id>`: the exact index of that user's sessions, so that "end every
//!   session of user X" is one call.
//!
//! The Worker talks to them over the objects' internal `fetch` (paths below), and the
//! deployable Worker reads a session over RPC ([`load`]); nothing here is reachable from
//! outside the Worker.
//! <https://developers.cloudflare.com/durable-objects/>

use super::auth::now_ms;
use super::config::Settings;
use super::lifecycle::{self, RefreshStore};
use super::log::Trace;
use super::respond::ApiError;
use super::session::{Session, Tokens};
use super::session_store::{RefreshAnswer, Remote, SealedSession};
use super::store;
use crate::discord::Error;
use crate::discord::error::RateLimited;
use crate::discord::lifecycle::RefreshOutcome;
use crate::discord::secret::AccessToken;
use js_sys::Promise;
use serde::{Deserialize, Serialize};
use std::rc::Rc;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use worker::durable::ObjectNamespace;
use worker::worker_sys::web_sys;
use worker::{DurableObject, Env, Method, Request, Response, State, durable_object};

/// The Durable Object binding of the session store.
pub const DO_BINDING: &str = "SESSION_STORE";

/// The storage keys inside a session object.
const VALUE: &str = "value";
/// When the object expires, ms (its alarm deletes it then); the OpenID grants use it too.
pub(crate) const EXPIRES: &str = "expires_at";
/// The session's key (its object's name), which the sealed tokens are bound to.
const KEY: &str = "key";

/// The answer of a refresh run by a session object.
#[derive(Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
enum Wire {
    /// New tokens: the session's new stored value.
    Rotated { value: String },
    /// Discord no longer honours the grant; the object deleted the session.
    Gone,
    /// Discord or the transport failed; the session is kept.
    Failed { error: WireError },
}

/// A core error carried from the object to the Worker (its code and what the answer needs).
#[derive(Serialize, Deserialize)]
struct WireError {
    code: String,
    message: String,
    #[serde(default)]
    retry_after: Option<f64>,
    #[serde(default)]
    global: Option<bool>,
}

impl WireError {
    fn of(e: &Error) -> WireError {
        WireError {
            code: e.code().as_str().to_owned(),
            message: e.to_string(),
            retry_after: e.retry_after(),
            global: e.global(),
        }
    }

    /// The core error again, as far as the Worker's answer needs it (code, status, wait).
    fn into_error(self) -> Error {
        match self.code.as_str() {
            "rate_limited" => Error::RateLimited(RateLimited {
                retry_after: self.retry_after.unwrap_or(1.0),
                global: self.global.unwrap_or(false),
                scope: None,
                bucket: None,
                message: Some(self.message),
                body: None,
            }),
            "network_error" if self.message.contains("in time") => Error::Timeout,
            "network_error" => Error::Network(self.message),
            "storage_error" => Error::Storage(self.message),
            "config_error" => Error::Config(self.message),
            _ => Error::Api {
                status: 502,
                code: 0,
                message: self.message,
                errors: None,
            },
        }
    }
}

/// What the refresh request carries: the access token the asking call held (internal to the
/// Worker and its objects; it tells a peer's rotation from a token Discord refused early).
#[derive(Serialize, Deserialize)]
struct RefreshAsk {
    seen: String,
}

#[wasm_bindgen]
extern "C" {
    /// A Durable Object namespace binding, called on the runtime's own objects.
    type Namespace;

    /// `namespace.getByName(name)`: the stub of the object named `name`.
    #[wasm_bindgen(method, catch, js_name = getByName)]
    fn get_by_name(this: &Namespace, name: &str) -> Result<ObjectStub, JsValue>;

    /// A Durable Object stub.
    type ObjectStub;

    /// `stub.fetch(url, init)`: the object's `fetch` handler with a URL string, no `Request`
    /// object built first.
    #[wasm_bindgen(method, js_name = fetch)]
    fn fetch(this: &ObjectStub, url: &str, init: &web_sys::RequestInit) -> Promise;

    /// `stub.readSession()` over RPC ([`DiscordSessionStore::read_session`]): a thenable of the
    /// stored value or `null`.
    #[cfg(feature = "worker-entry")]
    #[wasm_bindgen(method, catch, js_name = readSession)]
    fn read_session(this: &ObjectStub) -> Result<JsValue, JsValue>;
}

/// The stub of the object named `name`.
fn stub(ns: &ObjectNamespace, name: &str) -> Result<ObjectStub, ApiError> {
    ns.as_ref()
        .unchecked_ref::<Namespace>()
        .get_by_name(name)
        .map_err(storage_failure)
}

fn storage_failure(_: impl std::fmt::Debug) -> ApiError {
    store::storage_error("reach the session object")
}

/// Sends an internal request to the object named `name` (nothing outside the Worker reaches
/// these paths). On the runtime's own stub, request and response: workers-rs's wrappers cost
/// a `Request`, a `Response` rebuilt field by field and a body read chunk by chunk per call,
/// and every `/api` read makes one such call (`docs/worker.md`).
pub(crate) async fn call(
    ns: &ObjectNamespace,
    name: &str,
    method: Method,
    path: &str,
    body: Option<String>,
) -> Result<web_sys::Response, ApiError> {
    let stub = stub(ns, name)?;
    let init = web_sys::RequestInit::new();
    init.set_method(method.as_ref());
    if let Some(b) = body {
        init.set_body(&JsValue::from(b));
    }
    let url = ["https://session-store", path].concat();
    let resp = JsFuture::from(stub.fetch(&url, &init))
        .await
        .map_err(storage_failure)?;
    resp.dyn_into().map_err(storage_failure)
}

/// The whole body of an object's answer, read by the runtime in one call.
pub(crate) async fn text(resp: &web_sys::Response) -> Result<String, ApiError> {
    let promise = resp.text().map_err(storage_failure)?;
    let value = JsFuture::from(promise).await.map_err(storage_failure)?;
    value.as_string().ok_or_else(|| storage_failure(()))
}

/// The stored value of a session, if any. The deployable Worker reads it over RPC (its entry
/// makes the class a `DurableObject`: scripts/build-worker.sh), which saves the HTTP request and
/// response of a `fetch` on both sides of the hot path's one object call; a host Worker, whose
/// entry is its own, reads it over the object's `fetch`.
#[cfg(feature = "worker-entry")]
pub async fn load(ns: &ObjectNamespace, key: &str) -> Result<Option<String>, ApiError> {
    let value = JsFuture::from(read_promise(ns, key)?)
        .await
        .map_err(|_| store::storage_error("read"))?;
    Ok(value.as_string())
}

/// A promise of the stored value of a session (a string) or `null`, read over RPC; for the
/// hot path's promise reaction (`fast.rs`) and [`load`].
#[cfg(feature = "worker-entry")]
pub(crate) fn read_promise(ns: &ObjectNamespace, key: &str) -> Result<Promise, ApiError> {
    // An RPC call answers a thenable (not a `Promise`): `Promise.resolve` adopts it.
    let answer = stub(ns, key)?.read_session().map_err(storage_failure)?;
    Ok(Promise::resolve(&answer))
}

/// The stored value of a session, if any, over the object's `fetch` (a host Worker's entry is
/// its own, so the class may not be RPC-capable there).
#[cfg(not(feature = "worker-entry"))]
pub async fn load(ns: &ObjectNamespace, key: &str) -> Result<Option<String>, ApiError> {
    let resp = call(ns, key, Method::Get, "/session", None).await?;
    match resp.status() {
        200 => text(&resp).await.map(Some),
        404 => Ok(None),
        _ => Err(store::storage_error("read")),
    }
}

/// Writes a session's value (and arms its expiry alarm).
pub async fn save(
    ns: &ObjectNamespace,
    key: &str,
    value: String,
    expires_at: u64,
) -> Result<(), ApiError> {
    let path = [
        "/session?expires_at=",
        &expires_at.to_string(),
        "&key=",
        key,
    ]
    .concat();
    let resp = call(ns, key, Method::Put, &path, Some(value)).await?;
    if resp.status() == 204 {
        Ok(())
    } else {
        Err(store::storage_error("write"))
    }
}

/// Deletes a session, at once for every isolate.
pub async fn delete(ns: &ObjectNamespace, key: &str) -> Result<(), ApiError> {
    let resp = call(ns, key, Method::Delete, "/session", None).await?;
    if resp.status() == 204 {
        Ok(())
    } else {
        Err(store::storage_error("delete"))
    }
}

/// Replaces the session's stored user in place (the object keeps its tokens as they are);
/// whether it changed.
pub async fn update_user(
    ns: &ObjectNamespace,
    key: &str,
    user: &serde_json::Value,
    now: u64,
) -> Result<bool, ApiError> {
    let body = serde_json::to_string(user).map_err(|_| store::storage_error("write"))?;
    let path = ["/session/user?now=", &now.to_string()].concat();
    let resp = call(ns, key, Method::Patch, &path, Some(body)).await?;
    match resp.status() {
        200 => Ok(text(&resp).await? == "changed"),
        _ => Err(store::storage_error("write")),
    }
}

/// Adds a session to its user's index.
pub async fn index_add(ns: &ObjectNamespace, user_id: &str, key: &str) -> Result<(), ApiError> {
    let name = ["user:", user_id].concat();
    let path = ["/index?key=", key].concat();
    let resp = call(ns, &name, Method::Put, &path, None).await?;
    if resp.status() == 204 {
        Ok(())
    } else {
        Err(store::storage_error("index"))
    }
}

/// The session keys in a user's index (ended ones included until the next [`end_user`]).
pub async fn index_list(ns: &ObjectNamespace, user_id: &str) -> Result<Vec<String>, ApiError> {
    let name = ["user:", user_id].concat();
    let resp = call(ns, &name, Method::Get, "/index", None).await?;
    if resp.status() != 200 {
        return Err(store::storage_error("read the index"));
    }
    serde_json::from_str(&text(&resp).await?).map_err(storage_failure)
}

/// Ends every session of a user (through the exact index); how many there were.
pub async fn end_user(ns: &ObjectNamespace, user_id: &str) -> Result<u64, ApiError> {
    let name = ["user:", user_id].concat();
    let resp = call(ns, &name, Method::Delete, "/index", None).await?;
    if resp.status() != 200 {
        return Err(store::storage_error("end the user's sessions"));
    }
    let text = text(&resp).await?;
    Ok(text.trim().parse().unwrap_or(0))
}

/// Asks the session's object to refresh it (once, whatever the number of isolates asking);
/// the answer carries the new value sealed, never a plain token.
pub async fn refresh(ns: &ObjectNamespace, key: &str, seen: Option<&AccessToken>) -> RefreshAnswer {
    let ask = RefreshAsk {
        seen: seen.map(|t| t.secret().to_owned()).unwrap_or_default(),
    };
    let body = serde_json::to_string(&ask).unwrap_or_default();
    let answer = async {
        let resp = call(ns, key, Method::Post, "/refresh", Some(body)).await?;
        text(&resp).await
    };
    let text = match answer.await {
        Ok(t) => t,
        Err(e) => return RefreshAnswer(Remote::Failed(Error::Storage(e.message))),
    };
    RefreshAnswer(match serde_json::from_str::<Wire>(&text) {
        Ok(Wire::Rotated { value }) => Remote::Rotated(SealedSession::from_stored(value)),
        Ok(Wire::Gone) => Remote::Gone,
        Ok(Wire::Failed { error }) => Remote::Failed(error.into_error()),
        Err(_) => Remote::Failed(Error::Storage(
            "the session object answered a refresh with something else".to_owned(),
        )),
    })
}

pub use class::DiscordSessionStore;

/// The class, in its own module: the `#[durable_object]` macro generates undocumented
/// bindings.
#[allow(missing_docs)]
mod class {
    use super::*;
    use wasm_bindgen::JsValue;

    /// The session store's Durable Object (see the module docs). Exported by the deployable
    /// Worker; a host Worker that binds `SESSION_STORE` exports it too (it is part of this crate).
    #[durable_object(alarm)]
    pub struct DiscordSessionStore {
        state: Rc<State>,
        env: Env,
    }

    impl DurableObject for DiscordSessionStore {
        fn new(state: State, env: Env) -> Self {
            DiscordSessionStore {
                state: Rc::new(state),
                env,
            }
        }

        async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
            let path = req.path();
            let query = req.url().ok().and_then(|u| u.query().map(str::to_owned));
            let param = |name: &str| {
                query.as_deref().and_then(|q| {
                    form_urlencoded::parse(q.as_bytes())
                        .find(|(k, _)| k == name)
                        .map(|(_, v)| v.into_owned())
                })
            };
            let storage = self.state.storage();
            match (req.method(), path.as_str()) {
                (Method::Get, "/session") => {
                    match JsFuture::from(self.read_session()).await?.as_string() {
                        Some(value) => Response::ok(value),
                        None => Response::empty().map(|r| r.with_status(404)),
                    }
                }
                (Method::Put, "/session") => {
                    let value = req.text().await?;
                    let expires_at: u64 = param("expires_at")
                        .and_then(|e| e.parse().ok())
                        .unwrap_or(0);
                    storage.put(VALUE, value).await?;
                    storage.put(EXPIRES, expires_at).await?;
                    storage.put(KEY, param("key").unwrap_or_default()).await?;
                    storage.set_alarm(expires_at as i64).await?;
                    Response::empty().map(|r| r.with_status(204))
                }
                (Method::Patch, "/session/user") => {
                    let user: serde_json::Value = req.json().await?;
                    let now = param("now").and_then(|n| n.parse().ok()).unwrap_or(0);
                    let stored: Option<String> = storage.get(VALUE).await?;
                    match stored.and_then(|raw| store::with_user(&raw, &user, now)) {
                        Some(updated) => {
                            storage.put(VALUE, updated).await?;
                            Response::ok("changed")
                        }
                        None => Response::ok("same"),
                    }
                }
                (Method::Delete, "/session") => {
                    storage.delete_all().await?;
                    let _ = storage.delete_alarm().await;
                    Response::empty().map(|r| r.with_status(204))
                }
                (Method::Post, "/refresh") => {
                    let ask: RefreshAsk = req.json().await?;
                    let wire = self.refresh(ask).await?;
                    Response::from_json(&wire)
                }
                (Method::Put, "/index") => {
                    if let Some(key) = param("key") {
                        storage.put(&["s:", &key].concat(), 1u8).await?;
                    }
                    Response::empty().map(|r| r.with_status(204))
                }
                (Method::Get, "/index") => {
                    let keys: Vec<String> = self.index_keys().await?;
                    Response::from_json(&keys)
                }
                (Method::Delete, "/index") => {
                    let ended = self.end_all().await?;
                    Response::ok(ended.to_string())
                }
                // The OpenID provider's grants (codes and access tokens, `oidc:<id>` objects).
                (_, p) if p.starts_with("/oidc/") => {
                    crate::worker::oidc::object::serve(&self.state, req, now_ms()).await
                }
                _ => Response::error("no such operation", 404),
            }
        }

        async fn alarm(&self) -> worker::Result<Response> {
            // The session's end: delete it, unless it was renewed meanwhile.
            let storage = self.state.storage();
            let expires: Option<u64> = storage.get(EXPIRES).await.ok().flatten();
            match expires {
                Some(at) if at > now_ms() => storage.set_alarm(at as i64).await?,
                _ => storage.delete_all().await?,
            }
            Response::empty()
        }
    }

    impl DiscordSessionStore {
        /// The session keys in this user index (sessions ended one by one stay listed until
        /// the next [`end_all`](Self::end_all); reading them tells).
        async fn index_keys(&self) -> worker::Result<Vec<String>> {
            let entries = self.state.storage().list().await?;
            Ok(entries
                .keys()
                .into_iter()
                .filter_map(|k| k.ok().and_then(|k| k.as_string()))
                .filter_map(|k| k.strip_prefix("s:").map(str::to_owned))
                .collect())
        }

        /// Ends every session in this user index.
        async fn end_all(&self) -> worker::Result<u64> {
            let ns = self.env.durable_object(DO_BINDING)?;
            let mut ended = 0;
            for key in self.index_keys().await? {
                if delete(&ns, &key).await.is_ok() {
                    ended += 1;
                }
            }
            self.state.storage().delete_all().await?;
            Ok(ended)
        }

        /// Runs the core's refresh here, with every other request to this session held until it
        /// is over: one refresh request reaches Discord per expiry.
        async fn refresh(&self, ask: RefreshAsk) -> worker::Result<Wire> {
            let settings =
                match Settings::parse(|name| crate::worker::auth::binding(&self.env, name)) {
                    Ok(s) => Rc::new(s),
                    Err(e) => {
                        return Ok(Wire::Failed {
                            error: WireError::of(&Error::Config(e.to_string())),
                        });
                    }
                };
            let state = self.state.clone();
            self.state
                .block_concurrency_while(async move {
                    let store = ObjectStore {
                        state: state.clone(),
                        settings: settings.clone(),
                    };
                    let now = now_ms();
                    let key: Option<String> = state.storage().get(KEY).await?;
                    let (Some(raw), Some(key)) = (store.value().await?, key) else {
                        return Ok(Wire::Gone);
                    };
                    let Some(session) = Session::open(&settings.keys, &key, &raw)
                        .ok()
                        .filter(|s| s.stored.expires_at > now)
                    else {
                        return Ok(Wire::Gone);
                    };
                    let seen = session.tokens.to_set();
                    let seen = (!ask.seen.is_empty()).then(|| {
                        let mut s = seen.clone();
                        s.access_token = AccessToken::new(ask.seen.clone());
                        s
                    });
                    let trace = Trace::new("DO", "refresh");
                    let outcome =
                        lifecycle::lead_with(&settings, &trace, &session, seen.as_ref(), &store)
                            .await;
                    Ok(match outcome {
                        RefreshOutcome::Rotated(_) => match store.value().await? {
                            Some(value) => Wire::Rotated { value },
                            None => Wire::Gone,
                        },
                        RefreshOutcome::Gone => {
                            state.storage().delete_all().await?;
                            Wire::Gone
                        }
                        RefreshOutcome::Failed(e) => Wire::Failed {
                            error: WireError::of(&e),
                        },
                    })
                })
                .await
        }
    }

    /// What the Worker calls over RPC (docs/worker.md, "Calls out of the Worker"). Only the
    /// deployable Worker's entry makes the class RPC-capable (scripts/build-worker.sh); the
    /// object's `fetch` serves the same read for host Workers.
    #[wasm_bindgen]
    impl DiscordSessionStore {
        /// `stub.readSession()`: the session's stored value while it lives, else `null`; the
        /// read behind every request in Durable Object mode, without an HTTP request and
        /// response around it.
        #[wasm_bindgen(js_name = readSession)]
        pub fn read_session(&self) -> Promise {
            // One storage call and one reaction on it (no Rust future, so no task queue): this
            // is the read of every request in Durable Object mode.
            let keys = vec![JsValue::from_str(EXPIRES), JsValue::from_str(VALUE)];
            let read = match self.state.as_raw().storage() {
                Ok(storage) => storage.get_multiple(keys),
                Err(e) => Err(e),
            };
            let read = match read {
                Ok(read) => read,
                Err(e) => return Promise::reject(&e),
            };
            let state = self.state.clone();
            let on_found = move |found: JsValue| {
                let found: &js_sys::Map = found.unchecked_ref();
                match found.get(&JsValue::from_str(EXPIRES)).as_f64() {
                    Some(at) if at > now_ms() as f64 => found.get(&JsValue::from_str(VALUE)),
                    // Expired: deleted now (the alarm would later), answered as none.
                    Some(_) => wasm_bindgen_futures::future_to_promise(async move {
                        state.storage().delete_all().await.map_err(|_| {
                            JsValue::from_str("the session object could not delete its storage")
                        })?;
                        Ok(JsValue::NULL)
                    })
                    .into(),
                    None => JsValue::NULL,
                }
            };
            let on_error = |_: JsValue| -> JsValue {
                Promise::reject(&JsValue::from_str(
                    "the session object could not read its storage",
                ))
                .into()
            };
            crate::worker::promise::then(&read, on_found, on_error)
        }
    }
}

/// A session object's own storage, for the refresh it runs.
struct ObjectStore {
    state: Rc<State>,
    settings: Rc<Settings>,
}

impl ObjectStore {
    async fn value(&self) -> worker::Result<Option<String>> {
        self.state.storage().get(VALUE).await
    }
}

impl RefreshStore for ObjectStore {
    async fn persist(&self, session: &Session, tokens: Tokens, now: u64) -> Result<(), ApiError> {
        let mut session = session.clone();
        let value = session
            .seal(&self.settings.keys, tokens, now)
            .map_err(|_| ApiError::new(500, "internal_error", "could not seal the session"))?;
        self.state
            .storage()
            .put(VALUE, value)
            .await
            .map_err(|_| store::storage_error("write"))
    }

    async fn reread(&self, session: &Session, now: u64) -> Result<Option<Tokens>, ApiError> {
        let raw = self
            .value()
            .await
            .map_err(|_| store::storage_error("read"))?;
        Ok(raw
            .and_then(|raw| Session::open(&self.settings.keys, &session.kv_key, &raw).ok())
            .filter(|s| s.stored.expires_at > now)
            .map(|s| s.tokens))
    }
}
