//! Linked Roles in a host Worker (README "Linked Roles in 20 lines", docs/linked-roles.md):
//! two metadata records and the function that computes a user's role connection from what
//! this app knows about them. Put `https://<your worker>/auth/linked-roles` in the Developer
//! Portal as the Linked Roles Verification URL; register the records once with
//! `POST /auth/linked-roles/metadata` (`Authorization: Bearer $LINKED_ROLES_SECRET`).
//! tests/worker/linked_roles.test.mjs drives it against the emulator.

use discord_oauth_wasm::discord::models::role_connection::{
    ApplicationRoleConnection, ApplicationRoleConnectionMetadata,
    RoleConnectionMetadataType as Kind,
};
use discord_oauth_wasm::worker::{ApiError, DiscordAuth, LinkedRoles, LinkedRolesUser};
use std::collections::BTreeMap;

/// A record of this app's metadata.
fn record(
    kind: Kind,
    key: &str,
    name: &str,
    description: &str,
) -> ApplicationRoleConnectionMetadata {
    ApplicationRoleConnectionMetadata {
        kind,
        key: key.to_owned(),
        name: name.to_owned(),
        name_localizations: None,
        description: description.to_owned(),
        description_localizations: None,
    }
}

/// The role connection of a user: here computed from the Discord user alone (a real app
/// looks the user up in its own data). `level` is the length of the username, `verified`
/// Discord's own e-mail verification (`false` without the `email` scope).
async fn compute(who: LinkedRolesUser) -> Result<ApplicationRoleConnection, ApiError> {
    let username = who.user["username"].as_str().unwrap_or_default().to_owned();
    let verified = who.user["verified"].as_bool().unwrap_or(false);
    let metadata = BTreeMap::from([
        ("level".to_owned(), username.chars().count().to_string()),
        (
            "verified".to_owned(),
            if verified { "1" } else { "0" }.to_owned(),
        ),
    ]);
    Ok(ApplicationRoleConnection {
        platform_name: Some("Host Example".to_owned()),
        platform_username: Some(username),
        metadata,
    })
}

/// `auth` with this app's Linked Roles.
pub fn configure(auth: DiscordAuth) -> DiscordAuth {
    auth.linked_roles(LinkedRoles::new(
        vec![
            record(
                Kind::IntegerGreaterThanOrEqual,
                "level",
                "Level",
                "Level at least",
            ),
            record(
                Kind::BooleanEqual,
                "verified",
                "Verified",
                "Has a verified account",
            ),
        ],
        compute,
    ))
}
