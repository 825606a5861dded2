//! Every failure reaches JavaScript as an `Error` named `"DiscordOAuthError"` carrying the
//! stable `code` of the core's [`Error`] and, where known, `status`, `retryAfter`, `global`,
//! `discordCode` and `description`.

use crate::discord::Error;
use wasm_bindgen::JsValue;

fn set(target: &JsValue, key: &str, value: &JsValue) {
    // Setting a property on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(target, &JsValue::from_str(key), value);
}

/// The JS `Error` for a core error.
pub fn to_js(e: &Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    err.set_name("DiscordOAuthError");
    let v: JsValue = err.into();
    set(&v, "code", &JsValue::from_str(e.code().as_str()));
    if let Some(s) = e.status() {
        set(&v, "status", &JsValue::from(s));
    }
    if let Some(r) = e.retry_after() {
        set(&v, "retryAfter", &JsValue::from(r));
    }
    if let Some(g) = e.global() {
        set(&v, "global", &JsValue::from(g));
    }
    if let Some(c) = e.discord_code() {
        set(&v, "discordCode", &JsValue::from(c as f64));
    }
    if let Some(d) = e.description() {
        set(&v, "description", &JsValue::from_str(d));
    }
    v
}

/// The message of a thrown JS value (an `Error`'s `message`, or its string form).
pub fn js_message(e: &JsValue) -> String {
    use wasm_bindgen::JsCast;
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        return err.message().into();
    }
    e.as_string()
        .unwrap_or_else(|| String::from("unknown error"))
}

/// A `config_error`.
pub fn config(msg: impl Into<String>) -> Error {
    Error::Config(msg.into())
}

/// Result type of the browser layer's internals.
pub type Result<T> = std::result::Result<T, Error>;

/// Converts an internal result into what an exported function returns.
pub fn throw<T>(r: Result<T>) -> std::result::Result<T, JsValue> {
    r.map_err(|e| to_js(&e))
}
