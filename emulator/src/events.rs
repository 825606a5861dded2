//! Webhook Events: what Discord POSTs to an application's events URL, signed with the
//! application's Ed25519 key (docs/contract.md §10).
//!
//! - Each application has a key pair. Its private key is **deterministic**: the RFC 8032 seed
//!   is SHA-256 of `discord-emulator/events-key/v1/<application id>`, unless the fixture gives
//!   `events_private_key` (64 hex characters, the seed). So runs and tests are reproducible, and
//!   `verify_key` (the public half, hex) is what the Developer Portal would show as "Public
//!   Key". These keys are for an offline emulator: anyone can derive them.
//! - A delivery is `POST <events_url>` with `Content-Type: application/json`,
//!   `X-Signature-Ed25519` (hex signature of timestamp + body), `X-Signature-Timestamp` (Unix
//!   seconds) and the body `{version, application_id, type: 1, event: {type, timestamp, data}}`.
//!   Discord expects a 2xx within 3 seconds; so does the emulator, and it records each delivery
//!   (`GET /_emulator/events`). Plain `http://` URLs only: the emulator is an offline tool.
//!
//! <https://discord.com/developers/docs/events/webhook-events>
//! <https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint-validating-security-request-headers>
//!
//! `ed25519-dalek` signs: a widely used, audited implementation of RFC 8032 (the emulator is
//! native; the Worker verifies with the runtime's WebCrypto instead).

use std::time::Duration;

use ed25519_dalek::{Signer, SigningKey};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::fixtures::AppFixture;
use crate::state::Shared;
use crate::util::{iso8601, now_secs};

/// Discord's deadline for an answer from the events URL.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(3);

/// How many deliveries `GET /_emulator/events` keeps (the oldest are dropped).
pub const KEPT_DELIVERIES: usize = 100;

/// Decodes 32 bytes of hex.
fn hex32(text: &str) -> Option<[u8; 32]> {
    let t = text.as_bytes();
    if t.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in t.chunks_exact(2).enumerate() {
        let s = std::str::from_utf8(pair).ok()?;
        out[i] = u8::from_str_radix(s, 16).ok()?;
    }
    Some(out)
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The RFC 8032 seed of an application's events key: the fixture's `events_private_key`, or
/// SHA-256 of `discord-emulator/events-key/v1/<id>`. `None` for a malformed fixture key.
pub fn seed(app: &AppFixture) -> Option<[u8; 32]> {
    match &app.events_private_key {
        Some(hex) => hex32(hex),
        None => {
            let mut h = Sha256::new();
            h.update(b"discord-emulator/events-key/v1/");
            h.update(app.id.as_bytes());
            Some(h.finalize().into())
        }
    }
}

/// The application's signing key (see [`seed`]); the all-zero seed for a malformed fixture
/// key, which `Fixtures::validate` refuses before the emulator starts.
pub fn signing_key(app: &AppFixture) -> SigningKey {
    SigningKey::from_bytes(&seed(app).unwrap_or_default())
}

/// The public half of the application's key, hex: its `verify_key`.
pub fn verify_key(app: &AppFixture) -> String {
    hex(signing_key(app).verifying_key().as_bytes())
}

/// `X-Signature-Ed25519`: the hex signature of `timestamp` followed by `body`.
pub fn sign(key: &SigningKey, timestamp: &str, body: &[u8]) -> String {
    let mut message = Vec::with_capacity(timestamp.len() + body.len());
    message.extend_from_slice(timestamp.as_bytes());
    message.extend_from_slice(body);
    hex(&key.sign(&message).to_bytes())
}

/// The body of an event (webhook type 1), timestamped now the way Discord writes it
/// (`2024-10-18T14:42:53.064834`, UTC without an offset).
/// <https://discord.com/developers/docs/events/webhook-events#payload-structure>
pub fn event_body(application_id: &str, event_type: &str, data: Value) -> String {
    let stamp = iso8601(now_secs());
    let stamp = stamp.strip_suffix("+00:00").unwrap_or(&stamp);
    json!({
        "version": 1,
        "application_id": application_id,
        "type": 1,
        "event": { "type": event_type, "timestamp": stamp, "data": data },
    })
    .to_string()
}

/// One delivery attempt, as `GET /_emulator/events` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    /// Application id.
    pub application_id: String,
    /// Event type (`APPLICATION_AUTHORIZED`, `APPLICATION_DEAUTHORIZED`).
    pub event_type: String,
    /// Where it was sent.
    pub url: String,
    /// `X-Signature-Timestamp`.
    pub timestamp: String,
    /// `X-Signature-Ed25519`.
    pub signature: String,
    /// The exact body sent.
    pub body: String,
    /// The HTTP status answered, if any.
    pub status: Option<u16>,
    /// Why there was no answer (connection refused, timeout, …).
    pub error: Option<String>,
}

/// Splits `http://host[:port][/path]` into the address to connect to, the `Host` header and
/// the request target.
fn split_url(url: &str) -> Option<(String, String, String)> {
    let rest = url.strip_prefix("http://")?;
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let has_port = authority
        .rsplit_once(':')
        .is_some_and(|(_, p)| !p.contains(']'));
    let addr = if has_port {
        authority.to_owned()
    } else {
        format!("{authority}:80")
    };
    let path = if path.starts_with('?') {
        format!("/{path}")
    } else {
        path.to_owned()
    };
    Some((addr, authority.to_owned(), path))
}

/// Whether an events URL is one the emulator can deliver to (`http://host[:port]/…`).
pub fn valid_url(url: &str) -> bool {
    url.len() <= 2048
        && !url.chars().any(|c| c.is_control() || c.is_whitespace())
        && split_url(url).is_some()
}

/// POSTs `body` with the signature headers; the status, or why there was none.
async fn post(url: &str, timestamp: &str, signature: &str, body: &str) -> Result<u16, String> {
    let (addr, host, path) = split_url(url).ok_or("not an http:// URL")?;
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: Discord-Webhook-Events (discord-emulator)\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nX-Signature-Ed25519: {signature}\r\n\
         X-Signature-Timestamp: {timestamp}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(&addr)
            .await
            .map_err(|e| format!("connect {addr}: {e}"))?;
        stream
            .write_all(request.as_bytes())
            .await
            .map_err(|e| format!("send: {e}"))?;
        // Only the status line is needed: read until it is complete.
        let mut head = Vec::new();
        let mut buf = [0u8; 512];
        while !head.windows(2).any(|w| w == b"\r\n") && head.len() < 8192 {
            let n = stream
                .read(&mut buf)
                .await
                .map_err(|e| format!("receive: {e}"))?;
            if n == 0 {
                break;
            }
            head.extend_from_slice(&buf[..n]);
        }
        let line = String::from_utf8_lossy(&head);
        line.split_whitespace()
            .nth(1)
            .and_then(|s| s.parse::<u16>().ok())
            .ok_or_else(|| "no HTTP status line in the answer".to_owned())
    };
    tokio::time::timeout(DELIVERY_TIMEOUT, exchange)
        .await
        .map_err(|_| "no answer within 3 s (Discord's deadline)".to_owned())?
}

/// Signs and sends one event for `app` to `url`, and records the delivery.
pub async fn deliver(
    emu: &Shared,
    app: &AppFixture,
    url: &str,
    event_type: &str,
    data: Value,
) -> Delivery {
    let body = event_body(&app.id, event_type, data);
    let timestamp = format!("{}", now_secs() as u64);
    let signature = sign(&signing_key(app), &timestamp, body.as_bytes());
    let result = post(url, &timestamp, &signature, &body).await;
    let delivery = Delivery {
        application_id: app.id.clone(),
        event_type: event_type.to_owned(),
        url: url.to_owned(),
        timestamp,
        signature,
        body,
        status: result.as_ref().ok().copied(),
        error: result.err(),
    };
    emu.log.line(&format!(
        "event {} → {} {}",
        delivery.event_type,
        delivery.url,
        delivery.status.map_or_else(
            || delivery.error.clone().unwrap_or_default(),
            |s| s.to_string()
        )
    ));
    let mut st = emu.lock();
    st.deliveries.push(delivery.clone());
    let excess = st.deliveries.len().saturating_sub(KEPT_DELIVERIES);
    st.deliveries.drain(..excess);
    delivery
}

/// An event waiting to be sent once the state lock is released.
#[derive(Debug, Clone)]
pub struct Pending {
    /// The application (with its events URL).
    pub app: AppFixture,
    /// Event type.
    pub event_type: &'static str,
    /// Event data.
    pub data: Value,
}

/// Sends queued events in the background (approving an authorization must not wait on the
/// application's events URL).
pub fn spawn_pending(emu: &Shared) {
    let pending = std::mem::take(&mut emu.lock().outbox);
    for p in pending {
        let Some(url) = p.app.events_url.clone() else {
            continue;
        };
        let emu = emu.clone();
        tokio::spawn(async move {
            deliver(&emu, &p.app, &url, p.event_type, p.data).await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_into_address_host_and_target() {
        assert_eq!(
            split_url("http://127.0.0.1:8787/auth/events"),
            Some((
                "127.0.0.1:8787".into(),
                "127.0.0.1:8787".into(),
                "/auth/events".into()
            ))
        );
        assert_eq!(
            split_url("http://localhost"),
            Some(("localhost:80".into(), "localhost".into(), "/".into()))
        );
        assert_eq!(
            split_url("http://[::1]:9/x?y=1").map(|t| t.0),
            Some("[::1]:9".into())
        );
        assert!(split_url("https://example.com/").is_none());
        assert!(split_url("http://user@host/").is_none());
        assert!(!valid_url("http://host/a b"));
    }
}
