//! OpenID Connect in the browser client (docs/oidc.md): the nonce, the RFC 9207 `iss` check,
//! the id_token verified with WebCrypto against the emulator's keys (refetched once on an
//! unknown kid), `claims` on the TokenSet, `fetchUserInfo()`, and every bad id_token the
//! emulator can forge refused with `invalid_grant` and nothing stored.

use super::support::*;
use wasm_bindgen_test::*;

const OPENID: &str = r#"{"scopes":["openid","identify","email"]}"#;

/// A fresh client (so an empty key cache) and the redirect of an approved `openid` login.
async fn openid_redirect() -> (discord_oauth_wasm::browser::DiscordOAuthClient, String) {
    let c = client("memory");
    let location = redirect_for(&c, OPENID, "approve").await;
    (c, location)
}

async fn tamper(kind: &str) {
    emu(
        "POST",
        "/_emulator/oidc/tamper",
        Some(&format!(r#"{{"kind":"{kind}"}}"#)),
    )
    .await;
}

#[wasm_bindgen_test]
async fn an_openid_login_verifies_the_id_token_and_returns_its_claims() {
    let c = client("memory");
    let url = await_ok(c.authorize_url(Some(js(OPENID))))
        .await
        .as_string()
        .unwrap();
    let nonce = get_str(&query_object(&url), "nonce").expect("nonce in the authorize URL");
    assert_eq!(nonce.len(), 43);
    let location = consent(&url, "approve").await;
    assert_eq!(
        get_str(&query_object(&location), "iss").as_deref(),
        Some(EMU)
    );
    let before = requests("GET /api/v10/oauth2/keys").await;
    let tokens = handle(&c, &location).await.expect("handleRedirect");
    assert!(get_str(&tokens, "id_token").is_some());
    let claims = get(&tokens, "claims");
    assert_eq!(get_str(&claims, "sub").as_deref(), Some(USER));
    assert_eq!(get_str(&claims, "aud").as_deref(), Some(PUBLIC_APP));
    assert_eq!(get_str(&claims, "iss").as_deref(), Some(EMU));
    assert_eq!(get_str(&claims, "nonce"), Some(nonce));
    assert!(get_str(&claims, "email").is_some());
    assert_eq!(requests("GET /api/v10/oauth2/keys").await, before + 1.0);
    // Stored, with the id_token.
    let stored = c.tokens().unwrap();
    assert!(get_str(&stored, "id_token").is_some());
    // userinfo through the ordinary call path.
    let info = await_ok(c.fetch_user_info()).await;
    assert_eq!(get_str(&info, "sub").as_deref(), Some(USER));
    assert!(get_str(&info, "email").is_some());
}

#[wasm_bindgen_test]
async fn a_login_without_openid_sends_no_nonce_and_has_no_claims() {
    let c = client("memory");
    let url = await_ok(c.authorize_url(Some(js(r#"{"scopes":["identify"]}"#))))
        .await
        .as_string()
        .unwrap();
    assert!(get_str(&query_object(&url), "nonce").is_none());
    let tokens = handle(&c, &consent(&url, "approve").await)
        .await
        .expect("handleRedirect");
    assert!(get(&tokens, "claims").is_undefined());
    assert!(get_str(&tokens, "id_token").is_none());
}

#[wasm_bindgen_test]
async fn a_foreign_iss_is_refused_like_a_state_mismatch() {
    let (c, location) = openid_redirect().await;
    let u = web_sys::Url::new(&location).unwrap();
    u.search_params().set("iss", "https://evil.example");
    let e = handle(&c, &u.href()).await.expect_err("refused");
    assert_eq!(code(&e), "invalid_state");
    assert!(c.tokens().unwrap().is_null());
}

#[wasm_bindgen_test]
async fn tampered_id_tokens_are_refused_and_nothing_is_stored() {
    for kind in [
        "forged",
        "expired",
        "iat_future",
        "wrong_aud",
        "wrong_iss",
        "alg_none",
        "hs256",
        "wrong_nonce",
        "no_nonce",
        "unknown_kid",
    ] {
        tamper(kind).await;
        let (c, location) = openid_redirect().await;
        let before = requests("GET /api/v10/oauth2/keys").await;
        let e = handle(&c, &location).await.expect_err(kind);
        assert_eq!(code(&e), "invalid_grant", "{kind}");
        assert!(
            !get_str(&e, "message").unwrap_or_default().contains("eyJ"),
            "no token in the message"
        );
        assert!(c.tokens().unwrap().is_null(), "{kind}: nothing stored");
        let fetched = requests("GET /api/v10/oauth2/keys").await - before;
        // The empty cache is filled once for the signature check (a fresh fetch is not
        // repeated for an unknown kid); the others are refused on their header or claims
        // before any key is needed.
        let expected = match kind {
            "unknown_kid" | "forged" => 1.0,
            _ => 0.0,
        };
        assert_eq!(fetched, expected, "{kind}");
    }
}

#[wasm_bindgen_test]
async fn an_unknown_kid_with_cached_keys_refetches_once_then_fails() {
    let c = client("memory");
    let first = redirect_for(&c, OPENID, "approve").await;
    handle(&c, &first).await.expect("first login");
    c.set_tokens(wasm_bindgen::JsValue::NULL).unwrap();
    tamper("unknown_kid").await;
    let before = requests("GET /api/v10/oauth2/keys").await;
    let second = redirect_for(&c, OPENID, "approve").await;
    let e = handle(&c, &second).await.expect_err("unknown kid");
    assert_eq!(code(&e), "invalid_grant");
    assert_eq!(requests("GET /api/v10/oauth2/keys").await, before + 1.0);
    assert!(c.tokens().unwrap().is_null());
}

#[wasm_bindgen_test]
async fn a_rotated_key_is_found_by_fetching_the_keys_again_once() {
    // The emulator back to its one published key: a rotation by an earlier run against the
    // same emulator would otherwise already be in the first login's keys.
    emu("POST", "/_emulator/reset", Some("{}")).await;
    let c = client("memory");
    let first = redirect_for(&c, OPENID, "approve").await;
    handle(&c, &first).await.expect("first login");
    let before = requests("GET /api/v10/oauth2/keys").await;
    emu("POST", "/_emulator/oidc/rotate", Some("{}")).await;
    // The same client: its cached keys lack the new kid.
    let second = redirect_for(&c, OPENID, "approve").await;
    let tokens = handle(&c, &second).await.expect("after rotation");
    assert!(!get(&tokens, "claims").is_undefined());
    assert_eq!(requests("GET /api/v10/oauth2/keys").await, before + 1.0);
}

/// The browser's codec reads only the named members of the id_token's JSON parts, by name, with
/// the native codec's rules (the fixture src/discord/oidc_tests.rs runs natively): `null` is
/// present, an absent member (or one inherited from `Object.prototype`, like `constructor`) is
/// `None`, and an array or non-JSON is refused; the same for each object of the JWKS' `keys`
/// array (`decode_list_members`), elements that are not objects left out.
#[wasm_bindgen_test]
fn the_id_token_members_are_read_by_name_in_the_browser() {
    check_members_fixture::<discord_oauth_wasm::browser::json::JsJson>();
}

use discord_oauth_wasm::discord::json::{JsonCodec, JsonValue};
include!("../../src/discord/json_members_check.rs");
