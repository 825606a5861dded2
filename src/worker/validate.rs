//! Checks on what a browser sends: `return_to`, origins, ids, join and token bodies.
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

/// The trusted-origin rule for state-changing routes (docs/contract.md §8): a request is refused when
/// it has an `Origin` that `trusted` does not accept (`null` included), or no `Origin` and
/// `Sec-Fetch-Site: cross-site`. A trusted origin on another site (an SPA listed in
/// `ALLOWED_ORIGINS`) is accepted whatever `Sec-Fetch-Site` says.
pub fn is_refused_origin(
    origin: Option<&str>,
    sec_fetch_site: Option<&str>,
    trusted: impl Fn(&str) -> bool,
) -> bool {
    match origin.map(str::trim) {
        Some(o) => !trusted(o),
        None => sec_fetch_site.is_some_and(|s| s.trim().eq_ignore_ascii_case("cross-site")),
    }
}

/// Checks one exact origin, `scheme://host[:port]` as a browser sends it in `Origin`: `http`
/// or `https`, a host of letters, digits, `-` and `.` (or a bracketed IPv6 address), an
/// optional port that is not the scheme's default (browsers leave that out), and nothing
/// after. Returns it in lower case.
pub fn exact_origin(value: &str) -> Option<String> {
    let v = value.to_ascii_lowercase();
    let (scheme, rest) = v.split_once("://")?;
    let default_port = match scheme {
        "https" => "443",
        "http" => "80",
        _ => return None,
    };
    let (host, port, bracketed) = if let Some(inner) = rest.strip_prefix('[') {
        let (addr, after) = inner.split_once(']')?;
        let port = match after {
            "" => None,
            a => Some(a.strip_prefix(':')?),
        };
        (addr, port, true)
    } else {
        match rest.split_once(':') {
            Some((h, p)) => (h, Some(p), false),
            None => (rest, None, false),
        }
    };
    let host_ok = if bracketed {
        !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
    } else {
        !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
            && !host.starts_with('.')
            && !host.ends_with('.')
    };
    if !host_ok {
        return None;
    }
    if let Some(p) = port {
        let ok = !p.is_empty()
            && p.len() <= 5
            && p.bytes().all(|b| b.is_ascii_digit())
            && !p.starts_with('0')
            && p.parse::<u32>().is_ok_and(|n| n <= 65_535)
            && p != default_port;
        if !ok {
            return None;
        }
    }
    Some(v)
}

/// The largest `POST /api/token` body read, in bytes (a code and a verifier are far smaller).
pub const MAX_TOKEN_BODY: usize = 4096;

/// The JSON body of `POST /api/token` (docs/contract.md §8): what Discord's Activity starter sends.
/// Other fields are ignored, so a starter that sends more still works.
#[derive(Debug, Deserialize, PartialEq)]
pub struct TokenBody {
    /// The authorization code from the SDK's `authorize` command.
    pub code: String,
    /// The PKCE verifier, when the Activity sent a `code_challenge` to `authorize`.
    #[serde(default)]
    pub code_verifier: Option<String>,
}

/// Parses and checks a `POST /api/token` body: a JSON object with a non-empty `code` of at
/// most 512 URL-safe characters and, when given, a `code_verifier` of 43 to 128 characters of
/// RFC 7636's alphabet.
pub fn token_body(raw: &[u8]) -> Result<TokenBody, String> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err("the body must be JSON {\"code\": \"…\"}".to_owned());
    }
    // serde's own message can quote the input (`invalid type: string "…"`): say where and
    // what kind of error instead, so the answer never echoes up to 4 KiB of the body back.
    let body: TokenBody = serde_json::from_slice(raw).map_err(|e| {
        let kind = match e.classify() {
            serde_json::error::Category::Data => "not the expected fields",
            serde_json::error::Category::Eof => "incomplete JSON",
            serde_json::error::Category::Syntax | serde_json::error::Category::Io => "not JSON",
        };
        format!(
            "the body is not a valid token request ({kind} at line {} column {}); expected \
             JSON {{\"code\": \"…\", \"code_verifier\"?: \"…\"}}",
            e.line(),
            e.column()
        )
    })?;
    let unreserved = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
    if body.code.is_empty() || body.code.len() > 512 || !body.code.bytes().all(unreserved) {
        return Err("code must be the authorization code from authorize".to_owned());
    }
    if let Some(v) = &body.code_verifier
        && (!(43..=128).contains(&v.len()) || !v.bytes().all(unreserved))
    {
        return Err("code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~".to_owned());
    }
    Ok(body)
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
