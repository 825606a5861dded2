//! The library's hooks (docs/contract.md §12, "Library equivalents"; docs/worker.md):
//! [`DiscordAuth::with_store`], [`DiscordAuth::on_login`] and [`DiscordAuth::on_request`],
//! what flask-discord's `save_authorization_token`, a login callback and `http_trace` give.

use super::auth::DiscordAuth;
use super::session_store::SessionStore;
use crate::discord::http::Method;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

/// What [`DiscordAuth::on_login`]'s hook gets: the login that just exchanged its code,
/// before any session is stored. The webhook carries its `token` and `url` (a credential):
/// `Debug` prints the webhook without them.
#[derive(Clone)]
pub struct LoginEvent {
    /// The user, as Discord's `GET /users/@me` gave it.
    /// <https://discord.com/developers/docs/resources/user#user-object>
    pub user: serde_json::Value,
    /// The scopes Discord granted.
    pub scopes: Vec<String>,
    /// The guild the bot was added to (scope `bot`), as the token response gave it.
    /// <https://discord.com/developers/docs/topics/oauth2#advanced-bot-authorization>
    pub guild: Option<serde_json::Value>,
    /// The webhook created by this login (scope `webhook.incoming`), with its `token` and
    /// `url`. <https://discord.com/developers/docs/topics/oauth2#webhooks>
    pub webhook: Option<serde_json::Value>,
    /// The `data` given to `/auth/login`.
    pub data: Option<serde_json::Value>,
}

impl LoginEvent {
    /// The user's id.
    pub fn user_id(&self) -> Option<&str> {
        self.user.get("id").and_then(|v| v.as_str())
    }
}

impl fmt::Debug for LoginEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let webhook = self.webhook.as_ref().map(|w| {
            let mut w = w.clone();
            if let Some(obj) = w.as_object_mut() {
                obj.remove("token");
                obj.remove("url");
            }
            w
        });
        f.debug_struct("LoginEvent")
            .field("user", &self.user)
            .field("scopes", &self.scopes)
            .field("guild", &self.guild)
            .field("webhook", &webhook)
            .field("data", &self.data)
            .finish()
    }
}

/// An `on_login` hook's refusal: the login ends with 500 `login_aborted` and nothing is
/// stored. `reason` goes to the request's log line (`hook_reason`), never to the answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the login hook refused the login: {reason}")]
pub struct LoginAborted {
    /// Why, as a fixed label (e.g. `"banned_user"`).
    pub reason: &'static str,
}

impl LoginAborted {
    /// A refusal for `reason` (a fixed label, logged).
    pub fn new(reason: &'static str) -> LoginAborted {
        LoginAborted { reason }
    }
}

/// What [`DiscordAuth::on_request`]'s hook gets after each request the Worker makes to
/// Discord; the Rust twin of the browser client's `onRequest` `RequestTrace`. Never a token
/// or a secret: the route is the rate-limit route key (ids that are not major parameters
/// and webhook tokens replaced by names, no query).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestTrace {
    /// The request's method.
    pub method: Method,
    /// The route key, e.g. `"GET /users/@me/guilds/{guild_id}/member"` or
    /// `"POST /oauth2/token"`.
    pub route: String,
    /// Discord's status; `None` when no answer came back (a timeout, a network failure). The
    /// browser's `status` is `0` then. A call the isolate's rate-limit buckets held back is
    /// not sent, and not reported.
    pub status: Option<u16>,
    /// `X-RateLimit-Bucket`, when Discord sent one.
    /// <https://discord.com/developers/docs/topics/rate-limits#header-format>
    pub bucket: Option<String>,
    /// How long the call took, ms.
    pub duration_ms: u64,
}

/// The boxed future an `on_login` hook returns.
type LoginFuture = Pin<Box<dyn Future<Output = Result<(), LoginAborted>>>>;
/// A stored `on_login` hook.
pub(crate) type LoginHook = Rc<dyn Fn(LoginEvent) -> LoginFuture>;
/// A stored `on_request` hook.
pub(crate) type RequestHook = Rc<dyn Fn(&RequestTrace)>;

/// The hooks of a [`DiscordAuth`].
#[derive(Clone, Default)]
pub(crate) struct Hooks {
    pub on_login: Option<LoginHook>,
    pub on_request: Option<RequestHook>,
    /// The Linked Roles set-up (`DiscordAuth::linked_roles`, docs/linked-roles.md).
    pub linked_roles: Option<Rc<super::linked_roles::LinkedRoles>>,
}

impl fmt::Debug for Hooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hooks")
            .field("on_login", &self.on_login.is_some())
            .field("on_request", &self.on_request.is_some())
            .field("linked_roles", &self.linked_roles)
            .finish()
    }
}

impl DiscordAuth {
    /// Keeps sessions in `store` instead of the store [`from_env`](Self::from_env) chose
    /// (Workers KV or Durable Objects): any [`SessionStore`], e.g. a wrapper over
    /// [`KvStore`](super::KvStore). Values stay sealed: the store sees
    /// [`SealedSession`](super::SealedSession)s only. The deployable Worker's fast path
    /// (`fast.rs`, for `from_env`'s own stores) is off for such a `DiscordAuth`.
    pub fn with_store(mut self, store: impl SessionStore + 'static) -> DiscordAuth {
        self.store = Rc::new(store);
        self.custom_store = true;
        self
    }

    /// Runs `hook` at every login (`/auth/callback`, and a Discord Activity's
    /// `POST /api/token`) after the code exchange and the user's fetch, before any session is
    /// stored and before the redirect. An `Err` ends the login with 500 `login_aborted`
    /// (JSON), nothing stored and no session cookie. The tokens Discord just issued are
    /// dropped, not revoked: a revocation ends the whole grant, and with it the user's other
    /// sessions of this application.
    /// <https://discord.com/developers/docs/topics/oauth2#authorization-code-grant-token-revocation-example>
    pub fn on_login<F, Fut>(mut self, hook: F) -> DiscordAuth
    where
        F: Fn(LoginEvent) -> Fut + 'static,
        Fut: Future<Output = Result<(), LoginAborted>> + 'static,
    {
        let hook: LoginHook =
            Rc::new(move |event: LoginEvent| -> LoginFuture { Box::pin(hook(event)) });
        self.hooks.on_login = Some(hook);
        self
    }

    /// Calls `hook` after every request this `DiscordAuth` makes to Discord (code exchange,
    /// user fetch, refresh, revocation, `/api` and raw calls, library calls), with its
    /// [`RequestTrace`]. In Durable Object mode a refresh is run by the session's object,
    /// which does not call the hook.
    pub fn on_request(mut self, hook: impl Fn(&RequestTrace) + 'static) -> DiscordAuth {
        self.hooks.on_request = Some(Rc::new(hook));
        self
    }
}
