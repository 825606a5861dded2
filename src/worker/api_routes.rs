//! The route table of raw calls from the page (docs/contract.md §12): `ANY /api/{route}` beyond
//! the fixed routes passes a Discord call through with the session's token when its method and
//! path match an entry. The defaults are Discord's user-token reads; the var `API_ROUTES` adds
//! entries (comma-separated `METHOD /path`, Discord paths without `/api/v10`, `{name}` matching
//! one snowflake segment). Every entry is a call the page may make with the user's token.
//! Pure data, matched once; natively tested.

use crate::discord::http::Method;
use std::fmt;

/// One segment of a pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    /// This text exactly.
    Literal(String),
    /// One snowflake (`{name}`).
    Snowflake,
}

/// One entry: a method and a path pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiRoute {
    method: Method,
    segments: Vec<Segment>,
}

/// Why an `API_ROUTES` entry was refused (a `config_error` naming the setting).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadApiRoute(pub String);

impl fmt::Display for BadApiRoute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "API_ROUTES: {:?} is not `METHOD /path` (GET, POST, PUT, PATCH or DELETE; segments of letters, digits, @ . _ - or {{name}})",
            self.0
        )
    }
}

/// The answer of the table for a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// An entry matches: pass the call through.
    Allowed,
    /// The path is listed, but not with this method (405, with these methods in `Allow`).
    WrongMethod(Vec<Method>),
    /// The path is in no entry (404).
    NotListed,
}

fn method(name: &str) -> Option<Method> {
    Some(match name {
        "GET" => Method::Get,
        "POST" => Method::Post,
        "PUT" => Method::Put,
        "PATCH" => Method::Patch,
        "DELETE" => Method::Delete,
        _ => return None,
    })
}

fn segment_ok(s: &str) -> bool {
    !s.is_empty()
        && s != "."
        && s != ".."
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'@' | b'.' | b'_' | b'-'))
}

impl ApiRoute {
    /// Parses `METHOD /path`.
    pub fn parse(entry: &str) -> Result<ApiRoute, BadApiRoute> {
        let bad = || BadApiRoute(entry.to_owned());
        let (m, path) = entry.trim().split_once(' ').ok_or_else(bad)?;
        let method = method(&m.to_ascii_uppercase()).ok_or_else(bad)?;
        let path = path.trim().strip_prefix('/').ok_or_else(bad)?;
        let segments = path
            .split('/')
            .map(|s| {
                if s.len() > 2 && s.starts_with('{') && s.ends_with('}') {
                    Ok(Segment::Snowflake)
                } else if segment_ok(s) {
                    Ok(Segment::Literal(s.to_owned()))
                } else {
                    Err(bad())
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ApiRoute { method, segments })
    }

    fn matches_path(&self, path: &[&str]) -> bool {
        self.segments.len() == path.len()
            && self.segments.iter().zip(path).all(|(seg, p)| match seg {
                Segment::Literal(l) => l == p,
                Segment::Snowflake => {
                    !p.is_empty() && p.len() <= 20 && p.bytes().all(|b| b.is_ascii_digit())
                }
            })
    }
}

/// The table: the defaults for `client_id`, then the entries of `API_ROUTES`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiRoutes(Vec<ApiRoute>);

impl ApiRoutes {
    /// Discord's user-token reads
    /// (<https://discord.com/developers/docs/resources/user#get-current-user> and the routes
    /// beside it), the application's role connection included (read only: writing it is the
    /// server's decision, or users could grant themselves roles), plus `extra` (`API_ROUTES`).
    pub fn new(client_id: &str, extra: Option<&str>) -> Result<ApiRoutes, BadApiRoute> {
        let mut routes: Vec<ApiRoute> = [
            "GET /users/@me".to_owned(),
            "GET /users/@me/guilds".to_owned(),
            "GET /users/@me/guilds/{guild_id}/member".to_owned(),
            "GET /users/@me/connections".to_owned(),
            "GET /oauth2/@me".to_owned(),
            format!("GET /users/@me/applications/{client_id}/role-connection"),
        ]
        .iter()
        .map(|e| ApiRoute::parse(e))
        .collect::<Result<_, _>>()?;
        for entry in extra.unwrap_or_default().split(',').map(str::trim) {
            if !entry.is_empty() {
                routes.push(ApiRoute::parse(entry)?);
            }
        }
        Ok(ApiRoutes(routes))
    }

    /// Whether `method` on `path` (a Discord path, `/users/@me/…`, no query) may pass.
    pub fn lookup(&self, method: Method, path: &str) -> Lookup {
        let Some(rest) = path.strip_prefix('/') else {
            return Lookup::NotListed;
        };
        let parts: Vec<&str> = rest.split('/').collect();
        let mut methods = Vec::new();
        for r in self.0.iter().filter(|r| r.matches_path(&parts)) {
            if r.method == method {
                return Lookup::Allowed;
            }
            if !methods.contains(&r.method) {
                methods.push(r.method);
            }
        }
        if methods.is_empty() {
            Lookup::NotListed
        } else {
            Lookup::WrongMethod(methods)
        }
    }
}

#[cfg(test)]
#[path = "api_routes_tests.rs"]
mod tests;
