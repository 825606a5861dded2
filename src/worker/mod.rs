//! The Cloudflare Worker (backend-for-frontend): confidential code exchange, sessions in
//! Workers KV or Durable Objects (or a host Worker's own [`SessionStore`]) with the tokens
//! sealed, and a fixed set of Discord API reads (docs/contract.md §4). A host Worker adds
//! hooks: [`DiscordAuth::with_store`], [`DiscordAuth::on_login`], [`DiscordAuth::on_request`].
//!
//! Built with `worker-build --release --no-default-features --features worker`. The deployable
//! entry point (`#[event(fetch)]`) uses [`DiscordAuth`], which a host Worker can mount too:
//!
//! ```ignore
//! use discord_oauth_wasm::worker::DiscordAuth;
//! let auth = match DiscordAuth::from_env(&env) {
//!     Ok(auth) => auth,
//!     Err(e) => return Ok(e.response()),
//! };
//! if let Some(resp) = auth.handle(&mut req).await {
//!     return Ok(resp);
//! }
//! let session = match auth.require_session(&req).await {
//!     Ok(session) => session,
//!     Err(unauthorized) => return Ok(unauthorized),
//! };
//! ```
//!
//! Pure modules (`config`, `cookies`, `crypto`, `events`, `session`, `validate`) hold no Worker types and
//! are unit-tested natively.

mod api_routes;
mod auth;
mod calls;
mod client;
pub mod config;
pub mod cookies;
mod cors;
pub mod crypto;
/// The deployable Worker's `fetch` export; off in library use, where the host Worker
/// has its own entry point.
#[cfg(feature = "worker-entry")]
mod entry;
pub mod events;
/// The deployable Worker's hot routes on the runtime's own request and response types.
#[cfg(feature = "worker-entry")]
mod fast;
/// The deployable Worker's `/api` reads as promise reactions.
#[cfg(feature = "worker-entry")]
mod fast_api;
mod hooks;
mod id_token;
mod lifecycle;
pub mod linked_roles;
mod log;
pub mod login_options;
mod objects;
pub mod oidc;
mod promise;
pub mod respond;
mod routes;
mod routes_activity;
mod routes_api;
mod routes_auth;
mod routes_events;
mod routes_linked_roles;
mod routes_raw;
pub mod session;
mod session_store;
mod store;
mod store_do;
mod store_kv;
mod subtle;
mod transport;
pub mod user_index;
pub mod validate;

#[cfg(test)]
mod events_tests;
#[cfg(test)]
mod hooks_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_activity;
#[cfg(test)]
mod tests_seen_user;
#[cfg(test)]
mod vocabulary_tests;

pub use auth::{DiscordAuth, KV_BINDING, is_auth_path};
pub use config::{ConfigError, Settings};
pub use hooks::{LoginAborted, LoginEvent, RequestTrace};
pub use linked_roles::{LinkedRoles, LinkedRolesTrigger, LinkedRolesUser};
pub use objects::{DO_BINDING, DiscordSessionStore};
pub use respond::ApiError;
pub use session::Session;
pub use session_store::{RefreshAnswer, RefreshAsk, SealedSession, SessionStore, StoreFuture};
pub use store_do::DurableObjectStore;
pub use store_kv::KvStore;
pub use transport::{NetworkFailure, TransportError, UPSTREAM_TIMEOUT};
pub use user_index::UserIndex;
