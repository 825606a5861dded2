//! Small helpers shared by the handlers: time, randomness, escaping, form and body parsing.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::http::HeaderMap;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::response::Response;

use crate::errors;

/// Largest request body the emulator reads (64 KiB); larger bodies answer 413.
pub const MAX_BODY: usize = 64 * 1024;

/// Discord's epoch (2015-01-01T00:00:00Z) in milliseconds since the Unix epoch.
/// <https://discord.com/developers/docs/reference#snowflakes>
pub const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;

/// Seconds since the Unix epoch, with fractions.
pub fn now_secs() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// `len` random characters from `[A-Za-z0-9]`, like Discord's 30-character tokens.
pub fn random_token(len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut bytes = vec![0u8; len];
    // getrandom only fails when the OS has no entropy source; fall back to time-seeded bytes
    // rather than crash (the emulator's tokens protect nothing real).
    if getrandom::fill(&mut bytes).is_err() {
        let seed = now_ms();
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = (seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(i as u64)
                >> 33) as u8;
        }
    }
    bytes
        .iter()
        .map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char)
        .collect()
}

/// Shortens a secret for logs: at most a 6-character prefix and an ellipsis.
pub fn redact(secret: &str) -> String {
    let prefix: String = secret.chars().take(6).collect();
    format!("{prefix}…")
}

/// Formats Unix seconds as ISO 8601 the way Discord does (`2021-01-23T02:33:17.017000+00:00`).
pub fn iso8601(secs: f64) -> String {
    let total_ms = (secs * 1000.0).max(0.0) as u64;
    let ms = total_ms % 1000;
    let t = total_ms / 1000;
    let (h, mi, s) = ((t / 3600) % 24, (t / 60) % 60, t % 60);
    let (y, mo, d) = civil_from_days((t / 86400) as i64);
    format!(
        "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:06}+00:00",
        ms * 1000
    )
}

/// Howard Hinnant's days-to-civil algorithm.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Escapes text for HTML element content and attribute values.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes a value for a query string or fragment (`application/x-www-form-urlencoded`).
pub fn encode_pairs(pairs: &[(&str, &str)]) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        ser.append_pair(k, v);
    }
    ser.finish()
}

/// Parsed `application/x-www-form-urlencoded` data (a query string or a form body).
#[derive(Debug, Default, Clone)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    /// Parses a query string or form body.
    pub fn parse(input: &[u8]) -> Self {
        Params(form_urlencoded::parse(input).into_owned().collect())
    }

    /// The first value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of `key`, treating an empty value as absent.
    pub fn non_empty(&self, key: &str) -> Option<&str> {
        self.get(key).filter(|v| !v.is_empty())
    }

    /// The name of a parameter given more than once, if any (RFC 6749 §3.1, §3.2).
    pub fn repeated(&self) -> Option<&str> {
        for (i, (k, _)) in self.0.iter().enumerate() {
            if self.0[..i].iter().any(|(k2, _)| k2 == k) {
                return Some(k);
            }
        }
        None
    }
}

/// Whether the request's `Content-Type` is the given media type (parameters ignored).
pub fn content_type_is(headers: &HeaderMap, media: &str) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(media))
}

/// Reads a request body of at most [`MAX_BODY`] bytes; larger bodies answer 413 like Discord
/// (`{"message": "Request entity too large", "code": 40005}`,
/// <https://discord.com/developers/docs/topics/opcodes-and-status-codes#json>).
pub async fn read_body(headers: &HeaderMap, body: Body) -> Result<Bytes, Response> {
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return Err(errors::too_large());
    }
    axum::body::to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| errors::too_large())
}

/// Parses a JSON request body, answering Discord's 50109 error for anything else.
pub fn parse_json(bytes: &[u8]) -> Result<serde_json::Value, Response> {
    serde_json::from_slice(bytes).map_err(|_| {
        errors::discord(
            axum::http::StatusCode::BAD_REQUEST,
            50109,
            "The request body contains invalid JSON.",
        )
    })
}

/// The snowflake's creation time in Unix milliseconds.
pub fn snowflake_ms(id: &str) -> Option<u64> {
    id.parse::<u64>().ok().map(|n| (n >> 22) + DISCORD_EPOCH_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_matches_discord_format() {
        assert_eq!(iso8601(0.0), "1970-01-01T00:00:00.000000+00:00");
        assert_eq!(
            iso8601(1_611_369_197.017),
            "2021-01-23T02:33:17.017000+00:00"
        );
    }

    #[test]
    fn redact_keeps_six_chars() {
        assert_eq!(redact("abcdefghijkl"), "abcdef…");
    }

    #[test]
    fn tokens_are_alphanumeric() {
        let t = random_token(30);
        assert_eq!(t.len(), 30);
        assert!(t.chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
