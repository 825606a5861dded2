//! Discord rate limits as plain data: header parsing, the 429 body, and a bucket tracker
//! with an injected clock (no timers, no I/O).
//!
//! <https://discord.com/developers/docs/topics/rate-limits>. Every response may carry
//! `X-RateLimit-Limit`, `-Remaining`, `-Reset` (epoch seconds, fractional), `-Reset-After`
//! (seconds, fractional) and `-Bucket` (a hash shared by routes with the same limit); a 429
//! adds `Retry-After`, `X-RateLimit-Global`, `X-RateLimit-Scope` and a JSON body
//! `{message, retry_after, global, code?}`. Discord asks clients to honour these *before*
//! sending, and bans IPs that collect 10,000 401/403/429 answers in 10 minutes
//! (<https://discord.com/developers/docs/topics/rate-limits#invalid-request-limit-aka-cloudflare-bans>),
//! which matters on Workers, whose egress IPs are shared: so [`RateLimiter`] is consulted
//! before every request and updated after every response. The design follows
//! twilight-http-ratelimiting: route key → bucket hash → bucket state, plus one global gate.

use crate::discord::error::{RateLimited, RawBody};
use crate::discord::http::HttpResponse;
use crate::discord::json::JsonCodec;

/// Seconds to wait after a 429 that says neither in its body (`retry_after`) nor in its
/// headers (`Retry-After`, `X-RateLimit-Reset-After`) how long: a Cloudflare-level 429 can
/// come bare. Five seconds is long enough not to hammer (each 429 counts towards an IP ban)
/// and short enough for an interactive login.
pub const DEFAULT_RETRY_AFTER_SECS: f64 = 5.0;
/// The longest wait taken from Discord's numbers (one day); larger or non-finite values are
/// clamped, so that a malformed header cannot overflow a timestamp.
pub const MAX_WAIT_SECS: f64 = 86_400.0;
/// How many buckets the tracker keeps before it forgets those that have reset.
const MAX_BUCKETS: usize = 1024;

/// The rate-limit headers of one response; every field is `None`/`false` when absent or
/// unreadable (a malformed header is ignored, never an error).
/// <https://discord.com/developers/docs/topics/rate-limits#header-format>
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RateLimitHeaders {
    /// `X-RateLimit-Limit`: requests allowed per window.
    pub limit: Option<u64>,
    /// `X-RateLimit-Remaining`: requests left in this window.
    pub remaining: Option<u64>,
    /// `X-RateLimit-Reset`: when the window resets, epoch seconds (fractional).
    pub reset: Option<f64>,
    /// `X-RateLimit-Reset-After`: seconds until the window resets (fractional).
    pub reset_after: Option<f64>,
    /// `X-RateLimit-Bucket`: the bucket hash, shared by routes with the same limit.
    pub bucket: Option<String>,
    /// `X-RateLimit-Global: true` (429 only): the global limit was hit.
    pub global: bool,
    /// `X-RateLimit-Scope` (429 only): `user`, `global` or `shared`.
    pub scope: Option<String>,
    /// `Retry-After` (429): seconds to wait.
    pub retry_after: Option<f64>,
}

impl RateLimitHeaders {
    /// Reads the headers of a response (names are matched without case).
    pub fn from_response(response: &HttpResponse) -> Self {
        let text = |name: &str| {
            response
                .header(name)
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let seconds = |name: &str| text(name).and_then(parse_seconds);
        RateLimitHeaders {
            limit: text("x-ratelimit-limit").and_then(|v| v.parse().ok()),
            remaining: text("x-ratelimit-remaining").and_then(|v| v.parse().ok()),
            reset: seconds("x-ratelimit-reset"),
            reset_after: seconds("x-ratelimit-reset-after"),
            bucket: text("x-ratelimit-bucket").map(str::to_owned),
            global: text("x-ratelimit-global").is_some_and(|v| v.eq_ignore_ascii_case("true")),
            scope: text("x-ratelimit-scope").map(str::to_owned),
            retry_after: seconds("retry-after"),
        }
    }
}

/// A finite, non-negative number of seconds written as Discord writes them (`65`, `64.57`,
/// `1470173023.123`, optionally with a leading `+`), or `None`.
///
/// No float parser is involved (the browser wasm would otherwise carry its ~15 KB of
/// tables): the significant digits are read as an integer, then scaled by a power of ten.
/// Up to 15 significant digits both numbers are exact in an `f64`, so the one division is
/// correctly rounded, the same value `str::parse::<f64>` gives; further digits are dropped.
fn parse_seconds(v: &str) -> Option<f64> {
    let v = v.strip_prefix('+').unwrap_or(v);
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let (mut mantissa, mut digits, mut scale) = (0u64, 0u32, 0i32);
    for (i, b) in int.bytes().chain(frac.bytes()).enumerate() {
        if !b.is_ascii_digit() {
            return None;
        }
        let fractional = i >= int.len();
        if mantissa == 0 && b == b'0' {
            // Leading zeros are not significant.
        } else if digits < 15 {
            mantissa = mantissa * 10 + u64::from(b - b'0');
            digits += 1;
        } else if !fractional {
            // An integer part beyond 15 digits: keep its magnitude.
            scale += 1;
            continue;
        } else {
            continue;
        }
        if fractional {
            scale -= 1;
        }
    }
    let mut pow = 1.0f64;
    for _ in 0..scale.unsigned_abs() {
        pow *= 10.0;
    }
    let value = if scale < 0 {
        mantissa as f64 / pow
    } else {
        mantissa as f64 * pow
    };
    value.is_finite().then_some(value)
}

/// Seconds (clamped to `0..=MAX_WAIT_SECS`) as whole milliseconds, rounded up so that a
/// waiter never wakes a fraction too early.
pub fn secs_to_ms(secs: f64) -> u64 {
    let secs = if secs.is_finite() {
        secs.clamp(0.0, MAX_WAIT_SECS)
    } else {
        MAX_WAIT_SECS
    };
    (secs * 1000.0).ceil() as u64
}

/// The JSON body of a 429.
/// <https://discord.com/developers/docs/topics/rate-limits#exceeding-a-rate-limit-rate-limit-response-structure>
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
pub struct RateLimitBody {
    /// "You are being rate limited."
    #[serde(default)]
    pub message: Option<String>,
    /// Seconds to wait (fractional).
    pub retry_after: f64,
    /// Whether the global limit was hit.
    #[serde(default)]
    pub global: bool,
    /// A JSON error code, for some limits.
    #[serde(default)]
    pub code: Option<u64>,
}

/// Turns a 429 into a [`RateLimited`]. The wait is the body's `retry_after` (most precise),
/// else the `Retry-After` header, else `X-RateLimit-Reset-After`, else
/// [`DEFAULT_RETRY_AFTER_SECS`]; it is clamped to `0..=MAX_WAIT_SECS`. The limit is global
/// when the body or `X-RateLimit-Global` says so, or `X-RateLimit-Scope` is `global`.
pub fn rate_limited<J: JsonCodec>(response: &HttpResponse) -> RateLimited {
    let headers = RateLimitHeaders::from_response(response);
    let body: Option<RateLimitBody> = J::decode(&response.body).ok();
    let body_wait = body
        .as_ref()
        .map(|b| b.retry_after)
        .filter(|s| s.is_finite() && *s >= 0.0);
    let retry_after = body_wait
        .or(headers.retry_after)
        .or(headers.reset_after)
        .unwrap_or(DEFAULT_RETRY_AFTER_SECS)
        .min(MAX_WAIT_SECS);
    let global = headers.global
        || body.as_ref().is_some_and(|b| b.global)
        || headers.scope.as_deref() == Some("global");
    RateLimited {
        retry_after,
        global,
        scope: headers.scope,
        bucket: headers.bucket,
        message: body.and_then(|b| b.message),
        body: (!response.body.trim().is_empty()).then(|| RawBody::new(response.body.as_str())),
    }
}

/// How long to wait before sending, as [`RateLimiter::before_request`] answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wait {
    /// Milliseconds to wait.
    pub ms: u64,
    /// Whether the wait is for the global limit (everything waits, not only this route).
    pub global: bool,
}

impl Wait {
    /// This wait as the error to return instead of sending (when the caller prefers failing
    /// fast to sleeping, e.g. a Worker answering 429 with `Retry-After`).
    pub fn to_rate_limited(self, bucket: Option<String>) -> RateLimited {
        RateLimited {
            retry_after: self.ms as f64 / 1000.0,
            global: self.global,
            scope: if self.global {
                Some("global".to_owned())
            } else {
                None
            },
            bucket,
            message: None,
            body: None,
        }
    }
}

#[derive(Clone, Debug, Default)]
struct Bucket {
    limit: Option<u64>,
    remaining: Option<u64>,
    /// Milliseconds since the epoch (the injected clock) when the window resets.
    reset_at_ms: u64,
}

/// Tracks Discord's buckets from response headers and says, before a request, whether it
/// would be rate limited. Plain data: the caller passes the current time (`now_ms`,
/// milliseconds since the epoch) to every call and does the sleeping itself.
///
/// Keys: a request's [`route`](crate::discord::http::HttpRequest::route) maps to the bucket
/// hash Discord announced for it; a bucket is identified by that hash plus the route's major
/// parameters (the numeric path segments left in the route key: guild, channel or webhook
/// id), because Discord counts top-level resources separately
/// (<https://discord.com/developers/docs/topics/rate-limits>). Until a hash is known the route
/// key itself stands for the bucket.
#[derive(Clone, Debug, Default)]
pub struct RateLimiter {
    /// route key → bucket hash.
    routes: Table<String>,
    /// bucket key → state.
    buckets: Table<Bucket>,
    /// The global limit blocks every request until this time.
    global_until_ms: u64,
}

/// A small association list keyed by route or bucket: a client meets a few dozen routes and
/// the tables are capped at [`MAX_BUCKETS`], so a linear search is enough, and it keeps a hash
/// table (and its hasher) out of the browser wasm.
#[derive(Clone, Debug)]
struct Table<V>(Vec<(String, V)>);

impl<V> Default for Table<V> {
    fn default() -> Self {
        Table(Vec::new())
    }
}

impl<V: Default> Table<V> {
    fn position(&self, key: &str) -> Option<usize> {
        self.0.iter().position(|(k, _)| k == key)
    }

    fn get(&self, key: &str) -> Option<&V> {
        self.position(key).map(|i| &self.0[i].1)
    }

    fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        let i = self.position(key)?;
        Some(&mut self.0[i].1)
    }

    /// The value under `key`, inserted as `V::default()` when missing.
    fn entry(&mut self, key: String) -> &mut V {
        let i = match self.position(&key) {
            Some(i) => i,
            None => {
                self.0.push((key, V::default()));
                self.0.len() - 1
            }
        };
        &mut self.0[i].1
    }

    fn remove(&mut self, key: &str) {
        self.0.retain(|(k, _)| k != key);
    }
}

/// The numeric path segments of a route key: the major parameters that are kept in it.
fn major_params(route: &str) -> String {
    let path = route.split('?').next().unwrap_or("");
    let mut out = String::new();
    for seg in path.split(['/', ' ']) {
        if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
            out.push('/');
            out.push_str(seg);
        }
    }
    out
}

impl RateLimiter {
    /// An empty tracker.
    pub fn new() -> Self {
        Self::default()
    }

    fn bucket_key(&self, route: &str) -> String {
        match self.routes.get(route) {
            Some(hash) => [hash.as_str(), ":", &major_params(route)].concat(),
            None => ["route:", route].concat(),
        }
    }

    /// Whether a request on `route` must wait: the global limit until it passes, or a bucket
    /// with no requests left until it resets. `None`: send now.
    pub fn before_request(&self, route: &str, now_ms: u64) -> Option<Wait> {
        if self.global_until_ms > now_ms {
            return Some(Wait {
                ms: self.global_until_ms - now_ms,
                global: true,
            });
        }
        let bucket = self.buckets.get(&self.bucket_key(route))?;
        if bucket.remaining == Some(0) && bucket.reset_at_ms > now_ms {
            return Some(Wait {
                ms: bucket.reset_at_ms - now_ms,
                global: false,
            });
        }
        None
    }

    /// Like [`before_request`](Self::before_request), and when the request may go, counts it
    /// against the bucket, so that concurrent requests in one isolate do not all spend the
    /// last remaining slot. Call it just before sending.
    pub fn reserve(&mut self, route: &str, now_ms: u64) -> Option<Wait> {
        if let Some(wait) = self.before_request(route, now_ms) {
            return Some(wait);
        }
        let key = self.bucket_key(route);
        if let Some(bucket) = self.buckets.get_mut(&key) {
            if bucket.reset_at_ms <= now_ms {
                // The window has passed: the next response will tell the new numbers.
                bucket.remaining = bucket.limit;
            }
            if let Some(r) = bucket.remaining.as_mut() {
                *r = r.saturating_sub(1);
            }
        }
        None
    }

    /// Learns from a response to a request on `route`: the bucket hash, the remaining count and
    /// the reset time; on a 429, blocks the bucket (or everything, for the global limit) for
    /// the announced time. `X-RateLimit-Reset-After` is preferred over `X-RateLimit-Reset`
    /// because it does not depend on the clocks agreeing.
    pub fn update(&mut self, route: &str, response: &HttpResponse, now_ms: u64) {
        let headers = RateLimitHeaders::from_response(response);
        self.learn_bucket(route, &headers);
        if response.status == 429 {
            // Read from the headers here (no codec): Discord always sends `Retry-After` on a
            // 429. For the body's more precise `retry_after`, use `update_json`.
            let wait_secs = headers
                .retry_after
                .or(headers.reset_after)
                .unwrap_or(DEFAULT_RETRY_AFTER_SECS);
            let global = headers.global || headers.scope.as_deref() == Some("global");
            self.block(route, wait_secs, global, now_ms);
            return;
        }
        if headers.remaining.is_none() && headers.limit.is_none() && headers.reset_after.is_none() {
            return;
        }
        let reset_at_ms = match (headers.reset_after, headers.reset) {
            (Some(after), _) => now_ms.saturating_add(secs_to_ms(after)),
            // Epoch seconds → ms (`as` saturates), never more than a day ahead.
            (None, Some(epoch)) => ((epoch * 1000.0).ceil() as u64)
                .min(now_ms.saturating_add(secs_to_ms(MAX_WAIT_SECS))),
            (None, None) => now_ms,
        };
        let key = self.bucket_key(route);
        // A route learned its hash just now: its provisional entry is no longer needed.
        self.buckets.remove(&["route:", route].concat());
        let bucket = self.buckets.entry(key);
        bucket.limit = headers.limit.or(bucket.limit);
        bucket.remaining = headers.remaining;
        bucket.reset_at_ms = reset_at_ms;
        self.prune(now_ms);
    }

    /// Like [`update`](Self::update), but a 429 is read with [`rate_limited`], so the body's
    /// `retry_after` and `global` count too (e.g. a 429 without headers).
    pub fn update_json<J: JsonCodec>(&mut self, route: &str, response: &HttpResponse, now_ms: u64) {
        if response.status == 429 {
            self.learn_bucket(route, &RateLimitHeaders::from_response(response));
            let limited = rate_limited::<J>(response);
            self.record_rate_limited(route, &limited, now_ms);
        } else {
            self.update(route, response, now_ms);
        }
    }

    /// Blocks `route`'s bucket (or everything, for a global limit) for a rate limit already
    /// parsed, e.g. the [`RateLimited`] inside an error from a response parser.
    pub fn record_rate_limited(&mut self, route: &str, limited: &RateLimited, now_ms: u64) {
        let global = limited.global || limited.scope.as_deref() == Some("global");
        self.block(route, limited.retry_after, global, now_ms);
    }

    /// Remembers which bucket hash Discord announced for `route`.
    fn learn_bucket(&mut self, route: &str, headers: &RateLimitHeaders) {
        if let Some(hash) = &headers.bucket
            && self.routes.get(route) != Some(hash)
        {
            *self.routes.entry(route.to_owned()) = hash.clone();
        }
    }

    fn block(&mut self, route: &str, wait_secs: f64, global: bool, now_ms: u64) {
        let until = now_ms.saturating_add(secs_to_ms(wait_secs));
        if global {
            self.global_until_ms = self.global_until_ms.max(until);
            return;
        }
        // `user` and `shared` limits both block this bucket (a shared limit is per resource
        // and does not count against us, but the resource is still closed).
        let key = self.bucket_key(route);
        let bucket = self.buckets.entry(key);
        bucket.remaining = Some(0);
        bucket.reset_at_ms = bucket.reset_at_ms.max(until);
        self.prune(now_ms);
    }

    /// Whether the global limit is in force at `now_ms`.
    pub fn globally_limited(&self, now_ms: u64) -> bool {
        self.global_until_ms > now_ms
    }

    /// Forgets buckets that have reset, once there are many.
    fn prune(&mut self, now_ms: u64) {
        if self.buckets.0.len() > MAX_BUCKETS {
            self.buckets.0.retain(|(_, b)| b.reset_at_ms > now_ms);
        }
        if self.routes.0.len() > MAX_BUCKETS {
            self.routes.0.clear();
        }
    }
}

#[cfg(test)]
#[path = "ratelimit_tests.rs"]
mod tests;
