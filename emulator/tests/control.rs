//! Rate limits, CORS, the control API (faults, counters, expiry, lifetime, redirect URIs,
//! reset), the request log, and the binary's command line.

mod common;

use std::time::{Duration, Instant};

use common::*;
use discord_emulator::{AutoApprove, Fixtures};
use serde_json::{Value, json};

#[tokio::test]
async fn rate_limit_headers_then_a_real_429() {
    let emu = start_with(Fixtures::default(), AutoApprove::Off).await;
    let at = emu.access("identify").await;
    // The default budget (5 per 1 s) with a 2 s window, so a loaded machine cannot roll the
    // window over in the middle of the burst.
    emu.control(
        "/_emulator/rate-limits",
        json!({"route": "GET /api/v10/users/@me", "limit": 5, "window_ms": 2000}),
    )
    .await;
    let mut buckets = Vec::new();
    for i in 0..5u32 {
        let resp = emu.bearer_get("/api/v10/users/@me", &at).await;
        assert_eq!(resp.status(), 200);
        let h = resp.headers();
        assert_eq!(h["x-ratelimit-limit"], "5");
        assert_eq!(h["x-ratelimit-remaining"], (4 - i).to_string().as_str());
        let reset: f64 = h["x-ratelimit-reset"].to_str().unwrap().parse().unwrap();
        assert!(reset > 1.6e9 && h["x-ratelimit-reset"].to_str().unwrap().contains('.'));
        let after: f64 = h["x-ratelimit-reset-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(after > 0.0 && after <= 2.0);
        buckets.push(h["x-ratelimit-bucket"].to_str().unwrap().to_owned());
    }
    assert!(buckets.windows(2).all(|w| w[0] == w[1]), "stable bucket");
    let resp = emu.bearer_get("/api/v10/users/@me", &at).await;
    assert_eq!(resp.status(), 429);
    let h = resp.headers().clone();
    assert_eq!(h["x-ratelimit-scope"], "user");
    assert_eq!(h["x-ratelimit-remaining"], "0");
    assert!(h.get("x-ratelimit-global").is_none());
    let header_secs: u64 = h["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&header_secs));
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["message"], "You are being rate limited.");
    assert_eq!(body["global"], false);
    let retry = body["retry_after"].as_f64().unwrap();
    assert!(retry > 0.0 && retry <= 2.0);
    // Other routes and other tokens have their own buckets.
    let resp = emu.bearer_get("/api/v10/oauth2/@me", &at).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["x-ratelimit-limit"],
        "5",
        "the default budget"
    );
    assert_ne!(resp.headers()["x-ratelimit-bucket"], buckets[0].as_str());
    let other = emu.access("identify").await;
    assert_eq!(
        emu.bearer_get("/api/v10/users/@me", &other).await.status(),
        200
    );
    assert_eq!(emu.counters().await["rate_limited"], 1);
    // The bucket refills after the window.
    tokio::time::sleep(Duration::from_secs_f64(retry + 0.05)).await;
    assert_eq!(
        emu.bearer_get("/api/v10/users/@me", &at).await.status(),
        200
    );
}

#[tokio::test]
async fn global_limit_and_runtime_budgets() {
    let emu = start_with(Fixtures::default(), AutoApprove::Off).await;
    let at = emu.access("identify guilds").await;
    emu.control(
        "/_emulator/rate-limits",
        json!({"global": {"limit": 3, "window_ms": 60000}}),
    )
    .await;
    for p in [
        "/api/v10/users/@me",
        "/api/v10/users/@me/guilds",
        "/api/v10/oauth2/@me",
    ] {
        assert_eq!(emu.bearer_get(p, &at).await.status(), 200);
    }
    let resp = emu.bearer_get("/api/v10/users/@me/guilds", &at).await;
    assert_eq!(resp.status(), 429);
    assert_eq!(resp.headers()["x-ratelimit-global"], "true");
    assert_eq!(resp.headers()["x-ratelimit-scope"], "global");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["global"], true);
    // A per-route budget set at run time.
    emu.control("/_emulator/rate-limits", json!({"global": null}))
        .await;
    let b = emu
        .control(
            "/_emulator/rate-limits",
            json!({"route": "GET /api/users/@me/guilds", "limit": 1, "window_ms": 60000}),
        )
        .await;
    assert_eq!(
        b["rate_limits"]["routes"]["GET /api/v10/users/@me/guilds"]["limit"],
        1
    );
    assert_eq!(
        emu.bearer_get("/api/v10/users/@me/guilds", &at)
            .await
            .status(),
        200
    );
    assert_eq!(
        emu.bearer_get("/api/v10/users/@me/guilds", &at)
            .await
            .status(),
        429
    );
}

#[tokio::test]
async fn cors_preflight_and_exposed_headers() {
    let emu = start().await;
    for path in [
        "/api/v10/oauth2/token",
        "/api/v10/oauth2/token/revoke",
        "/api/v10/users/@me",
    ] {
        let resp = emu
            .http
            .request(reqwest::Method::OPTIONS, emu.url(path))
            .header("origin", "http://localhost:5173")
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type",
            )
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 204, "{path}");
        let h = resp.headers();
        assert_eq!(h["access-control-allow-origin"], "http://localhost:5173");
        let methods = h["access-control-allow-methods"].to_str().unwrap();
        assert!(methods.contains("POST") && methods.contains("GET") && methods.contains("PUT"));
        let allowed = h["access-control-allow-headers"].to_str().unwrap();
        for name in ["Authorization", "Content-Type", "X-Audit-Log-Reason"] {
            assert!(allowed.contains(name), "{name}");
        }
    }
    let at = emu.access("identify").await;
    let resp = emu
        .http
        .get(emu.url("/api/v10/users/@me"))
        .bearer_auth(&at)
        .header("origin", "http://localhost:5173")
        .send()
        .await
        .unwrap();
    let h = resp.headers();
    assert_eq!(h["access-control-allow-origin"], "http://localhost:5173");
    let exposed = h["access-control-expose-headers"].to_str().unwrap();
    for name in [
        "X-RateLimit-Remaining",
        "X-RateLimit-Reset-After",
        "X-RateLimit-Bucket",
        "Retry-After",
    ] {
        assert!(exposed.contains(name), "{name}");
    }
    // Without Origin: "*"; errors carry CORS headers too.
    let resp = emu.token_form(&[("grant_type", "nope")], true).await;
    assert_eq!(resp.headers()["access-control-allow-origin"], "*");
}

async fn fault(emu: &Emu, body: Value) {
    emu.control("/_emulator/faults", body).await;
}

#[tokio::test]
async fn faults_of_every_kind() {
    let emu = start().await;
    let at = emu.access("identify").await;
    // status, twice, then normal again.
    fault(
        &emu,
        json!({"route": "GET /api/v10/users/@me", "count": 2, "kind": "status", "status": 503}),
    )
    .await;
    for _ in 0..2 {
        let (s, b) = status_json(emu.bearer_get("/api/v10/users/@me", &at).await).await;
        assert_eq!(
            (s, b),
            (
                503,
                json!({"message": "503: Service Unavailable", "code": 0})
            )
        );
    }
    assert_eq!(
        emu.bearer_get("/api/v10/users/@me", &at).await.status(),
        200
    );
    // 429 with retry_after and global.
    fault(&emu, json!({"route": "POST /api/oauth2/token", "kind": "status", "status": 429, "retry_after": 2.5, "global": true})).await;
    let resp = emu
        .token_form(
            &[("grant_type", "refresh_token"), ("refresh_token", "x")],
            true,
        )
        .await;
    assert_eq!(resp.status(), 429);
    assert_eq!(resp.headers()["retry-after"], "3");
    assert_eq!(resp.headers()["x-ratelimit-global"], "true");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body,
        json!({"message": "You are being rate limited.", "retry_after": 2.5, "global": true})
    );
    // delay.
    fault(
        &emu,
        json!({"route": "GET /api/v10/oauth2/@me", "kind": "delay", "delay_ms": 300}),
    )
    .await;
    let t = Instant::now();
    assert_eq!(
        emu.bearer_get("/api/v10/oauth2/@me", &at).await.status(),
        200
    );
    assert!(t.elapsed() >= Duration::from_millis(300));
    // malformed.
    fault(
        &emu,
        json!({"route": "GET /api/v10/users/@me", "kind": "malformed"}),
    )
    .await;
    let resp = emu.bearer_get("/api/v10/users/@me", &at).await;
    assert_eq!(resp.status(), 200);
    let text = resp.text().await.unwrap();
    assert!(serde_json::from_str::<Value>(&text).is_err());
    // not_utf8: a JSON content type over bytes that are not UTF-8.
    fault(
        &emu,
        json!({"route": "GET /api/v10/users/@me", "kind": "not_utf8"}),
    )
    .await;
    let resp = emu.bearer_get("/api/v10/users/@me", &at).await;
    assert_eq!(resp.status(), 200);
    let bytes = resp.bytes().await.unwrap();
    assert!(std::str::from_utf8(&bytes).is_err());
    assert!(bytes.starts_with(b"{\"id\""));
    // drop: the connection closes without an answer.
    fault(
        &emu,
        json!({"route": "GET /api/v10/users/@me/guilds/{guild_id}/member", "kind": "drop"}),
    )
    .await;
    let err = emu
        .bearer_get_err(
            &format!("/api/v10/users/@me/guilds/{OWNED_GUILD}/member"),
            &at,
        )
        .await;
    assert!(
        err.is_request() || err.is_connect() || err.to_string().contains("closed"),
        "{err}"
    );
    // The server is fine afterwards.
    assert_eq!(
        emu.bearer_get("/api/v10/users/@me", &at).await.status(),
        200
    );
    // Listing, clearing, and bad specs.
    fault(
        &emu,
        json!({"route": "GET /cdn/embed/avatars/{file}", "count": 3, "status": 500}),
    )
    .await;
    let list: Value = emu
        .http
        .get(emu.url("/_emulator/faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["faults"][0]["remaining"], 3);
    assert_eq!(list["faults"][0]["kind"], "status");
    let cleared: Value = emu
        .http
        .delete(emu.url("/_emulator/faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(cleared["cleared"], 1);
    for bad in [
        json!({"kind": "drop"}),
        json!({"route": "GET", "kind": "drop"}),
        json!({"route": "GET /x", "kind": "explode"}),
        json!({"route": "GET /x", "kind": "status", "status": 42}),
        json!({"route": "GET /x", "kind": "delay"}),
        json!({"route": "GET /x", "kind": "drop", "count": 0}),
    ] {
        let resp = emu
            .http
            .post(emu.url("/_emulator/faults"))
            .json(&bad)
            .send()
            .await
            .unwrap();
        let (s, b) = status_json(resp).await;
        assert_eq!(
            (s, b["error"].as_str()),
            (400, Some("invalid_fault")),
            "{bad}"
        );
    }
    let c = emu.counters().await;
    assert_eq!(c["faults_served"], 7);
    assert_eq!(c["faults_pending"], 0);
    assert!(c["rate_limited"].as_u64().unwrap() >= 1);
}

#[tokio::test]
async fn counters_expiry_lifetime_redirects_and_reset() {
    let emu = start().await;
    let t = emu.login("identify", USER).await;
    let at = t["access_token"].as_str().unwrap().to_owned();
    emu.token_form(
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", t["refresh_token"].as_str().unwrap()),
        ],
        true,
    )
    .await;
    emu.token_form(
        &[("grant_type", "client_credentials"), ("scope", "identify")],
        true,
    )
    .await;
    let c = emu.counters().await;
    assert_eq!(
        c["grants"],
        json!({"authorization_code": 1, "refresh_token": 1, "client_credentials": 1})
    );
    assert_eq!(c["refreshes"], 1);
    assert_eq!(c["codes_issued"], 1);
    assert_eq!(c["live_grants"], 2);
    assert_eq!(c["requests"]["POST /api/v10/oauth2/token"], 3);
    assert_eq!(
        c["requests"]["POST /_emulator/authorize"],
        Value::Null,
        "control calls are not counted"
    );
    // Expire everything: access tokens fail, refresh tokens still work.
    let t2 = emu.login("identify", USER).await;
    let b = emu.control("/_emulator/tokens/expire", json!({})).await;
    assert!(b["expired"].as_u64().unwrap() >= 2);
    let at2 = t2["access_token"].as_str().unwrap();
    assert_eq!(
        emu.bearer_get("/api/v10/users/@me", at2).await.status(),
        401
    );
    let (s, _) = status_json(
        emu.token_form(
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", t2["refresh_token"].as_str().unwrap()),
            ],
            true,
        )
        .await,
    )
    .await;
    assert_eq!(s, 200);
    let resp = emu
        .http
        .post(emu.url("/_emulator/tokens/expire"))
        .json(&json!({"access_token": "nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    // Token lifetime.
    emu.control("/_emulator/token-lifetime", json!({"seconds": 120}))
        .await;
    let t3 = emu.login("identify", USER).await;
    assert_eq!(t3["expires_in"], 120);
    let resp = emu
        .http
        .post(emu.url("/_emulator/token-lifetime"))
        .json(&json!({"seconds": -1}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    // Redirect URIs at run time.
    let b = emu
        .control(
            &format!("/_emulator/applications/{PUBLIC_APP}/redirect_uris"),
            json!({"uri": "http://127.0.0.1:4173/cb"}),
        )
        .await;
    assert!(
        b["redirect_uris"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u == "http://127.0.0.1:4173/cb")
    );
    let loc = emu
        .authorize(json!({"client_id": PUBLIC_APP, "redirect_uri": "http://127.0.0.1:4173/cb", "response_type": "token", "scope": "identify"}))
        .await;
    assert!(loc.starts_with("http://127.0.0.1:4173/cb#access_token="));
    let resp = emu
        .http
        .post(emu.url("/_emulator/applications/9/redirect_uris"))
        .json(&json!({"uri": "http://x/"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let resp = emu
        .http
        .post(emu.url(&format!(
            "/_emulator/applications/{PUBLIC_APP}/redirect_uris"
        )))
        .json(&json!({"uri": "not a uri"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let resp = emu
        .http
        .post(emu.url("/_emulator/token-lifetime"))
        .body("{oops")
        .send()
        .await
        .unwrap();
    assert_eq!(status_json(resp).await.1["error"], "invalid_json");
    // Reset: tokens gone, counters zero, the run-time redirect URI gone.
    emu.control("/_emulator/reset", json!({})).await;
    let c = emu.counters().await;
    assert_eq!(c["live_grants"], 0);
    assert_eq!(c["refreshes"], 0);
    assert_eq!(c["requests"], json!({}));
    assert_eq!(
        emu.bearer_get("/api/v10/users/@me", &at).await.status(),
        401
    );
    let t4 = emu.login("identify", USER).await;
    assert_eq!(t4["expires_in"], 604800);
    let health: Value = emu
        .http
        .get(emu.url("/_emulator/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["ok"], true);
}
