//! The Linked Roles push route's parsers on arbitrary bytes (docs/linked-roles.md):
//! `linked_roles::push_request`, the body of `POST /auth/linked-roles/push`, and
//! `linked_roles::form_errors`, which reads Discord's 50035 error tree into the
//! `role_connection_refused` message.
//!
//! Invariants: neither panics; an accepted push names a user id of digits only (nothing else
//! reaches the index lookup); a refusal is one of the fixed messages (never the body); every
//! form error line is `path: message (code)`.
#![no_main]

use discord_oauth_wasm::worker::linked_roles::{form_errors, push_request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match push_request(data) {
        Ok(push) => {
            assert!(!push.user_id.is_empty() && push.user_id.len() <= 20);
            assert!(push.user_id.bytes().all(|b| b.is_ascii_digit()));
        }
        Err(message) => assert!(message.len() < 80, "a fixed message"),
    }
    if let Ok(text) = std::str::from_utf8(data) {
        for line in form_errors(text) {
            assert!(line.contains(": ") && line.ends_with(')'), "{line}");
        }
    }
});
