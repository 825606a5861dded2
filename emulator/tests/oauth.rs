//! OAuth2 token endpoint: code exchange, PKCE, replay, refresh rotation, client credentials,
//! bot and webhook extras, revoke, and every error.

mod common;

use common::*;
use serde_json::{Value, json};

#[tokio::test]
async fn pkce_happy_path_with_rfc7636_vectors() {
    let emu = start().await;
    let loc = emu
        .authorize(json!({
            "client_id": PUBLIC_APP, "redirect_uri": REDIRECT, "response_type": "code",
            "scope": "identify guilds", "state": "st8", "code_challenge": RFC_CHALLENGE,
            "code_challenge_method": "S256"
        }))
        .await;
    assert!(loc.starts_with(REDIRECT));
    assert_eq!(url_param(&loc, "state").as_deref(), Some("st8"));
    let code = url_param(&loc, "code").unwrap();
    // Public client: client_id only, no secret, with the verifier.
    let resp = emu
        .token_form(
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("client_id", PUBLIC_APP),
                ("code_verifier", RFC_VERIFIER),
            ],
            false,
        )
        .await;
    let (status, body) = status_json(resp).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 604800);
    assert_eq!(body["scope"], "identify guilds");
    assert_eq!(body["access_token"].as_str().unwrap().len(), 30);
    assert!(body["refresh_token"].is_string());
    let me = emu
        .bearer_get("/api/v10/users/@me", body["access_token"].as_str().unwrap())
        .await;
    assert_eq!(me.status(), 200);
    // The public client refreshes without a secret too.
    let resp = emu
        .token_form(
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", body["refresh_token"].as_str().unwrap()),
                ("client_id", PUBLIC_APP),
            ],
            false,
        )
        .await;
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn pkce_errors() {
    let emu = start().await;
    let new_code = || async {
        let loc = emu
            .authorize(json!({
                "client_id": PUBLIC_APP, "redirect_uri": REDIRECT, "response_type": "code",
                "scope": "identify", "code_challenge": RFC_CHALLENGE, "code_challenge_method": "S256"
            }))
            .await;
        url_param(&loc, "code").unwrap()
    };
    let code = new_code().await;
    let exchange = |verifier: Option<&'static str>, code: String| {
        let emu = &emu;
        async move {
            let mut form = vec![
                ("grant_type", "authorization_code".to_owned()),
                ("code", code),
                ("redirect_uri", REDIRECT.to_owned()),
                ("client_id", PUBLIC_APP.to_owned()),
            ];
            if let Some(v) = verifier {
                form.push(("code_verifier", v.to_owned()));
            }
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            status_json(emu.token_form(&form, false).await).await
        }
    };
    let wrong = "a".repeat(43).leak() as &'static str;
    let (s, b) = exchange(Some(wrong), code.clone()).await;
    assert_eq!((s, b["error"].as_str()), (400, Some("invalid_grant")));
    assert_eq!(b["error_description"], "Invalid \"code_verifier\"");
    let (s, b) = exchange(Some("short"), code.clone()).await;
    assert_eq!((s, b["error"].as_str()), (400, Some("invalid_request")));
    assert_eq!(b["error_description"], "Invalid \"code_verifier\"");
    let long = "b".repeat(129).leak() as &'static str;
    let (s, b) = exchange(Some(long), code.clone()).await;
    assert_eq!((s, b["error"].as_str()), (400, Some("invalid_request")));
    let (s, b) = exchange(None, code.clone()).await;
    assert_eq!((s, b["error"].as_str()), (400, Some("invalid_request")));
    assert_eq!(b["error_description"], "Missing \"code_verifier\"");
    // Failed attempts do not consume the code.
    let (s, _) = exchange(Some(RFC_VERIFIER), code).await;
    assert_eq!(s, 200);
    // "plain" is refused at authorize.
    let loc = emu
        .authorize(json!({
            "client_id": PUBLIC_APP, "redirect_uri": REDIRECT, "response_type": "code",
            "scope": "identify", "state": "p", "code_challenge": RFC_VERIFIER,
            "code_challenge_method": "plain"
        }))
        .await;
    assert_eq!(url_param(&loc, "error").as_deref(), Some("invalid_request"));
    assert_eq!(url_param(&loc, "state").as_deref(), Some("p"));
    // A public client without PKCE cannot exchange a code.
    let loc = emu
        .authorize(json!({"client_id": PUBLIC_APP, "redirect_uri": REDIRECT,
                          "response_type": "code", "scope": "identify"}))
        .await;
    let (s, b) = exchange(None, url_param(&loc, "code").unwrap()).await;
    assert_eq!((s, b["error"].as_str()), (401, Some("invalid_client")));
}

#[tokio::test]
async fn code_replay_is_refused_and_revokes_the_grant() {
    let emu = start().await;
    let code = emu.code("identify", USER).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
    ];
    let (s, first) = status_json(emu.token_form(&form, true).await).await;
    assert_eq!(s, 200);
    let at = first["access_token"].as_str().unwrap();
    assert_eq!(emu.bearer_get("/api/v10/users/@me", at).await.status(), 200);
    let (s, b) = status_json(emu.token_form(&form, true).await).await;
    assert_eq!(s, 400);
    assert_eq!(b["error"], "invalid_grant");
    assert_eq!(b["error_description"], "Invalid \"code\" in request.");
    assert_eq!(emu.bearer_get("/api/v10/users/@me", at).await.status(), 401);
    let (s, b) = status_json(
        emu.token_form(
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", first["refresh_token"].as_str().unwrap()),
            ],
            true,
        )
        .await,
    )
    .await;
    assert_eq!((s, b["error"].as_str()), (400, Some("invalid_grant")));
}

#[tokio::test]
async fn refresh_rotates_and_old_tokens_are_refused() {
    let emu = start().await;
    let first = emu.login("identify email", USER).await;
    let rt = first["refresh_token"].as_str().unwrap();
    let (s, second) = status_json(
        emu.token_form(
            &[("grant_type", "refresh_token"), ("refresh_token", rt)],
            true,
        )
        .await,
    )
    .await;
    assert_eq!(s, 200);
    assert_ne!(second["access_token"], first["access_token"]);
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert_eq!(second["scope"], "identify email");
    let (s, b) = status_json(
        emu.token_form(
            &[("grant_type", "refresh_token"), ("refresh_token", rt)],
            true,
        )
        .await,
    )
    .await;
    assert_eq!(s, 400);
    assert_eq!(b["error"], "invalid_grant");
    let old = first["access_token"].as_str().unwrap();
    assert_eq!(
        emu.bearer_get("/api/v10/users/@me", old).await.status(),
        401
    );
    let new = second["access_token"].as_str().unwrap();
    assert_eq!(
        emu.bearer_get("/api/v10/users/@me", new).await.status(),
        200
    );
    let c = emu.counters().await;
    assert_eq!(c["refreshes"], 1);
    assert_eq!(c["grants"]["refresh_token"], 1);
    assert_eq!(c["grants"]["authorization_code"], 1);
}

#[tokio::test]
async fn revoke_revokes_the_whole_grant() {
    let emu = start().await;
    let t = emu.login("identify", USER).await;
    let at = t["access_token"].as_str().unwrap();
    let rt = t["refresh_token"].as_str().unwrap();
    let revoke = |form: Vec<(&'static str, String)>, basic: bool| {
        let emu = &emu;
        async move {
            let mut req = emu
                .http
                .post(emu.url("/api/v10/oauth2/token/revoke"))
                .form(&form);
            if basic {
                req = req.basic_auth(CONFIDENTIAL_APP, Some(CONFIDENTIAL_SECRET));
            }
            status_json(req.send().await.unwrap()).await
        }
    };
    // Unknown tokens: 200 too (RFC 7009 §2.2).
    let (s, b) = revoke(vec![("token", "nope".into())], true).await;
    assert_eq!((s, b), (200, json!({})));
    // Bad client.
    let (s, b) = revoke(
        vec![
            ("token", rt.into()),
            ("client_id", CONFIDENTIAL_APP.into()),
            ("client_secret", "wrong".into()),
        ],
        false,
    )
    .await;
    assert_eq!((s, b), (401, json!({"error": "invalid_client"})));
    // Revoking the refresh token (credentials in the body, with a hint) kills the access token.
    let (s, _) = revoke(
        vec![
            ("token", rt.into()),
            ("token_type_hint", "refresh_token".into()),
            ("client_id", CONFIDENTIAL_APP.into()),
            ("client_secret", CONFIDENTIAL_SECRET.into()),
        ],
        false,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(emu.bearer_get("/api/v10/users/@me", at).await.status(), 401);
    let (s, _) = status_json(
        emu.token_form(
            &[("grant_type", "refresh_token"), ("refresh_token", rt)],
            true,
        )
        .await,
    )
    .await;
    assert_eq!(s, 400);
    // JSON is refused.
    let resp = emu
        .http
        .post(emu.url("/api/v10/oauth2/token/revoke"))
        .basic_auth(CONFIDENTIAL_APP, Some(CONFIDENTIAL_SECRET))
        .json(&json!({"token": at}))
        .send()
        .await
        .unwrap();
    let (s, b) = status_json(resp).await;
    assert_eq!((s, b["error"].as_str()), (400, Some("invalid_request")));
    assert_eq!(emu.counters().await["revocations"], 1);
}

#[tokio::test]
async fn token_endpoint_errors() {
    let emu = start().await;
    let url = emu.url("/api/v10/oauth2/token");
    // JSON: Discord answers unsupported_grant_type (it finds no grant_type in a form).
    let resp = emu
        .http
        .post(&url)
        .basic_auth(CONFIDENTIAL_APP, Some(CONFIDENTIAL_SECRET))
        .json(&json!({"grant_type": "authorization_code", "code": "x"}))
        .send()
        .await
        .unwrap();
    let (s, b) = status_json(resp).await;
    assert_eq!(
        (s, b["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
    let (s, b) = status_json(emu.token_form(&[("code", "x")], true).await).await;
    assert_eq!(s, 400);
    assert_eq!(b["error_description"], "Grant type None is not supported");
    let (s, b) = status_json(emu.token_form(&[("grant_type", "password")], true).await).await;
    assert_eq!(
        (s, b["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
    // Client authentication.
    let code = emu.code("identify", USER).await;
    let base = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
    ];
    for (id, secret) in [
        (CONFIDENTIAL_APP, Some("wrong")),
        ("999", Some("x")),
        (CONFIDENTIAL_APP, None),
    ] {
        let mut form = base.to_vec();
        form.push(("client_id", id));
        if let Some(s) = secret {
            form.push(("client_secret", s));
        }
        let (s, b) = status_json(emu.token_form(&form, false).await).await;
        assert_eq!((s, b), (401, json!({"error": "invalid_client"})));
    }
    let resp = emu
        .http
        .post(&url)
        .header("authorization", "Basic !!!notbase64")
        .form(&base)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let (s, _) = status_json(emu.token_form(&base[..2], false).await).await;
    assert_eq!(s, 401, "no client at all");
    // Code problems.
    let (s, b) = status_json(
        emu.token_form(
            &[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", "http://localhost/callback"),
            ],
            true,
        )
        .await,
    )
    .await;
    assert_eq!(
        (s, b["error_description"].as_str()),
        (400, Some("Invalid \"redirect_uri\" in request."))
    );
    let (s, b) = status_json(
        emu.token_form(
            &[
                ("grant_type", "authorization_code"),
                ("code", "bogus"),
                ("redirect_uri", REDIRECT),
            ],
            true,
        )
        .await,
    )
    .await;
    assert_eq!((s, b["error"].as_str()), (400, Some("invalid_grant")));
    let (s, b) = status_json(
        emu.token_form(&[("grant_type", "authorization_code")], true)
            .await,
    )
    .await;
    assert_eq!((s, b["error"].as_str()), (400, Some("invalid_request")));
    let (s, b) = status_json(
        emu.token_form(
            &[
                ("grant_type", "refresh_token"),
                ("grant_type", "refresh_token"),
            ],
            true,
        )
        .await,
    )
    .await;
    assert_eq!((s, b["error"].as_str()), (400, Some("invalid_request")));
    // Body credentials work; the code is still unused after all the failures above.
    let mut form = base.to_vec();
    form.push(("client_id", CONFIDENTIAL_APP));
    form.push(("client_secret", CONFIDENTIAL_SECRET));
    let (s, _) = status_json(emu.token_form(&form, false).await).await;
    assert_eq!(s, 200);
    // Invalid UTF-8 and oversized bodies.
    let resp = emu
        .http
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![b'g', 0xff, 0xfe, b'='])
        .send()
        .await
        .unwrap();
    let (s, b) = status_json(resp).await;
    assert_eq!((s, b["error"].as_str()), (400, Some("invalid_request")));
    let resp = emu
        .http
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![b'a'; 70 * 1024])
        .send()
        .await
        .unwrap();
    let (s, b) = status_json(resp).await;
    assert_eq!((s, b["code"].as_u64()), (413, Some(40005)));
}

#[tokio::test]
async fn client_credentials_is_for_the_owner_with_basic_auth_only() {
    let emu = start().await;
    let (s, t) = status_json(
        emu.token_form(
            &[
                ("grant_type", "client_credentials"),
                ("scope", "identify connections"),
            ],
            true,
        )
        .await,
    )
    .await;
    assert_eq!(s, 200, "{t}");
    assert_eq!(t["scope"], "identify connections");
    assert!(t.get("refresh_token").is_none());
    let (_, me) = status_json(
        emu.bearer_get("/api/v10/users/@me", t["access_token"].as_str().unwrap())
            .await,
    )
    .await;
    assert_eq!(me["id"], USER);
    let (s, b) = status_json(
        emu.token_form(
            &[
                ("grant_type", "client_credentials"),
                ("client_id", CONFIDENTIAL_APP),
                ("client_secret", CONFIDENTIAL_SECRET),
            ],
            false,
        )
        .await,
    )
    .await;
    assert_eq!((s, b["error"].as_str()), (401, Some("invalid_client")));
    let (s, b) = status_json(
        emu.token_form(
            &[
                ("grant_type", "client_credentials"),
                ("scope", "identify made.up"),
            ],
            true,
        )
        .await,
    )
    .await;
    assert_eq!((s, b["error"].as_str()), (400, Some("invalid_scope")));
    assert_eq!(emu.counters().await["grants"]["client_credentials"], 1);
}

#[tokio::test]
async fn bot_and_webhook_scopes_extend_the_token_response() {
    let emu = start().await;
    let loc = emu
        .authorize(json!({
            "client_id": CONFIDENTIAL_APP, "redirect_uri": REDIRECT, "response_type": "code",
            "scope": ["bot", "identify", "webhook.incoming"], "permissions": "8",
            "guild_id": OWNED_GUILD
        }))
        .await;
    assert_eq!(url_param(&loc, "guild_id").as_deref(), Some(OWNED_GUILD));
    assert_eq!(url_param(&loc, "permissions").as_deref(), Some("8"));
    let code = url_param(&loc, "code").unwrap();
    let (s, t) = status_json(
        emu.token_form(
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
            ],
            true,
        )
        .await,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(t["guild"]["id"], OWNED_GUILD);
    assert_eq!(t["guild"]["name"], "Emulator HQ");
    let w = &t["webhook"];
    assert_eq!(w["type"], 1);
    assert_eq!(w["guild_id"], OWNED_GUILD);
    assert_eq!(w["channel_id"], "1170000000000000001");
    assert_eq!(w["name"], "Emulator Demo");
    let url = w["url"].as_str().unwrap();
    assert!(url.ends_with(&format!(
        "/api/webhooks/{}/{}",
        w["id"].as_str().unwrap(),
        w["token"].as_str().unwrap()
    )));
    // A plain login carries neither.
    let t: Value = emu.login("identify", USER).await;
    assert!(t.get("guild").is_none() && t.get("webhook").is_none());
}
