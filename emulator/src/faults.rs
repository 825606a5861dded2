//! Scripted faults: the next N calls to a route answer a status, arrive late, carry broken JSON,
//! or lose their connection. Queued with `POST /_emulator/faults`.

use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::Serialize;
use serde_json::{Value, json};

use crate::errors::json_response;
use crate::ratelimit::{self, Snapshot, bucket_hash};
use crate::server::canonical_path;

/// What a fault does.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// Answer this status (429 with Discord's rate-limit headers and body).
    Status {
        /// HTTP status.
        status: u16,
        /// For 429: seconds to wait.
        retry_after: f64,
        /// For 429: whether it is the global limit.
        global: bool,
        /// For 429: the `X-RateLimit-Scope` (`user`, `global` or `shared`); default `global`
        /// for a global limit, else `user`.
        scope: &'static str,
        /// Body to send instead of the default.
        body: Option<Value>,
    },
    /// Wait this long, then answer normally.
    Delay {
        /// Milliseconds.
        delay_ms: u64,
    },
    /// Answer 200 with truncated JSON.
    Malformed,
    /// Answer 200, `application/json`, with bytes that are not UTF-8 (RFC 8259 §8.1 requires
    /// UTF-8), as a broken proxy or a mis-encoded answer would.
    NotUtf8,
    /// Close the connection without answering.
    Drop,
}

/// A queued fault.
#[derive(Debug, Clone, Serialize)]
pub struct Fault {
    /// Id (for listing).
    pub id: u64,
    /// The route as given, e.g. `POST /api/v10/oauth2/token`.
    pub route: String,
    /// Calls it still applies to.
    pub remaining: u32,
    /// What it does.
    #[serde(flatten)]
    pub kind: FaultKind,
    #[serde(skip)]
    method: String,
    #[serde(skip)]
    path: String,
}

/// Marker extension: the server closes the connection instead of sending this response.
#[derive(Debug, Clone, Copy)]
pub struct DropConnection;

impl Fault {
    /// Parses `{route, count, kind, status?, retry_after?, global?, scope?, body?, delay_ms?}`.
    pub fn parse(v: &Value, id: u64) -> Result<Fault, String> {
        let route = v["route"]
            .as_str()
            .ok_or("\"route\" is required, e.g. \"GET /api/v10/users/@me\"")?;
        let (method, path) = route
            .trim()
            .split_once(' ')
            .ok_or("\"route\" must be \"METHOD /path\"")?;
        let method = method.to_ascii_uppercase();
        let path = canonical_path(path.trim().split('?').next().unwrap_or(""));
        if !path.starts_with('/') {
            return Err("the route's path must start with /".into());
        }
        let count = match &v["count"] {
            Value::Null => 1,
            c => c
                .as_u64()
                .filter(|c| (1..=10_000).contains(c))
                .ok_or("\"count\" must be an integer from 1 to 10000")? as u32,
        };
        let kind = match v["kind"].as_str().unwrap_or("status") {
            "status" => {
                let status = v["status"]
                    .as_u64()
                    .filter(|s| (200..=599).contains(s))
                    .ok_or("\"status\" must be an HTTP status from 200 to 599")?
                    as u16;
                let retry_after = match &v["retry_after"] {
                    Value::Null => 1.0,
                    r => r
                        .as_f64()
                        .filter(|r| *r >= 0.0 && *r <= 3600.0)
                        .ok_or("\"retry_after\" must be seconds from 0 to 3600")?,
                };
                let global = v["global"].as_bool().unwrap_or(false);
                let scope = match v["scope"].as_str() {
                    None if global => "global",
                    None | Some("user") => "user",
                    Some("global") => "global",
                    Some("shared") => "shared",
                    Some(_) => return Err("\"scope\" must be user, global or shared".into()),
                };
                FaultKind::Status {
                    status,
                    retry_after,
                    global,
                    scope,
                    body: v.get("body").cloned(),
                }
            }
            "delay" => {
                let ms = v["delay_ms"]
                    .as_u64()
                    .or_else(|| v["ms"].as_u64())
                    .filter(|ms| *ms <= 120_000)
                    .ok_or("\"delay_ms\" must be milliseconds from 0 to 120000")?;
                FaultKind::Delay { delay_ms: ms }
            }
            "malformed" => FaultKind::Malformed,
            "not_utf8" => FaultKind::NotUtf8,
            "drop" => FaultKind::Drop,
            other => {
                return Err(format!(
                    "unknown kind {other:?}: use status, delay, malformed, not_utf8 or drop"
                ));
            }
        };
        Ok(Fault {
            id,
            route: route.trim().to_owned(),
            remaining: count,
            kind,
            method,
            path,
        })
    }

    /// Whether the fault applies to a request (`path` canonical; `template` its route).
    pub fn matches(&self, method: &str, path: &str, template: &str) -> bool {
        if self.method != method && self.method != "*" {
            return false;
        }
        let want: Vec<&str> = self.path.split('/').collect();
        [path, template].iter().any(|p| {
            let got: Vec<&str> = p.split('/').collect();
            got.len() == want.len()
                && want
                    .iter()
                    .zip(&got)
                    .all(|(w, g)| w == g || w.starts_with('{') || *w == "*")
        })
    }
}

/// The response a fault produces, or `None` for a delay (then the request proceeds).
pub async fn apply(kind: &FaultKind, route: &str) -> Option<Response> {
    match kind {
        FaultKind::Delay { delay_ms } => {
            tokio::time::sleep(Duration::from_millis(*delay_ms)).await;
            None
        }
        FaultKind::Malformed => {
            let mut resp = Response::new(Body::from(
                "{\"id\": \"80351110224678912\", \"username\": \"Nel",
            ));
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            Some(resp)
        }
        FaultKind::NotUtf8 => {
            // Latin-1 "é" (0xE9) followed by a quote is not a UTF-8 sequence.
            let mut resp = Response::new(Body::from(
                b"{\"id\": \"80351110224678912\", \"username\": \"Ren\xe9\"}".to_vec(),
            ));
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            Some(resp)
        }
        FaultKind::Drop => {
            let mut resp = Response::new(Body::empty());
            resp.extensions_mut().insert(DropConnection);
            Some(resp)
        }
        FaultKind::Status {
            status,
            retry_after,
            global,
            scope,
            body,
        } => {
            let code = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            if code == StatusCode::TOO_MANY_REQUESTS && body.is_none() {
                let snap = Snapshot {
                    limit: 5,
                    remaining: 0,
                    reset_after: *retry_after,
                    bucket: bucket_hash(route),
                };
                return Some(ratelimit::too_many_requests_scoped(
                    *retry_after,
                    *global,
                    scope,
                    Some(&snap),
                ));
            }
            if code == StatusCode::NO_CONTENT || code == StatusCode::NOT_MODIFIED {
                let mut resp = Response::new(Body::empty());
                *resp.status_mut() = code;
                return Some(resp);
            }
            let body = body.clone().unwrap_or_else(|| {
                let reason = code.canonical_reason().unwrap_or("Error");
                json!({ "message": format!("{}: {reason}", code.as_u16()), "code": 0 })
            });
            let mut resp = json_response(code, &body);
            if code == StatusCode::TOO_MANY_REQUESTS {
                let secs = retry_after.ceil().max(1.0).to_string();
                if let Ok(v) = HeaderValue::from_str(&secs) {
                    resp.headers_mut().insert("retry-after", v);
                }
                resp.headers_mut()
                    .insert("x-ratelimit-scope", HeaderValue::from_static(scope));
            }
            Some(resp)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_versions_and_templates() {
        let f = Fault::parse(
            &json!({"route": "GET /api/users/@me/guilds/{guild_id}/member", "kind": "drop"}),
            1,
        )
        .unwrap();
        assert!(f.matches(
            "GET",
            "/api/v10/users/@me/guilds/1/member",
            "/api/v10/users/@me/guilds/{guild_id}/member"
        ));
        assert!(!f.matches("POST", "/api/v10/users/@me/guilds/1/member", ""));
        assert!(Fault::parse(&json!({"route": "GET /x", "kind": "nope"}), 2).is_err());
        assert!(Fault::parse(&json!({"route": "GET /x", "status": 99}), 2).is_err());
    }
}
