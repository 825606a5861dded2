//! The 2025–26 user-surface helpers and §12's model helpers, as JavaScript calls them:
//! `avatarDecorationUrl`, `guildTagBadgeUrl`, `memberAvatarUrl`, `memberDisplayAvatarUrl`,
//! `displayName`, `mention`, `isAvatarAnimated`, `accentColorHex`, `isConnectionVisible`,
//! and the new `userFlags` names.

use super::support::*;
use discord_oauth_wasm::browser::helpers::*;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

const CDN: &str = "https://cdn.discordapp.com";

/// Discord's documented example user (resources/user#user-object-example-user).
const NELLY: &str = r#"{"id":"80351110224678912","username":"Nelly","global_name":null,
  "discriminator":"1337","avatar":"8342729096ea3675442027381ff50dfe","accent_color":16711680,
  "avatar_decoration_data":{"sku_id":"1144058844004233369","asset":"a_fed43ab12698df65902ba06727e20c0e"},
  "collectibles":{"nameplate":{"sku_id":"2247558840304243311","asset":"nameplates/nameplates/twilight/","label":"","palette":"cobalt"}},
  "primary_guild":{"identity_guild_id":"1234647491267808778","identity_enabled":true,"tag":"DISC","badge":"7d1734ae5a615e82bc7a4033b98fade8"}}"#;

/// Every nullable field null.
const PLAIN: &str = r#"{"id":"1150000000000000003","username":"plain_user","discriminator":"0",
  "global_name":null,"avatar":null,"accent_color":null,"avatar_decoration_data":null,
  "collectibles":null,"primary_guild":null}"#;

fn s(v: Result<JsValue, JsValue>) -> Option<String> {
    let v = v.unwrap();
    assert!(v.is_null() || v.is_string(), "string or null");
    v.as_string()
}

#[wasm_bindgen_test]
fn avatar_decoration_urls() {
    assert_eq!(
        s(avatar_decoration_url(
            js(NELLY),
            Some(js(r#"{"size":128}"#))
        ))
        .as_deref(),
        Some(
            format!(
                "{CDN}/avatar-decoration-presets/a_fed43ab12698df65902ba06727e20c0e.png?size=128"
            )
            .as_str()
        )
    );
    assert_eq!(s(avatar_decoration_url(js(PLAIN), None)), None);
    assert_eq!(s(avatar_decoration_url(js(r#"{"id":"1"}"#), None)), None);
    // PNG only, and the size is a power of two from 16 to 4096.
    let e = avatar_decoration_url(js(NELLY), Some(js(r#"{"format":"gif"}"#))).unwrap_err();
    assert_eq!(code(&e), "config_error");
    let e = avatar_decoration_url(js(NELLY), Some(js(r#"{"size":8192}"#))).unwrap_err();
    assert_eq!(code(&e), "config_error");
}

#[wasm_bindgen_test]
fn guild_tag_badge_urls() {
    assert_eq!(
        s(guild_tag_badge_url(js(NELLY), None)).as_deref(),
        Some(
            format!(
                "{CDN}/guild-tag-badges/1234647491267808778/7d1734ae5a615e82bc7a4033b98fade8.png"
            )
            .as_str()
        )
    );
    assert!(
        s(guild_tag_badge_url(
            js(NELLY),
            Some(js(r#"{"size":16,"format":"webp"}"#))
        ))
        .unwrap()
        .ends_with(".webp?size=16")
    );
    assert_eq!(s(guild_tag_badge_url(js(PLAIN), None)), None);
    // Removed by the user (false) or cleared by Discord (null): not on show, no badge.
    for enabled in ["false", "null"] {
        let user = NELLY.replace(
            r#""identity_enabled":true"#,
            &format!(r#""identity_enabled":{enabled}"#),
        );
        assert_eq!(s(guild_tag_badge_url(js(&user), None)), None, "{enabled}");
    }
    let nulls = js(
        r#"{"primary_guild":{"identity_guild_id":null,"identity_enabled":null,
        "tag":null,"badge":null}}"#,
    );
    assert_eq!(s(guild_tag_badge_url(nulls, None)), None);
    let e = guild_tag_badge_url(js(NELLY), Some(js(r#"{"format":"gif"}"#))).unwrap_err();
    assert_eq!(code(&e), "config_error");
}

const MEMBER: &str = r#"{"user":{"id":"80351110224678912","username":"nelly","discriminator":"0",
  "global_name":"Nelly","avatar":null},"nick":"NOT API SUPPORT","avatar":null,"roles":[],
  "joined_at":"2015-04-26T06:26:56.936000+00:00","deaf":false,"mute":false,"flags":0}"#;

#[wasm_bindgen_test]
fn member_avatar_urls() {
    let guild = "1160000000000000001";
    assert_eq!(s(member_avatar_url(guild, js(MEMBER), None)), None);
    // No guild avatar: the user's default avatar ((id >> 22) % 6 for new usernames).
    let shown = s(member_display_avatar_url(guild, js(MEMBER), None)).unwrap();
    assert!(
        shown.starts_with(&format!("{CDN}/embed/avatars/")),
        "{shown}"
    );
    let with_user_avatar = MEMBER.replace(r#""avatar":null},"#, r#""avatar":"abc"},"#);
    assert_eq!(
        s(member_display_avatar_url(
            guild,
            js(&with_user_avatar),
            None
        ))
        .as_deref(),
        Some(format!("{CDN}/avatars/80351110224678912/abc.png").as_str())
    );
    let with_guild_avatar =
        with_user_avatar.replace(r#""avatar":null,"roles""#, r#""avatar":"a_9","roles""#);
    let expected = format!("{CDN}/guilds/{guild}/users/80351110224678912/avatars/a_9.gif?size=64");
    let o = || Some(js(r#"{"size":64}"#));
    assert_eq!(
        s(member_avatar_url(guild, js(&with_guild_avatar), o())).as_deref(),
        Some(expected.as_str())
    );
    assert_eq!(
        s(member_display_avatar_url(
            guild,
            js(&with_guild_avatar),
            o()
        ))
        .as_deref(),
        Some(expected.as_str())
    );
    // No user: nothing to build a path or a fallback from.
    let no_user = js(r#"{"avatar":"abc","roles":[]}"#);
    assert_eq!(s(member_avatar_url(guild, no_user.clone(), None)), None);
    assert_eq!(s(member_display_avatar_url(guild, no_user, None)), None);
    assert_eq!(
        code(&member_avatar_url("x", js(MEMBER), None).unwrap_err()),
        "config_error"
    );
}

#[wasm_bindgen_test]
fn display_names_and_mentions() {
    assert_eq!(display_name(js(NELLY)).unwrap(), "Nelly");
    assert_eq!(display_name(js(MEMBER)).unwrap(), "NOT API SUPPORT");
    assert_eq!(
        display_name(js(
            &MEMBER.replace(r#""nick":"NOT API SUPPORT""#, r#""nick":null"#)
        ))
        .unwrap(),
        "Nelly"
    );
    assert_eq!(
        display_name(js(r#"{"username":"nelly","global_name":"","nick":""}"#)).unwrap(),
        "nelly"
    );
    assert_eq!(display_name(js(PLAIN)).unwrap(), "plain_user");
    assert_eq!(mention(js(NELLY)).unwrap(), "<@80351110224678912>");
    assert_eq!(mention(js(MEMBER)).unwrap(), "<@80351110224678912>");
    assert_eq!(
        code(&mention(js(r#"{"roles":[]}"#)).unwrap_err()),
        "config_error"
    );
}

#[wasm_bindgen_test]
fn animated_hashes_colours_and_connections() {
    assert!(is_avatar_animated(Some(
        "a_1269e74af4df7417b13759eae50c83dc".into()
    )));
    assert!(!is_avatar_animated(Some(
        "8342729096ea3675442027381ff50dfe".into()
    )));
    assert!(!is_avatar_animated(None));
    assert_eq!(s(accent_color_hex(js(NELLY))).as_deref(), Some("#ff0000"));
    assert_eq!(
        s(accent_color_hex(js(r#"{"accent_color":5793266}"#))).as_deref(),
        Some("#5865f2")
    );
    assert_eq!(
        s(accent_color_hex(js(r#"{"accent_color":0}"#))).as_deref(),
        Some("#000000")
    );
    assert_eq!(s(accent_color_hex(js(PLAIN))), None);
    assert_eq!(
        code(&accent_color_hex(js(r#"{"accent_color":-1}"#)).unwrap_err()),
        "config_error"
    );
    assert_eq!(
        code(&accent_color_hex(js(r#"{"accent_color":"red"}"#)).unwrap_err()),
        "config_error"
    );
    assert!(is_connection_visible(js(r#"{"visibility":1}"#)));
    assert!(!is_connection_visible(js(r#"{"visibility":0}"#)));
    assert!(!is_connection_visible(js(r#"{}"#)));
}

#[wasm_bindgen_test]
fn user_flags_name_system_and_spammer() {
    let names: Vec<String> = user_flags(f64::from((1u32 << 12) | (1 << 20) | 1))
        .unwrap()
        .iter()
        .map(|v| v.as_string().unwrap())
        .collect();
    assert_eq!(names, ["STAFF", "SYSTEM", "SPAMMER"]);
}
