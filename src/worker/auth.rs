//! [`DiscordAuth`]: the Worker as a library. Built once per isolate from `Env`, it answers the
//! contract's routes under `/auth` and `/api` ([`DiscordAuth::handle`]) and gives a host Worker
//! the current session ([`DiscordAuth::session`], [`DiscordAuth::require_session`]).

use super::config::{ConfigError, Settings};
use super::cookies;
use super::hooks::Hooks;
use super::log::Trace;
use super::objects::DO_BINDING;
use super::respond::{self, ApiError};
use super::routes::{Methods, Route};
use super::session::Session;
use super::session_store::SessionStore;
use super::store::RawKv;
use super::store_do::DurableObjectStore;
use super::store_kv::KvStore as KvSessions;
use super::transport::AnswerHeaders;
use super::user_index::UserIndex;
use super::{
    cors, routes_activity, routes_api, routes_auth, routes_events, routes_linked_roles, routes_raw,
    store,
};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use worker::kv::KvStore;
use worker::{Env, Method, Request, Response};

/// The KV binding holding sessions.
pub const KV_BINDING: &str = "SESSIONS";

/// The session store chosen from an `Env`'s bindings, and the bindings it was made from.
type ChosenStore = (Rc<dyn SessionStore>, Backend);

thread_local! {
    /// Settings are read and validated once per isolate.
    static SETTINGS: RefCell<Option<Result<Rc<Settings>, ConfigError>>> = const { RefCell::new(None) };
    /// The last `Env` seen and the KV bindings taken from it: the runtime passes the same `env`
    /// object to every request of an isolate, and taking a `KvStore` from it is six property
    /// reads. A different `env` object is read afresh.
    static BINDINGS: RefCell<Option<(JsValue, KvStore, RawKv)>> = const { RefCell::new(None) };
    /// The last `Env` seen and the session store chosen for it, so that a request does not
    /// look up the Durable Object binding (a failed lookup builds an error) or allocate a
    /// store again: both depend on the bindings only.
    static STORES: RefCell<Option<(JsValue, ChosenStore)>> = const { RefCell::new(None) };
}

/// The `SESSIONS` bindings of `env`, as a `KvStore` and raw; from [`BINDINGS`] when `env` is
/// the object they were taken from.
pub(crate) fn kv_bindings(env: &Env) -> Option<(KvStore, RawKv)> {
    let env_value: &JsValue = env.as_ref();
    let cached = BINDINGS.with(|cell| {
        let slot = cell.try_borrow().ok()?;
        let (seen, kv, raw) = slot.as_ref()?;
        (seen == env_value).then(|| (kv.clone(), raw.clone()))
    });
    if cached.is_some() {
        return cached;
    }
    let kv = env.kv(KV_BINDING).ok()?;
    let raw: RawKv = js_sys::Reflect::get(env_value, &JsValue::from_str(KV_BINDING))
        .ok()?
        .unchecked_into();
    BINDINGS.with(|cell| {
        if let Ok(mut slot) = cell.try_borrow_mut() {
            *slot = Some((env_value.clone(), kv.clone(), raw.clone()));
        }
    });
    Some((kv, raw))
}

/// Reads a text binding (a `[vars]` entry or a secret) without going through a type whose
/// `Debug` would print it; numbers (JSON vars) are accepted as their decimal text.
pub(crate) fn binding(env: &Env, name: &str) -> Option<String> {
    let value = js_sys::Reflect::get(env.as_ref(), &JsValue::from_str(name)).ok()?;
    value.as_string().or_else(|| {
        value
            .as_f64()
            .filter(|f| f.fract() == 0.0)
            .map(|f| format!("{f:.0}"))
    })
}

impl ConfigError {
    /// The contract's answer to every route: 500 `config_error` naming the setting.
    pub fn response(&self) -> Response {
        respond::error(500, "config_error", &self.to_string())
    }
}

/// The bindings `from_env` found for sessions (docs/contract.md §9): what the deployable
/// Worker's fast path and the Durable Object routes read. The store in use is
/// [`DiscordAuth::store`](DiscordAuth) (a host Worker may replace it: `with_store`).
#[derive(Clone, Debug)]
pub(crate) enum Backend {
    /// Workers KV (`SESSIONS`), with the raw binding for the deployable Worker's fast path
    /// (read by `fast.rs`, built with `worker-entry` only).
    Kv {
        /// The namespace, read without `KvStore`'s per-call options object.
        #[cfg_attr(not(feature = "worker-entry"), allow(dead_code))]
        raw: RawKv,
    },
    /// Durable Objects (`SESSION_STORE`, class `DiscordSessionStore`): the namespace, for
    /// routes that keep other objects of the class in it (the sessions' store has its own
    /// handle).
    Objects(#[allow(dead_code)] worker::durable::ObjectNamespace),
}

/// Discord login and sessions for a Worker: the routes of docs/contract.md §4 and the session of a
/// request. Cheap to clone.
#[derive(Clone)]
pub struct DiscordAuth {
    pub(crate) settings: Rc<Settings>,
    /// The bindings `from_env` found.
    pub(crate) backend: Backend,
    /// Where sessions are kept: the store of `backend`, or the host's own (`with_store`).
    pub(crate) store: Rc<dyn SessionStore>,
    /// Whether `store` is the host's own.
    pub(crate) custom_store: bool,
    pub(crate) hooks: Hooks,
}

impl std::fmt::Debug for DiscordAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DiscordAuth")
            .field("settings", &self.settings)
            .field("backend", &self.backend)
            .field("custom_store", &self.custom_store)
            .field("hooks", &self.hooks)
            .finish()
    }
}

/// The time now, ms since the epoch.
pub(crate) fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// Whether `path` is `prefix` or below it.
fn under(path: &str, prefix: &str) -> bool {
    path == prefix
        || path
            .strip_prefix(prefix)
            .is_some_and(|r| r.starts_with('/'))
}

/// Whether a path belongs to the routes [`DiscordAuth::handle`] answers.
pub fn is_auth_path(path: &str) -> bool {
    under(path, "/auth")
        || under(path, "/api")
        || under(path, "/oidc")
        || path == "/.well-known/openid-configuration"
}

/// The request's origin, from its URL (never from `Host`).
pub(crate) fn origin(req: &Request) -> Option<String> {
    let url = req.url().ok()?;
    let origin = url.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

/// The session cookie's value, if the request has one.
pub(crate) fn session_cookie(req: &Request) -> Option<String> {
    let header = req.headers().get("cookie").ok()??;
    cookies::get(&header, cookies::SESSION_COOKIE).map(str::to_owned)
}

impl DiscordAuth {
    /// Builds from the Worker's `Env` (settings of docs/contract.md §4 and the `SESSIONS` KV binding).
    /// Settings are validated once per isolate; a missing or malformed one is an error that
    /// names it (answer it with [`ConfigError::response`]).
    pub fn from_env(env: &Env) -> Result<DiscordAuth, ConfigError> {
        let settings = SETTINGS.with(|cell| {
            let mut slot = cell.try_borrow_mut().map_err(|_| ConfigError::Busy)?;
            slot.get_or_insert_with(|| Settings::parse(|name| binding(env, name)).map(Rc::new))
                .clone()
        })?;
        let env_value: &JsValue = env.as_ref();
        let cached = STORES.with(|cell| {
            let slot = cell.try_borrow().ok()?;
            let (seen, chosen) = slot.as_ref()?;
            (seen == env_value).then(|| chosen.clone())
        });
        let (store, backend) = match cached {
            Some(chosen) => chosen,
            None => {
                let chosen = Self::choose_store(env, &settings)?;
                STORES.with(|cell| {
                    if let Ok(mut slot) = cell.try_borrow_mut() {
                        *slot = Some((env_value.clone(), chosen.clone()));
                    }
                });
                chosen
            }
        };
        Ok(DiscordAuth {
            settings,
            backend,
            store,
            custom_store: false,
            hooks: Hooks::default(),
        })
    }

    /// The session store of `env`'s bindings: a Durable Object binding wins (sessions then live
    /// in the objects, KV is optional), else the KV namespace.
    fn choose_store(env: &Env, settings: &Rc<Settings>) -> Result<ChosenStore, ConfigError> {
        Ok(match env.durable_object(DO_BINDING) {
            Ok(ns) => (
                Rc::new(DurableObjectStore::new(ns.clone())),
                Backend::Objects(ns),
            ),
            Err(_) => {
                let (kv, raw) = kv_bindings(env).ok_or(ConfigError::NoStore)?;
                let store = KvSessions::new(kv, raw.clone(), settings.clone());
                (Rc::new(store), Backend::Kv { raw })
            }
        })
    }

    /// Whether sessions live in Durable Objects (`SESSION_STORE`) as chosen by
    /// [`from_env`](Self::from_env); `false` for KV and for a store given to
    /// [`with_store`](Self::with_store).
    pub fn uses_durable_objects(&self) -> bool {
        !self.custom_store && matches!(self.backend, Backend::Objects(_))
    }

    /// The validated settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Answers a request under `/auth` or `/api` (the routes of docs/contract.md §4, and §8's
    /// `POST /api/token` for a Discord Activity, with CORS for trusted origins other than this
    /// one); `None` for any other path, which the host Worker serves itself. Always answers: every failure is a JSON
    /// error with the contract's status. Writes one log line per answered request.
    pub async fn handle(&self, req: &mut Request) -> Option<Response> {
        let path = req.path();
        if !is_auth_path(&path) {
            return None;
        }
        let started = now_ms();
        let method = req.method();
        let trace = Trace::new(method.as_ref(), "unknown");
        trace.on_request(self.hooks.on_request.clone());
        // CORS for trusted origins other than this one (docs/contract.md §8), preflights included.
        let cors = cors::allowed_origin(&self.settings, req, &path);
        let preflight = if method == Method::Options {
            cors::preflight(req, &path, cors.as_deref())
        } else {
            None
        };
        let mut response = match preflight {
            Some(answer) => {
                trace.route("preflight");
                drain(req).await;
                answer.unwrap_or_else(|e| {
                    trace.error(e.code);
                    e.response()
                })
            }
            None => self.route(req, &method, &path, &trace).await,
        };
        if let Some(origin) = &cors {
            response = cors::allow(response, origin);
        }
        trace.finish(response.status_code(), now_ms().saturating_sub(started));
        Some(response)
    }

    async fn route(
        &self,
        req: &mut Request,
        method: &Method,
        path: &str,
        trace: &Trace,
    ) -> Response {
        let Some(route) = Route::parse(path) else {
            trace.route("not_found");
            trace.error("not_found");
            drain(req).await;
            return respond::error(404, "not_found", "no such route");
        };
        trace.route(route.name());
        let allowed = match route.methods() {
            Methods::Read => *method == Method::Get || *method == Method::Head,
            Methods::Post => *method == Method::Post,
            Methods::Any => true,
        };
        if !allowed {
            trace.error("method_not_allowed");
            drain(req).await;
            let r = respond::error(
                405,
                "method_not_allowed",
                "this route does not take that method",
            );
            let _ = r.headers().set("allow", route.methods().allow());
            return r;
        }
        if *method == Method::Head && route == Route::Callback {
            return head_callback();
        }
        let ctx = Ctx {
            auth: self,
            trace: trace.clone(),
            now: now_ms(),
            answer_headers: AnswerHeaders::Limits,
        };
        let result = match route {
            Route::Login => routes_auth::login(&ctx, req).await,
            Route::Callback => routes_auth::callback(&ctx, req).await,
            Route::Session => routes_auth::session(&ctx, session_cookie(req).as_deref())
                .await
                .map(|body| respond::json_text(200, body)),
            Route::Logout => routes_auth::logout(&ctx, req).await,
            Route::Events => routes_events::events(&ctx, req).await,
            Route::ActivityToken => routes_activity::token(&ctx, req).await,
            Route::Join(guild) => routes_api::join(&ctx, req, guild).await,
            Route::Raw(discord_path) => routes_raw::raw(&ctx, req, discord_path).await,
            Route::Oidc(which) => Ok(super::oidc::handle(&ctx, req, which).await),
            Route::LinkedRoles(which) => routes_linked_roles::handle(&ctx, req, which).await,
            Route::Read(_) | Route::Member(_) => {
                let id = session_cookie(req);
                match route.read() {
                    Some(which) => {
                        let query = req.url().ok().and_then(|u| u.query().map(str::to_owned));
                        routes_api::read(&ctx, id.as_deref(), which, query.as_deref()).await
                    }
                    None => Err(ApiError::new(404, "not_found", "no such route")),
                }
            }
        };
        result.unwrap_or_else(|e| {
            trace.error(e.code);
            e.response()
        })
    }

    /// The current session of a request, from the session store (no call to Discord). `Ok(None)` without a
    /// valid session cookie.
    pub async fn session(&self, req: &Request) -> Result<Option<Session>, ApiError> {
        let Some(id) = session_cookie(req) else {
            return Ok(None);
        };
        store::load(self, &id, now_ms()).await
    }

    /// Ends every session of a Discord user (the per-user index, docs/contract.md §9–§10): what a
    /// deauthorization does, for a host Worker's own reasons (a ban, an account deletion).
    /// Deletes from the session store only, no call to Discord; the number of sessions ended. KV mode is
    /// best effort: see [`UserIndex`] for the window.
    pub async fn end_user_sessions(&self, user_id: &str) -> Result<usize, ApiError> {
        UserIndex::new(self).end_all(user_id, now_ms()).await
    }

    /// The session, or the 401 `unauthorized` response to send instead: the
    /// `requires_authorization` guard of the Python libraries.
    pub async fn require_session(&self, req: &Request) -> Result<Session, Response> {
        match self.session(req).await {
            Ok(Some(s)) => Ok(s),
            Ok(None) => Err(ApiError::unauthorized().response()),
            Err(e) => Err(e.response()),
        }
    }
}

/// `HEAD /auth/callback`: 204, no body, no cookie, nothing read or written. Link scanners and
/// prefetchers (mail and chat previews) send HEAD to URLs they see; only the browser's GET may
/// complete a login, or a scanner could spend the one-time code (and its state cookie would
/// be missing anyway). 204 rather than the GET's 302: the GET's answer exists only by
/// exchanging the code, and a HEAD must not (RFC 9110 §9.3.2 lets a server omit what only the
/// real request would determine). `no-store` keeps caches from answering the GET with it.
fn head_callback() -> Response {
    let headers = worker::Headers::new();
    let _ = headers.set("cache-control", "no-store");
    respond::empty(204, headers)
}

/// What a route needs: the configured auth, the request's trace, and the time it started.
pub(crate) struct Ctx<'a> {
    pub auth: &'a DiscordAuth,
    pub trace: Trace,
    pub now: u64,
    /// Which headers of Discord's answers to keep: the routes need only the rate-limit ones;
    /// the library's raw calls hand the answer to their caller whole.
    pub answer_headers: AnswerHeaders,
}

/// Reads and drops a request body: workerd resets the connection when an answer leaves a large
/// body unread.
pub(crate) async fn drain(req: &mut Request) {
    let _ = read_body(req, 0).await;
}

/// Reads a body, keeping at most `limit` bytes; `Ok(None)` when it was larger (it is still
/// read to the end). No body reads as empty.
pub(crate) async fn read_body(
    req: &mut Request,
    limit: usize,
) -> Result<Option<Vec<u8>>, ApiError> {
    use futures_util::StreamExt;
    if req.inner().body().is_none() {
        return Ok(Some(Vec::new()));
    }
    let unreadable = || ApiError::new(400, "invalid_request", "the request body could not be read");
    // A body whose declared length is within the limit is read by the runtime in one call:
    // the runtime frames an incoming body by its Content-Length, so it cannot be longer. The
    // chunk-by-chunk read below (a reader, a `read()` and a task wake per chunk, then
    // `releaseLock`) cost about 80 µs a request in a CPU profile of `POST /oidc/token`.
    let declared = req
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse::<usize>().ok());
    if declared.is_some_and(|len| len <= limit) {
        let promise = req.inner().array_buffer().map_err(|_| unreadable())?;
        let buffer = wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .map_err(|_| unreadable())?;
        let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
        return Ok((bytes.len() <= limit).then_some(bytes));
    }
    // No length declared (a chunked body), or one over the limit: read chunk by chunk, keeping
    // at most `limit` bytes, and to the end (workerd resets connections on unread bodies).
    let mut stream = req.stream().map_err(|_| unreadable())?;
    let mut kept = Vec::new();
    let mut too_big = false;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| unreadable())?;
        if !too_big && kept.len() + chunk.len() <= limit {
            kept.extend_from_slice(&chunk);
        } else {
            too_big = true;
            kept.clear();
        }
    }
    Ok((!too_big).then_some(kept))
}
