//! Per-route, per-token rate-limit buckets with Discord's headers.
//!
//! <https://discord.com/developers/docs/topics/rate-limits>: every response carries
//! `X-RateLimit-Limit`, `-Remaining`, `-Reset` (epoch seconds with fractions), `-Reset-After`
//! and `-Bucket`; a request over the budget gets a real 429 with `Retry-After`,
//! `X-RateLimit-Scope` (and `X-RateLimit-Global` for the global limit) and the body
//! `{"message": "You are being rate limited.", "retry_after": 0.5, "global": false}`.
//! Limits are counted per bucket, per top-level resource (the "major parameter", e.g. the
//! guild id) and per token, like Discord's.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::errors::json_response;
use crate::fixtures::{Limit, RateLimitConfig};
use crate::util::now_secs;

struct Window {
    started: Instant,
    count: u32,
}

/// The bucket state reported in the `X-RateLimit-*` headers.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// `X-RateLimit-Limit`.
    pub limit: u32,
    /// `X-RateLimit-Remaining`.
    pub remaining: u32,
    /// `X-RateLimit-Reset-After` in seconds.
    pub reset_after: f64,
    /// `X-RateLimit-Bucket`.
    pub bucket: String,
}

/// The result of counting one request.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Allowed; attach these headers.
    Allowed(Snapshot),
    /// Over the budget: answer 429.
    Limited {
        /// Bucket state.
        snapshot: Snapshot,
        /// Whether the global limit was hit.
        global: bool,
    },
}

/// All buckets.
pub struct RateLimiter {
    config: RateLimitConfig,
    buckets: HashMap<(String, String, String), Window>,
    global: HashMap<String, Window>,
}

/// A stable, opaque bucket id for a route (like Discord's hashes).
pub fn bucket_hash(route: &str) -> String {
    let digest = Sha256::digest(route.as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

impl RateLimiter {
    /// Empty buckets with the given budgets.
    pub fn new(config: RateLimitConfig) -> Self {
        RateLimiter {
            config,
            buckets: HashMap::new(),
            global: HashMap::new(),
        }
    }

    /// The current configuration.
    pub fn config(&self) -> &RateLimitConfig {
        &self.config
    }

    /// Changes a route's budget (or the default when `route` is `None`) and empties buckets.
    pub fn set_limit(&mut self, route: Option<String>, limit: Limit) {
        match route {
            Some(r) => {
                self.config.routes.insert(r, limit);
            }
            None => self.config.default = limit,
        }
        self.buckets.clear();
    }

    /// Changes the global budget and empties buckets.
    pub fn set_global(&mut self, limit: Option<Limit>) {
        self.config.global = limit;
        self.global.clear();
    }

    /// Counts one request to `route` (template, e.g. `GET /api/v10/users/@me`) for `major`
    /// (top-level resource id or "") by `identity` (a token hash). The global budget counts
    /// only when `global_applies` (Bearer and Bot tokens). `None`: route unlimited.
    pub fn check(
        &mut self,
        route: &str,
        major: &str,
        identity: &str,
        global_applies: bool,
    ) -> Option<Outcome> {
        let limit = *self
            .config
            .routes
            .get(route)
            .unwrap_or(&self.config.default);
        let bucket = bucket_hash(route);
        if let Some(g) = self.config.global.filter(|g| g.limit > 0 && global_applies) {
            if self.global.len() > 4096 {
                self.global
                    .retain(|_, w| w.started.elapsed() < Duration::from_secs(300));
            }
            let w = self
                .global
                .entry(identity.to_owned())
                .or_insert_with(|| Window {
                    started: Instant::now(),
                    count: 0,
                });
            let (count, reset_after) = tick(w, g);
            if count > g.limit {
                return Some(Outcome::Limited {
                    snapshot: Snapshot {
                        limit: g.limit,
                        remaining: 0,
                        reset_after,
                        bucket,
                    },
                    global: true,
                });
            }
        }
        if limit.limit == 0 {
            return None;
        }
        if self.buckets.len() > 4096 {
            // Long-running emulators see many tokens: drop windows that ended long ago.
            self.buckets
                .retain(|_, w| w.started.elapsed() < Duration::from_secs(300));
        }
        let key = (route.to_owned(), major.to_owned(), identity.to_owned());
        let w = self.buckets.entry(key).or_insert_with(|| Window {
            started: Instant::now(),
            count: 0,
        });
        let (count, reset_after) = tick(w, limit);
        let snapshot = Snapshot {
            limit: limit.limit,
            remaining: limit.limit.saturating_sub(count),
            reset_after,
            bucket,
        };
        if count > limit.limit {
            // A refused request does not use up budget of the next window.
            w.count = limit.limit;
            Some(Outcome::Limited {
                snapshot,
                global: false,
            })
        } else {
            Some(Outcome::Allowed(snapshot))
        }
    }
}

/// Counts a request in a fixed window; returns the count and seconds until the window ends.
fn tick(w: &mut Window, limit: Limit) -> (u32, f64) {
    let window = Duration::from_millis(limit.window_ms.max(1));
    if w.started.elapsed() >= window {
        w.started = Instant::now();
        w.count = 0;
    }
    w.count = w.count.saturating_add(1);
    let left = window.saturating_sub(w.started.elapsed());
    (w.count, left.as_secs_f64())
}

/// Adds the `X-RateLimit-*` headers of a snapshot.
pub fn add_headers(headers: &mut HeaderMap, s: &Snapshot) {
    let reset = now_secs() + s.reset_after;
    let pairs = [
        ("x-ratelimit-limit", s.limit.to_string()),
        ("x-ratelimit-remaining", s.remaining.to_string()),
        ("x-ratelimit-reset", format!("{reset:.3}")),
        ("x-ratelimit-reset-after", format!("{:.3}", s.reset_after)),
        ("x-ratelimit-bucket", s.bucket.clone()),
    ];
    for (k, v) in pairs {
        if let Ok(v) = HeaderValue::from_str(&v) {
            headers.insert(k, v);
        }
    }
}

/// A 429 response as Discord sends it, its `X-RateLimit-Scope` `global` or `user`.
pub fn too_many_requests(retry_after: f64, global: bool, snapshot: Option<&Snapshot>) -> Response {
    let scope = if global { "global" } else { "user" };
    too_many_requests_scoped(retry_after, global, scope, snapshot)
}

/// A 429 response with the given `X-RateLimit-Scope` (`user`, `global` or `shared`: a
/// per-resource limit, which Discord does not count toward its invalid-request ban).
/// <https://discord.com/developers/docs/topics/rate-limits#header-format>
pub fn too_many_requests_scoped(
    retry_after: f64,
    global: bool,
    scope: &'static str,
    snapshot: Option<&Snapshot>,
) -> Response {
    // Discord rounds the body's retry_after to milliseconds and the header up to whole seconds.
    let retry_after = (retry_after * 1000.0).ceil() / 1000.0;
    let mut resp = json_response(
        StatusCode::TOO_MANY_REQUESTS,
        &json!({ "message": "You are being rate limited.", "retry_after": retry_after, "global": global }),
    );
    let h = resp.headers_mut();
    if let Some(s) = snapshot {
        add_headers(h, s);
    }
    let secs = retry_after.ceil().max(1.0) as u64;
    if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
        h.insert("retry-after", v);
    }
    h.insert("x-ratelimit-scope", HeaderValue::from_static(scope));
    if global {
        h.insert("x-ratelimit-global", HeaderValue::from_static("true"));
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_exhausts_and_reports() {
        let cfg = RateLimitConfig {
            global: None,
            default: Limit {
                limit: 2,
                window_ms: 60_000,
            },
            ..Default::default()
        };
        let mut rl = RateLimiter::new(cfg);
        let r = "GET /api/v10/users/@me";
        assert!(
            matches!(rl.check(r, "", "a", true), Some(Outcome::Allowed(s)) if s.remaining == 1)
        );
        assert!(
            matches!(rl.check(r, "", "a", true), Some(Outcome::Allowed(s)) if s.remaining == 0)
        );
        assert!(matches!(
            rl.check(r, "", "a", true),
            Some(Outcome::Limited { global: false, .. })
        ));
        // Another token has its own bucket.
        assert!(matches!(
            rl.check(r, "", "b", true),
            Some(Outcome::Allowed(_))
        ));
        assert_eq!(bucket_hash(r), bucket_hash(r));
    }
}
