//! Linked roles: application role-connection metadata (Bot token) and the user's role
//! connection (Bearer token with `role_connections.write`).
//!
//! <https://discord.com/developers/docs/resources/application-role-connection-metadata>
//! <https://discord.com/developers/docs/resources/user#update-current-user-application-role-connection>

use axum::extract::{RawPathParams, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::api::{bearer, bot, param, require};
use crate::errors::{self, field_error, json_response};
use crate::state::Shared;
use crate::util::{parse_json, read_body};

/// At most this many metadata records per application.
pub const MAX_RECORDS: usize = 5;

fn check_string(
    errs: &mut Map<String, Value>,
    obj: &Map<String, Value>,
    key: &str,
    max: usize,
    required: bool,
) {
    match obj.get(key) {
        None | Some(Value::Null) if required => {
            errs.insert(
                key.into(),
                field_error("BASE_TYPE_REQUIRED", "This field is required"),
            );
        }
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => {
            let n = s.chars().count();
            if n < usize::from(required) || n > max {
                let min = usize::from(required);
                errs.insert(
                    key.into(),
                    field_error(
                        "BASE_TYPE_BAD_LENGTH",
                        &format!("Must be between {min} and {max} in length."),
                    ),
                );
            }
        }
        Some(_) => {
            errs.insert(
                key.into(),
                field_error(
                    "STRING_TYPE_CONVERT",
                    "Could not interpret value as string.",
                ),
            );
        }
    }
}

/// Validates a `PUT .../role-connections/metadata` body: an array of at most 5 records with
/// `type` 1–8, `key` matching `^[a-z0-9_]{1,50}$`, `name` 1–100 and `description` 1–200
/// characters. `Err` carries Discord's nested error tree.
pub fn validate_metadata_records(body: &Value) -> Result<Vec<Value>, Value> {
    let Value::Array(items) = body else {
        return Err(field_error(
            "LIST_TYPE_CONVERT",
            "Only iterables may be used in a ListType",
        ));
    };
    if items.len() > MAX_RECORDS {
        return Err(field_error(
            "BASE_TYPE_MAX_LENGTH",
            &format!("Must be {MAX_RECORDS} or fewer in length."),
        ));
    }
    let mut tree = Map::new();
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Value::Object(obj) = item else {
            tree.insert(
                i.to_string(),
                field_error(
                    "DICT_TYPE_CONVERT",
                    "Only dictionaries may be used in a DictType",
                ),
            );
            continue;
        };
        let mut errs = Map::new();
        match obj.get("type") {
            Some(Value::Number(n)) => match n.as_u64() {
                Some(1..=8) => {}
                _ => {
                    errs.insert(
                        "type".into(),
                        field_error(
                            "ENUM_TYPE_COERCE",
                            &format!("Value \"{n}\" is not a valid enum value."),
                        ),
                    );
                }
            },
            None | Some(Value::Null) => {
                errs.insert(
                    "type".into(),
                    field_error("BASE_TYPE_REQUIRED", "This field is required"),
                );
            }
            Some(other) => {
                errs.insert(
                    "type".into(),
                    field_error(
                        "NUMBER_TYPE_COERCE",
                        &format!("Value \"{}\" is not int.", other.as_str().unwrap_or("?")),
                    ),
                );
            }
        }
        check_string(&mut errs, obj, "key", 50, true);
        if !errs.contains_key("key")
            && let Some(k) = obj.get("key").and_then(Value::as_str)
            && !k
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            errs.insert(
                "key".into(),
                field_error(
                    "STRING_TYPE_REGEX",
                    "String value did not match validation regex.",
                ),
            );
        }
        check_string(&mut errs, obj, "name", 100, true);
        check_string(&mut errs, obj, "description", 200, true);
        if errs.is_empty() {
            let mut rec = Map::new();
            for k in [
                "type",
                "key",
                "name",
                "name_localizations",
                "description",
                "description_localizations",
            ] {
                if let Some(v) = obj.get(k) {
                    rec.insert(k.into(), v.clone());
                }
            }
            out.push(Value::Object(rec));
        } else {
            tree.insert(i.to_string(), Value::Object(errs));
        }
    }
    if tree.is_empty() {
        Ok(out)
    } else {
        Err(Value::Object(tree))
    }
}

macro_rules! tri {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(resp) => return resp,
        }
    };
}

/// `GET /applications/{application_id}/role-connections/metadata` (Bot token of that app).
pub async fn get_metadata(
    State(emu): State<Shared>,
    params: RawPathParams,
    req: Request,
) -> Response {
    let app_id = param(&params, "application_id");
    let st = emu.lock();
    let app = tri!(bot(&st, req.headers()));
    if app.id != app_id {
        return errors::missing_access();
    }
    json_response(StatusCode::OK, &Value::from(app.role_connections_metadata))
}

/// `PUT /applications/{application_id}/role-connections/metadata`: replaces the records.
pub async fn put_metadata(
    State(emu): State<Shared>,
    params: RawPathParams,
    req: Request,
) -> Response {
    let app_id = param(&params, "application_id");
    let (parts, body) = req.into_parts();
    let app = tri!(bot(&emu.lock(), &parts.headers));
    if app.id != app_id {
        return errors::missing_access();
    }
    let bytes = tri!(read_body(&parts.headers, body).await);
    let value = tri!(parse_json(&bytes));
    let records = match validate_metadata_records(&value) {
        Ok(r) => r,
        Err(tree) => return errors::invalid_form_body(tree),
    };
    let mut st = emu.lock();
    if let Some(a) = st.apps.iter_mut().find(|a| a.id == app_id) {
        a.role_connections_metadata = records.clone();
    }
    json_response(StatusCode::OK, &Value::from(records))
}

fn empty_connection() -> Value {
    json!({ "platform_name": null, "platform_username": null, "metadata": {} })
}

/// `GET /users/@me/applications/{application_id}/role-connection` (`role_connections.write`).
pub async fn get_connection(
    State(emu): State<Shared>,
    params: RawPathParams,
    req: Request,
) -> Response {
    let app_id = param(&params, "application_id");
    let st = emu.lock();
    let g = tri!(bearer(&st, req.headers()));
    tri!(require(&g, "role_connections.write"));
    if g.app_id != app_id {
        return errors::missing_access();
    }
    let conn = st
        .role_connections
        .get(&(app_id, g.user_id.clone()))
        .cloned()
        .unwrap_or_else(empty_connection);
    json_response(StatusCode::OK, &conn)
}

/// Checks a metadata value against its record type (integers for 1–4, ISO 8601 dates for
/// 5–6, booleans `0`/`1` for 7–8).
fn value_fits(kind: u64, v: &str) -> bool {
    match kind {
        1..=4 => v.parse::<i64>().is_ok(),
        5 | 6 => {
            let b = v.as_bytes();
            b.len() >= 10
                && b[..4].iter().all(u8::is_ascii_digit)
                && b[4] == b'-'
                && b[7] == b'-'
                && b[5..7].iter().chain(&b[8..10]).all(u8::is_ascii_digit)
        }
        _ => matches!(v, "0" | "1" | "true" | "false"),
    }
}

/// `PUT /users/@me/applications/{application_id}/role-connection`: `platform_name` (≤ 50),
/// `platform_username` (≤ 100), `metadata` (configured keys → stringified values ≤ 100).
pub async fn put_connection(
    State(emu): State<Shared>,
    params: RawPathParams,
    req: Request,
) -> Response {
    let app_id = param(&params, "application_id");
    let (parts, body) = req.into_parts();
    let g = tri!(bearer(&emu.lock(), &parts.headers));
    tri!(require(&g, "role_connections.write"));
    if g.app_id != app_id {
        return errors::missing_access();
    }
    let bytes = tri!(read_body(&parts.headers, body).await);
    let value = tri!(parse_json(&bytes));
    let Value::Object(obj) = &value else {
        return errors::invalid_form_body(field_error(
            "DICT_TYPE_CONVERT",
            "Only dictionaries may be used in a DictType",
        ));
    };
    let mut st = emu.lock();
    let records = st
        .app(&app_id)
        .map(|a| a.role_connections_metadata.clone())
        .unwrap_or_default();
    let mut errs = Map::new();
    check_string(&mut errs, obj, "platform_name", 50, false);
    check_string(&mut errs, obj, "platform_username", 100, false);
    let mut metadata = Map::new();
    match obj.get("metadata") {
        None | Some(Value::Null) => {}
        Some(Value::Object(m)) => {
            let mut merrs = Map::new();
            for (k, v) in m {
                let text = match v {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => if *b { "1" } else { "0" }.to_owned(),
                    _ => String::new(),
                };
                let kind = records
                    .iter()
                    .find(|r| r["key"] == k.as_str())
                    .and_then(|r| r["type"].as_u64());
                let problem = match kind {
                    None => Some("Metadata key is not defined for this application."),
                    Some(_) if text.is_empty() || text.chars().count() > 100 => {
                        Some("Must be between 1 and 100 in length.")
                    }
                    Some(t) if !value_fits(t, &text) => {
                        Some("Value does not match the metadata type.")
                    }
                    Some(_) => None,
                };
                match problem {
                    Some(msg) => {
                        merrs.insert(k.clone(), field_error("BASE_TYPE_INVALID", msg));
                    }
                    None => {
                        metadata.insert(k.clone(), Value::String(text));
                    }
                }
            }
            if !merrs.is_empty() {
                errs.insert("metadata".into(), Value::Object(merrs));
            }
        }
        Some(_) => {
            errs.insert(
                "metadata".into(),
                field_error(
                    "DICT_TYPE_CONVERT",
                    "Only dictionaries may be used in a DictType",
                ),
            );
        }
    }
    if !errs.is_empty() {
        return errors::invalid_form_body(Value::Object(errs));
    }
    let conn = json!({
        "platform_name": obj.get("platform_name").cloned().unwrap_or(Value::Null),
        "platform_username": obj.get("platform_username").cloned().unwrap_or(Value::Null),
        "metadata": metadata,
    });
    st.role_connections
        .insert((app_id, g.user_id.clone()), conn.clone());
    json_response(StatusCode::OK, &conn)
}
