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
//! The Worker calls them over RPC ([`call`], [`load`]) when their class is a `DurableObject`
//! (the deployable Worker's entry makes it one, and a host Worker's entry can: README), else
//! over the objects' internal `fetch` (the same operations, by path: `class.rs`). Nothing here
//! is reachable from outside the Worker.
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
use std::cell::Cell;
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

    /// `stub.call(method, path, body)` over RPC ([`DiscordSessionStore::call_rpc`]): a
    /// thenable of `[status, body]`.
    #[wasm_bindgen(method, catch, js_name = call)]
    fn call(
        this: &ObjectStub,
        method: &str,
        path: &str,
        body: &JsValue,
    ) -> Result<JsValue, JsValue>;

    /// `stub.readSession()` over RPC ([`DiscordSessionStore::read_session`]): a thenable of the
    /// stored value or `null`.
    #[wasm_bindgen(method, catch, js_name = readSession)]
    fn read_session(this: &ObjectStub) -> Result<JsValue, JsValue>;
}

thread_local! {
    /// Whether this isolate's session objects were found not to answer RPC (their class not a
    /// `DurableObject`: a host Worker whose entry does not make it one). Set once, by the
    /// first call that workerd refuses for that reason; from then on every call goes through
    /// the objects' `fetch`.
    static NO_RPC: Cell<bool> = const { Cell::new(false) };
}

/// Runs one RPC call (`invoke` on the stub) to its answer. `Ok(None)` when the objects do not
/// answer RPC (remembered for the isolate: the caller then uses the object's `fetch`).
async fn over_rpc(
    invoke: impl FnOnce() -> Result<JsValue, JsValue>,
) -> Result<Option<JsValue>, ApiError> {
    if NO_RPC.with(Cell::get) {
        return Ok(None);
    }
    // An RPC call answers a thenable (not a `Promise`): `Promise.resolve` adopts it.
    let answer = match invoke() {
        Ok(thenable) => JsFuture::from(Promise::resolve(&thenable)).await,
        Err(e) => Err(e),
    };
    match answer {
        Ok(value) => Ok(Some(value)),
        Err(e) if refuses_rpc(&e) => {
            NO_RPC.with(|flag| flag.set(true));
            Ok(None)
        }
        Err(e) => Err(storage_failure(e)),
    }
}

/// workerd's refusal of an RPC call to an object whose class was not declared with
/// `extends DurableObject` (a `TypeError` saying that it "does not support RPC").
fn refuses_rpc(error: &JsValue) -> bool {
    js_sys::Reflect::get(error, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .is_some_and(|m| m.contains("does not support RPC"))
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

/// An object's answer to an internal operation: its status and its body's text.
pub(crate) struct Answer {
    /// 200, 204, 404, 409 as the operation says.
    pub status: u16,
    /// The body (empty for 204 and 404).
    pub body: String,
}

impl Answer {
    pub(crate) fn new(status: u16, body: String) -> Answer {
        Answer { status, body }
    }

    pub(crate) fn status(status: u16) -> Answer {
        Answer::new(status, String::new())
    }
}

/// Runs an internal operation on the object named `name` (nothing outside the Worker reaches
/// these paths). Over RPC (`stub.call(method, path, body)`, no HTTP request or response on
/// either side) when the class is a `DurableObject`, as the deployable Worker's entry makes it
/// (scripts/build-worker.sh) and a host Worker's can; else over the object's `fetch` on the
/// runtime's own stub (not workers-rs's wrappers: `docs/worker.md`, "Calls out of the Worker").
pub(crate) async fn call(
    ns: &ObjectNamespace,
    name: &str,
    method: Method,
    path: &str,
    body: Option<String>,
) -> Result<Answer, ApiError> {
    let stub = stub(ns, name)?;
    let rpc_body = body
        .as_deref()
        .map_or(JsValue::UNDEFINED, JsValue::from_str);
    if let Some(answer) = over_rpc(|| stub.call(method.as_ref(), path, &rpc_body)).await? {
        let pair: &js_sys::Array = answer.unchecked_ref();
        let status = pair.get(0).as_f64().map_or(500, |s| s as u16);
        return Ok(Answer::new(
            status,
            pair.get(1).as_string().unwrap_or_default(),
        ));
    }
    let init = web_sys::RequestInit::new();
    init.set_method(method.as_ref());
    if let Some(b) = body {
        init.set_body(&JsValue::from(b));
    }
    let url = ["https://session-store", path].concat();
    let resp: web_sys::Response = JsFuture::from(stub.fetch(&url, &init))
        .await
        .map_err(storage_failure)?
        .dyn_into()
        .map_err(storage_failure)?;
    let text = JsFuture::from(resp.text().map_err(storage_failure)?)
        .await
        .map_err(storage_failure)?;
    Ok(Answer::new(
        resp.status(),
        text.as_string().unwrap_or_default(),
    ))
}

/// The stored value of a session, if any: `readSession()` over RPC, which saves the HTTP
/// request and response of a `fetch` on both sides of the hot path's one object call; over
/// the object's `fetch` when the class does not answer RPC ([`call`]).
pub async fn load(ns: &ObjectNamespace, key: &str) -> Result<Option<String>, ApiError> {
    let stub = stub(ns, key)?;
    if let Some(value) = over_rpc(|| stub.read_session()).await? {
        return Ok(value.as_string());
    }
    let answer = call(ns, key, Method::Get, "/session", None).await?;
    match answer.status {
        200 => Ok(Some(answer.body)),
        404 => Ok(None),
        _ => Err(store::storage_error("read")),
    }
}

/// A promise of the stored value of a session (a string) or `null`, read over RPC, for the
/// hot path's promise reaction (`fast.rs`): the deployable Worker's entry, whose class is
/// always a `DurableObject`.
#[cfg(feature = "worker-entry")]
pub(crate) fn read_promise(ns: &ObjectNamespace, key: &str) -> Result<Promise, ApiError> {
    // An RPC call answers a thenable (not a `Promise`): `Promise.resolve` adopts it.
    let answer = stub(ns, key)?.read_session().map_err(storage_failure)?;
    Ok(Promise::resolve(&answer))
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
    if call(ns, key, Method::Put, &path, Some(value)).await?.status == 204 {
        Ok(())
    } else {
        Err(store::storage_error("write"))
    }
}

/// Deletes a session, at once for every isolate.
pub async fn delete(ns: &ObjectNamespace, key: &str) -> Result<(), ApiError> {
    if call(ns, key, Method::Delete, "/session", None)
        .await?
        .status
        == 204
    {
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
    let answer = call(ns, key, Method::Patch, &path, Some(body)).await?;
    match answer.status {
        200 => Ok(answer.body == "changed"),
        _ => Err(store::storage_error("write")),
    }
}

/// Adds a session to its user's index.
pub async fn index_add(ns: &ObjectNamespace, user_id: &str, key: &str) -> Result<(), ApiError> {
    let name = ["user:", user_id].concat();
    let path = ["/index?key=", key].concat();
    if call(ns, &name, Method::Put, &path, None).await?.status == 204 {
        Ok(())
    } else {
        Err(store::storage_error("index"))
    }
}

/// The session keys in a user's index (ended ones included until the next [`end_user`]).
pub async fn index_list(ns: &ObjectNamespace, user_id: &str) -> Result<Vec<String>, ApiError> {
    let name = ["user:", user_id].concat();
    let answer = call(ns, &name, Method::Get, "/index", None).await?;
    if answer.status != 200 {
        return Err(store::storage_error("read the index"));
    }
    serde_json::from_str(&answer.body).map_err(storage_failure)
}

/// Ends every session of a user (through the exact index); how many there were.
pub async fn end_user(ns: &ObjectNamespace, user_id: &str) -> Result<u64, ApiError> {
    let name = ["user:", user_id].concat();
    let answer = call(ns, &name, Method::Delete, "/index", None).await?;
    if answer.status != 200 {
        return Err(store::storage_error("end the user's sessions"));
    }
    Ok(answer.body.trim().parse().unwrap_or(0))
}

/// Asks the session's object to refresh it (once, whatever the number of isolates asking);
/// the answer carries the new value sealed, never a plain token.
pub async fn refresh(ns: &ObjectNamespace, key: &str, seen: Option<&AccessToken>) -> RefreshAnswer {
    let ask = RefreshAsk {
        seen: seen.map(|t| t.secret().to_owned()).unwrap_or_default(),
    };
    let body = serde_json::to_string(&ask).unwrap_or_default();
    let text = match call(ns, key, Method::Post, "/refresh", Some(body)).await {
        Ok(answer) => answer.body,
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
mod class;
