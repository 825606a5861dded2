//! `GET/POST /oauth2/authorize` (also under `/api` and `/api/v10`) and the JSON shortcut
//! `POST /_emulator/authorize`.
//!
//! <https://discord.com/developers/docs/topics/oauth2#authorization-code-grant>

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::consent::{self, ConsentView};
use crate::errors::{self, json_response};
use crate::fixtures::AppFixture;
use crate::state::{CODE_LIFETIME_SECS, Code, GrantKind, Shared, State as EmuState};
use crate::util::{Params, content_type_is, encode_pairs, now_secs, random_token, read_body};

/// `error_description` Discord sends when the user presses Cancel.
pub const ACCESS_DENIED: &str = "The resource owner or authorization server denied the request";

/// A validated authorization request.
pub struct Authz {
    app: AppFixture,
    redirect_uri: String,
    given_redirect: Option<String>,
    response_type: Option<String>,
    scopes: Vec<String>,
    state: Option<String>,
    challenge: Option<String>,
    prompt: Option<String>,
    guild_id: Option<String>,
    permissions: Option<String>,
    nonce: Option<String>,
    issuer: String,
}

/// Why a request cannot proceed.
pub enum Refusal {
    /// Show an error page: the client or redirect URI cannot be trusted.
    Page(StatusCode, &'static str, String),
    /// Send the user back with `error=…` (a URL).
    Redirect(String),
}

impl Authz {
    fn implicit(&self) -> bool {
        self.response_type.as_deref() == Some("token")
    }

    /// Builds the redirect URL: parameters in the query, or in the fragment for the implicit
    /// grant (RFC 6749 §4.2.2; Discord's "Redirect URL Example" for `response_type=token`).
    fn location(&self, pairs: &[(&str, &str)]) -> String {
        let mut pairs = pairs.to_vec();
        if let Some(s) = &self.state {
            pairs.push(("state", s));
        }
        if !self.implicit() {
            // RFC 9207: Discord adds `iss` (its issuer) to every query authorization response,
            // success and error, so that a client can tell which server answered.
            pairs.push(("iss", &self.issuer));
        }
        let encoded = encode_pairs(&pairs);
        if self.implicit() {
            format!("{}#{encoded}", self.redirect_uri)
        } else if self.redirect_uri.contains('?') {
            format!("{}&{encoded}", self.redirect_uri)
        } else {
            format!("{}?{encoded}", self.redirect_uri)
        }
    }

    fn error(&self, error: &str, description: &str) -> Refusal {
        Refusal::Redirect(self.location(&[("error", error), ("error_description", description)]))
    }

    fn needs_guild(&self) -> bool {
        self.scopes
            .iter()
            .any(|s| s == "bot" || s == "webhook.incoming")
    }
}

/// Validates client, redirect URI, response type, scopes, PKCE and prompt, in that order.
/// Nothing is ever sent to an unregistered redirect URI.
/// `issuer` is the emulator's origin ([`crate::oidc::issuer`]), sent back as `iss`.
pub fn validate(st: &EmuState, p: &Params, issuer: &str) -> Result<Authz, Refusal> {
    let Some(app) = p.non_empty("client_id").and_then(|id| st.app(id)) else {
        return Err(Refusal::Page(
            StatusCode::BAD_REQUEST,
            "Unknown Application",
            "Invalid OAuth2 client_id: no application has this id.".into(),
        ));
    };
    let given_redirect = p.non_empty("redirect_uri").map(str::to_owned);
    let redirect_uri = match &given_redirect {
        // Exact string match against the registered list.
        Some(r) if app.redirect_uris.iter().any(|u| u == r) => r.clone(),
        Some(r) => {
            return Err(Refusal::Page(
                StatusCode::BAD_REQUEST,
                "Invalid OAuth2 redirect_uri",
                format!("{r} is not registered for {}.", app.name),
            ));
        }
        // "we will also automatically redirect the user to the first URI in your
        // application's registered list unless redirect_uri is specified"
        None => match app.redirect_uris.first() {
            Some(r) => r.clone(),
            None => {
                return Err(Refusal::Page(
                    StatusCode::BAD_REQUEST,
                    "Invalid OAuth2 redirect_uri",
                    "The application has no redirect URI registered.".into(),
                ));
            }
        },
    };
    let mut scopes: Vec<String> = Vec::new();
    for s in p.get("scope").unwrap_or("").split([' ', '+']) {
        if !s.is_empty() && !scopes.iter().any(|x| x == s) {
            scopes.push(s.to_owned());
        }
    }
    let mut a = Authz {
        app: app.clone(),
        redirect_uri,
        given_redirect,
        response_type: p.non_empty("response_type").map(str::to_owned),
        scopes,
        state: p.get("state").map(str::to_owned),
        challenge: p.non_empty("code_challenge").map(str::to_owned),
        prompt: p.non_empty("prompt").map(str::to_owned),
        guild_id: p.non_empty("guild_id").map(str::to_owned),
        permissions: p.non_empty("permissions").map(str::to_owned),
        nonce: p.non_empty("nonce").map(str::to_owned),
        issuer: issuer.to_owned(),
    };
    let bot_only = !a.scopes.is_empty()
        && a.scopes
            .iter()
            .all(|s| s == "bot" || s == "applications.commands");
    match a.response_type.as_deref() {
        Some("code") | Some("token") => {}
        None if bot_only => {}
        None => return Err(a.error("invalid_request", "Missing \"response_type\"")),
        Some(other) => {
            let other = other.to_owned();
            a.response_type = None;
            return Err(a.error(
                "unsupported_response_type",
                &format!("Unsupported response_type {other:?}"),
            ));
        }
    }
    if a.scopes.is_empty() {
        return Err(a.error("invalid_scope", "Missing \"scope\""));
    }
    if let Some(bad) = a.scopes.iter().find(|s| consent::describe(s).is_none()) {
        let msg = format!("Invalid scope: {bad}");
        return Err(a.error("invalid_scope", &msg));
    }
    // Public clients cannot use role_connections.write (Developer Portal note on "Public Client").
    if app.public_client && a.has("role_connections.write") {
        return Err(a.error(
            "invalid_scope",
            "Public clients cannot request role_connections.write",
        ));
    }
    if a.implicit() {
        // PKCE parameters mean nothing for the implicit grant.
        a.challenge = None;
    } else if let Some(ch) = &a.challenge {
        // Only S256 (RFC 7636 §4.2; "plain" is refused, and it is the default when absent).
        match p.non_empty("code_challenge_method") {
            Some("S256") => {}
            _ => {
                return Err(a.error(
                    "invalid_request",
                    "Invalid \"code_challenge_method\": only S256 is supported",
                ));
            }
        }
        let valid = ch.len() == 43
            && ch
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid {
            return Err(a.error("invalid_request", "Invalid \"code_challenge\""));
        }
    } else if p.non_empty("code_challenge_method").is_some() {
        return Err(a.error("invalid_request", "Missing \"code_challenge\""));
    }
    match a.prompt.as_deref() {
        None | Some("consent") | Some("none") => {}
        Some(_) => return Err(a.error("invalid_request", "Invalid \"prompt\"")),
    }
    if let Some(perm) = &a.permissions
        && perm.parse::<u64>().is_err()
    {
        return Err(a.error("invalid_request", "Invalid \"permissions\""));
    }
    Ok(a)
}

impl Authz {
    fn has(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

/// Guilds where `user_id` may add a bot or a webhook: owner, ADMINISTRATOR or MANAGE_GUILD.
fn manageable_guilds(st: &EmuState, user_id: &str) -> Vec<(String, String)> {
    st.memberships
        .iter()
        .filter(|m| m.user_id == user_id)
        .filter(|m| {
            let perms = m.permissions.parse::<u64>().unwrap_or(0);
            let owner = st
                .guild(&m.guild_id)
                .is_some_and(|g| g["owner_id"] == user_id);
            owner || perms & 0x8 != 0 || perms & 0x20 != 0
        })
        .filter_map(|m| {
            st.guild(&m.guild_id).map(|g| {
                let name = g["name"].as_str().unwrap_or_default().to_owned();
                (m.guild_id.clone(), name)
            })
        })
        .collect()
}

/// Approves or denies for `user_id`; returns the redirect URL.
pub fn decide(st: &mut EmuState, a: &Authz, user_id: &str, approve: bool) -> String {
    if !approve {
        st.counters.denials += 1;
        return a.location(&[
            ("error", "access_denied"),
            ("error_description", ACCESS_DENIED),
        ]);
    }
    st.current_user = user_id.to_owned();
    let mut guild_id = None;
    if a.needs_guild() {
        let allowed = manageable_guilds(st, user_id);
        guild_id = match &a.guild_id {
            Some(g) if allowed.iter().any(|(id, _)| id == g) => Some(g.clone()),
            _ => allowed.first().map(|(id, _)| id.clone()),
        };
        let Some(g) = &guild_id else {
            return a.location(&[
                ("error", "access_denied"),
                (
                    "error_description",
                    "You need Manage Server in a server to continue",
                ),
            ]);
        };
        if a.has("bot")
            && let Some(app) = st.apps.iter_mut().find(|x| x.id == a.app.id)
            && !app.bot_guild_ids.contains(g)
        {
            app.bot_guild_ids.push(g.clone());
        }
    }
    queue_authorized(st, a, user_id, guild_id.as_deref());
    let permissions = a.permissions.clone().unwrap_or_else(|| "0".to_owned());
    match a.response_type.as_deref() {
        Some("token") => {
            let grant = st.create_grant(&a.app.id, user_id, a.scopes.clone(), GrantKind::Implicit);
            let expires_in = st.token_lifetime.to_string();
            let scope = grant.scope_string();
            a.location(&[
                ("access_token", &grant.access_token),
                ("token_type", "Bearer"),
                ("expires_in", &expires_in),
                ("scope", &scope),
            ])
        }
        Some(_) => {
            // Forget codes long past their lifetime (replays are detected within it).
            let horizon = now_secs() - CODE_LIFETIME_SECS;
            st.codes.retain(|_, c| c.expires_at > horizon);
            let code = random_token(30);
            st.codes.insert(
                code.clone(),
                Code {
                    app_id: a.app.id.clone(),
                    user_id: user_id.to_owned(),
                    scopes: a.scopes.clone(),
                    redirect_uri: a.given_redirect.clone(),
                    effective_redirect_uri: Some(a.redirect_uri.clone()),
                    challenge: a.challenge.clone(),
                    expires_at: now_secs() + CODE_LIFETIME_SECS,
                    grant_id: None,
                    guild_id: guild_id.clone(),
                    nonce: a.nonce.clone(),
                    auth_time: now_secs(),
                },
            );
            st.counters.codes_issued += 1;
            // Advanced bot authorization adds guild_id and permissions to the redirect.
            // https://discord.com/developers/docs/topics/oauth2#advanced-bot-authorization
            match (&guild_id, a.has("bot")) {
                (Some(g), true) => a.location(&[
                    ("code", &code),
                    ("guild_id", g),
                    ("permissions", &permissions),
                ]),
                _ => a.location(&[("code", &code)]),
            }
        }
        // Bot-only flow: no token for the user, only the guild the bot joined.
        None => match &guild_id {
            Some(g) => a.location(&[("guild_id", g), ("permissions", &permissions)]),
            None => a.location(&[]),
        },
    }
}

/// Approving an authorization that includes `applications.commands` installs the app: Discord
/// then sends `APPLICATION_AUTHORIZED` with `integration_type` (0: to a server, with `guild`;
/// 1: to the user's account), `scopes` and `user`. Queued here, sent once the lock is released
/// ([`crate::events::spawn_pending`]).
/// <https://discord.com/developers/docs/events/webhook-events#application-authorized>
fn queue_authorized(st: &mut EmuState, a: &Authz, user_id: &str, guild_id: Option<&str>) {
    let Some(app) = st.app(&a.app.id).cloned() else {
        return;
    };
    if !a.has("applications.commands") || app.events_url.is_none() {
        return;
    }
    let user = st.user(user_id).map(crate::api::public_user);
    let mut data = json!({
        "integration_type": if guild_id.is_some() { 0 } else { 1 },
        "scopes": a.scopes,
        "user": user,
    });
    if let Some(g) = guild_id.and_then(|g| st.guild(g)) {
        data["guild"] = g.clone();
    }
    st.outbox.push(crate::events::Pending {
        app,
        event_type: "APPLICATION_AUTHORIZED",
        data,
    });
}

/// Whether `prompt=none` may skip the page: the current user already granted these scopes.
fn already_authorized(st: &EmuState, a: &Authz) -> bool {
    a.prompt.as_deref() == Some("none")
        && !a.needs_guild()
        && st.grants.values().any(|g| {
            g.app_id == a.app.id
                && g.user_id == st.current_user
                && a.scopes.iter().all(|s| g.has(s))
        })
}

fn redirect(location: &str) -> Response {
    let mut resp = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

fn refusal_response(r: Refusal) -> Response {
    match r {
        Refusal::Page(status, title, detail) => errors::html_error_page(status, title, &detail),
        Refusal::Redirect(loc) => redirect(&loc),
    }
}

fn html(body: String) -> Response {
    let mut resp = body.into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// `GET /oauth2/authorize`: validates, then shows the consent page (or approves at once with
/// `--auto-approve`, or for `prompt=none` when already authorized).
pub async fn get(State(emu): State<Shared>, req: Request) -> Response {
    let params = Params::parse(req.uri().query().unwrap_or("").as_bytes());
    let issuer = crate::oidc::issuer(req.headers());
    let mut st = emu.lock();
    let a = match validate(&st, &params, &issuer) {
        Ok(a) => a,
        Err(r) => return refusal_response(r),
    };
    if let Some(user) = emu.auto_approve.user(&st) {
        let location = decide(&mut st, &a, &user, true);
        drop(st);
        crate::events::spawn_pending(&emu);
        return redirect(&location);
    }
    if already_authorized(&st, &a) {
        let user = st.current_user.clone();
        let location = decide(&mut st, &a, &user, true);
        drop(st);
        crate::events::spawn_pending(&emu);
        return redirect(&location);
    }
    let guilds = if a.needs_guild() {
        // Every guild a fixture user can manage; the choice is checked again on approve.
        let mut all: Vec<(String, String)> = Vec::new();
        for u in &st.users {
            for g in manageable_guilds(&st, u["id"].as_str().unwrap_or_default()) {
                if !all.contains(&g) {
                    all.push(g);
                }
            }
        }
        all
    } else {
        Vec::new()
    };
    html(consent::consent_page(&ConsentView {
        app_name: &a.app.name,
        scopes: &a.scopes,
        users: &st.users,
        selected_user: &st.current_user,
        guilds,
        selected_guild: a.guild_id.as_deref(),
        redirect_uri: &a.redirect_uri,
        params: &params.0,
    }))
}

/// `POST /oauth2/authorize`: the consent form (`action=approve|cancel`, `user_id`).
pub async fn post(State(emu): State<Shared>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    if !content_type_is(&parts.headers, "application/x-www-form-urlencoded") {
        return errors::html_error_page(
            StatusCode::BAD_REQUEST,
            "Bad Request",
            "The consent form must be posted as application/x-www-form-urlencoded.",
        );
    }
    let bytes = match read_body(&parts.headers, body).await {
        Ok(b) => b,
        Err(resp) => return resp,
    };
    let params = Params::parse(&bytes);
    let issuer = crate::oidc::issuer(&parts.headers);
    let mut st = emu.lock();
    let a = match validate(&st, &params, &issuer) {
        Ok(a) => a,
        Err(r) => return refusal_response(r),
    };
    let approve = params.get("action") == Some("approve");
    let user = params.get("user_id").unwrap_or_default().to_owned();
    if approve && st.user(&user).is_none() {
        return errors::html_error_page(
            StatusCode::BAD_REQUEST,
            "Unknown User",
            "Pick one of the listed users.",
        );
    }
    let location = decide(&mut st, &a, &user, approve);
    drop(st);
    crate::events::spawn_pending(&emu);
    redirect(&location)
}

/// `POST /_emulator/authorize`: JSON `{client_id, redirect_uri, response_type, scope, state,
/// code_challenge, code_challenge_method, prompt, guild_id, permissions, user_id, action}`
/// answering `{"location": "<redirect url>"}`, so tests get a code without a browser.
pub async fn emulator_authorize(State(emu): State<Shared>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = match read_body(&parts.headers, body).await {
        Ok(b) => b,
        Err(resp) => return resp,
    };
    let v: Value = match serde_json::from_slice(&bytes) {
        Ok(v @ Value::Object(_)) => v,
        _ => return control_error("invalid_json", "Send a JSON object"),
    };
    let mut pairs = Vec::new();
    if let Value::Object(map) = &v {
        for (k, val) in map {
            let s = match val {
                Value::String(s) => s.clone(),
                Value::Array(items) => items
                    .iter()
                    .map(|i| {
                        i.as_str()
                            .map(str::to_owned)
                            .unwrap_or_else(|| i.to_string())
                    })
                    .collect::<Vec<_>>()
                    .join(" "),
                Value::Null => continue,
                other => other.to_string(),
            };
            pairs.push((k.clone(), s));
        }
    }
    let params = Params(pairs);
    let issuer = crate::oidc::issuer(&parts.headers);
    let mut st = emu.lock();
    let a = match validate(&st, &params, &issuer) {
        Ok(a) => a,
        Err(Refusal::Redirect(location)) => {
            return json_response(StatusCode::OK, &json!({ "location": location }));
        }
        Err(Refusal::Page(_, title, detail)) => {
            return control_error("invalid_request", &format!("{title}: {detail}"));
        }
    };
    let approve = match params.get("action").unwrap_or("approve") {
        "approve" => true,
        "cancel" => false,
        _ => return control_error("invalid_request", "\"action\" must be approve or cancel"),
    };
    let user = match params.non_empty("user_id") {
        Some(u) => u.to_owned(),
        None => emu
            .auto_approve
            .user(&st)
            .unwrap_or_else(|| st.users[0]["id"].as_str().unwrap_or_default().to_owned()),
    };
    if st.user(&user).is_none() {
        return control_error("unknown_user", "\"user_id\" names no fixture user");
    }
    let location = decide(&mut st, &a, &user, approve);
    drop(st);
    crate::events::spawn_pending(&emu);
    json_response(StatusCode::OK, &json!({ "location": location }))
}

/// A control-API error: `400 {"error": code, "message": message}`.
pub fn control_error(code: &str, message: &str) -> Response {
    json_response(
        StatusCode::BAD_REQUEST,
        &json!({ "error": code, "message": message }),
    )
}
