//! Token refresh with rotation, single-flight per session within an isolate.
//!
//! Discord rotates the refresh token on every refresh and refuses the old one with
//! `invalid_grant` (<https://discord.com/developers/docs/topics/oauth2#authorization-code-grant-refresh-token-exchange-example>).
//! So, per session:
//! - concurrent requests in one isolate share one refresh (one leader per KV key, the others
//!   wait for its published outcome);
//! - the rotated tokens are written to KV at once and remembered by the isolate;
//! - on `invalid_grant`, KV is read once more: another isolate may have rotated the tokens
//!   already, and its tokens are used; only when KV still holds the refused token is the
//!   session revoked.
//!
//! The remaining window: two isolates in different locations that refresh the same session
//! within KV's propagation delay (up to 60 s) both send the same refresh token; Discord honours
//! the first, and the second sees `invalid_grant`, re-reads KV, and may still read the old value
//! there, in which case that session ends and the user logs in again.

use super::auth::now_ms;
use super::calls;
use super::config::Settings;
use super::log::Trace;
use super::respond::ApiError;
use super::session::{Session, Tokens};
use super::store;
use super::transport;
use std::cell::RefCell;
use std::collections::HashMap;
use std::time::Duration;
use worker::kv::KvStore;

/// A refresh that did not give new tokens.
#[derive(Clone, Debug, PartialEq)]
pub enum RefreshError {
    /// Discord refused the grant (revoked, or the refresh token is dead): the session is over.
    Revoked,
    /// Discord or KV failed; the session is kept as it is.
    Failed(ApiError),
}

/// A refresh of one session in this isolate.
enum Flight {
    /// A request is refreshing (since this time, ms).
    Running(u64),
    /// The outcome, published for the requests that waited (at this time, ms).
    Done(Result<Tokens, RefreshError>, u64),
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

/// Refreshes when the access token expires within 60 s ([`calls::REFRESH_MARGIN_MS`]).
pub async fn ensure_fresh(
    settings: &Settings,
    kv: &KvStore,
    session: &mut Session,
    trace: &Trace,
    now_ms: u64,
) -> Result<(), RefreshError> {
    if session.tokens.expires_at > now_ms + calls::REFRESH_MARGIN_MS {
        return Ok(());
    }
    if session.tokens.expires_at > now_ms && store::recently_refreshed(&session.kv_key, now_ms) {
        return Ok(());
    }
    force(settings, kv, session, trace).await
}

/// Refreshes now (after a 401), unless this isolate already holds newer tokens than the ones
/// `session` has; waits for a refresh already running for the session instead of starting a
/// second one.
///
/// Waiting requests do not await the leader's future: in workerd, I/O belongs to the request
/// that started it, and a request waiting on another request's promise is cancelled as hung.
/// They poll the published outcome on their own timer instead.
pub async fn force(
    settings: &Settings,
    kv: &KvStore,
    session: &mut Session,
    trace: &Trace,
) -> Result<(), RefreshError> {
    let key = session.kv_key.clone();
    let give_up = now_ms() + settings.upstream_timeout_ms + 5_000;
    let stale_ms = 2 * settings.upstream_timeout_ms + 5_000;
    let mut waited = false;
    loop {
        if let Some(newer) = store::newer_than(&key, &session.tokens) {
            session.tokens = newer;
            return Ok(());
        }
        let t = now_ms();
        let state = FLIGHTS.with(|f| {
            let mut m = f.try_borrow_mut().ok()?;
            m.retain(|_, v| !matches!(v, Flight::Done(_, at) if t.saturating_sub(*at) > 60_000));
            match m.get(&key) {
                // A leader stuck past any timeout is taken over.
                Some(Flight::Running(since)) if t.saturating_sub(*since) < stale_ms => Some(None),
                Some(Flight::Done(r, _)) if waited => Some(Some(r.clone())),
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
                    return Err(RefreshError::Failed(ApiError::new(
                        504,
                        "discord_unavailable",
                        "the token refresh did not finish in time",
                    )));
                }
                waited = true;
                worker::Delay::from(POLL).await;
            }
            // The refresh this request waited for is over.
            Some(Some(result)) => {
                session.tokens = result?;
                return Ok(());
            }
            // This request leads the refresh.
            None => {
                let mut leader = Leader {
                    key: &key,
                    done: false,
                };
                let result = refresh_once(settings, kv, &mut session.clone(), trace, t).await;
                if let Ok(tokens) = &result {
                    store::remember(&key, tokens, now_ms());
                }
                FLIGHTS.with(|f| {
                    if let Ok(mut m) = f.try_borrow_mut() {
                        m.insert(key.clone(), Flight::Done(result.clone(), now_ms()));
                    }
                });
                leader.done = true;
                session.tokens = result?;
                return Ok(());
            }
        }
    }
}

async fn refresh_once(
    settings: &Settings,
    kv: &KvStore,
    session: &mut Session,
    trace: &Trace,
    now_ms: u64,
) -> Result<Tokens, RefreshError> {
    let Some(refresh_token) = session.tokens.refresh_token.clone() else {
        return Err(RefreshError::Revoked);
    };
    let req = calls::refresh(settings, &refresh_token).map_err(RefreshError::Failed)?;
    let resp = transport::send(&req, trace, None, settings.upstream_timeout_ms)
        .await
        .map_err(|e| RefreshError::Failed(calls::transport_error(e)))?;
    match calls::tokens(&resp, now_ms) {
        Ok(grant) => {
            // Written at once: the old refresh token is dead from now on.
            let tokens = grant.tokens;
            if let Err(e) = store::save(kv, settings, session, tokens.clone(), now_ms).await {
                // The new tokens still serve this isolate (remembered by the caller); the next
                // request writes them again when it refreshes.
                trace.error(e.code);
            }
            Ok(tokens)
        }
        Err(e) if calls::is_invalid_grant(&e) => {
            // Another isolate may have rotated the tokens: read KV once more.
            match store::load_key(kv, settings, &session.kv_key, now_ms).await {
                Ok(Some(current)) if current.tokens.refresh_token != Some(refresh_token) => {
                    Ok(current.tokens)
                }
                _ => Err(RefreshError::Revoked),
            }
        }
        Err(e) => Err(RefreshError::Failed(calls::api_error(&e))),
    }
}
