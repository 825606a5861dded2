//! The Worker's two cookies, read from `Cookie` and written as `Set-Cookie`.
//!
//! Both use the `__Host-` prefix: the browser accepts them only with `Secure`, `Path=/` and no
//! `Domain`, so a sibling subdomain cannot plant or overwrite them
//! (<https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html#name-the-__host-prefix>).
//! `SameSite=Lax` lets the top-level redirect back from Discord carry the state cookie.
//! Clearing cookies keep `Secure` and `Path=/`, or browsers ignore them and keep the old cookie.
//!
//! A session made by `POST /api/token` (an Activity, docs/contract.md §8) lives in a third-party frame
//! inside discord.com: its cookie is `SameSite=None; Partitioned` (CHIPS), the only kind a
//! browser that blocks third-party cookies still keeps there
//! (<https://developer.mozilla.org/en-US/docs/Web/Privacy/Guides/Privacy_sandbox/Partitioned_cookies>).
//! A partitioned cookie is removed only by a `Set-Cookie` that is partitioned too, so clearing
//! the session sends both forms ([`clear_session`]).
//!
//! Pure string handling, never panics; unit-tested natively.

/// The signed and encrypted login state (state, PKCE verifier, `return_to`, expiry).
pub const STATE_COOKIE: &str = "__Host-discord_oauth_state";
/// The opaque session id.
pub const SESSION_COOKIE: &str = "__Host-discord_session";
/// Lifetime of the login-state cookie, in seconds (Discord's codes live 10 minutes too).
pub const STATE_MAX_AGE: u64 = 600;

/// Finds the value of cookie `name` in a `Cookie` request header (RFC 6265 §5.4 syntax:
/// `a=b; c=d`). Tolerates extra spaces, empty pairs and pairs without `=`. When the name occurs
/// more than once, the first wins (the browser sends the most specific first). Optional
/// surrounding double quotes are removed.
pub fn get<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        if k.trim() != name {
            return None;
        }
        let v = v.trim();
        let v = v
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .unwrap_or(v);
        Some(v)
    })
}

/// A `Set-Cookie` value for a `__Host-` cookie: HttpOnly; Secure; SameSite=Lax; Path=/.
pub fn set(name: &str, value: &str, max_age: u64) -> String {
    format!("{name}={value}; Max-Age={max_age}; Path=/; HttpOnly; Secure; SameSite=Lax")
}

/// A `Set-Cookie` value that removes a `__Host-` cookie; it keeps `Secure` and `Path=/`.
pub fn clear(name: &str) -> String {
    format!(
        "{name}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly; Secure; SameSite=Lax"
    )
}

/// A `Set-Cookie` value for a partitioned `__Host-` cookie: HttpOnly; Secure; Path=/;
/// SameSite=None; Partitioned (the Activity's session, kept by the browser per top-level site).
pub fn set_partitioned(name: &str, value: &str, max_age: u64) -> String {
    format!(
        "{name}={value}; Max-Age={max_age}; Path=/; HttpOnly; Secure; SameSite=None; Partitioned"
    )
}

/// A `Set-Cookie` value that removes a partitioned `__Host-` cookie (the browser deletes a
/// partitioned cookie only when the clearing cookie is partitioned too).
pub fn clear_partitioned(name: &str) -> String {
    format!(
        "{name}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly; Secure; SameSite=None; Partitioned"
    )
}

/// The two `Set-Cookie` values that end a session, whichever way it was made: the first-party
/// cookie of `/auth/callback` and the partitioned one of `/api/token`. Each must be its own
/// header.
pub fn clear_session() -> [String; 2] {
    [clear(SESSION_COOKIE), clear_partitioned(SESSION_COOKIE)]
}
