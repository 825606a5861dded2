use super::*;
use crate::discord::json::SerdeJson;

fn response(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
    HttpResponse::new(
        status,
        headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        body.to_owned(),
    )
}

/// <https://discord.com/developers/docs/topics/rate-limits#header-format-rate-limit-header-examples>
fn docs_headers() -> HttpResponse {
    response(
        200,
        &[
            ("X-RateLimit-Limit", "5"),
            ("X-RateLimit-Remaining", "0"),
            ("X-RateLimit-Reset", "1470173023"),
            ("X-RateLimit-Reset-After", "1"),
            ("X-RateLimit-Bucket", "abcd1234"),
        ],
        "{}",
    )
}

/// The 429 example from the same page (user scope).
fn docs_429() -> HttpResponse {
    response(
        429,
        &[
            ("Content-Type", "application/json"),
            ("Retry-After", "65"),
            ("X-RateLimit-Limit", "10"),
            ("X-RateLimit-Remaining", "0"),
            ("X-RateLimit-Reset", "1470173023.123"),
            ("X-RateLimit-Reset-After", "64.57"),
            ("X-RateLimit-Bucket", "abcd1234"),
            ("X-RateLimit-Scope", "user"),
        ],
        r#"{"message": "You are being rate limited.", "retry_after": 64.57, "global": false}"#,
    )
}

fn docs_global_429() -> HttpResponse {
    response(
        429,
        &[
            ("Retry-After", "65"),
            ("X-RateLimit-Global", "true"),
            ("X-RateLimit-Scope", "global"),
        ],
        r#"{"message": "You are being rate limited.", "retry_after": 64.57, "global": true}"#,
    )
}

#[test]
fn parses_the_documented_headers() {
    let h = RateLimitHeaders::from_response(&docs_headers());
    assert_eq!(h.limit, Some(5));
    assert_eq!(h.remaining, Some(0));
    assert_eq!(h.reset, Some(1_470_173_023.0));
    assert_eq!(h.reset_after, Some(1.0));
    assert_eq!(h.bucket.as_deref(), Some("abcd1234"));
    assert!(!h.global);
    assert_eq!(h.scope, None);
    assert_eq!(h.retry_after, None);

    let h = RateLimitHeaders::from_response(&docs_429());
    assert_eq!(h.reset, Some(1_470_173_023.123));
    assert_eq!(h.reset_after, Some(64.57));
    assert_eq!(h.scope.as_deref(), Some("user"));
    assert_eq!(h.retry_after, Some(65.0));
}

#[test]
fn malformed_headers_are_ignored() {
    let h = RateLimitHeaders::from_response(&response(
        200,
        &[
            ("X-RateLimit-Limit", "many"),
            ("X-RateLimit-Remaining", "-1"),
            ("X-RateLimit-Reset-After", "NaN"),
            ("Retry-After", "inf"),
            ("X-RateLimit-Global", "yes"),
        ],
        "",
    ));
    assert_eq!(h, RateLimitHeaders::default());
}

#[test]
fn a_429_prefers_the_body_then_headers_then_a_default() {
    let r = rate_limited::<SerdeJson>(&docs_429());
    assert_eq!(r.retry_after, 64.57);
    assert!(!r.global);
    assert_eq!(r.scope.as_deref(), Some("user"));
    assert_eq!(r.bucket.as_deref(), Some("abcd1234"));
    assert_eq!(r.message.as_deref(), Some("You are being rate limited."));

    let g = rate_limited::<SerdeJson>(&docs_global_429());
    assert!(g.global);

    let header_only = rate_limited::<SerdeJson>(&response(429, &[("Retry-After", "3")], "<html>"));
    assert_eq!(header_only.retry_after, 3.0);
    assert!(!header_only.global);
    assert_eq!(header_only.message, None);

    let bare = rate_limited::<SerdeJson>(&response(429, &[], ""));
    assert_eq!(bare.retry_after, DEFAULT_RETRY_AFTER_SECS);

    let negative = rate_limited::<SerdeJson>(&response(
        429,
        &[("Retry-After", "2")],
        r#"{"retry_after": -4, "global": false}"#,
    ));
    assert_eq!(negative.retry_after, 2.0);

    let huge = rate_limited::<SerdeJson>(&response(429, &[], r#"{"retry_after": 1e300}"#));
    assert_eq!(huge.retry_after, MAX_WAIT_SECS);
}

#[test]
fn an_exhausted_bucket_blocks_until_reset() {
    let mut rl = RateLimiter::new();
    let route = "GET /users/@me";
    assert_eq!(rl.before_request(route, 1_000), None);
    rl.update(route, &docs_headers(), 1_000);
    assert_eq!(
        rl.before_request(route, 1_000),
        Some(Wait {
            ms: 1_000,
            global: false
        })
    );
    assert_eq!(
        rl.before_request(route, 1_500),
        Some(Wait {
            ms: 500,
            global: false
        })
    );
    assert_eq!(rl.before_request(route, 2_000), None);
    // Other routes are not affected.
    assert_eq!(rl.before_request("GET /users/@me/guilds", 1_000), None);
}

#[test]
fn routes_sharing_a_bucket_hash_share_the_limit() {
    let mut rl = RateLimiter::new();
    let ok = |remaining: &str| {
        response(
            200,
            &[
                ("X-RateLimit-Limit", "2"),
                ("X-RateLimit-Remaining", remaining),
                ("X-RateLimit-Reset-After", "10"),
                ("X-RateLimit-Bucket", "shared-hash"),
            ],
            "",
        )
    };
    rl.update("GET /a", &ok("1"), 0);
    rl.update("GET /b", &ok("0"), 0);
    assert!(rl.before_request("GET /a", 0).is_some());
    // Same hash, different major parameter: counted separately.
    rl.update("GET /guilds/1/x", &ok("1"), 0);
    rl.update("GET /guilds/2/x", &ok("0"), 0);
    assert!(rl.before_request("GET /guilds/1/x", 0).is_none());
    assert!(rl.before_request("GET /guilds/2/x", 0).is_some());
}

#[test]
fn reserve_counts_requests_in_flight() {
    let mut rl = RateLimiter::new();
    let route = "GET /users/@me";
    rl.update(
        route,
        &response(
            200,
            &[
                ("X-RateLimit-Limit", "5"),
                ("X-RateLimit-Remaining", "2"),
                ("X-RateLimit-Reset-After", "1"),
                ("X-RateLimit-Bucket", "h"),
            ],
            "",
        ),
        0,
    );
    assert_eq!(rl.reserve(route, 0), None);
    assert_eq!(rl.reserve(route, 0), None);
    assert_eq!(
        rl.reserve(route, 0),
        Some(Wait {
            ms: 1_000,
            global: false
        })
    );
    // After the reset the bucket refills from its limit.
    assert_eq!(rl.reserve(route, 1_000), None);
}

#[test]
fn a_global_429_blocks_everything() {
    let mut rl = RateLimiter::new();
    rl.update("POST /oauth2/token", &docs_global_429(), 10_000);
    assert!(rl.globally_limited(10_000));
    let wait = rl.before_request("GET /anything", 10_000).unwrap();
    assert_eq!(
        wait,
        Wait {
            ms: 65_000,
            global: true
        }
    );
    assert!(rl.before_request("GET /anything", 75_000).is_none());
    let err = wait.to_rate_limited(None);
    assert!(err.global);
    assert_eq!(err.retry_after, 65.0);
}

#[test]
fn a_user_429_blocks_only_its_bucket() {
    let mut rl = RateLimiter::new();
    rl.update("GET /users/@me", &docs_429(), 0);
    assert_eq!(
        rl.before_request("GET /users/@me", 0),
        Some(Wait {
            ms: 65_000,
            global: false
        })
    );
    assert_eq!(rl.before_request("GET /users/@me/guilds", 0), None);
    // A bare 429 waits the default.
    rl.update("GET /bare", &response(429, &[], ""), 0);
    assert_eq!(
        rl.before_request("GET /bare", 0),
        Some(Wait {
            ms: 5_000,
            global: false
        })
    );
}

#[test]
fn update_json_reads_the_body_of_a_bare_429() {
    let mut rl = RateLimiter::new();
    let bare = response(429, &[], r#"{"retry_after": 0.25, "global": true}"#);
    rl.update_json::<SerdeJson>("GET /x", &bare, 0);
    assert_eq!(
        rl.before_request("GET /y", 0),
        Some(Wait {
            ms: 250,
            global: true
        })
    );
    assert_eq!(rl.before_request("GET /x", 250), None);
    let mut rl = RateLimiter::new();
    rl.record_rate_limited("GET /x", &rate_limited::<SerdeJson>(&docs_429()), 0);
    assert_eq!(
        rl.before_request("GET /x", 0),
        Some(Wait {
            ms: 64_570,
            global: false
        })
    );
}

#[test]
fn reset_epoch_is_used_without_reset_after() {
    let mut rl = RateLimiter::new();
    let now_ms = 1_470_173_022_000;
    rl.update(
        "GET /x",
        &response(
            200,
            &[
                ("X-RateLimit-Remaining", "0"),
                ("X-RateLimit-Reset", "1470173023.5"),
            ],
            "",
        ),
        now_ms,
    );
    assert_eq!(
        rl.before_request("GET /x", now_ms),
        Some(Wait {
            ms: 1_500,
            global: false
        })
    );
}

#[test]
fn secs_to_ms_clamps() {
    assert_eq!(secs_to_ms(0.0011), 2);
    assert_eq!(secs_to_ms(-1.0), 0);
    assert_eq!(secs_to_ms(f64::NAN), 86_400_000);
    assert_eq!(secs_to_ms(1e300), 86_400_000);
}
