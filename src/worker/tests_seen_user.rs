//! `Session::seen_user` and `routes_api::user_change`: Discord's `/users/@me` answer against
//! the stored user, remembered by its exact text (docs/worker.md, "Calls out of the Worker").

use super::routes_api::user_change;
use super::session::{Session, StoredSession, Tokens};
use crate::discord::http::HttpResponse;
use crate::discord::secret::AccessToken;

/// A session whose stored user is `{"id": "42"}`.
fn session() -> Session {
    Session {
        kv_key: "session:u".into(),
        stored: StoredSession {
            user: serde_json::json!({"id": "42"}),
            ..Default::default()
        },
        tokens: Tokens {
            access_token: AccessToken::new("acc"),
            refresh_token: None,
            expires_at: 0,
        },
        seen_user: Default::default(),
    }
}

/// Discord's `/users/@me` answer against the stored user `{"id": "42"}`: an answer found
/// equal is remembered by its exact text, and only an identical one skips the parse.
#[test]
fn a_users_me_answer_equal_to_the_stored_user_is_remembered_by_its_text() {
    let s = session();
    let answer = |status: u16, body: &str| HttpResponse::new(status, vec![], body.to_owned());
    assert!(!s.seen_user.is(r#"{"id": "42"}"#));
    // Equal JSON: no change, and this text is remembered.
    assert_eq!(
        user_change(&s, &answer(200, r#"{"id": "42"}"#)).unwrap(),
        None
    );
    assert!(s.seen_user.is(r#"{"id": "42"}"#));
    assert_eq!(
        user_change(&s, &answer(200, r#"{"id": "42"}"#)).unwrap(),
        None
    );
    // The same user in other text is still parsed and compared, and remembered in turn.
    assert_eq!(
        user_change(&s, &answer(200, r#"{"id":"42"}"#)).unwrap(),
        None
    );
    assert!(s.seen_user.is(r#"{"id":"42"}"#));
    assert!(!s.seen_user.is(r#"{"id": "42"}"#));
    // A changed user is answered, and not remembered as equal.
    let changed = user_change(&s, &answer(200, r#"{"id":"42","username":"new"}"#)).unwrap();
    assert_eq!(
        changed,
        Some(serde_json::json!({"id": "42", "username": "new"}))
    );
    assert!(s.seen_user.is(r#"{"id":"42"}"#));
    // The remembered text with another status is not an answer to pass on: the core decides.
    assert_eq!(
        user_change(&s, &answer(500, r#"{"id":"42"}"#))
            .unwrap_err()
            .status,
        502
    );
    // A 200 that is not JSON is refused and never remembered.
    assert!(user_change(&s, &answer(200, "{\"id\": ")).is_err());
    assert!(!s.seen_user.is("{\"id\": "));
    // A copy starts empty: it may get another user while the original keeps its own.
    assert!(!s.clone().seen_user.is(r#"{"id":"42"}"#));
    assert_eq!(format!("{:?}", s.seen_user), "SeenUser(..)");
}

/// The remembered text is not parsed again: a remembered body (here one that is not even
/// JSON, which no real answer could be) is answered unchanged without the JSON check.
#[test]
fn a_remembered_users_me_answer_skips_the_parse() {
    let s = session();
    let body = HttpResponse::new(200, vec![], "not json".to_owned());
    assert!(user_change(&s, &body).is_err());
    s.seen_user.remember("not json");
    assert_eq!(user_change(&s, &body).unwrap(), None);
}
