//! What `GET /oauth2/@me` answers about the current authorization.
//! <https://discord.com/developers/docs/topics/oauth2#get-current-authorization-information>

use serde::{Deserialize, Serialize};

use super::application::Application;
use super::user::User;

/// Information about the current authorization (any bearer token).
/// <https://discord.com/developers/docs/topics/oauth2#get-current-authorization-information>
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationInfo {
    /// The application (partial).
    pub application: Application,
    /// The scopes granted. Kept as strings: a scope this crate does not know must not make
    /// the answer unreadable.
    pub scopes: Vec<String>,
    /// When the access token expires (ISO 8601).
    pub expires: String,
    /// The user, when the `identify` scope was granted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
}

impl AuthorizationInfo {
    /// Whether a scope (e.g. `"guilds.join"`) was granted.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}
