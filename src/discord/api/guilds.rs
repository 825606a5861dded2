//! `GET /users/@me/guilds`.
//! <https://discord.com/developers/docs/resources/user#get-current-user-guilds>

use crate::discord::config::ApiConfig;
use crate::discord::error::{InputError, Result};
use crate::discord::http::{HttpRequest, HttpResponse, Method};
use crate::discord::json::JsonCodec;
use crate::discord::models::Guild;
use crate::discord::secret::AccessToken;
use crate::discord::snowflake::Snowflake;

use super::{Authorization, parse_json, request};

/// Most guilds one page may hold (also Discord's default, and the most a user can join, so
/// one call without paging returns them all).
pub const MAX_GUILDS_LIMIT: u16 = 200;

/// Query parameters of `GET /users/@me/guilds`; all optional.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GuildsQuery {
    /// Guilds before this guild id.
    pub before: Option<Snowflake>,
    /// Guilds after this guild id.
    pub after: Option<Snowflake>,
    /// How many guilds (1–200; Discord's default 200).
    pub limit: Option<u16>,
    /// Include `approximate_member_count` and `approximate_presence_count`.
    pub with_counts: bool,
}

/// `GET /users/@me/guilds` (`guilds` scope). A `limit` outside 1–200 is an
/// [`InputError::Invalid`] on `limit`.
pub fn get_current_user_guilds(
    config: &ApiConfig,
    token: &AccessToken,
    query: &GuildsQuery,
) -> Result<HttpRequest, InputError> {
    let mut params = form_urlencoded::Serializer::new(String::new());
    if let Some(before) = query.before {
        params.append_pair("before", &before.to_string());
    }
    if let Some(after) = query.after {
        params.append_pair("after", &after.to_string());
    }
    if let Some(limit) = query.limit {
        if !(1..=MAX_GUILDS_LIMIT).contains(&limit) {
            return Err(InputError::Invalid {
                field: "limit",
                reason: format!("must be 1 to {MAX_GUILDS_LIMIT}, got {limit}"),
            });
        }
        params.append_pair("limit", &limit.to_string());
    }
    if query.with_counts {
        // Discord's boolean query strings: `true`/`false`.
        // <https://discord.com/developers/docs/reference#boolean-query-strings>
        params.append_pair("with_counts", "true");
    }
    let query = params.finish();
    let path = if query.is_empty() {
        "/users/@me/guilds".to_owned()
    } else {
        format!("/users/@me/guilds?{query}")
    };
    Ok(request(
        config,
        Method::Get,
        &path,
        Authorization::Bearer(token),
        None,
    ))
}

/// Parses the answer to [`get_current_user_guilds`].
pub fn process_current_user_guilds<J: JsonCodec>(response: &HttpResponse) -> Result<Vec<Guild>> {
    parse_json::<J, Vec<Guild>>(response)
}
