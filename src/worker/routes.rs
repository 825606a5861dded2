//! The route table (`docs/worker.md`): a path is matched once into a typed [`Route`], which
//! both [`DiscordAuth::handle`](super::DiscordAuth::handle) and the hot path (`fast.rs`)
//! dispatch on. No route string is compared anywhere else.

use super::calls::Read;
use super::oidc::OidcRoute;
use super::validate;

/// Which methods a route takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Methods {
    /// `GET` and `HEAD`.
    Read,
    /// `POST` only.
    Post,
    /// Whatever the raw-call table allows for the path (its handler answers 404 and 405).
    Any,
}

impl Methods {
    /// The `Allow` header of a 405.
    pub fn allow(self) -> &'static str {
        match self {
            Methods::Read => "GET, HEAD",
            Methods::Post => "POST",
            Methods::Any => "GET, HEAD, POST, PUT, PATCH, DELETE",
        }
    }
}

/// The origin (`scheme://host[:port]`) and the path of a request URL as the runtime serializes
/// it (WHATWG: host lowercased, default port dropped); `None` for anything but a plain `http`
/// or `https` URL (one with credentials, whose origin leaves them out), which the full path,
/// with its URL parser, then answers. For the deployable Worker's entry (`fast.rs`).
#[cfg(any(test, feature = "worker-entry"))]
pub fn split_url(url: &str) -> Option<(&str, &str)> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    if authority_len == 0 || rest[..authority_len].contains('@') {
        return None;
    }
    let origin_len = url.len() - rest.len() + authority_len;
    let path = url[origin_len..]
        .split(['?', '#'])
        .next()
        .unwrap_or_default();
    Some((&url[..origin_len], path))
}

/// A guild id in a path that is not a snowflake: no such guild (404).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NoSuchGuild;

/// One of the contract's routes under `/auth` and `/api` (docs/contract.md §4), and the
/// OpenID provider's (§13).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route<'a> {
    /// `GET /auth/login`
    Login,
    /// `GET /auth/callback`
    Callback,
    /// `GET /auth/session`
    Session,
    /// `POST /auth/logout`
    Logout,
    /// `GET /api/users/@me`, `/api/users/@me/guilds`, `/api/users/@me/connections`,
    /// `/api/oauth2/@me`
    Read(Read),
    /// `GET /api/users/@me/guilds/{id}/member` with the path's guild segment as given (an id
    /// that is not a snowflake is a 404, answered by the route).
    Member(&'a str),
    /// `POST /api/guilds/{id}/join`
    Join(&'a str),
    /// `POST /api/token`: a Discord Activity's code exchange (docs/contract.md §8).
    ActivityToken,
    /// `POST /auth/events`: Discord's signed Webhook Events (docs/contract.md §10).
    Events,
    /// `ANY /api/{route}` beyond the fixed routes: a raw call through the route table
    /// (docs/contract.md §12), with the Discord path (`/users/@me/…`).
    Raw(&'a str),
    /// The OpenID provider's routes (docs/contract.md §13): `/.well-known/openid-configuration`
    /// and `/oidc/…`.
    Oidc(OidcRoute),
    /// The Linked Roles routes under `/auth/linked-roles` (docs/linked-roles.md), answered when
    /// the host Worker set them up with `DiscordAuth::linked_roles`.
    LinkedRoles(LinkedRolesRoute),
}

/// A route of the Linked Roles flow (docs/linked-roles.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkedRolesRoute {
    /// `GET /auth/linked-roles`: the application's Linked Roles Verification URL.
    Verify,
    /// `POST /auth/linked-roles/push`: the host's backend pushes a user's role connection.
    Push,
    /// `POST /auth/linked-roles/metadata`: registers the application's metadata records.
    Metadata,
}

impl<'a> Route<'a> {
    /// The route of a path (`/auth/…` or `/api/…`), if it is one of the contract's.
    pub fn parse(path: &'a str) -> Option<Route<'a>> {
        let mut segments = path.strip_prefix('/')?.split('/');
        let first = segments.next()?;
        let rest: [Option<&str>; 5] = std::array::from_fn(|_| segments.next());
        let longer = segments.next().is_some();
        if longer {
            // Only a raw call can be that deep.
            return (first == "api").then(|| Route::Raw(&path["/api".len()..]));
        }
        Some(match (first, rest) {
            ("auth", [Some("login"), None, ..]) => Route::Login,
            ("auth", [Some("callback"), None, ..]) => Route::Callback,
            ("auth", [Some("session"), None, ..]) => Route::Session,
            ("auth", [Some("logout"), None, ..]) => Route::Logout,
            ("auth", [Some("events"), None, ..]) => Route::Events,
            ("auth", [Some("linked-roles"), None, ..]) => {
                Route::LinkedRoles(LinkedRolesRoute::Verify)
            }
            ("auth", [Some("linked-roles"), Some("push"), None, ..]) => {
                Route::LinkedRoles(LinkedRolesRoute::Push)
            }
            ("auth", [Some("linked-roles"), Some("metadata"), None, ..]) => {
                Route::LinkedRoles(LinkedRolesRoute::Metadata)
            }
            (".well-known", [Some("openid-configuration"), None, ..]) => {
                Route::Oidc(OidcRoute::Discovery)
            }
            ("oidc", [Some("authorize"), None, ..]) => Route::Oidc(OidcRoute::Authorize),
            ("oidc", [Some("token"), None, ..]) => Route::Oidc(OidcRoute::Token),
            ("oidc", [Some("userinfo"), None, ..]) => Route::Oidc(OidcRoute::UserInfo),
            ("oidc", [Some("jwks.json"), None, ..]) => Route::Oidc(OidcRoute::Jwks),
            ("api", [Some("users"), Some("@me"), None, ..]) => Route::Read(Read::User),
            ("api", [Some("users"), Some("@me"), Some("guilds"), None, ..]) => {
                Route::Read(Read::Guilds)
            }
            ("api", [Some("users"), Some("@me"), Some("connections"), None, ..]) => {
                Route::Read(Read::Connections)
            }
            (
                "api",
                [
                    Some("users"),
                    Some("@me"),
                    Some("guilds"),
                    Some(id),
                    Some("member"),
                ],
            ) => Route::Member(id),
            ("api", [Some("oauth2"), Some("@me"), None, ..]) => Route::Read(Read::Authorization),
            ("api", [Some("guilds"), Some(id), Some("join"), None, ..]) => Route::Join(id),
            ("api", [Some("token"), None, ..]) => Route::ActivityToken,
            ("api", [Some(_), ..]) => Route::Raw(&path["/api".len()..]),
            _ => return None,
        })
    }

    /// The methods the route takes.
    pub fn methods(self) -> Methods {
        match self {
            Route::Logout
            | Route::Join(_)
            | Route::ActivityToken
            | Route::Events
            | Route::LinkedRoles(LinkedRolesRoute::Push | LinkedRolesRoute::Metadata)
            | Route::Oidc(OidcRoute::Token) => Methods::Post,
            Route::Raw(_) => Methods::Any,
            _ => Methods::Read,
        }
    }

    /// The route's pattern, for the log line.
    pub fn name(self) -> &'static str {
        match self {
            Route::Login => "/auth/login",
            Route::Callback => "/auth/callback",
            Route::Session => "/auth/session",
            Route::Logout => "/auth/logout",
            Route::Read(Read::User) => "/api/users/@me",
            Route::Read(Read::Guilds) => "/api/users/@me/guilds",
            Route::Read(Read::Connections) => "/api/users/@me/connections",
            Route::Read(Read::Authorization) => "/api/oauth2/@me",
            Route::Read(Read::Member(_)) | Route::Member(_) => "/api/users/@me/guilds/{id}/member",
            Route::Join(_) => "/api/guilds/{id}/join",
            Route::ActivityToken => "/api/token",
            Route::Events => "/auth/events",
            Route::Raw(_) => "/api/{route}",
            Route::Oidc(r) => r.name(),
            Route::LinkedRoles(LinkedRolesRoute::Verify) => "/auth/linked-roles",
            Route::LinkedRoles(LinkedRolesRoute::Push) => "/auth/linked-roles/push",
            Route::LinkedRoles(LinkedRolesRoute::Metadata) => "/auth/linked-roles/metadata",
        }
    }

    /// The Discord read of an `/api` read route; [`NoSuchGuild`] for a member route whose
    /// guild id is not a snowflake (a 404); `None` for any other route.
    pub fn read(self) -> Option<Result<Read, NoSuchGuild>> {
        match self {
            Route::Read(r) => Some(Ok(r)),
            Route::Member(guild) => Some(
                validate::snowflake(guild)
                    .map(Read::Member)
                    .ok_or(NoSuchGuild),
            ),
            _ => None,
        }
    }
}

#[cfg(test)]
#[path = "routes_tests.rs"]
mod tests;
