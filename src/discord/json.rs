//! The one seam through which the core reads and writes JSON.
//!
//! The browser build parses with the JS built-in `JSON` and serde-wasm-bindgen (no
//! `serde_json` in the browser wasm); the Worker and native code use `serde_json`.
//! Every parser in the core is generic over a [`JsonCodec`].

use serde::{Serialize, de::DeserializeOwned};

/// Why a JSON document could not be read or written.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct JsonError(pub String);

/// A JSON implementation: decode a document into a typed value, encode a value.
pub trait JsonCodec {
    /// Parses `raw` as JSON into `T`.
    fn decode<T: DeserializeOwned>(raw: &str) -> Result<T, JsonError>;
    /// Writes `value` as a JSON document.
    fn encode<T: Serialize + ?Sized>(value: &T) -> Result<String, JsonError>;
}

/// [`JsonCodec`] over `serde_json`: for the Worker, the emulator and native tests.
#[cfg(any(test, feature = "serde_json"))]
#[derive(Clone, Copy, Debug, Default)]
pub struct SerdeJson;

#[cfg(any(test, feature = "serde_json"))]
impl JsonCodec for SerdeJson {
    fn decode<T: DeserializeOwned>(raw: &str) -> Result<T, JsonError> {
        serde_json::from_str(raw).map_err(|e| JsonError(e.to_string()))
    }

    fn encode<T: Serialize + ?Sized>(value: &T) -> Result<String, JsonError> {
        serde_json::to_string(value).map_err(|e| JsonError(e.to_string()))
    }
}
