//! `DiscordOAuthClient`: the no-server client (PKCE or implicit grant, tokens in the browser).
//!
//! The exported methods are thin: the async steps (fetch, storage, IndexedDB, Web Locks, the
//! single-flight refresh) run in `shell.js`, which asks this client's core dispatcher
//! (`Core::op`, private) for every decision: the authorize URL, the redirect's validation, token
//! requests and responses, when to refresh, rate limits and the errors.

use std::cell::RefCell;

use crate::discord::Error;
use crate::discord::ErrorCode;
use crate::discord::config::{ApiConfig, DEFAULT_AUTHORIZE_URL};
use crate::discord::http::Method;
use crate::discord::ratelimit::RateLimiter;
use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::error::{Result, config, throw, to_js};
use super::json::{self, Pending, request_to_js, response_from_js, tokens_from_js, tokens_to_js};
use super::proto;
use super::{opts, shell};

/// Tokens are refreshed when they expire within this many milliseconds.
const REFRESH_MARGIN_MS: f64 = 60_000.0;

type JsResult<T> = std::result::Result<T, JsValue>;

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// What the client knows: its options and the rate-limit buckets it has learned.
struct Core {
    client_id: String,
    redirect_uri: String,
    scopes: Vec<String>,
    api: ApiConfig,
    authorize_endpoint: String,
    limiter: RefCell<RateLimiter>,
}

/// Discord OAuth2 from a single-page app: PKCE or implicit grant, tokens kept in the browser.
#[wasm_bindgen]
pub struct DiscordOAuthClient {
    /// The shell's state for this client (storage, refresh in flight, and the dispatcher,
    /// which JS owns: a call in flight keeps it alive even if this object is collected).
    s: JsValue,
}

fn not_logged_in() -> Error {
    revoked("not logged in: no tokens are stored")
}

/// `unauthorized`: no tokens, or the grant is gone (revoked, or a refresh Discord refused).
fn revoked(msg: &str) -> Error {
    Error::Api {
        status: 401,
        code: 0,
        message: String::from(msg),
        errors: None,
    }
}

const NO_REFRESH: &str =
    "the access token expired and there is no refresh token (implicit grant): log in again";

fn tokens(v: JsValue) -> Result<crate::discord::token::TokenSet> {
    tokens_from_js(v).ok_or_else(not_logged_in)
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

fn arg(a: &JsValue, i: u32) -> JsValue {
    json::get(a, &JsValue::from_f64(f64::from(i)))
}

impl Core {
    /// Every decision the shell asks for; see `shell.js` for the order of the steps.
    fn op(&self, op: u32, a: JsValue, b: JsValue) -> Result<JsValue> {
        Ok(match op {
            // A stored (or given) TokenSet, checked and normalised; `null` when it is not one.
            1 => tokens_from_js(a).map_or(JsValue::NULL, |t| tokens_to_js(&t)),
            // 0: use it; 1: refresh first; 2: implicit grant, use it while it lasts; 3: gone.
            2 => {
                let t = tokens(a)?;
                let exp = t.expires_at_ms as f64;
                let now = now_ms();
                JsValue::from_f64(if exp > now + REFRESH_MARGIN_MS {
                    0.0
                } else if t.refresh_token.is_some() {
                    1.0
                } else if exp > now {
                    2.0
                } else {
                    3.0
                })
            }
            // The refresh request; `null` when another tab rotated the refresh token the
            // caller saw (`b`) meanwhile and the new tokens are fresh.
            3 => {
                let t = tokens(a)?;
                let rt = t.refresh_token.as_ref().map(|r| r.secret());
                if rt.is_some()
                    && rt.map(str::to_owned) != b.as_string()
                    && t.expires_at_ms as f64 > now_ms() + REFRESH_MARGIN_MS
                {
                    return Ok(JsValue::NULL);
                }
                let rt = rt.ok_or_else(|| revoked(NO_REFRESH))?;
                request_to_js(&proto::refresh_request(&self.api, &self.client_id, rt)?)
            }
            // A token endpoint answer; for a refresh (`b`), `null` when the grant is gone.
            4 => match proto::token_response(&response_from_js(&a), now_ms()) {
                Ok(t) => tokens_to_js(&t),
                Err(e) if b.is_truthy() && e.code() == ErrorCode::InvalidGrant => JsValue::NULL,
                Err(e) => return Err(e),
            },
            // The errors the shell throws: not logged in, grant gone, implicit token expired.
            5 => to_js(&match a.as_f64().unwrap_or(0.0) as u32 {
                1 => revoked(
                    "the grant was revoked or the refresh token was already used: log in again",
                ),
                2 => revoked(NO_REFRESH),
                _ => not_logged_in(),
            }),
            // A Bearer request `[method, route, body]` with token `a`, through the limiter.
            6 => {
                let token = a.as_string().unwrap_or_default();
                let method = parse_method(&arg(&b, 0).as_string().unwrap_or_default())?;
                let route = arg(&b, 1).as_string().unwrap_or_default();
                let req = proto::bearer_request(
                    &self.api,
                    method,
                    &route,
                    &token,
                    arg(&b, 2).as_string(),
                )?;
                if let Some(wait) = self
                    .limiter
                    .borrow_mut()
                    .reserve(&req.route, now_ms() as u64)
                {
                    return Err(Error::RateLimited(wait.to_rate_limited(None)));
                }
                request_to_js(&req)
            }
            // The answer to request `a`: `[resp, retried, tokens]` → `[kind, value]`.
            7 => {
                let resp = response_from_js(&arg(&b, 0));
                let route = json::get(&a, &JsValue::from_str("route"))
                    .as_string()
                    .unwrap_or_default();
                self.limiter
                    .borrow_mut()
                    .update(&route, &resp, now_ms() as u64);
                let mut forget = false;
                if resp.status == 401 && !arg(&b, 1).is_truthy() {
                    // The token may have expired early: one refresh, one retry; without a
                    // refresh token the grant is gone.
                    if tokens_from_js(arg(&b, 2)).is_some_and(|t| t.refresh_token.is_some()) {
                        return Ok(pair(1.0, JsValue::UNDEFINED));
                    }
                    forget = true;
                }
                match proto::api_response(&resp) {
                    Ok(v) => pair(0.0, v),
                    Err(e) => pair(if forget { 2.0 } else { 3.0 }, to_js(&e)),
                }
            }
            // Revoking the grant (through whichever token there is) and its answer.
            8 => request_to_js(&proto::revoke_request(
                &self.api,
                &self.client_id,
                &tokens(a)?,
            )?),
            9 => {
                proto::revoke_response(&response_from_js(&a))?;
                JsValue::UNDEFINED
            }
            // The redirect: `null` without OAuth2 parameters, else the URL without them.
            10 => {
                let url = a.as_string().unwrap_or_default();
                match proto::parse_redirect(&url)? {
                    None => JsValue::NULL,
                    Some(_) => JsValue::from_str(&super::clean_url(&url)),
                }
            }
            // Validates redirect `a` against the pending login `b` (JSON text):
            // `[exchange request | null, implicit TokenSet | null, data | null]`.
            11 => {
                let url = a.as_string().unwrap_or_default();
                let cb = proto::parse_redirect(&url)?.ok_or(Error::InvalidState)?;
                let pending: Pending = b
                    .as_string()
                    .and_then(|raw| Pending::parse(&raw))
                    .ok_or(Error::InvalidState)?;
                let out = js_sys::Array::new();
                match proto::validate(cb, &pending.state, now_ms())? {
                    proto::Granted::Tokens(t) => {
                        out.push(&JsValue::NULL);
                        out.push(&tokens_to_js(&t));
                    }
                    proto::Granted::Code(cb) => {
                        let verifier = pending.verifier.as_deref().ok_or(Error::InvalidState)?;
                        out.push(&request_to_js(&proto::exchange_request(
                            &self.api,
                            &self.client_id,
                            &cb,
                            verifier,
                            &pending.redirect_uri,
                        )?));
                        out.push(&JsValue::NULL);
                    }
                }
                out.push(
                    &pending
                        .data
                        .map_or(JsValue::NULL, |d| JsValue::from_str(&d)),
                );
                out.into()
            }
            // The authorize step: a fresh PKCE verifier for options `a` (`null` for the
            // implicit grant), which the shell hashes with `crypto.subtle`; then the URL and
            // the pending login for `[verifier, digest]`.
            12 => match Self::implicit(&a)? {
                true => JsValue::NULL,
                false => JsValue::from_str(&proto::new_verifier()?),
            },
            13 => {
                let (url, pending) = self.authorize(&a, &b)?;
                pair_of(JsValue::from_str(&url), JsValue::from_str(&pending))
            }
            _ => JsValue::UNDEFINED,
        })
    }

    /// Whether options `o` ask for the implicit grant (`responseType: "token"`).
    fn implicit(o: &JsValue) -> Result<bool> {
        match opts::string(o, "responseType")?.as_deref() {
            None | Some("code") => Ok(false),
            Some("token") => Ok(true),
            _ => Err(config(
                "option `responseType` must be \"code\" or \"token\"",
            )),
        }
    }

    /// The authorize URL for options `o` and the pending login to keep (JSON text). `pkce` is
    /// `[verifier, SHA-256 digest]` from the shell, for the code grant.
    fn authorize(&self, o: &JsValue, pkce: &JsValue) -> Result<(String, String)> {
        let implicit = Self::implicit(o)?;
        let scopes = match opts::strings(o, "scopes")? {
            Some(s) => proto::scopes(&s)?,
            None => proto::scopes(&self.scopes)?,
        };
        let redirect_uri =
            opts::string(o, "redirectUri")?.unwrap_or_else(|| self.redirect_uri.clone());
        let state = match opts::string(o, "state")? {
            Some(s) if !s.is_empty() => s,
            _ => proto::new_state()?,
        };
        let (verifier, challenge) = if implicit {
            (None, None)
        } else {
            let v = arg(pkce, 0).as_string().unwrap_or_default();
            let digest = js_sys::Uint8Array::new(&arg(pkce, 1)).to_vec();
            let c = proto::challenge(&v, &digest)?;
            (Some(v), Some(c))
        };
        let data = match opts::get(o, "data") {
            v if v.is_undefined() => None,
            v => Some(
                js_sys::JSON::stringify(&v)
                    .ok()
                    .and_then(|s| s.as_string())
                    .ok_or_else(|| config("option `data` must be a JSON value"))?,
            ),
        };
        let params = proto::AuthorizeParams {
            endpoint: &self.authorize_endpoint,
            client_id: &self.client_id,
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
        let pending: JsValue = js_sys::Object::new().into();
        json::set(&pending, "state", &JsValue::from_str(&state));
        if let Some(v) = &verifier {
            json::set(&pending, "verifier", &JsValue::from_str(v));
        }
        json::set(&pending, "redirect_uri", &JsValue::from_str(&redirect_uri));
        if let Some(d) = &data {
            json::set(&pending, "data", &JsValue::from_str(d));
        }
        let raw = js_sys::JSON::stringify(&pending)
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_default();
        Ok((url, raw))
    }
}

fn pair(kind: f64, v: JsValue) -> JsValue {
    pair_of(JsValue::from_f64(kind), v)
}

fn pair_of(a: JsValue, b: JsValue) -> JsValue {
    js_sys::Array::of2(&a, &b).into()
}

fn reject(e: &Error) -> Promise {
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
        let authorize_endpoint = opts::string(o, "authorizeEndpoint")?
            .unwrap_or_else(|| String::from(DEFAULT_AUTHORIZE_URL));
        let mut prefix = String::from("discord-oauth-wasm:");
        prefix.push_str(&client_id);
        let c = Core {
            client_id,
            redirect_uri,
            scopes,
            api,
            authorize_endpoint,
            limiter: RefCell::new(RateLimiter::default()),
        };
        let dispatch = Closure::<dyn Fn(u32, JsValue, JsValue) -> JsResult<JsValue>>::new(
            move |op: u32, a: JsValue, b: JsValue| c.op(op, a, b).map_err(|e| to_js(&e)),
        )
        .into_js_value();
        let s = shell::dow_client(&dispatch, &prefix, &storage);
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
        shell::dow_call(&self.s, "GET", route, None)
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

    /// `GET /oauth2/@me`.
    #[wasm_bindgen(skip_jsdoc, js_name = fetchAuthorization, unchecked_return_type = "Promise<AuthorizationInfo>")]
    pub fn fetch_authorization(&self) -> Promise {
        self.get("/oauth2/@me")
    }

    /// Any other Bearer call: `route` is the path after the API base (e.g.
    /// `"/users/@me/guilds?limit=10"`); `body` is sent as JSON. Rate-limit aware; resolves
    /// to the JSON answer (`null` for 204).
    #[wasm_bindgen(skip_jsdoc, unchecked_return_type = "Promise<unknown>")]
    pub fn request(
        &self,
        #[wasm_bindgen(unchecked_param_type = "HttpMethod")] method: &str,
        route: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "JsonValue")] body: Option<JsValue>,
    ) -> Promise {
        let r = parse_method(method).and_then(|m| {
            if !route.starts_with('/') {
                return Err(config("route must start with `/`"));
            }
            let body = match body {
                Some(b) if !b.is_undefined() => Some(
                    js_sys::JSON::stringify(&b)
                        .ok()
                        .and_then(|s| s.as_string())
                        .ok_or_else(|| config("body must be a JSON value"))?,
                ),
                _ => None,
            };
            Ok((m, body))
        });
        match r {
            Ok((m, body)) => shell::dow_call(&self.s, m.as_str(), route, body),
            Err(e) => reject(&e),
        }
    }
}
