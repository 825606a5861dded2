//! `POST /auth/events`: Discord's Webhook Events endpoint (docs/contract.md §10).
//!
//! Order: read the whole body (bounded; workerd resets the connection on an unread body), check
//! the public key is configured (500 `config_error` naming `DISCORD_PUBLIC_KEY`, on this route
//! only), check the signature headers and the 5-minute window, verify the Ed25519 signature
//! with the runtime's WebCrypto, and only then parse and act. Every refusal before that point
//! is 401 `invalid_signature` and does nothing. Discord wants a 204 within 3 seconds
//! (<https://discord.com/developers/docs/events/webhook-events#responding-to-events>): the work
//! after the check is at most one KV read and a few KV deletes.
//!
//! Why WebCrypto and not a Rust Ed25519 crate: measured in README.md's events section (the
//! crate added to the Worker's wasm and was slower per verification than workerd's native
//! Ed25519). The imported key is kept per isolate.

use super::auth::{Ctx, now_ms, read_body};
use super::events::{
    MAX_EVENTS_BODY, PublicKey, SignatureError, SignedHeaders, WebhookEvent, parse_event,
};
use super::respond::{self, ApiError};
use super::subtle::{import_key, subtle_verify};
use super::user_index::UserIndex;
use js_sys::{Array, Object, Reflect, Uint8Array};
use std::cell::RefCell;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use worker::{Headers, Request, Response};

thread_local! {
    /// The imported public key and the bytes it was imported from: one import per isolate.
    static KEY: RefCell<Option<([u8; 32], JsValue)>> = const { RefCell::new(None) };
}

/// `{ name: "Ed25519" }`.
fn ed25519() -> Object {
    let alg = Object::new();
    let _ = Reflect::set(&alg, &"name".into(), &"Ed25519".into());
    alg
}

/// The WebCrypto `CryptoKey` of `key`, imported once per isolate.
async fn crypto_key(key: &PublicKey) -> Result<JsValue, ApiError> {
    let cached = KEY.with(|k| {
        k.try_borrow().ok().and_then(|slot| {
            slot.as_ref()
                .filter(|(raw, _)| raw == &key.0)
                .map(|(_, c)| c.clone())
        })
    });
    if let Some(c) = cached {
        return Ok(c);
    }
    let failed = || {
        ApiError::new(
            500,
            "config_error",
            "DISCORD_PUBLIC_KEY is not an Ed25519 public key this runtime accepts",
        )
    };
    let usages = Array::of1(&"verify".into());
    let promise = import_key(
        "raw",
        &Uint8Array::from(&key.0[..]),
        &ed25519(),
        false,
        &usages,
    )
    .map_err(|_| failed())?;
    let imported = JsFuture::from(promise).await.map_err(|_| failed())?;
    KEY.with(|k| {
        if let Ok(mut slot) = k.try_borrow_mut() {
            *slot = Some((key.0, imported.clone()));
        }
    });
    Ok(imported)
}

/// Verifies `signature` over `message` with WebCrypto's Ed25519; `false` on any failure.
async fn verify(key: &JsValue, signature: &[u8; 64], message: &[u8]) -> bool {
    let Ok(promise) = subtle_verify(
        &ed25519(),
        key,
        &Uint8Array::from(&signature[..]),
        &Uint8Array::from(message),
    ) else {
        return false;
    };
    matches!(JsFuture::from(promise).await, Ok(v) if v.as_bool() == Some(true))
}

fn invalid_signature(e: SignatureError) -> ApiError {
    ApiError::new(401, "invalid_signature", e.to_string())
}

/// `POST /auth/events`.
pub async fn events(ctx: &Ctx<'_>, req: &mut Request) -> Result<Response, ApiError> {
    let body = read_body(req, MAX_EVENTS_BODY).await?;
    let key = ctx
        .auth
        .settings
        .public_key
        .as_ref()
        .map_err(|e| ApiError::new(500, "config_error", e.to_string()))?;
    let headers = req.headers();
    let signed = SignedHeaders::parse(
        headers.get("x-signature-ed25519").ok().flatten().as_deref(),
        headers
            .get("x-signature-timestamp")
            .ok()
            .flatten()
            .as_deref(),
        ctx.now / 1000,
    )
    .map_err(invalid_signature)?;
    let Some(body) = body else {
        return Err(ApiError::new(
            413,
            "payload_too_large",
            format!("the body is larger than {MAX_EVENTS_BODY} bytes"),
        ));
    };
    let crypto_key = crypto_key(key).await?;
    if !verify(&crypto_key, &signed.signature, &signed.message(&body)).await {
        return Err(invalid_signature(SignatureError::Mismatch));
    }
    let event =
        parse_event(&body).map_err(|e| ApiError::new(400, "invalid_request", e.to_string()))?;
    match event {
        WebhookEvent::Ping => ctx.trace.event("PING"),
        WebhookEvent::Deauthorized { user_id } => {
            ctx.trace.event("APPLICATION_DEAUTHORIZED");
            let index = UserIndex::new(ctx.auth);
            index.end_all(&user_id, now_ms()).await?;
        }
        WebhookEvent::Other { name } => ctx.trace.event(&name),
    }
    let headers = Headers::new();
    let _ = headers.set("cache-control", "no-store");
    Ok(respond::empty(204, headers))
}
