//! `process_token_response` on arbitrary status, headers and body, then the same body with
//! status 200 / 400 / 401 / 429 / 500 (and the revoke and error parsers beside it).
//!
//! Invariants: never panics; a success has a non-empty access token, token type Bearer and
//! `expires_at >= now`; a 429 wait is finite and within bounds; and no token leaks: when the
//! body is a JSON object, every string under `access_token`, `refresh_token`, `id_token`,
//! `token_type`, `expires_in` and `webhook.token` is replaced by itself + `SECRETTOKEN`, and
//! neither `Debug` nor `Display` of any resulting error (nor `Debug` of a token set) may
//! contain `SECRETTOKEN`.
#![no_main]

use discord_oauth_wasm::discord::error::Error;
use discord_oauth_wasm::discord::http::HttpResponse;
use discord_oauth_wasm::discord::json::SerdeJson;
use discord_oauth_wasm::discord::token::{process_revoke_response, process_token_response};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

mod common;

const MARKER: &str = "SECRETTOKEN";
const STATUSES: &[u16] = &[200, 400, 401, 429, 500];
/// The token fields (and the mistyped-field case the parser redacts) that get the marker.
const PLANTED: &[&str] = &["access_token", "refresh_token", "id_token", "token_type", "expires_in"];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let input = common::parse_input(&text);
    let now = input.now_ms;

    run(&input.response(), now, None);
    for &status in STATUSES {
        run(&input.with_status(status), now, None);
    }

    // The leak check, on a planted copy of the body.
    if let Some(planted) = plant(&input.body) {
        // Headers are printed in rate-limit errors (bucket, scope): they must not hold it.
        if input.headers.iter().any(|(n, v)| n.contains(MARKER) || v.contains(MARKER)) {
            return;
        }
        for &status in [input.status].iter().chain(STATUSES) {
            let resp = HttpResponse::new(status, input.headers.clone(), planted.clone());
            run(&resp, now, Some(MARKER));
        }
    }
});

fn run(resp: &HttpResponse, now: u64, secret: Option<&str>) {
    let leak_check = |what: &str, printed: &str| {
        if let Some(s) = secret {
            assert!(!printed.contains(s), "{what} leaked a token: {printed}");
        }
    };
    match process_token_response::<SerdeJson>(resp, now) {
        Ok(set) => {
            assert!(resp.is_success());
            assert!(!set.access_token.secret().is_empty());
            assert!(set.token_type.eq_ignore_ascii_case("bearer"));
            assert!(set.expires_at_ms >= now);
            assert!(set.refresh_token.as_ref().is_none_or(|r| !r.secret().is_empty()));
            let _ = (set.is_expired(now), set.expires_within(now, u64::MAX), set.scopes());
            let debug = format!("{set:?}");
            // `scope` is printed on purpose; the marker is never planted there.
            leak_check("TokenSet Debug", &debug);
            let json = serde_json::to_string(&set).unwrap();
            let back: discord_oauth_wasm::discord::token::TokenSet =
                serde_json::from_str(&json).unwrap();
            assert!(back == set, "TokenSet JSON round trip changed it");
        }
        Err(e) => check_error(&e, resp, secret),
    }
    if let Err(e) = process_revoke_response::<SerdeJson>(resp) {
        check_error(&e, resp, secret);
    }
    if !resp.is_success() {
        let e = Error::from_response::<SerdeJson>(resp);
        check_error(&e, resp, secret);
    }
}

fn check_error(e: &Error, resp: &HttpResponse, secret: Option<&str>) {
    let (debug, display) = common::exercise(e);
    if resp.status == 429 {
        assert!(matches!(e, Error::RateLimited(_)), "429 gave {debug}");
    }
    if let Some(s) = secret {
        assert!(!debug.contains(s), "Debug leaked a token: {debug}");
        assert!(!display.contains(s), "Display leaked a token: {display}");
    }
}

/// The body with the marker appended to every token string, if the body is a JSON object
/// whose other parts do not already hold the marker.
fn plant(body: &str) -> Option<String> {
    let mut value: Value = serde_json::from_str(body).ok()?;
    let obj = value.as_object_mut()?;
    let mut planted = 0;
    for key in PLANTED {
        if let Some(Value::String(s)) = obj.get_mut(*key) {
            s.push_str(MARKER);
            planted += 1;
        }
    }
    if let Some(Value::String(s)) = obj
        .get_mut("webhook")
        .and_then(Value::as_object_mut)
        .and_then(|w| w.get_mut("token"))
    {
        s.push_str(MARKER);
        planted += 1;
    }
    let out = serde_json::to_string(&value).ok()?;
    // serde_json writes no escape that could spell the marker, so counting is exact: the
    // marker must come only from what was planted (not, e.g., from `error_description`).
    if planted == 0 || out.matches(MARKER).count() != planted {
        return None;
    }
    Some(out)
}
