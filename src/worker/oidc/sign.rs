//! RS256 (RSASSA-PKCS1-v1_5 with SHA-256, RFC 7518 §3.3) with the runtime's WebCrypto:
//! `crypto.subtle.importKey("jwk", …)` once per isolate and key, then `crypto.subtle.sign`.
//! No RSA in the wasm: the runtime's native implementation is faster and adds no bytes.
//! <https://developers.cloudflare.com/workers/runtime-apis/web-crypto/>

use super::settings::{KEY_VAR, SigningKey};
use crate::worker::config::ConfigError;
use js_sys::{Array, Function, Object, Reflect, Uint8Array};
use std::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

thread_local! {
    /// The imported private key of this isolate, with the `kid` it was imported for.
    static IMPORTED: RefCell<Option<(String, JsValue)>> = const { RefCell::new(None) };
}

fn unusable() -> ConfigError {
    ConfigError::invalid(
        KEY_VAR,
        format!("{KEY_VAR} could not be imported as an RS256 private key"),
    )
}

fn get(target: &JsValue, name: &str) -> Result<JsValue, ConfigError> {
    Reflect::get(target, &JsValue::from_str(name)).map_err(|_| unusable())
}

/// `crypto.subtle` and one of its methods.
fn method(name: &str) -> Result<(JsValue, Function), ConfigError> {
    let subtle = get(&get(&js_sys::global(), "crypto")?, "subtle")?;
    let f = get(&subtle, name)?
        .dyn_into::<Function>()
        .map_err(|_| unusable())?;
    Ok((subtle, f))
}

fn algorithm() -> Result<JsValue, ConfigError> {
    let alg = Object::new();
    Reflect::set(&alg, &"name".into(), &"RSASSA-PKCS1-v1_5".into()).map_err(|_| unusable())?;
    Reflect::set(&alg, &"hash".into(), &"SHA-256".into()).map_err(|_| unusable())?;
    Ok(alg.into())
}

async fn call(name: &str, args: Array) -> Result<JsValue, ConfigError> {
    let (subtle, f) = method(name)?;
    let promise = f
        .apply(&subtle, &args)
        .map_err(|_| unusable())?
        .dyn_into::<js_sys::Promise>()
        .map_err(|_| unusable())?;
    JsFuture::from(promise).await.map_err(|_| unusable())
}

/// The imported key (from the isolate's cache when it is this key's).
async fn imported(key: &SigningKey) -> Result<JsValue, ConfigError> {
    let cached = IMPORTED.with(|c| {
        c.try_borrow()
            .ok()?
            .as_ref()
            .filter(|(kid, _)| *kid == key.public.kid)
            .map(|(_, k)| k.clone())
    });
    if let Some(k) = cached {
        return Ok(k);
    }
    let jwk = js_sys::JSON::parse(&key.private_jwk).map_err(|_| unusable())?;
    let usages = Array::of1(&"sign".into());
    let args = Array::of5(&"jwk".into(), &jwk, &algorithm()?, &false.into(), &usages);
    let k = call("importKey", args).await?;
    IMPORTED.with(|c| {
        if let Ok(mut slot) = c.try_borrow_mut() {
            *slot = Some((key.public.kid.clone(), k.clone()));
        }
    });
    Ok(k)
}

/// The RS256 signature of `input` with `key`; an error names `OIDC_SIGNING_KEY` (a key that
/// parsed as a JWK but that WebCrypto refuses).
pub async fn rs256(key: &SigningKey, input: &[u8]) -> Result<Vec<u8>, ConfigError> {
    let k = imported(key).await?;
    let data = Uint8Array::from(input);
    let args = Array::of3(&"RSASSA-PKCS1-v1_5".into(), &k, &data);
    let sig = call("sign", args).await?;
    Ok(Uint8Array::new(&sig).to_vec())
}
