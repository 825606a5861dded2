//! OAuth2 authorize: consent page, form, cancel, auto-approve, prompt=none, implicit grant,
//! the JSON shortcut, and every authorize error.

mod common;

use common::*;
use discord_emulator::AutoApprove;
use serde_json::json;
fn authorize_query(extra: &str) -> String {
    format!(
        "/oauth2/authorize?client_id={CONFIDENTIAL_APP}&redirect_uri=http%3A%2F%2Flocalhost%3A8787%2Fauth%2Fcallback&{extra}"
    )
}

async fn location(emu: &Emu, path: &str) -> (u16, Option<String>) {
    let resp = emu.http.get(emu.url(path)).send().await.unwrap();
    let loc = resp
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    (resp.status().as_u16(), loc)
}

#[tokio::test]
async fn implicit_grant_puts_the_token_in_the_fragment() {
    let emu = start().await;
    let loc = emu
        .authorize(json!({
            "client_id": PUBLIC_APP, "redirect_uri": "http://localhost:8787/", "response_type": "token",
            "scope": "identify guilds", "state": "frag"
        }))
        .await;
    let (before, fragment) = loc.split_once('#').expect("fragment");
    assert_eq!(before, "http://localhost:8787/");
    assert!(fragment.contains("token_type=Bearer"));
    assert_eq!(url_param(&loc, "expires_in").as_deref(), Some("604800"));
    assert_eq!(url_param(&loc, "scope").as_deref(), Some("identify guilds"));
    assert_eq!(url_param(&loc, "state").as_deref(), Some("frag"));
    assert_eq!(url_param(&loc, "refresh_token"), None);
    let at = url_param(&loc, "access_token").unwrap();
    assert_eq!(
        emu.bearer_get("/api/v10/users/@me/guilds", &at)
            .await
            .status(),
        200
    );
    assert_eq!(emu.counters().await["grants"]["implicit"], 1);
}

#[tokio::test]
async fn consent_page_lists_app_scopes_and_users_then_approves() {
    let emu = start().await;
    let path = authorize_query(
        "response_type=code&scope=identify%20email%20guilds.join&state=a%3Cb&prompt=consent",
    );
    let resp = emu.http.get(emu.url(&path)).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = resp.text().await.unwrap();
    for needle in [
        "Emulator Demo",
        "Access your email address",
        "Join servers for you",
        "Access your username, avatar, and banner",
        "Emulator User",
        "Nelly#1337",
        "value=\"80351110224678912\"",
        "name=\"state\" value=\"a&lt;b\"",
        "name=\"action\" value=\"approve\"",
        "name=\"action\" value=\"cancel\"",
        "action=\"/oauth2/authorize\"",
    ] {
        assert!(html.contains(needle), "missing {needle}");
    }
    // Submit the form as a browser would, for Nelly.
    let form = [
        ("client_id", CONFIDENTIAL_APP),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("scope", "identify email guilds.join"),
        ("state", "a<b"),
        ("user_id", NELLY),
        ("action", "approve"),
    ];
    let resp = emu
        .http
        .post(emu.url("/oauth2/authorize"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 302);
    let loc = resp.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(url_param(&loc, "state").as_deref(), Some("a<b"));
    let code = url_param(&loc, "code").unwrap();
    let (_, t) = status_json(
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
    let (_, me) = status_json(
        emu.bearer_get("/api/v10/users/@me", t["access_token"].as_str().unwrap())
            .await,
    )
    .await;
    assert_eq!(me["username"], "Nelly");
    assert_eq!(me["discriminator"], "1337");
    assert_eq!(me["email"], "nelly@discord.com");
}

#[tokio::test]
async fn cancel_redirects_with_access_denied() {
    let emu = start().await;
    let form = [
        ("client_id", CONFIDENTIAL_APP),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("scope", "identify"),
        ("state", "xyz"),
        ("action", "cancel"),
    ];
    let resp = emu
        .http
        .post(emu.url("/oauth2/authorize"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 302);
    // RFC 9207: `iss` (the emulator's origin) after the OAuth2 parameters.
    let iss = form_urlencoded::byte_serialize(emu.base.as_bytes()).collect::<String>();
    assert_eq!(
        resp.headers()["location"],
        format!("http://localhost:8787/auth/callback?error=access_denied&error_description=The+resource+owner+or+authorization+server+denied+the+request&state=xyz&iss={iss}").as_str()
    );
    let loc = emu
        .authorize(
            json!({"client_id": CONFIDENTIAL_APP, "redirect_uri": REDIRECT,
            "response_type": "code", "scope": "identify", "action": "cancel"}),
        )
        .await;
    assert_eq!(url_param(&loc, "error").as_deref(), Some("access_denied"));
    assert_eq!(emu.counters().await["denials"], 2);
}

#[tokio::test]
async fn authorize_errors() {
    let emu = start().await;
    // Unknown client: error page, no redirect.
    let (s, loc) = location(&emu, "/oauth2/authorize?client_id=1&response_type=code&scope=identify&redirect_uri=http%3A%2F%2Flocalhost%2Fcallback").await;
    assert_eq!((s, loc), (400, None));
    // Unregistered redirect URI: error page, never a redirect there.
    let (s, loc) = location(&emu, &format!("/api/oauth2/authorize?client_id={CONFIDENTIAL_APP}&response_type=code&scope=identify&redirect_uri=https%3A%2F%2Fevil.example%2F")).await;
    assert_eq!((s, loc), (400, None));
    let resp = emu
        .http
        .get(emu.url(&format!("/oauth2/authorize?client_id={CONFIDENTIAL_APP}&response_type=code&scope=identify&redirect_uri=http%3A%2F%2Flocalhost%3A8787%2Fauth%2Fcallback%2F")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert!(resp.text().await.unwrap().contains("redirect_uri"));
    // Unknown scope: redirect with invalid_scope and the state.
    let (s, loc) = location(
        &emu,
        &authorize_query("response_type=code&scope=identify%20nope&state=q"),
    )
    .await;
    assert_eq!(s, 302);
    let loc = loc.unwrap();
    assert!(loc.starts_with(REDIRECT));
    assert_eq!(url_param(&loc, "error").as_deref(), Some("invalid_scope"));
    assert_eq!(url_param(&loc, "state").as_deref(), Some("q"));
    for (query, error) in [
        (
            "response_type=id_token&scope=identify",
            "unsupported_response_type",
        ),
        ("scope=identify", "invalid_request"),
        ("response_type=code", "invalid_scope"),
        (
            "response_type=code&scope=identify&prompt=login",
            "invalid_request",
        ),
        (
            "response_type=code&scope=identify&code_challenge_method=S256",
            "invalid_request",
        ),
        (
            "response_type=code&scope=identify&code_challenge=abc&code_challenge_method=S256",
            "invalid_request",
        ),
    ] {
        let (s, loc) = location(&emu, &authorize_query(query)).await;
        assert_eq!(s, 302, "{query}");
        assert_eq!(
            url_param(&loc.unwrap(), "error").as_deref(),
            Some(error),
            "{query}"
        );
    }
    // Public clients cannot ask for role_connections.write.
    let loc = emu
        .authorize(json!({"client_id": PUBLIC_APP, "redirect_uri": REDIRECT,
            "response_type": "code", "scope": "identify role_connections.write"}))
        .await;
    assert_eq!(url_param(&loc, "error").as_deref(), Some("invalid_scope"));
    // The JSON shortcut reports page-level errors as 400 JSON.
    let resp = emu
        .http
        .post(emu.url("/_emulator/authorize"))
        .json(&json!({"client_id": "42", "scope": "identify"}))
        .send()
        .await
        .unwrap();
    let (s, b) = status_json(resp).await;
    assert_eq!((s, b["error"].as_str()), (400, Some("invalid_request")));
}

#[tokio::test]
async fn auto_approve_redirects_at_once() {
    let emu = start_with(roomy_fixtures(), AutoApprove::User(NELLY.into())).await;
    let (s, loc) = location(
        &emu,
        &authorize_query("response_type=code&scope=identify&state=z"),
    )
    .await;
    assert_eq!(s, 302);
    let code = url_param(&loc.unwrap(), "code").unwrap();
    let (_, t) = status_json(
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
    let (_, me) = status_json(
        emu.bearer_get("/api/users/@me", t["access_token"].as_str().unwrap())
            .await,
    )
    .await;
    assert_eq!(me["id"], NELLY);
    let emu = start_with(roomy_fixtures(), AutoApprove::FirstUser).await;
    let (s, loc) = location(&emu, &authorize_query("response_type=token&scope=identify")).await;
    assert_eq!(s, 302);
    assert!(loc.unwrap().contains("#access_token="));
}

#[tokio::test]
async fn prompt_none_skips_the_page_once_authorized() {
    let emu = start().await;
    let q = authorize_query("response_type=code&scope=identify&prompt=none");
    let (s, _) = location(&emu, &q).await;
    assert_eq!(s, 200, "no earlier authorization: the page is shown");
    emu.login("identify guilds", USER).await;
    let (s, loc) = location(&emu, &q).await;
    assert_eq!(s, 302);
    assert!(url_param(&loc.unwrap(), "code").is_some());
}
