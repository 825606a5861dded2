//! The Worker's cookie parser and its signed, encrypted login-state cookie, on arbitrary input.
//!
//! Invariants: never panics; a found cookie value is a substring of the header; an arbitrary
//! value never opens as a state cookie (it is authenticated); what `seal_state` wrote opens to
//! the same bytes, and any one-character change to it does not open.
#![no_main]

use discord_oauth_wasm::worker::cookies::{self, SESSION_COOKIE, STATE_COOKIE};
use discord_oauth_wasm::worker::crypto::Keys;
use libfuzzer_sys::fuzz_target;

const SECRET: &[u8] = b"fuzz-session-secret-0123456789abcdef0123456789";

fuzz_target!(|data: &[u8]| {
    let keys = Keys::derive(SECRET).expect("a 32+ byte secret derives keys");
    let header = String::from_utf8_lossy(data);
    for name in [STATE_COOKIE, SESSION_COOKIE] {
        if let Some(value) = cookies::get(&header, name) {
            assert!(header.contains(value));
            if name == STATE_COOKIE {
                assert!(keys.open_state(value).is_err(), "an unsigned value opened");
            }
        }
    }
    // Round trip, then tamper with one character of the sealed value.
    let sealed = keys.seal_state(data).expect("randomness");
    assert_eq!(keys.open_state(&sealed).expect("own seal opens"), data);
    if !data.is_empty() {
        let i = usize::from(data[0]) % sealed.len();
        let mut bytes = sealed.into_bytes();
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        if let Ok(tampered) = String::from_utf8(bytes) {
            assert!(keys.open_state(&tampered).is_err(), "a tampered state cookie opened");
        }
    }
});
