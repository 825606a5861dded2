//! Native unit tests of the library hooks' pure parts: what a [`SessionStore`] sees (sealed
//! values only), the trait's provided `end_user`, and the `Debug` of what the hooks get.

use super::crypto::Keys;
use super::hooks::{LoginAborted, LoginEvent, RequestTrace};
use super::respond::ApiError;
use super::session::{SESSION_VERSION, Session, StoredSession, Tokens};
use super::session_store::{SealedSession, SessionStore, StoreFuture};
use crate::discord::http::Method;
use crate::discord::secret::{AccessToken, RefreshToken};
use futures_util::FutureExt;
use serde_json::json;
use std::cell::RefCell;
use std::collections::HashMap;

const ACCESS: &str = "access-token-7f3a9c";
const REFRESH: &str = "refresh-token-0b1d2e";

fn keys() -> Keys {
    Keys::derive(b"test-session-secret-0123456789abcdef0123456789abcdef").unwrap()
}

/// A session sealed as DiscordAuth seals it, and its value.
fn sealed(keys: &Keys, key: &str) -> (Session, SealedSession) {
    let tokens = Tokens {
        access_token: AccessToken::new(ACCESS.to_owned()),
        refresh_token: Some(RefreshToken::new(REFRESH.to_owned())),
        expires_at: 5_000,
    };
    let mut session = Session {
        kv_key: key.to_owned(),
        stored: StoredSession {
            v: SESSION_VERSION,
            user: json!({"id": "1150000000000000001", "username": "old"}),
            scopes: vec!["identify".into()],
            expires_at: 9_000,
            ..Default::default()
        },
        tokens: tokens.clone(),
        seen_user: Default::default(),
    };
    let value = session.seal(keys, tokens, 1_000).unwrap();
    (session, SealedSession::from_stored(value))
}

#[test]
fn a_sealed_session_holds_no_token_and_its_debug_prints_nothing_of_it() {
    let (_, value) = sealed(&keys(), "session:ab");
    for secret in [ACCESS, REFRESH] {
        assert!(!value.as_str().contains(secret));
    }
    let debug = format!("{value:?}");
    assert!(
        !debug.contains("tokens") && !debug.contains("old"),
        "{debug}"
    );
    assert!(debug.contains(&value.as_str().len().to_string()));
    assert_eq!(value.expires_at(), Some(9_000));
}

#[test]
fn with_user_changes_the_user_alone_and_the_tokens_still_open() {
    let keys = keys();
    let (_, value) = sealed(&keys, "session:ab");
    let user = json!({"id": "1150000000000000001", "username": "new"});
    let updated = value.with_user(&user, 2_000).unwrap();
    let opened = Session::open(&keys, "session:ab", updated.as_str()).unwrap();
    assert_eq!(opened.stored.user, user);
    assert_eq!(opened.stored.user_at, 2_000);
    assert_eq!(opened.tokens.access_token.secret(), ACCESS);
    let before: serde_json::Value = serde_json::from_str(value.as_str()).unwrap();
    let after: serde_json::Value = serde_json::from_str(updated.as_str()).unwrap();
    assert_eq!(
        before["tokens"], after["tokens"],
        "the sealed tokens are kept as read"
    );
    // The same user: nothing to write.
    assert!(updated.with_user(&user, 3_000).is_none());
    // Not a session.
    assert!(
        SealedSession::from_stored("{}".into())
            .with_user(&user, 1)
            .is_none()
    );
}

/// A store in memory, for the trait's provided methods.
#[derive(Default)]
struct Memory {
    values: RefCell<HashMap<String, SealedSession>>,
    index: RefCell<HashMap<String, Vec<String>>>,
    refuse_delete: Option<String>,
}

fn ready<'a, T: 'a>(v: Result<T, ApiError>) -> StoreFuture<'a, T> {
    Box::pin(async move { v })
}

impl SessionStore for Memory {
    fn load<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<SealedSession>> {
        ready(Ok(self.values.borrow().get(key).cloned()))
    }
    fn create<'a>(&'a self, key: &'a str, v: SealedSession, _: u64) -> StoreFuture<'a, ()> {
        self.values.borrow_mut().insert(key.into(), v);
        ready(Ok(()))
    }
    fn replace_tokens<'a>(&'a self, key: &'a str, v: SealedSession, e: u64) -> StoreFuture<'a, ()> {
        self.create(key, v, e)
    }
    fn update_user<'a>(
        &'a self,
        key: &'a str,
        user: &'a serde_json::Value,
        now: u64,
    ) -> StoreFuture<'a, bool> {
        let mut values = self.values.borrow_mut();
        let updated = values.get(key).and_then(|v| v.with_user(user, now));
        let changed = updated.is_some();
        if let Some(v) = updated {
            values.insert(key.into(), v);
        }
        ready(Ok(changed))
    }
    fn delete<'a>(&'a self, key: &'a str) -> StoreFuture<'a, ()> {
        if self.refuse_delete.as_deref() == Some(key) {
            return ready(Err(ApiError::new(503, "storage_unavailable", "down")));
        }
        self.values.borrow_mut().remove(key);
        ready(Ok(()))
    }
    fn index_add<'a>(&'a self, user: &'a str, key: &'a str, _: u64, _: u64) -> StoreFuture<'a, ()> {
        self.index
            .borrow_mut()
            .entry(user.into())
            .or_default()
            .push(key.into());
        ready(Ok(()))
    }
    fn index_remove<'a>(&'a self, user: &'a str, key: &'a str, _: u64) -> StoreFuture<'a, ()> {
        if let Some(keys) = self.index.borrow_mut().get_mut(user) {
            keys.retain(|k| k != key);
        }
        ready(Ok(()))
    }
    fn index_list<'a>(&'a self, user: &'a str, _: u64) -> StoreFuture<'a, Vec<String>> {
        ready(Ok(self
            .index
            .borrow()
            .get(user)
            .cloned()
            .unwrap_or_default()))
    }
}

fn run<T>(f: StoreFuture<'_, T>) -> Result<T, ApiError> {
    f.now_or_never().expect("the memory store never waits")
}

#[test]
fn the_provided_end_user_deletes_every_indexed_session_and_unindexes_them() {
    let keys = keys();
    let store = Memory::default();
    let user = "1150000000000000001";
    for key in ["session:a", "session:b"] {
        let (_, v) = sealed(&keys, key);
        run(store.create(key, v, 9_000)).unwrap();
        run(store.index_add(user, key, 9_000, 1)).unwrap();
    }
    let (_, other) = sealed(&keys, "session:c");
    run(store.create("session:c", other, 9_000)).unwrap();
    assert_eq!(run(store.end_user(user, 1)).unwrap(), 2);
    assert!(run(store.load("session:a")).unwrap().is_none());
    assert!(run(store.load("session:b")).unwrap().is_none());
    assert!(
        run(store.load("session:c")).unwrap().is_some(),
        "another user's session stays"
    );
    assert!(run(store.index_list(user, 1)).unwrap().is_empty());
    // The default runs no refresh of its own: DiscordAuth's single flight does.
    let seen = AccessToken::new(ACCESS.to_owned());
    let ask = super::session_store::RefreshAsk {
        key: "session:c",
        seen: Some(&seen),
    };
    assert!(format!("{ask:?}").contains("session:c") && !format!("{ask:?}").contains(ACCESS));
    assert!(store.refresh(ask).is_none());
}

#[test]
fn the_provided_end_user_keeps_a_session_it_could_not_delete_indexed_and_says_so() {
    let keys = keys();
    let store = Memory {
        refuse_delete: Some("session:b".into()),
        ..Memory::default()
    };
    let user = "1150000000000000001";
    for key in ["session:a", "session:b"] {
        let (_, v) = sealed(&keys, key);
        run(store.create(key, v, 9_000)).unwrap();
        run(store.index_add(user, key, 9_000, 1)).unwrap();
    }
    let err = run(store.end_user(user, 1)).unwrap_err();
    assert_eq!(err.code, "storage_unavailable");
    assert_eq!(run(store.index_list(user, 1)).unwrap(), ["session:b"]);
}

#[test]
fn a_store_is_usable_as_a_trait_object() {
    let store: std::rc::Rc<dyn SessionStore> = std::rc::Rc::new(Memory::default());
    let (_, v) = sealed(&keys(), "session:z");
    run(store.create("session:z", v.clone(), 9_000)).unwrap();
    assert_eq!(run(store.load("session:z")).unwrap(), Some(v));
}

#[test]
fn a_login_events_debug_hides_the_webhook_credentials() {
    let event = LoginEvent {
        user: json!({"id": "1150000000000000001"}),
        scopes: vec!["identify".into(), "webhook.incoming".into()],
        guild: None,
        webhook: Some(json!({
            "id": "1170000000000000001",
            "channel_id": "1180000000000000001",
            "token": "webhook-token-9d8c",
            "url": "https://discord.example/api/webhooks/1170000000000000001/webhook-token-9d8c",
        })),
        data: Some(json!({"plan": "pro"})),
    };
    let debug = format!("{event:?}");
    assert!(!debug.contains("webhook-token-9d8c"), "{debug}");
    assert!(debug.contains("1170000000000000001") && debug.contains("pro"));
    assert_eq!(event.user_id(), Some("1150000000000000001"));
    // The hook itself gets the credentials.
    assert_eq!(event.webhook.unwrap()["token"], "webhook-token-9d8c");
}

#[test]
fn login_aborted_and_request_trace_say_what_they_hold() {
    let aborted = LoginAborted::new("banned_user");
    assert_eq!(aborted.reason, "banned_user");
    assert!(aborted.to_string().contains("banned_user"));
    let trace = RequestTrace {
        method: Method::Get,
        route: crate::discord::api::route_key(Method::Get, "/users/@me?with_counts=true"),
        status: Some(200),
        bucket: Some("abcd".into()),
        duration_ms: 12,
    };
    assert_eq!(trace.route, "GET /users/@me");
    let debug = format!("{trace:?}");
    for field in ["Get", "GET /users/@me", "200", "abcd", "12"] {
        assert!(debug.contains(field), "{debug}");
    }
}
