//! The runtime's WebCrypto (`crypto.subtle`) as the Worker uses it: importing a public key and
//! verifying a signature, natively in workerd. Shared by the Webhook Events check (Ed25519, a
//! raw key: `routes_events`) and Discord's id_token check (RS256, a JWK: `id_token`).

use js_sys::{Array, Object, Promise, Uint8Array};
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
extern "C" {
    /// `crypto.subtle.importKey(format, keyData, algorithm, extractable, usages)` with the key
    /// as bytes (`"raw"`, `"spki"`).
    #[wasm_bindgen(js_namespace = ["crypto", "subtle"], js_name = importKey, catch)]
    pub(crate) fn import_key(
        format: &str,
        key_data: &Uint8Array,
        algorithm: &Object,
        extractable: bool,
        usages: &Array,
    ) -> Result<Promise, JsValue>;

    /// `crypto.subtle.importKey("jwk", jwk, algorithm, extractable, usages)`.
    #[wasm_bindgen(js_namespace = ["crypto", "subtle"], js_name = importKey, catch)]
    pub(crate) fn import_jwk(
        format: &str,
        jwk: &Object,
        algorithm: &Object,
        extractable: bool,
        usages: &Array,
    ) -> Result<Promise, JsValue>;

    /// `crypto.subtle.verify(algorithm, key, signature, data)`.
    #[wasm_bindgen(js_namespace = ["crypto", "subtle"], js_name = verify, catch)]
    pub(crate) fn subtle_verify(
        algorithm: &Object,
        key: &JsValue,
        signature: &Uint8Array,
        data: &Uint8Array,
    ) -> Result<Promise, JsValue>;
}
