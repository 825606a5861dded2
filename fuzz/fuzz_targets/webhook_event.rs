//! The Webhook Events endpoint's pure part (`POST /auth/events`, docs/contract.md §10) on arbitrary
//! input: the signature headers, the timestamp window, the signed message, the public key
//! setting, and the event body.
//!
//! Input: `SIGNATURE\nTIMESTAMP\nPUBLIC_KEY\nBODY` (missing lines are missing headers).
//!
//! Invariants: never panics; accepted headers are exactly 128 hex characters and a decimal
//! timestamp within 300 s of the clock; the signed message is the timestamp followed by the
//! body, byte for byte; an accepted key is 64 hex characters; a parsed deauthorization names a
//! snowflake, and a logged event name is `[A-Z0-9_]`, 64 characters at most.
#![no_main]

use discord_oauth_wasm::worker::events::{
    MAX_CLOCK_SKEW_SECS, PublicKey, SignedHeaders, WebhookEvent, parse_event,
};
use libfuzzer_sys::fuzz_target;

const NOW: u64 = 1_700_000_000;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(4, |b| *b == b'\n');
    let sig = parts.next().map(String::from_utf8_lossy);
    let ts = parts.next().map(String::from_utf8_lossy);
    let key = parts.next().map(String::from_utf8_lossy);
    let body = parts.next().unwrap_or_default();

    if let Ok(h) = SignedHeaders::parse(sig.as_deref(), ts.as_deref(), NOW) {
        let sig = sig.as_deref().unwrap_or_default().trim();
        assert_eq!(sig.len(), 128);
        assert!(sig.bytes().all(|b| b.is_ascii_hexdigit()));
        let at: u64 = h
            .timestamp
            .parse()
            .expect("an accepted timestamp is decimal");
        assert!(at.abs_diff(NOW) <= MAX_CLOCK_SKEW_SECS);
        let m = h.message(body);
        assert_eq!(&m[..h.timestamp.len()], h.timestamp.as_bytes());
        assert_eq!(&m[h.timestamp.len()..], body);
    }
    if PublicKey::parse(key.as_deref()).is_ok() {
        let k = key.as_deref().unwrap_or_default().trim();
        assert!(k.len() == 64 && k.bytes().all(|b| b.is_ascii_hexdigit()));
    }
    // The whole input as a body, too: most interesting JSON has no newline to split on.
    for b in [body, data] {
        match parse_event(b) {
            Ok(WebhookEvent::Deauthorized { user_id }) => {
                assert!(!user_id.is_empty() && user_id.bytes().all(|c| c.is_ascii_digit()));
            }
            Ok(WebhookEvent::Other { name }) => {
                assert!(name.len() <= 64 && !name.is_empty());
                assert!(name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_'));
            }
            Ok(WebhookEvent::Ping) | Err(_) => {}
        }
    }
});
