//! The deployable Worker's `/api` reads as promise reactions (docs/worker.md, "Calls out of
//! the Worker"): the session read, Discord's answer and its body each settle a promise whose
//! reaction runs the next step in Rust, with no Rust future driven by wasm-bindgen's task
//! queue on the way (a spawned task, wrapping promises and queue hops per await).
//!
//! The steps are the ones [`routes_api::read`] awaits: [`routes_api::plan`], the session
//! ([`store::live_shared`]), [`routes_api::request_for`], the core's
//! [`Call`](crate::discord::lifecycle::Call) through [`lifecycle`]'s `begin` / `answered` /
//! `failed`, and [`routes_api::answer`].
//! Only a call that needs more than one answer from Discord (a refresh, a forgotten grant)
//! or a changed user to store continues as a future, on the same `Call`.

use super::auth::{Ctx, DiscordAuth, now_ms};
use super::calls::{self, Read};
use super::fast::{finish, stored_value};
use super::log::Trace;
use super::respond::ApiError;
use super::routes::NoSuchGuild;
use super::routes_api::{self, ReadPlan, ReadStep};
use super::session::Session;
use super::transport::{self, AnswerHeaders, Head, TransportError};
use super::{lifecycle, promise, store};
use crate::discord::http::{HttpRequest, HttpResponse};
use crate::discord::lifecycle::{Call, CallAction, Done, Target};
use js_sys::Promise;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use worker::worker_sys::web_sys;

/// A promise of the answer to an `/api` read (`which`, with the URL's `query`) for the
/// session named by `session_id`.
pub(super) fn read(
    auth: DiscordAuth,
    trace: Trace,
    started: u64,
    session_id: Option<&str>,
    which: Result<Read, NoSuchGuild>,
    query: Option<&str>,
) -> Promise {
    let answer_now = |result| Promise::resolve(&JsValue::from(finish(&trace, started, result)));
    let plan = match routes_api::plan(&auth.settings, which, query) {
        Ok(plan) => plan,
        Err(e) => return answer_now(Err(e)),
    };
    let Some(id) = session_id else {
        return answer_now(Err(ApiError::unauthorized()));
    };
    // A value that cannot be a session id names no session: the cookie is worth clearing.
    let Some(key) = store::key_of(&auth.settings, id) else {
        return answer_now(Err(ApiError::unauthorized().clearing_session()));
    };
    let stored = match stored_value(&auth, &key) {
        Ok(stored) => stored,
        Err(e) => return answer_now(Err(e)),
    };
    let read = ApiRead {
        now: now_ms(),
        auth,
        trace,
        started,
        plan,
    };
    promise::settle(&stored, move |value| match value {
        Err(_) => read.answer(Err(store::storage_error("read"))),
        Ok(value) => {
            let session = value
                .as_string()
                .and_then(|raw| store::live_shared(&read.auth.settings, &key, &raw, read.now));
            match session {
                Some(session) => read.with_session(session),
                None => read.answer(Err(ApiError::unauthorized().clearing_session())),
            }
        }
    })
}

/// One `/api` read on its way, handed from reaction to reaction.
struct ApiRead {
    auth: DiscordAuth,
    trace: Trace,
    /// When the request came (ms), for the log line's duration.
    started: u64,
    /// The request's clock (ms) for the session and the guild-list cache.
    now: u64,
    plan: ReadPlan,
}

impl ApiRead {
    /// The answer (an error as its JSON response), with the log line written.
    fn answer(self, result: Result<web_sys::Response, ApiError>) -> JsValue {
        finish(&self.trace, self.started, result).into()
    }

    fn with_session(self, session: Rc<Session>) -> JsValue {
        let step = routes_api::request_for(&self.auth.settings, &self.plan, &session, self.now);
        let req = match step {
            Ok(ReadStep::Cached(answer)) => return self.answer(Ok(answer.into())),
            Ok(ReadStep::Send(req)) => req,
            Err(e) => return self.answer(Err(e)),
        };
        let (call, action) = lifecycle::begin(&session, Target::Request(req));
        self.step(session, call, action)
    }

    /// Executes the call's `action`: a send as reactions, the end at once, anything else
    /// (a refresh, a forgotten grant) as a future.
    ///
    /// The session is the isolate's opened one, shared ([`store::live_shared`]): this path
    /// only reads it. Its tokens change only through a refresh, which runs in [`Self::rest`]
    /// on a copy, so a call that ends here needs no `lifecycle::finished`.
    fn step(self, session: Rc<Session>, call: Call, action: CallAction) -> JsValue {
        match action {
            CallAction::Send(req) => self.send(session, call, req),
            CallAction::Done(done) => self.done(session, done),
            // No grant was forgotten on this path: `failed` clears no cookie.
            CallAction::Fail(e) => self.answer(Err(lifecycle::failed(&e, false, calls::api_error))),
            other => self.rest(session, call, other),
        }
    }

    /// Sends `req` and reacts to its answer, then to its body.
    fn send(self, session: Rc<Session>, call: Call, req: HttpRequest) -> JsValue {
        let flight = match transport::send_now(&req, self.auth.settings.upstream_timeout_ms) {
            Ok(flight) => flight,
            Err(failure) => {
                let sent = Err(TransportError::Network(failure));
                let sent = transport::record(&req, &self.trace, now_ms(), sent);
                return self.sent(session, call, sent);
            }
        };
        let answer = flight.answer.clone();
        promise::settle(&answer, move |resp| {
            let head = resp
                .map_err(|e| transport::fetch_failure(&e))
                .and_then(|resp| transport::head(resp.unchecked_ref(), AnswerHeaders::Limits));
            let Head {
                status,
                headers,
                body,
            } = match head {
                Ok(head) => head,
                Err(failure) => {
                    let sent = Err(flight.failure(failure));
                    let sent = transport::record(&req, &self.trace, flight.started(), sent);
                    return self.sent(session, call, sent);
                }
            };
            promise::settle(&body, move |buffer| {
                let sent = buffer
                    .map_err(|e| transport::body_failure(&e))
                    .and_then(|buffer| transport::body_text(&buffer))
                    .map(|text| HttpResponse::new(status, headers, text))
                    .map_err(|failure| flight.failure(failure));
                let sent = transport::record(&req, &self.trace, flight.started(), sent);
                self.sent(session, call, sent)
            })
            .into()
        })
        .into()
    }

    /// The call's next step once its request was answered (or failed).
    fn sent(
        self,
        session: Rc<Session>,
        mut call: Call,
        sent: Result<HttpResponse, TransportError>,
    ) -> JsValue {
        match lifecycle::answered(&mut call, sent) {
            Ok(action) => self.step(session, call, action),
            Err(e) => self.answer(Err(e)),
        }
    }

    /// The answer of a call that ended: Discord's JSON passed on, the user kept first when it
    /// changed (a future: one more storage write).
    fn done(self, session: Rc<Session>, done: Done) -> JsValue {
        let answered = lifecycle::response_of(done)
            .and_then(|resp| routes_api::answer(&self.plan, &session, resp, self.now));
        match answered {
            Ok((answer, None)) => self.answer(Ok(answer.into_js())),
            Ok((answer, Some(user))) => wasm_bindgen_futures::future_to_promise(async move {
                routes_api::keep_user(&self.ctx(), &session, &user).await;
                Ok(self.answer(Ok(answer.into_js())))
            })
            .into(),
            Err(e) => self.answer(Err(e)),
        }
    }

    /// The rest of a call from `action` on, as a future.
    fn rest(self, session: Rc<Session>, call: Call, action: CallAction) -> JsValue {
        let mut session = Rc::unwrap_or_clone(session);
        wasm_bindgen_futures::future_to_promise(async move {
            let result = {
                let ctx = self.ctx();
                let done = lifecycle::drive(&ctx, &mut session, call, action, calls::api_error);
                match done.await.and_then(lifecycle::response_of) {
                    Ok(resp) => routes_api::answer_kept(&ctx, &self.plan, &session, resp).await,
                    Err(e) => Err(e),
                }
            };
            Ok(self.answer(result.map(web_sys::Response::from)))
        })
        .into()
    }

    /// The request's context for the steps that run as futures.
    fn ctx(&self) -> Ctx<'_> {
        Ctx {
            auth: &self.auth,
            trace: self.trace.clone(),
            now: self.now,
            answer_headers: AnswerHeaders::Limits,
        }
    }
}
