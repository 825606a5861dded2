//! Sealed session decoding: KV values as the Worker reads them, on arbitrary input.
//!
//! Invariants: never panics; an arbitrary KV value never opens (its tokens are AES-GCM
//! sealed under a key derived from SESSION_SECRET and bound to the KV key); sealed data opens
//! only under the KV key it was sealed for.
#![no_main]

use discord_oauth_wasm::worker::crypto::Keys;
use discord_oauth_wasm::worker::session::Session;
use libfuzzer_sys::fuzz_target;

const SECRET: &[u8] = b"fuzz-session-secret-0123456789abcdef0123456789";

fuzz_target!(|data: &[u8]| {
    let keys = Keys::derive(SECRET).expect("a 32+ byte secret derives keys");
    let kv_key = keys.kv_key("fuzz-session-id");
    let raw = String::from_utf8_lossy(data);
    assert!(Session::open(&keys, &kv_key, &raw).is_err(), "an unsealed KV value opened");
    let sealed = keys.seal_session(data, kv_key.as_bytes()).expect("randomness");
    assert_eq!(keys.open_session(&sealed, kv_key.as_bytes()).expect("own seal opens"), data);
    let other = keys.kv_key("another-session-id");
    assert!(keys.open_session(&sealed, other.as_bytes()).is_err(), "opened under another key");
});
