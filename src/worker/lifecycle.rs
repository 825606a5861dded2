//! The Worker's driver of the core's token lifecycle ([`crate::discord::lifecycle`];
//! `docs/lifecycle.md`, `docs/worker.md`).
//!
//! Every call with a session's tokens (the `/api` reads, the join's fresh token, the library's
//! Bearer calls) runs one [`Call`] here. The rules (the refresh margin, refresh once and retry
//! once after a 401, adopting a rotation, `invalid_grant` → re-read → forget, the rate-limit
//! buckets) are the core's; this driver only executes its actions, adding what a Worker has:
//! - **single flight**: concurrent requests of one isolate share one [`Refresh`] per session
//!   (one leader per KV key; the others wait for its published outcome);
//! - **storage**: rotated tokens are written to the session store at once
//!   ([`SessionStore::replace_tokens`](super::SessionStore::replace_tokens)) and remembered by
//!   the isolate, the re-read goes to the store, and a forgotten grant deletes the session. A
//!   store that runs refreshes itself ([`SessionStore::refresh`](super::SessionStore::refresh):
//!   Durable Objects) is handed the refresh instead.
//!
//! The remaining KV window: two isolates in different locations that refresh the same session
//! within KV's propagation delay (up to 60 s) both send the same refresh token; Discord honours
//! the first, and the second sees `invalid_grant`, re-reads KV, and may still read the old value
//! there, in which case that session ends and the user logs in again.

use super::auth::{Ctx, now_ms};
use super::calls;
use super::config::Settings;
use super::log::Trace;
use super::respond::ApiError;
use super::session::{Session, Tokens};
use super::session_store::{RefreshAnswer, RefreshAsk, Remote};
use super::transport::{self, AnswerHeaders, TransportError};
use super::{routes_api, store};
use crate::discord::Error;
use crate::discord::http::{HttpRequest, HttpResponse};
use crate::discord::json::SerdeJson;
use crate::discord::lifecycle::{
    Call, CallAction, Done, Refresh, RefreshAction, RefreshOutcome, Target,
};
use crate::discord::token::TokenSet;
use std::cell::RefCell;
use std::collections::HashMap;
use std::time::Duration;

/// A refresh of one session in this isolate.
enum Flight {
    /// A request is refreshing (since this time, ms).
    Running(u64),
    /// The outcome, published for the requests that waited (at this time, ms).
    Done(RefreshOutcome, u64),
}

thread_local! {
    static FLIGHTS: RefCell<HashMap<String, Flight>> = RefCell::new(HashMap::new());
}

/// How often a waiting request looks at the flight it waits for.
const POLL: Duration = Duration::from_millis(20);

/// Removes a flight whose leader went away without an outcome (its request was cancelled),
/// so that a waiting request can take over.
struct Leader<'a> {
    key: &'a str,
    done: bool,
}

impl Drop for Leader<'_> {
    fn drop(&mut self) {
        if !self.done {
            FLIGHTS.with(|f| {
                if let Ok(mut m) = f.try_borrow_mut() {
                    m.remove(self.key);
                }
            });
        }
    }
}

/// The core's error for a transport failure (a timeout stays a timeout: 504, not 502).
fn transport_failure(e: TransportError) -> Error {
    match e {
        TransportError::Timeout => Error::Timeout,
        TransportError::Limited(r) => Error::RateLimited(r),
        TransportError::Network(failure) => Error::Network(failure.to_string()),
    }
}

/// Runs `target` with the session's tokens to the end: Discord's 2xx answer, or fresh
/// tokens. `session.tokens` holds the newest tokens afterwards. A grant Discord no longer
/// honours deletes the session (the error then clears the cookie).
pub(crate) async fn run(
    ctx: &Ctx<'_>,
    session: &mut Session,
    target: Target,
) -> Result<Done, ApiError> {
    run_mapped(ctx, session, target, calls::api_error).await
}

/// [`run`], with Discord's refusal of the call answered by `map` instead of the `/api`
/// mapping (a route whose refusals mean something of their own, e.g. Linked Roles' 50035).
async fn run_mapped(
    ctx: &Ctx<'_>,
    session: &mut Session,
    target: Target,
    map: fn(&crate::discord::Error) -> ApiError,
) -> Result<Done, ApiError> {
    let (call, action) = begin(session, target);
    drive(ctx, session, call, action, map).await
}

/// The core's [`Call`] for `target` with the session's tokens, and its first action.
pub(crate) fn begin(session: &Session, target: Target) -> (Call, CallAction) {
    // Bearer routes are limited per token: the session's key separates their buckets.
    let target = match target {
        Target::Request(mut req) => {
            req.route = [req.route.as_str(), " ", session.kv_key.as_str()].concat();
            Target::Request(req)
        }
        other => other,
    };
    let mut call = Call::new(target);
    let obtained = store::refreshed_at(&session.kv_key);
    let stored = session.tokens.to_set();
    let action = transport::with_limiter(|rl| call.start(Some(stored), obtained, rl, now_ms()));
    (call, action)
}

/// The call's next action once the request of its [`CallAction::Send`] was answered (or
/// failed: a transport failure ends the call).
pub(crate) fn answered(
    call: &mut Call,
    sent: Result<HttpResponse, TransportError>,
) -> Result<CallAction, ApiError> {
    match sent {
        Ok(resp) => Ok(transport::with_limiter(|rl| {
            call.on_response::<SerdeJson>(resp, rl, now_ms())
        })),
        Err(e) => Err(calls::transport_error(e)),
    }
}

/// The call's end: the session keeps the call's newest tokens.
fn finished(call: &Call, session: &mut Session, done: Done) -> Done {
    if let Some(t) = call.tokens() {
        session.tokens = Tokens::from_set(t);
    }
    done
}

/// The error of a failed call, `map`ped; one that follows a forgotten grant clears the cookie.
pub(crate) fn failed(e: &Error, forgotten: bool, map: fn(&Error) -> ApiError) -> ApiError {
    let err = map(e);
    if forgotten {
        err.clearing_session()
    } else {
        err
    }
}

/// Executes the call's actions from `action` to its end.
pub(crate) async fn drive(
    ctx: &Ctx<'_>,
    session: &mut Session,
    mut call: Call,
    mut action: CallAction,
    map: fn(&Error) -> ApiError,
) -> Result<Done, ApiError> {
    let mut forgotten = false;
    loop {
        action = match action {
            CallAction::Send(req) => {
                let sent = transport::fetch(
                    &req,
                    &ctx.trace,
                    ctx.auth.settings.upstream_timeout_ms,
                    ctx.answer_headers,
                )
                .await;
                answered(&mut call, sent)?
            }
            CallAction::Refresh => {
                let outcome = refresh(ctx, session, call.tokens()).await;
                transport::with_limiter(|rl| call.on_refreshed(outcome, rl, now_ms()))
            }
            CallAction::Forget => {
                forget(ctx, session).await;
                forgotten = true;
                call.on_forgotten()
            }
            CallAction::Done(done) => return Ok(finished(&call, session, done)),
            CallAction::Fail(e) => return Err(failed(&e, forgotten, map)),
        };
    }
}

/// Discord's 2xx answer a [`Target::Request`] call ended with.
pub(crate) fn response_of(done: Done) -> Result<HttpResponse, ApiError> {
    match done {
        Done::Response(resp) => Ok(resp),
        Done::Tokens(_) => Err(ApiError::new(
            500,
            "internal_error",
            "the call lifecycle ended without an answer",
        )),
    }
}

/// Runs a request with the session's token and returns Discord's 2xx answer.
pub(crate) async fn request(
    ctx: &Ctx<'_>,
    session: &mut Session,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    request_mapped(ctx, session, req, calls::api_error).await
}

/// [`request`], with Discord's refusal answered by `map` (see [`run_mapped`]).
pub(crate) async fn request_mapped(
    ctx: &Ctx<'_>,
    session: &mut Session,
    req: HttpRequest,
    map: fn(&crate::discord::Error) -> ApiError,
) -> Result<HttpResponse, ApiError> {
    response_of(run_mapped(ctx, session, Target::Request(req), map).await?)
}

/// Makes sure the session's access token is fresh (refreshing first when it expires within
/// the margin), for a call that sends it some other way (the bot's guild join).
pub(crate) async fn fresh_tokens(ctx: &Ctx<'_>, session: &mut Session) -> Result<(), ApiError> {
    run(ctx, session, Target::Token).await.map(|_| ())
}

/// A grant Discord no longer honours: the session is deleted and its caches dropped.
async fn forget(ctx: &Ctx<'_>, session: &Session) {
    if let Err(e) = store::delete(ctx.auth, &session.kv_key).await {
        ctx.trace.error(e.code);
    }
    super::user_index::unindex(ctx, session).await;
    routes_api::forget_cache(&session.kv_key);
}

/// Leads or joins the session's single flight and gives its outcome.
///
/// Waiting requests do not await the leader's future: in workerd, I/O belongs to the request
/// that started it, and a request waiting on another request's promise is cancelled as hung.
/// They poll the published outcome on their own timer instead.
async fn refresh(ctx: &Ctx<'_>, session: &Session, seen: Option<&TokenSet>) -> RefreshOutcome {
    let settings = &ctx.auth.settings;
    // A store that runs refreshes itself (a session's Durable Object): once for every
    // isolate asking.
    let ask = RefreshAsk {
        key: &session.kv_key,
        seen: seen.map(|t| &t.access_token),
    };
    if let Some(remote) = ctx.auth.store.refresh(ask) {
        return match remote.await {
            Ok(answer) => outcome_of(settings, &session.kv_key, answer),
            Err(e) => RefreshOutcome::Failed(Error::Storage(e.message)),
        };
    }
    let key = session.kv_key.clone();
    let give_up = now_ms() + settings.upstream_timeout_ms + 5_000;
    let stale_ms = 2 * settings.upstream_timeout_ms + 5_000;
    let mut waited = false;
    loop {
        let t = now_ms();
        let state = FLIGHTS.with(|f| {
            let mut m = f.try_borrow_mut().ok()?;
            m.retain(|_, v| !matches!(v, Flight::Done(_, at) if t.saturating_sub(*at) > 60_000));
            match m.get(&key) {
                // A leader stuck past any timeout is taken over.
                Some(Flight::Running(since)) if t.saturating_sub(*since) < stale_ms => Some(None),
                Some(Flight::Done(outcome, _)) if waited => Some(Some(outcome.clone())),
                _ => {
                    m.insert(key.clone(), Flight::Running(t));
                    None
                }
            }
        });
        match state {
            // Someone else is refreshing: wait on this request's own timer.
            Some(None) => {
                if t > give_up {
                    return RefreshOutcome::Failed(Error::Timeout);
                }
                waited = true;
                worker::Delay::from(POLL).await;
            }
            // The refresh this request waited for is over.
            Some(Some(outcome)) => return outcome,
            // This request leads the refresh.
            None => {
                let mut leader = Leader {
                    key: &key,
                    done: false,
                };
                // The freshest tokens this isolate knows: another request may have rotated
                // them since this one read KV.
                let current = store::newer_than(&key, &session.tokens);
                let mut current_session = session.clone();
                if let Some(t) = current {
                    current_session.tokens = t;
                }
                let store = KvRefreshStore { auth: ctx.auth };
                let outcome = lead_with(settings, &ctx.trace, &current_session, seen, &store).await;
                FLIGHTS.with(|f| {
                    if let Ok(mut m) = f.try_borrow_mut() {
                        m.insert(key.clone(), Flight::Done(outcome.clone(), now_ms()));
                    }
                });
                leader.done = true;
                return outcome;
            }
        }
    }
}

/// The core's outcome of a refresh the store ran: a rotated value is opened here (a value
/// that does not open, or has expired, means the session is gone).
fn outcome_of(settings: &Settings, key: &str, answer: RefreshAnswer) -> RefreshOutcome {
    match answer.0 {
        Remote::Rotated(value) => match store::live(settings, key, value.as_str(), now_ms()) {
            Some(s) => RefreshOutcome::Rotated(s.tokens.to_set()),
            None => RefreshOutcome::Gone,
        },
        Remote::Gone => RefreshOutcome::Gone,
        Remote::Failed(e) => RefreshOutcome::Failed(e),
    }
}

/// Where a refresh leader persists the rotated tokens and re-reads the stored ones: KV here,
/// a session's own storage in its Durable Object.
pub(crate) trait RefreshStore {
    /// Stores `tokens` for `session` at once.
    async fn persist(&self, session: &Session, tokens: Tokens, now: u64) -> Result<(), ApiError>;
    /// The session's stored tokens now.
    async fn reread(&self, session: &Session, now: u64) -> Result<Option<Tokens>, ApiError>;
}

/// The session store's side of a refresh in this isolate (the isolate also remembers the
/// rotated tokens).
struct KvRefreshStore<'a> {
    auth: &'a super::DiscordAuth,
}

impl RefreshStore for KvRefreshStore<'_> {
    async fn persist(&self, session: &Session, tokens: Tokens, now: u64) -> Result<(), ApiError> {
        store::remember(&session.kv_key, &tokens, now);
        store::save(self.auth, &mut session.clone(), tokens, now).await
    }

    async fn reread(&self, session: &Session, now: u64) -> Result<Option<Tokens>, ApiError> {
        Ok(store::load_key(self.auth, &session.kv_key, now)
            .await?
            .map(|s| s.tokens))
    }
}

/// Runs the core's [`Refresh`] as the flight's leader, starting from `session`'s tokens (the
/// freshest the caller knows).
pub(crate) async fn lead_with(
    settings: &Settings,
    trace: &Trace,
    session: &Session,
    seen: Option<&TokenSet>,
    store: &impl RefreshStore,
) -> RefreshOutcome {
    let mut refresh = Refresh::new(settings.api.clone(), calls::client_auth(settings), seen);
    let mut action = refresh.start(Some(session.tokens.to_set()), now_ms());
    loop {
        action = match action {
            RefreshAction::Send(req) => {
                let resp = transport::send(
                    &req,
                    trace,
                    None,
                    settings.upstream_timeout_ms,
                    AnswerHeaders::Limits,
                )
                .await
                .map_err(transport_failure);
                refresh.on_response::<SerdeJson>(resp, now_ms())
            }
            RefreshAction::Persist(set) => {
                // Written at once: the old refresh token is dead from now on. When the write
                // fails, the new tokens still serve the calls waiting now, and the next
                // refresh writes them again.
                if let Err(e) = store
                    .persist(session, Tokens::from_set(&set), now_ms())
                    .await
                {
                    trace.error(e.code);
                }
                refresh.on_persisted()
            }
            RefreshAction::Reread => {
                let stored = store
                    .reread(session, now_ms())
                    .await
                    .map(|t| t.map(|t| t.to_set()))
                    .map_err(|e| Error::Storage(e.message));
                refresh.on_reread(stored)
            }
            RefreshAction::Settled(outcome) => return outcome,
        };
    }
}
