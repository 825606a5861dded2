//! Runs a core [`HttpRequest`] with the global `fetch` (a page or a web worker alike) and
//! returns the core's [`HttpResponse`].

use crate::discord::Error;
use crate::discord::http::{HttpRequest, HttpResponse};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestCredentials, RequestInit, Response};

use super::error::js_message;

#[wasm_bindgen]
extern "C" {
    /// The global `fetch` of whatever scope the module runs in.
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(input: &Request) -> js_sys::Promise;
}

/// The response headers the core reads (rate limits, retry); CORS exposes these when the
/// server lists them in `Access-Control-Expose-Headers`.
const HEADERS: &[&str] = &[
    "content-type",
    "retry-after",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "x-ratelimit-reset-after",
    "x-ratelimit-bucket",
    "x-ratelimit-global",
    "x-ratelimit-scope",
];

/// A request that did not get an answer: fetch rejected (offline, DNS, blocked by CORS).
pub struct Unreachable(pub String);

/// Sends `req`; `credentials` is `same-origin` for the Worker, `omit` for Discord.
pub async fn send(
    req: &HttpRequest,
    credentials: RequestCredentials,
) -> Result<HttpResponse, Unreachable> {
    let headers = Headers::new().map_err(|e| Unreachable(js_message(&e)))?;
    for (name, value) in &req.headers {
        // Browsers refuse to let a page set `User-Agent` on Chromium; sending it would only
        // trigger a CORS preflight for nothing.
        if name.eq_ignore_ascii_case("user-agent") {
            continue;
        }
        headers
            .set(name, value)
            .map_err(|e| Unreachable(js_message(&e)))?;
    }
    let init = RequestInit::new();
    init.set_method(req.method.as_str());
    init.set_headers(&headers);
    init.set_credentials(credentials);
    if let Some(body) = &req.body {
        if req.header("content-type").is_none() {
            headers
                .set("content-type", body.content_type())
                .map_err(|e| Unreachable(js_message(&e)))?;
        }
        init.set_body(&JsValue::from_str(body.as_str()));
    }
    let request =
        Request::new_with_str_and_init(&req.url, &init).map_err(|e| Unreachable(js_message(&e)))?;
    let response: Response = JsFuture::from(global_fetch(&request))
        .await
        .map_err(|e| Unreachable(js_message(&e)))?
        .unchecked_into();
    let mut out = Vec::new();
    let got = response.headers();
    for name in HEADERS {
        if let Ok(Some(v)) = got.get(name) {
            out.push(((*name).to_owned(), v));
        }
    }
    let text = match response.text() {
        Ok(p) => JsFuture::from(p)
            .await
            .map_err(|e| Unreachable(js_message(&e)))?
            .as_string()
            .unwrap_or_default(),
        Err(e) => return Err(Unreachable(js_message(&e))),
    };
    Ok(HttpResponse::new(response.status(), out, text))
}

/// A `network_error` for a request that got no answer.
pub fn network_error(what: &str, u: Unreachable) -> Error {
    let mut m = String::from(what);
    m.push_str(" failed: ");
    m.push_str(&u.0);
    Error::Network(m)
}
