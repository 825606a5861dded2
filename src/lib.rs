//! # discord-oauth-wasm
//!
//! Discord OAuth2 for the browser and the edge, in one crate compiled to WebAssembly.
//!
//! - [`discord`]: the transport-free core. Every OAuth2 step and every Discord API call is a
//!   pair: a function that describes the request, and one that turns the response into a typed
//!   value or an [`discord::Error`] with a stable code. Native, tested without a network.
//! - `browser` (feature `browser`, default): the wasm-bindgen exports of the npm package.
//! - `worker` (feature `worker`): the Cloudflare Worker (backend-for-frontend) that keeps the
//!   client secret and stores sessions in Workers KV; also a library to mount in a Worker.
//!
//! Public names, routes and JSON shapes follow the project's design contract; see the README.
#![warn(missing_docs)]

pub mod discord;

#[cfg(feature = "browser")]
pub mod browser;

#[cfg(feature = "worker")]
pub mod worker;
