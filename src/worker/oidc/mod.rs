//! The Worker as an OpenID Connect provider backed by Discord (docs/oidc-provider.md,
//! docs/contract.md §13): Cloudflare Access, Grafana or any relying party signs users in with
//! Discord through this Worker, and gets guild membership and roles as claims.
//!
//! On when the secret `OIDC_CLIENTS` is set; needs the sessions in Durable Objects
//! (`SESSION_STORE`), because a code must be usable once everywhere. The user signs in through
//! the Worker's own `/auth/login` (a current session with the needed Discord scopes is
//! reused); codes and access tokens live in `oidc:<id>` objects ([`object`]); id_tokens are
//! RS256, signed with WebCrypto (the `sign` module). No Discord token ever reaches a relying party.
//!
//! Pure modules ([`settings`], [`params`], [`claims`]) are unit-tested natively.
//! <https://openid.net/specs/openid-connect-core-1_0.html>

pub mod claims;
pub mod object;
pub mod params;
mod routes;
pub mod settings;
mod sign;
mod token;

#[cfg(test)]
mod tests;

pub(crate) use routes::handle;
#[cfg(feature = "worker-entry")]
pub(crate) use token::serve as serve_token;

/// One of the provider's routes, as the route table (`routes.rs`) parses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OidcRoute {
    /// `GET /.well-known/openid-configuration`
    Discovery,
    /// `GET /oidc/authorize`
    Authorize,
    /// `POST /oidc/token`
    Token,
    /// `GET /oidc/userinfo`
    UserInfo,
    /// `GET /oidc/jwks.json`
    Jwks,
}

impl OidcRoute {
    /// The route's path, for the log line.
    pub fn name(self) -> &'static str {
        match self {
            OidcRoute::Discovery => "/.well-known/openid-configuration",
            OidcRoute::Authorize => "/oidc/authorize",
            OidcRoute::Token => "/oidc/token",
            OidcRoute::UserInfo => "/oidc/userinfo",
            OidcRoute::Jwks => "/oidc/jwks.json",
        }
    }
}
