//! The npm package for single-page apps: wasm-bindgen exports over the core.
//!
//! The core ([`crate::discord`]) makes every protocol decision; this layer only runs `fetch`,
//! keeps state in Web Storage, converts JS values and navigates.

pub mod client;
mod coord;
mod error;
mod fetch;
pub mod helpers;
pub mod json;
mod opts;
mod proto;
pub mod session;
pub mod storage;
mod typings;

pub use client::DiscordOAuthClient;
pub use session::DiscordSession;

use crate::discord::Error;
use std::future::Future;
use std::pin::Pin;
use wasm_bindgen::{JsCast, JsValue};

/// Every exported async method's future, boxed: `future_to_promise` (and the task machinery
/// behind it) is then instantiated once instead of once per method, which keeps the wasm small.
type JsTask = Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;

/// Runs `f` as a JS `Promise`.
pub(crate) fn spawn<F>(f: F) -> js_sys::Promise
where
    F: Future<Output = Result<JsValue, JsValue>> + 'static,
{
    wasm_bindgen_futures::future_to_promise(Box::pin(f) as JsTask)
}

/// `globalThis.location`, in a page (absent in a worker).
fn location() -> Option<web_sys::Location> {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("location"))
        .ok()
        .and_then(|l| l.dyn_into::<web_sys::Location>().ok())
}

/// The address bar's URL.
pub(crate) fn current_url() -> Option<String> {
    location().and_then(|l| l.href().ok())
}

/// Sends the page to `url` (`location.assign`).
pub(crate) fn navigate(url: &str) -> Result<(), Error> {
    let l = location().ok_or_else(|| Error::Config(String::from("no location to navigate")))?;
    l.assign(url)
        .map_err(|e| Error::Config(error::js_message(&e)))
}

/// The OAuth2 parameters a redirect may carry, in the query or the fragment.
const OAUTH_PARAMS: &[&str] = &[
    "code",
    "state",
    "error",
    "error_description",
    "error_uri",
    "access_token",
    "token_type",
    "expires_in",
    "scope",
    "refresh_token",
    "guild_id",
    "permissions",
];

/// Removes the OAuth2 parameters from the address bar (`history.replaceState`), keeping
/// every other query parameter; the fragment goes when it held the implicit grant.
pub(crate) fn clean_address_bar(url: &str) {
    let Ok(u) = web_sys::Url::new(url) else {
        return;
    };
    let q = u.search_params();
    for p in OAUTH_PARAMS {
        q.delete(p);
    }
    let search = String::from(q.to_string());
    u.set_search(&search);
    let hash = u.hash();
    if hash.contains("access_token=") || hash.contains("error=") {
        u.set_hash("");
    }
    let history = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("history"))
        .ok()
        .and_then(|h| h.dyn_into::<web_sys::History>().ok());
    if let Some(h) = history {
        let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&u.href()));
    }
}
