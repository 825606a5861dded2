//! The body of `POST /api/token` (the Activity backend, docs/contract.md §8) on arbitrary
//! bytes: `validate::token_body`, the only parser between an Activity's POST and Discord's
//! token endpoint.
//!
//! Invariants: never panics; an accepted body has a non-empty `code` of at most 512 URL-safe
//! characters (RFC 3986 unreserved) and, when present, a `code_verifier` of 43 to 128
//! characters of RFC 7636's alphabet (the same set): nothing else can reach the form sent to
//! Discord; a refusal's message is bounded (it never echoes a long body back).
#![no_main]

use discord_oauth_wasm::worker::validate::token_body;
use libfuzzer_sys::fuzz_target;

fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

fuzz_target!(|data: &[u8]| {
    match token_body(data) {
        Ok(body) => {
            assert!(!body.code.is_empty() && body.code.len() <= 512);
            assert!(body.code.bytes().all(unreserved));
            if let Some(v) = &body.code_verifier {
                assert!((43..=128).contains(&v.len()));
                assert!(v.bytes().all(unreserved));
            }
        }
        Err(message) => assert!(message.len() <= 1024, "a bounded message"),
    }
});
