//! `GET /oauth2/@me` and `GET /oauth2/applications/@me`.
//! <https://discord.com/developers/docs/topics/oauth2#get-current-authorization-information>

use crate::discord::config::ApiConfig;
use crate::discord::error::Result;
use crate::discord::http::{HttpRequest, HttpResponse, Method};
use crate::discord::json::JsonCodec;
use crate::discord::models::{Application, AuthorizationInfo};
use crate::discord::secret::{AccessToken, BotToken};

use super::{Authorization, parse_json, request};

/// `GET /oauth2/@me`: the application, granted scopes, expiry and (with `identify`) user of
/// a bearer token. <https://discord.com/developers/docs/topics/oauth2#get-current-authorization-information>
pub fn get_current_authorization(config: &ApiConfig, token: &AccessToken) -> HttpRequest {
    request(
        config,
        Method::Get,
        "/oauth2/@me",
        Authorization::Bearer(token),
        None,
    )
}

/// Parses the answer to [`get_current_authorization`].
pub fn process_current_authorization<J: JsonCodec>(
    response: &HttpResponse,
) -> Result<AuthorizationInfo> {
    parse_json::<J, AuthorizationInfo>(response)
}

/// `GET /oauth2/applications/@me` with the bot token: the bot's application.
/// <https://discord.com/developers/docs/topics/oauth2#get-current-bot-application-information>
pub fn get_current_application(config: &ApiConfig, bot: &BotToken) -> HttpRequest {
    request(
        config,
        Method::Get,
        "/oauth2/applications/@me",
        Authorization::Bot(bot),
        None,
    )
}

/// Parses the answer to [`get_current_application`].
pub fn process_current_application<J: JsonCodec>(response: &HttpResponse) -> Result<Application> {
    parse_json::<J, Application>(response)
}
