//! A host Worker that mounts discord-oauth-wasm's [`DiscordAuth`] as a library: the contract's
//! `/auth` and `/api` routes come from [`DiscordAuth::handle`]; the routes below are the host's
//! own, built on the library calls (session guard, raw Bearer and Bot calls, the client
//! credentials grant, linked-roles connection and metadata). It is the example the README
//! points to, and tests/worker/library.test.mjs drives it against the emulator.
//!
//! Answers never carry a token: the client credentials route says only what it got.
//!
//! The library's hooks (a session store of its own, `on_login`, `on_request`) are in
//! [`hooks`]; tests/worker/hooks.test.mjs drives them. Linked Roles (the verification URL,
//! the push after it and later pushes) are set up in [`linked_roles`];
//! tests/worker/linked_roles.test.mjs drives them.

mod hooks;
mod linked_roles;

use discord_oauth_wasm::discord::http::Method;
use discord_oauth_wasm::discord::models::role_connection::{
    ApplicationRoleConnection, ApplicationRoleConnectionMetadata,
};
use discord_oauth_wasm::discord::scope::Scopes;
/// The session store's Durable Object class, for a `SESSION_STORE` binding (see wrangler.toml).
pub use discord_oauth_wasm::worker::DiscordSessionStore;
use discord_oauth_wasm::worker::{ApiError, DiscordAuth};
use serde_json::{Value, json};
use worker::{Context, Env, Request, Response, event};

#[event(fetch)]
async fn fetch(mut req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    let auth = match DiscordAuth::from_env(&env) {
        Ok(auth) => auth,
        Err(e) => return Ok(e.response()),
    };
    let auth = match hooks::configure(auth, &env) {
        Ok(auth) => linked_roles::configure(auth),
        Err(e) => return Ok(e.response()),
    };
    if let Some(resp) = auth.handle(&mut req).await {
        return Ok(resp);
    }
    let path = req.path();
    if let Some(answer) = hooks::route(&auth, &req, &path).await {
        return Ok(answer.unwrap_or_else(|e| e.response()));
    }
    Ok(match own_route(&auth, &mut req).await {
        Ok(resp) => resp,
        Err(e) => e.response(),
    })
}

/// A library answer as JSON (the status and body Discord sent).
fn pass_on(body: &str) -> Result<Response, ApiError> {
    let value: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    json_response(&value)
}

fn json_response<T: serde::Serialize>(value: &T) -> Result<Response, ApiError> {
    Response::from_json(value).map_err(|_| ApiError::new(500, "internal_error", "encoding failed"))
}

async fn json_body<T: serde::de::DeserializeOwned>(req: &mut Request) -> Result<T, ApiError> {
    req.json()
        .await
        .map_err(|_| ApiError::new(400, "invalid_request", "the body is not the expected JSON"))
}

async fn own_route(auth: &DiscordAuth, req: &mut Request) -> Result<Response, ApiError> {
    let path = req.path();
    let method = req.method();
    match (method, path.as_str()) {
        // The `requires_authorization` guard: 401 without a session.
        (worker::Method::Get, "/me") => match auth.require_session(req).await {
            Ok(session) => json_response(&json!({
                "user_id": session.user_id(),
                "scopes": session.stored.scopes,
            })),
            Err(unauthorized) => Ok(unauthorized),
        },
        // A raw Bearer call with the session's token (refreshed as needed).
        (worker::Method::Get, "/raw/me") => {
            let resp = auth.request(req, Method::Get, "/users/@me", None).await?;
            // The raw answer is whole (status, every header, body): here Discord's content type.
            let content_type = resp.header("content-type").unwrap_or_default().to_owned();
            let mut answer = pass_on(&resp.body)?;
            let _ = answer
                .headers_mut()
                .set("x-discord-content-type", &content_type);
            Ok(answer)
        }
        // A raw Bot call: the application, with the bot token.
        (worker::Method::Get, "/bot/application") => {
            let resp = auth
                .bot_request(Method::Get, "/oauth2/applications/@me", None)
                .await?;
            pass_on(&resp.body)
        }
        // The client credentials grant; only what was granted, never the token.
        (worker::Method::Post, "/client-credentials") => {
            let scopes: Scopes = "identify applications.commands.update"
                .parse()
                .map_err(|_| ApiError::new(500, "internal_error", "bad scopes"))?;
            let tokens = auth.client_credentials(&scopes).await?;
            json_response(&json!({
                "token_type": tokens.token_type,
                "scope": tokens.scope,
                "refresh_token": tokens.refresh_token.is_some(),
            }))
        }
        // Linked roles: the session user's role connection.
        (worker::Method::Get, "/role-connection") => {
            json_response(&auth.role_connection(req).await?)
        }
        (worker::Method::Put, "/role-connection") => {
            let connection: ApplicationRoleConnection = json_body(req).await?;
            json_response(&auth.update_role_connection(req, &connection).await?)
        }
        // Linked roles: the application's metadata records (bot token).
        (worker::Method::Get, "/role-metadata") => {
            json_response(&auth.role_connection_metadata().await?)
        }
        (worker::Method::Put, "/role-metadata") => {
            let records: Vec<ApplicationRoleConnectionMetadata> = json_body(req).await?;
            json_response(&auth.put_role_connection_metadata(&records).await?)
        }
        _ => Err(ApiError::new(404, "not_found", "no such route")),
    }
}
