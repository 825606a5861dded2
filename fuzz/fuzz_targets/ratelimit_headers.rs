//! Rate-limit headers and 429 bodies through `RateLimitHeaders`, `rate_limited` and a
//! `RateLimiter` fed a sequence of responses with arbitrary (also backwards) clocks.
//!
//! Input: records separated by a line `---`, each in the seed format of `common.rs` with the
//! first line `STATUS NOW_MS ROUTE LATER_MS [json] [record]`: the limiter is asked before the request
//! (`before_request`, `reserve`), updated with the response at `NOW_MS` (`update_json` when
//! the word `json` is there, else `update`), and asked again at `NOW_MS` and `LATER_MS`; with `record`, the
//! parsed 429 is also recorded at `LATER_MS` (`record_rate_limited`).
//!
//! Invariants: never panics or overflows; parsed seconds are finite and non-negative; a 429
//! wait is finite and within `MAX_WAIT_SECS`; a wait is never zero; right after a 429 with a
//! positive wait, or an exhausted bucket with a positive reset, the route is blocked.
#![no_main]

use discord_oauth_wasm::discord::http::HttpResponse;
use discord_oauth_wasm::discord::json::SerdeJson;
use discord_oauth_wasm::discord::ratelimit::{
    DEFAULT_RETRY_AFTER_SECS, MAX_WAIT_SECS, RateLimitHeaders, RateLimiter, rate_limited,
    secs_to_ms,
};
use libfuzzer_sys::fuzz_target;

mod common;

const MAX_RECORDS: usize = 64;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut limiter = RateLimiter::new();
    for record in text.split("\n---\n").take(MAX_RECORDS) {
        let input = common::parse_input(record);
        let route = input.words.first().cloned().unwrap_or_else(|| "GET /users/@me".to_owned());
        let later = input
            .words
            .get(1)
            .and_then(|w| w.parse::<u64>().ok())
            .unwrap_or(input.now_ms.wrapping_add(1000));
        let json = input.words.iter().any(|w| w == "json");
        let now = input.now_ms;
        let resp = input.response();

        let headers = RateLimitHeaders::from_response(&resp);
        for s in [headers.reset, headers.reset_after, headers.retry_after].into_iter().flatten() {
            assert!(s.is_finite() && s >= 0.0, "parsed seconds {s}");
            let _ = secs_to_ms(s);
        }
        let limited = rate_limited::<SerdeJson>(&resp);
        common::check_wait_secs(limited.retry_after);
        let _ = format!("{limited:?}");

        for (at, wait) in [
            (now, limiter.before_request(&route, now)),
            (now, limiter.reserve(&route, now)),
        ] {
            check_wait(at, wait);
        }
        if json {
            limiter.update_json::<SerdeJson>(&route, &resp, now);
        } else {
            limiter.update(&route, &resp, now);
        }
        // Clocks near the end of time saturate; the blocking checks need room after `now`.
        let room = now < u64::MAX - 2 * secs_to_ms(MAX_WAIT_SECS);
        let blocked_now = limiter.before_request(&route, now);
        check_wait(now, blocked_now);
        if room && must_block(&resp, &headers, json) {
            assert!(blocked_now.is_some(), "route {route:?} not blocked after {resp:?}");
        }
        check_wait(later, limiter.before_request(&route, later));
        let _ = limiter.globally_limited(later);
        if let Some(w) = blocked_now {
            let r = w.to_rate_limited(headers.bucket.clone());
            assert!(r.retry_after.is_finite() && r.retry_after > 0.0);
        }
        if input.words.iter().any(|w| w == "record") {
            limiter.record_rate_limited(&route, &limited, later);
        }
    }
});

fn check_wait(_now: u64, wait: Option<discord_oauth_wasm::discord::ratelimit::Wait>) {
    if let Some(w) = wait {
        assert!(w.ms > 0, "a zero wait");
    }
}

/// Whether Discord's answer says this route may not be called again right away.
fn must_block(resp: &HttpResponse, h: &RateLimitHeaders, json: bool) -> bool {
    if resp.status == 429 {
        let secs = if json {
            rate_limited::<SerdeJson>(resp).retry_after
        } else {
            h.retry_after.or(h.reset_after).unwrap_or(DEFAULT_RETRY_AFTER_SECS)
        };
        return secs_to_ms(secs) > 0;
    }
    h.remaining == Some(0) && h.reset_after.is_some_and(|s| secs_to_ms(s) > 0)
}
