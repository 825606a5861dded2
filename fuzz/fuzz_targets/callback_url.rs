//! `Callback::parse` then `validate` against a fixed state, on arbitrary redirect URLs.
//!
//! Invariants: never panics; a parsed value (state, code, token, error) never exceeds
//! `MAX_PARAM_LEN`; `Debug` of a callback never shows its code or token; a validated code
//! grant has a snowflake `guild_id`; the implicit token set's expiry saturates.
#![no_main]

use discord_oauth_wasm::discord::callback::{Callback, CallbackKind, MAX_PARAM_LEN};
use discord_oauth_wasm::discord::state::State;
use libfuzzer_sys::fuzz_target;

mod common;

const STATE: &str = "15773059ghq9183habn";

fuzz_target!(|data: &[u8]| {
    let url = String::from_utf8_lossy(data);
    let state = State::from_string(STATE).unwrap();
    let parsed = match Callback::parse(&url) {
        Ok(Some(cb)) => cb,
        Ok(None) => return,
        Err(e) => {
            let _ = (e.field(), e.code(), e.to_string(), format!("{e:?}"));
            let err: discord_oauth_wasm::discord::Error = e.into();
            common::exercise(&err);
            return;
        }
    };
    if let Some(s) = parsed.state() {
        assert!(!s.is_empty() && s.len() <= MAX_PARAM_LEN, "state len {}", s.len());
    }
    if let Some((error, description)) = parsed.error() {
        assert!(!error.is_empty() && error.len() <= MAX_PARAM_LEN);
        assert!(description.is_none_or(|d| !d.is_empty() && d.len() <= MAX_PARAM_LEN));
    }
    let kind = parsed.kind();
    let callback_debug = format!("{parsed:?}");
    let state_matched = parsed.state() == Some(STATE);
    match parsed.validate(&state, "https://discord.com") {
        Ok(v) => {
            assert!(state_matched, "validated a callback whose state differs");
            let debug = format!("{v:?}");
            if let Some(code) = v.code() {
                assert_eq!(kind, CallbackKind::Code);
                let code = code.secret();
                assert!(!code.is_empty() && code.len() <= MAX_PARAM_LEN, "code len {}", code.len());
                if let Some(g) = v.guild_id() {
                    assert!(!g.is_empty() && g.len() <= 20 && g.bytes().all(|b| b.is_ascii_digit()));
                }
                // The code is redacted: a distinctive code never shows in `Debug`.
                if code.contains("SECRET") {
                    assert!(!debug.contains(code), "code leaked in {debug}");
                    assert!(!callback_debug.contains(code), "code leaked in {callback_debug}");
                }
            }
            if let Some(t) = v.implicit() {
                assert_eq!(kind, CallbackKind::Implicit);
                let token = t.access_token().secret();
                assert!(!token.is_empty() && token.len() <= MAX_PARAM_LEN);
                assert!(t.token_type().eq_ignore_ascii_case("bearer"));
                assert!(t.scope().len() <= MAX_PARAM_LEN);
                if token.contains("SECRET") && !t.scope().contains(token) {
                    assert!(!debug.contains(token), "token leaked in {debug}");
                    assert!(!callback_debug.contains(token), "token leaked in {callback_debug}");
                }
                let expires_in = t.expires_in();
                let set = v.into_token_set(u64::MAX - 1).expect("an implicit grant gives a token set");
                assert_eq!(set.expires_at_ms, u64::MAX - 1 + u64::from(expires_in > 0));
                assert!(set.refresh_token.is_none());
            }
        }
        Err(e) => {
            common::exercise(&e);
        }
    }
});
