//! Requests and response parsers for Discord's user-facing API, one pair per endpoint.
//!
//! Each endpoint has a builder that returns an [`HttpRequest`] (method, absolute URL from
//! [`ApiConfig`], headers, JSON body, rate-limit route key) and a `process_*` function that
//! turns the [`HttpResponse`] into a typed value or an [`Error`]. Nothing here does I/O.
//! Parsers are generic over a [`JsonCodec`], so the browser can use JS `JSON` and the Worker
//! `serde_json`.
//!
//! Headers on every request: `Authorization` (`Bearer <token>` or `Bot <token>`),
//! `User-Agent` (Discord asks for `DiscordBot (url, version)`;
//! <https://discord.com/developers/docs/reference#user-agent>), `Accept: application/json`,
//! and `Content-Type: application/json` when there is a body. In a browser `User-Agent`
//! cannot be set by `fetch`; the browser layer may drop it.

pub mod guilds;
pub mod members;
pub mod oauth2;
pub mod role_connections;
pub mod users;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::discord::config::ApiConfig;
use crate::discord::error::{Error, InputError, RawBody, Result};
use crate::discord::http::{Body, HttpRequest, HttpResponse, Method};
use crate::discord::json::{JsonCodec, JsonError};
use crate::discord::secret::{AccessToken, BotToken};

/// How a request authenticates. <https://discord.com/developers/docs/reference#authentication>
#[derive(Clone, Copy, Debug)]
pub enum Authorization<'a> {
    /// `Authorization: Bearer <access token>`: the user's OAuth2 token.
    Bearer(&'a AccessToken),
    /// `Authorization: Bot <bot token>`: the application's bot.
    Bot(&'a BotToken),
}

impl Authorization<'_> {
    /// The header value. It holds the token: do not log it.
    pub fn header_value(&self) -> String {
        match self {
            Authorization::Bearer(t) => ["Bearer ", t.secret()].concat(),
            Authorization::Bot(t) => ["Bot ", t.secret()].concat(),
        }
    }
}

/// The rate-limit route key of a request: the method and the path without query, with the
/// major parameters (`guilds/{id}`, `channels/{id}`, `webhooks/{id}`) kept as numbers and
/// every other id replaced by a name (`{user_id}`, `{application_id}`, ...), and webhook and
/// interaction tokens replaced by `{token}` (a route key must never hold a secret).
/// <https://discord.com/developers/docs/topics/rate-limits>
///
/// `route_key(Method::Put, "/guilds/81384788765712384/members/80351110224678912")` is
/// `"PUT /guilds/81384788765712384/members/{user_id}"`.
pub fn route_key(method: Method, path: &str) -> String {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let mut out = String::with_capacity(path.len() + 8);
    out.push_str(method.as_str());
    out.push(' ');
    let (mut prev, mut prev_was_id, mut before_prev) = ("", false, "");
    for (i, seg) in path.split('/').enumerate() {
        if i == 0 && seg.is_empty() {
            continue;
        }
        out.push('/');
        let is_id = !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit());
        if prev_was_id && matches!(before_prev, "webhooks" | "interactions") {
            out.push_str("{token}");
        } else if is_id {
            out.push_str(match prev {
                "guilds" | "channels" | "webhooks" => seg,
                "users" | "members" | "bans" => "{user_id}",
                "applications" => "{application_id}",
                "roles" => "{role_id}",
                "messages" => "{message_id}",
                _ => "{id}",
            });
        } else {
            out.push_str(seg);
        }
        before_prev = prev;
        prev = seg;
        prev_was_id = is_id;
    }
    out
}

/// Builds a request to `path` (which starts with `/`, relative to the API base).
pub(crate) fn request(
    config: &ApiConfig,
    method: Method,
    path: &str,
    auth: Authorization<'_>,
    body: Option<Body>,
) -> HttpRequest {
    let mut headers = vec![
        ("Authorization", auth.header_value()),
        ("User-Agent", config.user_agent.clone()),
        ("Accept", "application/json".to_owned()),
    ];
    if let Some(body) = &body {
        headers.push(("Content-Type", body.content_type().to_owned()));
    }
    HttpRequest {
        method,
        url: config.url(path),
        headers,
        body,
        route: route_key(method, path),
    }
}

/// Encodes a JSON body with the codec.
pub(crate) fn json_body<J: JsonCodec, T: Serialize + ?Sized>(value: &T) -> Result<Body> {
    J::encode(value).map(Body::Json).map_err(|e| {
        Error::Input(InputError::Invalid {
            field: "body",
            reason: e.to_string(),
        })
    })
}

/// A raw API call (the JS `client.request(method, route, body?)` and the Worker's
/// `bot_request`): `path` must start with a single `/`, may carry a query, and may not
/// hold `..` segments, backslashes, whitespace or control characters, so that it stays
/// under the API base.
pub fn raw_request(
    config: &ApiConfig,
    auth: Authorization<'_>,
    method: Method,
    path: &str,
    body: Option<Body>,
) -> Result<HttpRequest, InputError> {
    let bad = |reason: &str| InputError::Invalid {
        field: "path",
        reason: reason.to_owned(),
    };
    if !path.starts_with('/') || path.starts_with("//") {
        return Err(bad("must start with a single /"));
    }
    if path
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || c == '\\' || c == '#')
    {
        return Err(bad("may not hold whitespace, control characters, \\ or #"));
    }
    let without_query = path.split('?').next().unwrap_or_default();
    if without_query.split('/').any(is_dot_segment) {
        return Err(bad("may not hold . or .. segments"));
    }
    Ok(request(config, method, path, auth, body))
}

/// Whether a path segment is `.` or `..`, also percent-encoded (`%2e`, any case): each
/// character is `.` or `%2e`, one or two of them.
fn is_dot_segment(seg: &str) -> bool {
    let mut rest = seg.as_bytes();
    let mut dots = 0;
    while let [first, tail @ ..] = rest {
        rest = match (first, tail) {
            (b'.', _) => tail,
            (b'%', [b'2', e, after @ ..]) if e.eq_ignore_ascii_case(&b'e') => after,
            _ => return false,
        };
        dots += 1;
    }
    dots == 1 || dots == 2
}

/// Parses a successful JSON response into `T`; any other status becomes an [`Error`]
/// through [`Error::from_response`] (429 → rate limited, Discord's JSON error → `Api`, ...).
/// A 2xx body that is not the documented JSON is an [`Error::Parse`] keeping the body.
pub fn parse_json<J: JsonCodec, T: DeserializeOwned>(response: &HttpResponse) -> Result<T> {
    parse_with::<J, T>(response, J::decode)
}

/// [`parse_json`] with the body read by `decode` (e.g. [`JsonCodec::decode_list_members`],
/// which reads only some members).
pub(crate) fn parse_with<J: JsonCodec, T>(
    response: &HttpResponse,
    decode: impl FnOnce(&str) -> std::result::Result<T, JsonError>,
) -> Result<T> {
    if !response.is_success() {
        return Err(Error::from_response::<J>(response));
    }
    decode(&response.body).map_err(|e| Error::Parse {
        status: response.status,
        reason: e.to_string(),
        body: RawBody::new(response.body.clone()),
    })
}

/// The body of a successful response to a raw call, or the [`Error`] for any other status.
pub fn process_raw<J: JsonCodec>(response: &HttpResponse) -> Result<&str> {
    if response.is_success() {
        Ok(&response.body)
    } else {
        Err(Error::from_response::<J>(response))
    }
}

#[cfg(test)]
mod tests;
