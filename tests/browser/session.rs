//! DiscordSession against a scripted `fetch` standing in for the Worker (the Worker itself is
//! tested with Miniflare): routes, methods, credentials, bodies and error mapping.

use super::support::*;
use discord_oauth_wasm::browser::DiscordSession;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

/// Replaces `globalThis.fetch` with a stub that records each Request in `globalThis.__calls`
/// and answers from `routes` (`"METHOD path"` → [status, body]); returns a restorer.
fn stub_fetch(routes: &str) -> impl FnOnce() {
    let global: JsValue = js_sys::global().into();
    let original = get(&global, "fetch");
    set(&global, "__routes", &js(routes));
    set(&global, "__calls", &js_sys::Array::new());
    let stub = js_sys::Function::new_with_args(
        "req",
        "return req.text().then((body) => {
           const u = new URL(req.url);
           globalThis.__calls.push({ method: req.method, url: req.url, path: u.pathname + u.search,
                                     credentials: req.credentials, body });
           const r = globalThis.__routes[req.method + ' ' + u.pathname];
           if (!r) return new Response('{\"error\":\"not_found\",\"message\":\"no route\"}', { status: 404 });
           const headers = r[2] || {};
           return new Response(r[1] == null ? null : JSON.stringify(r[1]), { status: r[0], headers });
         });",
    );
    set(&global, "fetch", &stub);
    move || set(&global, "fetch", &original)
}

fn calls() -> js_sys::Array {
    js_sys::Array::from(&get(&js_sys::global().into(), "__calls"))
}

#[wasm_bindgen_test]
fn login_url_carries_return_to_scope_and_prompt() {
    let s = DiscordSession::new(None).unwrap();
    assert_eq!(s.login_url(None).unwrap(), "/auth/login");
    let url = s
        .login_url(Some(js(
            r#"{"returnTo":"/guilds?x=1","scopes":["identify","guilds"],"prompt":"consent"}"#,
        )))
        .unwrap();
    assert_eq!(
        url,
        "/auth/login?return_to=%2Fguilds%3Fx%3D1&scope=identify+guilds&prompt=consent"
    );
    let s = DiscordSession::new(Some(js(r#"{"baseUrl":"https://app.example/"}"#))).unwrap();
    assert_eq!(s.login_url(None).unwrap(), "https://app.example/auth/login");
    let e = DiscordSession::new(Some(js(r#"{"baseUrl":5}"#)))
        .err()
        .unwrap();
    assert_eq!(code(&e), "config_error");
}

#[wasm_bindgen_test]
async fn every_session_method_calls_its_worker_route_same_origin() {
    let restore = stub_fetch(
        r#"{
        "GET /auth/session": [200, {"user": {"id": "1150000000000000001", "username": "u"}, "scopes": ["identify"], "expires_at": "2030-01-01T00:00:00Z"}],
        "GET /api/users/@me/guilds": [200, [{"id": "1", "name": "g", "icon": null, "features": []}]],
        "GET /api/users/@me/connections": [200, []],
        "GET /api/users/@me/guilds/1160000000000000001/member": [200, {"roles": [], "joined_at": "2020-01-01T00:00:00Z", "deaf": false, "mute": false, "flags": 0}],
        "POST /api/guilds/1160000000000000001/join": [200, {"joined": true, "member": {"roles": []}}],
        "POST /auth/logout": [204, null]
    }"#,
    );
    let s = DiscordSession::new(Some(js(r#"{"baseUrl":"http://worker.test"}"#))).unwrap();
    let user = await_ok(s.user()).await;
    assert_eq!(get_str(&user, "id").as_deref(), Some(USER));
    let guilds = await_ok(s.guilds()).await;
    assert_eq!(js_sys::Array::from(&guilds).length(), 1);
    await_ok(s.connections()).await;
    let m = await_ok(s.guild_member(OWNED_GUILD)).await;
    assert_eq!(get(&m, "deaf").as_bool(), Some(false));
    let j = await_ok(s.join_guild(
        OWNED_GUILD,
        Some(js(r#"{"nick":"n","roles":["2"],"mute":false,"extra":1}"#)),
    ))
    .await;
    assert_eq!(get(&j, "joined").as_bool(), Some(true));
    let out = await_ok(s.logout()).await;
    assert!(out.is_undefined());
    let c = calls();
    restore();
    let expect = [
        ("GET", "/auth/session"),
        ("GET", "/api/users/@me/guilds"),
        ("GET", "/api/users/@me/connections"),
        ("GET", "/api/users/@me/guilds/1160000000000000001/member"),
        ("POST", "/api/guilds/1160000000000000001/join"),
        ("POST", "/auth/logout"),
    ];
    assert_eq!(c.length() as usize, expect.len());
    for (i, (m, p)) in expect.iter().enumerate() {
        let call = c.get(i as u32);
        assert_eq!(get_str(&call, "method").as_deref(), Some(*m));
        assert_eq!(get_str(&call, "path").as_deref(), Some(*p));
        assert_eq!(
            get_str(&call, "credentials").as_deref(),
            Some("same-origin")
        );
    }
    let body = js(&get_str(&c.get(4), "body").unwrap());
    assert_eq!(get_str(&body, "nick").as_deref(), Some("n"));
    assert!(get(&body, "extra").is_undefined());
}

#[wasm_bindgen_test]
async fn session_errors() {
    let restore = stub_fetch(
        r#"{
        "GET /auth/session": [401, {"error": "unauthorized", "message": "no session"}],
        "GET /api/users/@me/guilds": [401, {"error": "unauthorized", "message": "no session"}],
        "GET /api/users/@me/connections": [429, {"error": "rate_limited", "message": "slow down", "retry_after": 1.5, "global": true}, {"Retry-After": "2"}],
        "POST /api/guilds/1/join": [403, {"error": "guild_not_allowed", "message": "not allowed"}],
        "POST /auth/logout": [403, {"error": "forbidden", "message": "cross-site"}]
    }"#,
    );
    let s = DiscordSession::new(Some(js(r#"{"baseUrl":"http://worker.test"}"#))).unwrap();
    assert!(await_ok(s.user()).await.is_null());
    let e = await_err(s.guilds()).await;
    assert_eq!(code(&e), "unauthorized");
    let e = await_err(s.connections()).await;
    assert_eq!(code(&e), "rate_limited");
    assert_eq!(get(&e, "retryAfter").as_f64(), Some(1.5));
    assert_eq!(get(&e, "global").as_bool(), Some(true));
    let e = await_err(s.join_guild("1", None)).await;
    assert_eq!(code(&e), "forbidden");
    assert_eq!(get_str(&e, "description").as_deref(), Some("not allowed"));
    let e = await_err(s.logout()).await;
    assert_eq!(code(&e), "forbidden");
    let e = await_err(s.guild_member("1")).await;
    assert_eq!(code(&e), "not_found");
    restore();
    // Nothing listening: network_error.
    let s = DiscordSession::new(Some(js(r#"{"baseUrl":"http://127.0.0.1:9"}"#))).unwrap();
    let e = await_err(s.user()).await;
    assert_eq!(code(&e), "network_error");
}
