//! [`JsonCodec`] over the JS built-in `JSON`: `JSON.parse`, then a small serde `Deserializer`
//! that walks the JS value. The browser wasm carries no JSON parser of its own, and the
//! deserializer's errors carry no text, so no formatting code is linked.
//!
//! Also the conversions between the core's types and plain JS values: requests, responses,
//! TokenSets.

use super::names::{self, Name};
use super::shell;
use crate::discord::http::{HttpRequest, HttpResponse};
use crate::discord::json::{JsonCodec, JsonError, JsonValue};
use crate::discord::secret::{AccessToken, RefreshToken};
use crate::discord::token::TokenSet;
use serde::Serialize;
use serde::de::{self, DeserializeOwned, DeserializeSeed, Visitor};
use wasm_bindgen::{JsCast, JsValue};

/// The browser's JSON: `JSON.parse`, then the fields serde asks for.
#[derive(Clone, Copy, Debug, Default)]
pub struct JsJson;

const NOT_JSON: &str = "not a JSON document";
const BAD_SHAPE: &str = "the JSON document does not have the expected shape";

impl JsonCodec for JsJson {
    fn decode<T: DeserializeOwned>(raw: &str) -> Result<T, JsonError> {
        let value = js_sys::JSON::parse(raw).map_err(|_| JsonError(NOT_JSON.into()))?;
        from_js(value).ok_or_else(|| JsonError(BAD_SHAPE.into()))
    }

    /// `JSON.parse`, then each named member read by a name string made once
    /// (`field_name`); the others never cross into wasm.
    fn decode_members(
        raw: &str,
        names: &[&'static str],
    ) -> Result<Vec<Option<JsonValue>>, JsonError> {
        let obj = js_sys::JSON::parse(raw).map_err(|_| JsonError(NOT_JSON.into()))?;
        if !is_plain_object(&obj) {
            return Err(JsonError(BAD_SHAPE.into()));
        }
        members(&obj, names)
    }

    /// `JSON.parse`, then each object of the array read as [`JsJson::decode_members`] reads one.
    fn decode_list_members(
        raw: &str,
        list: &'static str,
        names: &[&'static str],
    ) -> Result<Vec<Vec<Option<JsonValue>>>, JsonError> {
        let obj = js_sys::JSON::parse(raw).map_err(|_| JsonError(NOT_JSON.into()))?;
        if !is_plain_object(&obj) {
            return Err(JsonError(BAD_SHAPE.into()));
        }
        let items = field_name(list, |key| get(&obj, key));
        let items: js_sys::Array = items.dyn_into().map_err(|_| JsonError(BAD_SHAPE.into()))?;
        items
            .iter()
            .filter(is_plain_object)
            .map(|item| members(&item, names))
            .collect()
    }

    /// The browser build only ever decodes (the core encodes only for the Worker and for
    /// kept-aside `errors` objects, which the JS error does not expose).
    fn encode<T: Serialize + ?Sized>(_value: &T) -> Result<String, JsonError> {
        Err(JsonError(
            "encoding JSON is not part of the browser build".into(),
        ))
    }
}

/// Whether a parsed JSON value is an object (not an array, not `null`).
fn is_plain_object(v: &JsValue) -> bool {
    v.is_object() && !js_sys::Array::is_array(v)
}

/// The members `names` of a parsed JSON object, each looked up by a name string made once.
fn members(obj: &JsValue, names: &[&'static str]) -> Result<Vec<Option<JsonValue>>, JsonError> {
    let mut members = Vec::with_capacity(names.len());
    for name in names {
        let value = field_name(name, |key| get(obj, key));
        // JSON has no `undefined` and no functions: either is a missing member (a function
        // is inherited from `Object.prototype`, e.g. `constructor`).
        if value.is_undefined() || value.is_function() {
            members.push(None);
            continue;
        }
        members.push(Some(
            from_js::<JsonValue>(value).ok_or_else(|| JsonError(BAD_SHAPE.into()))?,
        ));
    }
    Ok(members)
}

/// A JS value as a typed value, `None` when its shape does not fit.
pub fn from_js<T: DeserializeOwned>(v: JsValue) -> Option<T> {
    T::deserialize(De(v)).ok()
}

/// Parses a JSON document into a JS value (`JSON.parse`); `null` for an empty body.
pub fn parse(raw: &str) -> Result<JsValue, JsonError> {
    if raw.is_empty() {
        return Ok(JsValue::NULL);
    }
    js_sys::JSON::parse(raw).map_err(|_| JsonError(NOT_JSON.into()))
}

/// The deserializer's error: no message (the caller says what did not fit).
#[derive(Debug)]
pub struct DeError;

impl std::fmt::Display for DeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(BAD_SHAPE)
    }
}
impl std::error::Error for DeError {}
impl de::Error for DeError {
    fn custom<T: std::fmt::Display>(_msg: T) -> Self {
        DeError
    }
}

struct De(JsValue);

/// What a JS value is, found once outside the generic (per-visitor) code.
enum Kind {
    Unit,
    Bool(bool),
    U64(u64),
    I64(i64),
    F64(f64),
    Str(String),
    Seq(js_sys::Array),
    Map(JsValue, js_sys::Array),
    Other,
}

#[inline(never)]
fn kind(x: JsValue) -> Kind {
    // Each test is a call into JS: the commonest kind in Discord's JSON, strings, comes first.
    if x.is_null_or_undefined() {
        return Kind::Unit;
    }
    if x.is_string() {
        return Kind::Str(string_of(&x));
    }
    if let Some(b) = x.as_bool() {
        return Kind::Bool(b);
    }
    if let Some(n) = x.as_f64() {
        // JS numbers are f64; integral ones go to serde as integers (ids, codes, expiry).
        return if n.fract() == 0.0 && (0.0..MAX_SAFE).contains(&n) {
            Kind::U64(n as u64)
        } else if n.fract() == 0.0 && (-MAX_SAFE..0.0).contains(&n) {
            Kind::I64(n as i64)
        } else {
            Kind::F64(n)
        };
    }
    if js_sys::Array::is_array(&x) {
        return Kind::Seq(x.unchecked_into());
    }
    if x.is_object() {
        let keys = js_sys::Object::keys(x.unchecked_ref::<js_sys::Object>());
        return Kind::Map(x, keys);
    }
    Kind::Other
}

const MAX_SAFE: f64 = 9_007_199_254_740_992.0;

/// From this many UTF-16 units on, a string crosses into the wasm as UTF-8 bytes
/// (`TextEncoder`, one copy) rather than through wasm-bindgen's glue, which copies it character
/// by character (docs/browser.md, "Crossing rules"): a JWKS key's 342-character modulus.
const LONG_STRING: u32 = 64;

/// A JS string (the caller checked `is_string`) as a Rust `String`.
fn string_of(x: &JsValue) -> String {
    if x.unchecked_ref::<js_sys::JsString>().length() >= LONG_STRING {
        // `TextEncoder` writes valid UTF-8 (a lone surrogate as U+FFFD, as the glue does).
        if let Ok(text) = String::from_utf8(shell::dow_utf8(x).to_vec()) {
            return text;
        }
    }
    x.as_string().unwrap_or_default()
}

impl<'de> de::Deserializer<'de> for De {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        match kind(self.0) {
            Kind::Unit => v.visit_unit(),
            Kind::Bool(b) => v.visit_bool(b),
            Kind::U64(n) => v.visit_u64(n),
            Kind::I64(n) => v.visit_i64(n),
            Kind::F64(n) => v.visit_f64(n),
            Kind::Str(s) => v.visit_string(s),
            Kind::Seq(items) => v.visit_seq(Seq { items, at: 0 }),
            Kind::Map(obj, keys) => v.visit_map(Map { keys, at: 0, obj }),
            Kind::Other => Err(DeError),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        if self.0.is_null() || self.0.is_undefined() {
            v.visit_none()
        } else {
            v.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, DeError> {
        v.visit_newtype_struct(self)
    }

    // One visit method per call site, so serde's derived visitors instantiate only the
    // methods a field's type needs (the wasm stays small); anything else does not fit.
    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        match kind(self.0) {
            Kind::Bool(b) => v.visit_bool(b),
            _ => Err(DeError),
        }
    }

    fn deserialize_u64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        match kind(self.0) {
            Kind::U64(n) => v.visit_u64(n),
            _ => Err(DeError),
        }
    }

    fn deserialize_f64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        match kind(self.0) {
            Kind::U64(n) => v.visit_f64(n as f64),
            Kind::I64(n) => v.visit_f64(n as f64),
            Kind::F64(n) => v.visit_f64(n),
            _ => Err(DeError),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        match kind(self.0) {
            Kind::Str(s) => v.visit_string(s),
            _ => Err(DeError),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_string(v)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        match kind(self.0) {
            Kind::Str(s) => v.visit_str(&s),
            _ => Err(DeError),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DeError> {
        match kind(self.0) {
            Kind::Map(obj, keys) => v.visit_map(Map { keys, at: 0, obj }),
            _ => Err(DeError),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        v.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u8 u16 u32 u128 f32 char bytes byte_buf
        unit unit_struct seq tuple tuple_struct map enum
    }
}

struct Seq {
    items: js_sys::Array,
    at: u32,
}

impl<'de> de::SeqAccess<'de> for Seq {
    type Error = DeError;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        if self.at >= self.items.length() {
            return Ok(None);
        }
        let item = self.items.get(self.at);
        self.at += 1;
        seed.deserialize(De(item)).map(Some)
    }
}

struct Map {
    keys: js_sys::Array,
    at: u32,
    obj: JsValue,
}

impl<'de> de::MapAccess<'de> for Map {
    type Error = DeError;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        if self.at >= self.keys.length() {
            return Ok(None);
        }
        seed.deserialize(De(self.keys.get(self.at))).map(Some)
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let key = self.keys.get(self.at);
        self.at += 1;
        seed.deserialize(De(get(&self.obj, &key)))
    }
}

thread_local! {
    /// Member names of [`JsonCodec::decode_members`] as JS strings, made once each (by the
    /// name's address and length: the names are `'static`), so that a lookup does not decode
    /// the name again.
    static FIELD_NAMES: std::cell::RefCell<Vec<((usize, usize), JsValue)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Runs `f` with `name` as a JS string, made at its first use.
fn field_name<R>(name: &'static str, f: impl FnOnce(&JsValue) -> R) -> R {
    let id = (name.as_ptr() as usize, name.len());
    FIELD_NAMES.with(|cell| match cell.try_borrow_mut() {
        Ok(mut names) => {
            if let Some((_, js)) = names.iter().find(|(at, _)| *at == id) {
                return f(js);
            }
            let js = JsValue::from_str(name);
            let out = f(&js);
            names.push((id, js));
            out
        }
        Err(_) => f(&JsValue::from_str(name)),
    })
}

/// `obj[key]`, `undefined` when it cannot be read.
pub fn get(obj: &JsValue, key: &JsValue) -> JsValue {
    js_sys::Reflect::get(obj, key).unwrap_or(JsValue::UNDEFINED)
}

/// Sets `obj[key]` (on a fresh object this cannot fail).
pub fn set(obj: &JsValue, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(obj, &JsValue::from_str(key), value);
}

/// A kept-aside JSON tree (a token response's `guild` or `webhook`) as a JS value.
pub fn json_to_js(v: &JsonValue) -> JsValue {
    match v {
        JsonValue::Null => JsValue::NULL,
        JsonValue::Bool(b) => JsValue::from_bool(*b),
        JsonValue::UInt(n) => JsValue::from_f64(*n as f64),
        JsonValue::Int(n) => JsValue::from_f64(*n as f64),
        JsonValue::Float(n) => JsValue::from_f64(*n),
        JsonValue::String(s) => JsValue::from_str(s),
        JsonValue::Array(items) => {
            let a = js_sys::Array::new();
            for i in items {
                a.push(&json_to_js(i));
            }
            a.into()
        }
        JsonValue::Object(members) => {
            let o: JsValue = js_sys::Object::new().into();
            for (k, v) in members {
                set(&o, k, &json_to_js(v));
            }
            o
        }
    }
}

/// A TokenSet as the plain object of docs/contract.md §3 (`expires_at` in ms; absent fields left out).
pub fn tokens_to_js(t: &TokenSet) -> JsValue {
    let o: JsValue = js_sys::Object::new().into();
    set(
        &o,
        "access_token",
        &JsValue::from_str(t.access_token.secret()),
    );
    set(&o, "token_type", &JsValue::from_str(&t.token_type));
    set(&o, "expires_at", &JsValue::from_f64(t.expires_at_ms as f64));
    if let Some(r) = &t.refresh_token {
        set(&o, "refresh_token", &JsValue::from_str(r.secret()));
    }
    set(&o, "scope", &JsValue::from_str(&t.scope));
    if let Some(g) = &t.guild {
        set(&o, "guild", &json_to_js(g));
    }
    if let Some(w) = &t.webhook {
        set(&o, "webhook", &json_to_js(w));
    }
    if let Some(i) = &t.id_token {
        set(&o, "id_token", &JsValue::from_str(i));
    }
    o
}

/// A JS value as a JSON tree, `None` when it holds something JSON cannot (a function).
pub fn js_to_json(v: JsValue) -> Option<JsonValue> {
    Some(match kind(v) {
        Kind::Unit => JsonValue::Null,
        Kind::Bool(b) => JsonValue::Bool(b),
        Kind::U64(n) => JsonValue::UInt(n),
        Kind::I64(n) => JsonValue::Int(n),
        Kind::F64(n) => JsonValue::Float(n),
        Kind::Str(s) => JsonValue::String(s),
        Kind::Seq(items) => {
            let mut out = Vec::new();
            for i in 0..items.length() {
                out.push(js_to_json(items.get(i))?);
            }
            JsonValue::Array(out)
        }
        Kind::Map(obj, keys) => {
            let mut out = Vec::new();
            for i in 0..keys.length() {
                let k = keys.get(i);
                out.push((k.as_string()?, js_to_json(get(&obj, &k))?));
            }
            JsonValue::Object(out)
        }
        Kind::Other => return None,
    })
}

/// A field: `Ok(None)` when absent (or `null` if `null_is_absent`), `Err` when not a string.
fn opt_string(o: &JsValue, key: &str, null_is_absent: bool) -> Result<Option<String>, ()> {
    let v = get(o, &JsValue::from_str(key));
    if v.is_undefined() || (null_is_absent && v.is_null()) {
        return Ok(None);
    }
    v.as_string().map(Some).ok_or(())
}

fn opt_json(o: &JsValue, key: &str) -> Result<Option<JsonValue>, ()> {
    let v = get(o, &JsValue::from_str(key));
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    js_to_json(v).map(Some).ok_or(())
}

/// A TokenSet from a JS value (the shape [`tokens_to_js`] writes; other members are ignored),
/// `None` when it is not one.
pub fn tokens_from_js(v: JsValue) -> Option<TokenSet> {
    if !v.is_object() {
        return None;
    }
    let s = |k| opt_string(&v, k, false).ok().flatten();
    let expires = get(&v, &JsValue::from_str("expires_at")).as_f64()?;
    if !(expires.fract() == 0.0 && (0.0..MAX_SAFE).contains(&expires)) {
        return None;
    }
    Some(TokenSet {
        access_token: AccessToken::new(s("access_token")?),
        token_type: s("token_type")?,
        expires_at_ms: expires as u64,
        refresh_token: opt_string(&v, "refresh_token", true)
            .ok()?
            .map(RefreshToken::new),
        scope: opt_string(&v, "scope", false).ok()?.unwrap_or_default(),
        guild: opt_json(&v, "guild").ok()?,
        webhook: opt_json(&v, "webhook").ok()?,
        id_token: opt_string(&v, "id_token", true).ok()?,
    })
}

/// A core request as `{method, url, headers, body, route}` for the shell's `fetch`.
/// `User-Agent` is left out: Chromium refuses to let a page set it, and sending it would
/// only trigger a CORS preflight.
pub fn request_to_js(req: &HttpRequest) -> JsValue {
    let o: JsValue = js_sys::Object::new().into();
    let h: JsValue = js_sys::Object::new().into();
    for (name, value) in &req.headers {
        if !name.eq_ignore_ascii_case("user-agent") {
            set(&h, name, &JsValue::from_str(value));
        }
    }
    set(&o, "method", &JsValue::from_str(req.method.as_str()));
    set(&o, "url", &JsValue::from_str(&req.url));
    if let Some(body) = &req.body {
        if req.header("content-type").is_none() {
            set(&h, "content-type", &JsValue::from_str(body.content_type()));
        }
        set(&o, "body", &JsValue::from_str(body.as_str()));
    }
    set(&o, "headers", &h);
    set(&o, "route", &JsValue::from_str(&req.route));
    o
}

/// The shell's `{status, headers: [name, value, …], body}` as a core response. The body is
/// the answer's bytes (a `Uint8Array`, copied into the wasm in one piece: docs/browser.md,
/// "Crossing rules") or, from a test, a string.
pub fn response_from_js(v: &JsValue) -> HttpResponse {
    let field = |name: Name| get(v, &names::js(name));
    let status = field(&names::STATUS).as_f64().unwrap_or(0.0) as u16;
    let flat: js_sys::Array = field(&names::HEADERS).dyn_into().unwrap_or_default();
    let mut headers = Vec::new();
    let mut i = 0;
    while i + 1 < flat.length() {
        if let (Some(n), Some(val)) = (flat.get(i).as_string(), flat.get(i + 1).as_string()) {
            headers.push((n, val));
        }
        i += 2;
    }
    HttpResponse::new(status, headers, body_text(&field(&names::BODY)))
}

/// The body as `Response.text()` would give it (Fetch, "UTF-8 decode"): a leading byte order
/// mark dropped, a malformed sequence replaced by U+FFFD.
fn body_text(body: &JsValue) -> String {
    let Some(bytes) = body.dyn_ref::<js_sys::Uint8Array>() else {
        return body.as_string().unwrap_or_default();
    };
    let mut bytes = bytes.to_vec();
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// What a login in progress leaves in `sessionStorage` for the redirect (JSON text).
pub(crate) struct Pending {
    pub state: String,
    pub verifier: Option<String>,
    pub redirect_uri: String,
    /// The `data` option, as JSON text.
    pub data: Option<String>,
    /// The OpenID Connect nonce sent (`openid` logins).
    pub nonce: Option<String>,
}

impl Pending {
    /// Reads the stored JSON text; `None` when it is not a pending login.
    pub fn parse(raw: &str) -> Option<Pending> {
        let o = js_sys::JSON::parse(raw).ok().filter(JsValue::is_object)?;
        let s = |k| opt_string(&o, k, true).ok();
        Some(Pending {
            state: s("state")??,
            verifier: s("verifier")?,
            redirect_uri: s("redirect_uri")??,
            data: s("data")?,
            nonce: s("nonce")?,
        })
    }
}
