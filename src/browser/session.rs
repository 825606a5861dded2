//! `DiscordSession`: the browser side of the Worker (backend-for-frontend). The Worker keeps
//! the tokens; the page only sends its same-origin HttpOnly cookie.

use crate::discord::Error;
use crate::discord::error::RateLimited;
use crate::discord::http::HttpResponse;
use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::error::{Result, throw, to_js};
use super::json::response_from_js;
use super::{json, opts, shell};

/// The Worker's routes, from a page of the same origin (or a `baseUrl`).
#[wasm_bindgen]
pub struct DiscordSession {
    base: String,
    /// Reads the Worker's answers for the shell (see [`answer`]); owned by JS.
    dispatch: JsValue,
}

/// An error body of the Worker: `{"error": "<code>", "message": "…"}`, 429 also with
/// `retry_after` and `global`.
fn worker_error(resp: &HttpResponse) -> Error {
    let body = json::parse(&resp.body).unwrap_or(JsValue::NULL);
    let code = opts::string(&body, "error")
        .ok()
        .flatten()
        .unwrap_or_default();
    let message = opts::string(&body, "message")
        .ok()
        .flatten()
        .unwrap_or_else(|| code.clone());
    if resp.status == 429 {
        let retry_after = opts::number(&body, "retry_after")
            .ok()
            .flatten()
            .or_else(|| {
                resp.header("retry-after")
                    .and_then(|v| js_sys::Number::from(JsValue::from_str(v.trim())).as_f64())
                    .filter(|n| n.is_finite())
            })
            .unwrap_or(0.0);
        return Error::RateLimited(RateLimited {
            retry_after,
            global: opts::boolean(&body, "global")
                .ok()
                .flatten()
                .unwrap_or(false),
            scope: None,
            bucket: None,
            message: Some(message),
        });
    }
    if code == "config_error" {
        return Error::Config(message);
    }
    Error::Api {
        status: resp.status,
        code: 0,
        message,
        errors: None,
    }
}

/// A Worker answer, read as `kind` says: 0 the JSON body, 1 the `user` of `/auth/session`
/// (`null` on 401), 2 nothing (logout). Anything but 2xx is the Worker's typed error.
fn answer(kind: u32, resp: &HttpResponse) -> Result<JsValue> {
    if kind == 1 && resp.status == 401 {
        return Ok(JsValue::NULL);
    }
    if !resp.is_success() {
        return Err(worker_error(resp));
    }
    if kind == 2 {
        return Ok(JsValue::UNDEFINED);
    }
    let body = json::parse(&resp.body).map_err(|e| Error::Parse {
        status: resp.status,
        reason: e.0,
        body: crate::discord::error::RawBody::new(resp.body.as_str()),
    })?;
    Ok(if kind == 1 {
        opts::get(&body, "user")
    } else {
        body
    })
}

fn encode_path_segment(id: &str) -> String {
    String::from(js_sys::encode_uri_component(id))
}

impl DiscordSession {
    fn call(&self, method: &str, path: &str, body: Option<String>, kind: u32) -> Promise {
        let mut url = self.base.clone();
        url.push_str(path);
        shell::dow_session(&self.dispatch, &url, method, body, kind)
    }
}

#[wasm_bindgen]
impl DiscordSession {
    /// A session client for the Worker at `baseUrl` (default `""`: this origin).
    #[wasm_bindgen(skip_jsdoc, constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_optional_param_type = "DiscordSessionOptions")] options: Option<
            JsValue,
        >,
    ) -> std::result::Result<DiscordSession, JsValue> {
        let o = options.unwrap_or(JsValue::UNDEFINED);
        let base = throw(opts::string(&o, "baseUrl"))?.unwrap_or_default();
        let dispatch = Closure::<
            dyn Fn(u32, JsValue, JsValue) -> std::result::Result<JsValue, JsValue>,
        >::new(|kind: u32, resp: JsValue, _: JsValue| {
            answer(kind, &response_from_js(&resp)).map_err(|e| to_js(&e))
        })
        .into_js_value();
        Ok(DiscordSession {
            base: base.trim_end_matches('/').into(),
            dispatch,
        })
    }

    /// The URL of the Worker's `/auth/login` with `return_to`, `scope` and `prompt`.
    #[wasm_bindgen(skip_jsdoc, js_name = loginUrl)]
    pub fn login_url(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "SessionLoginOptions")] options: Option<
            JsValue,
        >,
    ) -> std::result::Result<String, JsValue> {
        throw(self.build_login_url(&options.unwrap_or(JsValue::UNDEFINED)))
    }

    fn build_login_url(&self, o: &JsValue) -> Result<String> {
        let mut q = form_urlencoded::Serializer::new(String::new());
        if let Some(r) = opts::string(o, "returnTo")? {
            q.append_pair("return_to", &r);
        }
        if let Some(s) = opts::strings(o, "scopes")? {
            let mut scope = String::new();
            for (i, name) in s.iter().enumerate() {
                if i > 0 {
                    scope.push(' ');
                }
                scope.push_str(name);
            }
            q.append_pair("scope", &scope);
        }
        if let Some(p) = opts::string(o, "prompt")? {
            q.append_pair("prompt", &p);
        }
        let q = q.finish();
        let mut url = String::from(&*self.base);
        url.push_str("/auth/login");
        if !q.is_empty() {
            url.push('?');
            url.push_str(&q);
        }
        Ok(url)
    }

    /// Navigates to [`loginUrl`](Self::login_url).
    #[wasm_bindgen(skip_jsdoc)]
    pub fn login(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "SessionLoginOptions")] options: Option<
            JsValue,
        >,
    ) -> std::result::Result<(), JsValue> {
        shell::dow_go(&self.login_url(options)?)
    }

    /// The signed-in user, or `null` when there is no session (401).
    #[wasm_bindgen(skip_jsdoc, unchecked_return_type = "Promise<User | null>")]
    pub fn user(&self) -> Promise {
        self.call("GET", "/auth/session", None, 1)
    }

    /// `GET /api/users/@me/guilds`.
    #[wasm_bindgen(skip_jsdoc, unchecked_return_type = "Promise<Guild[]>")]
    pub fn guilds(&self) -> Promise {
        self.call("GET", "/api/users/@me/guilds", None, 0)
    }

    /// `GET /api/users/@me/connections`.
    #[wasm_bindgen(skip_jsdoc, unchecked_return_type = "Promise<Connection[]>")]
    pub fn connections(&self) -> Promise {
        self.call("GET", "/api/users/@me/connections", None, 0)
    }

    /// `GET /api/users/@me/guilds/{guildId}/member`.
    #[wasm_bindgen(skip_jsdoc, js_name = guildMember, unchecked_return_type = "Promise<Member>")]
    pub fn guild_member(&self, #[wasm_bindgen(js_name = guildId)] guild_id: &str) -> Promise {
        let mut path = String::from("/api/users/@me/guilds/");
        path.push_str(&encode_path_segment(guild_id));
        path.push_str("/member");
        self.call("GET", &path, None, 0)
    }

    /// `POST /api/guilds/{guildId}/join` with `{nick, roles, mute, deaf}`.
    #[wasm_bindgen(skip_jsdoc, js_name = joinGuild, unchecked_return_type = "Promise<JoinGuildResult>")]
    pub fn join_guild(
        &self,
        #[wasm_bindgen(js_name = guildId)] guild_id: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "JoinGuildOptions")] options: Option<
            JsValue,
        >,
    ) -> Promise {
        let mut path = String::from("/api/guilds/");
        path.push_str(&encode_path_segment(guild_id));
        path.push_str("/join");
        let o = options.unwrap_or(JsValue::UNDEFINED);
        let body: JsValue = js_sys::Object::new().into();
        for key in ["nick", "roles", "mute", "deaf"] {
            let v = opts::get(&o, key);
            if !v.is_undefined() {
                json::set(&body, key, &v);
            }
        }
        let body = js_sys::JSON::stringify(&body)
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_else(|| String::from("{}"));
        self.call("POST", &path, Some(body), 0)
    }

    /// `POST /auth/logout`: the Worker revokes the grant and forgets the session.
    #[wasm_bindgen(skip_jsdoc, unchecked_return_type = "Promise<void>")]
    pub fn logout(&self) -> Promise {
        self.call("POST", "/auth/logout", None, 2)
    }
}
