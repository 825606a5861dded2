//! The one seam through which the core reads and writes JSON.
//!
//! The browser build parses with the JS built-in `JSON` and a small serde deserializer over
//! JS values (no `serde_json` in the browser wasm); the Worker and native code use
//! `serde_json`.
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

    /// Parses `raw`, which must be a JSON object, and gives the members named in `names`, in
    /// that order (`None` when absent, `null` as [`JsonValue::Null`]); no other member is read.
    /// For a check that reads a few members of a larger document (the id_token's header and
    /// claims): the browser's codec looks each one up by name instead of copying the whole
    /// object into wasm. By default the whole object is decoded and the first of repeated
    /// members is taken.
    fn decode_members(
        raw: &str,
        names: &[&'static str],
    ) -> Result<Vec<Option<JsonValue>>, JsonError> {
        match Self::decode::<JsonValue>(raw)? {
            JsonValue::Object(members) => Ok(names
                .iter()
                .map(|n| members.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone()))
                .collect()),
            _ => Err(JsonError("not a JSON object".into())),
        }
    }

    /// Parses `raw`, which must be a JSON object whose member `list` is an array, and gives
    /// for each object in that array the members named in `names`, as
    /// [`JsonCodec::decode_members`] does for one object; elements that are not objects are
    /// left out. For a set of small objects of which a few members count (the JWKS' keys):
    /// the browser's codec looks each one up by name. By default the whole document is decoded.
    fn decode_list_members(
        raw: &str,
        list: &'static str,
        names: &[&'static str],
    ) -> Result<Vec<Vec<Option<JsonValue>>>, JsonError> {
        let JsonValue::Object(members) = Self::decode::<JsonValue>(raw)? else {
            return Err(JsonError("not a JSON object".into()));
        };
        let Some((_, JsonValue::Array(items))) = members.iter().find(|(k, _)| k == list) else {
            return Err(JsonError(format!("`{list}` is not an array")));
        };
        Ok(items
            .iter()
            .filter_map(|item| match item {
                JsonValue::Object(members) => Some(
                    names
                        .iter()
                        .map(|n| members.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone()))
                        .collect(),
                ),
                _ => None,
            })
            .collect())
    }
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

/// Any JSON document, kept as a tree: for the parts of a Discord answer the core passes on
/// without a typed model (the token response's `guild` and `webhook`, the `errors` object of a
/// 50035 error). It works with every [`JsonCodec`], which a raw-text capture would not (the
/// browser decodes through JS values, not text). Numbers keep their integer form, so a large
/// integer is not rounded through `f64`.
///
/// `Debug` prints only the shape: these values can hold secrets (a webhook `token`).
#[derive(Clone, PartialEq)]
pub enum JsonValue {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A non-negative integer.
    UInt(u64),
    /// A negative integer.
    Int(i64),
    /// A number with a fraction or exponent.
    Float(f64),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<JsonValue>),
    /// An object, members in document order.
    Object(Vec<(String, JsonValue)>),
}

impl JsonValue {
    /// The member `key` of an object (the first, if repeated).
    pub fn get(&self, key: &str) -> Option<&JsonValue> {
        match self {
            JsonValue::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            JsonValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// This value as JSON text.
    pub fn to_json<J: JsonCodec>(&self) -> Result<String, JsonError> {
        J::encode(self)
    }

    /// This value decoded into a typed model (e.g. the `guild` of a token response into a
    /// guild model), by a round trip through `J`.
    pub fn decode_as<J: JsonCodec, T: DeserializeOwned>(&self) -> Result<T, JsonError> {
        J::decode(&J::encode(self)?)
    }
}

impl std::fmt::Debug for JsonValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JsonValue::Null => f.write_str("null"),
            JsonValue::Bool(_) => f.write_str("bool"),
            JsonValue::UInt(_) | JsonValue::Int(_) | JsonValue::Float(_) => f.write_str("number"),
            JsonValue::String(s) => write!(f, "string({} bytes)", s.len()),
            JsonValue::Array(a) => write!(f, "array({} items)", a.len()),
            JsonValue::Object(o) => {
                let keys: Vec<&str> = o.iter().map(|(k, _)| k.as_str()).collect();
                write!(f, "object{keys:?}")
            }
        }
    }
}

impl Serialize for JsonValue {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self {
            JsonValue::Null => s.serialize_unit(),
            JsonValue::Bool(b) => s.serialize_bool(*b),
            JsonValue::UInt(n) => s.serialize_u64(*n),
            JsonValue::Int(n) => s.serialize_i64(*n),
            JsonValue::Float(n) => s.serialize_f64(*n),
            JsonValue::String(v) => s.serialize_str(v),
            JsonValue::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            JsonValue::Object(members) => {
                let mut map = s.serialize_map(Some(members.len()))?;
                for (k, v) in members {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> serde::Deserialize<'de> for JsonValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JsonValueVisitor)
    }
}

struct JsonValueVisitor;

impl<'de> serde::de::Visitor<'de> for JsonValueVisitor {
    type Value = JsonValue;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<JsonValue, E> {
        Ok(JsonValue::Null)
    }
    fn visit_none<E>(self) -> Result<JsonValue, E> {
        Ok(JsonValue::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<JsonValue, D::Error> {
        serde::Deserialize::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<JsonValue, E> {
        Ok(JsonValue::Bool(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<JsonValue, E> {
        Ok(JsonValue::UInt(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<JsonValue, E> {
        Ok(if v >= 0 {
            JsonValue::UInt(v as u64)
        } else {
            JsonValue::Int(v)
        })
    }
    fn visit_f64<E>(self, v: f64) -> Result<JsonValue, E> {
        // JS numbers arrive as f64 even when integral; keep those as integers.
        if v.fract() == 0.0 && (0.0..9_007_199_254_740_992.0).contains(&v) {
            Ok(JsonValue::UInt(v as u64))
        } else if v.fract() == 0.0 && (-9_007_199_254_740_991.0..0.0).contains(&v) {
            Ok(JsonValue::Int(v as i64))
        } else {
            Ok(JsonValue::Float(v))
        }
    }
    fn visit_str<E>(self, v: &str) -> Result<JsonValue, E> {
        Ok(JsonValue::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<JsonValue, E> {
        Ok(JsonValue::String(v))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<JsonValue, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(JsonValue::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<JsonValue, A::Error> {
        let mut members = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, JsonValue>()? {
            members.push((k, v));
        }
        Ok(JsonValue::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_value_round_trips() {
        let text = r#"{"a":[1,-2,3.5,"x",null,true],"big":18446744073709551615,"o":{}}"#;
        let v: JsonValue = SerdeJson::decode(text).unwrap();
        assert_eq!(v.to_json::<SerdeJson>().unwrap(), text);
        assert_eq!(v.get("big"), Some(&JsonValue::UInt(u64::MAX)));
        assert_eq!(format!("{v:?}"), r#"object["a", "big", "o"]"#);
    }
}
