//! What `shell.js` asks the core, by name (`docs/browser.md`). Every protocol decision of the
//! browser client is made here or in [`crate::discord`]; the shell only runs `fetch`, Web
//! Storage, IndexedDB, Web Locks and navigation between the steps.
//!
//! - [`ClientCore`]: one per `DiscordOAuthClient`: its options, the rate-limit buckets, and the
//!   one-shot steps (authorize URL, redirect, code exchange, revocation).
//! - [`CallDriver`] and [`RefreshDriver`]: the core's lifecycle machines
//!   ([`crate::discord::lifecycle`]) for one call and one refresh. Each step returns
//!   `{action, …}` with a named action (`send`, `refresh`, `forget`, `persist`, `reread`,
//!   `done`, `settled`); a failure is thrown as the `DiscordOAuthError`.
//! - The id_token check's driver is in `id_token.rs`, with the same step shape.

use std::cell::RefCell;
use std::rc::Rc;

use crate::discord::Error;
use crate::discord::config::ApiConfig;
use crate::discord::http::Method;
use crate::discord::lifecycle::{
    self, Call, CallAction, Done, Refresh, RefreshAction, RefreshOutcome, Target,
};
use crate::discord::oidc::{Jwks, Nonce};
use crate::discord::ratelimit::RateLimiter;
use crate::discord::token::ClientAuth;
use wasm_bindgen::prelude::*;

use super::error::{Result, config, to_js};
use super::id_token::IdTokenDriver;
use super::json::{self, Pending, request_to_js, response_from_js, tokens_from_js, tokens_to_js};
use super::names::{self, Name};
use super::opts;
use super::proto;

pub(super) type JsResult<T> = std::result::Result<T, JsValue>;

pub(super) fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// `{action: name}` plus one named field.
pub(super) fn step(action: Name, field: Option<(Name, &JsValue)>) -> JsValue {
    let o: JsValue = js_sys::Object::new().into();
    put(&o, &names::ACTION, &names::js(action));
    if let Some((k, v)) = field {
        put(&o, k, v);
    }
    o
}

/// `obj[name] = value` on a fresh object (cannot fail).
pub(super) fn put(obj: &JsValue, name: Name, value: &JsValue) {
    let _ = js_sys::Reflect::set(obj, &names::js(name), value);
}

/// A client's options and what it has learned (the rate-limit buckets).
pub(crate) struct Options {
    pub client_id: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub api: ApiConfig,
    /// The expected OpenID Connect issuer (`iss` of the redirect and of the id_token).
    pub issuer: String,
    pub authorize_endpoint: String,
    pub limiter: RefCell<RateLimiter>,
    /// Discord's OpenID Connect signing keys as last fetched (docs/oidc.md).
    pub jwks: RefCell<Jwks>,
    /// Each of those keys as the JWK object WebCrypto imports (`{kty, n, e, alg}`), made at
    /// its first use after a fetch: the shell keeps the imported key by this object, so a
    /// repeated check neither rebuilds it (about 10 µs, bench/id-token.mjs) nor imports it
    /// again, and a key never used is never built.
    pub jwk_objects: RefCell<Vec<Option<JsValue>>>,
}

impl Options {
    fn client(&self) -> ClientAuth {
        ClientAuth::Public {
            client_id: self.client_id.clone(),
        }
    }
}

/// The core side of one `DiscordOAuthClient`, handed to its shell (not exported by name).
#[wasm_bindgen(skip_typescript)]
pub struct ClientCore {
    pub(crate) o: Rc<Options>,
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
impl ClientCore {
    /// A stored (or given) TokenSet, checked and normalised; `null` when it is not one.
    pub fn normalize(&self, value: JsValue) -> JsValue {
        tokens_from_js(value).map_or(JsValue::NULL, |t| tokens_to_js(&t))
    }

    /// Whether stored tokens can still serve a call (valid, or refreshable).
    pub fn usable(&self, value: JsValue) -> bool {
        tokens_from_js(value).is_some_and(|t| t.refresh_token.is_some() || !t.is_expired(now_ms()))
    }

    /// A call to Discord: `route` is the path under the API base. With the user's token, or
    /// without any when `anonymous` (`request(…, { auth: false })`: the machine strips the
    /// `Authorization` header, never refreshes and never forgets).
    pub fn call(
        &self,
        method: &str,
        route: &str,
        body: Option<String>,
        anonymous: bool,
    ) -> JsResult<CallDriver> {
        let method = parse_method(method).map_err(|e| to_js(&e))?;
        let req =
            proto::bearer_request(&self.o.api, method, route, "", body).map_err(|e| to_js(&e))?;
        Ok(self.driver(if anonymous {
            Target::Anonymous(req)
        } else {
            Target::Request(req)
        }))
    }

    /// A fresh access token (refreshed first when it expires within the margin).
    #[wasm_bindgen(js_name = accessToken)]
    pub fn access_token(&self) -> CallDriver {
        self.driver(Target::Token)
    }

    /// A refresh now (an explicit `refresh()`).
    #[wasm_bindgen(js_name = refreshNow)]
    pub fn refresh_now(&self) -> CallDriver {
        self.driver(Target::Refreshed)
    }

    fn driver(&self, target: Target) -> CallDriver {
        CallDriver {
            call: Call::new(target),
            o: self.o.clone(),
        }
    }

    /// One refresh, for the single flight's leader; `seen` is what the asking call held.
    pub fn refresh(&self, seen: JsValue) -> RefreshDriver {
        let seen = tokens_from_js(seen);
        RefreshDriver {
            refresh: Refresh::new(self.o.api.clone(), self.o.client(), seen.as_ref()),
        }
    }

    /// The revocation request for `tokens` (through whichever token there is).
    #[wasm_bindgen(js_name = revokeRequest)]
    pub fn revoke_request(&self, tokens: JsValue) -> JsResult<JsValue> {
        let t = tokens_from_js(tokens).ok_or_else(|| to_js(&lifecycle::not_logged_in()))?;
        proto::revoke_request(&self.o.api, &self.o.client_id, &t)
            .map(|r| request_to_js(&r))
            .map_err(|e| to_js(&e))
    }

    /// Discord's answer to the revocation.
    pub fn revoked(&self, response: JsValue) -> JsResult<()> {
        proto::revoke_response(&response_from_js(&response)).map_err(|e| to_js(&e))
    }

    /// A fresh PKCE verifier for authorize options `o`, which the shell hashes with
    /// `crypto.subtle`; `null` for the implicit grant (`responseType: "token"`).
    #[wasm_bindgen(js_name = newVerifier)]
    pub fn new_verifier(&self, o: JsValue) -> JsResult<JsValue> {
        match implicit(&o).map_err(|e| to_js(&e))? {
            true => Ok(JsValue::NULL),
            false => proto::new_verifier()
                .map(|v| JsValue::from_str(&v))
                .map_err(|e| to_js(&e)),
        }
    }

    /// The authorize URL for options `o` and the pending login to keep (JSON text):
    /// `{url, pending}`. For the code grant, `verifier` and its SHA-256 `digest`.
    pub fn authorize(
        &self,
        o: JsValue,
        verifier: Option<String>,
        digest: Option<Vec<u8>>,
    ) -> JsResult<JsValue> {
        let (url, pending) = self
            .authorize_url(&o, verifier, digest)
            .map_err(|e| to_js(&e))?;
        let out: JsValue = js_sys::Object::new().into();
        json::set(&out, "url", &JsValue::from_str(&url));
        json::set(&out, "pending", &JsValue::from_str(&pending));
        Ok(out)
    }

    /// `null` when `url` carries no OAuth2 parameters; else the URL without them (for the
    /// address bar, so that a reload cannot replay them).
    #[wasm_bindgen(js_name = cleanRedirect)]
    pub fn clean_redirect(&self, url: &str) -> JsResult<JsValue> {
        match proto::parse_redirect(url).map_err(|e| to_js(&e))? {
            None => Ok(JsValue::NULL),
            Some(_) => Ok(JsValue::from_str(&super::clean_url(url))),
        }
    }

    /// Validates redirect `url` against the pending login (JSON text, or `null`): the state
    /// first, in constant time. `{exchange}` (the code exchange request) or `{tokens}` (the
    /// implicit grant), with `data` (JSON text) when the login carried some.
    pub fn redirect(&self, url: &str, pending: Option<String>) -> JsResult<JsValue> {
        self.validate_redirect(url, pending).map_err(|e| to_js(&e))
    }

    /// The id_token check of a fresh exchange's `id_token` (absent: `null`), with the login's
    /// `nonce`: an [`IdTokenDriver`] whose steps are `fetch` (the JWKS), `verify` (WebCrypto
    /// RS256) and `done` (`claims` as JSON text, `null` without an id_token). Only the token
    /// crosses into wasm, not the whole TokenSet, and it crosses as its UTF-8 bytes (one copy)
    /// rather than as a string, which wasm-bindgen's glue copies character by character
    /// (8-20 µs for Discord's 760-byte token in Chromium, bench/id-token.mjs).
    #[wasm_bindgen(js_name = idToken)]
    pub fn id_token(&self, id_token: Option<Vec<u8>>, nonce: Option<String>) -> IdTokenDriver {
        IdTokenDriver::new(self.o.clone(), id_token, nonce.map(Nonce::from_string))
    }

    /// The token endpoint's answer to the code exchange.
    pub fn exchanged(&self, response: JsValue) -> JsResult<JsValue> {
        proto::token_response(&response_from_js(&response), now_ms() as f64)
            .map(|t| tokens_to_js(&t))
            .map_err(|e| to_js(&e))
    }
}

impl ClientCore {
    fn validate_redirect(&self, url: &str, pending: Option<String>) -> Result<JsValue> {
        let cb = proto::parse_redirect(url)?.ok_or(Error::InvalidState)?;
        let pending = pending
            .as_deref()
            .and_then(Pending::parse)
            .ok_or(Error::InvalidState)?;
        let out: JsValue = js_sys::Object::new().into();
        match proto::validate(cb, &pending.state, &self.o.issuer, now_ms() as f64)? {
            proto::Granted::Tokens(t) => json::set(&out, "tokens", &tokens_to_js(&t)),
            proto::Granted::Code(cb) => {
                let verifier = pending.verifier.as_deref().ok_or(Error::InvalidState)?;
                let req = proto::exchange_request(
                    &self.o.api,
                    &self.o.client_id,
                    &cb,
                    verifier,
                    &pending.redirect_uri,
                )?;
                json::set(&out, "exchange", &request_to_js(&req));
            }
        }
        if let Some(d) = &pending.data {
            json::set(&out, "data", &JsValue::from_str(d));
        }
        if let Some(n) = &pending.nonce {
            json::set(&out, "nonce", &JsValue::from_str(n));
        }
        Ok(out)
    }

    /// The authorize URL for options `o` and the pending login (JSON text).
    fn authorize_url(
        &self,
        o: &JsValue,
        verifier: Option<String>,
        digest: Option<Vec<u8>>,
    ) -> Result<(String, String)> {
        let implicit = implicit(o)?;
        let scopes = match opts::strings(o, "scopes")? {
            Some(s) => proto::scopes(&s)?,
            None => proto::scopes(&self.o.scopes)?,
        };
        let redirect_uri =
            opts::string(o, "redirectUri")?.unwrap_or_else(|| self.o.redirect_uri.clone());
        let state = match opts::string(o, "state")? {
            Some(s) if !s.is_empty() => s,
            _ => proto::new_state()?,
        };
        let (verifier, challenge) = if implicit {
            (None, None)
        } else {
            let v = verifier.unwrap_or_default();
            let c = proto::challenge(&v, &digest.unwrap_or_default())?;
            (Some(v), Some(c))
        };
        // OpenID Connect: a nonce binds the id_token to this login (code grant only: Discord's
        // implicit grant carries no id_token).
        let nonce = if !implicit && scopes.contains(crate::discord::scope::Scope::Openid) {
            Some(Nonce::generate()?)
        } else {
            None
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
            endpoint: &self.o.authorize_endpoint,
            client_id: &self.o.client_id,
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
            nonce: nonce.as_ref(),
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
        if let Some(n) = &nonce {
            json::set(&pending, "nonce", &JsValue::from_str(n.secret()));
        }
        let raw = js_sys::JSON::stringify(&pending)
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_default();
        Ok((url, raw))
    }
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

/// One authorized call ([`Call`]), driven by the shell.
#[wasm_bindgen(skip_typescript)]
pub struct CallDriver {
    call: Call,
    o: Rc<Options>,
}

#[wasm_bindgen]
impl CallDriver {
    /// Starts with the stored TokenSet (or `null`).
    pub fn start(&mut self, stored: JsValue) -> JsResult<JsValue> {
        let stored = tokens_from_js(stored);
        let a = self.with_limiter(|c, rl| c.start(stored, None, rl, now_ms()));
        self.act(a)
    }

    /// Discord's answer `{status, headers, body}` to the `send` step.
    #[wasm_bindgen(js_name = onResponse)]
    pub fn on_response(&mut self, response: JsValue) -> JsResult<JsValue> {
        let resp = response_from_js(&response);
        let a = self.with_limiter(|c, rl| c.on_response::<super::json::JsJson>(resp, rl, now_ms()));
        self.act(a)
    }

    /// The single flight's outcome: `{tokens}`, `{gone: true}` or `{error}`.
    #[wasm_bindgen(js_name = onRefreshed)]
    pub fn on_refreshed(&mut self, outcome: JsValue) -> JsResult<JsValue> {
        let error = json::get(&outcome, &JsValue::from_str("error"));
        if !error.is_undefined() {
            // The leader's failure (already a `DiscordOAuthError`): every waiting call reports
            // the same one, as the machine's `Failed` would.
            return Err(error);
        }
        let outcome = match tokens_from_js(json::get(&outcome, &JsValue::from_str("tokens"))) {
            Some(t) => RefreshOutcome::Rotated(t),
            None => RefreshOutcome::Gone,
        };
        let a = self.with_limiter(|c, rl| c.on_refreshed(outcome, rl, now_ms()));
        self.act(a)
    }

    /// The stored tokens are gone (after the `forget` step).
    #[wasm_bindgen(js_name = onForgotten)]
    pub fn on_forgotten(&mut self) -> JsResult<JsValue> {
        let a = self.call.on_forgotten();
        self.act(a)
    }

    /// The tokens the call holds (to seed the refresh it asks for).
    pub fn tokens(&self) -> JsValue {
        self.call.tokens().map_or(JsValue::NULL, tokens_to_js)
    }

    fn with_limiter(
        &mut self,
        f: impl FnOnce(&mut Call, &mut RateLimiter) -> CallAction,
    ) -> CallAction {
        match self.o.limiter.try_borrow_mut() {
            Ok(mut rl) => f(&mut self.call, &mut rl),
            Err(_) => f(&mut self.call, &mut RateLimiter::new()),
        }
    }

    fn act(&mut self, a: CallAction) -> JsResult<JsValue> {
        Ok(match a {
            CallAction::Send(req) => {
                step(&names::SEND, Some((&names::REQUEST, &request_to_js(&req))))
            }
            CallAction::Refresh => step(&names::REFRESH, None),
            CallAction::Forget => step(&names::FORGET, None),
            CallAction::Done(Done::Tokens(t)) => {
                step(&names::DONE, Some((&names::VALUE, &tokens_to_js(&t))))
            }
            CallAction::Done(Done::Response(resp)) => {
                let value = proto::api_response(&resp).map_err(|e| to_js(&e))?;
                step(&names::DONE, Some((&names::VALUE, &value)))
            }
            CallAction::Fail(e) => return Err(to_js(&e)),
        })
    }
}

/// One refresh ([`Refresh`]), driven by the single flight's leader in the shell.
#[wasm_bindgen(skip_typescript)]
pub struct RefreshDriver {
    refresh: Refresh,
}

#[wasm_bindgen]
impl RefreshDriver {
    /// Starts with the freshest stored TokenSet, read inside the lock (or `null`).
    pub fn start(&mut self, current: JsValue) -> JsValue {
        let a = self.refresh.start(tokens_from_js(current), now_ms());
        act(a)
    }

    /// The token endpoint's answer to the `send` step.
    #[wasm_bindgen(js_name = onResponse)]
    pub fn on_response(&mut self, response: JsValue) -> JsValue {
        let resp = Ok(response_from_js(&response));
        act(self
            .refresh
            .on_response::<super::json::JsJson>(resp, now_ms()))
    }

    /// The `send` step's request failed before an answer (offline, blocked): `message`.
    #[wasm_bindgen(js_name = onNetworkError)]
    pub fn on_network_error(&mut self, message: String) -> JsValue {
        act(self
            .refresh
            .on_response::<super::json::JsJson>(Err(Error::Network(message)), now_ms()))
    }

    /// The rotated tokens are stored (after the `persist` step).
    #[wasm_bindgen(js_name = onPersisted)]
    pub fn on_persisted(&mut self) -> JsValue {
        act(self.refresh.on_persisted())
    }

    /// The stored TokenSet read again (after the `reread` step).
    #[wasm_bindgen(js_name = onReread)]
    pub fn on_reread(&mut self, stored: JsValue) -> JsValue {
        act(self.refresh.on_reread(Ok(tokens_from_js(stored))))
    }
}

fn act(a: RefreshAction) -> JsValue {
    match a {
        RefreshAction::Send(req) => {
            step(&names::SEND, Some((&names::REQUEST, &request_to_js(&req))))
        }
        RefreshAction::Persist(t) => {
            step(&names::PERSIST, Some((&names::TOKENS, &tokens_to_js(&t))))
        }
        RefreshAction::Reread => step(&names::REREAD, None),
        RefreshAction::Settled(outcome) => {
            let o: JsValue = js_sys::Object::new().into();
            match outcome {
                RefreshOutcome::Rotated(t) => json::set(&o, "tokens", &tokens_to_js(&t)),
                RefreshOutcome::Gone => json::set(&o, "gone", &JsValue::TRUE),
                RefreshOutcome::Failed(e) => json::set(&o, "error", &to_js(&e)),
            }
            step(&names::SETTLED, Some((&names::OUTCOME, &o)))
        }
    }
}
