//! Discord's 2025–26 user surface in the emulator: the fixtures' decoration, nameplate and
//! server tag, `premium_type` behind `identify.premium`, and the CDN paths of decorations and
//! tag badges.

mod common;

use common::*;
use serde_json::{Value, json};

async fn me(emu: &Emu, scope: &str, user: &str) -> Value {
    let at = emu.access_for(scope, user).await;
    let (s, me) = status_json(emu.bearer_get("/api/v10/users/@me", &at).await).await;
    assert_eq!(s, 200, "{me}");
    me
}

#[tokio::test]
async fn premium_type_needs_identify_premium() {
    let emu = start().await;
    // The default user has Nitro (2) in the fixtures; without the scope Discord says 0.
    assert_eq!(me(&emu, "identify", USER).await["premium_type"], 0);
    assert_eq!(me(&emu, "identify email", USER).await["premium_type"], 0);
    assert_eq!(
        me(&emu, "identify identify.premium", USER).await["premium_type"],
        2
    );
    assert_eq!(
        me(&emu, "identify identify.premium", NELLY).await["premium_type"],
        1
    );
    // The token response names the scope that was granted.
    let tokens = emu.login("identify identify.premium", USER).await;
    let scope = tokens["scope"].as_str().unwrap();
    assert!(scope.split(' ').any(|s| s == "identify.premium"), "{scope}");
}

#[tokio::test]
async fn default_user_carries_the_new_profile_fields() {
    let emu = start().await;
    let u = me(&emu, "identify", USER).await;
    assert_eq!(
        u["avatar_decoration_data"]["asset"],
        "a_fed43ab12698df65902ba06727e20c0e"
    );
    assert_eq!(u["avatar_decoration_data"]["sku_id"], "1144058844004233369");
    assert_eq!(u["collectibles"]["nameplate"]["palette"], "cobalt");
    assert_eq!(u["primary_guild"]["identity_guild_id"], OWNED_GUILD);
    assert_eq!(u["primary_guild"]["identity_enabled"], true);
    assert_eq!(u["primary_guild"]["tag"], "EMU");
    assert!(u["primary_guild"]["badge"].is_string());
    assert!(u["banner"].is_string());
    assert_eq!(u["accent_color"], 5_793_266);
    // Nelly removed her tag; the plain user has every nullable field null.
    let nelly = me(&emu, "identify", NELLY).await;
    assert_eq!(nelly["primary_guild"]["identity_enabled"], false);
    assert_eq!(nelly["collectibles"]["nameplate"], Value::Null);
    let plain = me(&emu, "identify", PLAIN_USER).await;
    for k in [
        "avatar",
        "banner",
        "accent_color",
        "avatar_decoration_data",
        "collectibles",
        "primary_guild",
    ] {
        assert_eq!(plain[k], Value::Null, "{k}");
    }
    // Others see the same public profile fields (a member's user).
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
    assert_eq!(m["user"]["primary_guild"]["tag"], "EMU");
    assert!(m["user"].get("premium_type").is_none());
}

#[tokio::test]
async fn cdn_serves_decorations_and_tag_badges() {
    let emu = start().await;
    let deco =
        emu.http
            .get(emu.url(
                "/cdn/avatar-decoration-presets/a_fed43ab12698df65902ba06727e20c0e.png?size=128",
            ))
            .send()
            .await
            .unwrap();
    assert_eq!(deco.status(), 200);
    assert_eq!(deco.headers()["content-type"], "image/png");
    let png = deco.bytes().await.unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert_eq!(
        png[25], 6,
        "a decoration has an alpha channel to lay over the avatar"
    );
    let badge = emu
        .http
        .get(emu.url(&format!(
            "/cdn/guild-tag-badges/{OWNED_GUILD}/7d1734ae5a615e82bc7a4033b98fade8.webp?size=16"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(badge.status(), 200);
    for (path, status) in [
        ("/cdn/avatar-decoration-presets/abc.gif", 404),
        ("/cdn/avatar-decoration-presets/.png", 404),
        ("/cdn/avatar-decoration-presets/abc.png?size=100", 400),
    ] {
        let resp = emu.http.get(emu.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), status, "{path}");
    }
}

#[tokio::test]
async fn scripted_429s_carry_the_asked_rate_limit_scope() {
    // https://discord.com/developers/docs/topics/rate-limits#header-format
    let emu = start().await;
    let at = emu.access("identify").await;
    for (fault, scope) in [
        (json!({"scope": "shared"}), "shared"),
        (json!({}), "user"),
        (json!({"global": true}), "global"),
        (
            json!({"scope": "user", "body": {"message": "slow down", "code": 0}}),
            "user",
        ),
    ] {
        let mut f = json!({"route": "GET /api/v10/users/@me", "kind": "status", "status": 429,
                           "retry_after": 0});
        for (k, v) in fault.as_object().unwrap() {
            f[k] = v.clone();
        }
        emu.control("/_emulator/faults", f).await;
        let resp = emu.bearer_get("/api/v10/users/@me", &at).await;
        assert_eq!(resp.status(), 429);
        assert_eq!(resp.headers()["x-ratelimit-scope"], scope, "{fault}");
    }
    let resp = emu
        .http
        .post(emu.url("/_emulator/faults"))
        .json(&json!({"route": "GET /api/v10/users/@me", "status": 429, "scope": "bucket"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
}
