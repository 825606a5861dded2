//! The session store's Durable Object class, [`DiscordSessionStore`] (the module docs of
//! [`super`]): its internal operations, served over its `fetch` and over RPC, and the storage
//! its refresh runs on.

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
        let method = req.method();
        let path = req.path();
        let query = req.url().ok().and_then(|u| u.query().map(str::to_owned));
        let body = match method {
            Method::Put | Method::Patch | Method::Post => Some(req.text().await?),
            _ => None,
        };
        let answer = self.operate(method, &path, query.as_deref(), body).await?;
        let resp = if answer.body.is_empty() {
            Response::empty()
        } else {
            Response::ok(answer.body)
        };
        resp.map(|r| r.with_status(answer.status))
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
    /// One internal operation (the paths of the module docs), whether it came over the
    /// object's `fetch` or over RPC ([`call_rpc`](Self::call_rpc)).
    async fn operate(
        &self,
        method: Method,
        path: &str,
        query: Option<&str>,
        body: Option<String>,
    ) -> worker::Result<Answer> {
        let param = |name: &str| {
            query.and_then(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.into_owned())
            })
        };
        let body = body.unwrap_or_default();
        let storage = self.state.storage();
        Ok(match (method, path) {
            (Method::Get, "/session") => {
                match JsFuture::from(self.read_session()).await?.as_string() {
                    Some(value) => Answer::new(200, value),
                    None => Answer::status(404),
                }
            }
            (Method::Put, "/session") => {
                let expires_at: u64 = param("expires_at")
                    .and_then(|e| e.parse().ok())
                    .unwrap_or(0);
                storage.put(VALUE, body).await?;
                storage.put(EXPIRES, expires_at).await?;
                storage.put(KEY, param("key").unwrap_or_default()).await?;
                storage.set_alarm(expires_at as i64).await?;
                Answer::status(204)
            }
            (Method::Patch, "/session/user") => {
                let user: serde_json::Value = serde_json::from_str(&body)?;
                let now = param("now").and_then(|n| n.parse().ok()).unwrap_or(0);
                let stored: Option<String> = storage.get(VALUE).await?;
                match stored.and_then(|raw| store::with_user(&raw, &user, now)) {
                    Some(updated) => {
                        storage.put(VALUE, updated).await?;
                        Answer::new(200, "changed".to_owned())
                    }
                    None => Answer::new(200, "same".to_owned()),
                }
            }
            (Method::Delete, "/session") => {
                storage.delete_all().await?;
                let _ = storage.delete_alarm().await;
                Answer::status(204)
            }
            (Method::Post, "/refresh") => {
                let ask: RefreshAsk = serde_json::from_str(&body)?;
                let wire = self.refresh(ask).await?;
                Answer::new(200, serde_json::to_string(&wire)?)
            }
            (Method::Put, "/index") => {
                if let Some(key) = param("key") {
                    storage.put(&["s:", &key].concat(), 1u8).await?;
                }
                Answer::status(204)
            }
            (Method::Get, "/index") => {
                let keys: Vec<String> = self.index_keys().await?;
                Answer::new(200, serde_json::to_string(&keys)?)
            }
            (Method::Delete, "/index") => {
                let ended = self.end_all().await?;
                Answer::new(200, ended.to_string())
            }
            // The OpenID provider's grants (codes and access tokens, `oidc:<id>` objects).
            (method, p) if p.starts_with("/oidc/") => {
                crate::worker::oidc::object::serve(&self.state, method, p, body, now_ms()).await?
            }
            _ => Answer::status(404),
        })
    }

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
        let settings = match Settings::parse(|name| crate::worker::auth::binding(&self.env, name)) {
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
                    lifecycle::lead_with(&settings, &trace, &session, seen.as_ref(), &store).await;
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

/// What the Worker calls over RPC (docs/worker.md, "Calls out of the Worker"). The Worker's
/// entry makes the class RPC-capable (`write_rpc_entry`, scripts/env.sh); the object's `fetch`
/// serves the same operations to a host Worker whose entry does not.
#[wasm_bindgen]
impl DiscordSessionStore {
    /// `stub.call(method, path, body)`: any internal operation over RPC (the paths of the
    /// module docs), answered as `[status, body]`; what `objects::call` sends instead of an HTTP
    /// request to the object's `fetch`.
    #[wasm_bindgen(js_name = call)]
    pub fn call_rpc(&self, method: String, path: String, body: Option<String>) -> Promise {
        let this = DiscordSessionStore {
            state: self.state.clone(),
            env: self.env.clone(),
        };
        wasm_bindgen_futures::future_to_promise(async move {
            let (path, query) = match path.split_once('?') {
                Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
                None => (path, None),
            };
            match this
                .operate(Method::from(method), &path, query.as_deref(), body)
                .await
            {
                Ok(answer) => Ok(js_sys::Array::of2(
                    &JsValue::from(answer.status),
                    &JsValue::from(answer.body),
                )
                .into()),
                Err(_) => Err(JsValue::from_str("the session object failed the operation")),
            }
        })
    }

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
