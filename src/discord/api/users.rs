//! `GET /users/@me` and `GET /users/@me/connections`.
//! <https://discord.com/developers/docs/resources/user>

use crate::discord::config::ApiConfig;
use crate::discord::error::Result;
use crate::discord::http::{HttpRequest, HttpResponse, Method};
use crate::discord::json::JsonCodec;
use crate::discord::models::{Connection, User};
use crate::discord::secret::AccessToken;

use super::{Authorization, parse_json, request};

/// `GET /users/@me`: the user behind the token (`identify`; `email` adds `email` and
/// `verified`). <https://discord.com/developers/docs/resources/user#get-current-user>
pub fn get_current_user(config: &ApiConfig, token: &AccessToken) -> HttpRequest {
    request(
        config,
        Method::Get,
        "/users/@me",
        Authorization::Bearer(token),
        None,
    )
}

/// Parses the answer to [`get_current_user`].
pub fn process_current_user<J: JsonCodec>(response: &HttpResponse) -> Result<User> {
    parse_json::<J, User>(response)
}

/// `GET /users/@me/connections`: linked accounts (`connections` scope).
/// <https://discord.com/developers/docs/resources/user#get-current-user-connections>
pub fn get_current_user_connections(config: &ApiConfig, token: &AccessToken) -> HttpRequest {
    request(
        config,
        Method::Get,
        "/users/@me/connections",
        Authorization::Bearer(token),
        None,
    )
}

/// Parses the answer to [`get_current_user_connections`].
pub fn process_current_user_connections<J: JsonCodec>(
    response: &HttpResponse,
) -> Result<Vec<Connection>> {
    parse_json::<J, Vec<Connection>>(response)
}
