//! [`JsonCodec`] over the JS built-in `JSON` and serde-wasm-bindgen: the browser wasm carries
//! no JSON parser of its own.

use crate::discord::json::{JsonCodec, JsonError};
use serde::{Serialize, de::DeserializeOwned};
use wasm_bindgen::JsValue;

use super::error::js_message;

/// The browser's JSON: `JSON.parse` then `serde_wasm_bindgen::from_value`; encoding through
/// `to_value` (JSON-compatible: plain objects, numbers) then `JSON.stringify`.
#[derive(Clone, Copy, Debug, Default)]
pub struct JsJson;

impl JsonCodec for JsJson {
    fn decode<T: DeserializeOwned>(raw: &str) -> Result<T, JsonError> {
        let value = js_sys::JSON::parse(raw).map_err(|e| JsonError(js_message(&e)))?;
        serde_wasm_bindgen::from_value(value).map_err(|e| JsonError(e.to_string()))
    }

    fn encode<T: Serialize + ?Sized>(value: &T) -> Result<String, JsonError> {
        let v = to_js_value(value)?;
        js_sys::JSON::stringify(&v)
            .map(String::from)
            .map_err(|e| JsonError(js_message(&e)))
    }
}

/// A Rust value as a plain JS value (objects, not `Map`s; `None` fields omitted by serde).
pub fn to_js_value<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsonError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsonError(e.to_string()))
}

/// Parses a JSON document into a JS value (`JSON.parse`); `null` for an empty body.
pub fn parse(raw: &str) -> Result<JsValue, JsonError> {
    if raw.is_empty() {
        return Ok(JsValue::NULL);
    }
    js_sys::JSON::parse(raw).map_err(|e| JsonError(js_message(&e)))
}
