//! The Bearer API: `/users/@me`, `/users/@me/guilds`, `/users/@me/connections`,
//! `/users/@me/guilds/{guild_id}/member` and `/oauth2/@me`, with scope checks.

use axum::extract::{RawPathParams, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::errors::{self, field_error, json_response};
use crate::fixtures::AppFixture;
use crate::state::{Grant, Shared, State as EmuState};
use crate::util::{Params, iso8601};

/// The `Authorization` header split into a lower-cased scheme and its credentials.
pub fn auth_header(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (!token.is_empty()).then(|| (scheme.to_ascii_lowercase(), token.to_owned()))
}

/// The live grant of a Bearer token, or `401 {"message": "401: Unauthorized", "code": 0}`.
pub fn bearer(st: &EmuState, headers: &HeaderMap) -> Result<Grant, Response> {
    match auth_header(headers) {
        Some((scheme, token)) if scheme == "bearer" => st
            .grant_by_access(&token)
            .cloned()
            .ok_or_else(errors::unauthorized),
        _ => Err(errors::unauthorized()),
    }
}

/// The application of a `Bot` token, or 401.
pub fn bot(st: &EmuState, headers: &HeaderMap) -> Result<AppFixture, Response> {
    match auth_header(headers) {
        Some((scheme, token)) if scheme == "bot" => st
            .app_by_bot_token(&token)
            .cloned()
            .ok_or_else(errors::unauthorized),
        _ => Err(errors::unauthorized()),
    }
}

/// Requires `scope` on the grant, else `403 {"message": "Missing Access", "code": 50001}`.
pub fn require(g: &Grant, scope: &str) -> Result<(), Response> {
    if g.has(scope) {
        Ok(())
    } else {
        Err(errors::missing_access())
    }
}

/// A user object as others see it (no email, verified, locale, mfa_enabled, premium_type).
pub fn public_user(u: &Value) -> Value {
    let mut u = u.clone();
    if let Value::Object(map) = &mut u {
        for k in ["email", "verified", "locale", "mfa_enabled", "premium_type"] {
            map.remove(k);
        }
    }
    u
}

/// The current user; `email` and `verified` only with the `email` scope, and the real
/// `premium_type` only with `identify.premium`: without it Discord reports `0` whatever the
/// user's Nitro (May 2026 change).
/// <https://discord.com/developers/docs/resources/user#get-current-user>
/// <https://discord.com/developers/docs/topics/oauth2#shared-resources-oauth2-scopes>
fn current_user(u: &Value, g: &Grant) -> Value {
    let mut u = u.clone();
    if let Value::Object(map) = &mut u {
        if !g.has("email") {
            map.remove("email");
            map.remove("verified");
        }
        if !g.has("identify.premium") && map.contains_key("premium_type") {
            map.insert("premium_type".into(), Value::from(0));
        }
    }
    u
}

macro_rules! tri {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(resp) => return resp,
        }
    };
}

/// `GET /users/@me` (Bearer with `identify` or `email`; a Bot token gets the bot user).
pub async fn me(State(emu): State<Shared>, headers: HeaderMap) -> Response {
    let st = emu.lock();
    if let Ok(app) = bot(&st, &headers) {
        return json_response(StatusCode::OK, app.bot.as_ref().unwrap_or(&Value::Null));
    }
    let g = tri!(bearer(&st, &headers));
    if !g.has("identify") && !g.has("email") {
        return errors::missing_access();
    }
    match st.user(&g.user_id) {
        Some(u) => json_response(StatusCode::OK, &current_user(u, &g)),
        None => errors::unknown_user(),
    }
}

fn coerce_error(field: &str, code: &str, message: &str) -> Response {
    errors::invalid_form_body(json!({ field: field_error(code, message) }))
}

/// `GET /users/@me/guilds` (`guilds`): `before`, `after`, `limit` (1–200, default 200),
/// `with_counts`. <https://discord.com/developers/docs/resources/user#get-current-user-guilds>
pub async fn guilds(State(emu): State<Shared>, req: Request) -> Response {
    let q = Params::parse(req.uri().query().unwrap_or("").as_bytes());
    let st = emu.lock();
    let g = tri!(bearer(&st, req.headers()));
    tri!(require(&g, "guilds"));
    let limit = match q.get("limit") {
        None => 200,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if n > 200 => {
                return coerce_error(
                    "limit",
                    "NUMBER_TYPE_MAX",
                    "int value should be less than or equal to 200.",
                );
            }
            Ok(n) if n < 1 => {
                return coerce_error(
                    "limit",
                    "NUMBER_TYPE_MIN",
                    "int value should be greater than or equal to 1.",
                );
            }
            Ok(n) => n as usize,
            Err(_) => {
                return coerce_error(
                    "limit",
                    "NUMBER_TYPE_COERCE",
                    &format!("Value \"{v}\" is not int."),
                );
            }
        },
    };
    let mut bounds = [None, None];
    for (i, key) in ["before", "after"].iter().enumerate() {
        if let Some(v) = q.get(key) {
            match v.parse::<u64>() {
                Ok(n) => bounds[i] = Some(n),
                Err(_) => {
                    return coerce_error(
                        key,
                        "NUMBER_TYPE_COERCE",
                        &format!("Value \"{v}\" is not snowflake."),
                    );
                }
            }
        }
    }
    let with_counts = match q.get("with_counts") {
        None | Some("false") | Some("False") | Some("0") => false,
        Some("true") | Some("True") | Some("1") => true,
        Some(v) => {
            return coerce_error(
                "with_counts",
                "BOOLEAN_TYPE_COERCE",
                &format!("Value \"{v}\" is not a valid boolean."),
            );
        }
    };
    let mut list: Vec<(u64, Value)> = st
        .memberships
        .iter()
        .filter(|m| m.user_id == g.user_id)
        .filter_map(|m| {
            let guild = st.guild(&m.guild_id)?;
            let id = m.guild_id.parse::<u64>().ok()?;
            let mut o = Map::new();
            for k in ["id", "name", "icon", "banner"] {
                o.insert(k.into(), guild.get(k).cloned().unwrap_or(Value::Null));
            }
            o.insert(
                "owner".into(),
                json!(guild["owner_id"] == g.user_id.as_str()),
            );
            o.insert("permissions".into(), json!(m.permissions));
            o.insert(
                "features".into(),
                guild.get("features").cloned().unwrap_or_else(|| json!([])),
            );
            if with_counts {
                for k in ["approximate_member_count", "approximate_presence_count"] {
                    o.insert(k.into(), guild.get(k).cloned().unwrap_or(json!(0)));
                }
            }
            Some((id, Value::Object(o)))
        })
        .collect();
    list.sort_by_key(|(id, _)| *id);
    let page: Vec<Value> = match bounds {
        [Some(before), _] => {
            let older: Vec<_> = list.into_iter().filter(|(id, _)| *id < before).collect();
            let skip = older.len().saturating_sub(limit);
            older.into_iter().skip(skip).map(|(_, v)| v).collect()
        }
        [None, after] => list
            .into_iter()
            .filter(|(id, _)| after.is_none_or(|a| *id > a))
            .take(limit)
            .map(|(_, v)| v)
            .collect(),
    };
    json_response(StatusCode::OK, &Value::from(page))
}

/// `GET /users/@me/connections` (`connections`).
pub async fn connections(State(emu): State<Shared>, headers: HeaderMap) -> Response {
    let st = emu.lock();
    let g = tri!(bearer(&st, &headers));
    tri!(require(&g, "connections"));
    let list: Vec<Value> = st
        .connections
        .iter()
        .filter(|c| c["user_id"] == g.user_id.as_str())
        .map(|c| {
            let mut c = c.clone();
            if let Value::Object(m) = &mut c {
                m.remove("user_id");
            }
            c
        })
        .collect();
    json_response(StatusCode::OK, &Value::from(list))
}

/// The member object with its `user`.
pub fn member_object(st: &EmuState, member: &Value, user_id: &str) -> Value {
    let mut m = match member {
        Value::Object(m) => m.clone(),
        _ => Map::new(),
    };
    if let Some(u) = st.user(user_id) {
        m.insert("user".into(), public_user(u));
    }
    Value::Object(m)
}

/// Reads a path parameter.
pub fn param(params: &RawPathParams, name: &str) -> String {
    params
        .iter()
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .unwrap_or_default()
}

/// `GET /users/@me/guilds/{guild_id}/member` (`guilds.members.read`); not a member or no such
/// guild: `404 {"message": "Unknown Guild", "code": 10004}`.
pub async fn member(
    State(emu): State<Shared>,
    params: RawPathParams,
    headers: HeaderMap,
) -> Response {
    let guild_id = param(&params, "guild_id");
    let st = emu.lock();
    let g = tri!(bearer(&st, &headers));
    tri!(require(&g, "guilds.members.read"));
    match st.membership(&guild_id, &g.user_id) {
        Some(m) => json_response(StatusCode::OK, &member_object(&st, &m.member, &g.user_id)),
        None => errors::unknown_guild(),
    }
}

/// The partial application object of `/oauth2/@me`.
pub fn partial_application(app: &AppFixture) -> Value {
    json!({
        "id": app.id, "name": app.name, "icon": app.icon, "description": app.description,
        "summary": "", "type": null, "hook": true, "bot_public": app.bot_public,
        "bot_require_code_grant": false,
        "verify_key": crate::events::verify_key(app),
        // Discord sends both: `flags` stops at bit 30, `flags_new` (a decimal string) has
        // every bit (Discord's OpenAPI description requires both).
        "flags": 0,
        "flags_new": "0"
    })
}

/// `GET /oauth2/@me`: any Bearer token; `user` only with `identify`.
/// <https://discord.com/developers/docs/topics/oauth2#get-current-authorization-information>
pub async fn oauth2_me(State(emu): State<Shared>, headers: HeaderMap) -> Response {
    let st = emu.lock();
    let g = tri!(bearer(&st, &headers));
    let Some(app) = st.app(&g.app_id) else {
        return errors::unauthorized();
    };
    let mut body = json!({
        "application": partial_application(app),
        "scopes": g.scopes,
        "expires": iso8601(g.expires_at),
    });
    if g.has("identify")
        && let Some(u) = st.user(&g.user_id)
    {
        body["user"] = public_user(u);
    }
    json_response(StatusCode::OK, &body)
}
