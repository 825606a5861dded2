//! Discord's Webhook Events (docs/contract.md §10), the pure part: the application's public key, the
//! signature headers, the timestamp window, the signed message, and the event body. No Worker
//! types (the Ed25519 check itself runs on the runtime's WebCrypto, in `routes_events`);
//! unit-tested natively and fuzzed (`fuzz/fuzz_targets/webhook_event.rs`).
//!
//! Discord signs every request to the events URL like an interaction: `X-Signature-Ed25519` is
//! the hex Ed25519 signature of `X-Signature-Timestamp` followed by the raw body, under the
//! application's public key (Developer Portal → General Information → Public Key).
//! <https://discord.com/developers/docs/events/webhook-events#preparing-for-events>
//! <https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint-validating-security-request-headers>

use super::config::ConfigError;
use super::validate;
use serde::Deserialize;

/// The largest events body read, in bytes. Discord's event bodies are a few KB (an
/// `APPLICATION_AUTHORIZED` for a guild install carries a guild object); anything larger is
/// read to the end (workerd resets the connection on an unread body) and answered 413.
pub const MAX_EVENTS_BODY: usize = 256 * 1024;

/// How far `X-Signature-Timestamp` may be from now, in seconds, before a signed request is
/// refused as a replay: 5 minutes (docs/contract.md §10).
pub const MAX_CLOCK_SKEW_SECS: u64 = 300;

/// The setting that holds the application's public key.
pub const PUBLIC_KEY_VAR: &str = "DISCORD_PUBLIC_KEY";

/// An Ed25519 public key (32 bytes), as the Developer Portal shows it in hex.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PublicKey(pub [u8; 32]);

/// Decodes exactly `N` bytes of hex (either case); `None` for any other input.
pub fn hex_bytes<const N: usize>(text: &str) -> Option<[u8; N]> {
    let text = text.as_bytes();
    if text.len() != 2 * N {
        return None;
    }
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    let mut out = [0u8; N];
    for (i, pair) in text.chunks_exact(2).enumerate() {
        out[i] = nibble(pair[0])? << 4 | nibble(pair[1])?;
    }
    Some(out)
}

impl PublicKey {
    /// Reads `DISCORD_PUBLIC_KEY` (already looked up): 64 hex characters. A missing or
    /// malformed key is a [`ConfigError`] naming the setting (never its value); the events
    /// route answers it with 500 `config_error`, every other route keeps working.
    pub fn parse(value: Option<&str>) -> Result<PublicKey, ConfigError> {
        let value = value.map(str::trim).filter(|v| !v.is_empty()).ok_or_else(|| {
            ConfigError::invalid(
                PUBLIC_KEY_VAR,
                format!(
                    "{PUBLIC_KEY_VAR} is not set (the application's public key, needed by /auth/events)"
                ),
            )
        })?;
        hex_bytes::<32>(value).map(PublicKey).ok_or_else(|| {
            ConfigError::invalid(
                PUBLIC_KEY_VAR,
                format!("{PUBLIC_KEY_VAR} must be the application's public key: 64 hex characters"),
            )
        })
    }
}

/// Why a request's signature headers are refused (all answered 401 `invalid_signature`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// `X-Signature-Ed25519` or `X-Signature-Timestamp` is absent.
    #[error("the X-Signature-Ed25519 and X-Signature-Timestamp headers are required")]
    Missing,
    /// A header is not what Discord sends (128 hex characters; Unix seconds).
    #[error("the signature headers are malformed")]
    Malformed,
    /// The timestamp is more than [`MAX_CLOCK_SKEW_SECS`] away from now.
    #[error("the signature timestamp is more than 5 minutes from now")]
    Stale,
    /// The signature does not verify under the application's public key.
    #[error("the signature does not match the body")]
    Mismatch,
}

/// The signature headers of a request, checked for shape and freshness.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedHeaders {
    /// The 64-byte Ed25519 signature.
    pub signature: [u8; 64],
    /// `X-Signature-Timestamp` exactly as sent: it is the first part of the signed message.
    pub timestamp: String,
}

impl SignedHeaders {
    /// Parses `X-Signature-Ed25519` (128 hex characters) and `X-Signature-Timestamp` (Unix
    /// seconds, decimal digits) and checks that the timestamp is within
    /// [`MAX_CLOCK_SKEW_SECS`] of `now_secs`, either way.
    pub fn parse(
        signature: Option<&str>,
        timestamp: Option<&str>,
        now_secs: u64,
    ) -> Result<SignedHeaders, SignatureError> {
        let (Some(signature), Some(timestamp)) = (signature, timestamp) else {
            return Err(SignatureError::Missing);
        };
        let signature = hex_bytes::<64>(signature.trim()).ok_or(SignatureError::Malformed)?;
        // Digits only, and few enough of them for a u64: no sign, no space, no fraction.
        if timestamp.is_empty()
            || timestamp.len() > 12
            || !timestamp.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(SignatureError::Malformed);
        }
        let at: u64 = timestamp.parse().map_err(|_| SignatureError::Malformed)?;
        if at.abs_diff(now_secs) > MAX_CLOCK_SKEW_SECS {
            return Err(SignatureError::Stale);
        }
        Ok(SignedHeaders {
            signature,
            timestamp: timestamp.to_owned(),
        })
    }

    /// The signed message: the timestamp's bytes followed by the raw body.
    pub fn message(&self, body: &[u8]) -> Vec<u8> {
        let mut m = Vec::with_capacity(self.timestamp.len() + body.len());
        m.extend_from_slice(self.timestamp.as_bytes());
        m.extend_from_slice(body);
        m
    }
}

/// What a (verified) events body asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WebhookEvent {
    /// Webhook type 0: Discord checking the URL (on saving it in the Developer Portal).
    Ping,
    /// `APPLICATION_DEAUTHORIZED`: the user removed the app; every session of theirs ends.
    Deauthorized {
        /// The user's id (a snowflake).
        user_id: String,
    },
    /// Any other event (`APPLICATION_AUTHORIZED`, `ENTITLEMENT_CREATE`, …, or a webhook type
    /// Discord adds later): acknowledged and logged by name.
    Other {
        /// The event's type, reduced to `[A-Z0-9_]` and 64 characters for the log line
        /// (`webhook_type_<n>` for an unknown webhook type).
        name: String,
    },
}

/// Why a body that passed the signature check is refused (400 `invalid_request`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    /// Not the JSON object Discord documents (`type`, and `event` for type 1).
    #[error("the body is not a webhook event")]
    NotAnEvent,
    /// An `APPLICATION_DEAUTHORIZED` without `data.user.id` as a snowflake.
    #[error("APPLICATION_DEAUTHORIZED needs data.user.id")]
    NoUser,
}

/// `{"version":1,"application_id":"…","type":0|1,"event":{…}}`.
/// <https://discord.com/developers/docs/events/webhook-events#payload-structure>
#[derive(Deserialize)]
struct Payload {
    #[serde(rename = "type")]
    kind: u64,
    #[serde(default)]
    event: Option<EventBody>,
}

/// `{"type":"APPLICATION_DEAUTHORIZED","timestamp":"…","data":{…}}`.
/// <https://discord.com/developers/docs/events/webhook-events#event-body-object>
#[derive(Deserialize)]
struct EventBody {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    data: Option<EventData>,
}

/// The part of `data` read here: `APPLICATION_DEAUTHORIZED` carries `{"user": {…}}`.
/// <https://discord.com/developers/docs/events/webhook-events#application-deauthorized>
#[derive(Deserialize)]
struct EventData {
    #[serde(default)]
    user: Option<EventUser>,
}

#[derive(Deserialize)]
struct EventUser {
    #[serde(default)]
    id: Option<String>,
}

/// The event name kept for a log line: `[A-Z0-9_]`, at most 64 characters.
fn log_name(name: &str) -> String {
    let kept: String = name
        .chars()
        .filter(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
        .take(64)
        .collect();
    if kept.is_empty() {
        "UNNAMED".to_owned()
    } else {
        kept
    }
}

/// Parses a verified events body. Only call it after the signature check: an unsigned body
/// must cause nothing.
pub fn parse_event(body: &[u8]) -> Result<WebhookEvent, EventError> {
    let payload: Payload = serde_json::from_slice(body).map_err(|_| EventError::NotAnEvent)?;
    match payload.kind {
        // https://discord.com/developers/docs/events/webhook-events#webhook-types
        0 => Ok(WebhookEvent::Ping),
        1 => {
            let event = payload.event.ok_or(EventError::NotAnEvent)?;
            if event.kind == "APPLICATION_DEAUTHORIZED" {
                let user_id = event
                    .data
                    .and_then(|d| d.user)
                    .and_then(|u| u.id)
                    .filter(|id| validate::snowflake(id).is_some())
                    .ok_or(EventError::NoUser)?;
                Ok(WebhookEvent::Deauthorized { user_id })
            } else {
                Ok(WebhookEvent::Other {
                    name: log_name(&event.kind),
                })
            }
        }
        n => Ok(WebhookEvent::Other {
            name: format!("webhook_type_{}", n.min(999_999)),
        }),
    }
}
