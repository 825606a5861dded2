//! `DiscordSession`: the browser side of the Worker (backend-for-frontend). The Worker keeps
//! the tokens; the page only sends its same-origin HttpOnly cookie.

use crate::discord::Error;
use crate::discord::error::RateLimited;
use crate::discord::http::{Body, HttpRequest, HttpResponse, Method};
use wasm_bindgen::prelude::*;
use web_sys::RequestCredentials;

use super::error::{Result, throw};
use super::{fetch, json, opts};

/// The Worker's routes, from a page of the same origin (or a `baseUrl`).
#[wasm_bindgen]
pub struct DiscordSession {
    base: std::rc::Rc<str>,
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
            .or_else(|| resp.header("retry-after").and_then(|v| v.parse().ok()))
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

async fn call(
    base: &str,
    method: Method,
    path: &str,
    body: Option<String>,
) -> Result<HttpResponse> {
    let mut url = String::from(base);
    url.push_str(path);
    let req = HttpRequest {
        method,
        url,
        headers: Vec::new(),
        body: body.map(Body::Json),
        route: String::from(path),
    };
    fetch::send(&req, RequestCredentials::SameOrigin)
        .await
        .map_err(|u| fetch::network_error("the request to the Worker", u))
}

/// A 2xx response's JSON body as a JS value; anything else as a typed error.
fn json_body(resp: HttpResponse) -> Result<JsValue> {
    if !resp.is_success() {
        return Err(worker_error(&resp));
    }
    json::parse(&resp.body).map_err(|e| Error::Parse {
        status: resp.status,
        reason: e.0,
        body: crate::discord::error::RawBody::new(resp.body),
    })
}

fn get_json(base: std::rc::Rc<str>, path: String) -> js_sys::Promise {
    super::spawn(async move {
        throw(
            call(&base, Method::Get, &path, None)
                .await
                .and_then(json_body),
        )
    })
}

fn encode_path_segment(id: &str) -> String {
    String::from(js_sys::encode_uri_component(id))
}

#[wasm_bindgen]
impl DiscordSession {
    /// A session client for the Worker at `baseUrl` (default `""`: this origin).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_optional_param_type = "DiscordSessionOptions")] options: Option<
            JsValue,
        >,
    ) -> std::result::Result<DiscordSession, JsValue> {
        let o = options.unwrap_or(JsValue::UNDEFINED);
        let base = throw(opts::string(&o, "baseUrl"))?.unwrap_or_default();
        Ok(DiscordSession {
            base: base.trim_end_matches('/').into(),
        })
    }

    /// The URL of the Worker's `/auth/login` with `return_to`, `scope` and `prompt`.
    #[wasm_bindgen(js_name = loginUrl)]
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
            q.append_pair("scope", &s.join(" "));
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
    pub fn login(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "SessionLoginOptions")] options: Option<
            JsValue,
        >,
    ) -> std::result::Result<(), JsValue> {
        let url = self.login_url(options)?;
        super::navigate(&url).map_err(|e| super::error::to_js(&e))
    }

    /// The signed-in user, or `null` when there is no session (401).
    #[wasm_bindgen(unchecked_return_type = "Promise<User | null>")]
    pub fn user(&self) -> js_sys::Promise {
        let base = self.base.clone();
        super::spawn(async move {
            let resp = throw(call(&base, Method::Get, "/auth/session", None).await)?;
            if resp.status == 401 {
                return Ok(JsValue::NULL);
            }
            let body = throw(json_body(resp))?;
            Ok(opts::get(&body, "user"))
        })
    }

    /// `GET /api/users/@me/guilds`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Guild[]>")]
    pub fn guilds(&self) -> js_sys::Promise {
        get_json(self.base.clone(), String::from("/api/users/@me/guilds"))
    }

    /// `GET /api/users/@me/connections`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Connection[]>")]
    pub fn connections(&self) -> js_sys::Promise {
        get_json(
            self.base.clone(),
            String::from("/api/users/@me/connections"),
        )
    }

    /// `GET /api/users/@me/guilds/{guildId}/member`.
    #[wasm_bindgen(js_name = guildMember, unchecked_return_type = "Promise<Member>")]
    pub fn guild_member(
        &self,
        #[wasm_bindgen(js_name = guildId)] guild_id: &str,
    ) -> js_sys::Promise {
        let mut path = String::from("/api/users/@me/guilds/");
        path.push_str(&encode_path_segment(guild_id));
        path.push_str("/member");
        get_json(self.base.clone(), path)
    }

    /// `POST /api/guilds/{guildId}/join` with `{nick, roles, mute, deaf}`.
    #[wasm_bindgen(js_name = joinGuild, unchecked_return_type = "Promise<JoinGuildResult>")]
    pub fn join_guild(
        &self,
        #[wasm_bindgen(js_name = guildId)] guild_id: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "JoinGuildOptions")] options: Option<
            JsValue,
        >,
    ) -> js_sys::Promise {
        let base = self.base.clone();
        let mut path = String::from("/api/guilds/");
        path.push_str(&encode_path_segment(guild_id));
        path.push_str("/join");
        let o = options.unwrap_or(JsValue::UNDEFINED);
        super::spawn(async move {
            let body = js_sys::Object::new();
            for key in ["nick", "roles", "mute", "deaf"] {
                let v = opts::get(&o, key);
                if !v.is_undefined() {
                    let _ = js_sys::Reflect::set(&body, &JsValue::from_str(key), &v);
                }
            }
            let body = js_sys::JSON::stringify(&body)
                .map(String::from)
                .unwrap_or_else(|_| String::from("{}"));
            throw(
                call(&base, Method::Post, &path, Some(body))
                    .await
                    .and_then(json_body),
            )
        })
    }

    /// `POST /auth/logout`: the Worker revokes the grant and forgets the session.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn logout(&self) -> js_sys::Promise {
        let base = self.base.clone();
        super::spawn(async move {
            let resp = throw(call(&base, Method::Post, "/auth/logout", None).await)?;
            if !resp.is_success() {
                return Err(super::error::to_js(&worker_error(&resp)));
            }
            Ok(JsValue::UNDEFINED)
        })
    }
}
