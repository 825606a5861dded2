//! The transport-free ("sans-IO") core: every Discord OAuth2 step and API shape.
//!
//! Each protocol step is a pair: a function that describes the request
//! ([`http::HttpRequest`]) and one that processes the response ([`http::HttpResponse`]) into a
//! typed value or an [`error::Error`] with a stable code. No JS types, no I/O: the browser and
//! the Worker only run `fetch` in between, and everything here is tested natively.

mod b64;
pub mod config;
pub mod error;
pub mod http;
pub mod json;
pub mod secret;

// OAuth2 protocol steps.
pub mod authorize;
pub mod callback;
pub mod lifecycle;
pub mod oidc;
pub mod pkce;
pub mod ratelimit;
pub mod scope;
pub mod state;
pub mod token;

// Discord's resources.
pub mod api;
pub mod cdn;
pub mod helpers;
pub mod models;
pub mod permissions;
pub mod snowflake;
pub mod user_flags;

pub use error::{Error, ErrorCode, Result, WorkerCode};
