//! Webhook Events (docs/contract.md §10): each application's Ed25519 key, `POST /_emulator/deauthorize`
//! and its signed `APPLICATION_DEAUTHORIZED`, `APPLICATION_AUTHORIZED` on approving an
//! authorization with `applications.commands`. The signer is checked against RFC 8032 §7.1
//! TEST 1 (an independent reference); the Worker tests verify the same events with workerd's
//! WebCrypto and Node's `crypto.verify`.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use common::*;
use discord_emulator::events;
use discord_emulator::{AutoApprove, Fixtures};
use ed25519_dalek::{Signature, VerifyingKey};
use serde_json::{Value, json};

/// RFC 8032 §7.1 TEST 1: secret key, public key, and the signature of the empty message.
const RFC_SECRET: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const RFC_PUBLIC: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
const RFC_SIGNATURE: &str = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

/// What the events URL received: headers and body of each request.
type Received = Arc<Mutex<Vec<(HeaderMap, String)>>>;

/// A receiver standing in for an application's events URL; answers 204 like a Worker.
async fn receiver() -> (String, Received) {
    let got: Received = Arc::new(Mutex::new(Vec::new()));
    let sink = got.clone();
    let app = Router::new().route(
        "/auth/events",
        post(move |headers: HeaderMap, body: Bytes| {
            let sink = sink.clone();
            async move {
                let text = String::from_utf8_lossy(&body).into_owned();
                sink.lock().unwrap().push((headers, text));
                StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/auth/events", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, got)
}

fn unhex<const N: usize>(s: &str) -> [u8; N] {
    let mut out = [0u8; N];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

/// Fixtures whose confidential application signs with the RFC 8032 TEST 1 key and sends its
/// events to `url`.
fn rfc_fixtures(url: Option<&str>) -> Fixtures {
    let mut f = roomy_fixtures();
    let app = &mut f.applications[0];
    app.events_private_key = Some(RFC_SECRET.into());
    app.verify_key = None;
    app.events_url = url.map(str::to_owned);
    let text = serde_json::to_string(&f).unwrap();
    Fixtures::from_json(&text).unwrap()
}

/// Checks a received request against the RFC's public key: headers, signature, body shape.
fn check_signed(headers: &HeaderMap, body: &str, event_type: &str) -> Value {
    let ts = headers["x-signature-timestamp"].to_str().unwrap();
    let sig = headers["x-signature-ed25519"].to_str().unwrap();
    assert_eq!(headers["content-type"], "application/json");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(ts.parse::<u64>().unwrap().abs_diff(now) <= 5, "{ts}");
    let key = VerifyingKey::from_bytes(&unhex::<32>(RFC_PUBLIC)).unwrap();
    let signature = Signature::from_bytes(&unhex::<64>(sig));
    let mut message = ts.as_bytes().to_vec();
    message.extend_from_slice(body.as_bytes());
    key.verify_strict(&message, &signature)
        .expect("the signature verifies under the published key");
    // One flipped byte of the body no longer verifies.
    message[ts.len()] ^= 1;
    assert!(key.verify_strict(&message, &signature).is_err());
    let v: Value = serde_json::from_str(body).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["application_id"], CONFIDENTIAL_APP);
    assert_eq!(v["type"], 1);
    assert_eq!(v["event"]["type"], event_type);
    let stamp = v["event"]["timestamp"].as_str().unwrap();
    assert_eq!(stamp.len(), "2024-10-18T14:42:53.064834".len(), "{stamp}");
    assert!(!stamp.ends_with('Z') && !stamp.contains('+'), "{stamp}");
    v
}

#[test]
fn the_signer_matches_rfc8032_test_1() {
    let f = rfc_fixtures(None);
    let app = &f.applications[0];
    assert_eq!(app.verify_key.as_deref(), Some(RFC_PUBLIC));
    // TEST 1 signs the empty message: an empty timestamp and an empty body.
    assert_eq!(
        events::sign(&events::signing_key(app), "", b""),
        RFC_SIGNATURE
    );
}

#[test]
fn keys_are_deterministic_per_application_and_checked() {
    let a = Fixtures::default();
    let b = Fixtures::default();
    let (k0, k1) = (
        a.applications[0].verify_key.clone().unwrap(),
        a.applications[1].verify_key.clone().unwrap(),
    );
    assert_eq!(k0.len(), 64);
    assert_ne!(k0, k1);
    assert_eq!(b.applications[0].verify_key.as_deref(), Some(k0.as_str()));
    // A verify_key that is not the public half of the key is refused.
    let mut bad = serde_json::to_value(&a).unwrap();
    bad["applications"][0]["verify_key"] = json!(RFC_PUBLIC);
    assert!(
        Fixtures::from_json(&bad.to_string())
            .unwrap_err()
            .contains("verify_key")
    );
    let mut bad = serde_json::to_value(&a).unwrap();
    bad["applications"][0]["events_private_key"] = json!("00");
    assert!(Fixtures::from_json(&bad.to_string()).is_err());
    let mut bad = serde_json::to_value(&a).unwrap();
    bad["applications"][0]["events_url"] = json!("https://example.com/events");
    assert!(Fixtures::from_json(&bad.to_string()).is_err());
}

#[tokio::test]
async fn the_published_verify_key_is_the_events_key() {
    let emu = start().await;
    let token = emu.access("identify").await;
    let (status, body) = status_json(emu.bearer_get("/api/v10/oauth2/@me", &token).await).await;
    assert_eq!(status, 200);
    let f = Fixtures::default();
    assert_eq!(
        body["application"]["verify_key"].as_str(),
        f.applications[0].verify_key.as_deref()
    );
}

#[tokio::test]
async fn deauthorize_revokes_every_grant_and_sends_a_signed_event() {
    let (url, got) = receiver().await;
    let emu = start_with(rfc_fixtures(Some(&url)), AutoApprove::Off).await;
    let a = emu.access_for("identify", USER).await;
    let b = emu.access_for("identify email", USER).await;
    let other = emu.access_for("identify", PLAIN_USER).await;
    let before = emu.counters().await["revocations"].as_u64().unwrap();

    let out = emu
        .control(
            "/_emulator/deauthorize",
            json!({ "client_id": CONFIDENTIAL_APP, "user_id": USER }),
        )
        .await;
    assert_eq!(out["revoked"], 2);
    assert_eq!(out["event"]["status"], 204);
    assert_eq!(out["event"]["event_type"], "APPLICATION_DEAUTHORIZED");
    assert_eq!(
        emu.counters().await["revocations"].as_u64().unwrap(),
        before + 2
    );

    // Both of the user's grants are gone; another user's is not.
    for t in [&a, &b] {
        assert_eq!(emu.bearer_get("/api/v10/users/@me", t).await.status(), 401);
    }
    assert_eq!(
        emu.bearer_get("/api/v10/users/@me", &other).await.status(),
        200
    );

    let received = got.lock().unwrap().clone();
    assert_eq!(received.len(), 1);
    let (headers, body) = &received[0];
    let v = check_signed(headers, body, "APPLICATION_DEAUTHORIZED");
    assert_eq!(v["event"]["data"]["user"]["id"], USER);
    assert!(v["event"]["data"]["user"].get("email").is_none());
    assert_eq!(&out["event"]["body"], body.as_str());

    // The delivery is listed, with the exact body and headers sent.
    let list: Value = emu
        .http
        .get(emu.url("/_emulator/events"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["events"][0]["body"], body.as_str());
    assert_eq!(
        list["events"][0]["signature"],
        headers["x-signature-ed25519"].to_str().unwrap()
    );
}

#[tokio::test]
async fn approving_applications_commands_sends_application_authorized() {
    let (url, got) = receiver().await;
    let emu = start_with(rfc_fixtures(Some(&url)), AutoApprove::Off).await;
    // Without applications.commands: no event.
    emu.access_for("identify", USER).await;
    // A user install.
    emu.code("identify applications.commands", USER).await;
    // A server install (bot): integration type 0 with the guild.
    emu.authorize(json!({
        "client_id": CONFIDENTIAL_APP, "redirect_uri": REDIRECT, "response_type": "code",
        "scope": "bot applications.commands", "state": "s", "user_id": USER,
        "guild_id": OWNED_GUILD, "permissions": "0"
    }))
    .await;
    let mut received = Vec::new();
    for _ in 0..100 {
        received = got.lock().unwrap().clone();
        if received.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        got.lock().unwrap().len(),
        2,
        "exactly the two installs sent an event"
    );
    let mut by_type: Vec<Value> = received
        .iter()
        .map(|(h, b)| check_signed(h, b, "APPLICATION_AUTHORIZED"))
        .collect();
    by_type.sort_by_key(|v| v["event"]["data"]["integration_type"].as_u64());
    let guild = &by_type[0]["event"]["data"];
    assert_eq!(guild["integration_type"], 0);
    assert_eq!(guild["guild"]["id"], OWNED_GUILD);
    assert_eq!(guild["scopes"], json!(["bot", "applications.commands"]));
    let user = &by_type[1]["event"]["data"];
    assert_eq!(user["integration_type"], 1);
    assert_eq!(user["scopes"], json!(["identify", "applications.commands"]));
    assert_eq!(user["user"]["id"], USER);
    assert!(user.get("guild").is_none());
}

#[tokio::test]
async fn events_url_control_and_deauthorize_errors() {
    let emu = start().await;
    // No events URL: the grants are revoked, no event is sent.
    emu.access_for("identify", USER).await;
    let out = emu
        .control(
            "/_emulator/deauthorize",
            json!({ "client_id": CONFIDENTIAL_APP, "user_id": USER }),
        )
        .await;
    assert_eq!(out["revoked"], 1);
    assert!(out["event"].is_null());

    // An unreachable events URL: the delivery records why.
    let path = format!("/_emulator/applications/{CONFIDENTIAL_APP}/events_url");
    let set = emu
        .control(&path, json!({ "url": "http://127.0.0.1:9/auth/events" }))
        .await;
    assert_eq!(set["events_url"], "http://127.0.0.1:9/auth/events");
    let out = emu
        .control(
            "/_emulator/deauthorize",
            json!({ "client_id": CONFIDENTIAL_APP, "user_id": USER }),
        )
        .await;
    assert!(out["event"]["status"].is_null());
    assert!(out["event"]["error"].as_str().unwrap().contains("connect"));

    let post = |path: String, body: Value| {
        let http = emu.http.clone();
        let url = emu.url(&path);
        async move { status_json(http.post(url).json(&body).send().await.unwrap()).await }
    };
    let (s, b) = post(path.clone(), json!({ "url": "https://example.com/" })).await;
    assert_eq!((s, b["error"].as_str()), (400, Some("invalid_request")));
    let (s, _) = post(
        "/_emulator/applications/1/events_url".into(),
        json!({ "url": null }),
    )
    .await;
    assert_eq!(s, 404);
    let (s, b) = post(
        "/_emulator/deauthorize".into(),
        json!({ "client_id": "1", "user_id": USER }),
    )
    .await;
    assert_eq!((s, b["error"].as_str()), (404, Some("unknown_application")));
    let (s, b) = post(
        "/_emulator/deauthorize".into(),
        json!({ "client_id": CONFIDENTIAL_APP, "user_id": "1" }),
    )
    .await;
    assert_eq!((s, b["error"].as_str()), (400, Some("unknown_user")));
    let (s, _) = post("/_emulator/deauthorize".into(), json!({})).await;
    assert_eq!(s, 400);
    // Reset puts the fixture's (absent) events URL back.
    emu.control("/_emulator/reset", json!({})).await;
    let out = emu
        .control(
            "/_emulator/deauthorize",
            json!({ "client_id": CONFIDENTIAL_APP, "user_id": USER }),
        )
        .await;
    assert!(out["event"].is_null());
}
