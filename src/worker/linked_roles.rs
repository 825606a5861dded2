//! Linked Roles, end to end (docs/linked-roles.md): what a host Worker sets up with
//! [`DiscordAuth::linked_roles`] — its metadata records and the function that computes a
//! user's role connection — and the library calls the routes of
//! `routes_linked_roles.rs` are built on.
//!
//! Discord's flow: the application's *Linked Roles Verification URL* (Developer Portal,
//! General Information) sends the user to `GET /auth/linked-roles`, which logs them in with
//! `identify role_connections.write`; the callback pushes the role connection the host's
//! function computed. Later, the host's backend pushes new values through
//! `POST /auth/linked-roles/push` (authenticated by `LINKED_ROLES_SECRET`) or
//! [`DiscordAuth::push_role_connection`].
//! <https://discord.com/developers/docs/tutorials/configuring-app-metadata-for-linked-roles>

use super::auth::{Ctx, DiscordAuth};
use super::calls;
use super::config::ConfigError;
use super::respond::ApiError;
use super::session::Session;
use super::{lifecycle, store, validate};
use crate::discord::api::role_connections as rc;
use crate::discord::json::SerdeJson;
use crate::discord::models::role_connection::{
    ApplicationRoleConnection, ApplicationRoleConnectionMetadata,
};
use crate::discord::scope::{Scope, Scopes};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

/// The binding of the shared secret the host's backend presents to the push routes.
pub const SECRET_VAR: &str = "LINKED_ROLES_SECRET";

/// The shortest `LINKED_ROLES_SECRET` accepted, in bytes: a guessable secret would let anyone
/// grant themselves roles.
pub const MIN_SECRET_LEN: usize = 32;

/// `LINKED_ROLES_SECRET`: what `Authorization: Bearer …` must carry on
/// `POST /auth/linked-roles/push` and `/metadata`. `Debug` prints `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct LinkedRolesSecret(String);

impl LinkedRolesSecret {
    /// Reads the binding's value: missing, or shorter than [`MIN_SECRET_LEN`], is the error
    /// the push routes answer (500 `config_error`) while every other route works.
    pub fn parse(value: Option<&str>) -> Result<LinkedRolesSecret, ConfigError> {
        match value.filter(|v| !v.is_empty()) {
            None => Err(ConfigError::Missing(SECRET_VAR)),
            Some(v) if v.len() < MIN_SECRET_LEN => Err(ConfigError::invalid(
                SECRET_VAR,
                "LINKED_ROLES_SECRET must be at least 32 bytes long",
            )),
            Some(v) => Ok(LinkedRolesSecret(v.to_owned())),
        }
    }

    /// Whether an `Authorization` header value is `Bearer <this secret>`, compared in
    /// constant time.
    pub fn accepts(&self, authorization: Option<&str>) -> bool {
        let presented = authorization
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
            })
            .map(str::trim)
            .unwrap_or("");
        crate::discord::state::constant_time_eq(presented.as_bytes(), self.0.as_bytes())
    }
}

impl fmt::Debug for LinkedRolesSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LinkedRolesSecret([redacted])")
    }
}

/// Why the host's function is asked for a role connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkedRolesTrigger {
    /// The user just went through the Linked Roles Verification URL.
    Verification,
    /// The host's backend asked for a new push without giving the values
    /// (`POST /auth/linked-roles/push` without `role_connection`, or
    /// [`DiscordAuth::push_role_connection`] with `None`).
    Push,
}

/// What the host's function gets: the user whose role connection is computed.
#[derive(Clone, Debug)]
pub struct LinkedRolesUser {
    /// The user, as Discord's `GET /users/@me` gave it (at login; the session's stored copy
    /// on a later push). <https://discord.com/developers/docs/resources/user#user-object>
    pub user: serde_json::Value,
    /// The scopes the session was granted (`identify role_connections.write` and any more
    /// asked for with [`LinkedRoles::with_scopes`]).
    pub scopes: Vec<String>,
    /// Why the function is called.
    pub trigger: LinkedRolesTrigger,
}

impl LinkedRolesUser {
    /// The user's id.
    pub fn user_id(&self) -> Option<&str> {
        self.user.get("id").and_then(|v| v.as_str())
    }
}

/// The boxed future the host's function returns.
type ComputeFuture = Pin<Box<dyn Future<Output = Result<ApplicationRoleConnection, ApiError>>>>;
/// The host's function, stored.
type ComputeHook = Rc<dyn Fn(LinkedRolesUser) -> ComputeFuture>;

/// A host Worker's Linked Roles set-up: the metadata records its roles are built on, the
/// scopes of the verification login, and the function computing a user's role connection.
/// <https://discord.com/developers/docs/resources/application-role-connection-metadata>
#[derive(Clone)]
pub struct LinkedRoles {
    pub(crate) records: Vec<ApplicationRoleConnectionMetadata>,
    pub(crate) scopes: Scopes,
    compute: ComputeHook,
}

impl fmt::Debug for LinkedRoles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LinkedRoles")
            .field("records", &self.records)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

impl LinkedRoles {
    /// The records (at most 5, registered by `POST /auth/linked-roles/metadata` or
    /// [`DiscordAuth::register_role_metadata`]) and the function that computes a user's role
    /// connection. An `Err` from it is answered as it is (its status and code), after the
    /// session was stored.
    pub fn new<F, Fut>(records: Vec<ApplicationRoleConnectionMetadata>, compute: F) -> LinkedRoles
    where
        F: Fn(LinkedRolesUser) -> Fut + 'static,
        Fut: Future<Output = Result<ApplicationRoleConnection, ApiError>> + 'static,
    {
        let mut scopes = Scopes::default();
        scopes.insert(Scope::Identify);
        scopes.insert(Scope::RoleConnectionsWrite);
        let compute: ComputeHook =
            Rc::new(move |user: LinkedRolesUser| -> ComputeFuture { Box::pin(compute(user)) });
        LinkedRoles {
            records,
            scopes,
            compute,
        }
    }

    /// Asks the verification login for more scopes than `identify role_connections.write`
    /// (e.g. `guilds`, when the function checks membership with the session's token).
    pub fn with_scopes(mut self, more: &Scopes) -> LinkedRoles {
        for scope in more.iter() {
            self.scopes.insert(scope);
        }
        self
    }

    /// The metadata records.
    pub fn records(&self) -> &[ApplicationRoleConnectionMetadata] {
        &self.records
    }

    /// The scopes of the verification login.
    pub fn scopes(&self) -> &Scopes {
        &self.scopes
    }
}

/// The most bytes a `POST /auth/linked-roles/push` body may have: a user id and one role
/// connection (at most 5 metadata values of 100 characters and two names) fit many times over.
pub const MAX_PUSH_BODY: usize = 8 * 1024;

/// The body of `POST /auth/linked-roles/push`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct PushRequest {
    /// The Discord user whose role connection is pushed (an id).
    pub user_id: String,
    /// The values to push; absent: the set-up's function computes them.
    #[serde(default)]
    pub role_connection: Option<ApplicationRoleConnection>,
}

/// Parses a push body (at most [`MAX_PUSH_BODY`] bytes, checked by the route): JSON
/// `{user_id, role_connection?}` with `user_id` a Discord id. The refusal is a fixed
/// message (the body is never quoted back).
pub fn push_request(body: &[u8]) -> Result<PushRequest, &'static str> {
    let request: PushRequest = serde_json::from_slice(body)
        .map_err(|_| "the body must be {\"user_id\": \"…\", \"role_connection\"?: {…}}")?;
    if validate::snowflake(&request.user_id).is_none() {
        return Err("`user_id` must be a Discord user id");
    }
    Ok(request)
}

/// The answer of every Linked Roles call before it is set up: 404, as for a route that does
/// not exist.
pub(crate) fn not_set_up() -> ApiError {
    ApiError::new(
        404,
        "not_found",
        "Linked Roles are not set up in this Worker (DiscordAuth::linked_roles)",
    )
}

/// The fields of a 50035 "Invalid Form Body" error tree, as `path: message (CODE)` lines:
/// Discord nests `{"metadata": {"level": {"_errors": [{code, message}]}}}`.
/// <https://discord.com/developers/docs/reference#error-messages>
pub fn form_errors(raw: &str) -> Vec<String> {
    fn walk(value: &serde_json::Value, path: &mut Vec<String>, out: &mut Vec<String>) {
        let Some(obj) = value.as_object() else {
            return;
        };
        for (key, child) in obj {
            if key == "_errors" {
                for e in child.as_array().into_iter().flatten() {
                    let message = e.get("message").and_then(|m| m.as_str()).unwrap_or("");
                    let code = e.get("code").and_then(|c| c.as_str()).unwrap_or("");
                    let at = if path.is_empty() {
                        "(body)".to_owned()
                    } else {
                        path.join(".")
                    };
                    out.push(format!("{at}: {message} ({code})"));
                }
            } else {
                path.push(key.clone());
                walk(child, path, out);
                path.pop();
            }
        }
    }
    let mut out = Vec::new();
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(raw) {
        walk(&value, &mut Vec::new(), &mut out);
    }
    out
}

/// The answer to a refused push or registration: Discord's 50035 (the values the host
/// computed do not fit the records) is 502 `role_connection_refused` naming the fields;
/// any other failure maps as on `/api`.
pub(crate) fn refused(e: &crate::discord::Error) -> ApiError {
    match e {
        crate::discord::Error::Api {
            code: 50035,
            errors,
            message,
            ..
        } => {
            let fields = errors
                .as_ref()
                .map(|raw| form_errors(raw.expose()))
                .unwrap_or_default();
            let detail = if fields.is_empty() {
                message.clone()
            } else {
                fields.join("; ")
            };
            ApiError::new(
                502,
                "role_connection_refused",
                format!("Discord refused the role connection or metadata: {detail}"),
            )
        }
        other => calls::api_error(other),
    }
}

/// Pushes a role connection with `session`'s token (refreshed as needed): the given one, or
/// the host's function's for `trigger`.
pub(crate) async fn push_for(
    ctx: &Ctx<'_>,
    config: &LinkedRoles,
    session: &mut Session,
    given: Option<&ApplicationRoleConnection>,
    trigger: LinkedRolesTrigger,
) -> Result<ApplicationRoleConnection, ApiError> {
    let app = ctx.auth.application_id()?;
    let computed;
    let connection = match given {
        Some(c) => c,
        None => {
            let user = LinkedRolesUser {
                user: session.stored.user.clone(),
                scopes: session.stored.scopes.clone(),
                trigger,
            };
            computed = (config.compute)(user).await?;
            &computed
        }
    };
    let req = rc::update_user_role_connection::<SerdeJson>(
        &ctx.auth.settings.api,
        &session.tokens.access_token,
        app,
        connection,
    )
    .map_err(|e| calls::api_error(&e))?;
    let resp = lifecycle::request_mapped(ctx, session, req, refused).await?;
    rc::process_user_role_connection::<SerdeJson>(&resp).map_err(|e| refused(&e))
}

/// The newest live session of `user_id` granted `role_connections.write`, through the
/// per-user index; `Ok(None)` when there is none.
pub(crate) async fn session_of(ctx: &Ctx<'_>, user_id: &str) -> Result<Option<Session>, ApiError> {
    let keys = super::UserIndex::new(ctx.auth)
        .sessions(user_id, ctx.now)
        .await?;
    let mut best: Option<Session> = None;
    for key in keys {
        let Some(s) = store::load_key(ctx.auth, &key, ctx.now).await? else {
            continue;
        };
        let fits = s.user_id() == Some(user_id) && s.has_scope("role_connections.write");
        let newer = best
            .as_ref()
            .is_none_or(|b| s.stored.created_at > b.stored.created_at);
        if fits && newer {
            best = Some(s);
        }
    }
    Ok(best)
}

impl DiscordAuth {
    /// Sets up Linked Roles (docs/linked-roles.md): `GET /auth/linked-roles` (the
    /// application's Linked Roles Verification URL), the push after its callback,
    /// `POST /auth/linked-roles/push` and `POST /auth/linked-roles/metadata` for the host's
    /// backend (`LINKED_ROLES_SECRET`). Without it those routes answer 404.
    pub fn linked_roles(mut self, config: LinkedRoles) -> DiscordAuth {
        self.hooks.linked_roles = Some(Rc::new(config));
        self
    }

    pub(crate) fn linked_roles_config(&self) -> Result<Rc<LinkedRoles>, ApiError> {
        self.hooks.linked_roles.clone().ok_or_else(not_set_up)
    }

    /// Registers the set-up's metadata records with Discord (bot token; replaces the
    /// application's records). Discord's refusal is 502 `role_connection_refused`.
    /// <https://discord.com/developers/docs/resources/application-role-connection-metadata#update-application-role-connection-metadata-records>
    pub async fn register_role_metadata(
        &self,
    ) -> Result<Vec<ApplicationRoleConnectionMetadata>, ApiError> {
        let config = self.linked_roles_config()?;
        self.put_metadata_mapped(&config.records, refused).await
    }

    /// Pushes `user_id`'s role connection: `connection`, or what the set-up's function
    /// computes when `None`. Uses the newest session of that user granted
    /// `role_connections.write` (refreshing its token as needed); 404 `not_found` when there
    /// is none (the user must verify again). Discord's refusal is 502
    /// `role_connection_refused`.
    /// <https://discord.com/developers/docs/resources/user#update-current-user-application-role-connection>
    pub async fn push_role_connection(
        &self,
        user_id: &str,
        connection: Option<&ApplicationRoleConnection>,
    ) -> Result<ApplicationRoleConnection, ApiError> {
        let config = self.linked_roles_config()?;
        let ctx = self.library_ctx();
        push_user(&ctx, &config, user_id, connection).await
    }
}

/// [`DiscordAuth::push_role_connection`] with a route's context.
pub(crate) async fn push_user(
    ctx: &Ctx<'_>,
    config: &LinkedRoles,
    user_id: &str,
    connection: Option<&ApplicationRoleConnection>,
) -> Result<ApplicationRoleConnection, ApiError> {
    if validate::snowflake(user_id).is_none() {
        return Err(ApiError::new(
            400,
            "invalid_request",
            "`user_id` must be a Discord user id",
        ));
    }
    let Some(mut session) = session_of(ctx, user_id).await? else {
        return Err(ApiError::new(
            404,
            "not_found",
            "no session of this user granted role_connections.write: the user must verify again",
        ));
    };
    push_for(
        ctx,
        config,
        &mut session,
        connection,
        LinkedRolesTrigger::Push,
    )
    .await
}

#[cfg(test)]
#[path = "linked_roles_tests.rs"]
mod tests;
