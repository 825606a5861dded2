//! Shared helpers: start the real server on port 0 in-process and talk HTTP over loopback.
#![allow(dead_code, missing_docs)]

use std::sync::{Arc, Mutex};

use discord_emulator::fixtures::{Limit, ids};
use discord_emulator::{AutoApprove, Config, Fixtures, LogSink};
use serde_json::{Value, json};

pub use discord_emulator::fixtures::ids::*;

/// RFC 7636 Appendix B.
pub const RFC_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const RFC_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
pub const REDIRECT: &str = "http://localhost:8787/auth/callback";

pub struct Emu {
    pub base: String,
    pub http: reqwest::Client,
    pub logs: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Drop for Emu {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Fixtures with roomy rate limits (the headers are still sent), so that tests which make
/// many calls in a burst are not limited; the rate-limit tests use [`Fixtures::default`].
pub fn roomy_fixtures() -> Fixtures {
    let mut f = Fixtures::default();
    let roomy = Limit {
        limit: 10_000,
        window_ms: 1000,
    };
    f.rate_limits.default = roomy;
    f.rate_limits.routes.clear();
    f.rate_limits.global = None;
    f
}

pub async fn start() -> Emu {
    start_with(roomy_fixtures(), AutoApprove::Off).await
}

pub async fn start_with(fixtures: Fixtures, auto_approve: AutoApprove) -> Emu {
    let logs = Arc::new(Mutex::new(Vec::new()));
    let config = Config {
        fixtures,
        auto_approve,
        log: LogSink::Memory(logs.clone()),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(discord_emulator::serve(listener, config));
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    Emu {
        base: format!("http://{addr}"),
        http,
        logs,
        task,
    }
}

/// A query or fragment parameter of a URL.
pub fn url_param(url: &str, key: &str) -> Option<String> {
    let tail = url.split_once(['?', '#']).map(|(_, t)| t).unwrap_or("");
    let tail = tail.replace('#', "&");
    form_urlencoded::parse(tail.as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

impl Emu {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `POST /_emulator/authorize` → the `location`.
    pub async fn authorize(&self, params: Value) -> String {
        let resp = self
            .http
            .post(self.url("/_emulator/authorize"))
            .json(&params)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let body: Value = resp.json().await.unwrap();
        body["location"].as_str().unwrap().to_owned()
    }

    /// A code from the confidential app for `user` with `scope`.
    pub async fn code(&self, scope: &str, user: &str) -> String {
        let loc = self
            .authorize(json!({
                "client_id": CONFIDENTIAL_APP, "redirect_uri": REDIRECT,
                "response_type": "code", "scope": scope, "state": "s", "user_id": user
            }))
            .await;
        url_param(&loc, "code").expect("code in location")
    }

    /// POSTs a form to the token endpoint.
    pub async fn token_form(&self, form: &[(&str, &str)], basic: bool) -> reqwest::Response {
        let mut req = self.http.post(self.url("/api/v10/oauth2/token")).form(form);
        if basic {
            req = req.basic_auth(CONFIDENTIAL_APP, Some(CONFIDENTIAL_SECRET));
        }
        req.send().await.unwrap()
    }

    /// Tokens for `user` with `scope` from the confidential app.
    pub async fn login(&self, scope: &str, user: &str) -> Value {
        let code = self.code(scope, user).await;
        self.exchange(&code).await
    }

    /// Exchanges a code of the confidential app (Basic auth, `REDIRECT`); asserts a 200.
    pub async fn exchange(&self, code: &str) -> Value {
        let resp = self
            .token_form(
                &[
                    ("grant_type", "authorization_code"),
                    ("code", code),
                    ("redirect_uri", REDIRECT),
                ],
                true,
            )
            .await;
        let status = resp.status();
        let body: Value = resp.json().await.unwrap();
        assert_eq!(status, 200, "{body}");
        body
    }

    /// An access token for the default user with `scope`.
    pub async fn access(&self, scope: &str) -> String {
        self.access_for(scope, ids::USER).await
    }

    /// An access token for `user` with `scope`.
    pub async fn access_for(&self, scope: &str, user: &str) -> String {
        self.login(scope, user).await["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn bearer_get(&self, path: &str, token: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// A GET that is expected to fail at the transport level.
    pub async fn bearer_get_err(&self, path: &str, token: &str) -> reqwest::Error {
        self.http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect_err("the connection should close without an answer")
    }

    pub async fn control(&self, path: &str, body: Value) -> Value {
        let resp = self
            .http
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        resp.json().await.unwrap()
    }

    pub async fn counters(&self) -> Value {
        self.http
            .get(self.url("/_emulator/counters"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

/// Status and JSON body.
pub async fn status_json(resp: reqwest::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let body = resp.json().await.unwrap_or(Value::Null);
    (status, body)
}
