//! `DiscordOAuthClient`: the no-server client (PKCE or implicit grant, tokens in the browser).

use std::cell::RefCell;
use std::rc::Rc;

use crate::discord::Error;
use crate::discord::config::{ApiConfig, DEFAULT_AUTHORIZE_URL};
use crate::discord::http::{HttpRequest, HttpResponse, Method};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::RequestCredentials;

use super::error::{Result, config, to_js};
use super::json::{JsJson, to_js_value};
use super::proto::{self, TokenSet, TokenSetExt};
use super::storage::{Area, Store, TokenStore};
use super::{coord, fetch, opts};
use crate::discord::json::JsonCodec;

/// Tokens are refreshed when they expire within this many milliseconds.
const REFRESH_MARGIN_MS: f64 = 60_000.0;
const TOKENS_KEY: &str = "tokens";
const PENDING_KEY: &str = "pending";

/// What a login in progress leaves in `sessionStorage` for the redirect.
#[derive(Serialize, Deserialize)]
pub(crate) struct Pending {
    pub state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verifier: Option<String>,
    pub redirect_uri: String,
    /// The `data` option, as JSON text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
}

type JsResult<T> = std::result::Result<T, JsValue>;

trait OrThrow<T> {
    fn js(self) -> JsResult<T>;
}
impl<T> OrThrow<T> for Result<T> {
    fn js(self) -> JsResult<T> {
        self.map_err(|e| to_js(&e))
    }
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

pub(crate) struct Inner {
    pub client_id: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub api: ApiConfig,
    pub authorize_endpoint: String,
    /// `discord-oauth-wasm:<client id>`: the namespace of every key.
    pub prefix: String,
    pub tokens: TokenStore,
    /// PKCE verifier and state: always `sessionStorage`, whatever `storage` says.
    pub pending: Store,
    /// The refresh in flight in this page, shared by concurrent callers.
    refreshing: RefCell<Option<js_sys::Promise>>,
    pub limiter: RefCell<proto::Limiter>,
}

/// Discord OAuth2 from a single-page app: PKCE or implicit grant, tokens kept in the browser.
#[wasm_bindgen]
pub struct DiscordOAuthClient {
    inner: Rc<Inner>,
}

impl Inner {
    fn read_tokens(&self) -> Result<Option<TokenSet>> {
        match self.tokens.get(TOKENS_KEY)? {
            None => Ok(None),
            // An entry that does not parse (another version, tampering) is no login.
            Some(raw) => Ok(JsJson::decode::<TokenSet>(&raw).ok()),
        }
    }

    /// Writes (or clears) the tokens; in `localStorage` mode also to IndexedDB, where other
    /// tabs read them inside the refresh lock.
    async fn write_tokens(&self, t: Option<&TokenSet>) -> Result<()> {
        let raw = match t {
            Some(t) => Some(JsJson::encode(t).map_err(|e| Error::Storage(e.0))?),
            None => None,
        };
        self.tokens.put(TOKENS_KEY, raw.as_deref())?;
        if self.tokens.is_shared() {
            JsFuture::from(coord::dow_idb_put(&self.prefix, raw))
                .await
                .map_err(|e| Error::Storage(super::error::js_message(&e)))?;
        }
        Ok(())
    }

    /// The freshest tokens another tab may have written (IndexedDB), else this tab's.
    async fn freshest_tokens(&self) -> Result<Option<TokenSet>> {
        if self.tokens.is_shared()
            && let Ok(v) = JsFuture::from(coord::dow_idb_get(&self.prefix)).await
            && let Some(raw) = v.as_string()
        {
            // Keep localStorage in step with what the other tab wrote.
            self.tokens.put(TOKENS_KEY, Some(&raw))?;
            return Ok(JsJson::decode::<TokenSet>(&raw).ok());
        }
        self.read_tokens()
    }

    async fn send(&self, req: &HttpRequest, what: &str) -> Result<HttpResponse> {
        fetch::send(req, RequestCredentials::Omit)
            .await
            .map_err(|u| fetch::network_error(what, u))
    }

    /// Refreshes with the stored refresh token; `seen` is the refresh token the caller saw
    /// before waiting for the lock: when another tab rotated it meanwhile, its tokens are
    /// taken instead of refreshing again (unless `force` and they expire soon anyway).
    async fn refresh_locked(&self, seen: Option<String>) -> Result<TokenSet> {
        let current = self.freshest_tokens().await?.ok_or_else(not_logged_in)?;
        let current_rt = current.refresh().map(str::to_owned);
        if current_rt.is_some()
            && current_rt != seen
            && current.expires_ms() > now_ms() + REFRESH_MARGIN_MS
        {
            return Ok(current);
        }
        let rt = current_rt.ok_or_else(|| {
            revoked(
                "the access token expired and there is no refresh token (implicit grant): \
                 log in again",
            )
        })?;
        let req = proto::refresh_request(&self.api, &self.client_id, &rt)?;
        let resp = self.send(&req, "the token refresh").await?;
        match proto::token_response(&resp, now_ms()) {
            Ok(t) => {
                self.write_tokens(Some(&t)).await?;
                Ok(t)
            }
            Err(e) if e.code() == crate::discord::ErrorCode::InvalidGrant => {
                // Revoked, or the refresh token was already used: the grant is gone.
                self.write_tokens(None).await?;
                Err(revoked(
                    "the grant was revoked or the refresh token was already used: log in again",
                ))
            }
            Err(e) => Err(e),
        }
    }

    /// One refresh at a time across the tabs sharing `localStorage` (Web Lock).
    async fn refresh_coordinated(self: &Rc<Self>, seen: Option<String>) -> JsResult<TokenSet> {
        if !self.tokens.is_shared() {
            return self.refresh_locked(seen).await.js();
        }
        let me = self.clone();
        let task = Closure::once_into_js(move || {
            super::spawn(async move {
                let t = me.refresh_locked(seen).await.js()?;
                to_js_value(&t).map_err(|e| to_js(&Error::Storage(e.0)))
            })
        });
        let mut name = self.prefix.clone();
        name.push_str(":refresh");
        let v = JsFuture::from(coord::dow_with_lock(&name, task.unchecked_ref())).await?;
        serde_wasm_bindgen::from_value(v).map_err(|e| to_js(&Error::Storage(e.to_string())))
    }

    /// The refresh in flight in this page, or a new one: concurrent callers share it.
    async fn refresh_shared(self: &Rc<Self>) -> JsResult<TokenSet> {
        let existing = self.refreshing.borrow().clone();
        let promise = match existing {
            Some(p) => p,
            None => {
                let seen = self
                    .read_tokens()
                    .js()?
                    .and_then(|t| t.refresh().map(str::to_owned));
                let me = self.clone();
                let p = super::spawn(async move {
                    let r = me.refresh_coordinated(seen).await;
                    *me.refreshing.borrow_mut() = None;
                    let t = r?;
                    to_js_value(&t).map_err(|e| to_js(&Error::Storage(e.0)))
                });
                *self.refreshing.borrow_mut() = Some(p.clone());
                p
            }
        };
        let v = JsFuture::from(promise).await?;
        serde_wasm_bindgen::from_value(v).map_err(|e| to_js(&Error::Storage(e.to_string())))
    }

    /// A valid access token, refreshed first when it expires within 60 s.
    async fn access_token(self: &Rc<Self>) -> JsResult<String> {
        let t = self
            .read_tokens()
            .js()?
            .ok_or_else(|| to_js(&not_logged_in()))?;
        if t.expires_ms() > now_ms() + REFRESH_MARGIN_MS {
            return Ok(t.access().to_owned());
        }
        if t.refresh().is_none() {
            if t.expires_ms() > now_ms() {
                // Implicit grant: nothing to refresh with; use it while it lasts.
                return Ok(t.access().to_owned());
            }
            self.write_tokens(None).await.js()?;
            return Err(to_js(&revoked(
                "the access token expired and there is no refresh token (implicit grant): \
                 log in again",
            )));
        }
        Ok(self.refresh_shared().await?.access().to_owned())
    }

    /// A Bearer call through the rate limiter; a 401 is answered by one refresh and one
    /// retry (the token may have expired early); a refused refresh means revoked.
    async fn bearer(
        self: &Rc<Self>,
        method: Method,
        route: &str,
        body: Option<String>,
    ) -> JsResult<HttpResponse> {
        let mut retried = false;
        loop {
            let token = self.access_token().await?;
            let req = proto::bearer_request(&self.api, method, route, &token, body.clone()).js()?;
            self.limiter
                .borrow_mut()
                .before_request(&req, now_ms())
                .js()?;
            let resp = self.send(&req, "the Discord API request").await.js()?;
            self.limiter.borrow_mut().update(&req, &resp, now_ms());
            if resp.status == 401 && !retried {
                let has_refresh = self
                    .read_tokens()
                    .js()?
                    .is_some_and(|t| t.refresh().is_some());
                if has_refresh {
                    retried = true;
                    self.refresh_shared().await?;
                    continue;
                }
                self.write_tokens(None).await.js()?;
            }
            return Ok(resp);
        }
    }

    async fn api_json(
        self: &Rc<Self>,
        method: Method,
        route: &str,
        body: Option<String>,
    ) -> JsResult<JsValue> {
        let resp = self.bearer(method, route, body).await?;
        proto::api_response(&resp).js()
    }
}

fn not_logged_in() -> Error {
    Error::Api {
        status: 401,
        code: 0,
        message: String::from("not logged in: no tokens are stored"),
        errors: None,
    }
}

/// `unauthorized`: the grant is gone (revoked, or a refresh that Discord refused).
fn revoked(msg: &str) -> Error {
    Error::Api {
        status: 401,
        code: 0,
        message: String::from(msg),
        errors: None,
    }
}

fn api_promise(
    inner: &Rc<Inner>,
    method: Method,
    route: String,
    body: Option<String>,
) -> js_sys::Promise {
    let me = inner.clone();
    super::spawn(async move { me.api_json(method, &route, body).await })
}

fn parse_method(m: &str) -> Result<Method> {
    Ok(match m.to_ascii_uppercase().as_str() {
        "GET" => Method::Get,
        "POST" => Method::Post,
        "PUT" => Method::Put,
        "PATCH" => Method::Patch,
        "DELETE" => Method::Delete,
        _ => return Err(config("method must be GET, POST, PUT, PATCH or DELETE")),
    })
}

#[wasm_bindgen]
impl DiscordOAuthClient {
    /// A client for one application; see `DiscordOAuthClientOptions`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "DiscordOAuthClientOptions")] options: JsValue,
    ) -> JsResult<DiscordOAuthClient> {
        Self::build(&options).js()
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
        let mut prefix = String::from("discord-oauth-wasm:");
        prefix.push_str(&client_id);
        let tokens = TokenStore::from_name(&storage, &prefix).ok_or_else(|| {
            config("option `storage` must be \"memory\", \"session\" or \"local\"")
        })?;
        let api = match opts::string(o, "apiBase")? {
            Some(b) => ApiConfig::with_base(&b),
            None => ApiConfig::default(),
        };
        let authorize_endpoint = opts::string(o, "authorizeEndpoint")?
            .unwrap_or_else(|| String::from(DEFAULT_AUTHORIZE_URL));
        Ok(DiscordOAuthClient {
            inner: Rc::new(Inner {
                client_id,
                redirect_uri,
                scopes,
                api,
                authorize_endpoint,
                pending: Store::new(Area::Session, prefix.clone()),
                prefix,
                tokens,
                refreshing: RefCell::new(None),
                limiter: RefCell::new(proto::Limiter::default()),
            }),
        })
    }

    /// The authorize URL; keeps state (and the PKCE verifier) in `sessionStorage`.
    #[wasm_bindgen(js_name = authorizeUrl, unchecked_return_type = "Promise<string>")]
    pub fn authorize_url(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "AuthorizeOptions")] options: Option<
            JsValue,
        >,
    ) -> js_sys::Promise {
        let r = self.make_authorize_url(&options.unwrap_or(JsValue::UNDEFINED));
        super::spawn(async move { r.map(JsValue::from).js() })
    }

    fn make_authorize_url(&self, o: &JsValue) -> Result<String> {
        let i = &self.inner;
        let response_type =
            opts::string(o, "responseType")?.unwrap_or_else(|| String::from("code"));
        let implicit = match response_type.as_str() {
            "code" => false,
            "token" => true,
            _ => {
                return Err(config(
                    "option `responseType` must be \"code\" or \"token\"",
                ));
            }
        };
        let scopes = match opts::strings(o, "scopes")? {
            Some(s) => proto::scopes(&s)?,
            None => proto::scopes(&i.scopes)?,
        };
        let redirect_uri =
            opts::string(o, "redirectUri")?.unwrap_or_else(|| i.redirect_uri.clone());
        let state = match opts::string(o, "state")? {
            Some(s) if !s.is_empty() => s,
            _ => proto::new_state()?,
        };
        let (verifier, challenge) = if implicit {
            (None, None)
        } else {
            let (v, c) = proto::new_pkce()?;
            (Some(v), Some(c))
        };
        let data = match opts::get(o, "data") {
            v if v.is_undefined() => None,
            v => Some(
                js_sys::JSON::stringify(&v)
                    .map(String::from)
                    .map_err(|_| config("option `data` must be a JSON value"))?,
            ),
        };
        let params = proto::AuthorizeParams {
            endpoint: &i.authorize_endpoint,
            client_id: &i.client_id,
            redirect_uri: &redirect_uri,
            scopes,
            implicit,
            state: &state,
            code_challenge: challenge.as_ref(),
            prompt: opts::string(o, "prompt")?,
            permissions: opts::string_or_number(o, "permissions")?,
            guild_id: opts::string_or_number(o, "guildId")?,
            disable_guild_select: opts::boolean(o, "disableGuildSelect")?,
            integration_type: opts::number(o, "integrationType")?,
        };
        let url = proto::authorize_url(params)?;
        let pending = Pending {
            state,
            verifier,
            redirect_uri,
            data,
        };
        let raw = JsJson::encode(&pending).map_err(|e| Error::Storage(e.0))?;
        i.pending.set(PENDING_KEY, &raw)?;
        Ok(url)
    }

    /// Navigates to the authorize URL.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn login(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "AuthorizeOptions")] options: Option<
            JsValue,
        >,
    ) -> js_sys::Promise {
        let r = self
            .make_authorize_url(&options.unwrap_or(JsValue::UNDEFINED))
            .and_then(|url| super::navigate(&url));
        super::spawn(async move { r.map(|_| JsValue::UNDEFINED).js() })
    }

    /// Completes a login on the redirect: `code` in the query (PKCE exchange) or
    /// `access_token` in the fragment (implicit grant). `null` when `url` (default: the
    /// address bar) carries no OAuth2 parameters.
    #[wasm_bindgen(js_name = handleRedirect, unchecked_return_type = "Promise<TokenSet | null>")]
    pub fn handle_redirect(&self, url: Option<String>) -> js_sys::Promise {
        let me = self.inner.clone();
        super::spawn(async move { me.handle_redirect(url).await })
    }

    /// Whether tokens are stored that are still valid or can be refreshed.
    #[wasm_bindgen(getter, js_name = isAuthenticated)]
    pub fn is_authenticated(&self) -> bool {
        match self.inner.read_tokens() {
            Ok(Some(t)) => t.refresh().is_some() || t.expires_ms() > now_ms(),
            _ => false,
        }
    }

    /// The stored TokenSet, or `null`.
    #[wasm_bindgen(unchecked_return_type = "TokenSet | null")]
    pub fn tokens(&self) -> JsResult<JsValue> {
        match self.inner.read_tokens().js()? {
            Some(t) => to_js_value(&t).map_err(|e| to_js(&Error::Storage(e.0))),
            None => Ok(JsValue::NULL),
        }
    }

    /// Stores a TokenSet kept elsewhere (`null` clears).
    #[wasm_bindgen(js_name = setTokens)]
    pub fn set_tokens(
        &self,
        #[wasm_bindgen(unchecked_param_type = "TokenSet | null")] tokens: JsValue,
    ) -> JsResult<()> {
        let t: Option<TokenSet> = if tokens.is_null() || tokens.is_undefined() {
            None
        } else {
            Some(serde_wasm_bindgen::from_value(tokens).map_err(|e| {
                let mut m = String::from("setTokens: not a TokenSet: ");
                m.push_str(&e.to_string());
                to_js(&config(m))
            })?)
        };
        let raw = match &t {
            Some(t) => Some(JsJson::encode(t).map_err(|e| to_js(&Error::Storage(e.0)))?),
            None => None,
        };
        self.inner.tokens.put(TOKENS_KEY, raw.as_deref()).js()?;
        if self.inner.tokens.is_shared() {
            // Fire and forget: other tabs read it inside the refresh lock.
            let _ = coord::dow_idb_put(&self.inner.prefix, raw);
        }
        Ok(())
    }

    /// A valid access token; refreshes first when it expires within 60 s.
    #[wasm_bindgen(js_name = accessToken, unchecked_return_type = "Promise<string>")]
    pub fn access_token(&self) -> js_sys::Promise {
        let me = self.inner.clone();
        super::spawn(async move { me.access_token().await.map(JsValue::from) })
    }

    /// Refreshes now (shared with any refresh in flight).
    #[wasm_bindgen(unchecked_return_type = "Promise<TokenSet>")]
    pub fn refresh(&self) -> js_sys::Promise {
        let me = self.inner.clone();
        super::spawn(async move {
            let t = me.refresh_shared().await?;
            to_js_value(&t).map_err(|e| to_js(&Error::Storage(e.0)))
        })
    }

    /// Revokes the grant at Discord and clears the stored tokens.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn logout(&self) -> js_sys::Promise {
        let me = self.inner.clone();
        super::spawn(async move { me.logout().await.map(|_| JsValue::UNDEFINED).js() })
    }

    /// `GET /users/@me`.
    #[wasm_bindgen(js_name = fetchUser, unchecked_return_type = "Promise<User>")]
    pub fn fetch_user(&self) -> js_sys::Promise {
        api_promise(&self.inner, Method::Get, String::from("/users/@me"), None)
    }

    /// `GET /users/@me/guilds`.
    #[wasm_bindgen(js_name = fetchGuilds, unchecked_return_type = "Promise<Guild[]>")]
    pub fn fetch_guilds(&self) -> js_sys::Promise {
        api_promise(
            &self.inner,
            Method::Get,
            String::from("/users/@me/guilds"),
            None,
        )
    }

    /// `GET /users/@me/connections`.
    #[wasm_bindgen(js_name = fetchConnections, unchecked_return_type = "Promise<Connection[]>")]
    pub fn fetch_connections(&self) -> js_sys::Promise {
        api_promise(
            &self.inner,
            Method::Get,
            String::from("/users/@me/connections"),
            None,
        )
    }

    /// `GET /users/@me/guilds/{guildId}/member`.
    #[wasm_bindgen(js_name = fetchGuildMember, unchecked_return_type = "Promise<Member>")]
    pub fn fetch_guild_member(
        &self,
        #[wasm_bindgen(js_name = guildId)] guild_id: &str,
    ) -> js_sys::Promise {
        let mut route = String::from("/users/@me/guilds/");
        route.push_str(&String::from(js_sys::encode_uri_component(guild_id)));
        route.push_str("/member");
        api_promise(&self.inner, Method::Get, route, None)
    }

    /// `GET /oauth2/@me`.
    #[wasm_bindgen(js_name = fetchAuthorization, unchecked_return_type = "Promise<AuthorizationInfo>")]
    pub fn fetch_authorization(&self) -> js_sys::Promise {
        api_promise(&self.inner, Method::Get, String::from("/oauth2/@me"), None)
    }

    /// Any other Bearer call: `route` is the path after the API base (e.g.
    /// `"/users/@me/guilds?limit=10"`); `body` is sent as JSON. Rate-limit aware; resolves
    /// to the JSON answer (`null` for 204).
    #[wasm_bindgen(unchecked_return_type = "Promise<unknown>")]
    pub fn request(
        &self,
        #[wasm_bindgen(unchecked_param_type = "HttpMethod")] method: &str,
        route: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "JsonValue")] body: Option<JsValue>,
    ) -> js_sys::Promise {
        let r = parse_method(method).and_then(|m| {
            if !route.starts_with('/') {
                return Err(config("route must start with `/`"));
            }
            let body = match body {
                Some(b) if !b.is_undefined() => Some(
                    js_sys::JSON::stringify(&b)
                        .map(String::from)
                        .map_err(|_| config("body must be a JSON value"))?,
                ),
                _ => None,
            };
            Ok((m, body))
        });
        let route = String::from(route);
        let me = self.inner.clone();
        super::spawn(async move {
            let (m, body) = r.js()?;
            me.api_json(m, &route, body).await
        })
    }
}

impl Inner {
    async fn handle_redirect(self: &Rc<Self>, url: Option<String>) -> JsResult<JsValue> {
        let current = super::current_url();
        let url = match url.or_else(|| current.clone()) {
            Some(u) => u,
            None => {
                return Err(to_js(&config(
                    "handleRedirect: no URL given and no location",
                )));
            }
        };
        let Some(cb) = proto::parse_redirect(&url).js()? else {
            return Ok(JsValue::NULL);
        };
        // The parameters leave the address bar at once: a reload must not replay them.
        if current.as_deref() == Some(url.as_str()) {
            super::clean_address_bar(&url);
        }
        let pending = self.pending.get(PENDING_KEY).js()?;
        self.pending.remove(PENDING_KEY).js()?;
        let pending: Option<Pending> = pending.and_then(|raw| JsJson::decode(&raw).ok());
        let Some(pending) = pending else {
            return Err(to_js(&Error::InvalidState));
        };
        let granted = proto::validate(cb, &pending.state, now_ms()).js()?;
        let tokens = match granted {
            proto::Granted::Tokens(t) => t,
            proto::Granted::Code(cb) => {
                let verifier = pending
                    .verifier
                    .as_deref()
                    .ok_or_else(|| to_js(&Error::InvalidState))?;
                let req = proto::exchange_request(
                    &self.api,
                    &self.client_id,
                    &cb,
                    verifier,
                    &pending.redirect_uri,
                )
                .js()?;
                let resp = fetch::send(&req, RequestCredentials::Omit)
                    .await
                    .map_err(|u| {
                        let mut m = String::from(
                            "the token exchange could not reach Discord from the browser (blocked \
                             by CORS, or offline): make the application a Public Client, or use \
                             the Worker (DiscordSession) for the exchange. Cause: ",
                        );
                        m.push_str(&u.0);
                        to_js(&Error::Network(m))
                    })?;
                proto::token_response(&resp, now_ms()).js()?
            }
        };
        self.write_tokens(Some(&tokens)).await.js()?;
        let v = to_js_value(&tokens).map_err(|e| to_js(&Error::Storage(e.0)))?;
        if let Some(data) = pending.data
            && let Ok(d) = js_sys::JSON::parse(&data)
        {
            let _ = js_sys::Reflect::set(&v, &JsValue::from_str("data"), &d);
        }
        Ok(v)
    }

    async fn logout(self: &Rc<Self>) -> Result<()> {
        let t = self.read_tokens()?;
        // Local state goes first: even when Discord cannot be reached the user is logged out.
        self.write_tokens(None).await?;
        let Some(t) = t else { return Ok(()) };
        // Revoking either token revokes the whole grant; the refresh token outlives the other.
        let req = proto::revoke_request(&self.api, &self.client_id, &t)?;
        let resp = self.send(&req, "the token revocation").await?;
        proto::revoke_response(&resp)
    }
}
