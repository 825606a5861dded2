//! The helper functions: CDN URLs, snowflake times, permissions, user flags.

use super::support::*;
use discord_oauth_wasm::browser::helpers::*;
use wasm_bindgen_test::*;

const CDN: &str = "https://cdn.discordapp.com";

#[wasm_bindgen_test]
fn avatar_urls() {
    let user = js(
        r#"{"id":"1150000000000000001","username":"u","discriminator":"0","avatar":"a_1269e74af4df7417b13759eae50c83dc"}"#,
    );
    assert_eq!(
        avatar_url(user.clone(), None).unwrap(),
        format!("{CDN}/avatars/1150000000000000001/a_1269e74af4df7417b13759eae50c83dc.gif")
    );
    assert_eq!(
        avatar_url(user, Some(js(r#"{"size":128,"format":"webp"}"#))).unwrap(),
        format!(
            "{CDN}/avatars/1150000000000000001/a_1269e74af4df7417b13759eae50c83dc.webp?size=128"
        )
    );
    // No avatar: the default one; new usernames (discriminator "0") use (id >> 22) % 6.
    let plain = js(r#"{"id":"1150000000000000001","discriminator":"0","avatar":null}"#);
    assert_eq!(
        avatar_url(plain, None).unwrap(),
        format!("{CDN}/embed/avatars/4.png")
    );
    // Legacy discriminators use discriminator % 5.
    let nelly = js(r#"{"id":"80351110224678912","discriminator":"1337","avatar":null}"#);
    assert_eq!(
        avatar_url(nelly, None).unwrap(),
        format!("{CDN}/embed/avatars/2.png")
    );
    let e = avatar_url(
        js(r#"{"id":"1","avatar":"abc"}"#),
        Some(js(r#"{"size":100}"#)),
    )
    .unwrap_err();
    assert_eq!(code(&e), "config_error");
    let e = avatar_url(js(r#"{"avatar":"abc"}"#), None).unwrap_err();
    assert_eq!(code(&e), "config_error");
}

#[wasm_bindgen_test]
fn banner_and_guild_icon_urls_are_null_without_an_image() {
    let user = js(r#"{"id":"80351110224678912","banner":"06c16474723fe537c283b8efa61a30c8"}"#);
    assert_eq!(
        banner_url(user, Some(js(r#"{"size":512}"#)))
            .unwrap()
            .as_string()
            .unwrap(),
        format!("{CDN}/banners/80351110224678912/06c16474723fe537c283b8efa61a30c8.png?size=512")
    );
    assert!(
        banner_url(js(r#"{"id":"1","banner":null}"#), None)
            .unwrap()
            .is_null()
    );
    let guild = js(r#"{"id":"1160000000000000001","icon":"a_abc123","name":"g"}"#);
    assert_eq!(
        guild_icon_url(guild, None).unwrap().as_string().unwrap(),
        format!("{CDN}/icons/1160000000000000001/a_abc123.gif")
    );
    assert!(
        guild_icon_url(js(r#"{"id":"1","icon":null}"#), None)
            .unwrap()
            .is_null()
    );
}

#[wasm_bindgen_test]
fn snowflake_timestamps() {
    // Discord's documented example.
    assert_eq!(
        snowflake_timestamp("175928847299117063").unwrap(),
        1_462_015_105_796.0
    );
    assert_eq!(
        code(&snowflake_timestamp("12a").unwrap_err()),
        "config_error"
    );
}

#[wasm_bindgen_test]
fn permissions_with_administrator_and_beyond_2_pow_53() {
    assert!(has_permission("32", "MANAGE_GUILD").unwrap());
    assert!(!has_permission("16", "MANAGE_GUILD").unwrap());
    assert!(has_permission("8", "MANAGE_GUILD").unwrap());
    // Bit 53 and above survive (strings, not JS numbers).
    let big = ((1u64 << 53) | (1 << 5)).to_string();
    assert!(has_permission(&big, "MANAGE_GUILD").unwrap());
    assert!(!has_permission(&(1u64 << 53).to_string(), "MANAGE_GUILD").unwrap());
    assert_eq!(
        code(&has_permission("8", "FLY").unwrap_err()),
        "config_error"
    );
    assert_eq!(
        code(&has_permission("x", "MANAGE_GUILD").unwrap_err()),
        "config_error"
    );
}

#[wasm_bindgen_test]
fn user_flag_names() {
    let names = |flags: f64| -> Vec<String> {
        user_flags(flags)
            .unwrap()
            .iter()
            .map(|v| v.as_string().unwrap())
            .collect()
    };
    assert_eq!(
        names(4_194_368.0),
        vec!["HYPESQUAD_ONLINE_HOUSE_1", "ACTIVE_DEVELOPER"]
    );
    assert!(names(0.0).is_empty());
    assert_eq!(code(&user_flags(-1.0).unwrap_err()), "config_error");
}
