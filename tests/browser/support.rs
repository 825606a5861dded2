//! Helpers for the browser tests: the emulator's control API, option objects, error codes.
#![allow(dead_code)]

use discord_oauth_wasm::browser::DiscordOAuthClient;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Where scripts/test.sh started the emulator.
pub const EMU: &str = match option_env!("EMULATOR_URL") {
    Some(u) => u,
    None => "http://127.0.0.1:18790",
};
/// The emulator's public client (PKCE without a secret).
pub const PUBLIC_APP: &str = "1100000000000000002";
/// A redirect URI registered for it.
pub const REDIRECT: &str = "http://localhost/callback";
/// The default user and a guild it owns.
pub const USER: &str = "1150000000000000001";
pub const OWNED_GUILD: &str = "1160000000000000001";

/// Parses a JSON literal into a JS value.
pub fn js(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap_or_else(|_| panic!("bad JSON in test: {json}"))
}

pub fn get(v: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

pub fn get_str(v: &JsValue, key: &str) -> Option<String> {
    get(v, key).as_string()
}

pub fn set(v: &JsValue, key: &str, value: &JsValue) {
    js_sys::Reflect::set(v, &JsValue::from_str(key), value).unwrap();
}

/// `fetch` against the emulator, JSON in, JSON out.
pub async fn emu(method: &str, path: &str, body: Option<&str>) -> JsValue {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if let Some(b) = body {
        init.set_body(&JsValue::from_str(b));
        let h = web_sys::Headers::new().unwrap();
        h.set("content-type", "application/json").unwrap();
        init.set_headers(&h);
    }
    let url = format!("{EMU}{path}");
    let window = web_sys::window().unwrap();
    let resp: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(&url, &init))
        .await
        .unwrap_or_else(|e| panic!("emulator unreachable at {url}: {e:?}"))
        .unchecked_into();
    let text = JsFuture::from(resp.text().unwrap()).await.unwrap();
    let text = text.as_string().unwrap();
    if text.is_empty() {
        JsValue::NULL
    } else {
        js(&text)
    }
}

pub async fn counter(name: &str) -> f64 {
    get(&emu("GET", "/_emulator/counters", None).await, name)
        .as_f64()
        .unwrap_or_else(|| panic!("no counter {name}"))
}

/// How many calls reached a route of the emulator (`"GET /api/v10/users/@me"`).
pub async fn requests(route: &str) -> f64 {
    let c = emu("GET", "/_emulator/counters", None).await;
    get(&get(&c, "requests"), route).as_f64().unwrap_or(0.0)
}

pub async fn fault(json: &str) {
    let r = emu("POST", "/_emulator/faults", Some(json)).await;
    assert!(!get(&r, "fault").is_undefined(), "fault refused: {json}");
}

pub async fn token_lifetime(seconds: u32) {
    emu(
        "POST",
        "/_emulator/token-lifetime",
        Some(&format!("{{\"seconds\":{seconds}}}")),
    )
    .await;
}

/// A public client against the emulator with `storage`.
pub fn client(storage: &str) -> DiscordOAuthClient {
    client_with(storage, &[])
}

pub fn client_with(storage: &str, extra: &[(&str, &str)]) -> DiscordOAuthClient {
    let o = js(&format!(
        r#"{{"clientId":"{PUBLIC_APP}","redirectUri":"{REDIRECT}","storage":"{storage}",
            "apiBase":"{EMU}/api/v10","authorizeEndpoint":"{EMU}/oauth2/authorize",
            "scopes":["identify","email","guilds","connections","guilds.members.read"]}}"#
    ));
    for (k, v) in extra {
        set(&o, k, &js(v));
    }
    DiscordOAuthClient::new(o).expect("client")
}

pub async fn await_ok(p: js_sys::Promise) -> JsValue {
    match JsFuture::from(p).await {
        Ok(v) => v,
        Err(e) => panic!(
            "rejected: {} {}",
            get_str(&e, "code").unwrap_or_default(),
            get_str(&e, "message").unwrap_or_default()
        ),
    }
}

/// The error a promise rejects with; panics when it resolves.
pub async fn await_err(p: js_sys::Promise) -> JsValue {
    match JsFuture::from(p).await {
        Ok(v) => panic!("expected a rejection, got {v:?}"),
        Err(e) => {
            assert!(e.is_instance_of::<js_sys::Error>(), "not an Error: {e:?}");
            assert_eq!(get_str(&e, "name").as_deref(), Some("DiscordOAuthError"));
            e
        }
    }
}

pub fn code(e: &JsValue) -> String {
    get_str(e, "code").expect("error has a code")
}

/// The query parameters of a URL as a JSON object (for `/_emulator/authorize`).
pub fn query_object(url: &str) -> JsValue {
    let u = web_sys::Url::new(url).unwrap();
    let o = js_sys::Object::new();
    let entries = js_sys::try_iter(&u.search_params()).unwrap().unwrap();
    for pair in entries {
        let pair: js_sys::Array = pair.unwrap().unchecked_into();
        set(&o, &pair.get(0).as_string().unwrap(), &pair.get(1));
    }
    o.into()
}

/// Runs the consent screen without a browser navigation: `action` is approve or cancel.
pub async fn consent(authorize_url: &str, action: &str) -> String {
    let q = query_object(authorize_url);
    set(&q, "action", &JsValue::from_str(action));
    set(&q, "user_id", &JsValue::from_str(USER));
    let body = String::from(js_sys::JSON::stringify(&q).unwrap());
    let r = emu("POST", "/_emulator/authorize", Some(&body)).await;
    get_str(&r, "location")
        .unwrap_or_else(|| panic!("no location: {:?}", js_sys::JSON::stringify(&r)))
}

/// authorizeUrl(opts) → consent → the redirect location.
pub async fn redirect_for(c: &DiscordOAuthClient, opts: &str, action: &str) -> String {
    let url = await_ok(c.authorize_url(Some(js(opts))))
        .await
        .as_string()
        .unwrap();
    consent(&url, action).await
}

pub async fn sleep_ms(ms: f64) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32)
            .unwrap();
    });
    JsFuture::from(p).await.unwrap();
}

/// `handleRedirect(location)`, waiting out the emulator's real rate limit on the token
/// endpoint (20 per second per client, which a fast test run reaches): the limited request
/// never reached the token handler, so the same code is sent again with the pending login
/// put back.
pub async fn handle(c: &DiscordOAuthClient, location: &str) -> Result<JsValue, JsValue> {
    let raw = web_sys::window()
        .unwrap()
        .session_storage()
        .unwrap()
        .unwrap();
    let key = format!("discord-oauth-wasm:{PUBLIC_APP}:pending");
    let pending = raw.get_item(&key).unwrap();
    for _ in 0..5 {
        if let Some(p) = &pending {
            raw.set_item(&key, p).unwrap();
        }
        match JsFuture::from(c.handle_redirect(Some(location.to_owned()))).await {
            Err(e) if get_str(&e, "code").as_deref() == Some("rate_limited") => {
                sleep_ms(get(&e, "retryAfter").as_f64().unwrap_or(1.0) * 1000.0 + 50.0).await;
            }
            r => return r,
        }
    }
    panic!("still rate limited after 5 tries");
}

/// The value of an `Ok`, or a panic with the error's code and message.
pub fn ok(r: Result<JsValue, JsValue>) -> JsValue {
    r.unwrap_or_else(|e| {
        panic!(
            "rejected: {} {}",
            get_str(&e, "code").unwrap_or_default(),
            get_str(&e, "message").unwrap_or_default()
        )
    })
}

/// The `DiscordOAuthError` of an `Err`.
pub fn err(r: Result<JsValue, JsValue>) -> JsValue {
    let e = r.expect_err("expected a rejection");
    assert_eq!(get_str(&e, "name").as_deref(), Some("DiscordOAuthError"));
    e
}

/// A complete PKCE login: the TokenSet `handleRedirect` returned.
pub async fn login(c: &DiscordOAuthClient) -> JsValue {
    let location = redirect_for(c, "{}", "approve").await;
    let t = ok(handle(c, &location).await);
    assert!(t.is_object(), "handleRedirect returned {t:?}");
    t
}

pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Makes the stored tokens look as if they expire within a few seconds (client side).
pub fn expire_locally(c: &DiscordOAuthClient) {
    let t = c.tokens().unwrap();
    set(&t, "expires_at", &JsValue::from(now_ms() + 5_000.0));
    c.set_tokens(t).unwrap();
}
