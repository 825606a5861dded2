//! The current user's guild member, and adding a user to a guild (`guilds.join`).
//! <https://discord.com/developers/docs/resources/user#get-current-user-guild-member>
//! <https://discord.com/developers/docs/resources/guild#add-guild-member>

use serde::Serialize;

use crate::discord::config::ApiConfig;
use crate::discord::error::{Error, InputError, RawBody, Result};
use crate::discord::http::{HttpRequest, HttpResponse, Method};
use crate::discord::json::JsonCodec;
use crate::discord::models::Member;
use crate::discord::secret::{AccessToken, BotToken};
use crate::discord::snowflake::Snowflake;

use super::{Authorization, json_body, parse_json, request};

/// `GET /users/@me/guilds/{guild.id}/member` (`guilds.members.read` scope).
pub fn get_current_user_guild_member(
    config: &ApiConfig,
    token: &AccessToken,
    guild_id: Snowflake,
) -> HttpRequest {
    let path = format!("/users/@me/guilds/{guild_id}/member");
    request(
        config,
        Method::Get,
        &path,
        Authorization::Bearer(token),
        None,
    )
}

/// Parses the answer to [`get_current_user_guild_member`].
pub fn process_current_user_guild_member<J: JsonCodec>(response: &HttpResponse) -> Result<Member> {
    parse_json::<J, Member>(response)
}

/// The JSON body of `PUT /guilds/{guild.id}/members/{user.id}`. It carries the *user's*
/// access token (with `guilds.join`), which `Debug` redacts. Setting `nick`, `roles`,
/// `mute` or `deaf` needs the bot to hold the matching permission.
/// <https://discord.com/developers/docs/resources/guild#add-guild-member-json-params>
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AddGuildMember {
    /// The user's OAuth2 access token, granted `guilds.join` for the bot's application.
    pub access_token: AccessToken,
    /// The nickname (1–32 characters; needs `MANAGE_NICKNAMES`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nick: Option<String>,
    /// Role ids to assign (needs `MANAGE_ROLES`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<Snowflake>>,
    /// Whether to mute in voice (needs `MUTE_MEMBERS`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mute: Option<bool>,
    /// Whether to deafen in voice (needs `DEAFEN_MEMBERS`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deaf: Option<bool>,
}

impl AddGuildMember {
    /// A body with only the access token.
    pub fn new(access_token: AccessToken) -> Self {
        AddGuildMember {
            access_token,
            nick: None,
            roles: None,
            mute: None,
            deaf: None,
        }
    }

    /// Checks what Discord would refuse: an empty access token, a nickname outside 1–32
    /// characters, duplicate roles.
    pub fn validate(&self) -> Result<(), InputError> {
        if self.access_token.secret().trim().is_empty() {
            return Err(InputError::Invalid {
                field: "access_token",
                reason: "is empty".to_owned(),
            });
        }
        if let Some(nick) = &self.nick {
            let n = nick.chars().count();
            if !(1..=32).contains(&n) {
                return Err(InputError::Invalid {
                    field: "nick",
                    reason: format!("must be 1 to 32 characters, got {n}"),
                });
            }
        }
        if let Some(roles) = &self.roles
            && roles
                .iter()
                .enumerate()
                .any(|(i, r)| roles[..i].contains(r))
        {
            return Err(InputError::Invalid {
                field: "roles",
                reason: "holds the same role twice".to_owned(),
            });
        }
        Ok(())
    }
}

/// `PUT /guilds/{guild.id}/members/{user.id}` with the bot token: adds the user to the guild.
/// The bot must be in the guild with `CREATE_INSTANT_INVITE`.
pub fn add_guild_member<J: JsonCodec>(
    config: &ApiConfig,
    bot: &BotToken,
    guild_id: Snowflake,
    user_id: Snowflake,
    params: &AddGuildMember,
) -> Result<HttpRequest> {
    params.validate()?;
    let body = json_body::<J, _>(params)?;
    let path = format!("/guilds/{guild_id}/members/{user_id}");
    Ok(request(
        config,
        Method::Put,
        &path,
        Authorization::Bot(bot),
        Some(body),
    ))
}

/// What adding a member did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AddGuildMemberOutcome {
    /// 201 Created: the user joined; Discord returns the new member.
    Joined(Box<Member>),
    /// 204 No Content: the user was already a member (nothing changed).
    AlreadyMember,
}

impl AddGuildMemberOutcome {
    /// Whether the user joined now (the Worker's `{"joined": …}`).
    pub fn joined(&self) -> bool {
        matches!(self, AddGuildMemberOutcome::Joined(_))
    }
}

/// Parses the answer to [`add_guild_member`]: 201 → [`AddGuildMemberOutcome::Joined`],
/// 204 → [`AddGuildMemberOutcome::AlreadyMember`]. A 200 with a member body is read as
/// joined, tolerantly; any other 2xx is an [`Error::Parse`].
pub fn process_add_guild_member<J: JsonCodec>(
    response: &HttpResponse,
) -> Result<AddGuildMemberOutcome> {
    match response.status {
        204 => Ok(AddGuildMemberOutcome::AlreadyMember),
        200 | 201 => {
            parse_json::<J, Member>(response).map(|m| AddGuildMemberOutcome::Joined(Box::new(m)))
        }
        s if (200..300).contains(&s) => Err(Error::Parse {
            status: s,
            reason: "Add Guild Member answers 201 or 204".to_owned(),
            body: RawBody::new(response.body.clone()),
        }),
        _ => Err(Error::from_response::<J>(response)),
    }
}
