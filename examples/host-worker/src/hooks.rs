//! The library's hooks in a host Worker (docs/worker.md, "Session stores" and "Hooks"):
//! a session store of its own ([`Prefixed`], KV under a key prefix, so that several apps can
//! share one namespace), an `on_login` hook (refuses a login whose `data` says
//! `{"refuse": true}`, and remembers what it saw), and an `on_request` hook (keeps the traces
//! of the calls to Discord). tests/worker/hooks.test.mjs reads what they saw through the
//! routes in [`route`]. The state is per isolate: enough for an example and its test.

use discord_oauth_wasm::worker::{
    ApiError, DiscordAuth, KvStore, LoginAborted, LoginEvent, RequestTrace, SealedSession,
    SessionStore, StoreFuture,
};
use serde_json::{Value, json};
use std::cell::RefCell;
use worker::{Env, Request, Response};

thread_local! {
    /// The store operations [`Prefixed`] ran, by name.
    static OPS: RefCell<Vec<&'static str>> = const { RefCell::new(Vec::new()) };
    /// What the `on_login` hook saw (never shown whole: the webhook's token stays here).
    static LOGINS: RefCell<Vec<LoginEvent>> = const { RefCell::new(Vec::new()) };
    /// The `on_request` traces.
    static TRACES: RefCell<Vec<RequestTrace>> = const { RefCell::new(Vec::new()) };
}

fn op(name: &'static str) {
    OPS.with(|o| o.borrow_mut().push(name));
}

/// Sessions in the `SESSIONS` KV namespace under `prefix` + the library's key. Values are
/// passed through as they come: sealed by the library, opaque here.
pub struct Prefixed {
    prefix: String,
    inner: KvStore,
}

impl Prefixed {
    fn key(&self, key: &str) -> String {
        [self.prefix.as_str(), key].concat()
    }
}

impl SessionStore for Prefixed {
    fn load<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<SealedSession>> {
        op("load");
        Box::pin(async move { self.inner.load(&self.key(key)).await })
    }

    fn create<'a>(
        &'a self,
        key: &'a str,
        value: SealedSession,
        expires_at: u64,
    ) -> StoreFuture<'a, ()> {
        op("create");
        Box::pin(async move { self.inner.create(&self.key(key), value, expires_at).await })
    }

    fn replace_tokens<'a>(
        &'a self,
        key: &'a str,
        value: SealedSession,
        expires_at: u64,
    ) -> StoreFuture<'a, ()> {
        op("replace_tokens");
        Box::pin(async move {
            let key = self.key(key);
            self.inner.replace_tokens(&key, value, expires_at).await
        })
    }

    fn update_user<'a>(
        &'a self,
        key: &'a str,
        user: &'a Value,
        now_ms: u64,
    ) -> StoreFuture<'a, bool> {
        op("update_user");
        Box::pin(async move { self.inner.update_user(&self.key(key), user, now_ms).await })
    }

    fn delete<'a>(&'a self, key: &'a str) -> StoreFuture<'a, ()> {
        op("delete");
        Box::pin(async move { self.inner.delete(&self.key(key)).await })
    }

    fn index_add<'a>(
        &'a self,
        user_id: &'a str,
        key: &'a str,
        expires_at: u64,
        now_ms: u64,
    ) -> StoreFuture<'a, ()> {
        op("index_add");
        Box::pin(async move {
            let key = self.key(key);
            self.inner
                .index_add(user_id, &key, expires_at, now_ms)
                .await
        })
    }

    fn index_remove<'a>(
        &'a self,
        user_id: &'a str,
        key: &'a str,
        now_ms: u64,
    ) -> StoreFuture<'a, ()> {
        op("index_remove");
        Box::pin(async move {
            let key = self.key(key);
            self.inner.index_remove(user_id, &key, now_ms).await
        })
    }

    fn index_list<'a>(&'a self, user_id: &'a str, now_ms: u64) -> StoreFuture<'a, Vec<String>> {
        op("index_list");
        // The index holds prefixed keys: give the library its own back.
        Box::pin(async move {
            let keys = self.inner.index_list(user_id, now_ms).await?;
            Ok(keys
                .into_iter()
                .filter_map(|k| k.strip_prefix(self.prefix.as_str()).map(str::to_owned))
                .collect())
        })
    }

    fn end_user<'a>(&'a self, user_id: &'a str, now_ms: u64) -> StoreFuture<'a, usize> {
        // The KV index names the prefixed keys: the inner store ends them itself.
        op("end_user");
        self.inner.end_user(user_id, now_ms)
    }
}

/// `auth` with the hooks, and with [`Prefixed`] as its store when the var `STORE_PREFIX` is
/// set.
pub fn configure(auth: DiscordAuth, env: &Env) -> Result<DiscordAuth, ApiError> {
    let auth = auth
        .on_login(|event: LoginEvent| async move {
            let refuse = event.data.as_ref().and_then(|d| d.get("refuse")) == Some(&json!(true));
            LOGINS.with(|l| l.borrow_mut().push(event));
            if refuse {
                return Err(LoginAborted::new("refused_by_example"));
            }
            Ok(())
        })
        .on_request(|trace: &RequestTrace| TRACES.with(|t| t.borrow_mut().push(trace.clone())));
    let Some(prefix) = env.var("STORE_PREFIX").ok().map(|v| v.to_string()) else {
        return Ok(auth);
    };
    let inner = KvStore::from_env(env, &auth)
        .map_err(|e| ApiError::new(500, "config_error", e.to_string()))?;
    Ok(auth.with_store(Prefixed { prefix, inner }))
}

fn json_response(value: &Value) -> Result<Response, ApiError> {
    Response::from_json(value).map_err(|_| ApiError::new(500, "internal_error", "encoding failed"))
}

/// The routes that show what the hooks saw (and `/hooks/end-user?user=`, which ends a
/// user's sessions through the store's index): `GET /hooks/ops`, `/hooks/logins`,
/// `/hooks/traces` (each trace as fields and as its `Debug` text), and
/// `GET /hooks/leaks`, whether any trace holds the current session's tokens or the login
/// webhook's token (the test cannot know them: they never leave the Worker).
pub async fn route(
    auth: &DiscordAuth,
    req: &Request,
    path: &str,
) -> Option<Result<Response, ApiError>> {
    Some(match path {
        "/hooks/ops" => json_response(&json!(OPS.with(|o| o.borrow().clone()))),
        "/hooks/logins" => {
            let logins: Vec<Value> = LOGINS.with(|l| {
                l.borrow()
                    .iter()
                    .map(|e| {
                        json!({
                            "user_id": e.user_id(),
                            "scopes": e.scopes,
                            "guild_id": e.guild.as_ref().and_then(|g| g.get("id")),
                            "webhook_id": e.webhook.as_ref().and_then(|w| w.get("id")),
                            "webhook_has_token": e.webhook.as_ref().and_then(|w| w.get("token")).is_some_and(|t| t.is_string()),
                            "data": e.data,
                            "debug_shows_token": e.webhook.as_ref().and_then(|w| w.get("token")).and_then(Value::as_str)
                                .is_some_and(|t| format!("{e:?}").contains(t)),
                        })
                    })
                    .collect()
            });
            json_response(&json!(logins))
        }
        "/hooks/traces" => {
            let traces: Vec<Value> = TRACES.with(|t| {
                t.borrow()
                    .iter()
                    .map(|t| {
                        json!({
                            "method": format!("{:?}", t.method),
                            "route": t.route,
                            "status": t.status,
                            "bucket": t.bucket,
                            "duration_ms": t.duration_ms,
                            "debug": format!("{t:?}"),
                        })
                    })
                    .collect()
            });
            json_response(&json!(traces))
        }
        "/hooks/leaks" => {
            let mut secrets: Vec<String> = Vec::new();
            match auth.session(req).await {
                Ok(Some(s)) => {
                    secrets.push(s.tokens.access_token.secret().to_owned());
                    if let Some(r) = &s.tokens.refresh_token {
                        secrets.push(r.secret().to_owned());
                    }
                }
                Ok(None) => return Some(Err(ApiError::unauthorized())),
                Err(e) => return Some(Err(e)),
            }
            LOGINS.with(|l| {
                for e in l.borrow().iter() {
                    if let Some(t) = e
                        .webhook
                        .as_ref()
                        .and_then(|w| w.get("token"))
                        .and_then(Value::as_str)
                    {
                        secrets.push(t.to_owned());
                    }
                }
            });
            let leaks = TRACES.with(|t| {
                t.borrow().iter().any(|t| {
                    let text = format!("{t:?} {} {:?}", t.route, t.bucket);
                    secrets.iter().any(|s| text.contains(s.as_str()))
                })
            });
            json_response(&json!({ "secrets_checked": secrets.len(), "leaks": leaks }))
        }
        // Ends every session of `?user=` (the per-user index, through the store).
        "/hooks/end-user" => {
            let user = req
                .url()
                .ok()
                .and_then(|u| {
                    u.query_pairs()
                        .find(|(k, _)| k == "user")
                        .map(|(_, v)| v.into_owned())
                })
                .unwrap_or_default();
            match auth.end_user_sessions(&user).await {
                Ok(ended) => json_response(&json!({ "ended": ended })),
                Err(e) => Err(e),
            }
        }
        _ => return None,
    })
}
