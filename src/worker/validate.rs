//! Checks on what a browser sends: `return_to`, cross-site requests, ids and join bodies.
//!
//! Pure functions, no Worker types; unit-tested natively.

use crate::discord::snowflake::Snowflake;
use serde::Deserialize;

/// The largest join body read into memory, in bytes. Larger bodies are still drained (workerd
/// resets the connection when a large body is left unread) and answered 413.
pub const MAX_JOIN_BODY: usize = 4096;

/// Percent-decodes `%XX` sequences (nothing else; invalid sequences are kept as they are).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    let hex = |b: Option<&u8>| b.and_then(|b| char::from(*b).to_digit(16));
    while let Some(&b) = bytes.get(i) {
        if b == b'%'
            && let (Some(h), Some(l)) = (hex(bytes.get(i + 1)), hex(bytes.get(i + 2)))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Checks a `return_to` value (already percent-decoded once by the query parser): it must be a
/// path of this origin, i.e. start with exactly one `/` followed by neither `/` nor `\`, and
/// hold no control character. An absent or empty value means `/`. The same rules hold for the
/// value decoded once more, so a doubly encoded `/%2F%2Fevil.example` is refused too (a proxy
/// or framework that decodes the `Location` again must not turn it into `//evil.example`).
pub fn return_to(value: Option<&str>) -> Result<String, &'static str> {
    let v = match value {
        None | Some("") => return Ok("/".to_owned()),
        Some(v) => v,
    };
    path_rules(v)?;
    path_rules(&percent_decode(v))?;
    Ok(v.to_owned())
}

fn path_rules(v: &str) -> Result<(), &'static str> {
    let mut chars = v.chars();
    if chars.next() != Some('/') {
        return Err("return_to must be a path on this site, starting with a single `/`");
    }
    if matches!(chars.next(), Some('/') | Some('\\')) {
        return Err("return_to must not start with `//` or `/\\`");
    }
    if v.chars().any(char::is_control) {
        return Err("return_to must not contain control characters");
    }
    if v.len() > 2048 {
        return Err("return_to is too long");
    }
    Ok(())
}

/// Writes a validated `return_to` as a `Location` value: every byte outside printable ASCII and
/// every character a URL may not hold is percent-encoded; `%` and URL punctuation are kept.
pub fn location(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_graphic()
            && !matches!(b, b'"' | b'<' | b'>' | b'`' | b'{' | b'}' | b'|' | b'^')
        {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `return_to` with `auth_error=<code>` added to its query (before any fragment).
pub fn with_auth_error(path: &str, code: &str) -> String {
    let (base, fragment) = match path.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (path, None),
    };
    let sep = if base.contains('?') { '&' } else { '?' };
    let code: String = form_urlencoded::byte_serialize(code.as_bytes()).collect();
    let mut out = format!("{base}{sep}auth_error={code}");
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// The contract's CSRF rule for state-changing routes: a request is cross-site when it has an
/// `Origin` that is not this one (`null` included), or `Sec-Fetch-Site: cross-site`.
pub fn is_cross_site(
    origin: Option<&str>,
    sec_fetch_site: Option<&str>,
    this_origin: &str,
) -> bool {
    if let Some(o) = origin
        && !o.trim().eq_ignore_ascii_case(this_origin)
    {
        return true;
    }
    sec_fetch_site.is_some_and(|s| s.trim().eq_ignore_ascii_case("cross-site"))
}

/// A Discord id (snowflake) from a path segment: decimal digits that fit a u64.
pub fn snowflake(segment: &str) -> Option<Snowflake> {
    if segment.is_empty() || segment.len() > 20 || !segment.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    segment.parse::<u64>().ok().map(Snowflake)
}

/// The JSON body of `POST /api/guilds/{id}/join`: the optional fields of Discord's
/// Add Guild Member (<https://discord.com/developers/docs/resources/guild#add-guild-member>).
#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct JoinBody {
    /// The member's nickname (1 to 32 characters).
    pub nick: Option<String>,
    /// Role ids to give the member.
    pub roles: Option<Vec<String>>,
    /// Server-muted in voice.
    pub mute: Option<bool>,
    /// Server-deafened in voice.
    pub deaf: Option<bool>,
}

/// Why a join body was refused (a 400 `invalid_request` with this text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JoinBodyError {
    /// Over [`MAX_JOIN_BODY`] bytes.
    #[error("the body is larger than {MAX_JOIN_BODY} bytes")]
    TooLarge,
    /// Not JSON of the join request's shape (unknown fields are refused).
    #[error("the body is not a valid join request: {0}")]
    Malformed(String),
    /// `nick` out of Discord's 1–32 characters.
    #[error("nick must be 1 to 32 characters")]
    Nick,
    /// `roles` not a list of at most 250 role ids.
    #[error("roles must be a list of role ids")]
    Roles,
}

/// Parses and checks a join body. An empty body is `{}`.
/// <https://discord.com/developers/docs/resources/guild#add-guild-member-json-params>
pub fn join_body(raw: &[u8]) -> Result<JoinBody, JoinBodyError> {
    if raw.len() > MAX_JOIN_BODY {
        return Err(JoinBodyError::TooLarge);
    }
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Ok(JoinBody::default());
    }
    let body: JoinBody =
        serde_json::from_slice(raw).map_err(|e| JoinBodyError::Malformed(e.to_string()))?;
    if let Some(nick) = &body.nick {
        let n = nick.chars().count();
        if !(1..=32).contains(&n) {
            return Err(JoinBodyError::Nick);
        }
    }
    if let Some(roles) = &body.roles
        && (roles.len() > 250 || roles.iter().any(|r| snowflake(r).is_none()))
    {
        return Err(JoinBodyError::Roles);
    }
    Ok(body)
}
