//! Every error code, from the place it really arises.

use super::support::*;
use discord_oauth_wasm::browser::DiscordOAuthClient;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

fn construct(json: &str) -> JsValue {
    match DiscordOAuthClient::new(js(json)) {
        Ok(_) => panic!("constructed: {json}"),
        Err(e) => e,
    }
}

#[wasm_bindgen_test]
fn bad_options_are_config_error_and_unknown_scopes_invalid_scope() {
    let e = construct(r#"{"redirectUri":"http://localhost/callback"}"#);
    assert!(e.is_instance_of::<js_sys::Error>());
    assert_eq!(get_str(&e, "name").as_deref(), Some("DiscordOAuthError"));
    assert_eq!(code(&e), "config_error");
    assert!(get_str(&e, "message").unwrap().contains("clientId"));
    let e = construct(r#"{"clientId":"1","redirectUri":"x","storage":"cookie"}"#);
    assert_eq!(code(&e), "config_error");
    let e = construct(r#"{"clientId":1,"redirectUri":"x"}"#);
    assert_eq!(code(&e), "config_error");
    let e = construct(r#"{"clientId":"1","redirectUri":"x","scopes":["identify","idenitfy"]}"#);
    assert_eq!(code(&e), "invalid_scope");
    assert!(get_str(&e, "message").unwrap().contains("idenitfy"));
}

#[wasm_bindgen_test]
async fn bad_authorize_options_are_config_error() {
    let c = client("memory");
    let e = await_err(c.authorize_url(Some(js(r#"{"responseType":"id_token"}"#)))).await;
    assert_eq!(code(&e), "config_error");
    let e = await_err(c.authorize_url(Some(js(r#"{"scopes":["nope"]}"#)))).await;
    assert_eq!(code(&e), "invalid_scope");
    let e = await_err(c.request("TRACE", "/users/@me", None, None)).await;
    assert_eq!(code(&e), "config_error");
}

#[wasm_bindgen_test]
async fn without_tokens_api_calls_are_unauthorized() {
    let c = client("memory");
    let e = await_err(c.access_token()).await;
    assert_eq!(code(&e), "unauthorized");
    let e = await_err(c.fetch_user()).await;
    assert_eq!(code(&e), "unauthorized");
}

#[wasm_bindgen_test]
async fn a_scripted_429_is_rate_limited_and_the_bucket_is_honoured() {
    let c = client("memory");
    login(&c).await;
    fault(r#"{"route":"GET /api/v10/users/@me","count":1,"kind":"status","status":429,"retry_after":2.5}"#).await;
    let e = await_err(c.fetch_user()).await;
    assert_eq!(code(&e), "rate_limited");
    assert_eq!(get(&e, "status").as_f64(), Some(429.0));
    assert_eq!(get(&e, "retryAfter").as_f64(), Some(2.5));
    assert_eq!(get(&e, "global").as_bool(), Some(false));
    // The bucket is now known to be empty: the next call fails fast without reaching Discord.
    let before = requests("GET /api/v10/users/@me").await;
    let e = await_err(c.fetch_user()).await;
    assert_eq!(code(&e), "rate_limited");
    let wait = get(&e, "retryAfter").as_f64().unwrap();
    // The local wait comes from the headers (Retry-After is whole seconds, rounded up).
    assert!(wait > 0.0 && wait <= 3.0, "{wait}");
    assert_eq!(requests("GET /api/v10/users/@me").await, before);
    // Other routes are not blocked.
    await_ok(c.fetch_guilds()).await;
}

#[wasm_bindgen_test]
async fn a_global_429_says_global() {
    let c = client("memory");
    login(&c).await;
    fault(r#"{"route":"GET /api/v10/users/@me/connections","count":1,"kind":"status","status":429,"retry_after":0.5,"global":true}"#).await;
    let e = await_err(c.fetch_connections()).await;
    assert_eq!(code(&e), "rate_limited");
    assert_eq!(get(&e, "global").as_bool(), Some(true));
    assert_eq!(get(&e, "retryAfter").as_f64(), Some(0.5));
}

#[wasm_bindgen_test]
async fn http_statuses_map_to_codes() {
    let c = client("memory");
    login(&c).await;
    for (status, body, want) in [
        (
            400,
            r#"{"message":"Invalid Form Body","code":50035}"#,
            "invalid_request",
        ),
        (
            403,
            r#"{"message":"Missing Access","code":50001}"#,
            "forbidden",
        ),
        (
            404,
            r#"{"message":"Unknown Guild","code":10004}"#,
            "not_found",
        ),
        (502, r#"{"message":"Bad Gateway","code":0}"#, "server_error"),
    ] {
        fault(&format!(
            r#"{{"route":"GET /api/v10/users/@me/guilds","count":1,"kind":"status","status":{status},"body":{body}}}"#
        ))
        .await;
        let e = await_err(c.fetch_guilds()).await;
        assert_eq!(code(&e), want, "HTTP {status}");
        assert_eq!(get(&e, "status").as_f64(), Some(status as f64));
        if status != 502 {
            assert!(get(&e, "discordCode").as_f64().is_some());
            assert!(get_str(&e, "description").is_some());
        }
    }
    fault(r#"{"route":"GET /api/v10/users/@me/guilds","count":1,"kind":"malformed"}"#).await;
    let e = await_err(c.fetch_guilds()).await;
    assert_eq!(code(&e), "server_error");
    // Chromium retries a GET once when a kept-alive connection closes without an answer,
    // so the connection is dropped a few times; the rest of the faults are cleared after.
    fault(r#"{"route":"GET /api/v10/users/@me/guilds","count":4,"kind":"drop"}"#).await;
    let e = await_err(c.fetch_guilds()).await;
    emu("DELETE", "/_emulator/faults", None).await;
    assert_eq!(code(&e), "network_error");
}

#[wasm_bindgen_test]
async fn an_unknown_guild_is_not_found() {
    let c = client("memory");
    login(&c).await;
    let e = await_err(c.fetch_guild_member("1160000000000000999")).await;
    assert_eq!(code(&e), "not_found");
}

#[wasm_bindgen_test]
async fn a_blocked_token_exchange_says_to_use_the_worker() {
    let c = client("memory");
    let location = redirect_for(&c, "{}", "approve").await;
    // Same client, but the token endpoint unreachable (as a CORS block looks to a page).
    // The redirect's `iss` is the emulator's origin, no longer the API base's: name it.
    let issuer = format!("\"{EMU}\"");
    let blocked = client_with(
        "memory",
        &[
            ("apiBase", r#""http://127.0.0.1:9/api/v10""#),
            ("issuer", &issuer),
        ],
    );
    let e = await_err(blocked.handle_redirect(Some(location))).await;
    assert_eq!(code(&e), "network_error");
    let m = get_str(&e, "message").unwrap();
    assert!(m.contains("Worker"), "{m}");
}

#[wasm_bindgen_test]
async fn a_server_error_at_the_token_endpoint_is_server_error() {
    let c = client("memory");
    let location = redirect_for(&c, "{}", "approve").await;
    fault(r#"{"route":"POST /api/v10/oauth2/token","count":1,"kind":"status","status":503}"#).await;
    let e = await_err(c.handle_redirect(Some(location))).await;
    assert_eq!(code(&e), "server_error");
}

/// Shadows `setItem` of a storage object with one that throws, as private modes and full
/// quotas do; returns a function that restores it.
fn break_storage(area: &str) -> impl FnOnce() {
    let storage = get(&js_sys::global().into(), area);
    let thrower = js_sys::Function::new_no_args(
        "throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')",
    );
    set(&storage, "setItem", &thrower);
    move || {
        js_sys::Reflect::delete_property(
            storage.unchecked_ref::<js_sys::Object>(),
            &JsValue::from_str("setItem"),
        )
        .unwrap();
    }
}

#[wasm_bindgen_test]
async fn a_storage_that_throws_is_storage_error() {
    let c = client("local");
    let restore = break_storage("sessionStorage");
    let e = await_err(c.authorize_url(None)).await;
    restore();
    assert_eq!(code(&e), "storage_error");
    assert!(get_str(&e, "message").unwrap().contains("quota"));

    // Tokens in a localStorage that refuses writes: the login fails with storage_error.
    let location = redirect_for(&c, "{}", "approve").await;
    let restore = break_storage("localStorage");
    let e = err(handle(&c, &location).await);
    restore();
    assert_eq!(code(&e), "storage_error");
    let t = login(&c).await;
    let restore = break_storage("localStorage");
    let r = c.set_tokens(t);
    restore();
    assert_eq!(code(&r.unwrap_err()), "storage_error");
    await_ok(c.logout()).await;
}

#[wasm_bindgen_test]
async fn without_crypto_subtle_pkce_is_a_config_error_and_the_implicit_grant_still_works() {
    // An insecure context (http on a non-localhost host) has no `crypto.subtle`: shadow it.
    let hide = js_sys::Function::new_no_args(
        "Object.defineProperty(crypto, 'subtle', { value: undefined, configurable: true })",
    );
    let show = js_sys::Function::new_no_args("delete crypto.subtle");
    let c = client("memory");
    hide.call0(&JsValue::NULL).unwrap();
    let e = await_err(c.authorize_url(None)).await;
    let implicit = wasm_bindgen_futures::JsFuture::from(
        c.authorize_url(Some(js(r#"{"responseType":"token"}"#))),
    )
    .await;
    show.call0(&JsValue::NULL).unwrap();
    assert_eq!(code(&e), "config_error");
    assert!(get_str(&e, "message").unwrap().contains("secure context"));
    let url = implicit.unwrap().as_string().unwrap();
    assert!(url.contains("response_type=token") && !url.contains("code_challenge"));
    // Back in a secure context the code grant has its S256 challenge again.
    let url = await_ok(c.authorize_url(None)).await.as_string().unwrap();
    assert!(url.contains("code_challenge_method=S256"));
}
