//! The browser's id_token check (docs/oidc.md, docs/browser.md "Crossing rules"): the core
//! parses the token, checks its claims and picks the key; the shell (`shell.js`,
//! `verifyIdToken`) fetches the JWKS and runs WebCrypto between the steps, which have the
//! `{action, …}` shape of the other drivers (`core.rs`).

use std::rc::Rc;

use crate::discord::Error;
use crate::discord::oidc::{self, Expected, IdToken, IdTokenError, Jwks, KeyChoice, Nonce};
use wasm_bindgen::prelude::*;

use super::core::{JsResult, Options, now_ms, put, step};
use super::error::{Result, to_js};
use super::json::{request_to_js, response_from_js};
use super::names;

/// The check of one id_token (docs/oidc.md), driven by the shell: the core parses it, checks
/// its claims and picks the key; the shell fetches the keys and runs WebCrypto.
#[wasm_bindgen(skip_typescript)]
pub struct IdTokenDriver {
    o: Rc<Options>,
    /// The id_token's UTF-8 bytes (anything else is refused as malformed at `start`).
    raw: Option<Vec<u8>>,
    nonce: Option<Nonce>,
    token: Option<IdToken>,
    refetched: bool,
}

impl IdTokenDriver {
    /// A check of `raw` (the id_token's UTF-8 bytes, absent: `None`) against the login's
    /// `nonce`, with the client's options and key cache.
    pub(super) fn new(o: Rc<Options>, raw: Option<Vec<u8>>, nonce: Option<Nonce>) -> Self {
        IdTokenDriver {
            o,
            raw,
            nonce,
            token: None,
            refetched: false,
        }
    }
}

#[wasm_bindgen]
impl IdTokenDriver {
    /// Parses the id_token and checks its claims; then `fetch` or `verify` (or `done` with
    /// `claims: null` when there is no id_token and no nonce was sent).
    pub fn start(&mut self) -> JsResult<JsValue> {
        self.begin().map_err(|e| to_js(&e))
    }

    /// The JWKS answer of the `fetch` step.
    #[wasm_bindgen(js_name = onJwks)]
    pub fn on_jwks(&mut self, response: JsValue) -> JsResult<JsValue> {
        let set = oidc::process_jwks_response::<super::json::JsJson>(
            &response_from_js(&response),
            now_ms(),
        )
        .map_err(|e| to_js(&e))?;
        if let (Ok(mut j), Ok(mut objects)) = (
            self.o.jwks.try_borrow_mut(),
            self.o.jwk_objects.try_borrow_mut(),
        ) {
            *objects = vec![None; set.keys.len()];
            *j = set;
        }
        self.refetched = true;
        self.select().map_err(|e| to_js(&e))
    }

    /// The WebCrypto result of the `verify` step.
    #[wasm_bindgen(js_name = onVerified)]
    pub fn on_verified(&mut self, ok: bool) -> JsResult<JsValue> {
        match (&self.token, ok) {
            // The claims go back as the token's own JSON text: one `JSON.parse` in the shell
            // instead of an object built member by member across the boundary.
            (Some(t), true) => Ok(step(
                &names::DONE,
                Some((&names::CLAIMS, &JsValue::from_str(t.claims_json()))),
            )),
            _ => Err(to_js(&Error::IdToken(IdTokenError::Signature))),
        }
    }
}

impl IdTokenDriver {
    fn begin(&mut self) -> Result<JsValue> {
        let Some(raw) = &self.raw else {
            return match self.nonce {
                Some(_) => Err(Error::IdToken(IdTokenError::Absent)),
                None => Ok(step(&names::DONE, Some((&names::CLAIMS, &JsValue::NULL)))),
            };
        };
        let raw = std::str::from_utf8(raw).map_err(|_| IdTokenError::Malformed("not UTF-8"))?;
        let token = IdToken::parse::<super::json::JsJson>(raw)?;
        token.check_claims(&Expected {
            issuer: &self.o.issuer,
            client_id: &self.o.client_id,
            nonce: self.nonce.as_ref(),
            now_ms: now_ms(),
        })?;
        self.token = Some(token);
        let stale = self
            .o
            .jwks
            .try_borrow()
            .map_or(true, |j| j.is_stale(now_ms()));
        if stale {
            return Ok(self.fetch());
        }
        self.select()
    }

    fn fetch(&self) -> JsValue {
        let req = oidc::jwks_request(&self.o.api);
        step(&names::FETCH, Some((&names::REQUEST, &request_to_js(&req))))
    }

    fn select(&self) -> Result<JsValue> {
        let token = self
            .token
            .as_ref()
            .ok_or(Error::IdToken(IdTokenError::Signature))?;
        let empty = Jwks::default();
        let cached = self.o.jwks.try_borrow().ok();
        let jwks = cached.as_deref().unwrap_or(&empty);
        match jwks.select(token, self.refetched)? {
            KeyChoice::Refetch => Ok(self.fetch()),
            KeyChoice::Use(jwk) => {
                let at = jwks.keys.iter().position(|k| std::ptr::eq(k, jwk));
                let mut objects = self.o.jwk_objects.try_borrow_mut().ok();
                let slot = at
                    .zip(objects.as_deref_mut())
                    .and_then(|(i, o)| o.get_mut(i));
                let key = match slot {
                    Some(slot) => slot.get_or_insert_with(|| jwk_object(jwk)).clone(),
                    None => jwk_object(jwk),
                };
                let out = step(&names::VERIFY, Some((&names::KEY, &key)));
                let data = js_sys::Uint8Array::from(token.signing_input().as_bytes());
                put(&out, &names::DATA, &data);
                let sig = js_sys::Uint8Array::from(token.signature());
                put(&out, &names::SIGNATURE, &sig);
                Ok(out)
            }
        }
    }
}

/// A public key as the JWK object WebCrypto's `importKey("jwk", …)` takes.
fn jwk_object(jwk: &oidc::Jwk) -> JsValue {
    // The key type and algorithm are the only ones `Jwk::allows_rs256` lets through.
    let key: JsValue = js_sys::Object::new().into();
    put(&key, &names::KTY, &names::js(&names::RSA));
    put(&key, &names::N, &JsValue::from_str(&jwk.n));
    put(&key, &names::E, &JsValue::from_str(&jwk.e));
    put(&key, &names::ALG, &names::js(&names::RS256));
    key
}
