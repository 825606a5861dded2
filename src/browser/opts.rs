//! Reading option objects passed from JavaScript, with a `config_error` naming the option
//! when a value has the wrong type.

use super::error::{Result, config};
use wasm_bindgen::{JsCast, JsValue};

/// `obj[key]`, or `undefined` when `obj` is not an object.
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    if !obj.is_object() {
        return JsValue::UNDEFINED;
    }
    js_sys::Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn wrong(key: &str, what: &str) -> crate::discord::Error {
    let mut m = String::from("option `");
    m.push_str(key);
    m.push_str("` must be ");
    m.push_str(what);
    config(m)
}

/// An optional string option (`undefined` and `null` are absent).
pub fn string(obj: &JsValue, key: &str) -> Result<Option<String>> {
    let v = get(obj, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_string()
        .map(Some)
        .ok_or_else(|| wrong(key, "a string"))
}

/// An optional string option that may also be given as a number (ids, permissions).
pub fn string_or_number(obj: &JsValue, key: &str) -> Result<Option<String>> {
    let v = get(obj, key);
    if let Some(n) = v.as_f64() {
        if n.fract() != 0.0 || !(0.0..=9_007_199_254_740_991.0).contains(&n) {
            return Err(wrong(key, "a non-negative integer or a decimal string"));
        }
        let mut s = String::new();
        super::error::push_u64(&mut s, n as u64);
        return Ok(Some(s));
    }
    if let Some(b) = v.dyn_ref::<js_sys::BigInt>() {
        return Ok(b.to_string(10).ok().map(String::from));
    }
    string(obj, key)
}

/// An optional boolean option.
pub fn boolean(obj: &JsValue, key: &str) -> Result<Option<bool>> {
    let v = get(obj, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_bool().map(Some).ok_or_else(|| wrong(key, "a boolean"))
}

/// An optional number option.
pub fn number(obj: &JsValue, key: &str) -> Result<Option<f64>> {
    let v = get(obj, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_f64().map(Some).ok_or_else(|| wrong(key, "a number"))
}

/// An optional array of strings; a single space-separated string is accepted too.
pub fn strings(obj: &JsValue, key: &str) -> Result<Option<Vec<String>>> {
    let v = get(obj, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    if let Some(s) = v.as_string() {
        return Ok(Some(s.split_whitespace().map(str::to_owned).collect()));
    }
    let arr = v
        .dyn_ref::<js_sys::Array>()
        .ok_or_else(|| wrong(key, "an array of strings"))?;
    let mut out = Vec::with_capacity(arr.length() as usize);
    for i in 0..arr.length() {
        let item = arr.get(i);
        out.push(
            item.as_string()
                .ok_or_else(|| wrong(key, "an array of strings"))?,
        );
    }
    Ok(Some(out))
}
