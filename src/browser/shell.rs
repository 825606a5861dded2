//! The async shell (`shell.js`, readable source shipped as is; `docs/browser.md`): fetch, Web
//! Storage, IndexedDB, Web Locks, navigation and the single-flight refresh promise. It makes no
//! protocol decision: it asks the client's `ClientCore` (src/browser/core.rs) by name and
//! runs the core's token lifecycle as a loop over named actions:
//!
//! - A call (`runCall`): `send` (fetch, then `onResponse`), `refresh` (the page's single
//!   flight, then `onRefreshed`), `forget` (clear the stored tokens, then `onForgotten`),
//!   `done` (the value). A failure is thrown by the core as the `DiscordOAuthError`.
//! - A refresh (`leadRefresh`, only the single flight's leader): `send`, `persist` (write the
//!   rotated tokens at once), `reread` (the freshest stored tokens), `settled` (the outcome
//!   every waiting call gets).
//! - Tabs sharing `localStorage` (`storage: "local"`): a Web Lock (`navigator.locks`) named
//!   `…:refresh` serialises refreshes; inside it the leader reads the freshest TokenSet from
//!   IndexedDB (Chromium caches `localStorage` per renderer, so another tab's write may not be
//!   visible yet), and the core adopts a rotation another tab made instead of sending a
//!   rotated-away refresh token. Without Web Locks the IndexedDB check remains; without
//!   IndexedDB, `localStorage`.
//! - Storage: `sessionStorage` / `localStorage` are looked up on each access (reading the
//!   property can throw in private modes); any throw becomes `storage_error`. Keys are
//!   `discord-oauth-wasm:<client id>:tokens` and `…:pending`; the pending login is always in
//!   `sessionStorage`. `memory` keeps the TokenSet JSON in the shell state.
//! - Authorize: the core gives a fresh PKCE verifier (`null` for the implicit grant), which the
//!   shell hashes with `crypto.subtle.digest("SHA-256")` (secure contexts only: https, or http
//!   on localhost); the core then builds the URL and the pending login.
//! - Redirect: the core says whether the URL carries OAuth2 parameters (and the URL without
//!   them, which replaces the address bar so a reload cannot replay them), validates it against
//!   the pending login and gives the code exchange request or the implicit TokenSet.
//! - Logout: local tokens go first, so a user is logged out even when Discord is unreachable.

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
    /// Adds a rate limit's `bucket`, `scope` and Discord's `body` (parsed) to an error.
    pub fn dow_err_limits(
        error: &JsValue,
        bucket: Option<&str>,
        scope: Option<&str>,
        body: Option<&str>,
    );
    /// A JS string's UTF-8 bytes (`TextEncoder`): a long string crosses into the wasm in one
    /// copy this way (`json::string_of`).
    pub fn dow_utf8(s: &JsValue) -> js_sys::Uint8Array;
    /// The shell state of a client: its core, key prefix, token storage mode, and the
    /// `onRequest` trace function (or `undefined`).
    pub fn dow_client(core: JsValue, prefix: &str, mode: &str, on_request: JsValue) -> JsValue;
    /// A Bearer API call (refresh and retry as the core says); `anonymous`: without a token.
    pub fn dow_call(
        s: &JsValue,
        method: &str,
        route: &str,
        body: Option<String>,
        anonymous: bool,
    ) -> Promise;
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
}
