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
//!
//! ## The core, step by step
//!
//! Each step builds a request you send with any HTTP client, then processes the answer. A
//! code can only be exchanged from a [`discord::callback::ValidatedCallback`], which only
//! [`discord::callback::Callback::validate`] can make: the state check cannot be skipped.
//!
//! ```no_run
//! # #[cfg(feature = "serde_json")] fn main() -> Result<(), discord_oauth_wasm::discord::Error> {
//! use discord_oauth_wasm::discord::{
//!     authorize::AuthorizeRequest, callback::Callback, config::ApiConfig, http::HttpResponse,
//!     json::SerdeJson, pkce::PkceCodeVerifier, scope::Scopes, state::State,
//!     token::{self, ClientAuth},
//! };
//! # fn send(_: discord_oauth_wasm::discord::http::HttpRequest) -> HttpResponse { unimplemented!() }
//! # let now_ms = 0;
//! // 1. Send the user to Discord with a fresh state and a PKCE challenge.
//! let state = State::generate()?;
//! let verifier = PkceCodeVerifier::generate()?;
//! let url = AuthorizeRequest::new("1100000000000000001", "identify guilds".parse::<Scopes>()?)
//!     .redirect_uri("https://example.com/auth/callback")
//!     .state(&state)
//!     .pkce(&verifier.challenge_s256())
//!     .build()?;
//! # let _ = url;
//!
//! // 2. Discord redirects back: parse, then validate the state (constant time).
//! let redirect = "https://example.com/auth/callback?code=NhhvTDYsFcdgNLnnLijcl7Ku7bEEeee&state=…";
//! let Some(callback) = Callback::parse(redirect)? else { return Ok(()) };
//! let validated = callback.validate(&state, "https://discord.com")?; // and the expected `iss`
//!
//! // 3. Exchange the code: a request description, then its response.
//! let cfg = ApiConfig::default();
//! let auth = ClientAuth::Public { client_id: "1100000000000000001".into() };
//! let request = token::exchange_code(&cfg, &auth, &validated, "https://example.com/auth/callback", Some(&verifier))?;
//! let tokens = token::process_token_response::<SerdeJson>(&send(request), now_ms)?;
//!
//! // 4. Call the API with the access token.
//! use discord_oauth_wasm::discord::api::users;
//! let user = users::process_current_user::<SerdeJson>(&send(users::get_current_user(&cfg, &tokens.access_token)))?;
//! println!("hello, {}", user.username);
//! # Ok(()) }
//! # #[cfg(not(feature = "serde_json"))] fn main() {}
//! ```
//!
//! Every error has a stable [`discord::ErrorCode`] (`invalid_grant`, `rate_limited`, …), and
//! no token or secret ever appears in a `Debug` or `Display` output.
#![warn(missing_docs)]

pub mod discord;

#[cfg(feature = "browser")]
pub mod browser;

/// The browser package's allocator: talc instead of the default dlmalloc, a few KB smaller in
/// the shipped wasm. Only for the browser build on wasm32; the Worker keeps the default.
#[cfg(all(
    feature = "browser",
    not(feature = "worker"),
    target_family = "wasm",
    not(target_feature = "atomics")
))]
#[global_allocator]
static ALLOC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[cfg(feature = "worker")]
pub mod worker;
