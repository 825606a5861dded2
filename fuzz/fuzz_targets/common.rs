//! Shared helpers for the fuzz targets: a small HTTP-like text format so that seed files are
//! readable, and invariant checks shared by several targets.
#![allow(dead_code)]

use discord_oauth_wasm::discord::{
    error::Error, http::HttpResponse, ratelimit::MAX_WAIT_SECS,
};

/// The clock used when an input does not name one (2023-11-14, ms since the epoch).
pub const DEFAULT_NOW_MS: u64 = 1_700_000_000_000;

/// One response decoded from the seed format:
///
/// ```text
/// STATUS [NOW_MS] [extra words…]
/// header-name: value
/// …
///
/// body
/// ```
///
/// Anything that does not fit is still used: an unparsable status is 200, a header line
/// without `:` is ignored, input without a blank line has an empty header block.
pub struct Input {
    pub status: u16,
    pub now_ms: u64,
    pub words: Vec<String>,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Input {
    pub fn response(&self) -> HttpResponse {
        self.with_status(self.status)
    }

    pub fn with_status(&self, status: u16) -> HttpResponse {
        HttpResponse::new(status, self.headers.clone(), self.body.clone())
    }
}

pub fn parse_input(text: &str) -> Input {
    let (head, body) = match text.find("\n\n") {
        Some(i) => (&text[..i], &text[i + 2..]),
        None => match text.split_once('\n') {
            Some((first, rest)) => (first, rest),
            None => (text, ""),
        },
    };
    let mut lines = head.lines();
    let first = lines.next().unwrap_or("");
    let mut words = first.split_whitespace();
    let status = words.next().and_then(|w| w.parse().ok()).unwrap_or(200);
    let now_ms = words
        .next()
        .and_then(|w| w.parse().ok())
        .unwrap_or(DEFAULT_NOW_MS);
    let words = words.map(str::to_owned).collect();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.to_owned(), v.trim_start().to_owned()))
        .collect();
    Input {
        status,
        now_ms,
        words,
        headers,
        body: body.to_owned(),
    }
}

/// Every accessor of an error, and its two printed forms; returns them for leak checks.
pub fn exercise(e: &Error) -> (String, String) {
    let _ = (e.code(), e.code().as_str(), e.status(), e.global(), e.discord_code());
    let _ = e.description();
    if let Some(s) = e.retry_after() {
        check_wait_secs(s);
    }
    (format!("{e:?}"), e.to_string())
}

/// A wait taken from a 429 is a usable number of seconds.
pub fn check_wait_secs(s: f64) {
    assert!(s.is_finite(), "retry_after {s} is not finite");
    assert!((0.0..=MAX_WAIT_SECS).contains(&s), "retry_after {s} out of range");
}
