//! `DiscordOAuthClient`: the no-server client (PKCE or implicit grant, tokens in the browser).
//!
//! The exported methods are thin: the async steps (fetch, storage, IndexedDB, Web Locks, the
//! single-flight refresh) run in `shell.js`, which asks this client's core (`ClientCore`,
//! src/browser/core.rs, private) for every decision by name: the authorize URL, the redirect's
//! validation, the code exchange, and each step of the token lifecycle (`docs/browser.md`,
//! `docs/lifecycle.md`).

use std::cell::RefCell;
use std::rc::Rc;

use crate::discord::config::{ApiConfig, DEFAULT_AUTHORIZE_URL};
use crate::discord::ratelimit::RateLimiter;
use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::core::{ClientCore, Options};
use super::error::{Result, config, throw, to_js};
use super::json::{tokens_from_js, tokens_to_js};
use super::{opts, proto, shell};

type JsResult<T> = std::result::Result<T, JsValue>;

/// Discord OAuth2 from a single-page app: PKCE or implicit grant, tokens kept in the browser.
#[wasm_bindgen]
pub struct DiscordOAuthClient {
    /// The shell's state for this client (storage, the refresh in flight, and the
    /// `ClientCore`, which JS owns: a call in flight keeps it alive even if this object is
    /// collected).
    s: JsValue,
}

fn reject(e: &crate::discord::Error) -> Promise {
    Promise::reject(&to_js(e))
}

#[wasm_bindgen]
impl DiscordOAuthClient {
    /// A client for one application; see `DiscordOAuthClientOptions`.
    #[wasm_bindgen(skip_jsdoc, constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "DiscordOAuthClientOptions")] options: JsValue,
    ) -> JsResult<DiscordOAuthClient> {
        throw(Self::build(&options))
    }

    fn build(o: &JsValue) -> Result<DiscordOAuthClient> {
        let client_id = opts::string(o, "clientId")?
            .filter(|s| !s.is_empty())
            .ok_or_else(|| config("option `clientId` is required"))?;
        let redirect_uri = opts::string(o, "redirectUri")?
            .filter(|s| !s.is_empty())
            .ok_or_else(|| config("option `redirectUri` is required"))?;
        let scopes = opts::strings(o, "scopes")?.unwrap_or_else(|| vec![String::from("identify")]);
        proto::scopes(&scopes)?;
        let storage = opts::string(o, "storage")?.unwrap_or_else(|| String::from("session"));
        if !matches!(storage.as_str(), "memory" | "session" | "local") {
            return Err(config(
                "option `storage` must be \"memory\", \"session\" or \"local\"",
            ));
        }
        let api = match opts::string(o, "apiBase")? {
            Some(b) => ApiConfig::with_base(&b),
            None => ApiConfig::default(),
        };
        // The expected OpenID Connect issuer (docs/oidc.md): option `issuer`, else the API
        // base's origin.
        let issuer = crate::discord::oidc::expected_issuer(
            &api.api_base,
            opts::string(o, "issuer")?.as_deref(),
        )
        .ok_or_else(|| config("option `apiBase` must be an absolute URL"))?;
        let authorize_endpoint = opts::string(o, "authorizeEndpoint")?
            .unwrap_or_else(|| String::from(DEFAULT_AUTHORIZE_URL));
        let mut prefix = String::from("discord-oauth-wasm:");
        prefix.push_str(&client_id);
        let core = ClientCore {
            o: Rc::new(Options {
                client_id,
                redirect_uri,
                scopes,
                api,
                issuer,
                authorize_endpoint,
                limiter: RefCell::new(RateLimiter::default()),
                jwks: RefCell::new(crate::discord::oidc::Jwks::default()),
                jwk_objects: RefCell::new(Vec::new()),
            }),
        };
        let on_request = opts::get(o, "onRequest");
        if !(on_request.is_undefined() || on_request.is_function()) {
            return Err(config("option `onRequest` must be a function"));
        }
        let s = shell::dow_client(JsValue::from(core), &prefix, &storage, on_request);
        Ok(DiscordOAuthClient { s })
    }

    /// The authorize URL; keeps state (and the PKCE verifier) in `sessionStorage`.
    #[wasm_bindgen(skip_jsdoc, js_name = authorizeUrl, unchecked_return_type = "Promise<string>")]
    pub fn authorize_url(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "AuthorizeOptions")] options: Option<
            JsValue,
        >,
    ) -> Promise {
        self.begin(options, false)
    }

    fn begin(&self, options: Option<JsValue>, navigate: bool) -> Promise {
        shell::dow_begin(&self.s, &options.unwrap_or(JsValue::UNDEFINED), navigate)
    }

    /// Navigates to the authorize URL.
    #[wasm_bindgen(skip_jsdoc, unchecked_return_type = "Promise<void>")]
    pub fn login(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "AuthorizeOptions")] options: Option<
            JsValue,
        >,
    ) -> Promise {
        self.begin(options, true)
    }

    /// Completes a login on the redirect: `code` in the query (PKCE exchange) or
    /// `access_token` in the fragment (implicit grant). `null` when `url` (default: the
    /// address bar) carries no OAuth2 parameters.
    #[wasm_bindgen(skip_jsdoc, js_name = handleRedirect, unchecked_return_type = "Promise<TokenSet | null>")]
    pub fn handle_redirect(&self, url: Option<String>) -> Promise {
        shell::dow_redirect(&self.s, url)
    }

    /// Whether tokens are stored that are still valid or can be refreshed.
    #[wasm_bindgen(skip_jsdoc, getter, js_name = isAuthenticated)]
    pub fn is_authenticated(&self) -> bool {
        shell::dow_is_auth(&self.s)
    }

    /// The stored TokenSet, or `null`.
    #[wasm_bindgen(skip_jsdoc, unchecked_return_type = "TokenSet | null")]
    pub fn tokens(&self) -> JsResult<JsValue> {
        shell::dow_read(&self.s)
    }

    /// Stores a TokenSet kept elsewhere (`null` clears).
    #[wasm_bindgen(skip_jsdoc, js_name = setTokens)]
    pub fn set_tokens(
        &self,
        #[wasm_bindgen(unchecked_param_type = "TokenSet | null")] tokens: JsValue,
    ) -> JsResult<()> {
        let t = if tokens.is_null() || tokens.is_undefined() {
            JsValue::NULL
        } else {
            match tokens_from_js(tokens) {
                Some(t) => tokens_to_js(&t),
                None => return Err(to_js(&config("setTokens: not a TokenSet"))),
            }
        };
        shell::dow_set(&self.s, &t)
    }

    /// A valid access token; refreshes first when it expires within 60 s.
    #[wasm_bindgen(skip_jsdoc, js_name = accessToken, unchecked_return_type = "Promise<string>")]
    pub fn access_token(&self) -> Promise {
        shell::dow_access(&self.s)
    }

    /// Refreshes now (shared with any refresh in flight).
    #[wasm_bindgen(skip_jsdoc, unchecked_return_type = "Promise<TokenSet>")]
    pub fn refresh(&self) -> Promise {
        shell::dow_refresh(&self.s)
    }

    /// Revokes the grant at Discord and clears the stored tokens.
    #[wasm_bindgen(skip_jsdoc, unchecked_return_type = "Promise<void>")]
    pub fn logout(&self) -> Promise {
        shell::dow_logout(&self.s)
    }

    /// `GET /users/@me`.
    #[wasm_bindgen(skip_jsdoc, js_name = fetchUser, unchecked_return_type = "Promise<User>")]
    pub fn fetch_user(&self) -> Promise {
        self.get("/users/@me")
    }

    fn get(&self, route: &str) -> Promise {
        shell::dow_call(&self.s, "GET", route, None, false)
    }

    /// `GET /users/@me/guilds`.
    #[wasm_bindgen(skip_jsdoc, js_name = fetchGuilds, unchecked_return_type = "Promise<Guild[]>")]
    pub fn fetch_guilds(&self) -> Promise {
        self.get("/users/@me/guilds")
    }

    /// `GET /users/@me/connections`.
    #[wasm_bindgen(skip_jsdoc, js_name = fetchConnections, unchecked_return_type = "Promise<Connection[]>")]
    pub fn fetch_connections(&self) -> Promise {
        self.get("/users/@me/connections")
    }

    /// `GET /users/@me/guilds/{guildId}/member`.
    #[wasm_bindgen(skip_jsdoc, js_name = fetchGuildMember, unchecked_return_type = "Promise<Member>")]
    pub fn fetch_guild_member(&self, #[wasm_bindgen(js_name = guildId)] guild_id: &str) -> Promise {
        let mut route = String::from("/users/@me/guilds/");
        route.push_str(&String::from(js_sys::encode_uri_component(guild_id)));
        route.push_str("/member");
        self.get(&route)
    }

    /// `GET /oauth2/userinfo` (OpenID Connect, `openid` scope): `sub` and the profile claims.
    #[wasm_bindgen(skip_jsdoc, js_name = fetchUserInfo, unchecked_return_type = "Promise<UserInfo>")]
    pub fn fetch_user_info(&self) -> Promise {
        self.get("/oauth2/userinfo")
    }

    /// `GET /oauth2/@me`.
    #[wasm_bindgen(skip_jsdoc, js_name = fetchAuthorization, unchecked_return_type = "Promise<AuthorizationInfo>")]
    pub fn fetch_authorization(&self) -> Promise {
        self.get("/oauth2/@me")
    }

    /// Any other call: `route` is the path after the API base (e.g.
    /// `"/users/@me/guilds?limit=10"`); `body` is sent as JSON. With the user's token, or
    /// none with `{ auth: false }`. Rate-limit aware; resolves to the JSON answer (`null` for
    /// 204).
    #[wasm_bindgen(skip_jsdoc, unchecked_return_type = "Promise<unknown>")]
    pub fn request(
        &self,
        #[wasm_bindgen(unchecked_param_type = "HttpMethod")] method: &str,
        route: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "JsonValue")] body: Option<JsValue>,
        #[wasm_bindgen(unchecked_optional_param_type = "RequestOptions")] options: Option<JsValue>,
    ) -> Promise {
        let anonymous = match options.map(|o| opts::boolean(&o, "auth")).transpose() {
            Ok(auth) => auth.flatten() == Some(false),
            Err(e) => return reject(&e),
        };
        match request_body(route, body) {
            Ok(body) => shell::dow_call(&self.s, method, route, body, anonymous),
            Err(e) => reject(&e),
        }
    }
}

/// The JSON text of a raw call's body, after checking its route.
fn request_body(route: &str, body: Option<JsValue>) -> Result<Option<String>> {
    if !route.starts_with('/') {
        return Err(config("route must start with `/`"));
    }
    match body {
        Some(b) if !b.is_undefined() => js_sys::JSON::stringify(&b)
            .ok()
            .and_then(|s| s.as_string())
            .map(Some)
            .ok_or_else(|| config("body must be a JSON value")),
        _ => Ok(None),
    }
}
