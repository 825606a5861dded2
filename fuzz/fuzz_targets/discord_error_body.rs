//! Discord error bodies: `Error::from_response` and every `api::process_*` parser (and the
//! OAuth2 ones) on an arbitrary body, with the input's status and a set of usual statuses.
//!
//! Invariants: never panics; `from_response` keeps the HTTP status (`status()`), answers a 429
//! with `rate_limited` and a wait within bounds, and never treats a 2xx as anything but a
//! parse error; a 204 to Add Guild Member is "already a member".
#![no_main]

use discord_oauth_wasm::discord::api::{
    guilds, members, oauth2, process_raw, role_connections, users,
};
use discord_oauth_wasm::discord::error::{Error, ErrorCode, process_api_error};
use discord_oauth_wasm::discord::http::HttpResponse;
use discord_oauth_wasm::discord::json::SerdeJson;
use discord_oauth_wasm::discord::token::{
    process_oauth_error, process_revoke_response, process_token_response,
};
use libfuzzer_sys::fuzz_target;

mod common;

const STATUSES: &[u16] = &[0, 200, 201, 204, 400, 401, 403, 404, 405, 429, 500, 502, 503];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let input = common::parse_input(&text);
    // Every parser on the input's status and on the 2xx statuses (for any other status the
    // parsers only call `from_response`), then the error mapping on every usual status.
    run(&input.response(), input.now_ms);
    for status in [200, 201, 204] {
        if status != input.status {
            run(&input.with_status(status), input.now_ms);
        }
    }
    for &status in STATUSES {
        errors(&input.with_status(status));
    }
});

fn err(e: &Error) {
    common::exercise(e);
}

fn errors(resp: &HttpResponse) {
    let status = resp.status;
    let e = Error::from_response::<SerdeJson>(resp);
    err(&e);
    if status != 0 {
        assert_eq!(e.status(), Some(status), "{e:?}");
    }
    if status == 429 {
        assert!(matches!(e, Error::RateLimited(_)));
        assert_eq!(e.code(), ErrorCode::RateLimited);
    }
    if resp.is_success() {
        assert!(matches!(e, Error::Parse { .. }), "a 2xx became {e:?}");
    }
    err(&process_api_error::<SerdeJson>(resp));
    err(&process_oauth_error::<SerdeJson>(resp));
}

fn run(resp: &HttpResponse, now: u64) {
    let status = resp.status;
    errors(resp);

    macro_rules! all {
        ($($f:expr),* $(,)?) => {$(
            match $f(resp) {
                Ok(v) => {
                    assert!(resp.is_success(), "a {status} was accepted");
                    let _ = format!("{v:?}");
                }
                Err(e) => err(&e),
            }
        )*};
    }
    all!(
        users::process_current_user::<SerdeJson>,
        users::process_current_user_connections::<SerdeJson>,
        guilds::process_current_user_guilds::<SerdeJson>,
        members::process_current_user_guild_member::<SerdeJson>,
        members::process_add_guild_member::<SerdeJson>,
        oauth2::process_current_authorization::<SerdeJson>,
        oauth2::process_current_application::<SerdeJson>,
        role_connections::process_user_role_connection::<SerdeJson>,
        role_connections::process_role_connection_metadata::<SerdeJson>,
        process_revoke_response::<SerdeJson>,
    );
    if status == 204 {
        assert!(matches!(
            members::process_add_guild_member::<SerdeJson>(resp),
            Ok(members::AddGuildMemberOutcome::AlreadyMember)
        ));
    }
    match process_raw::<SerdeJson>(resp) {
        Ok(body) => assert_eq!(body, resp.body),
        Err(e) => err(&e),
    }
    match process_token_response::<SerdeJson>(resp, now) {
        Ok(t) => assert!(t.expires_at_ms >= now),
        Err(e) => err(&e),
    }
}
