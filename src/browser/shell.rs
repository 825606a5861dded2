//! The async shell (`shell.js`): fetch, Web Storage, IndexedDB, Web Locks, navigation and the
//! single-flight refresh promise. It makes no protocol decision: every step asks the core
//! through the client's dispatcher, `S.P(op, a, b)` ([`crate::browser::client`]): the
//! authorize URL, the redirect's validation, token requests and responses, when to refresh,
//! rate limits and every error. `shell.js` ships verbatim in the package, so its documentation
//! lives here:
//!
//! - Errors: `dow_err` builds every `DiscordOAuthError` (the core's through
//!   [`crate::browser::error`], the shell's own `storage_error` and `network_error`).
//! - Storage: `sessionStorage` / `localStorage` are looked up on each access (reading the
//!   property can throw in private modes); any throw becomes `storage_error`. Keys are
//!   `discord-oauth-wasm:<client id>:tokens` and `…:pending`; the pending login is always in
//!   `sessionStorage`. `memory` keeps the TokenSet JSON in the shell state.
//! - Tabs sharing `localStorage` (`storage: "local"`): a Web Lock (`navigator.locks`) named
//!   `…:refresh` serialises refreshes; inside it the winner reads the freshest TokenSet from
//!   IndexedDB (Chromium caches `localStorage` per renderer, so another tab's write may not be
//!   visible yet), and a refresh token another tab already rotated is never sent again.
//!   Without Web Locks the IndexedDB check remains; without IndexedDB, `localStorage`.
//! - Refresh: one promise per page (`S.busy`) shared by concurrent callers; the core (op 3)
//!   says whether the tokens another tab wrote meanwhile are fresh enough to take instead.
//! - API calls: op 6 builds a Bearer request after the rate limiter; op 7 reads the answer
//!   as `[0, value]`, `[1]` refresh then retry once, `[2, error]` forget the tokens then
//!   throw, `[3, error]` throw.
//! - Authorize: op 12 gives a fresh PKCE verifier (`null` for the implicit grant), which the
//!   shell hashes with `crypto.subtle.digest("SHA-256")` (browsers give `crypto.subtle` only
//!   to secure contexts: https, or http on localhost); op 13 checks the options and builds the
//!   URL and the pending login from `[verifier, digest]`.
//! - Redirect: op 10 says whether the URL carries OAuth2 parameters (and the URL without
//!   them, which replaces the address bar so a reload cannot replay them); op 11 validates it
//!   against the pending login and gives the code exchange request or the implicit TokenSet.
//! - Logout: local tokens go first, so a user is logged out even when Discord is unreachable.
//! - `DiscordSession`: the Worker's routes with `credentials: "same-origin"`; its own
//!   dispatcher reads each answer (`kind` 0: JSON, 1: the `user` of `/auth/session`, `null`
//!   on 401, 2: no body).

use js_sys::Promise;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/browser/shell.js")]
extern "C" {
    /// A `DiscordOAuthError` (`name`, `code`, and the optional details).
    pub fn dow_err(
        code: &str,
        message: &str,
        status: Option<f64>,
        retry_after: Option<f64>,
        global: Option<bool>,
        discord_code: Option<f64>,
        description: Option<&str>,
    ) -> JsValue;
    /// The shell state of a client: dispatcher, key prefix, token storage mode.
    pub fn dow_client(dispatch: &JsValue, prefix: &str, mode: &str) -> JsValue;
    /// A Bearer API call (refresh and retry as the core says).
    pub fn dow_call(s: &JsValue, method: &str, route: &str, body: Option<String>) -> Promise;
    /// `accessToken()`.
    pub fn dow_access(s: &JsValue) -> Promise;
    /// `refresh()`: single flight in the page, under a Web Lock across tabs.
    pub fn dow_refresh(s: &JsValue) -> Promise;
    /// The stored TokenSet or `null`.
    #[wasm_bindgen(catch)]
    pub fn dow_read(s: &JsValue) -> Result<JsValue, JsValue>;
    /// `isAuthenticated`.
    pub fn dow_is_auth(s: &JsValue) -> bool;
    /// Stores (or clears) a checked TokenSet.
    #[wasm_bindgen(catch)]
    pub fn dow_set(s: &JsValue, tokens: &JsValue) -> Result<(), JsValue>;
    /// `authorizeUrl(options)` / `login(options)`: hashes the PKCE verifier, keeps the pending
    /// login, then resolves the URL (or navigates to it).
    pub fn dow_begin(s: &JsValue, options: &JsValue, navigate: bool) -> Promise;
    /// `logout()`.
    pub fn dow_logout(s: &JsValue) -> Promise;
    /// `handleRedirect(url)`.
    pub fn dow_redirect(s: &JsValue, url: Option<String>) -> Promise;
    /// A call to the Worker; the core (`dispatch(kind, response)`) reads the answer.
    pub fn dow_session(
        dispatch: &JsValue,
        url: &str,
        method: &str,
        body: Option<String>,
        kind: u32,
    ) -> Promise;
    /// `location.assign(url)`.
    #[wasm_bindgen(catch)]
    pub fn dow_go(url: &str) -> Result<(), JsValue>;
}
