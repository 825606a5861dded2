//! The Linked Roles routes (docs/linked-roles.md), answered when the host Worker set them up
//! with [`DiscordAuth::linked_roles`](super::DiscordAuth::linked_roles); 404 otherwise.
//!
//! - `GET /auth/linked-roles`: the application's Linked Roles Verification URL. A login with
//!   the set-up's scopes (`identify role_connections.write` at least) whose callback pushes
//!   the role connection ([`after_verification`]).
//! - `POST /auth/linked-roles/push` `{user_id, role_connection?}` and
//!   `POST /auth/linked-roles/metadata`: for the host's backend only, with
//!   `Authorization: Bearer <LINKED_ROLES_SECRET>` (compared in constant time). Never open: a
//!   page that could push would let users grant themselves roles.
//!
//! <https://discord.com/developers/docs/tutorials/configuring-app-metadata-for-linked-roles>

use super::auth::{Ctx, drain, read_body};
use super::linked_roles::{self, LinkedRolesTrigger};
use super::login_options::LoginOptions;
use super::respond::{self, ApiError};
use super::routes::LinkedRolesRoute;
use super::routes_auth::start_login;
use super::session::Session;
use super::validate;
use worker::{Request, Response};

/// Answers one of the Linked Roles routes.
pub async fn handle(
    ctx: &Ctx<'_>,
    req: &mut Request,
    which: LinkedRolesRoute,
) -> Result<Response, ApiError> {
    let Ok(config) = ctx.auth.linked_roles_config() else {
        drain(req).await;
        return Err(linked_roles::not_set_up());
    };
    match which {
        LinkedRolesRoute::Verify => verify(ctx, req, &config.scopes),
        LinkedRolesRoute::Push => {
            authenticate(ctx, req).await?;
            let body = read_body(req, linked_roles::MAX_PUSH_BODY)
                .await?
                .ok_or_else(|| {
                    ApiError::new(413, "payload_too_large", "the push body is over 8 KiB")
                })?;
            let push = linked_roles::push_request(&body)
                .map_err(|m| ApiError::new(400, "invalid_request", m))?;
            let pushed =
                linked_roles::push_user(ctx, &config, &push.user_id, push.role_connection.as_ref())
                    .await?;
            Ok(respond::json(200, &pushed))
        }
        LinkedRolesRoute::Metadata => {
            authenticate(ctx, req).await?;
            drain(req).await;
            let records = ctx.auth.register_role_metadata().await?;
            Ok(respond::json(200, &records))
        }
    }
}

/// `GET /auth/linked-roles?return_to`: 302 to Discord's authorize page for the set-up's scopes,
/// marked in the state cookie as a verification.
fn verify(
    ctx: &Ctx<'_>,
    req: &Request,
    scopes: &crate::discord::scope::Scopes,
) -> Result<Response, ApiError> {
    let query = |name: &str| {
        req.url().ok().and_then(|url| {
            url.query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        })
    };
    let return_to = validate::return_to(query("return_to").as_deref())
        .map_err(|m| ApiError::new(400, "invalid_return_to", m))?;
    let options = LoginOptions {
        scopes: scopes.clone(),
        prompt: None,
        permissions: None,
        guild_id: None,
        disable_guild_select: None,
        integration_type: None,
        data: None,
    };
    start_login(ctx, req, &options, return_to, true)
}

/// The push routes' check: the secret is configured (else 500 `config_error` naming
/// `LINKED_ROLES_SECRET`, on these routes only) and presented (else 401 `unauthorized` with
/// `WWW-Authenticate: Bearer`). The body is read to the end before a refusal.
async fn authenticate(ctx: &Ctx<'_>, req: &mut Request) -> Result<(), ApiError> {
    let secret = match &ctx.auth.settings.linked_roles_secret {
        Ok(secret) => secret,
        Err(e) => {
            drain(req).await;
            return Err(ApiError::new(500, "config_error", e.to_string()));
        }
    };
    let header = req.headers().get("authorization").ok().flatten();
    if secret.accepts(header.as_deref()) {
        return Ok(());
    }
    drain(req).await;
    Err(ApiError::new(
        401,
        "unauthorized",
        "this route needs Authorization: Bearer <LINKED_ROLES_SECRET>",
    )
    .challenging("Bearer"))
}

/// After the verification login stored `session`: computes and pushes the user's role
/// connection with the session's token.
pub(crate) async fn after_verification(
    ctx: &Ctx<'_>,
    session: &mut Session,
) -> Result<(), ApiError> {
    let config = ctx.auth.linked_roles_config()?;
    linked_roles::push_for(
        ctx,
        &config,
        session,
        None,
        LinkedRolesTrigger::Verification,
    )
    .await
    .map(|_| ())
}
