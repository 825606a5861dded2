//! Every path of the call and refresh machines, driven natively with Discord-shaped answers.
use super::*;
use crate::discord::api::{self, Authorization};
use crate::discord::http::Method;
use crate::discord::json::SerdeJson;
use crate::discord::secret::{ClientSecret, RefreshToken};

const NOW: u64 = 1_700_000_000_000;

fn tokens(access: &str, refresh: Option<&str>, expires_in_ms: i64) -> TokenSet {
    TokenSet {
        access_token: AccessToken::new(access),
        token_type: "Bearer".into(),
        expires_at_ms: (NOW as i64 + expires_in_ms) as u64,
        refresh_token: refresh.map(RefreshToken::new),
        scope: "identify".into(),
        guild: None,
        webhook: None,
        id_token: None,
    }
}

fn api() -> ApiConfig {
    ApiConfig::default()
}

fn client() -> ClientAuth {
    ClientAuth::Basic {
        client_id: "1100000000000000001".into(),
        secret: ClientSecret::new("s3cret"),
    }
}

fn user_request() -> HttpRequest {
    api::raw_request(
        &api(),
        Authorization::Bearer(&AccessToken::new("placeholder")),
        Method::Get,
        "/users/@me",
        None,
    )
    .unwrap()
}

fn resp(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
    HttpResponse::new(
        status,
        headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        body.into(),
    )
}

/// <https://discord.com/developers/docs/topics/oauth2#authorization-code-grant-refresh-token-exchange-example>
fn token_answer(access: &str, refresh: &str) -> HttpResponse {
    resp(
        200,
        &[("content-type", "application/json")],
        &format!(
            r#"{{"access_token":"{access}","token_type":"Bearer","expires_in":604800,"refresh_token":"{refresh}","scope":"identify"}}"#
        ),
    )
}

fn invalid_grant() -> HttpResponse {
    resp(400, &[], r#"{"error":"invalid_grant"}"#)
}

fn bearer(req: &HttpRequest) -> &str {
    req.header("authorization").unwrap()
}

fn sent(a: CallAction) -> HttpRequest {
    match a {
        CallAction::Send(r) => r,
        other => panic!("expected Send, got {other:?}"),
    }
}

fn failed(a: CallAction) -> Error {
    match a {
        CallAction::Fail(e) => e,
        other => panic!("expected Fail, got {other:?}"),
    }
}

fn done_response(a: CallAction) -> HttpResponse {
    match a {
        CallAction::Done(Done::Response(r)) => r,
        other => panic!("expected Done(Response), got {other:?}"),
    }
}

#[test]
fn fresh_tokens_are_sent_with_the_current_bearer() {
    let mut rl = RateLimiter::new();
    let mut call = Call::new(Target::Request(user_request()));
    let req = sent(call.start(
        Some(tokens("A1", Some("R1"), 3_600_000)),
        None,
        &mut rl,
        NOW,
    ));
    assert_eq!(bearer(&req), "Bearer A1");
    let r = done_response(call.on_response::<SerdeJson>(resp(200, &[], "{}"), &mut rl, NOW));
    assert_eq!(r.status, 200);
}

#[test]
fn nothing_stored_is_unauthorized_without_a_request() {
    let mut rl = RateLimiter::new();
    let mut call = Call::new(Target::Request(user_request()));
    let e = failed(call.start(None, None, &mut rl, NOW));
    assert_eq!(e.code(), ErrorCode::Unauthorized);
}

#[test]
fn expiring_within_the_margin_refreshes_first() {
    let mut rl = RateLimiter::new();
    let mut call = Call::new(Target::Request(user_request()));
    let a = call.start(Some(tokens("A1", Some("R1"), 59_000)), None, &mut rl, NOW);
    assert!(matches!(a, CallAction::Refresh));
    // Just outside the margin: no refresh.
    let mut call = Call::new(Target::Request(user_request()));
    let a = call.start(Some(tokens("A1", Some("R1"), 61_000)), None, &mut rl, NOW);
    assert!(matches!(a, CallAction::Send(_)));
}

#[test]
fn tokens_obtained_just_now_are_used_until_they_expire() {
    let mut rl = RateLimiter::new();
    let mut call = Call::new(Target::Request(user_request()));
    let a = call.start(
        Some(tokens("A1", Some("R1"), 30_000)),
        Some(NOW - 2_000),
        &mut rl,
        NOW,
    );
    assert!(matches!(a, CallAction::Send(_)));
    // Expired: refreshed whatever their age.
    let mut call = Call::new(Target::Request(user_request()));
    let a = call.start(
        Some(tokens("A1", Some("R1"), -1)),
        Some(NOW - 2_000),
        &mut rl,
        NOW,
    );
    assert!(matches!(a, CallAction::Refresh));
}

#[test]
fn refresh_first_then_send_with_the_rotated_token() {
    let mut rl = RateLimiter::new();
    let mut call = Call::new(Target::Request(user_request()));
    let stored = tokens("A1", Some("R1"), 1_000);
    assert!(matches!(
        call.start(Some(stored.clone()), None, &mut rl, NOW),
        CallAction::Refresh
    ));
    let mut refresh = Refresh::new(api(), client(), call.tokens());
    let RefreshAction::Send(req) = refresh.start(Some(stored), NOW) else {
        panic!("expected the refresh request")
    };
    assert!(
        req.body
            .as_ref()
            .unwrap()
            .as_str()
            .contains("refresh_token=R1")
    );
    let RefreshAction::Persist(rotated) =
        refresh.on_response::<SerdeJson>(Ok(token_answer("A2", "R2")), NOW)
    else {
        panic!("expected Persist")
    };
    assert_eq!(rotated.refresh_token.as_ref().unwrap().secret(), "R2");
    let RefreshAction::Settled(outcome) = refresh.on_persisted() else {
        panic!("expected Settled")
    };
    let req = sent(call.on_refreshed(outcome, &mut rl, NOW));
    assert_eq!(bearer(&req), "Bearer A2");
}

#[test]
fn a_401_refreshes_once_and_retries_once() {
    let mut rl = RateLimiter::new();
    let mut call = Call::new(Target::Request(user_request()));
    sent(call.start(
        Some(tokens("A1", Some("R1"), 3_600_000)),
        None,
        &mut rl,
        NOW,
    ));
    let a = call.on_response::<SerdeJson>(
        resp(401, &[], r#"{"message":"401: Unauthorized","code":0}"#),
        &mut rl,
        NOW,
    );
    assert!(matches!(a, CallAction::Refresh));
    let req = sent(call.on_refreshed(
        RefreshOutcome::Rotated(tokens("A2", Some("R2"), 3_600_000)),
        &mut rl,
        NOW,
    ));
    assert_eq!(bearer(&req), "Bearer A2");
    let r = done_response(call.on_response::<SerdeJson>(resp(200, &[], "{}"), &mut rl, NOW));
    assert_eq!(r.status, 200);
}

#[test]
fn a_401_after_a_refresh_forgets_the_grant() {
    let mut rl = RateLimiter::new();
    let mut call = Call::new(Target::Request(user_request()));
    sent(call.start(
        Some(tokens("A1", Some("R1"), 3_600_000)),
        None,
        &mut rl,
        NOW,
    ));
    assert!(matches!(
        call.on_response::<SerdeJson>(resp(401, &[], "{}"), &mut rl, NOW),
        CallAction::Refresh
    ));
    sent(call.on_refreshed(
        RefreshOutcome::Rotated(tokens("A2", Some("R2"), 3_600_000)),
        &mut rl,
        NOW,
    ));
    // Never a second refresh: the retry's 401 ends it.
    let a = call.on_response::<SerdeJson>(resp(401, &[], "{}"), &mut rl, NOW);
    assert!(matches!(a, CallAction::Forget));
    assert_eq!(failed(call.on_forgotten()).code(), ErrorCode::Unauthorized);
}

#[test]
fn a_refused_refresh_forgets_the_grant() {
    let mut rl = RateLimiter::new();
    let mut call = Call::new(Target::Request(user_request()));
    call.start(Some(tokens("A1", Some("R1"), -5)), None, &mut rl, NOW);
    let a = call.on_refreshed(RefreshOutcome::Gone, &mut rl, NOW);
    assert!(matches!(a, CallAction::Forget));
    let e = failed(call.on_forgotten());
    assert_eq!(e.code(), ErrorCode::Unauthorized);
    assert!(e.to_string().contains("revoked"));
}

#[test]
fn a_refresh_answered_429_keeps_the_grant_and_reports_the_limit() {
    let mut rl = RateLimiter::new();
    let mut call = Call::new(Target::Request(user_request()));
    let stored = tokens("A1", Some("R1"), -5);
    call.start(Some(stored.clone()), None, &mut rl, NOW);
    let mut refresh = Refresh::new(api(), client(), call.tokens());
    assert!(matches!(
        refresh.start(Some(stored), NOW),
        RefreshAction::Send(_)
    ));
    let limited = resp(
        429,
        &[("retry-after", "3"), ("x-ratelimit-scope", "user")],
        r#"{"message":"You are being rate limited.","retry_after":2.5,"global":false}"#,
    );
    let RefreshAction::Settled(outcome) = refresh.on_response::<SerdeJson>(Ok(limited), NOW) else {
        panic!("expected Settled")
    };
    assert!(matches!(outcome, RefreshOutcome::Failed(_)));
    // Failed, not Forget: the stored grant stays.
    let e = failed(call.on_refreshed(outcome, &mut rl, NOW));
    assert_eq!(e.code(), ErrorCode::RateLimited);
    assert_eq!(e.retry_after(), Some(2.5));
}

#[test]
fn a_refresh_that_cannot_reach_discord_fails_without_forgetting() {
    let mut refresh = Refresh::new(api(), client(), None);
    refresh.start(Some(tokens("A1", Some("R1"), -5)), NOW);
    let a = refresh.on_response::<SerdeJson>(Err(Error::Network("offline".into())), NOW);
    let RefreshAction::Settled(RefreshOutcome::Failed(e)) = a else {
        panic!("expected Failed")
    };
    assert_eq!(e.code(), ErrorCode::NetworkError);
}

#[test]
fn invalid_grant_rereads_once_then_gives_up() {
    let mut refresh = Refresh::new(api(), client(), None);
    let stored = tokens("A1", Some("R1"), -5);
    refresh.start(Some(stored.clone()), NOW);
    assert!(matches!(
        refresh.on_response::<SerdeJson>(Ok(invalid_grant()), NOW),
        RefreshAction::Reread
    ));
    // Still the refused refresh token: gone.
    assert!(matches!(
        refresh.on_reread(Ok(Some(stored))),
        RefreshAction::Settled(RefreshOutcome::Gone)
    ));
}

#[test]
fn invalid_grant_adopts_what_a_peer_rotated_meanwhile() {
    let mut refresh = Refresh::new(api(), client(), None);
    refresh.start(Some(tokens("A1", Some("R1"), -5)), NOW);
    refresh.on_response::<SerdeJson>(Ok(invalid_grant()), NOW);
    let a = refresh.on_reread(Ok(Some(tokens("A2", Some("R2"), 604_800_000))));
    let RefreshAction::Settled(RefreshOutcome::Rotated(t)) = a else {
        panic!("expected the peer's tokens")
    };
    assert_eq!(t.access_token.secret(), "A2");
}

#[test]
fn invalid_grant_with_nothing_stored_is_gone() {
    let mut refresh = Refresh::new(api(), client(), None);
    refresh.start(Some(tokens("A1", Some("R1"), -5)), NOW);
    refresh.on_response::<SerdeJson>(Ok(invalid_grant()), NOW);
    assert!(matches!(
        refresh.on_reread(Ok(None)),
        RefreshAction::Settled(RefreshOutcome::Gone)
    ));
}

#[test]
fn a_rotation_by_a_peer_before_the_leader_sends_is_adopted_without_a_request() {
    // The call saw A1; by the time its refresh leads, a peer stored A2 (fresh).
    let seen = tokens("A1", Some("R1"), 1_000);
    let mut refresh = Refresh::new(api(), client(), Some(&seen));
    let a = refresh.start(Some(tokens("A2", Some("R2"), 604_800_000)), NOW);
    let RefreshAction::Settled(RefreshOutcome::Rotated(t)) = a else {
        panic!("expected adoption, not a second refresh")
    };
    assert_eq!(t.refresh_token.unwrap().secret(), "R2");
}

#[test]
fn a_peer_rotation_that_is_itself_expiring_is_refreshed_with_the_newest_token() {
    let seen = tokens("A1", Some("R1"), 1_000);
    let mut refresh = Refresh::new(api(), client(), Some(&seen));
    let RefreshAction::Send(req) = refresh.start(Some(tokens("A2", Some("R2"), 1_000)), NOW) else {
        panic!("expected a refresh")
    };
    // Never the rotated-away R1.
    assert!(
        req.body
            .as_ref()
            .unwrap()
            .as_str()
            .contains("refresh_token=R2")
    );
}

#[test]
fn a_rotation_arriving_while_a_refresh_is_in_flight_is_adopted_on_invalid_grant() {
    // Leader sends R1; meanwhile a peer (another isolate) rotated R1 -> R2 and Discord refuses
    // our R1: the re-read finds R2 and the call goes on with it.
    let mut rl = RateLimiter::new();
    let stored = tokens("A1", Some("R1"), -5);
    let mut call = Call::new(Target::Request(user_request()));
    call.start(Some(stored.clone()), None, &mut rl, NOW);
    let mut refresh = Refresh::new(api(), client(), call.tokens());
    refresh.start(Some(stored), NOW);
    refresh.on_response::<SerdeJson>(Ok(invalid_grant()), NOW);
    let RefreshAction::Settled(outcome) =
        refresh.on_reread(Ok(Some(tokens("A2", Some("R2"), 604_800_000))))
    else {
        panic!()
    };
    let req = sent(call.on_refreshed(outcome, &mut rl, NOW));
    assert_eq!(bearer(&req), "Bearer A2");
}

#[test]
fn the_implicit_grant_uses_its_token_while_it_lasts_and_then_forgets_it() {
    let mut rl = RateLimiter::new();
    let mut call = Call::new(Target::Request(user_request()));
    // Expiring within the margin, no refresh token: used as is.
    assert!(matches!(
        call.start(Some(tokens("A1", None, 30_000)), None, &mut rl, NOW),
        CallAction::Send(_)
    ));
    // Expired: forgotten, unauthorized.
    let mut call = Call::new(Target::Request(user_request()));
    assert!(matches!(
        call.start(Some(tokens("A1", None, -1)), None, &mut rl, NOW),
        CallAction::Forget
    ));
    assert_eq!(failed(call.on_forgotten()).code(), ErrorCode::Unauthorized);
    // A 401 with nothing to refresh with: forgotten.
    let mut call = Call::new(Target::Request(user_request()));
    call.start(Some(tokens("A1", None, 3_600_000)), None, &mut rl, NOW);
    assert!(matches!(
        call.on_response::<SerdeJson>(resp(401, &[], "{}"), &mut rl, NOW),
        CallAction::Forget
    ));
}

#[test]
fn a_known_empty_bucket_fails_before_sending() {
    let mut rl = RateLimiter::new();
    let limited = resp(
        429,
        &[
            ("retry-after", "5"),
            ("x-ratelimit-bucket", "b1"),
            ("x-ratelimit-scope", "user"),
        ],
        r#"{"message":"You are being rate limited.","retry_after":5.0,"global":false}"#,
    );
    let mut call = Call::new(Target::Request(user_request()));
    call.start(
        Some(tokens("A1", Some("R1"), 3_600_000)),
        None,
        &mut rl,
        NOW,
    );
    let e = failed(call.on_response::<SerdeJson>(limited, &mut rl, NOW));
    assert_eq!(e.code(), ErrorCode::RateLimited);
    // The next call on the same route is refused without a request, until the wait is over.
    let mut call = Call::new(Target::Request(user_request()));
    let e = failed(call.start(
        Some(tokens("A1", Some("R1"), 3_600_000)),
        None,
        &mut rl,
        NOW + 1_000,
    ));
    assert_eq!(e.code(), ErrorCode::RateLimited);
    let mut call = Call::new(Target::Request(user_request()));
    assert!(matches!(
        call.start(
            Some(tokens("A1", Some("R1"), 3_600_000)),
            None,
            &mut rl,
            NOW + 6_000
        ),
        CallAction::Send(_)
    ));
}

#[test]
fn discord_errors_keep_their_codes_and_the_grant() {
    let mut rl = RateLimiter::new();
    for (status, body, code) in [
        (
            404,
            r#"{"message":"Unknown Guild","code":10004}"#,
            ErrorCode::NotFound,
        ),
        (
            403,
            r#"{"message":"Missing Access","code":50001}"#,
            ErrorCode::Forbidden,
        ),
        (502, "<html>bad gateway</html>", ErrorCode::ServerError),
    ] {
        let mut call = Call::new(Target::Request(user_request()));
        call.start(
            Some(tokens("A1", Some("R1"), 3_600_000)),
            None,
            &mut rl,
            NOW,
        );
        let e = failed(call.on_response::<SerdeJson>(resp(status, &[], body), &mut rl, NOW));
        assert_eq!(e.code(), code, "HTTP {status}");
    }
}

#[test]
fn the_token_target_refreshes_and_hands_out_the_tokens() {
    let mut rl = RateLimiter::new();
    let mut call = Call::new(Target::Token);
    let a = call.start(
        Some(tokens("A1", Some("R1"), 3_600_000)),
        None,
        &mut rl,
        NOW,
    );
    assert!(matches!(a, CallAction::Done(Done::Tokens(ref t)) if t.access_token.secret() == "A1"));
    let mut call = Call::new(Target::Token);
    assert!(matches!(
        call.start(Some(tokens("A1", Some("R1"), 10)), None, &mut rl, NOW),
        CallAction::Refresh
    ));
    let a = call.on_refreshed(
        RefreshOutcome::Rotated(tokens("A2", Some("R2"), 3_600_000)),
        &mut rl,
        NOW,
    );
    assert!(matches!(a, CallAction::Done(Done::Tokens(ref t)) if t.access_token.secret() == "A2"));
}

#[test]
fn events_out_of_order_are_errors_not_panics() {
    let mut rl = RateLimiter::new();
    let mut call = Call::new(Target::Token);
    let e = failed(call.on_response::<SerdeJson>(resp(200, &[], "{}"), &mut rl, NOW));
    assert_eq!(e.code(), ErrorCode::ConfigError);
    let mut refresh = Refresh::new(api(), client(), None);
    assert!(matches!(
        refresh.on_persisted(),
        RefreshAction::Settled(RefreshOutcome::Failed(_))
    ));
}

#[test]
fn a_refresh_without_a_refresh_token_or_tokens_is_gone() {
    let mut refresh = Refresh::new(api(), client(), None);
    assert!(matches!(
        refresh.start(None, NOW),
        RefreshAction::Settled(RefreshOutcome::Gone)
    ));
    let mut refresh = Refresh::new(api(), client(), None);
    assert!(matches!(
        refresh.start(Some(tokens("A1", None, -1)), NOW),
        RefreshAction::Settled(RefreshOutcome::Gone)
    ));
}

#[test]
fn the_debug_output_of_a_call_holds_no_token() {
    let mut rl = RateLimiter::new();
    let mut call = Call::new(Target::Request(user_request()));
    call.start(
        Some(tokens("SECRET_A", Some("SECRET_R"), 3_600_000)),
        None,
        &mut rl,
        NOW,
    );
    let debug = format!("{call:?}");
    assert!(
        !debug.contains("SECRET_A") && !debug.contains("SECRET_R"),
        "{debug}"
    );
}

#[test]
fn a_reread_that_fails_keeps_the_grant() {
    let mut refresh = Refresh::new(api(), client(), None);
    refresh.start(Some(tokens("A1", Some("R1"), -5)), NOW);
    refresh.on_response::<SerdeJson>(Ok(invalid_grant()), NOW);
    let a = refresh.on_reread(Err(Error::Storage("KV read failed".into())));
    assert!(
        matches!(a, RefreshAction::Settled(RefreshOutcome::Failed(ref e)) if e.code() == ErrorCode::StorageError)
    );
}

#[test]
fn an_explicit_refresh_refreshes_fresh_tokens_too() {
    let mut rl = RateLimiter::new();
    let mut call = Call::new(Target::Refreshed);
    assert!(matches!(
        call.start(
            Some(tokens("A1", Some("R1"), 3_600_000)),
            None,
            &mut rl,
            NOW
        ),
        CallAction::Refresh
    ));
    let a = call.on_refreshed(
        RefreshOutcome::Rotated(tokens("A2", Some("R2"), 3_600_000)),
        &mut rl,
        NOW,
    );
    assert!(matches!(a, CallAction::Done(Done::Tokens(ref t)) if t.access_token.secret() == "A2"));
    // Nothing to refresh with: an error, and the implicit token is kept.
    let mut call = Call::new(Target::Refreshed);
    let e = failed(call.start(Some(tokens("A1", None, 3_600_000)), None, &mut rl, NOW));
    assert_eq!(e.code(), ErrorCode::Unauthorized);
}

#[test]
fn an_anonymous_call_sends_no_token_and_never_refreshes_or_forgets() {
    let mut rl = RateLimiter::new();
    let mut call = Call::new(Target::Anonymous(user_request()));
    // Nothing stored is fine: no token is needed.
    let req = sent(call.start(None, None, &mut rl, NOW));
    assert!(req.header("authorization").is_none());
    // A 401 is just the answer's error: no refresh, no forgetting.
    let e = failed(call.on_response::<SerdeJson>(resp(401, &[], "{}"), &mut rl, NOW));
    assert_eq!(e.code(), ErrorCode::Unauthorized);
    let mut call = Call::new(Target::Anonymous(user_request()));
    sent(call.start(Some(tokens("A1", Some("R1"), -5)), None, &mut rl, NOW));
    let r = done_response(call.on_response::<SerdeJson>(resp(200, &[], "{}"), &mut rl, NOW));
    assert_eq!(r.status, 200);
}
