//! The Bearer and Bot API: scopes, shapes, errors, pagination, members, role connections, CDN.

mod common;

use common::*;
use serde_json::{Value, json};

#[tokio::test]
async fn users_me_honours_identify_and_email() {
    let emu = start().await;
    let at = emu.access("identify").await;
    let (s, me) = status_json(emu.bearer_get("/api/v10/users/@me", &at).await).await;
    assert_eq!(s, 200);
    assert_eq!(me["id"], USER);
    assert_eq!(me["discriminator"], "0");
    assert_eq!(me["global_name"], "Emulator User");
    assert!(me["avatar"].as_str().unwrap().starts_with("a_"));
    assert!(me.get("email").is_none() && me.get("verified").is_none());
    let at = emu.access("identify email").await;
    let (_, me) = status_json(emu.bearer_get("/api/v10/users/@me", &at).await).await;
    assert_eq!(me["email"], "emulator.user@example.com");
    assert_eq!(me["verified"], true);
    let at = emu.access("guilds").await;
    let (s, b) = status_json(emu.bearer_get("/api/v10/users/@me", &at).await).await;
    assert_eq!(
        (s, b),
        (403, json!({"message": "Missing Access", "code": 50001}))
    );
    // A bot token gets the bot user.
    let resp = emu
        .http
        .get(emu.url("/api/v10/users/@me"))
        .header("authorization", format!("Bot {BOT_TOKEN}"))
        .send()
        .await
        .unwrap();
    let (_, bot) = status_json(resp).await;
    assert_eq!(bot["bot"], true);
}

#[tokio::test]
async fn unauthorized_in_every_form() {
    let emu = start().await;
    let unauthorized = json!({"message": "401: Unauthorized", "code": 0});
    let url = emu.url("/api/v10/users/@me");
    let (s, b) = status_json(emu.http.get(&url).send().await.unwrap()).await;
    assert_eq!((s, &b), (401, &unauthorized));
    for header in [
        "Bearer",
        "Bearer    ",
        "garbage",
        "Basic Zm9vOmJhcg==",
        "Bearer nope",
        "Bot nope",
    ] {
        let resp = emu
            .http
            .get(&url)
            .header("authorization", header)
            .send()
            .await
            .unwrap();
        let (s, b) = status_json(resp).await;
        assert_eq!((s, &b), (401, &unauthorized), "{header}");
    }
    let resp = emu
        .http
        .get(&url)
        .header("authorization", &b"Bearer \xff\xfe"[..])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    // Expired tokens.
    let at = emu.access("identify").await;
    emu.control("/_emulator/tokens/expire", json!({"access_token": at}))
        .await;
    let (s, b) = status_json(emu.bearer_get("/api/v10/oauth2/@me", &at).await).await;
    assert_eq!((s, b), (401, unauthorized));
}

#[tokio::test]
async fn guilds_paginate_and_validate() {
    let emu = start().await;
    let at = emu.access("guilds").await;
    let get = |q: &'static str| {
        let emu = &emu;
        let at = at.clone();
        async move {
            status_json(
                emu.bearer_get(&format!("/api/v10/users/@me/guilds{q}"), &at)
                    .await,
            )
            .await
        }
    };
    let (s, all) = get("").await;
    assert_eq!(s, 200);
    let ids: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [OWNED_GUILD, ADMIN_GUILD, BIG_PERMS_GUILD]);
    assert_eq!(all[0]["owner"], true);
    assert_eq!(all[1]["permissions"], "8");
    assert_eq!(all[2]["permissions"], "18014398509481983");
    assert!(all[0].get("approximate_member_count").is_none());
    assert!(
        all[0]["features"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "COMMUNITY")
    );
    let (_, page) = get("?limit=1").await;
    assert_eq!(page.as_array().unwrap().len(), 1);
    let (_, page) = get("?after=1160000000000000001").await;
    assert_eq!(page[0]["id"], ADMIN_GUILD);
    assert_eq!(page.as_array().unwrap().len(), 2);
    let (_, page) = get("?before=1160000000000000003&limit=1").await;
    assert_eq!(page.as_array().unwrap().len(), 1);
    assert_eq!(page[0]["id"], ADMIN_GUILD);
    let (_, page) = get("?with_counts=true").await;
    assert_eq!(page[0]["approximate_member_count"], 3);
    assert_eq!(page[0]["approximate_presence_count"], 2);
    for (q, field, code) in [
        ("?limit=0", "limit", "NUMBER_TYPE_MIN"),
        ("?limit=201", "limit", "NUMBER_TYPE_MAX"),
        ("?limit=abc", "limit", "NUMBER_TYPE_COERCE"),
        ("?after=xyz", "after", "NUMBER_TYPE_COERCE"),
        ("?with_counts=maybe", "with_counts", "BOOLEAN_TYPE_COERCE"),
    ] {
        let (s, b) = get(q).await;
        assert_eq!(s, 400, "{q}");
        assert_eq!(b["code"], 50035);
        assert_eq!(b["message"], "Invalid Form Body");
        assert_eq!(b["errors"][field]["_errors"][0]["code"], code, "{q}");
    }
    let at = emu.access("identify").await;
    let (s, _) = status_json(emu.bearer_get("/api/v10/users/@me/guilds", &at).await).await;
    assert_eq!(s, 403);
}

#[tokio::test]
async fn connections_need_their_scope() {
    let emu = start().await;
    let at = emu.access("identify").await;
    let (s, b) = status_json(emu.bearer_get("/api/v10/users/@me/connections", &at).await).await;
    assert_eq!((s, b["code"].as_u64()), (403, Some(50001)));
    let at = emu.access("connections").await;
    let (s, list) = status_json(emu.bearer_get("/api/v10/users/@me/connections", &at).await).await;
    assert_eq!(s, 200);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 3);
    assert!(list.iter().all(|c| c.get("user_id").is_none()));
    let twitch = list.iter().find(|c| c["type"] == "twitch").unwrap();
    assert_eq!(
        twitch["integrations"][0]["account"]["name"],
        "emulatorstreams"
    );
}

#[tokio::test]
async fn guild_member_needs_scope_and_membership() {
    let emu = start().await;
    let at = emu.access("guilds.members.read").await;
    let (s, m) = status_json(
        emu.bearer_get(
            &format!("/api/v10/users/@me/guilds/{OWNED_GUILD}/member"),
            &at,
        )
        .await,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(m["nick"], "Boss");
    assert_eq!(m["user"]["id"], USER);
    assert!(m["user"].get("email").is_none());
    assert!(m["roles"].is_array() && m["joined_at"].is_string());
    let (s, b) = status_json(
        emu.bearer_get("/api/v10/users/@me/guilds/123/member", &at)
            .await,
    )
    .await;
    assert_eq!(
        (s, b),
        (404, json!({"message": "Unknown Guild", "code": 10004}))
    );
    let at = emu.access("guilds").await;
    let (s, _) = status_json(
        emu.bearer_get(
            &format!("/api/v10/users/@me/guilds/{OWNED_GUILD}/member"),
            &at,
        )
        .await,
    )
    .await;
    assert_eq!(s, 403);
}

#[tokio::test]
async fn oauth2_me_describes_the_authorization() {
    let emu = start().await;
    let at = emu.access("identify guilds").await;
    let (s, b) = status_json(emu.bearer_get("/api/v10/oauth2/@me", &at).await).await;
    assert_eq!(s, 200);
    assert_eq!(b["application"]["id"], CONFIDENTIAL_APP);
    assert_eq!(b["application"]["name"], "Emulator Demo");
    assert_eq!(b["scopes"], json!(["identify", "guilds"]));
    let expires = b["expires"].as_str().unwrap();
    assert_eq!(expires.len(), "2021-01-23T02:33:17.017000+00:00".len());
    assert!(expires.ends_with("+00:00"));
    assert_eq!(b["user"]["username"], "emulator_user");
    let at = emu.access("guilds").await;
    let (_, b) = status_json(emu.bearer_get("/api/v10/oauth2/@me", &at).await).await;
    assert!(b.get("user").is_none());
    assert!(b.get("application").unwrap().get("secret").is_none());
}

fn bot_req(emu: &Emu, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
    emu.http
        .request(method, emu.url(path))
        .header("authorization", format!("Bot {BOT_TOKEN}"))
}

#[tokio::test]
async fn joining_a_guild_is_201_then_204() {
    let emu = start().await;
    let plain = emu.login("identify guilds.join", PLAIN_USER).await;
    let token = plain["access_token"].as_str().unwrap();
    let path = format!("/api/v10/guilds/{ADMIN_GUILD}/members/{PLAIN_USER}");
    let body =
        json!({"access_token": token, "nick": "Newbie", "roles": [], "mute": false, "deaf": true});
    let resp = bot_req(&emu, reqwest::Method::PUT, &path)
        .json(&body)
        .send()
        .await
        .unwrap();
    let (s, m) = status_json(resp).await;
    assert_eq!(s, 201);
    assert_eq!(m["nick"], "Newbie");
    assert_eq!(m["deaf"], true);
    assert_eq!(m["user"]["id"], PLAIN_USER);
    let resp = bot_req(&emu, reqwest::Method::PUT, &path)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert!(resp.bytes().await.unwrap().is_empty());
    // The new membership shows up for the user.
    let at = emu.access_for("guilds", PLAIN_USER).await;
    let (_, gs) = status_json(emu.bearer_get("/api/v10/users/@me/guilds", &at).await).await;
    assert!(
        gs.as_array()
            .unwrap()
            .iter()
            .any(|g| g["id"] == ADMIN_GUILD)
    );
    // Errors.
    let cases: Vec<(String, Value, u16, Value)> = vec![
        // The bot is not in that guild.
        (
            format!("/api/v10/guilds/{BIG_PERMS_GUILD}/members/{PLAIN_USER}"),
            body.clone(),
            403,
            json!(50001),
        ),
        (
            format!("/api/v10/guilds/1/members/{PLAIN_USER}"),
            body.clone(),
            404,
            json!(10004),
        ),
        (
            format!("/api/v10/guilds/{OWNED_GUILD}/members/1"),
            body.clone(),
            404,
            json!(10013),
        ),
        // The token belongs to another user.
        (
            format!("/api/v10/guilds/{OWNED_GUILD}/members/{NELLY}"),
            body.clone(),
            403,
            json!(50025),
        ),
        (path.clone(), json!({"nick": "x"}), 400, json!(50035)),
        (
            path.clone(),
            json!({"access_token": token, "mute": "yes"}),
            400,
            json!(50035),
        ),
    ];
    for (p, b, status, code) in cases {
        let resp = bot_req(&emu, reqwest::Method::PUT, &p)
            .json(&b)
            .send()
            .await
            .unwrap();
        let (s, body) = status_json(resp).await;
        assert_eq!((s, &body["code"]), (status, &code), "{p} {b}");
    }
    // A token without guilds.join.
    let no_join = emu.access_for("identify", NELLY).await;
    let resp = bot_req(
        &emu,
        reqwest::Method::PUT,
        &format!("/api/v10/guilds/{OWNED_GUILD}/members/{NELLY}"),
    )
    .json(&json!({"access_token": no_join}))
    .send()
    .await
    .unwrap();
    assert_eq!(status_json(resp).await.1["code"], 50025);
    // Invalid JSON and missing bot auth.
    let resp = bot_req(&emu, reqwest::Method::PUT, &path)
        .header("content-type", "application/json")
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_eq!(
        status_json(resp).await,
        (
            400,
            json!({"message": "The request body contains invalid JSON.", "code": 50109})
        )
    );
    let resp = emu
        .http
        .put(emu.url(&path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
}

#[tokio::test]
async fn role_connection_metadata_validation() {
    let emu = start().await;
    let path = format!("/api/v10/applications/{CONFIDENTIAL_APP}/role-connections/metadata");
    let good = json!([
        {"type": 2, "key": "level", "name": "Level", "description": "Level at least"},
        {"type": 7, "key": "verified_fan", "name": "Fan", "description": "Is a fan",
         "name_localizations": {"fr": "Fan"}}
    ]);
    let resp = bot_req(&emu, reqwest::Method::PUT, &path)
        .json(&good)
        .send()
        .await
        .unwrap();
    let (s, b) = status_json(resp).await;
    assert_eq!((s, b.as_array().unwrap().len()), (200, 2));
    let (s, b) = status_json(
        bot_req(&emu, reqwest::Method::GET, &path)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((s, &b[0]["key"]), (200, &json!("level")));
    let bad = json!([
        {"type": 9, "key": "Bad Key!", "name": "", "description": "ok"},
        {"type": 1, "key": "ok", "name": "n", "description": "d".repeat(201)}
    ]);
    let resp = bot_req(&emu, reqwest::Method::PUT, &path)
        .json(&bad)
        .send()
        .await
        .unwrap();
    let (s, b) = status_json(resp).await;
    assert_eq!(
        (s, &b["code"], &b["message"]),
        (400, &json!(50035), &json!("Invalid Form Body"))
    );
    assert_eq!(
        b["errors"]["0"]["type"]["_errors"][0]["code"],
        "ENUM_TYPE_COERCE"
    );
    assert_eq!(
        b["errors"]["0"]["key"]["_errors"][0]["code"],
        "STRING_TYPE_REGEX"
    );
    assert_eq!(
        b["errors"]["0"]["name"]["_errors"][0]["code"],
        "BASE_TYPE_BAD_LENGTH"
    );
    assert_eq!(
        b["errors"]["1"]["description"]["_errors"][0]["code"],
        "BASE_TYPE_BAD_LENGTH"
    );
    let six: Vec<Value> = (0..6)
        .map(|i| json!({"type": 1, "key": format!("k{i}"), "name": "n", "description": "d"}))
        .collect();
    let resp = bot_req(&emu, reqwest::Method::PUT, &path)
        .json(&six)
        .send()
        .await
        .unwrap();
    let (s, b) = status_json(resp).await;
    assert_eq!(
        (s, &b["errors"]["_errors"][0]["code"]),
        (400, &json!("BASE_TYPE_MAX_LENGTH"))
    );
    let resp = bot_req(&emu, reqwest::Method::PUT, &path)
        .json(&json!({"type": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    // Another application's metadata, or no bot token.
    let other = format!("/api/v10/applications/{PUBLIC_APP}/role-connections/metadata");
    assert_eq!(
        bot_req(&emu, reqwest::Method::GET, &other)
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        emu.http.get(emu.url(&path)).send().await.unwrap().status(),
        401
    );

    // The user's role connection.
    let rc = format!("/api/v10/users/@me/applications/{CONFIDENTIAL_APP}/role-connection");
    let at = emu.access("identify role_connections.write").await;
    let (s, b) = status_json(emu.bearer_get(&rc, &at).await).await;
    assert_eq!(
        (s, b),
        (
            200,
            json!({"platform_name": null, "platform_username": null, "metadata": {}})
        )
    );
    let put = |body: Value, token: String| {
        let emu = &emu;
        let rc = rc.clone();
        async move {
            status_json(
                emu.http
                    .put(emu.url(&rc))
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        }
    };
    let (s, b) = put(
        json!({"platform_name": "Emulator", "platform_username": "emu", "metadata": {"level": 12, "verified_fan": "1"}}),
        at.clone(),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["metadata"], json!({"level": "12", "verified_fan": "1"}));
    let (_, b) = status_json(emu.bearer_get(&rc, &at).await).await;
    assert_eq!(b["platform_name"], "Emulator");
    let (s, b) = put(
        json!({"platform_name": "x".repeat(51), "metadata": {"nope": "1", "level": "high"}}),
        at.clone(),
    )
    .await;
    assert_eq!((s, &b["code"]), (400, &json!(50035)));
    assert!(b["errors"]["platform_name"]["_errors"].is_array());
    assert!(b["errors"]["metadata"]["nope"]["_errors"].is_array());
    assert!(b["errors"]["metadata"]["level"]["_errors"].is_array());
    let no_scope = emu.access("identify").await;
    let (s, _) = put(json!({}), no_scope).await;
    assert_eq!(s, 403);
}

#[tokio::test]
async fn bot_application_endpoint() {
    let emu = start().await;
    let (s, b) = status_json(
        bot_req(
            &emu,
            reqwest::Method::GET,
            "/api/v10/oauth2/applications/@me",
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(b["id"], CONFIDENTIAL_APP);
    assert_eq!(b["owner"]["id"], USER);
    assert_eq!(b["bot"]["id"], CONFIDENTIAL_APP);
    assert!(!b.to_string().contains(CONFIDENTIAL_SECRET));
    assert!(!b.to_string().contains(BOT_TOKEN));
    let at = emu.access("identify").await;
    assert_eq!(
        emu.bearer_get("/api/v10/oauth2/applications/@me", &at)
            .await
            .status(),
        401
    );
}

#[tokio::test]
async fn cdn_serves_placeholder_pngs() {
    let emu = start().await;
    for path in [
        "/cdn/avatars/1150000000000000001/a_1269e74af4df7417b13759eae50c83dc.gif?size=64",
        "/cdn/avatars/80351110224678912/8342729096ea3675442027381ff50dfe.png",
        "/cdn/embed/avatars/5.png",
        "/cdn/icons/1160000000000000001/a_1f1e7d2a8c3b4e5f60718293a4b5c6d7.webp?size=4096",
        "/cdn/banners/1150000000000000001/a_6c16474723fe537c283b8efa61a30c8a.png?size=512",
    ] {
        let resp = emu.http.get(emu.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        assert_eq!(resp.headers()["content-type"], "image/png");
        let bytes = resp.bytes().await.unwrap();
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{path}");
    }
    for (path, status) in [
        ("/cdn/embed/avatars/6.png", 404),
        ("/cdn/avatars/1/abc.bmp", 404),
        ("/cdn/avatars/1/abc.png?size=100", 400),
    ] {
        assert_eq!(
            emu.http.get(emu.url(path)).send().await.unwrap().status(),
            status,
            "{path}"
        );
    }
}

#[tokio::test]
async fn unknown_routes_and_methods() {
    let emu = start().await;
    let (s, b) = status_json(
        emu.http
            .get(emu.url("/api/v10/users/@me/friends"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (s, b),
        (404, json!({"message": "404: Not Found", "code": 0}))
    );
    let (s, b) = status_json(
        emu.http
            .delete(emu.url("/api/v10/users/@me"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (s, b),
        (
            405,
            json!({"message": "405: Method Not Allowed", "code": 0})
        )
    );
    let (s, _) = status_json(
        emu.http
            .get(emu.url("/api/v10/oauth2/token"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 405);
    // Older versions and the unversioned prefix reach the same routes.
    let at = emu.access("identify").await;
    for p in ["/api/users/@me", "/api/v9/users/@me", "/api/v6/users/@me"] {
        assert_eq!(emu.bearer_get(p, &at).await.status(), 200, "{p}");
    }
}
