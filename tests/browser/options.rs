//! The client's §12 options (docs/contract.md §12): the `onRequest` trace, calls without a
//! token (`{ auth: false }`), and a rate limit's bucket, scope and body on its error; in
//! Chromium against the emulator.
use crate::support::*;
use discord_oauth_wasm::browser::DiscordOAuthClient;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

/// A client whose `onRequest` pushes every trace into the returned array.
fn traced() -> (DiscordOAuthClient, js_sys::Array) {
    let traces = js_sys::Array::new();
    let sink = traces.clone();
    let f = Closure::<dyn Fn(JsValue)>::new(move |t: JsValue| {
        sink.push(&t);
    })
    .into_js_value();
    let o = js(&format!(
        r#"{{"clientId":"{PUBLIC_APP}","redirectUri":"{REDIRECT}","storage":"memory",
            "apiBase":"{EMU}/api/v10","authorizeEndpoint":"{EMU}/oauth2/authorize",
            "scopes":["identify","guilds"]}}"#
    ));
    set(&o, "onRequest", &f);
    (DiscordOAuthClient::new(o).expect("client"), traces)
}

#[wasm_bindgen_test]
async fn on_request_traces_every_discord_call_without_a_token() {
    let (c, traces) = traced();
    login(&c).await;
    await_ok(c.fetch_guilds()).await;
    let n = traces.length();
    assert!(n >= 2, "the exchange and the read were traced: {n}");
    let last = traces.get(n - 1);
    assert_eq!(get_str(&last, "method").as_deref(), Some("GET"));
    assert_eq!(
        get_str(&last, "route").as_deref(),
        Some("GET /users/@me/guilds")
    );
    assert_eq!(get(&last, "status").as_f64(), Some(200.0));
    assert!(get(&last, "durationMs").as_f64().unwrap() >= 0.0);
    let text = String::from(js_sys::JSON::stringify(&traces.into()).unwrap());
    let tokens = c.tokens().unwrap();
    let access = get_str(&tokens, "access_token").unwrap();
    assert!(!text.contains(&access), "no token in a trace");
    assert!(!text.to_lowercase().contains("authorization"));
}

#[wasm_bindgen_test]
fn on_request_must_be_a_function() {
    let o = js(&format!(
        r#"{{"clientId":"{PUBLIC_APP}","redirectUri":"{REDIRECT}","onRequest":5}}"#
    ));
    let e = DiscordOAuthClient::new(o).err().expect("an error");
    assert_eq!(code(&e), "config_error");
}

#[wasm_bindgen_test]
async fn auth_false_sends_no_token_even_when_logged_in() {
    let c = client("memory");
    login(&c).await;
    // /users/@me needs a token: without one the emulator answers 401, and the client keeps
    // its tokens (no refresh, no forgetting).
    let before = counter("refreshes").await;
    let e = await_err(c.request("GET", "/users/@me", None, Some(js(r#"{"auth":false}"#)))).await;
    assert_eq!(code(&e), "unauthorized");
    assert_eq!(
        counter("refreshes").await,
        before,
        "no refresh for a call without a token"
    );
    assert!(c.is_authenticated());
    // The same call with the token works.
    await_ok(c.request("GET", "/users/@me", None, None)).await;
}

#[wasm_bindgen_test]
async fn a_rate_limit_error_carries_its_bucket_scope_and_body() {
    let c = client("memory");
    login(&c).await;
    fault(r#"{"route":"GET /api/v10/users/@me/connections","count":1,"kind":"status","status":429,"retry_after":1.5,"scope":"user"}"#).await;
    let e = await_err(c.fetch_connections()).await;
    assert_eq!(code(&e), "rate_limited");
    assert_eq!(get_str(&e, "scope").as_deref(), Some("user"));
    assert!(
        get_str(&e, "bucket").is_some_and(|b| !b.is_empty()),
        "a bucket"
    );
    let body = get(&e, "body");
    assert!(body.is_object(), "Discord's JSON body, parsed");
    assert_eq!(get(&body, "retry_after").as_f64(), Some(1.5));
    assert!(get(&body, "message").as_string().is_some());
    let _ = e.dyn_ref::<js_sys::Error>().expect("an Error");
}
