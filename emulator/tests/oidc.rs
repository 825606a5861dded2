//! OpenID Connect: the id_token of an `openid` grant (RS256 over the published key), the JWKS,
//! userinfo, the discovery document, `iss` on authorization responses, key rotation and the
//! scripted bad tokens.

mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier;
use rsa::{BigUint, RsaPublicKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

fn part(token: &str, i: usize) -> Value {
    let p = token.split('.').nth(i).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap()
}

/// Whether `token`'s RS256 signature verifies under one of `jwks`'s keys with its `kid`.
fn verifies(token: &str, jwks: &Value) -> bool {
    let kid = part(token, 0)["kid"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let Some(k) = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid.as_str())
    else {
        return false;
    };
    let b =
        |f: &str| BigUint::from_bytes_be(&URL_SAFE_NO_PAD.decode(k[f].as_str().unwrap()).unwrap());
    let key = VerifyingKey::<Sha256>::new(RsaPublicKey::new(b("n"), b("e")).unwrap());
    let (input, sig) = token.rsplit_once('.').unwrap();
    let Ok(sig) = Signature::try_from(URL_SAFE_NO_PAD.decode(sig).unwrap().as_slice()) else {
        return false;
    };
    key.verify(input.as_bytes(), &sig).is_ok()
}

async fn jwks(emu: &Emu, path: &str) -> Value {
    let resp = emu.http.get(emu.url(path)).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

async fn openid_login(emu: &Emu, scope: &str, nonce: Option<&str>) -> Value {
    let mut params = json!({
        "client_id": CONFIDENTIAL_APP, "redirect_uri": REDIRECT, "response_type": "code",
        "scope": scope, "state": "s", "user_id": NELLY
    });
    if let Some(n) = nonce {
        params["nonce"] = json!(n);
    }
    let loc = emu.authorize(params).await;
    let code = url_param(&loc, "code").unwrap();
    emu.exchange(&code).await
}

#[tokio::test]
async fn openid_grants_carry_a_signed_id_token_with_discords_claims() {
    let emu = start().await;
    let body = openid_login(&emu, "openid identify email", Some("n-0S6_WzA2Mj")).await;
    let token = body["id_token"].as_str().expect("id_token");
    let header = part(token, 0);
    assert_eq!(header["alg"], "RS256");
    let claims = part(token, 1);
    assert_eq!(claims["iss"], emu.base.as_str());
    assert_eq!(claims["aud"], CONFIDENTIAL_APP);
    assert_eq!(claims["sub"], NELLY);
    assert_eq!(claims["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(claims["email"], "nelly@discord.com");
    assert_eq!(claims["email_verified"], true);
    let (iat, exp) = (
        claims["iat"].as_u64().unwrap(),
        claims["exp"].as_u64().unwrap(),
    );
    assert!(exp > iat && claims["auth_time"].as_u64().unwrap() <= iat + 1);
    let digest = Sha256::digest(body["access_token"].as_str().unwrap().as_bytes());
    assert_eq!(claims["at_hash"], URL_SAFE_NO_PAD.encode(&digest[..16]));
    // Signed by the published key, under both API paths.
    let keys = jwks(&emu, "/api/oauth2/keys").await;
    assert_eq!(keys, jwks(&emu, "/api/v10/oauth2/keys").await);
    assert_eq!(keys["keys"].as_array().unwrap().len(), 1);
    assert_eq!(keys["keys"][0]["kty"], "RSA");
    assert_eq!(keys["keys"][0]["alg"], "RS256");
    assert!(keys["keys"][0].get("d").is_none(), "no private part");
    assert!(verifies(token, &keys));
    // Tampered claims no longer verify.
    let forged_claims = URL_SAFE_NO_PAD
        .encode(serde_json::to_vec(&json!({"sub": "1", "aud": CONFIDENTIAL_APP})).unwrap());
    let parts: Vec<&str> = token.split('.').collect();
    let forged = format!("{}.{forged_claims}.{}", parts[0], parts[2]);
    assert!(!verifies(&forged, &keys));
}

#[tokio::test]
async fn no_openid_no_id_token_and_no_nonce_no_claim() {
    let emu = start().await;
    let body = emu.login("identify", NELLY).await;
    assert!(body.get("id_token").is_none());
    let body = openid_login(&emu, "openid identify", None).await;
    let claims = part(body["id_token"].as_str().unwrap(), 1);
    assert!(claims.get("nonce").is_none());
    assert!(claims.get("email").is_none(), "no email without the scope");
}

#[tokio::test]
async fn userinfo_answers_with_sub_and_profile_claims() {
    let emu = start().await;
    let body = openid_login(&emu, "openid identify email", None).await;
    let token = body["access_token"].as_str().unwrap();
    for path in ["/api/oauth2/userinfo", "/api/v10/oauth2/userinfo"] {
        let (status, info) = status_json(emu.bearer_get(path, token).await).await;
        assert_eq!(status, 200);
        assert_eq!(info["sub"], NELLY);
        assert_eq!(info["preferred_username"], "Nelly");
        assert_eq!(info["email"], "nelly@discord.com");
    }
    let (status, _) = status_json(emu.bearer_get("/api/oauth2/userinfo", "nope").await).await;
    assert_eq!(status, 401);
    let plain = emu.access("identify").await;
    let (status, _) = status_json(emu.bearer_get("/api/oauth2/userinfo", &plain).await).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn discovery_names_the_emulator_as_issuer() {
    let emu = start().await;
    let resp = emu
        .http
        .get(emu.url("/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap();
    let (status, doc) = status_json(resp).await;
    assert_eq!(status, 200);
    assert_eq!(doc["issuer"], emu.base.as_str());
    assert_eq!(doc["jwks_uri"], format!("{}/api/oauth2/keys", emu.base));
    assert_eq!(
        doc["userinfo_endpoint"],
        format!("{}/api/oauth2/userinfo", emu.base)
    );
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        json!(["RS256"])
    );
    assert_eq!(doc["authorization_response_iss_parameter_supported"], true);
}

#[tokio::test]
async fn every_query_authorization_response_carries_iss() {
    let emu = start().await;
    let ok = emu
        .authorize(json!({
            "client_id": CONFIDENTIAL_APP, "redirect_uri": REDIRECT, "response_type": "code",
            "scope": "identify", "state": "s"
        }))
        .await;
    assert_eq!(url_param(&ok, "iss").as_deref(), Some(emu.base.as_str()));
    let denied = emu
        .authorize(json!({
            "client_id": CONFIDENTIAL_APP, "redirect_uri": REDIRECT, "response_type": "code",
            "scope": "identify", "state": "s", "action": "cancel"
        }))
        .await;
    assert_eq!(
        url_param(&denied, "error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(
        url_param(&denied, "iss").as_deref(),
        Some(emu.base.as_str())
    );
    let bad_scope = emu
        .authorize(json!({
            "client_id": CONFIDENTIAL_APP, "redirect_uri": REDIRECT, "response_type": "code",
            "scope": "nonsense", "state": "s"
        }))
        .await;
    assert_eq!(
        url_param(&bad_scope, "error").as_deref(),
        Some("invalid_scope")
    );
    assert_eq!(
        url_param(&bad_scope, "iss").as_deref(),
        Some(emu.base.as_str())
    );
    // The browser's GET too (an error redirect straight away).
    let resp = emu
        .http
        .get(emu.url(&format!(
            "/oauth2/authorize?client_id={CONFIDENTIAL_APP}&response_type=code&scope=nonsense&state=x&redirect_uri={}",
            form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>()
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 302);
    let loc = resp.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(url_param(&loc, "iss").as_deref(), Some(emu.base.as_str()));
    // Not on the implicit grant's fragment (RFC 9207 covers query responses).
    let implicit = emu
        .authorize(json!({
            "client_id": CONFIDENTIAL_APP, "redirect_uri": REDIRECT, "response_type": "token",
            "scope": "identify", "state": "s"
        }))
        .await;
    assert!(url_param(&implicit, "access_token").is_some());
    assert!(url_param(&implicit, "iss").is_none());
}

#[tokio::test]
async fn rotation_publishes_the_next_key_and_signs_with_it() {
    let emu = start().await;
    let before = jwks(&emu, "/api/oauth2/keys").await;
    let old = openid_login(&emu, "openid", None).await["id_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = emu.control("/_emulator/oidc/rotate", json!({})).await;
    let after = jwks(&emu, "/api/oauth2/keys").await;
    assert_eq!(after["keys"].as_array().unwrap().len(), 2);
    let new = openid_login(&emu, "openid", None).await["id_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(part(&new, 0)["kid"], r["kid"]);
    assert_ne!(part(&new, 0)["kid"], part(&old, 0)["kid"]);
    assert!(!verifies(&new, &before), "a cached JWKS lacks the new kid");
    assert!(verifies(&new, &after) && verifies(&old, &after));
}

#[tokio::test]
async fn tampered_tokens_are_served_once_each() {
    let emu = start().await;
    let keys = jwks(&emu, "/api/oauth2/keys").await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    for kind in [
        "forged",
        "unknown_kid",
        "expired",
        "iat_future",
        "wrong_aud",
        "wrong_iss",
        "alg_none",
        "hs256",
        "wrong_nonce",
        "no_nonce",
        "bad_at_hash",
    ] {
        emu.control("/_emulator/oidc/tamper", json!({ "kind": kind }))
            .await;
        let body = openid_login(&emu, "openid", Some("nonce-1")).await;
        let t = body["id_token"].as_str().unwrap();
        let (h, c) = (part(t, 0), part(t, 1));
        match kind {
            "forged" => {
                assert_eq!(h["kid"], keys["keys"][0]["kid"]);
                assert!(!verifies(t, &keys));
            }
            "unknown_kid" => assert_ne!(h["kid"], keys["keys"][0]["kid"]),
            "expired" => assert!(c["exp"].as_u64().unwrap() < now),
            "iat_future" => assert!(c["iat"].as_u64().unwrap() > now + 600),
            "wrong_aud" => assert_ne!(c["aud"], CONFIDENTIAL_APP),
            "wrong_iss" => assert_ne!(c["iss"], emu.base.as_str()),
            "alg_none" => {
                assert_eq!(h["alg"], "none");
                assert!(t.ends_with('.'));
            }
            "hs256" => assert_eq!(h["alg"], "HS256"),
            "wrong_nonce" => assert_ne!(c["nonce"], "nonce-1"),
            "no_nonce" => assert!(c.get("nonce").is_none()),
            _ => assert_ne!(
                c["at_hash"],
                URL_SAFE_NO_PAD.encode(
                    &Sha256::digest(body["access_token"].as_str().unwrap().as_bytes())[..16]
                )
            ),
        }
        // The next one is good again.
        let good = openid_login(&emu, "openid", Some("nonce-1")).await;
        let g = good["id_token"].as_str().unwrap();
        assert!(verifies(g, &keys), "{kind}");
        assert_eq!(part(g, 1)["nonce"], "nonce-1");
    }
    let resp = emu
        .http
        .post(emu.url("/_emulator/oidc/tamper"))
        .json(&json!({"kind": "nonsense"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
}
