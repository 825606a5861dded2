//! The Rust models against Discord's own OpenAPI 3.1 description of the routes this crate
//! calls (vendored in tests/openapi/discord-api.json by scripts/vendor-openapi.mjs, which
//! records the spec's commit):
//! - every property the spec gives a schema is a field of the Rust model it maps to (serde's
//!   own list of the struct's field names, read through a probing deserializer);
//! - the models parse an instance with every property set, and an instance with every nullable
//!   property `null` and every optional property left out (so a real answer with a `null` the
//!   spec allows cannot fail to parse).
#![cfg(not(target_arch = "wasm32"))]

use std::cell::Cell;

use discord_oauth_wasm::discord::models::{
    Application, AuthorizationInfo, Connection, Guild, Integration, IntegrationAccount, Member,
    User,
    application::{InstallParams, IntegrationTypeConfig, Team, TeamMember},
    connection::IntegrationGuild,
    role_connection::{ApplicationRoleConnection, ApplicationRoleConnectionMetadata},
    user::{AvatarDecorationData, Collectibles, Nameplate, PrimaryGuild},
};
use serde::de::{self, DeserializeOwned, Visitor};
use serde_json::{Map, Value, json};

const SPEC: &str = include_str!("openapi/discord-api.json");

fn spec() -> Value {
    serde_json::from_str(SPEC).expect("tests/openapi/discord-api.json is JSON")
}

// ---- serde's field list of a model -------------------------------------------------------

thread_local! {
    static FIELDS: Cell<Option<&'static [&'static str]>> = const { Cell::new(None) };
}

/// A deserializer that answers nothing: it only records the field names serde's derive passes
/// to `deserialize_struct` (the names on the wire, after `rename`).
struct Probe;

impl<'de> de::Deserializer<'de> for Probe {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("probe"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Self::Error> {
        FIELDS.with(|f| f.set(Some(fields)));
        Err(de::Error::custom("probe"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

/// The wire names of `T`'s fields.
fn fields_of<T: DeserializeOwned>() -> &'static [&'static str] {
    FIELDS.with(|f| f.set(None));
    let _ = T::deserialize(Probe);
    FIELDS
        .with(Cell::get)
        .unwrap_or_else(|| panic!("{} is not a plain struct", std::any::type_name::<T>()))
}

// ---- instances built from the schemas ----------------------------------------------------

#[derive(Clone, Copy, PartialEq)]
enum Fill {
    /// Every property present, with a value of its (first non-null) type.
    Full,
    /// Required properties only; every nullable one `null`.
    Nulls,
}

fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.trim_start_matches("#/components/schemas/");
            resolve(spec, &spec["schemas"][name])
        }
        None => schema,
    }
}

/// Whether the schema allows `null` (`type: [.., "null"]`, or a `oneOf`/`anyOf` with a null).
fn nullable(spec: &Value, schema: &Value) -> bool {
    let schema = resolve(spec, schema);
    let in_type = match &schema["type"] {
        Value::String(t) => t == "null",
        Value::Array(ts) => ts.iter().any(|t| t == "null"),
        _ => false,
    };
    let in_choice = ["oneOf", "anyOf"].iter().any(|k| {
        schema[k]
            .as_array()
            .is_some_and(|alts| alts.iter().any(|a| nullable(spec, a)))
    });
    in_type || in_choice
}

/// A value for `schema`, in the given fill.
fn instance(spec: &Value, schema: &Value, fill: Fill, depth: usize) -> Value {
    assert!(depth < 12, "schema nests too deep: {schema}");
    let schema = resolve(spec, schema);
    if fill == Fill::Nulls && depth > 0 && nullable(spec, schema) {
        return Value::Null;
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(alts) = schema[key].as_array() {
            // An enum written as `oneOf` of `const`s: its first value.
            if let Some(c) = alts.iter().find_map(|a| a.get("const")) {
                return c.clone();
            }
            let alt = alts
                .iter()
                .find(|a| !is_null_type(resolve(spec, a)))
                .expect("a non-null alternative");
            return instance(spec, alt, fill, depth + 1);
        }
    }
    if let Some(first) = schema["enum"].as_array().and_then(|e| e.first()) {
        return first.clone();
    }
    let kind = match &schema["type"] {
        Value::String(t) => t.as_str(),
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null"),
        _ => "object",
    };
    match kind {
        "object" => object(spec, schema, fill, depth),
        "array" => json!([instance(spec, &schema["items"], fill, depth + 1)]),
        "string" => json!(string_sample(schema)),
        "integer" | "number" => json!(schema["minimum"].as_i64().unwrap_or(0).max(1)),
        "boolean" => json!(true),
        _ => Value::Null,
    }
}

fn is_null_type(schema: &Value) -> bool {
    schema["type"] == "null"
}

fn object(spec: &Value, schema: &Value, fill: Fill, depth: usize) -> Value {
    let mut out = Map::new();
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if let Some(props) = schema["properties"].as_object() {
        for (name, prop) in props {
            let needed = required.contains(&name.as_str());
            match fill {
                Fill::Full => {
                    out.insert(name.clone(), instance(spec, prop, fill, depth + 1));
                }
                Fill::Nulls if nullable(spec, prop) => {
                    out.insert(name.clone(), Value::Null);
                }
                Fill::Nulls if needed => {
                    out.insert(name.clone(), instance(spec, prop, fill, depth + 1));
                }
                Fill::Nulls => {}
            }
        }
    }
    if let Some(extra) = schema["additionalProperties"].as_object() {
        // Maps keyed by something Discord chooses (integration types "0"/"1", locales,
        // metadata keys): one entry.
        out.insert(
            "0".into(),
            instance(spec, &Value::Object(extra.clone()), fill, depth + 1),
        );
    }
    Value::Object(out)
}

fn string_sample(schema: &Value) -> &'static str {
    match schema["format"].as_str() {
        Some("date-time") => "2025-01-02T03:04:05.678000+00:00",
        Some("uri") => "https://example.com/path",
        // Snowflakes (pattern of digits), decimal strings (permissions, flags_new) and free
        // text alike accept a number written as a string.
        _ => "1100000000000000001",
    }
}

// ---- the checks --------------------------------------------------------------------------

/// Every property of `schema` is a field of `T`.
fn check_fields<T: DeserializeOwned>(spec: &Value, schema: &str, missing: &mut Vec<String>) {
    let fields = fields_of::<T>();
    let props = spec["schemas"][schema]["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("{schema} has no properties in the vendored spec"));
    for name in props.keys() {
        if !fields.contains(&name.as_str()) {
            missing.push(format!(
                "{schema}.{name} is not a field of {}",
                std::any::type_name::<T>()
            ));
        }
    }
}

/// `T` parses the schema's full instance and its all-nulls instance.
fn check_parses<T: DeserializeOwned>(spec: &Value, schema: &str, failures: &mut Vec<String>) {
    let reference = json!({ "$ref": format!("#/components/schemas/{schema}") });
    for fill in [Fill::Full, Fill::Nulls] {
        let value = instance(spec, &reference, fill, 0);
        if let Err(e) = serde_json::from_value::<T>(value.clone()) {
            failures.push(format!(
                "{} does not parse {schema} ({}): {e}\n  {value}",
                std::any::type_name::<T>(),
                if fill == Fill::Full {
                    "every field"
                } else {
                    "nulls"
                }
            ));
        }
    }
}

/// Each schema of the routes we call and the Rust model that reads it.
macro_rules! each_model {
    ($m:ident) => {{
        let mut out = Vec::new();
        let spec = spec();
        $m::<User>(&spec, "UserPIIResponse", &mut out);
        $m::<User>(&spec, "UserResponse", &mut out);
        $m::<AvatarDecorationData>(&spec, "UserAvatarDecorationResponse", &mut out);
        $m::<Collectibles>(&spec, "UserCollectiblesResponse", &mut out);
        $m::<Nameplate>(&spec, "UserNameplateResponse", &mut out);
        $m::<PrimaryGuild>(&spec, "UserPrimaryGuildResponse", &mut out);
        $m::<Guild>(&spec, "MyGuildResponse", &mut out);
        $m::<Member>(&spec, "PrivateGuildMemberResponse", &mut out);
        $m::<Member>(&spec, "GuildMemberResponse", &mut out);
        $m::<Connection>(&spec, "ConnectedAccountResponse", &mut out);
        $m::<Integration>(&spec, "ConnectedAccountIntegrationResponse", &mut out);
        $m::<IntegrationAccount>(&spec, "AccountResponse", &mut out);
        $m::<IntegrationGuild>(&spec, "ConnectedAccountGuildResponse", &mut out);
        $m::<AuthorizationInfo>(&spec, "OAuth2GetAuthorizationResponse", &mut out);
        $m::<Application>(&spec, "ApplicationResponse", &mut out);
        $m::<Application>(&spec, "PrivateApplicationResponse", &mut out);
        $m::<InstallParams>(&spec, "ApplicationOAuth2InstallParamsResponse", &mut out);
        $m::<IntegrationTypeConfig>(
            &spec,
            "ApplicationIntegrationTypeConfigurationResponse",
            &mut out,
        );
        $m::<Team>(&spec, "TeamResponse", &mut out);
        $m::<TeamMember>(&spec, "TeamMemberResponse", &mut out);
        $m::<ApplicationRoleConnection>(&spec, "ApplicationUserRoleConnectionResponse", &mut out);
        $m::<ApplicationRoleConnectionMetadata>(
            &spec,
            "ApplicationRoleConnectionsMetadataItemResponse",
            &mut out,
        );
        out
    }};
}

#[test]
fn every_spec_field_is_a_rust_field() {
    let missing = each_model!(check_fields);
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn models_parse_full_and_all_null_instances() {
    let failures = each_model!(check_parses);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every object schema the vendored routes reach is checked above: a schema Discord adds to
/// these routes fails here until it is mapped to a model.
#[test]
fn every_object_schema_is_mapped() {
    let spec = spec();
    let mapped = [
        "UserPIIResponse",
        "UserResponse",
        "UserAvatarDecorationResponse",
        "UserCollectiblesResponse",
        "UserNameplateResponse",
        "UserPrimaryGuildResponse",
        "MyGuildResponse",
        "PrivateGuildMemberResponse",
        "GuildMemberResponse",
        "ConnectedAccountResponse",
        "ConnectedAccountIntegrationResponse",
        "AccountResponse",
        "ConnectedAccountGuildResponse",
        "OAuth2GetAuthorizationResponse",
        "ApplicationResponse",
        "PrivateApplicationResponse",
        "ApplicationOAuth2InstallParamsResponse",
        "ApplicationIntegrationTypeConfigurationResponse",
        "TeamResponse",
        "TeamMemberResponse",
        "ApplicationUserRoleConnectionResponse",
        "ApplicationRoleConnectionsMetadataItemResponse",
    ];
    let unmapped: Vec<&String> = spec["schemas"]
        .as_object()
        .expect("schemas")
        .iter()
        .filter(|(_, s)| s["properties"].is_object())
        .map(|(name, _)| name)
        .filter(|name| !mapped.contains(&name.as_str()))
        .collect();
    assert!(
        unmapped.is_empty(),
        "object schemas without a model: {unmapped:?}"
    );
}

/// The probe reads real field lists (a check of the checker).
#[test]
fn probe_reads_wire_names() {
    let fields = fields_of::<Connection>();
    assert!(
        fields.contains(&"type"),
        "renamed field under its wire name: {fields:?}"
    );
    assert!(!fields.contains(&"kind"));
}
