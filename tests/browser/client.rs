//! The client's methods end to end: authorize URL, redirect handling, API calls, logout.

use super::support::*;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

#[wasm_bindgen_test]
async fn authorize_url_sends_prompt_none_with_bot_as_asked() {
    // Discord accepts prompt=none with the passthrough scopes (bot, webhook.incoming) and
    // shows consent for them anyway: the URL is built, not refused (docs/contract.md §11).
    let c = client("memory");
    let url =
        await_ok(c.authorize_url(Some(js(r#"{"scopes":["identify","bot"],"prompt":"none"}"#))))
            .await
            .as_string()
            .unwrap();
    let q = query_object(&url);
    assert_eq!(get_str(&q, "prompt").as_deref(), Some("none"));
    let scope = get_str(&q, "scope").unwrap();
    assert!(scope.split(' ').any(|x| x == "bot"), "{scope}");
}

#[wasm_bindgen_test]
async fn authorize_url_carries_every_parameter_and_keeps_state_in_session_storage() {
    let c = client("memory");
    let url = await_ok(c.authorize_url(Some(js(
        r#"{"scopes":["identify","bot","guilds.join"],"prompt":"consent","permissions":"8",
            "guildId":"1160000000000000001","disableGuildSelect":true,"integrationType":0,
            "state":"my-own-state-value-0123456789","data":{"returnTo":"/settings"}}"#,
    ))))
    .await
    .as_string()
    .unwrap();
    assert!(
        url.starts_with(&format!("{EMU}/oauth2/authorize?")),
        "{url}"
    );
    let q = query_object(&url);
    let p = |k: &str| get_str(&q, k);
    assert_eq!(p("response_type").as_deref(), Some("code"));
    assert_eq!(p("client_id").as_deref(), Some(PUBLIC_APP));
    assert_eq!(p("redirect_uri").as_deref(), Some(REDIRECT));
    let scope = p("scope").unwrap();
    for s in ["identify", "bot", "guilds.join"] {
        assert!(scope.split(' ').any(|x| x == s), "{scope}");
    }
    assert_eq!(p("prompt").as_deref(), Some("consent"));
    assert_eq!(p("permissions").as_deref(), Some("8"));
    assert_eq!(p("guild_id").as_deref(), Some("1160000000000000001"));
    assert_eq!(p("disable_guild_select").as_deref(), Some("true"));
    assert_eq!(p("integration_type").as_deref(), Some("0"));
    assert_eq!(p("state").as_deref(), Some("my-own-state-value-0123456789"));
    assert_eq!(p("code_challenge_method").as_deref(), Some("S256"));
    assert_eq!(p("code_challenge").unwrap().len(), 43);

    // The verifier and state wait in sessionStorage under the client's namespace.
    let raw = web_sys::window()
        .unwrap()
        .session_storage()
        .unwrap()
        .unwrap();
    let pending = raw
        .get_item(&format!("discord-oauth-wasm:{PUBLIC_APP}:pending"))
        .unwrap()
        .expect("pending login stored");
    let pending = js(&pending);
    assert_eq!(
        get_str(&pending, "state").as_deref(),
        Some("my-own-state-value-0123456789")
    );
    let verifier = get_str(&pending, "verifier").unwrap();
    assert!((43..=128).contains(&verifier.len()));

    // The implicit grant has no PKCE; the default state is random (≥ 128 bits).
    let url = await_ok(c.authorize_url(Some(js(r#"{"responseType":"token"}"#))))
        .await
        .as_string()
        .unwrap();
    let q = query_object(&url);
    assert_eq!(get_str(&q, "response_type").as_deref(), Some("token"));
    assert!(get(&q, "code_challenge").is_undefined());
    assert!(get_str(&q, "state").unwrap().len() >= 22);
}

#[wasm_bindgen_test]
async fn pkce_login_then_every_api_method() {
    let c = client("memory");
    assert!(!c.is_authenticated());
    assert!(c.tokens().unwrap().is_null());
    let location = redirect_for(
        &c,
        r#"{"data":{"returnTo":"/guilds","n":[1,2]}}"#,
        "approve",
    )
    .await;
    let t = ok(handle(&c, &location).await);
    assert!(get_str(&t, "access_token").is_some());
    assert_eq!(get_str(&t, "token_type").as_deref(), Some("Bearer"));
    assert!(get_str(&t, "refresh_token").is_some());
    assert!(get(&t, "expires_at").as_f64().unwrap() > now_ms());
    assert!(get_str(&t, "scope").unwrap().contains("identify"));
    // `data` comes back once, on this TokenSet, and is not stored with the tokens.
    assert_eq!(
        get_str(&get(&t, "data"), "returnTo").as_deref(),
        Some("/guilds")
    );
    assert!(c.is_authenticated());
    let stored = c.tokens().unwrap();
    assert_eq!(
        get_str(&stored, "access_token"),
        get_str(&t, "access_token")
    );
    assert!(get(&stored, "data").is_undefined());

    let user = await_ok(c.fetch_user()).await;
    assert_eq!(get_str(&user, "id").as_deref(), Some(USER));
    assert!(get_str(&user, "email").is_some());
    let guilds = await_ok(c.fetch_guilds()).await;
    assert!(js_sys::Array::is_array(&guilds));
    assert!(js_sys::Array::from(&guilds).length() >= 1);
    let connections = await_ok(c.fetch_connections()).await;
    assert!(js_sys::Array::is_array(&connections));
    let member = await_ok(c.fetch_guild_member(OWNED_GUILD)).await;
    assert!(js_sys::Array::is_array(&get(&member, "roles")));
    let info = await_ok(c.fetch_authorization()).await;
    assert_eq!(
        get_str(&get(&info, "application"), "id").as_deref(),
        Some(PUBLIC_APP)
    );
    let raw = await_ok(c.request("GET", "/users/@me", None, None)).await;
    assert_eq!(get_str(&raw, "username"), get_str(&user, "username"));
    let token = await_ok(c.access_token()).await.as_string().unwrap();
    assert_eq!(Some(token), get_str(&t, "access_token"));
}

#[wasm_bindgen_test]
async fn handle_redirect_without_oauth_params_is_null() {
    let c = client("memory");
    let r = await_ok(c.handle_redirect(Some("http://localhost/callback?page=2#top".into()))).await;
    assert!(r.is_null());
    // And with no argument it reads the test page's own address, which has none.
    assert!(await_ok(c.handle_redirect(None)).await.is_null());
}

#[wasm_bindgen_test]
async fn cancel_at_the_consent_screen_is_access_denied() {
    let c = client("memory");
    let location = redirect_for(&c, "{}", "cancel").await;
    let e = await_err(c.handle_redirect(Some(location))).await;
    assert_eq!(code(&e), "access_denied");
    assert!(!c.is_authenticated());
}

#[wasm_bindgen_test]
async fn a_state_that_does_not_match_is_invalid_state() {
    let c = client("memory");
    let location = redirect_for(&c, "{}", "approve").await;
    let u = web_sys::Url::new(&location).unwrap();
    u.search_params().set("state", "forged-state-value");
    let e = await_err(c.handle_redirect(Some(u.href()))).await;
    assert_eq!(code(&e), "invalid_state");
    // No pending login at all (another tab, expired): invalid_state too.
    let e = await_err(c.handle_redirect(Some(location))).await;
    assert_eq!(code(&e), "invalid_state");
    assert!(!c.is_authenticated());
}

#[wasm_bindgen_test]
async fn a_replayed_code_is_invalid_grant() {
    let c = client("memory");
    let location = redirect_for(&c, "{}", "approve").await;
    let raw = web_sys::window()
        .unwrap()
        .session_storage()
        .unwrap()
        .unwrap();
    let key = format!("discord-oauth-wasm:{PUBLIC_APP}:pending");
    let pending = raw.get_item(&key).unwrap().unwrap();
    ok(handle(&c, &location).await);
    // Put the verifier and state back, as an attacker replaying the redirect would need.
    raw.set_item(&key, &pending).unwrap();
    let e = err(handle(&c, &location).await);
    assert_eq!(code(&e), "invalid_grant");
    assert_eq!(get(&e, "status").as_f64(), Some(400.0));
}

#[wasm_bindgen_test]
async fn implicit_grant_from_the_fragment() {
    let c = client("memory");
    let location = redirect_for(&c, r#"{"responseType":"token","data":7}"#, "approve").await;
    assert!(location.contains("#access_token="), "{location}");
    let t = await_ok(c.handle_redirect(Some(location))).await;
    assert!(get_str(&t, "access_token").is_some());
    assert!(get(&t, "refresh_token").is_undefined());
    assert_eq!(get(&t, "data").as_f64(), Some(7.0));
    let user = await_ok(c.fetch_user()).await;
    assert_eq!(get_str(&user, "id").as_deref(), Some(USER));
}

#[wasm_bindgen_test]
async fn set_tokens_resumes_and_null_clears() {
    let a = client("memory");
    let t = login(&a).await;
    let b = client("memory");
    b.set_tokens(t).unwrap();
    assert!(b.is_authenticated());
    let user = await_ok(b.fetch_user()).await;
    assert_eq!(get_str(&user, "id").as_deref(), Some(USER));
    b.set_tokens(JsValue::NULL).unwrap();
    assert!(!b.is_authenticated());
    let e = await_err(b.fetch_user()).await;
    assert_eq!(code(&e), "unauthorized");
    let e = super::support::await_err(wasm_bindgen_futures::future_to_promise(async move {
        b.set_tokens(js(r#"{"nope":1}"#))
            .map(|_| JsValue::UNDEFINED)
    }))
    .await;
    assert_eq!(code(&e), "config_error");
}

#[wasm_bindgen_test]
async fn logout_revokes_at_discord_and_clears_storage() {
    let c = client("session");
    let t = login(&c).await;
    let other = client("memory");
    other.set_tokens(t).unwrap();
    await_ok(c.logout()).await;
    assert!(!c.is_authenticated());
    assert!(c.tokens().unwrap().is_null());
    let raw = web_sys::window()
        .unwrap()
        .session_storage()
        .unwrap()
        .unwrap();
    assert!(
        raw.get_item(&format!("discord-oauth-wasm:{PUBLIC_APP}:tokens"))
            .unwrap()
            .is_none()
    );
    // The grant is gone at Discord: a copy of the tokens no longer works, and the refresh
    // that follows the 401 is refused too: unauthorized.
    let e = await_err(other.fetch_user()).await;
    assert_eq!(code(&e), "unauthorized");
    assert!(!other.is_authenticated());
    // Logging out twice is fine.
    await_ok(c.logout()).await;
}

#[wasm_bindgen_test]
async fn local_storage_keeps_tokens_for_other_tabs() {
    let a = client("local");
    let t = login(&a).await;
    let b = client("local");
    assert_eq!(
        get_str(&b.tokens().unwrap(), "access_token"),
        get_str(&t, "access_token")
    );
    await_ok(b.logout()).await;
    assert!(!a.is_authenticated());
}
