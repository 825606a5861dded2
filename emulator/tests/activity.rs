//! Activities (docs/contract.md §8): `POST /_emulator/activity/authorize` hands out a code issued
//! without a `redirect_uri`, and the token endpoint requires `redirect_uri` at exchange exactly
//! when the code was issued with one (RFC 6749 §4.1.3).

mod common;

use common::*;
use serde_json::{Value, json};

async fn activity_code(emu: &Emu, body: Value) -> (u16, Value) {
    let resp = emu
        .http
        .post(emu.url("/_emulator/activity/authorize"))
        .json(&body)
        .send()
        .await
        .unwrap();
    status_json(resp).await
}

async fn exchange(emu: &Emu, code: &str, redirect: Option<&str>) -> (u16, Value) {
    let mut form = vec![("grant_type", "authorization_code"), ("code", code)];
    if let Some(r) = redirect {
        form.push(("redirect_uri", r));
    }
    status_json(emu.token_form(&form, true).await).await
}

#[tokio::test]
async fn activity_code_exchanges_without_redirect_uri() {
    let emu = start().await;
    let (status, body) = activity_code(
        &emu,
        json!({"client_id": CONFIDENTIAL_APP, "scope": ["identify", "guilds"], "user_id": USER}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let code = body["code"].as_str().unwrap().to_owned();
    assert_eq!(body.as_object().unwrap().len(), 1, "only the code: {body}");
    let (status, tokens) = exchange(&emu, &code, None).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["scope"], "identify guilds");
    assert!(tokens["refresh_token"].is_string());
    let me = emu
        .bearer_get(
            "/api/v10/users/@me",
            tokens["access_token"].as_str().unwrap(),
        )
        .await;
    let (status, me) = status_json(me).await;
    assert_eq!((status, me["id"].as_str()), (200, Some(USER)));
    let c = emu.counters().await;
    assert_eq!(c["activity_codes_issued"], 1);
    assert_eq!(c["exchanges_without_redirect_uri"], 1);
    // Replaying the code is invalid_grant, as for any code.
    let (status, body) = exchange(&emu, &code, None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn activity_code_exchanged_with_a_redirect_uri_is_invalid_grant() {
    let emu = start().await;
    let (_, body) = activity_code(
        &emu,
        json!({"client_id": CONFIDENTIAL_APP, "scope": "identify"}),
    )
    .await;
    let code = body["code"].as_str().unwrap().to_owned();
    // Even the application's registered (default) redirect URI: none was part of the grant.
    let (status, body) = exchange(&emu, &code, Some(REDIRECT)).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(emu.counters().await["exchanges_without_redirect_uri"], 0);
}

#[tokio::test]
async fn web_code_exchanged_without_its_redirect_uri_is_invalid_grant() {
    let emu = start().await;
    let code = emu.code("identify", USER).await;
    let (status, body) = exchange(&emu, &code, None).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_grant");
    // The code is still good with its redirect_uri (the refusal did not consume it).
    let (status, body) = exchange(&emu, &code, Some(REDIRECT)).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn activity_code_with_pkce_needs_the_verifier() {
    let emu = start().await;
    let (status, body) = activity_code(
        &emu,
        json!({"client_id": PUBLIC_APP, "scope": "identify", "code_challenge": RFC_CHALLENGE,
               "code_challenge_method": "S256"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let code = body["code"].as_str().unwrap().to_owned();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("client_id", PUBLIC_APP),
        ("code_verifier", RFC_VERIFIER),
    ];
    let (status, body) = status_json(emu.token_form(&form, false).await).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn activity_authorize_refuses_bad_requests() {
    let emu = start().await;
    let cases = [
        (json!({"scope": "identify"}), "invalid_request"),
        (
            json!({"client_id": "1", "scope": "identify"}),
            "unknown_application",
        ),
        (json!({"client_id": CONFIDENTIAL_APP}), "invalid_scope"),
        (
            json!({"client_id": CONFIDENTIAL_APP, "scope": "identify nope"}),
            "invalid_scope",
        ),
        (
            json!({"client_id": CONFIDENTIAL_APP, "scope": "identify", "user_id": "42"}),
            "unknown_user",
        ),
        (
            json!({"client_id": CONFIDENTIAL_APP, "scope": "identify", "code_challenge": "x"}),
            "invalid_request",
        ),
        (json!([1, 2]), "invalid_json"),
    ];
    for (body, error) in cases {
        let (status, answer) = activity_code(&emu, body.clone()).await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (400, Some(error)),
            "{body}"
        );
    }
    assert_eq!(emu.counters().await["codes_issued"], 0);
}
