//! One structured JSON log line per request: route, status, duration, and the Discord status
//! and rate-limit bucket when Discord was called. It never holds a token, a secret, a cookie
//! value or a query string. Read them with `wrangler tail` or Workers Logs.
//! <https://developers.cloudflare.com/workers/observability/logs/workers-logs/>
//!
//! Discord bans an IP that makes 10,000 invalid requests in 10 minutes: every 401, 403 and
//! 429, except 429s with `X-RateLimit-Scope: shared` (a per-resource limit, "not counted
//! against you"). A 429's line names its scope (`discord_scope`: `user`, `global` or
//! `shared`), and `discord_invalid_requests` counts this request's answers that count toward
//! the ban, so an operator can sum them across lines.
//! <https://discord.com/developers/docs/topics/rate-limits#invalid-request-limit-aka-cloudflare-bans>

use super::hooks::{RequestHook, RequestTrace};
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
    #[serde(skip_serializing_if = "Option::is_none")]
    discord_scope: Option<String>,
    #[serde(skip_serializing_if = "is_zero")]
    discord_invalid_requests: u32,
    discord_calls: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'static str>,
    /// The webhook event handled (`POST /auth/events`), e.g. `APPLICATION_DEAUTHORIZED`.
    #[serde(skip_serializing_if = "Option::is_none")]
    event: Option<String>,
    /// Why a host Worker's `on_login` hook refused a login (its fixed label).
    #[serde(skip_serializing_if = "Option::is_none")]
    hook_reason: Option<&'static str>,
    /// The host Worker's `on_request` hook, called for each request to Discord.
    #[serde(skip)]
    on_request: Option<RequestHook>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// Whether an answer from Discord counts toward its invalid-request limit: 401, 403, and 429
/// unless its `X-RateLimit-Scope` is `shared`.
/// <https://discord.com/developers/docs/topics/rate-limits#invalid-request-limit-aka-cloudflare-bans>
pub fn counts_as_invalid(status: u16, scope: Option<&str>) -> bool {
    match status {
        401 | 403 => true,
        429 => !scope.is_some_and(|s| s.eq_ignore_ascii_case("shared")),
        _ => false,
    }
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

    /// Sets the hook told of every request to Discord ([`super::DiscordAuth::on_request`]).
    pub fn on_request(&self, hook: Option<RequestHook>) {
        if hook.is_some()
            && let Ok(mut l) = self.0.try_borrow_mut()
        {
            l.on_request = hook;
        }
    }

    /// Tells the `on_request` hook, if any, of a request to Discord (the trace is built only
    /// when there is a hook). Called outside any borrow of the line.
    pub fn report(&self, trace: impl FnOnce() -> RequestTrace) {
        let hook = self.0.try_borrow().ok().and_then(|l| l.on_request.clone());
        if let Some(hook) = hook {
            hook(&trace());
        }
    }

    /// Records the label an `on_login` hook gave for refusing a login.
    pub fn hook_reason(&self, reason: &'static str) {
        if let Ok(mut l) = self.0.try_borrow_mut() {
            l.hook_reason = Some(reason);
        }
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

    /// Records what an answer from Discord means for its invalid-request limit: the
    /// `X-RateLimit-Scope` of a 429, and whether it counts toward the ban.
    pub fn discord_limits(&self, status: u16, scope: Option<&str>) {
        if let Ok(mut l) = self.0.try_borrow_mut() {
            if status == 429 {
                l.discord_scope = scope.map(|s| s.chars().take(16).collect());
            }
            if counts_as_invalid(status, scope) {
                l.discord_invalid_requests += 1;
            }
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
