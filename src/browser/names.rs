//! Property names and action names of the shell's steps as JS strings made once.
//!
//! `JsValue::from_str` decodes the Rust string through `TextDecoder` at every call, about
//! 0.7 µs in Chromium, and a step object names three or four of them; a `static_string` is
//! made once by wasm-bindgen's glue and then only referenced (docs/browser.md, "Crossing
//! rules of the browser build"). Names that are not on a per-call path stay plain `&str`.

use js_sys::JsString;
use wasm_bindgen::prelude::*;

/// One of the names below.
pub type Name = &'static wasm_bindgen::JsThreadLocal<JsString>;

/// The name as a `JsValue` (a new reference to the one string).
pub fn js(name: Name) -> JsValue {
    name.with(|s| s.clone().into())
}

// rustfmt would drop the initializers, which are not Rust syntax in an `extern` block.
#[rustfmt::skip]
#[wasm_bindgen]
extern "C" {
    // Step objects: `{action, <field>}`.
    #[wasm_bindgen(thread_local_v2, static_string)]
    pub static ACTION: JsString = "action";
    #[wasm_bindgen(thread_local_v2, static_string)]
    pub static SEND: JsString = "send";
    #[wasm_bindgen(thread_local_v2, static_string)]
    pub static REFRESH: JsString = "refresh";
    #[wasm_bindgen(thread_local_v2, static_string)]
    pub static FORGET: JsString = "forget";
    #[wasm_bindgen(thread_local_v2, static_string)]
    pub static DONE: JsString = "done";
    #[wasm_bindgen(thread_local_v2, static_string)]
    pub static FETCH: JsString = "fetch";
    #[wasm_bindgen(thread_local_v2, static_string)]
    pub static VERIFY: JsString = "verify";
    #[wasm_bindgen(thread_local_v2, static_string)]
    pub static PERSIST: JsString = "persist";
    #[wasm_bindgen(thread_local_v2, static_string)]
    pub static REREAD: JsString = "reread";
    #[wasm_bindgen(thread_local_v2, static_string)]
    pub static SETTLED: JsString = "settled";
    // The steps' fields.
    #[wasm_bindgen(thread_local_v2, static_string)]
    pub static REQUEST: JsString = "request";
    #[wasm_bindgen(thread_local_v2, static_string)]
    pub static VALUE: JsString = "value";
    #[wasm_bindgen(thread_local_v2, static_string)]
    pub static TOKENS: JsString = "tokens";
    #[wasm_bindgen(thread_local_v2, static_string)]
    pub static OUTCOME: JsString = "outcome";
    #[wasm_bindgen(thread_local_v2, static_string)]
    pub static CLAIMS: JsString = "claims";
    #[wasm_bindgen(thread_local_v2, static_string)]
    pub static KEY: JsString = "key";
    #[wasm_bindgen(thread_local_v2, static_string)]
    pub static DATA: JsString = "data";
    #[wasm_bindgen(thread_local_v2, static_string)]
    pub static SIGNATURE: JsString = "signature";
    // The shell's answers: `{status, headers, body}`.
    #[wasm_bindgen(thread_local_v2, static_string)]
    pub static STATUS: JsString = "status";
    #[wasm_bindgen(thread_local_v2, static_string)]
    pub static HEADERS: JsString = "headers";
    #[wasm_bindgen(thread_local_v2, static_string)]
    pub static BODY: JsString = "body";
    // The JWK object WebCrypto imports: `{kty: "RSA", n, e, alg: "RS256"}`.
    #[wasm_bindgen(thread_local_v2, static_string)]
    pub static KTY: JsString = "kty";
    #[wasm_bindgen(thread_local_v2, static_string)]
    pub static N: JsString = "n";
    #[wasm_bindgen(thread_local_v2, static_string)]
    pub static E: JsString = "e";
    #[wasm_bindgen(thread_local_v2, static_string)]
    pub static ALG: JsString = "alg";
    #[wasm_bindgen(thread_local_v2, static_string)]
    pub static RSA: JsString = "RSA";
    #[wasm_bindgen(thread_local_v2, static_string)]
    pub static RS256: JsString = "RS256";
}
