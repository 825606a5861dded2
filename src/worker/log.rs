//! One structured JSON log line per request: route, status, duration, and the Discord status
//! and rate-limit bucket when Discord was called. It never holds a token, a secret, a cookie
//! value or a query string. Read them with `wrangler tail` or Workers Logs.
//! <https://developers.cloudflare.com/workers/observability/logs/workers-logs/>

use serde::Serialize;
use std::cell::RefCell;
use std::rc::Rc;

#[derive(Default, Serialize)]
struct Line {
    route: &'static str,
    method: String,
    status: u16,
    duration_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    discord_route: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    discord_status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    discord_bucket: Option<String>,
    discord_calls: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'static str>,
    /// The webhook event handled (`POST /auth/events`), e.g. `APPLICATION_DEAUTHORIZED`.
    #[serde(skip_serializing_if = "Option::is_none")]
    event: Option<String>,
}

/// What one request did, filled in as it runs; shared with the calls it makes.
#[derive(Clone, Default)]
pub struct Trace(Rc<RefCell<Line>>);

impl Trace {
    /// Starts a trace for a request to `route` (a pattern such as
    /// `GET /api/users/@me/guilds/{id}/member`, never the raw path).
    pub fn new(method: &str, route: &'static str) -> Trace {
        Trace(Rc::new(RefCell::new(Line {
            route,
            method: method.to_owned(),
            ..Line::default()
        })))
    }

    /// Names the route once the router knows it.
    pub fn route(&self, route: &'static str) {
        if let Ok(mut l) = self.0.try_borrow_mut() {
            l.route = route;
        }
    }

    /// Records a call to Discord: its route key, status (none when it failed) and bucket.
    pub fn discord(&self, route: &str, status: Option<u16>, bucket: Option<&str>) {
        if let Ok(mut l) = self.0.try_borrow_mut() {
            l.discord_calls += 1;
            l.discord_route = Some(route.chars().take(120).collect());
            l.discord_status = status;
            l.discord_bucket = bucket.map(|b| b.chars().take(64).collect());
        }
    }

    /// Records the stable error code of the answer.
    pub fn error(&self, code: &'static str) {
        if let Ok(mut l) = self.0.try_borrow_mut() {
            l.error = Some(code);
        }
    }

    /// Records the webhook event a request carried (its type name, already reduced to
    /// `[A-Z0-9_]` by `events::parse_event`).
    pub fn event(&self, name: &str) {
        if let Ok(mut l) = self.0.try_borrow_mut() {
            l.event = Some(name.chars().take(64).collect());
        }
    }

    /// Writes the line (`console.log`) with the final status and duration.
    pub fn finish(&self, status: u16, duration_ms: u64) {
        if let Ok(mut l) = self.0.try_borrow_mut() {
            l.status = status;
            l.duration_ms = duration_ms;
            if let Ok(text) = serde_json::to_string(&*l) {
                worker::console_log!("{}", text);
            }
        }
    }
}
