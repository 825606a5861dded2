//! The Bot-token API: adding a member with the user's `guilds.join` token and the bot's
//! application.

use axum::body::Body;
use axum::extract::{RawPathParams, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::api::{bot, member_object, param, partial_application, public_user};
use crate::errors::{self, field_error, json_response};
use crate::fixtures::MembershipFixture;
use crate::state::Shared;
use crate::util::{iso8601, now_secs, parse_json, read_body};

/// Permissions of a member who only has `@everyone` (Discord's default role permissions).
pub const EVERYONE_PERMISSIONS: &str = "104324673";

macro_rules! tri {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(resp) => return resp,
        }
    };
}

/// Validates the JSON body of Add Guild Member; returns the member fields.
fn member_fields(body: &Value) -> Result<(String, Map<String, Value>), Response> {
    let Value::Object(obj) = body else {
        return Err(errors::invalid_form_body(field_error(
            "DICT_TYPE_CONVERT",
            "Only dictionaries may be used in a DictType",
        )));
    };
    let mut errs = Map::new();
    let token = match obj.get("access_token") {
        Some(Value::String(t)) if !t.is_empty() => t.clone(),
        _ => {
            errs.insert(
                "access_token".into(),
                field_error("BASE_TYPE_REQUIRED", "This field is required"),
            );
            String::new()
        }
    };
    let mut fields = Map::new();
    match obj.get("nick") {
        None | Some(Value::Null) => {
            fields.insert("nick".into(), Value::Null);
        }
        Some(Value::String(n)) if n.chars().count() <= 32 => {
            fields.insert("nick".into(), json!(n));
        }
        Some(_) => {
            errs.insert(
                "nick".into(),
                field_error(
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 32 in length.",
                ),
            );
        }
    }
    match obj.get("roles") {
        None | Some(Value::Null) => {
            fields.insert("roles".into(), json!([]));
        }
        Some(Value::Array(r))
            if r.iter()
                .all(|x| x.as_str().is_some_and(|s| s.parse::<u64>().is_ok())) =>
        {
            fields.insert("roles".into(), Value::Array(r.clone()));
        }
        Some(_) => {
            errs.insert(
                "roles".into(),
                field_error("NUMBER_TYPE_COERCE", "Value is not snowflake."),
            );
        }
    }
    for key in ["mute", "deaf"] {
        match obj.get(key) {
            None | Some(Value::Null) => {
                fields.insert(key.into(), json!(false));
            }
            Some(Value::Bool(b)) => {
                fields.insert(key.into(), json!(b));
            }
            Some(_) => {
                errs.insert(
                    key.into(),
                    field_error("BOOLEAN_TYPE_COERCE", "Value is not a valid boolean."),
                );
            }
        }
    }
    if errs.is_empty() {
        Ok((token, fields))
    } else {
        Err(errors::invalid_form_body(Value::Object(errs)))
    }
}

/// `PUT /guilds/{guild_id}/members/{user_id}` (Bot token; JSON `{access_token, nick, roles,
/// mute, deaf}`): `201` with the member the first time, `204` when already a member.
/// <https://discord.com/developers/docs/resources/guild#add-guild-member>
pub async fn add_member(
    State(emu): State<Shared>,
    params: RawPathParams,
    req: Request,
) -> Response {
    let guild_id = param(&params, "guild_id");
    let user_id = param(&params, "user_id");
    let (parts, body) = req.into_parts();
    {
        let st = emu.lock();
        let app = tri!(bot(&st, &parts.headers));
        if st.guild(&guild_id).is_none() {
            return errors::unknown_guild();
        }
        // "in order to add a user to a guild, your bot has to already belong to that guild"
        if !app.bot_guild_ids.contains(&guild_id) {
            return errors::missing_access();
        }
        if st.user(&user_id).is_none() {
            return errors::unknown_user();
        }
    }
    let bytes = tri!(read_body(&parts.headers, body).await);
    let value = tri!(parse_json(&bytes));
    let (token, mut fields) = tri!(member_fields(&value));
    let mut st = emu.lock();
    let app = tri!(bot(&st, &parts.headers));
    let token_ok = st
        .grant_by_access(&token)
        .is_some_and(|g| g.app_id == app.id && g.user_id == user_id && g.has("guilds.join"));
    if !token_ok {
        return errors::discord(StatusCode::FORBIDDEN, 50025, "Invalid OAuth2 access token");
    }
    if st.membership(&guild_id, &user_id).is_some() {
        let mut resp = Response::new(Body::empty());
        *resp.status_mut() = StatusCode::NO_CONTENT;
        return resp;
    }
    for (k, v) in [
        ("avatar", Value::Null),
        ("banner", Value::Null),
        ("joined_at", json!(iso8601(now_secs()))),
        ("premium_since", Value::Null),
        ("flags", json!(0)),
        ("pending", json!(false)),
        ("communication_disabled_until", Value::Null),
        ("unusual_dm_activity_until", Value::Null),
    ] {
        fields.insert(k.into(), v);
    }
    let member = Value::Object(fields);
    st.memberships.push(MembershipFixture {
        guild_id: guild_id.clone(),
        user_id: user_id.clone(),
        permissions: EVERYONE_PERMISSIONS.to_owned(),
        member: member.clone(),
    });
    json_response(StatusCode::CREATED, &member_object(&st, &member, &user_id))
}

/// `GET /oauth2/applications/@me` (Bot token): the bot's application.
/// <https://discord.com/developers/docs/topics/oauth2#get-current-bot-application-information>
pub async fn current_application(State(emu): State<Shared>, req: Request) -> Response {
    let st = emu.lock();
    let app = tri!(bot(&st, req.headers()));
    let mut body = partial_application(&app);
    body["owner"] = st
        .user(&app.owner_id)
        .map(public_user)
        .unwrap_or(Value::Null);
    body["bot"] = app.bot.clone().map_or(Value::Null, |mut bot| {
        // A user object always carries `primary_guild` (Discord's OpenAPI: required, nullable).
        if let Some(fields) = bot.as_object_mut() {
            fields.entry("primary_guild").or_insert(Value::Null);
        }
        bot
    });
    body["team"] = Value::Null;
    body["redirect_uris"] = json!(app.redirect_uris);
    body["rpc_origins"] = json!([]);
    body["interactions_endpoint_url"] = Value::Null;
    body["role_connections_verification_url"] = Value::Null;
    body["approximate_guild_count"] = json!(app.bot_guild_ids.len());
    // Users who installed the app to their account (integration type 1) and users with any
    // authorization: the emulator counts its live grants for both.
    let mut users: Vec<&str> = st
        .grants
        .values()
        .filter(|g| g.app_id == app.id)
        .map(|g| g.user_id.as_str())
        .collect();
    users.sort_unstable();
    users.dedup();
    body["approximate_user_install_count"] = json!(users.len());
    body["approximate_user_authorization_count"] = json!(users.len());
    body["explicit_content_filter"] = json!(0);
    // The scopes an ordinary app may ask for (Discord lists the app's own; the RPC, activity
    // and DM scopes need Discord's approval).
    body["eligible_oauth2_scopes"] = json!([
        "identify",
        "email",
        "connections",
        "guilds",
        "guilds.join",
        "guilds.members.read",
        "bot",
        "webhook.incoming",
        "applications.commands",
        "role_connections.write",
        "openid"
    ]);
    body["tags"] = json!([]);
    json_response(StatusCode::OK, &body)
}
