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
//!
//! ## The Worker as a library: a session store, login and request hooks
//!
//! Inside a host Worker (feature `worker`), `DiscordAuth` answers the `/auth` and `/api`
//! routes; it can keep sessions in a store of the host's own (any `SessionStore`: it only
//! ever sees sealed values), run a hook at each login (an `Err` aborts the login: 500
//! `login_aborted`, nothing stored) and trace every request it sends to Discord (never a
//! token). Here, a store that keeps sessions in KV under a key prefix:
//!
//! ```no_run
//! # #[cfg(feature = "worker")] mod example {
//! use discord_oauth_wasm::worker::{
//!     DiscordAuth, KvStore, LoginAborted, LoginEvent, RequestTrace, SealedSession,
//!     SessionStore, StoreFuture,
//! };
//! use serde_json::Value;
//!
//! /// Sessions in the `SESSIONS` namespace under `app1:`, so that apps can share it.
//! struct Prefixed(KvStore);
//!
//! fn key(k: &str) -> String {
//!     ["app1:", k].concat()
//! }
//!
//! impl SessionStore for Prefixed {
//!     fn load<'a>(&'a self, k: &'a str) -> StoreFuture<'a, Option<SealedSession>> {
//!         Box::pin(async move { self.0.load(&key(k)).await })
//!     }
//!     fn create<'a>(&'a self, k: &'a str, v: SealedSession, exp: u64) -> StoreFuture<'a, ()> {
//!         Box::pin(async move { self.0.create(&key(k), v, exp).await })
//!     }
//!     fn replace_tokens<'a>(&'a self, k: &'a str, v: SealedSession, exp: u64) -> StoreFuture<'a, ()> {
//!         Box::pin(async move { self.0.replace_tokens(&key(k), v, exp).await })
//!     }
//!     fn update_user<'a>(&'a self, k: &'a str, user: &'a Value, now: u64) -> StoreFuture<'a, bool> {
//!         Box::pin(async move { self.0.update_user(&key(k), user, now).await })
//!     }
//!     fn delete<'a>(&'a self, k: &'a str) -> StoreFuture<'a, ()> {
//!         Box::pin(async move { self.0.delete(&key(k)).await })
//!     }
//!     fn index_add<'a>(&'a self, user: &'a str, k: &'a str, exp: u64, now: u64) -> StoreFuture<'a, ()> {
//!         Box::pin(async move { self.0.index_add(user, &key(k), exp, now).await })
//!     }
//!     fn index_remove<'a>(&'a self, user: &'a str, k: &'a str, now: u64) -> StoreFuture<'a, ()> {
//!         Box::pin(async move { self.0.index_remove(user, &key(k), now).await })
//!     }
//!     fn index_list<'a>(&'a self, user: &'a str, now: u64) -> StoreFuture<'a, Vec<String>> {
//!         Box::pin(async move {
//!             let keys = self.0.index_list(user, now).await?;
//!             Ok(keys.iter().filter_map(|k| k.strip_prefix("app1:")).map(str::to_owned).collect())
//!         })
//!     }
//!     // The KV index holds the prefixed keys: the inner store ends them itself.
//!     fn end_user<'a>(&'a self, user: &'a str, now: u64) -> StoreFuture<'a, usize> {
//!         self.0.end_user(user, now)
//!     }
//! }
//!
//! async fn fetch(mut req: worker::Request, env: worker::Env) -> worker::Result<worker::Response> {
//!     let auth = match DiscordAuth::from_env(&env) {
//!         Ok(auth) => auth,
//!         Err(e) => return Ok(e.response()),
//!     };
//!     let kv = match KvStore::from_env(&env, &auth) {
//!         Ok(kv) => kv,
//!         Err(e) => return Ok(e.response()),
//!     };
//!     let auth = auth
//!         .with_store(Prefixed(kv))
//!         .on_login(|login: LoginEvent| async move {
//!             // E.g. refuse banned accounts; `login.webhook` carries its token here.
//!             match login.user_id() {
//!                 Some("80351110224678912") => Err(LoginAborted::new("banned")),
//!                 _ => Ok(()),
//!             }
//!         })
//!         .on_request(|t: &RequestTrace| {
//!             worker::console_log!("{} {:?} {:?} {}ms", t.route, t.status, t.bucket, t.duration_ms)
//!         });
//!     if let Some(resp) = auth.handle(&mut req).await {
//!         return Ok(resp);
//!     }
//!     worker::Response::error("not found", 404)
//! }
//! # }
//! # fn main() {}
//! ```
#![warn(missing_docs)]

pub mod discord;

#[cfg(feature = "browser")]
pub mod browser;

/// The allocator of the two wasm builds this crate ships: talc instead of the default
/// dlmalloc (docs/worker.md, "Size of the deployable Worker"). Not for the `worker` library,
/// whose host Worker chooses its own.
#[cfg(all(
    any(
        all(feature = "browser", not(feature = "worker")),
        feature = "worker-entry"
    ),
    target_family = "wasm",
    not(target_feature = "atomics")
))]
#[global_allocator]
static ALLOC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[cfg(feature = "worker")]
pub mod worker;
