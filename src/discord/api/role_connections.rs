//! Linked roles: the user's role connection (`role_connections.write`) and the
//! application's role-connection metadata (bot token).
//! <https://discord.com/developers/docs/resources/user#get-current-user-application-role-connection>
//! <https://discord.com/developers/docs/resources/application-role-connection-metadata>
//!
//! Discord documents GET and PUT for the user's role connection, and no DELETE; to clear it,
//! PUT an empty one.

use crate::discord::config::ApiConfig;
use crate::discord::error::Result;
use crate::discord::http::{HttpRequest, HttpResponse, Method};
use crate::discord::json::JsonCodec;
use crate::discord::models::{ApplicationRoleConnection, ApplicationRoleConnectionMetadata};
use crate::discord::secret::{AccessToken, BotToken};
use crate::discord::snowflake::Snowflake;

use super::{Authorization, json_body, parse_json, request};

fn user_path(application_id: Snowflake) -> String {
    format!("/users/@me/applications/{application_id}/role-connection")
}

fn metadata_path(application_id: Snowflake) -> String {
    format!("/applications/{application_id}/role-connections/metadata")
}

/// `GET /users/@me/applications/{application.id}/role-connection` (user token with
/// `role_connections.write` for that application).
pub fn get_user_role_connection(
    config: &ApiConfig,
    token: &AccessToken,
    application_id: Snowflake,
) -> HttpRequest {
    let path = user_path(application_id);
    request(
        config,
        Method::Get,
        &path,
        Authorization::Bearer(token),
        None,
    )
}

/// `PUT /users/@me/applications/{application.id}/role-connection`: sets the user's platform
/// name, username and metadata; checked with [`ApplicationRoleConnection::validate`] first.
pub fn update_user_role_connection<J: JsonCodec>(
    config: &ApiConfig,
    token: &AccessToken,
    application_id: Snowflake,
    connection: &ApplicationRoleConnection,
) -> Result<HttpRequest> {
    connection.validate()?;
    let body = json_body::<J, _>(connection)?;
    let path = user_path(application_id);
    Ok(request(
        config,
        Method::Put,
        &path,
        Authorization::Bearer(token),
        Some(body),
    ))
}

/// Parses the answer to [`get_user_role_connection`] and [`update_user_role_connection`].
pub fn process_user_role_connection<J: JsonCodec>(
    response: &HttpResponse,
) -> Result<ApplicationRoleConnection> {
    parse_json::<J, ApplicationRoleConnection>(response)
}

/// `GET /applications/{application.id}/role-connections/metadata` with the bot token.
pub fn get_role_connection_metadata(
    config: &ApiConfig,
    bot: &BotToken,
    application_id: Snowflake,
) -> HttpRequest {
    let path = metadata_path(application_id);
    request(config, Method::Get, &path, Authorization::Bot(bot), None)
}

/// `PUT /applications/{application.id}/role-connections/metadata` with the bot token:
/// replaces all records (at most 5), checked with
/// [`ApplicationRoleConnectionMetadata::validate_all`] first.
pub fn update_role_connection_metadata<J: JsonCodec>(
    config: &ApiConfig,
    bot: &BotToken,
    application_id: Snowflake,
    records: &[ApplicationRoleConnectionMetadata],
) -> Result<HttpRequest> {
    ApplicationRoleConnectionMetadata::validate_all(records)?;
    let body = json_body::<J, _>(records)?;
    let path = metadata_path(application_id);
    Ok(request(
        config,
        Method::Put,
        &path,
        Authorization::Bot(bot),
        Some(body),
    ))
}

/// Parses the answer to [`get_role_connection_metadata`] and
/// [`update_role_connection_metadata`].
pub fn process_role_connection_metadata<J: JsonCodec>(
    response: &HttpResponse,
) -> Result<Vec<ApplicationRoleConnectionMetadata>> {
    parse_json::<J, Vec<ApplicationRoleConnectionMetadata>>(response)
}
