//! The life of an authorized call, once, for every face (`docs/lifecycle.md`).
//!
//! Two small transport-free state machines. The browser client, the Worker's `/api` routes and
//! the Worker library drive them; none of them re-implements a rule written here:
//!
//! - [`Call`]: one call with the user's tokens. It refreshes first when the access token
//!   expires within [`REFRESH_MARGIN_MS`]; on a 401 it refreshes once and retries once; it
//!   honours the rate-limit buckets before sending and feeds every answer back to them; it
//!   forgets the grant when Discord no longer honours it; it maps the answer to a
//!   [`Done`](CallAction::Done) or a typed [`Error`].
//! - [`Refresh`]: one refresh, run by whoever leads the single flight (one per session at a
//!   time: a Web Lock in the browser, a per-isolate flight in the Worker). It adopts tokens a
//!   peer (another tab, isolate or request) rotated meanwhile instead of refreshing again; it
//!   asks for the rotated tokens to be persisted at once (Discord refuses the old refresh token
//!   from now on); on `invalid_grant` it asks for the stored tokens once more, since a peer may
//!   have rotated them, and only then declares the grant gone.
//!
//! A face feeds events in (stored tokens, a response, the outcome of a refresh) and executes
//! the action that comes out (send, refresh, persist, re-read, forget, done, fail).
//! <https://discord.com/developers/docs/topics/oauth2#authorization-code-grant-refresh-token-exchange-example>

use crate::discord::config::ApiConfig;
use crate::discord::error::{Error, ErrorCode};
use crate::discord::http::{HttpRequest, HttpResponse};
use crate::discord::json::JsonCodec;
use crate::discord::ratelimit::RateLimiter;
use crate::discord::secret::AccessToken;
use crate::discord::token::{self, ClientAuth, TokenSet};

/// Tokens are refreshed before a call when they expire within this many milliseconds.
pub const REFRESH_MARGIN_MS: u64 = 60_000;

/// Tokens obtained this recently are not refreshed again merely for expiring soon (only once
/// they have expired): a grant that lives less than [`REFRESH_MARGIN_MS`] would otherwise be
/// refreshed before every call.
pub const JUST_REFRESHED_MS: u64 = 10_000;

/// `unauthorized` with a message: no tokens, or a grant Discord no longer honours.
fn unauthorized(message: &str) -> Error {
    Error::Api {
        status: 401,
        code: 0,
        message: message.to_owned(),
        errors: None,
    }
}

/// The error when nothing is stored.
pub fn not_logged_in() -> Error {
    unauthorized("not logged in: no tokens are stored")
}

/// The error when Discord refused the refresh (revoked grant, or a refresh token already used).
pub fn grant_gone() -> Error {
    unauthorized("the grant was revoked or the refresh token was already used: log in again")
}

/// The error when an access token without a refresh token (implicit grant) has expired.
pub fn expired_without_refresh() -> Error {
    unauthorized(
        "the access token expired and there is no refresh token (implicit grant): log in again",
    )
}

/// The error when Discord still answers 401 after a successful refresh.
pub fn rejected_after_refresh() -> Error {
    unauthorized("Discord refused the access token even after a refresh: log in again")
}

/// What a [`Call`] is for.
#[derive(Debug)]
pub enum Target {
    /// A fresh access token only: the caller uses it for something else (a bot call that needs
    /// the user's token, or a token handed to the page).
    Token,
    /// Tokens from a refresh now, whatever their expiry (an explicit `refresh()`); shared with
    /// a refresh already in flight, and satisfied by a peer's rotation.
    Refreshed,
    /// A request to Discord with the user's token. Its `Authorization` header is set by the
    /// machine to the current access token before each send (built with any token).
    Request(HttpRequest),
    /// A request to Discord without any token (`request(…, { auth: false })`): no refresh, no
    /// retry, no forgetting; the rate-limit buckets still apply. Any `Authorization` header it
    /// was built with is removed.
    Anonymous(HttpRequest),
}

/// What a [`Call`] asks its face to do next.
#[derive(Debug)]
pub enum CallAction {
    /// Send this request to Discord; feed the answer with [`Call::on_response`].
    Send(HttpRequest),
    /// Refresh the tokens: lead or join the single flight (a [`Refresh`] seeded with
    /// [`Call::tokens`]) and feed its outcome with [`Call::on_refreshed`].
    Refresh,
    /// Delete the stored tokens or session: the grant is gone. Then feed
    /// [`Call::on_forgotten`], which gives the error to report.
    Forget,
    /// Finished.
    Done(Done),
    /// Failed; the stored tokens are kept (unless a [`CallAction::Forget`] came first).
    Fail(Error),
}

/// How a [`Call`] ended well.
#[derive(Debug)]
pub enum Done {
    /// Discord's 2xx answer to [`Target::Request`].
    Response(HttpResponse),
    /// Fresh tokens, for [`Target::Token`] and [`Target::Refreshed`].
    Tokens(TokenSet),
}

/// Where a [`Call`] stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CallPhase {
    /// Waiting for the stored tokens ([`Call::start`]).
    Start,
    /// Refreshing before the first send.
    RefreshFirst,
    /// Sent; waiting for the answer.
    Sent,
    /// Refreshing after a 401; the retry follows.
    RefreshAfter401,
    /// Forgetting the grant; this error follows.
    Forgetting,
    /// Finished.
    Over,
}

/// One authorized call (see the module docs).
#[derive(Debug)]
pub struct Call {
    target: Target,
    tokens: Option<TokenSet>,
    phase: CallPhase,
    /// Whether the one retry after a 401 has been spent.
    retried: bool,
    /// The error to report once the grant is forgotten.
    pending: Option<Error>,
}

impl Call {
    /// A call for `target`; start it with [`Call::start`].
    pub fn new(target: Target) -> Call {
        Call {
            target,
            tokens: None,
            phase: CallPhase::Start,
            retried: false,
            pending: None,
        }
    }

    /// The tokens the call holds now (to seed a [`Refresh`], or to persist beside the answer).
    pub fn tokens(&self) -> Option<&TokenSet> {
        self.tokens.as_ref()
    }

    /// Starts with the stored tokens (`None`: nothing stored). `obtained_at_ms` is when those
    /// tokens were obtained, if the face knows (see [`JUST_REFRESHED_MS`]).
    pub fn start(
        &mut self,
        stored: Option<TokenSet>,
        obtained_at_ms: Option<u64>,
        limiter: &mut RateLimiter,
        now_ms: u64,
    ) -> CallAction {
        if self.phase != CallPhase::Start {
            return self.misuse();
        }
        if matches!(self.target, Target::Anonymous(_)) {
            return self.proceed(limiter, now_ms);
        }
        let Some(tokens) = stored else {
            return self.fail(not_logged_in());
        };
        let fresh = !tokens.expires_within(now_ms, REFRESH_MARGIN_MS)
            || (!tokens.is_expired(now_ms)
                && obtained_at_ms.is_some_and(|at| now_ms.saturating_sub(at) < JUST_REFRESHED_MS));
        let can_refresh = tokens.refresh_token.is_some();
        let expired = tokens.is_expired(now_ms);
        self.tokens = Some(tokens);
        if matches!(self.target, Target::Refreshed) {
            return if can_refresh {
                self.phase = CallPhase::RefreshFirst;
                CallAction::Refresh
            } else {
                self.fail(expired_without_refresh())
            };
        }
        if fresh {
            self.proceed(limiter, now_ms)
        } else if can_refresh {
            self.phase = CallPhase::RefreshFirst;
            CallAction::Refresh
        } else if !expired {
            // Implicit grant: no refresh token, so the token is used while it lasts.
            self.proceed(limiter, now_ms)
        } else {
            self.forget(expired_without_refresh())
        }
    }

    /// Discord's answer to the request of [`CallAction::Send`]. `J` parses error bodies.
    pub fn on_response<J: JsonCodec>(
        &mut self,
        response: HttpResponse,
        limiter: &mut RateLimiter,
        now_ms: u64,
    ) -> CallAction {
        if self.phase != CallPhase::Sent {
            return self.misuse();
        }
        let anonymous = match &self.target {
            Target::Request(req) => {
                limiter.update_json::<J>(&req.route, &response, now_ms);
                false
            }
            Target::Anonymous(req) => {
                limiter.update_json::<J>(&req.route, &response, now_ms);
                true
            }
            Target::Token | Target::Refreshed => false,
        };
        if response.status == 401 && !anonymous {
            let can_refresh = self
                .tokens
                .as_ref()
                .is_some_and(|t| t.refresh_token.is_some());
            return if self.retried {
                // A fresh token refused again: the grant is gone.
                self.forget(rejected_after_refresh())
            } else if can_refresh {
                // The token may have expired early: one refresh, then one retry.
                self.retried = true;
                self.phase = CallPhase::RefreshAfter401;
                CallAction::Refresh
            } else {
                // Implicit grant: nothing to refresh with.
                self.forget(Error::from_response::<J>(&response))
            };
        }
        self.phase = CallPhase::Over;
        if response.is_success() {
            CallAction::Done(Done::Response(response))
        } else {
            CallAction::Fail(Error::from_response::<J>(&response))
        }
    }

    /// The outcome of the refresh asked for by [`CallAction::Refresh`] (led here or by a peer).
    pub fn on_refreshed(
        &mut self,
        outcome: RefreshOutcome,
        limiter: &mut RateLimiter,
        now_ms: u64,
    ) -> CallAction {
        if !matches!(
            self.phase,
            CallPhase::RefreshFirst | CallPhase::RefreshAfter401
        ) {
            return self.misuse();
        }
        match outcome {
            RefreshOutcome::Rotated(tokens) => {
                self.tokens = Some(tokens);
                self.proceed(limiter, now_ms)
            }
            RefreshOutcome::Gone => self.forget(grant_gone()),
            RefreshOutcome::Failed(e) => self.fail(e),
        }
    }

    /// The grant is forgotten: the error to report.
    pub fn on_forgotten(&mut self) -> CallAction {
        if self.phase != CallPhase::Forgetting {
            return self.misuse();
        }
        let e = self.pending.take().unwrap_or_else(grant_gone);
        self.fail(e)
    }

    /// Sends (through the rate-limit buckets) or, for [`Target::Token`], finishes.
    fn proceed(&mut self, limiter: &mut RateLimiter, now_ms: u64) -> CallAction {
        if let Target::Anonymous(req) = &self.target {
            if let Some(wait) = limiter.reserve(&req.route, now_ms) {
                return self.fail(Error::RateLimited(wait.to_rate_limited(None)));
            }
            let mut req = req.clone();
            req.headers
                .retain(|(n, _)| !n.eq_ignore_ascii_case("authorization"));
            self.phase = CallPhase::Sent;
            return CallAction::Send(req);
        }
        let Some(tokens) = &self.tokens else {
            return self.fail(not_logged_in());
        };
        match &self.target {
            Target::Token | Target::Refreshed | Target::Anonymous(_) => {
                self.phase = CallPhase::Over;
                CallAction::Done(Done::Tokens(tokens.clone()))
            }
            Target::Request(req) => {
                if let Some(wait) = limiter.reserve(&req.route, now_ms) {
                    // Known to be limited: not sent, so it cannot count toward Discord's
                    // invalid-request limit.
                    return self.fail(Error::RateLimited(wait.to_rate_limited(None)));
                }
                let req = with_bearer(req.clone(), &tokens.access_token);
                self.phase = CallPhase::Sent;
                CallAction::Send(req)
            }
        }
    }

    fn forget(&mut self, e: Error) -> CallAction {
        self.pending = Some(e);
        self.phase = CallPhase::Forgetting;
        CallAction::Forget
    }

    fn fail(&mut self, e: Error) -> CallAction {
        self.phase = CallPhase::Over;
        CallAction::Fail(e)
    }

    /// An event out of order: a bug in the face, reported as an error, never a panic.
    fn misuse(&mut self) -> CallAction {
        self.fail(Error::Config(
            "the call lifecycle was driven out of order".to_owned(),
        ))
    }
}

/// `req` with its `Authorization` header set to the Bearer `token`.
pub fn with_bearer(mut req: HttpRequest, token: &AccessToken) -> HttpRequest {
    let value = ["Bearer ", token.secret()].concat();
    match req
        .headers
        .iter_mut()
        .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
    {
        Some((_, v)) => *v = value,
        None => req.headers.push(("Authorization", value)),
    }
    req
}

/// How a refresh ended; shared with every call that waited for it.
#[derive(Debug, Clone)]
pub enum RefreshOutcome {
    /// New tokens (from Discord, or rotated by a peer meanwhile).
    Rotated(TokenSet),
    /// Discord no longer honours the grant: forget it.
    Gone,
    /// Discord or the transport failed (429, 5xx, offline): keep the grant, report this.
    Failed(Error),
}

/// What a [`Refresh`] asks its face to do next.
#[derive(Debug)]
pub enum RefreshAction {
    /// Send the refresh request; feed the answer with [`Refresh::on_response`].
    Send(HttpRequest),
    /// Store these rotated tokens at once; then [`Refresh::on_persisted`].
    Persist(TokenSet),
    /// Read the stored tokens again; feed them with [`Refresh::on_reread`].
    Reread,
    /// Finished: give this outcome to every call waiting for the refresh.
    Settled(RefreshOutcome),
}

/// Where a [`Refresh`] stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RefreshPhase {
    Start,
    Sent,
    Persisting,
    Rereading,
    Over,
}

/// One refresh of one grant (see the module docs). Only the single flight's leader runs one.
#[derive(Debug)]
pub struct Refresh {
    api: ApiConfig,
    client: ClientAuth,
    /// The access token the caller held when it asked for the refresh.
    seen: Option<AccessToken>,
    /// The tokens whose refresh token was sent.
    sent: Option<TokenSet>,
    /// Rotated tokens being persisted.
    rotated: Option<TokenSet>,
    phase: RefreshPhase,
}

impl Refresh {
    /// A refresh at `api` as `client`, asked for by a call that held `seen`.
    pub fn new(api: ApiConfig, client: ClientAuth, seen: Option<&TokenSet>) -> Refresh {
        Refresh {
            api,
            client,
            seen: seen.map(|t| t.access_token.clone()),
            sent: None,
            rotated: None,
            phase: RefreshPhase::Start,
        }
    }

    /// Starts with the freshest stored tokens, read by the leader once it leads (inside the
    /// lock): a peer may have rotated them since the caller read its copy.
    pub fn start(&mut self, current: Option<TokenSet>, now_ms: u64) -> RefreshAction {
        if self.phase != RefreshPhase::Start {
            return self.misuse();
        }
        let Some(current) = current else {
            return self.settle(RefreshOutcome::Gone);
        };
        let rotated_by_peer = self
            .seen
            .as_ref()
            .is_some_and(|seen| *seen != current.access_token);
        if rotated_by_peer && !current.expires_within(now_ms, REFRESH_MARGIN_MS) {
            return self.settle(RefreshOutcome::Rotated(current));
        }
        let request = match &current.refresh_token {
            None => return self.settle(RefreshOutcome::Gone),
            Some(rt) => token::refresh_token(&self.api, &self.client, rt),
        };
        match request {
            Ok(req) => {
                self.sent = Some(current);
                self.phase = RefreshPhase::Sent;
                RefreshAction::Send(req)
            }
            Err(e) => self.settle(RefreshOutcome::Failed(e)),
        }
    }

    /// The token endpoint's answer (or the transport's failure, as `Err`).
    pub fn on_response<J: JsonCodec>(
        &mut self,
        response: Result<HttpResponse, Error>,
        now_ms: u64,
    ) -> RefreshAction {
        if self.phase != RefreshPhase::Sent {
            return self.misuse();
        }
        let parsed = response.and_then(|r| token::process_token_response::<J>(&r, now_ms));
        match parsed {
            Ok(tokens) => {
                // Written at once: the old refresh token is dead from now on.
                self.rotated = Some(tokens.clone());
                self.phase = RefreshPhase::Persisting;
                RefreshAction::Persist(tokens)
            }
            Err(e) if e.code() == ErrorCode::InvalidGrant => {
                // A peer may have rotated the grant with the same refresh token first.
                self.phase = RefreshPhase::Rereading;
                RefreshAction::Reread
            }
            Err(e) => self.settle(RefreshOutcome::Failed(e)),
        }
    }

    /// The rotated tokens are stored (a face that could not store them still reports this,
    /// having logged the failure: the tokens serve the calls waiting now).
    pub fn on_persisted(&mut self) -> RefreshAction {
        if self.phase != RefreshPhase::Persisting {
            return self.misuse();
        }
        match self.rotated.take() {
            Some(t) => self.settle(RefreshOutcome::Rotated(t)),
            None => self.misuse(),
        }
    }

    /// The stored tokens, read again after `invalid_grant` (`Err`: the store failed to read;
    /// the grant is then kept and the failure reported, since a peer may have rotated it).
    pub fn on_reread(&mut self, stored: Result<Option<TokenSet>, Error>) -> RefreshAction {
        if self.phase != RefreshPhase::Rereading {
            return self.misuse();
        }
        let stored = match stored {
            Ok(stored) => stored,
            Err(e) => return self.settle(RefreshOutcome::Failed(e)),
        };
        let sent = self.sent.as_ref().and_then(|t| t.refresh_token.as_ref());
        match stored {
            Some(t) if t.refresh_token.is_some() && t.refresh_token.as_ref() != sent => {
                self.settle(RefreshOutcome::Rotated(t))
            }
            _ => self.settle(RefreshOutcome::Gone),
        }
    }

    fn settle(&mut self, outcome: RefreshOutcome) -> RefreshAction {
        self.phase = RefreshPhase::Over;
        RefreshAction::Settled(outcome)
    }

    fn misuse(&mut self) -> RefreshAction {
        self.settle(RefreshOutcome::Failed(Error::Config(
            "the refresh lifecycle was driven out of order".to_owned(),
        )))
    }
}

#[cfg(test)]
#[path = "lifecycle_tests.rs"]
mod tests;
