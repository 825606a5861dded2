//! Verifying Discord's OpenID Connect id_token at `/auth/callback` (docs/oidc.md).
//!
//! The core decides ([`crate::discord::oidc`]: the algorithm, the claims, which key, when to
//! fetch the keys again); this module runs the I/O: the JWKS fetch through the Worker's
//! transport (cached per isolate, fetched again once on an unknown `kid`), and the RS256
//! signature check on the runtime's WebCrypto (`RSASSA-PKCS1-v1_5` with SHA-256), with each
//! imported key kept per isolate. Why WebCrypto and not an RSA crate: no RSA code in the
//! Worker's wasm, and workerd verifies natively (as for the Ed25519 of `routes_events`).

use super::auth::Ctx;
use super::calls;
use super::respond::ApiError;
use super::subtle::{import_jwk, subtle_verify};
use crate::discord::error::Error;
use crate::discord::json::SerdeJson;
use crate::discord::oidc::{self, Expected, IdToken, IdTokenError, Jwk, Jwks, KeyChoice, Nonce};
use crate::discord::secret::AccessToken;
use js_sys::{Array, Object, Reflect, Uint8Array};
use std::cell::RefCell;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

thread_local! {
    /// Discord's signing keys as last fetched: one fetch per isolate (and per unknown `kid`).
    static JWKS: RefCell<Jwks> = RefCell::new(Jwks::default());
    /// Imported WebCrypto keys by `kid` and modulus.
    static IMPORTED: RefCell<Vec<(Jwk, JsValue)>> = const { RefCell::new(Vec::new()) };
}

fn set(o: &Object, k: &str, v: &JsValue) {
    let _ = Reflect::set(o, &JsValue::from_str(k), v);
}

/// `{ name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }`.
fn rs256() -> Object {
    let alg = Object::new();
    set(&alg, "name", &"RSASSA-PKCS1-v1_5".into());
    set(&alg, "hash", &"SHA-256".into());
    alg
}

fn refused(e: IdTokenError) -> ApiError {
    calls::for_callback(calls::api_error(&Error::IdToken(e)))
}

/// The WebCrypto key of `jwk`, imported once per isolate.
async fn crypto_key(jwk: &Jwk) -> Result<JsValue, IdTokenError> {
    let cached = IMPORTED.with(|c| {
        c.try_borrow()
            .ok()
            .and_then(|v| v.iter().find(|(k, _)| k == jwk).map(|(_, key)| key.clone()))
    });
    if let Some(k) = cached {
        return Ok(k);
    }
    let o = Object::new();
    set(&o, "kty", &"RSA".into());
    set(&o, "n", &jwk.n.as_str().into());
    set(&o, "e", &jwk.e.as_str().into());
    set(&o, "alg", &oidc::ALGORITHM.into());
    set(&o, "ext", &JsValue::TRUE);
    let usages = Array::of1(&"verify".into());
    let promise =
        import_jwk("jwk", &o, &rs256(), false, &usages).map_err(|_| IdTokenError::KeyNotAllowed)?;
    let key = JsFuture::from(promise)
        .await
        .map_err(|_| IdTokenError::KeyNotAllowed)?;
    IMPORTED.with(|c| {
        if let Ok(mut v) = c.try_borrow_mut() {
            // A handful of keys at most: Discord publishes the current and the next.
            if v.len() >= 8 {
                v.remove(0);
            }
            v.push((jwk.clone(), key.clone()));
        }
    });
    Ok(key)
}

/// Checks the RS256 signature of `token` with `jwk` on WebCrypto.
async fn signature_ok(token: &IdToken, jwk: &Jwk) -> Result<(), IdTokenError> {
    let key = crypto_key(jwk).await?;
    let promise = subtle_verify(
        &rs256(),
        &key,
        &Uint8Array::from(token.signature()),
        &Uint8Array::from(token.signing_input().as_bytes()),
    )
    .map_err(|_| IdTokenError::Signature)?;
    match JsFuture::from(promise).await {
        Ok(v) if v.as_bool() == Some(true) => Ok(()),
        _ => Err(IdTokenError::Signature),
    }
}

/// Fetches Discord's keys and keeps them for the isolate. A failure (Discord down, a 5xx, a
/// malformed answer) is the callback's error: nothing is stored.
async fn fetch_jwks(ctx: &Ctx<'_>) -> Result<Jwks, ApiError> {
    let settings = &ctx.auth.settings;
    let req = oidc::jwks_request(&settings.api);
    let resp = calls::send_for_callback(ctx, &req, None).await?;
    let jwks = oidc::process_jwks_response::<SerdeJson>(&resp, ctx.now)
        .map_err(|e| calls::for_callback(calls::api_error(&e)))?;
    JWKS.with(|c| {
        if let Ok(mut slot) = c.try_borrow_mut() {
            *slot = jwks.clone();
        }
    });
    Ok(jwks)
}

/// Verifies the id_token of a fresh grant: algorithm (RS256 only), claims (`iss` = the
/// expected issuer, `aud` = the client id, `exp` / `iat` with 60 s leeway, the `nonce` kept
/// in the state cookie, `at_hash`), then the signature with the key named by `kid` (the keys
/// fetched again once when the `kid` is unknown). Any refusal is 400 `invalid_grant`.
pub async fn verify(
    ctx: &Ctx<'_>,
    raw: &str,
    nonce: Option<&str>,
    access_token: &AccessToken,
) -> Result<(), ApiError> {
    let settings = &ctx.auth.settings;
    let token = IdToken::parse::<SerdeJson>(raw).map_err(refused)?;
    let nonce = nonce.map(Nonce::from_string);
    token
        .check_claims(&Expected {
            issuer: &settings.issuer,
            client_id: &settings.client_id,
            nonce: nonce.as_ref(),
            now_ms: ctx.now,
        })
        .map_err(refused)?;
    token.check_at_hash(access_token).map_err(refused)?;
    let mut jwks = JWKS.with(|c| c.try_borrow().map(|j| j.clone()).unwrap_or_default());
    let mut refetched = false;
    if jwks.is_stale(ctx.now) {
        jwks = fetch_jwks(ctx).await?;
        refetched = true;
    }
    loop {
        match jwks.select(&token, refetched).map_err(refused)? {
            KeyChoice::Use(jwk) => return signature_ok(&token, jwk).await.map_err(refused),
            KeyChoice::Refetch => {
                jwks = fetch_jwks(ctx).await?;
                refetched = true;
            }
        }
    }
}
